#!/usr/bin/env bash
# Builds a self-contained folder that runs `npm run bench -- gpu` on a bare Linux x64 GPU
# machine: no Node, no npm, no network there. Usage:
#
#   scripts/gpu-bench-bundle.sh [out-dir]        # default dist/gpu-bench (< 60 MiB)
#   # copy the folder to the GPU machine, then there:
#   bash gpu-bench/run.sh [results-dir] [bench options, e.g. --only mlp128 --repeats 9]
#
# What goes in:
#   app/bench-gpu.mjs    the benchmark with the engine and tfjs bundled (esbuild)
#   app/wasm/            tfjs's wasm binaries (the bench compares the training step with wasm)
#   node.gz              this machine's Node binary (linux-x64), gzip'd; unpacked at run time
#   webgpu/              dawn.node for linux-x64 only (gzip'd) and the package's loader
#   lib/                 Debian's Vulkan loader (libvulkan.so.1), extracted here from the
#                        .deb so that the GPU machine needs neither dpkg nor apt; the NVIDIA
#                        driver itself (its Vulkan ICD) is the machine's own
#   run.sh               unpacks to a temp dir, finds the Vulkan ICD, runs the bench, writes
#                        gpu-bench.json and gpu-bench.txt to the results dir
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-dist/gpu-bench}"
ROOT="$(pwd)"

[ "$(uname -m)" = x86_64 ] || { echo "gpu-bench-bundle: builds for linux-x64 only" >&2; exit 1; }
[ -f node_modules/webgpu/dist/linux-x64/dawn.node ] || {
  echo "gpu-bench-bundle: node_modules/webgpu is missing; run npm ci first" >&2
  exit 1
}

rm -rf "$OUT"
mkdir -p "$OUT/app/wasm" "$OUT/webgpu/dist/linux-x64" "$OUT/lib"

echo "[bundle] bench (esbuild)"
# The optional native tfjs packages stay out (they would be reported as not installed).
npx esbuild bench/gpu.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$OUT/app/bench-gpu.mjs" \
  --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu --external:webgpu \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);" \
  --log-level=warning
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$OUT/app/wasm/"

echo "[bundle] node $(node --version) and dawn.node (gzip)"
gzip -9 -c "$(readlink -f "$(command -v node)")" > "$OUT/node.gz"
gzip -9 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$OUT/webgpu/dist/linux-x64/dawn.node.gz"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json node_modules/webgpu/LICENSE.md \
  "$OUT/webgpu/"

echo "[bundle] Debian's Vulkan loader and glvnd's dispatch library"
debs="$(mktemp -d)"
(cd "$debs" && apt-get download -q libvulkan1 libglvnd0 libegl1 libgles2 >/dev/null 2>&1)
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$debs/root"; done
cp -L "$debs"/root/usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$OUT/lib/libvulkan.so.1"
# NVIDIA's Vulkan driver (libGLX_nvidia) needs glvnd (libGLdispatch, and libEGL to reach the
# GPU without a display): on an H200 container that mounts the driver without glvnd,
# vkCreateInstance found no driver until these were on the path. run.sh adds them only where
# the machine lacks them.
mkdir -p "$OUT/lib/fallback"
for l in libGLdispatch.so.0 libEGL.so.1 libGLESv2.so.2; do
  cp -L "$debs/root/usr/lib/x86_64-linux-gnu/$l" "$OUT/lib/fallback/"
done
rm -rf "$debs"

cat > "$OUT/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the ViViT Monitor GPU benchmark. Usage: bash run.sh [results-dir] [bench options]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
RESULTS="${1:-${OUT:-$HERE}}"
shift || true
mkdir -p "$RESULTS"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

gunzip -c "$HERE/node.gz" > "$TMP/node" && chmod +x "$TMP/node"
mkdir -p "$TMP/webgpu/dist/linux-x64"
cp "$HERE/webgpu/index.js" "$HERE/webgpu/package.json" "$TMP/webgpu/"
gunzip -c "$HERE/webgpu/dist/linux-x64/dawn.node.gz" > "$TMP/webgpu/dist/linux-x64/dawn.node"

export LD_LIBRARY_PATH="$HERE/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export VIVIT_WEBGPU_MODULE="$TMP/webgpu/index.js"
export VIVIT_TFJS_WASM_DIR="$HERE/app/wasm/"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$TMP}"

has_lib() { { ldconfig -p || /sbin/ldconfig -p || true; } 2>/dev/null | grep -q "$1"; }
[ -d /usr/local/nvidia/lib64 ] && export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:/usr/local/nvidia/lib64"
for l in libGLdispatch.so.0 libEGL.so.1 libGLESv2.so.2; do
  if ! has_lib "$l" && [ ! -f "/usr/local/nvidia/lib64/$l" ]; then
    export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$HERE/lib/fallback"
    break
  fi
done
# glvnd finds NVIDIA's EGL through a vendor file; containers may keep it beside the driver.
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && [ ! -f /usr/share/glvnd/egl_vendor.d/10_nvidia.json ] &&
  [ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi

# The Vulkan loader finds drivers through ICD manifests. Containers often mount the NVIDIA
# libraries without one, or put it where the loader does not look: every manifest found and one
# written for every libGLX_nvidia.so.0 found are tried in turn (a short probe each), then the
# loader's own search; the first that gives a GPU adapter is used.
candidates=()
for d in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d \
  /usr/local/nvidia/share/vulkan/icd.d /usr/local/nvidia/icd.d; do
  for f in "$d"/nvidia*.json; do [ -f "$f" ] && candidates+=("$f"); done
done
libs="$({ ldconfig -p || /sbin/ldconfig -p || true; } 2>/dev/null | awk '/libGLX_nvidia\.so\.0/ {print $NF}')"
for c in /usr/local/nvidia/lib64/libGLX_nvidia.so.0 /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0 \
  /usr/lib64/libGLX_nvidia.so.0 /usr/lib/libGLX_nvidia.so.0; do
  [ -f "$c" ] && libs="$libs $c"
done
i=0
for lib in $(echo $libs | tr ' ' '\n' | awk '!seen[$0]++'); do
  i=$((i + 1))
  f="$TMP/nvidia_icd_$i.json"
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$lib" > "$f"
  candidates+=("$f")
done
candidates+=("")

{
  echo "# GPU bench diagnostics, $(date -u +%FT%TZ)"
  command -v nvidia-smi >/dev/null && nvidia-smi -L || echo "nvidia-smi: not found"
  { ldconfig -p || true; } 2>/dev/null | grep -E 'vulkan|GLX_nvidia|GLdispatch|nvidia-glvk' || true
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  echo "ICD candidates: ${candidates[*]:-none} (and the loader's own search)"
} 2>&1 | tee "$RESULTS/gpu-bench-probe.txt"

icd=none
for c in "${candidates[@]}"; do
  if [ -n "$c" ]; then export VK_DRIVER_FILES="$c" VK_ICD_FILENAMES="$c"
  else unset VK_DRIVER_FILES VK_ICD_FILENAMES; fi
  echo "## probe with ICD ${c:-<loader search>}" | tee -a "$RESULTS/gpu-bench-probe.txt"
  if timeout 120 "$TMP/node" "$HERE/app/bench-gpu.mjs" --probe 2>&1 | tee -a "$RESULTS/gpu-bench-probe.txt"; then
    icd="${c:-<loader search>}"
    break
  fi
done
if [ "$icd" = none ] && [ -z "${VIVIT_GPU_BENCH_ANY_BACKEND:-}" ]; then
  echo "run.sh: no GPU adapter found (see above); VIVIT_GPU_BENCH_ANY_BACKEND=1 runs the bench anyway" >&2
  exit 3
fi
[ "$icd" = none ] && unset VK_DRIVER_FILES VK_ICD_FILENAMES

{
  echo "# ViViT Monitor GPU bench, $(date -u +%FT%TZ)"
  echo "# Vulkan ICD: $icd"
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/# GPU: /' || true
  fi
  # shellcheck disable=SC2086 # VIVIT_GPU_BENCH_NODE_FLAGS holds several flags, e.g. --cpu-prof
  "$TMP/node" ${VIVIT_GPU_BENCH_NODE_FLAGS:-} "$HERE/app/bench-gpu.mjs" --json "$RESULTS/gpu-bench.json" "$@" 2>&1
} | tee "$RESULTS/gpu-bench.txt"
RUN
chmod +x "$OUT/run.sh"

size=$(du -sm "$OUT" | cut -f1)
echo "[bundle] $OUT: ${size} MiB"
[ "$size" -lt 60 ] || { echo "gpu-bench-bundle: the bundle is ${size} MiB, over 60 MiB" >&2; exit 1; }
