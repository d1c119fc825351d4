//===- host_time.cpp - C++ side of the launch-bound host-time benchmark ---===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Loaded by bench.py with ctypes: loops that call the compiled seed kernel
// (libseed_gpu.so, through its _mlir_ciface_ entry, as a C++ program links
// it) and launch an empty kernel (the floor), N times back to back on the
// stream bench.py set (torch's). bench.py times them and synchronizes.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Runtime/MultiKernelGpu.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>

namespace {

struct MemRef2D {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
};

MemRef2D view(float *data, int64_t rows, int64_t cols) {
  return {data, data, 0, {rows, cols}, {cols, 1}};
}

void *emptyKernel = nullptr;

} // namespace

extern "C" void _mlir_ciface_seed(MemRef2D *x, MemRef2D *y, MemRef2D *out);

/// Calls the dispatched seed kernel `calls` times on [rows, cols] buffers.
extern "C" void seedLoop(float *x, float *y, float *out, int64_t rows,
                         int64_t cols, int64_t calls) {
  MemRef2D dx = view(x, rows, cols), dy = view(y, rows, cols),
           dout = view(out, rows, cols);
  for (int64_t i = 0; i < calls; ++i)
    _mlir_ciface_seed(&dx, &dy, &dout);
}

/// Loads the empty kernel's cubin; 0 on success.
extern "C" int loadEmptyKernel(const char *cubinPath) {
  static std::string image;
  std::ifstream file(cubinPath, std::ios::binary);
  image.assign(std::istreambuf_iterator<char>(file), {});
  void *module = mgpuModuleLoad(image.data(), image.size());
  emptyKernel = module ? mgpuModuleGetFunction(module, "empty") : nullptr;
  return emptyKernel ? 0 : 1;
}

/// One launch of the empty kernel on the current stream.
extern "C" void launchEmpty() {
  mgpuLaunchKernel(emptyKernel, 1, 1, 1, 32, 1, 1, 0, mkrtGpuGetStream(),
                   nullptr, nullptr, 0);
}

extern "C" void emptyLoop(int64_t calls) {
  void *stream = mkrtGpuGetStream();
  for (int64_t i = 0; i < calls; ++i)
    mgpuLaunchKernel(emptyKernel, 1, 1, 1, 32, 1, 1, 0, stream, nullptr,
                     nullptr, 0);
}
