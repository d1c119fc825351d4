#!/usr/bin/env bash
# Builds, on the CPU machine, what bench/gpu/rowsum/run.sh needs on the
# GPU machine: the row sum compiled for sm_90 with hints that pick the three strategies (warp per row, block per row, long rows), and
# the runtime. Output: .device-carry/rowsum (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../../.."
BUILD=${BUILD_DIR:-build}
out=.device-carry/rowsum
mkdir -p "$out"
ninja -C "$BUILD" multikernel-compile multikernel_runtime >/dev/null
# The library finds the runtime beside itself ($ORIGIN is in its rpath).
"$BUILD/bin/multikernel-compile" bench/gpu/rowsum/rowsum.mlir -o "$out/librowsum_gpu.so" \
  --target=cuda --chip=sm_90 --hints=4096x512,4096x4096,96x100000
cp -L "$BUILD/lib/libmultikernel_runtime.so.0" "$out/"
cp bench/gpu/rowsum/bench.py "$out/"
echo "built into $out"
