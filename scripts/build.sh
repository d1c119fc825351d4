#!/usr/bin/env bash
# Configures (once) and builds multikernel in build/ against Debian's
# LLVM/MLIR 22, linking the shared libMLIR.so.
set -euo pipefail
cd "$(dirname "$0")/.."

LLVM_PREFIX=/usr/lib/llvm-22
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-2}

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$LLVM_PREFIX/bin/clang" \
    -DCMAKE_CXX_COMPILER="$LLVM_PREFIX/bin/clang++" \
    -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_PREFIX/bin/lit"
fi
ninja -C "$BUILD_DIR" -j "$JOBS"
