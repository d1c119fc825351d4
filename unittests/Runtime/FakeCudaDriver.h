//===- FakeCudaDriver.h - a CUDA driver stand-in for tests ------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// libFakeCudaDriver.so exports the cu* entry points the runtime resolves,
// running "kernels" on the host. A module image is a FakeImage; kernels run
// synchronously inside cuLaunchKernel; events read a fake GPU clock that
// only launches advance, each by its kernel's cost, so that timings are
// exact whatever the load on the machine; device memory is host memory.
// There are three devices, each with a primary context (`fakeCudaContextOf`):
// 0 and 1 identical, 2 with fewer multiprocessors (another kind of GPU);
// modules and their functions belong to the context they were loaded in,
// and using them under another fails as on a GPU.
// Counters let tests see what the runtime asked of the driver.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_UNITTESTS_RUNTIME_FAKECUDADRIVER_H
#define MULTIKERNEL_UNITTESTS_RUNTIME_FAKECUDADRIVER_H

#include <cstddef>
#include <cstdint>

namespace fakecuda {

constexpr uint64_t kImageMagic = 0xfacecafe;
constexpr int kLaunchOutOfResources = 701;

struct FakeKernel {
  const char *name;
  void (*body)(void **params);
  bool fails;    // launching it returns CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES
  int64_t nanos; // how far a launch advances the fake GPU clock
};

struct FakeImage {
  uint64_t magic;
  int numKernels;
  const FakeKernel *kernels;
};

struct Counters {
  int moduleLoads;
  int moduleUnloads;
  int getFunctionCalls;
  int launches;
  int streamCreates;
  int streamDestroys;
  int streamSyncs;
  void *lastLaunchStream;
  int capturing;   // set by tests: cuStreamIsCapturing reports this
  int allocs;      // cuMemAlloc
  int frees;       // cuMemFree
  int asyncAllocs; // cuMemAllocAsync
  int asyncFrees;  // cuMemFreeAsync
  int memsets;     // cuMemsetD32Async
  std::size_t lastMemsetWords;
  int eventsNotReady; // set by tests: cuEventQuery answers "not ready" this
                      // many times before it succeeds
  void *lastLaunchContext;
  int crossContextCalls; // a function or module used under another context
};

/// Exported by the fake library as `fakeCudaCounters`.
using CountersFn = Counters *(*)();
/// Exported as `fakeCudaContextOf`: the primary context of device 0, 1 or 2.
using ContextOfFn = void *(*)(int device);

} // namespace fakecuda

#endif // MULTIKERNEL_UNITTESTS_RUNTIME_FAKECUDADRIVER_H
