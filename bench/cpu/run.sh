#!/usr/bin/env bash
# The CPU sweep: compiles bench/cpu/kernels.mlir for the seed's hints and
# prints, per kernel and shape, each variant alone, the dispatched call, the
# oracle, their ratio and the first-call cost.
# Usage: bench/cpu/run.sh [repeats [kernel]]
# COMPILE_FLAGS adds multikernel-compile flags (e.g. --cpu-parallel=openmp).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD_DIR:-build}
ninja -C "$BUILD" multikernel-compile cpu-sweep >/dev/null
"$BUILD/bin/multikernel-compile" bench/cpu/kernels.mlir -o "$BUILD/bench-cpu-kernels.so" \
  --hints=1024x512,4096x2048 ${COMPILE_FLAGS:-}
"$BUILD/bin/cpu-sweep" "$BUILD/bench-cpu-kernels.so" "${1:-5}" ${2:+"$2"}
