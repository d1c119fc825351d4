#!/usr/bin/env bash
# Builds the host-time benchmark here (no GPU needed) into
# .device-carry/host-time: the seed kernel for sm_90, the runtime, the C++
# loops (host_time.cpp) and the empty kernel's cubin.
set -euo pipefail
cd "$(dirname "$0")/../../.."
BUILD=${BUILD_DIR:-build}
out=.device-carry/host-time
bash bench/gpu/build.sh elementwise 1024x512,4096x2048 >/dev/null
mkdir -p "$out"
cp .device-carry/elementwise/libseed_gpu.so .device-carry/elementwise/libmultikernel_runtime.so.0 "$out/"
/usr/local/cuda/bin/nvcc -cubin -arch=sm_90 -O3 -o "$out/empty.cubin" bench/gpu/host-time/empty.cu
/usr/lib/llvm-22/bin/clang++ -std=c++17 -O2 -fPIC -shared -Iinclude \
  bench/gpu/host-time/host_time.cpp -o "$out/libhost_time.so" \
  -L"$out" -l:libseed_gpu.so -l:libmultikernel_runtime.so.0 -Wl,-rpath,'$ORIGIN'
cp bench/gpu/host-time/bench.py "$out/"
echo "built into $out"
