#!/usr/bin/env bash
# Assembles, here, what bench/gpu/python_cuda_check.py needs on the device:
# the seed kernel compiled for sm_90, the runtime and the Python package
# (from python/, found through MULTIKERNEL_PREFIX). Output:
# .device-carry/pyprefix (git-ignored). On the device:
#   python3 .device-carry/pyprefix/python_cuda_check.py .device-carry/pyprefix
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.device-carry/pyprefix
bash bench/gpu/build.sh elementwise 1024x512,4096x2048 >/dev/null
rm -rf "$out"
mkdir -p "$out/lib" "$out/python"
cp .device-carry/elementwise/libseed_gpu.so .device-carry/elementwise/libmultikernel_runtime.so.0 "$out/lib/"
cp "$out/lib/libmultikernel_runtime.so.0" "$out/lib/libmultikernel_runtime.so"
cp -r python/multikernel "$out/python/"
find "$out" -name __pycache__ -prune -exec rm -rf {} +
cp bench/gpu/python_cuda_check.py "$out/"
echo "built into $out"
