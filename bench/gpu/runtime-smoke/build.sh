#!/usr/bin/env bash
# Builds the runtime smoke test here (no GPU needed) into .device-carry/smoke,
# for bench/gpu/runtime-smoke/run.sh on the device machine.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=.device-carry/smoke
mkdir -p "$out"
cmake -G Ninja -S lib/Runtime -B build-runtime-release -DCMAKE_BUILD_TYPE=Release \
  -DMULTIKERNEL_ENABLE_TESTS=OFF >/dev/null
ninja -C build-runtime-release multikernel_runtime >/dev/null
cp -L build-runtime-release/lib/libmultikernel_runtime.so.0 "$out/"
/usr/local/cuda/bin/nvcc -cubin -arch=sm_90 -O3 -o "$out/kernels.cubin" \
  bench/gpu/runtime-smoke/kernels.cu
g++ -std=c++17 -O2 -Iinclude bench/gpu/runtime-smoke/harness.cpp \
  -o "$out/harness" -L"$out" -l:libmultikernel_runtime.so.0 -Wl,-rpath,'$ORIGIN'
echo "built into $out"
