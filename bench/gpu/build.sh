#!/usr/bin/env bash
# Builds, on the CPU machine, what a GPU benchmark needs on the device:
# bench/gpu/<kernel>/<kernel>.mlir compiled for sm_90 with the benchmark's
# hints, the runtime beside it ($ORIGIN is in the library's rpath), and the
# harness. Output: .device-carry/<kernel> (git-ignored).
# Usage: bench/gpu/build.sh <kernel> <hints>
set -euo pipefail
cd "$(dirname "$0")/../.."
kernel=$1 hints=$2
BUILD=${BUILD_DIR:-build}
out=.device-carry/$kernel
mkdir -p "$out"
ninja -C "$BUILD" multikernel-compile multikernel_runtime >/dev/null
source=$(ls bench/gpu/"$kernel"/*.mlir)
"$BUILD/bin/multikernel-compile" "$source" -o "$out/lib$(basename "$source" .mlir)_gpu.so" \
  --target=cuda --chip=sm_90 --hints="$hints"
cp -L "$BUILD/lib/libmultikernel_runtime.so.0" "$out/"
cp bench/gpu/"$kernel"/bench.py bench/gpu/harness.py "$out/"
echo "built into $out"
