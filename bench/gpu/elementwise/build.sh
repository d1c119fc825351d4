#!/usr/bin/env bash
# Builds, on the CPU machine, what bench/gpu/elementwise/run.sh needs on the
# GPU machine: the seed kernel compiled for sm_90 with the seed's hints, and
# the runtime. Output: .device-carry/elementwise (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../../.."
BUILD=${BUILD_DIR:-build}
out=.device-carry/elementwise
mkdir -p "$out"
ninja -C "$BUILD" multikernel-compile multikernel_runtime >/dev/null
# The library finds the runtime beside itself ($ORIGIN is in its rpath).
"$BUILD/bin/multikernel-compile" bench/gpu/elementwise/seed.mlir -o "$out/libseed_gpu.so" \
  --target=cuda --chip=sm_90 --hints=1024x512,4096x2048
cp -L "$BUILD/lib/libmultikernel_runtime.so.0" "$out/"
cp bench/gpu/elementwise/bench.py "$out/"
echo "built into $out"
