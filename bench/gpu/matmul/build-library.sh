#!/usr/bin/env bash
# Builds, on the CPU machine, what bench/gpu/matmul/library.py runs on the
# device: fp32 and bf16 matmul and fp32 batch matmul for sm_90 with three
# cuBLASLt variants per site, the runtime beside them.
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
    --hints="$3" --cublaslt-algorithms=3 --quiet
}
compile bench/gpu/matmul/matmul.mlir libmatmul_gpu.so 256x256x256,1024x1024x1024,4096x4096x4096
compile bench/gpu/matmul/matmul_bf16.mlir libmatmul_bf16_gpu.so 256x256x256,1024x1024x1024,4096x4096x4096
compile test/Integration/GPU/Inputs/bmm.mlir libbmm_gpu.so 12x256x256x64,32x1024x1024x128
cp -L "$BUILD/lib/libmultikernel_runtime.so.0" "$out/"
echo "built into $out"
