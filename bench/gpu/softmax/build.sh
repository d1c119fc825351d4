#!/usr/bin/env bash
# Builds, on the CPU machine, what bench/gpu/softmax/run.sh needs on the
# GPU machine: softmax compiled for sm_90 with hints that pick the three strategies (warp per row, block per row, long rows), and
# the runtime. Output: .device-carry/softmax (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../../.."
BUILD=${BUILD_DIR:-build}
out=.device-carry/softmax
mkdir -p "$out"
ninja -C "$BUILD" multikernel-compile multikernel_runtime >/dev/null
# The library finds the runtime beside itself ($ORIGIN is in its rpath).
"$BUILD/bin/multikernel-compile" bench/gpu/softmax/softmax.mlir -o "$out/libsoftmax_gpu.so" \
  --target=cuda --chip=sm_90 --hints=4096x512,4096x4096,96x100000
cp -L "$BUILD/lib/libmultikernel_runtime.so.0" "$out/"
cp bench/gpu/softmax/bench.py "$out/"
echo "built into $out"
