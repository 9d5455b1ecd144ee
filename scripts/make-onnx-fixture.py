"""Exports the ONNX test fixtures from PyTorch, the way a maintainer with PyTorch would.

The modules below are the ones the fixtures in tests/fixtures/onnx describe. With PyTorch
installed this writes NAME.onnx (torch.onnx.export, opset 17, dynamic batch), NAME.input.json
(the batch) and NAME.torch.json (PyTorch's outputs on it) into the folder.

PyTorch cannot be installed on the machines this project is built on, so the committed .onnx
files were NOT made by this script: tests/fixtures/onnx/make.ts writes the same graphs with
protobufjs, and scripts/check-onnx-fixture.py validates them with onnx's checker and computes
the reference outputs with onnxruntime. See tests/fixtures/onnx/README.md.

Run: python scripts/make-onnx-fixture.py [folder]
"""

import json
import os
import sys

import torch
from torch import nn


def lcg_values(count, seed, scale=0.5):
    """The same deterministic values as lcgValues in tests/fixtures/onnx/builder.ts."""
    state = seed & 0xFFFFFFFF
    out = []
    for _ in range(count):
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        out.append(((state / 2**32) * 2 - 1) * scale)
    return torch.tensor(out, dtype=torch.float32)


class TinyMLP(nn.Module):
    """Curvature case b: Linear(20, 16), ReLU, Linear(16, 10)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 16)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class TinyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(36, 3)

    def forward(self, x):
        x = self.pool(self.act(self.conv(x)))
        return self.fc(x.view(x.size(0), -1))


class TinyZoo(nn.Module):
    def __init__(self):
        super().__init__()
        self.pad = nn.ZeroPad2d((0, 2, 1, 0))  # left, right, top, bottom
        self.conv = nn.Conv2d(2, 3, 2)
        self.act1 = nn.LeakyReLU(0.2)
        self.pool = nn.AvgPool2d(2)
        self.act2 = nn.ELU(0.5)
        self.flat = nn.Flatten()
        self.drop = nn.Dropout(0.25)
        self.fc1 = nn.Linear(27, 5)
        self.act3 = nn.Tanh()
        self.id = nn.Identity()
        self.fc2 = nn.Linear(5, 2, bias=False)
        self.act4 = nn.Sigmoid()

    def forward(self, x):
        # Uneven padding (top 1, right 1) before the conv. A real export writes it as a
        # second Pad node; make.ts puts it into the Conv's pads instead (as other exporters
        # do), the one place where zoo.onnx differs from this module's export.
        x = nn.functional.pad(self.pad(x), (0, 1, 1, 0))
        x = self.act2(self.pool(self.act1(self.conv(x))))
        x = self.drop(self.flat(x))
        return self.act4(self.fc2(self.id(self.act3(self.fc1(x)))))


def load(module, tensors):
    with torch.no_grad():
        for p, values in zip(module.parameters(), tensors):
            p.copy_(values.reshape(p.shape))


def export(module, name, x, folder):
    module.eval()
    path = os.path.join(folder, name + ".onnx")
    torch.onnx.export(
        module, x, path, opset_version=17, input_names=["input"],
        output_names=["output" if name == "zoo" else "logits"],
        dynamic_axes={"input": {0: "batch"}},
    )
    with torch.no_grad():
        y = module(x)
    with open(os.path.join(folder, name + ".input.json"), "w") as f:
        json.dump({"shape": list(x.shape), "data": x.reshape(-1).tolist()}, f)
    with open(os.path.join(folder, name + ".torch.json"), "w") as f:
        json.dump({"producer": f"torch {torch.__version__}", "shape": list(y.shape),
                   "data": y.reshape(-1).tolist()}, f)


def main(folder):
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "tests", "fixtures", "curvature-cases",
                           "b_mlp_relu_ce.case.json")) as f:
        case = json.load(f)
    mlp = TinyMLP().double()
    load(mlp, [torch.tensor(p["data"], dtype=torch.float64) for p in case["params"]])
    x = torch.tensor(case["input"]["data"], dtype=torch.float64).reshape(case["input"]["shape"])
    export(mlp, "mlp", x, folder)

    cnn = TinyCNN()
    load(cnn, [lcg_values(36, 1), lcg_values(4, 2, 0.1), lcg_values(108, 3, 0.3),
               lcg_values(3, 4, 0.1)])
    export(cnn, "cnn", lcg_values(108, 21, 1).reshape(3, 1, 6, 6), folder)

    zoo = TinyZoo()
    # fc1's weight: make.ts stores MatMul's [in, out] matrix, PyTorch keeps [out, in].
    load(zoo, [lcg_values(24, 11), lcg_values(3, 12, 0.1),
               lcg_values(135, 13).reshape(27, 5).T, lcg_values(5, 14, 0.1),
               lcg_values(10, 15).reshape(5, 2).T])
    export(zoo, "zoo", lcg_values(150, 22, 1).reshape(3, 2, 5, 5), folder)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "fixtures", "onnx"))
