#!/usr/bin/env bash
# Builds, on the CPU machine, what bench/gpu/matmul/library.py runs on the
# device: C = A B in fp32 and bf16, matmul and batch matmul, for sm_90 with
# three cuBLASLt variants per site (eight in libcontractions8), matmul +
# bias + GELU, the runtime beside them.
# Output: .device-carry/matmul-library (git-ignored). On the device:
#   python3 bench/gpu/matmul/library.py .device-carry/matmul-library
set -euo pipefail
cd "$(dirname "$0")/../../.."
BUILD=${BUILD_DIR:-build}
out=.device-carry/matmul-library
mkdir -p "$out"
ninja -C "$BUILD" multikernel-compile multikernel_runtime >/dev/null
compile() {
  "$BUILD/bin/multikernel-compile" "$1" -o "$out/$2" --target=cuda --chip=sm_90 \
    --hints="$3" --cublaslt-algorithms="${4:-3}" --quiet
}
# Hints of three loops for the matmuls, four for the batch ones.
hints=256x256x256,1024x1024x1024,4096x4096x4096,12x256x256x64,32x1024x1024x128
compile bench/gpu/matmul/c_equals_ab.mlir libcontractions_gpu.so "$hints"
# Eight algorithms, for the shapes where three were behind cuBLAS.
compile bench/gpu/matmul/c_equals_ab.mlir libcontractions8_gpu.so "$hints" 8
# Matmul + bias + GELU: hints for the matmul (three sizes) and the
# elementwise sites (two).
compile bench/gpu/matmul/matmul_bias_gelu.mlir libmatmul_bias_gelu_gpu.so \
  256x256x256,1024x1024x1024,4096x4096x4096,1024x512,16384x8192
cp -L "$BUILD/lib/libmultikernel_runtime.so.0" "$out/"
echo "built into $out"
