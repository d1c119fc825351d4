#!/usr/bin/env bash
# Installs what is missing, builds, and runs the demo: the seed's kernel
# (x * 2 + sin(y)) and a softmax, compiled for the size hints [1024, 512]
# and [4096, 2048], called from C with varying shapes.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
BUILD=${BUILD_DIR:-build}
OUT="$BUILD/demo"
mkdir -p "$OUT"

echo "== 1. The tiling --multikernel-specialize chooses for each hint (GPU):"
"$BUILD/bin/multikernel-opt" examples/seed.mlir \
  --multikernel-specialize="hints=1024x512,4096x2048 target=gpu" |
  grep -o '#multikernel.tiling<[^>]*>' | sed 's/^/   /'
echo
echo "== 2. multikernel-compile examples/demo/demo-kernels.mlir -o $OUT/libdemo.so --hints=1024x512,4096x2048"
"$BUILD/bin/multikernel-compile" examples/demo/demo-kernels.mlir \
  -o "$OUT/libdemo.so" --hints=1024x512,4096x2048
echo
echo "== 3. Calls with varying shapes (CPU): the first call with a new shape"
echo "==    benchmarks the variants, repeats hit the cache"
"$BUILD/bin/multikernel-demo" "$OUT/libdemo.so"
