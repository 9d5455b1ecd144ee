"""Checks the ONNX fixtures in tests/fixtures/onnx with the reference tools and writes the
reference outputs the tests compare against.

For each NAME.onnx with its NAME.input.json batch: onnx.checker.check_model (full check, with
shape inference) must accept the file, and onnxruntime runs it on the batch; the outputs go to
NAME.ort.json. This is the independent oracle for the importer: the files are written by
tests/fixtures/onnx/make.ts (PyTorch cannot be installed here), so onnx's checker says they are
valid ONNX and onnxruntime says what they compute.

Needs: pip install onnx onnxruntime numpy
Run:   python scripts/check-onnx-fixture.py [folder]
"""

import glob
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort


def main(folder: str) -> None:
    for path in sorted(glob.glob(os.path.join(folder, "*.onnx"))):
        stem = path[: -len(".onnx")]
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        with open(stem + ".input.json") as f:
            batch = json.load(f)
        elem = model.graph.input[0].type.tensor_type.elem_type
        dtype = np.float64 if elem == onnx.TensorProto.DOUBLE else np.float32
        x = np.asarray(batch["data"], dtype=dtype).reshape(batch["shape"])
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        (y,) = session.run(None, {session.get_inputs()[0].name: x})
        result = {
            "producer": f"onnxruntime {ort.__version__} (onnx {onnx.__version__} checker passed)",
            "shape": list(y.shape),
            "data": [float(v) for v in y.reshape(-1)],
        }
        with open(stem + ".ort.json", "w") as f:
            json.dump(result, f)
            f.write("\n")
        print(f"{os.path.basename(path)}: valid; output {list(y.shape)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/onnx")
