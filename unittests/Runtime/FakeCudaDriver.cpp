//===- FakeCudaDriver.cpp - a CUDA driver stand-in for tests --------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "FakeCudaDriver.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

using namespace fakecuda;

namespace {
Counters counters;
std::mutex mutex;

/// The fake GPU's clock: the sum of the costs of the kernels launched.
int64_t gpuClockNanos = 0;

double nowMilliseconds() {
  std::lock_guard<std::mutex> lock(mutex);
  return static_cast<double>(gpuClockNanos) / 1e6;
}

struct Event {
  double milliseconds = 0;
};

/// Three devices, each with its primary context (the current context is
/// per thread, as the driver's is): 0 and 1 alike, 2 another kind (fewer
/// multiprocessors).
constexpr int kDevices = 3;
int primaryContexts[kDevices];
thread_local void *currentContext = nullptr;

/// A module belongs to the context it was loaded in, and so do its
/// functions: launching one under another context fails, as on a GPU.
struct FakeFunction {
  const FakeKernel *kernel;
  void *context;
};
struct FakeModule {
  const FakeImage *image;
  void *context;
  FakeFunction *functions;
};
} // namespace

#define FAKE_EXPORT extern "C" __attribute__((visibility("default")))

FAKE_EXPORT Counters *fakeCudaCounters() { return &counters; }

FAKE_EXPORT int cuInit(unsigned) { return 0; }
FAKE_EXPORT int cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return ordinal >= 0 && ordinal < kDevices ? 0
                                            : 101; // CUDA_ERROR_INVALID_DEVICE
}
/// Multiprocessors per device; tests make device 1 another kind of GPU.
int multiprocessors[kDevices] = {132, 132, 66};
FAKE_EXPORT void fakeCudaSetMultiprocessors(int device, int count) {
  multiprocessors[device] = count;
}
FAKE_EXPORT int cuDeviceGetAttribute(int *value, int attribute, int device) {
  if (device < 0 || device >= kDevices)
    return 101;
  switch (attribute) {
  case 16: // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
    *value = multiprocessors[device];
    return 0;
  case 75: // compute capability, major
    *value = 9;
    return 0;
  case 76: // minor
    *value = 0;
    return 0;
  default:
    return 1; // CUDA_ERROR_INVALID_VALUE
  }
}
FAKE_EXPORT int cuCtxGetDevice(int *device) {
  for (int d = 0; d < kDevices; ++d)
    if (currentContext == &primaryContexts[d]) {
      *device = d;
      return 0;
    }
  return 201; // CUDA_ERROR_INVALID_CONTEXT
}
FAKE_EXPORT int cuDeviceGetName(char *name, int length, int) {
  std::strncpy(name, "Fake GPU", length);
  return 0;
}
FAKE_EXPORT int cuDevicePrimaryCtxRetain(void **context, int device) {
  if (device < 0 || device >= kDevices)
    return 101;
  *context = &primaryContexts[device];
  return 0;
}
FAKE_EXPORT int cuCtxGetCurrent(void **context) {
  *context = currentContext;
  return 0;
}
FAKE_EXPORT int cuCtxSetCurrent(void *context) {
  currentContext = context;
  return 0;
}
FAKE_EXPORT void *fakeCudaContextOf(int device) {
  return &primaryContexts[device];
}

FAKE_EXPORT int cuModuleLoadData(void **module, const void *image) {
  auto *fake = static_cast<const FakeImage *>(image);
  if (!fake || fake->magic != kImageMagic)
    return 200; // CUDA_ERROR_INVALID_IMAGE
  if (!currentContext)
    return 201; // CUDA_ERROR_INVALID_CONTEXT
  std::lock_guard<std::mutex> lock(mutex);
  ++counters.moduleLoads;
  auto *loaded =
      new FakeModule{fake, currentContext, new FakeFunction[fake->numKernels]};
  for (int i = 0; i < fake->numKernels; ++i)
    loaded->functions[i] = FakeFunction{&fake->kernels[i], currentContext};
  *module = loaded;
  return 0;
}
FAKE_EXPORT int cuModuleLoadDataEx(void **module, const void *image, unsigned,
                                   int *, void **) {
  return cuModuleLoadData(module, image);
}
FAKE_EXPORT int cuModuleUnload(void *module) {
  auto *loaded = static_cast<FakeModule *>(module);
  std::lock_guard<std::mutex> lock(mutex);
  ++counters.moduleUnloads;
  if (loaded->context != currentContext)
    ++counters.crossContextCalls;
  delete[] loaded->functions;
  delete loaded;
  return 0;
}
FAKE_EXPORT int cuModuleGetFunction(void **function, void *module,
                                    const char *name) {
  std::lock_guard<std::mutex> lock(mutex);
  ++counters.getFunctionCalls;
  auto *loaded = static_cast<FakeModule *>(module);
  if (loaded->context != currentContext) {
    ++counters.crossContextCalls;
    return 400; // CUDA_ERROR_INVALID_HANDLE
  }
  for (int i = 0; i < loaded->image->numKernels; ++i)
    if (std::strcmp(loaded->image->kernels[i].name, name) == 0) {
      *function = &loaded->functions[i];
      return 0;
    }
  return 500; // CUDA_ERROR_NOT_FOUND
}
FAKE_EXPORT int cuLaunchKernel(void *function, unsigned, unsigned, unsigned,
                               unsigned, unsigned, unsigned, unsigned,
                               void *stream, void **params, void **) {
  auto *fakeFunction = static_cast<const FakeFunction *>(function);
  const FakeKernel *kernel = fakeFunction->kernel;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (fakeFunction->context != currentContext) {
      ++counters.crossContextCalls;
      return 400; // CUDA_ERROR_INVALID_HANDLE
    }
    ++counters.launches;
    counters.lastLaunchStream = stream;
    counters.lastLaunchContext = currentContext;
    if (!kernel->fails)
      gpuClockNanos += kernel->nanos;
  }
  if (kernel->fails)
    return kLaunchOutOfResources;
  kernel->body(params);
  return 0;
}

FAKE_EXPORT int cuStreamCreate(void **stream, unsigned) {
  std::lock_guard<std::mutex> lock(mutex);
  ++counters.streamCreates;
  *stream = std::malloc(1);
  return 0;
}
FAKE_EXPORT int cuStreamDestroy_v2(void *stream) {
  std::lock_guard<std::mutex> lock(mutex);
  ++counters.streamDestroys;
  std::free(stream);
  return 0;
}
FAKE_EXPORT int cuStreamSynchronize(void *) {
  std::lock_guard<std::mutex> lock(mutex);
  ++counters.streamSyncs;
  return 0;
}
FAKE_EXPORT int cuStreamWaitEvent(void *, void *, unsigned) { return 0; }
FAKE_EXPORT int cuStreamIsCapturing(void *, int *status) {
  *status = counters.capturing;
  return 0;
}

FAKE_EXPORT int cuEventCreate(void **event, unsigned) {
  *event = new Event();
  return 0;
}
FAKE_EXPORT int cuEventDestroy_v2(void *event) {
  delete static_cast<Event *>(event);
  return 0;
}
FAKE_EXPORT int cuEventRecord(void *event, void *) {
  static_cast<Event *>(event)->milliseconds = nowMilliseconds();
  return 0;
}
FAKE_EXPORT int cuEventSynchronize(void *) { return 0; }
FAKE_EXPORT int cuEventQuery(void *) {
  if (counters.eventsNotReady > 0) {
    --counters.eventsNotReady;
    return 600; // CUDA_ERROR_NOT_READY
  }
  return 0;
}
FAKE_EXPORT int cuEventElapsedTime(float *milliseconds, void *start,
                                   void *stop) {
  *milliseconds = static_cast<float>(static_cast<Event *>(stop)->milliseconds -
                                     static_cast<Event *>(start)->milliseconds);
  return 0;
}

FAKE_EXPORT int cuMemAlloc_v2(unsigned long long *pointer, size_t bytes) {
  ++counters.allocs;
  *pointer = reinterpret_cast<unsigned long long>(std::malloc(bytes));
  return 0;
}
FAKE_EXPORT int cuMemAllocManaged(unsigned long long *pointer, size_t bytes,
                                  unsigned) {
  return cuMemAlloc_v2(pointer, bytes);
}
FAKE_EXPORT int cuMemFree_v2(unsigned long long pointer) {
  ++counters.frees;
  std::free(reinterpret_cast<void *>(pointer));
  return 0;
}
FAKE_EXPORT int cuMemAllocAsync(unsigned long long *pointer, size_t bytes,
                                void *) {
  ++counters.asyncAllocs;
  *pointer = reinterpret_cast<unsigned long long>(std::malloc(bytes));
  return 0;
}
FAKE_EXPORT int cuMemFreeAsync(unsigned long long pointer, void *) {
  ++counters.asyncFrees;
  std::free(reinterpret_cast<void *>(pointer));
  return 0;
}
FAKE_EXPORT int cuMemcpyAsync(unsigned long long destination,
                              unsigned long long source, size_t bytes, void *) {
  std::memmove(reinterpret_cast<void *>(destination),
               reinterpret_cast<const void *>(source), bytes);
  return 0;
}
FAKE_EXPORT int cuMemsetD32Async(unsigned long long destination, unsigned value,
                                 size_t count, void *) {
  ++counters.memsets;
  counters.lastMemsetWords = count;
  auto *words = reinterpret_cast<unsigned *>(destination);
  for (size_t i = 0; i < count; ++i)
    words[i] = value;
  return 0;
}
FAKE_EXPORT int cuMemsetD16Async(unsigned long long destination,
                                 unsigned short value, size_t count, void *) {
  auto *halves = reinterpret_cast<unsigned short *>(destination);
  for (size_t i = 0; i < count; ++i)
    halves[i] = value;
  return 0;
}

FAKE_EXPORT int cuGetErrorName(int result, const char **name) {
  switch (result) {
  case kLaunchOutOfResources:
    *name = "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    return 0;
  case 200:
    *name = "CUDA_ERROR_INVALID_IMAGE";
    return 0;
  case 500:
    *name = "CUDA_ERROR_NOT_FOUND";
    return 0;
  case 400:
    *name = "CUDA_ERROR_INVALID_HANDLE";
    return 0;
  case 201:
    *name = "CUDA_ERROR_INVALID_CONTEXT";
    return 0;
  default:
    *name = nullptr;
    return 1;
  }
}
FAKE_EXPORT int cuGetErrorString(int result, const char **text) {
  *text = result == kLaunchOutOfResources ? "too many resources requested "
                                            "for launch"
                                          : nullptr;
  return *text ? 0 : 1;
}
