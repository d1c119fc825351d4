//===- CudaDriver.cpp - the CUDA driver API, loaded at run time -----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"
#include "Config.h"

#include <cstdlib>
#include <dlfcn.h>
#include <mutex>

namespace multikernel::runtime::cuda {

namespace {
std::string &errorStorage() {
  static std::string *error = new std::string();
  return *error;
}

/// Resolves `names` in order (newer versioned symbols first).
template <typename Fn>
bool resolve(void *library, Fn &slot, std::initializer_list<const char *> names,
             std::string &missing) {
  for (const char *name : names) {
    if (void *symbol = dlsym(library, name)) {
      slot = reinterpret_cast<Fn>(symbol);
      return true;
    }
  }
  missing = *names.begin();
  return false;
}

const Driver *load() {
  const char *libraryName = environmentValue("MULTIKERNEL_CUDA_LIBRARY");
  if (!libraryName || !*libraryName)
    libraryName = "libcuda.so.1";
  void *library = dlopen(libraryName, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    errorStorage() = std::string("the CUDA driver (") + libraryName +
                     ") cannot be loaded: " + (why ? why : "unknown error") +
                     "; install the NVIDIA driver or run on a machine with a "
                     "GPU";
    return nullptr;
  }

  static Driver table;
  std::string missing;
  bool ok = true;
  ok &= resolve(library, table.cuInit, {"cuInit"}, missing);
  ok &= resolve(library, table.cuDeviceGet, {"cuDeviceGet"}, missing);
  ok &= resolve(library, table.cuDeviceGetName, {"cuDeviceGetName"}, missing);
  ok &= resolve(library, table.cuDeviceGetAttribute, {"cuDeviceGetAttribute"},
                missing);
  ok &= resolve(library, table.cuCtxGetDevice, {"cuCtxGetDevice"}, missing);
  ok &= resolve(library, table.cuDevicePrimaryCtxRetain,
                {"cuDevicePrimaryCtxRetain"}, missing);
  ok &= resolve(library, table.cuCtxGetCurrent, {"cuCtxGetCurrent"}, missing);
  ok &= resolve(library, table.cuCtxSetCurrent, {"cuCtxSetCurrent"}, missing);
  ok &= resolve(library, table.cuModuleLoadData, {"cuModuleLoadData"}, missing);
  ok &= resolve(library, table.cuModuleLoadDataEx, {"cuModuleLoadDataEx"},
                missing);
  ok &= resolve(library, table.cuModuleUnload, {"cuModuleUnload"}, missing);
  ok &= resolve(library, table.cuModuleGetFunction, {"cuModuleGetFunction"},
                missing);
  ok &= resolve(library, table.cuLaunchKernel, {"cuLaunchKernel"}, missing);
  ok &= resolve(library, table.cuStreamCreate, {"cuStreamCreate"}, missing);
  ok &= resolve(library, table.cuStreamDestroy,
                {"cuStreamDestroy_v2", "cuStreamDestroy"}, missing);
  ok &= resolve(library, table.cuStreamSynchronize, {"cuStreamSynchronize"},
                missing);
  ok &=
      resolve(library, table.cuStreamWaitEvent, {"cuStreamWaitEvent"}, missing);
  ok &= resolve(library, table.cuStreamIsCapturing, {"cuStreamIsCapturing"},
                missing);
  ok &= resolve(library, table.cuEventCreate, {"cuEventCreate"}, missing);
  ok &= resolve(library, table.cuEventDestroy,
                {"cuEventDestroy_v2", "cuEventDestroy"}, missing);
  ok &= resolve(library, table.cuEventRecord, {"cuEventRecord"}, missing);
  ok &= resolve(library, table.cuEventQuery, {"cuEventQuery"}, missing);
  ok &= resolve(library, table.cuEventSynchronize, {"cuEventSynchronize"},
                missing);
  ok &= resolve(library, table.cuEventElapsedTime,
                {"cuEventElapsedTime_v2", "cuEventElapsedTime"}, missing);
  ok &= resolve(library, table.cuMemAlloc, {"cuMemAlloc_v2"}, missing);
  ok &=
      resolve(library, table.cuMemAllocManaged, {"cuMemAllocManaged"}, missing);
  ok &= resolve(library, table.cuMemFree, {"cuMemFree_v2"}, missing);
  ok &= resolve(library, table.cuMemcpyAsync, {"cuMemcpyAsync"}, missing);
  ok &= resolve(library, table.cuMemsetD32Async, {"cuMemsetD32Async"}, missing);
  ok &= resolve(library, table.cuMemsetD16Async, {"cuMemsetD16Async"}, missing);
  ok &= resolve(library, table.cuGetErrorName, {"cuGetErrorName"}, missing);
  ok &= resolve(library, table.cuGetErrorString, {"cuGetErrorString"}, missing);
  std::string optional;
  resolve(library, table.cuMemAllocAsync, {"cuMemAllocAsync"}, optional);
  resolve(library, table.cuMemFreeAsync, {"cuMemFreeAsync"}, optional);
  if (!ok) {
    errorStorage() = std::string("the CUDA driver (") + libraryName +
                     ") lacks '" + missing +
                     "'; it is too old or not a CUDA "
                     "driver";
    return nullptr;
  }
  CUresult result = table.cuInit(0);
  if (result != CUDA_SUCCESS) {
    errorStorage() = "cuInit failed (" + describe(result) +
                     "): no usable GPU, or the driver is not running";
    return nullptr;
  }
  return &table;
}

const Driver *loaded = nullptr;
} // namespace

const Driver *driver() {
  static std::once_flag once;
  std::call_once(once, [] { loaded = load(); });
  return loaded;
}

const std::string &loadError() { return errorStorage(); }

std::string describe(CUresult result) {
  // Safe before cuInit too: these two work without initialization.
  const Driver *table = loaded;
  const char *name = nullptr, *text = nullptr;
  if (table) {
    table->cuGetErrorName(result, &name);
    table->cuGetErrorString(result, &text);
  }
  std::string description =
      name ? name : "CUDA error " + std::to_string(static_cast<int>(result));
  if (text)
    description += std::string(": ") + text;
  return description;
}

} // namespace multikernel::runtime::cuda
