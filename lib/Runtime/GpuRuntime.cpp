//===- GpuRuntime.cpp - mgpu* entry points and GPU support ----------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// MLIR's host code calls these around every kernel launch (look up the
// function, create a stream, launch, synchronize, destroy the stream). The
// upstream wrappers do real driver work in each; here the expensive parts are
// done once: modules are cached, function handles are cached per thread, and
// the "created" stream is the thread's current stream, kept alive.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"
#include "GpuSupport.h"

#include "multikernel/Runtime/MultiKernelGpu.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace multikernel::runtime;
using cuda::Driver;

namespace {

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

// Compiled GPU libraries call in from their static destructors (module
// unload), which run after this thread's thread_local objects with
// destructors are destroyed; so the per-thread error state is trivially
// destructible: a counter and a fixed buffer (long messages are truncated).
thread_local uint64_t threadErrorCount = 0;
thread_local char threadLastError[1024] = "";

void setLastError(const std::string &message) {
  std::snprintf(threadLastError, sizeof(threadLastError), "%s",
                message.c_str());
}

void recordError(const std::string &message) {
  ++threadErrorCount;
  std::fprintf(stderr, "multikernel: %s\n", message.c_str());
  setLastError(message);
}

/// The driver, or nullptr after recording why `call` cannot run. The
/// "unavailable" message is printed once per process, recorded every time.
const Driver *driverFor(const char *call) {
  if (const Driver *driver = cuda::driver())
    return driver;
  static std::atomic<bool> printed{false};
  ++threadErrorCount;
  setLastError(std::string(call) + ": " + cuda::loadError());
  if (!printed.exchange(true))
    std::fprintf(stderr, "multikernel: %s\n", threadLastError);
  return nullptr;
}

/// Records a failed driver call; returns true when `result` is a failure.
bool failed(CUresult result, const char *call, const std::string &detail = "") {
  if (result == CUDA_SUCCESS)
    return false;
  std::string message =
      std::string(call) + " failed: " + cuda::describe(result);
  if (!detail.empty())
    message += " (" + detail + ")";
  recordError(std::move(message));
  return true;
}

//===----------------------------------------------------------------------===//
// Context and streams
//===----------------------------------------------------------------------===//

std::atomic<int32_t> defaultDevice{0};

/// The context current on this thread, made current first if there is
/// none: the primary context of the default device. A caller with a
/// context of its own (PyTorch, whose current device sets the primary
/// context of that device current) keeps it: the call runs on that device.
/// Queried on every use (a thread-local read in the driver) because the
/// caller may change devices between calls. nullptr after recording why.
CUcontext currentContext(const Driver &driver) {
  CUcontext current = nullptr;
  if (failed(driver.cuCtxGetCurrent(&current), "cuCtxGetCurrent"))
    return nullptr;
  if (current)
    return current;
  int32_t device = defaultDevice.load();
  static std::mutex mutex;
  static std::map<int32_t, CUcontext> primaries;
  CUcontext primary = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex);
    CUcontext &slot = primaries[device];
    if (!slot) {
      CUdevice handle;
      CUresult result = driver.cuDeviceGet(&handle, device);
      if (result == CUDA_SUCCESS)
        result = driver.cuDevicePrimaryCtxRetain(&slot, handle);
      if (failed(result, "cuDevicePrimaryCtxRetain",
                 "device " + std::to_string(device))) {
        slot = nullptr;
        return nullptr;
      }
    }
    primary = slot;
  }
  if (failed(driver.cuCtxSetCurrent(primary), "cuCtxSetCurrent"))
    return nullptr;
  return primary;
}

bool ensureContext(const Driver &driver) {
  return currentContext(driver) != nullptr;
}

/// The runtime's own streams of a thread, one per context it ran in. Fixed
/// storage, trivially destructible (see the errors above); a thread that
/// uses more contexts than this must set its streams itself.
constexpr int kMaxThreadContexts = 16;
struct ThreadStream {
  bool callerSet = false;
  CUstream caller = nullptr;
  struct Own {
    CUcontext context;
    CUstream stream;
  } own[kMaxThreadContexts];
  int ownCount = 0;
};
thread_local ThreadStream threadStream;

/// This thread's current stream: the caller's, else the thread's own stream
/// of the current context (created on first use there, kept).
CUstream currentStream(const Driver &driver) {
  if (threadStream.callerSet)
    return threadStream.caller;
  CUcontext context = currentContext(driver);
  if (!context)
    return nullptr;
  for (int i = 0; i < threadStream.ownCount; ++i)
    if (threadStream.own[i].context == context)
      return threadStream.own[i].stream;
  if (threadStream.ownCount == kMaxThreadContexts) {
    recordError("this thread has used " + std::to_string(kMaxThreadContexts) +
                " CUDA contexts; set a stream (mkrtGpuSetStream) to use more");
    return nullptr;
  }
  CUstream stream = nullptr;
  if (failed(driver.cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
             "cuStreamCreate"))
    return nullptr;
  threadStream.own[threadStream.ownCount++] = {context, stream};
  return stream;
}

//===----------------------------------------------------------------------===//
// Modules and functions
//===----------------------------------------------------------------------===//

/// What mgpuModuleLoad returns: an image and its modules, one per context
/// it has run in (a CUmodule and its functions belong to one context). The
/// context current at load gets its module at once; others on their first
/// launch, so that a library called on cuda:0 and then cuda:1 launches each
/// device's own functions.
struct LoadedImage {
  const void *image;
  bool jit;
  int optLevel;
  int references;
  std::vector<std::pair<CUcontext, CUmodule>> modules;
};

struct ModuleCache {
  std::mutex mutex;
  std::map<const void *, LoadedImage *> byImage;
  std::map<std::tuple<const LoadedImage *, CUcontext, std::string>, CUfunction>
      functions;
  /// Bumped by every unload: per-thread caches of function handles drop
  /// entries of an older generation (a new image may reuse the address).
  std::atomic<uint64_t> generation{0};
};

ModuleCache &modules() {
  static ModuleCache *cache = new ModuleCache();
  return *cache;
}

/// `loaded`'s module in `context`, loaded there now if it is not yet;
/// nullptr after recording why. Under the cache's mutex.
CUmodule moduleIn(const Driver &driver, LoadedImage &loaded,
                  CUcontext context) {
  for (const auto &[owner, module] : loaded.modules)
    if (owner == context)
      return module;
  CUmodule module = nullptr;
  CUresult result;
  if (loaded.jit) {
    CUjit_option options[] = {CU_JIT_OPTIMIZATION_LEVEL};
    void *values[] = {
        reinterpret_cast<void *>(static_cast<intptr_t>(loaded.optLevel))};
    result =
        driver.cuModuleLoadDataEx(&module, loaded.image, 1, options, values);
  } else {
    result = driver.cuModuleLoadData(&module, loaded.image);
  }
  if (failed(result, loaded.jit ? "cuModuleLoadDataEx" : "cuModuleLoadData",
             loaded.jit ? "JIT-compiling the embedded PTX"
                        : "loading the cubin"))
    return nullptr;
  loaded.modules.emplace_back(context, module);
  return module;
}

LoadedImage *loadModule(const char *call, const void *image, bool jit,
                        int optLevel) {
  const Driver *driver = driverFor(call);
  if (!driver)
    return nullptr;
  CUcontext context = currentContext(*driver);
  if (!context)
    return nullptr;
  ModuleCache &cache = modules();
  std::lock_guard<std::mutex> lock(cache.mutex);
  LoadedImage *&loaded = cache.byImage[image];
  bool created = !loaded;
  if (created)
    loaded = new LoadedImage{image, jit, optLevel, 0, {}};
  if (!moduleIn(*driver, *loaded, context)) {
    if (created) {
      delete loaded;
      cache.byImage.erase(image);
    }
    return nullptr;
  }
  ++loaded->references;
  return loaded;
}

} // namespace

//===----------------------------------------------------------------------===//
// Control API
//===----------------------------------------------------------------------===//

extern "C" int32_t mkrtGpuIsAvailable(void) {
  if (cuda::driver())
    return 1;
  setLastError(cuda::loadError());
  return 0;
}

extern "C" const char *mkrtGpuGetLastError(void) { return threadLastError; }

extern "C" void mkrtGpuSetStream(void *stream) {
  threadStream.callerSet = true;
  threadStream.caller = static_cast<CUstream>(stream);
}

extern "C" void mkrtGpuUseOwnStream(void) { threadStream.callerSet = false; }

extern "C" void *mkrtGpuGetStream(void) {
  const Driver *driver = driverFor("mkrtGpuGetStream");
  return driver ? currentStream(*driver) : nullptr;
}

//===----------------------------------------------------------------------===//
// mgpu* entry points
//===----------------------------------------------------------------------===//

extern "C" void *mgpuModuleLoad(void *data, size_t /*gpuBlobSize*/) {
  return loadModule("mgpuModuleLoad", data, /*jit=*/false, 0);
}

extern "C" void *mgpuModuleLoadJIT(void *data, int optLevel) {
  return loadModule("mgpuModuleLoadJIT", data, /*jit=*/true, optLevel);
}

extern "C" void mgpuModuleUnload(void *module) {
  // A null module is one whose load failed (and was reported): nothing to do.
  if (!module)
    return;
  const Driver *driver = driverFor("mgpuModuleUnload");
  if (!driver)
    return;
  auto *loaded = static_cast<LoadedImage *>(module);
  ModuleCache &cache = modules();
  std::lock_guard<std::mutex> lock(cache.mutex);
  auto found = cache.byImage.find(loaded->image);
  if (found == cache.byImage.end() || found->second != loaded ||
      --loaded->references > 0)
    return;
  cache.byImage.erase(found);
  for (auto it = cache.functions.begin(); it != cache.functions.end();)
    it = std::get<0>(it->first) == loaded ? cache.functions.erase(it)
                                          : std::next(it);
  cache.generation.fetch_add(1);
  // Each module is unloaded in its own context. Libraries unload their
  // modules from static destructors; when the process is exiting the driver
  // may be shut down already, which is fine.
  CUcontext previous = nullptr;
  driver->cuCtxGetCurrent(&previous);
  constexpr CUresult kDeinitialized = static_cast<CUresult>(4);
  CUcontext current = previous;
  for (const auto &[context, handle] : loaded->modules) {
    if (context != current)
      driver->cuCtxSetCurrent(current = context);
    CUresult result = driver->cuModuleUnload(handle);
    if (result != kDeinitialized)
      failed(result, "cuModuleUnload");
  }
  if (current != previous)
    driver->cuCtxSetCurrent(previous);
  delete loaded;
}

extern "C" void *mgpuModuleGetFunction(void *module, const char *name) {
  const Driver *driver = driverFor("mgpuModuleGetFunction");
  if (!driver || !module || !name)
    return nullptr;
  CUcontext context = currentContext(*driver);
  if (!context)
    return nullptr;
  // Generated code passes the same constant name on every launch: a small
  // per-thread cache keyed by the pointers and the context answers without
  // a lock.
  struct Entry {
    void *module;
    const char *name;
    CUcontext context;
    uint64_t generation;
    void *function;
  };
  constexpr int kEntries = 16;
  thread_local Entry recent[kEntries] = {};
  thread_local int next = 0;
  ModuleCache &cache = modules();
  uint64_t generation = cache.generation.load(std::memory_order_acquire);
  for (const Entry &entry : recent)
    if (entry.module == module && entry.name == name &&
        entry.context == context && entry.generation == generation &&
        entry.function)
      return entry.function;

  auto *loaded = static_cast<LoadedImage *>(module);
  CUfunction function = nullptr;
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    auto key = std::make_tuple(static_cast<const LoadedImage *>(loaded),
                               context, std::string(name));
    auto found = cache.functions.find(key);
    if (found != cache.functions.end()) {
      function = found->second;
    } else {
      CUmodule handle = moduleIn(*driver, *loaded, context);
      if (!handle ||
          failed(driver->cuModuleGetFunction(&function, handle, name),
                 "cuModuleGetFunction", std::string("kernel '") + name + "'"))
        return nullptr;
      cache.functions[key] = function;
    }
  }
  recent[next] = Entry{module, name, context, generation, function};
  next = (next + 1) % kEntries;
  return function;
}

extern "C" void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                                 intptr_t gridZ, intptr_t blockX,
                                 intptr_t blockY, intptr_t blockZ, int32_t smem,
                                 void *stream, void **params, void **extra,
                                 size_t /*paramsCount*/) {
  // An empty grid is a kernel over zero elements: nothing to do (the driver
  // would reject it as an invalid value).
  if (gridX <= 0 || gridY <= 0 || gridZ <= 0 || blockX <= 0 || blockY <= 0 ||
      blockZ <= 0)
    return;
  // The function was looked up in the current context
  // (mgpuModuleGetFunction), which made one current: no query here.
  const Driver *driver = driverFor("mgpuLaunchKernel");
  if (!driver)
    return;
  if (!function) {
    recordError("mgpuLaunchKernel: no kernel function (its lookup failed)");
    return;
  }
  CUresult result = driver->cuLaunchKernel(
      static_cast<CUfunction>(function), gridX, gridY, gridZ, blockX, blockY,
      blockZ, smem, static_cast<CUstream>(stream), params, extra);
  if (result != CUDA_SUCCESS)
    failed(result, "cuLaunchKernel",
           "grid " + std::to_string(gridX) + "x" + std::to_string(gridY) + "x" +
               std::to_string(gridZ) + ", block " + std::to_string(blockX) +
               "x" + std::to_string(blockY) + "x" + std::to_string(blockZ) +
               ", " + std::to_string(smem) + " bytes of shared memory");
}

extern "C" void *mgpuStreamCreate(void) {
  const Driver *driver = driverFor("mgpuStreamCreate");
  return driver ? currentStream(*driver) : nullptr;
}

extern "C" void mgpuStreamDestroy(void * /*stream*/) {
  // The stream came from mgpuStreamCreate: it is the thread's current
  // stream, which outlives the launch.
}

extern "C" void mgpuStreamSynchronize(void *stream) {
  // A caller that handed us its stream (PyTorch's current stream) orders
  // work on it and synchronizes itself, as with any of its kernels: the
  // launch stays asynchronous. The runtime's own stream keeps the blocking
  // semantics of MLIR's host code.
  if (threadStream.callerSet && stream == threadStream.caller)
    return;
  if (const Driver *driver = driverFor("mgpuStreamSynchronize"))
    failed(driver->cuStreamSynchronize(static_cast<CUstream>(stream)),
           "cuStreamSynchronize");
}

extern "C" void mgpuStreamWaitEvent(void *stream, void *event) {
  if (const Driver *driver = driverFor("mgpuStreamWaitEvent"))
    failed(driver->cuStreamWaitEvent(static_cast<CUstream>(stream),
                                     static_cast<CUevent>(event), 0),
           "cuStreamWaitEvent");
}

extern "C" void *mgpuEventCreate(void) {
  const Driver *driver = driverFor("mgpuEventCreate");
  if (!driver || !ensureContext(*driver))
    return nullptr;
  CUevent event = nullptr;
  if (failed(driver->cuEventCreate(&event, CU_EVENT_DISABLE_TIMING),
             "cuEventCreate"))
    return nullptr;
  return event;
}

extern "C" void mgpuEventDestroy(void *event) {
  if (const Driver *driver = driverFor("mgpuEventDestroy"))
    failed(driver->cuEventDestroy(static_cast<CUevent>(event)),
           "cuEventDestroy");
}

extern "C" void mgpuEventSynchronize(void *event) {
  if (const Driver *driver = driverFor("mgpuEventSynchronize"))
    failed(driver->cuEventSynchronize(static_cast<CUevent>(event)),
           "cuEventSynchronize");
}

extern "C" void mgpuEventRecord(void *event, void *stream) {
  if (const Driver *driver = driverFor("mgpuEventRecord"))
    failed(driver->cuEventRecord(static_cast<CUevent>(event),
                                 static_cast<CUstream>(stream)),
           "cuEventRecord");
}

namespace {

/// Buffers of generated code (the partials of a split reduction, the
/// intermediates between dispatch sites, the results it returns), allocated
/// on the stream of the call and freed with the stream they were used on
/// (intermediates and partials by the call, results by their owner). A freed
/// buffer is kept for the next allocation on the same stream: work on one
/// stream runs in order, so the next user of the buffer cannot start before the
/// last one ended, and a cache hit costs no driver call (cuMemAlloc/cuMemFree
/// synchronize; a first version that allocated in stream order from the
/// driver's default pool measured 100-400 us per call on the H100, on PyTorch's
/// default stream). Buffers are never shared between streams; the null stream
/// (the legacy default stream, which PyTorch's default current stream is) is a
/// stream like the others. While a stream is being captured into a CUDA graph,
/// allocations are stream-ordered (the graph records them) and bypass the
/// cache.
struct ScratchCache {
  static constexpr size_t kMaxPerStream = 16;
  /// A stream of a context: the null stream is one per context, and a
  /// buffer belongs to the device of the context it was allocated in.
  using StreamKey = std::pair<CUcontext, CUstream>;
  struct Block {
    size_t bytes;
    CUcontext context;
  };
  std::mutex mutex;
  std::map<StreamKey, std::vector<std::pair<size_t, CUdeviceptr>>> free;
  std::map<CUdeviceptr, Block> sizes;  // of the cached buffers handed out
  std::set<CUdeviceptr> streamOrdered; // handed out while capturing
  MkrtGpuMemoryStats stats{};          // under `mutex`; cached* on request

  void recordDriverAllocation(uint64_t bytes) {
    ++stats.driverAllocations;
    stats.driverAllocatedBytes += static_cast<int64_t>(bytes);
  }
};

bool isCapturing(const Driver &driver, CUstream stream) {
  CUstreamCaptureStatus status = CU_STREAM_CAPTURE_STATUS_NONE;
  return driver.cuStreamIsCapturing(stream, &status) == CUDA_SUCCESS &&
         status != CU_STREAM_CAPTURE_STATUS_NONE;
}

ScratchCache &scratchCache() {
  static ScratchCache *cache = new ScratchCache();
  return *cache;
}

} // namespace

extern "C" void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                              bool isHostShared) {
  // An empty buffer (a result with a zero size) is no memory, as in MLIR's
  // wrappers: the driver refuses zero bytes, and mgpuMemFree ignores null.
  if (sizeBytes == 0)
    return nullptr;
  const Driver *driver = driverFor("mgpuMemAlloc");
  if (!driver)
    return nullptr;
  CUcontext context = currentContext(*driver);
  if (!context)
    return nullptr;
  ScratchCache &cache = scratchCache();
  CUdeviceptr pointer = 0;
  // A graph being captured keeps the pointers it records: never hand it a
  // cached buffer, which later calls would reuse while the graph replays.
  if (!isHostShared && driver->cuMemAllocAsync &&
      isCapturing(*driver, static_cast<CUstream>(stream))) {
    if (failed(driver->cuMemAllocAsync(&pointer, sizeBytes,
                                       static_cast<CUstream>(stream)),
               "cuMemAllocAsync", std::to_string(sizeBytes) + " bytes"))
      return nullptr;
    std::lock_guard<std::mutex> lock(cache.mutex);
    cache.streamOrdered.insert(pointer);
    cache.recordDriverAllocation(sizeBytes);
    return reinterpret_cast<void *>(pointer);
  }
  if (!isHostShared) {
    std::lock_guard<std::mutex> lock(cache.mutex);
    auto &blocks = cache.free[{context, static_cast<CUstream>(stream)}];
    auto best = blocks.end();
    // The smallest that fits, if the request is at least half of it: a
    // result the caller keeps must not pin a much larger buffer.
    for (auto it = blocks.begin(); it != blocks.end(); ++it)
      if (it->first >= sizeBytes && it->first / 2 <= sizeBytes &&
          (best == blocks.end() || it->first < best->first))
        best = it;
    if (best != blocks.end()) {
      CUdeviceptr pointer = best->second;
      cache.sizes[pointer] = {best->first, context};
      blocks.erase(best);
      ++cache.stats.poolHits;
      return reinterpret_cast<void *>(pointer);
    }
  }
  CUresult result =
      isHostShared
          ? driver->cuMemAllocManaged(&pointer, sizeBytes, CU_MEM_ATTACH_GLOBAL)
          : driver->cuMemAlloc(&pointer, sizeBytes);
  if (failed(result, isHostShared ? "cuMemAllocManaged" : "cuMemAlloc",
             std::to_string(sizeBytes) + " bytes"))
    return nullptr;
  std::lock_guard<std::mutex> lock(cache.mutex);
  cache.recordDriverAllocation(sizeBytes);
  if (!isHostShared)
    cache.sizes[pointer] = {sizeBytes, context};
  return reinterpret_cast<void *>(pointer);
}

extern "C" void mgpuMemFree(void *pointer, void *stream) {
  const Driver *driver = driverFor("mgpuMemFree");
  if (!driver || !pointer)
    return;
  auto devicePointer = reinterpret_cast<CUdeviceptr>(pointer);
  ScratchCache &cache = scratchCache();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.streamOrdered.erase(devicePointer)) {
      ++cache.stats.driverFrees;
      failed(
          driver->cuMemFreeAsync(devicePointer, static_cast<CUstream>(stream)),
          "cuMemFreeAsync");
      return;
    }
    auto size = cache.sizes.find(devicePointer);
    if (size != cache.sizes.end()) {
      // Back to the pool of its own context's stream, whichever context is
      // current here (a result freed while another device is current).
      auto [bytes, context] = size->second;
      cache.sizes.erase(size);
      auto &blocks = cache.free[{context, static_cast<CUstream>(stream)}];
      blocks.emplace_back(bytes, devicePointer);
      if (blocks.size() <= ScratchCache::kMaxPerStream)
        return;
      // Full: the buffer freed longest ago goes, not this one. The next call
      // of the shape now running asks for this one again; a pool that kept
      // its first buffers would serve no later shape (an MLP's warm calls
      // took four buffers from the driver each, and cuMemFree synchronizes).
      devicePointer = blocks.front().second;
      blocks.erase(blocks.begin());
    }
    ++cache.stats.driverFrees;
  }
  failed(driver->cuMemFree(devicePointer), "cuMemFree");
}

extern "C" void mkrtGpuGetMemoryStats(MkrtGpuMemoryStats *stats) {
  if (!stats)
    return;
  ScratchCache &cache = scratchCache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  *stats = cache.stats;
  stats->cachedBuffers = stats->cachedBytes = 0;
  for (const auto &stream : cache.free)
    for (const auto &block : stream.second) {
      ++stats->cachedBuffers;
      stats->cachedBytes += static_cast<int64_t>(block.first);
    }
}

extern "C" void mgpuMemcpy(void *destination, void *source, size_t sizeBytes,
                           void *stream) {
  if (const Driver *driver = driverFor("mgpuMemcpy"))
    failed(driver->cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(destination),
                                 reinterpret_cast<CUdeviceptr>(source),
                                 sizeBytes, static_cast<CUstream>(stream)),
           "cuMemcpyAsync");
}

extern "C" void mgpuMemset32(void *destination, unsigned int value,
                             size_t count, void *stream) {
  if (const Driver *driver = driverFor("mgpuMemset32"))
    failed(driver->cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(destination),
                                    value, count,
                                    static_cast<CUstream>(stream)),
           "cuMemsetD32Async");
}

extern "C" void mgpuMemset16(void *destination, unsigned short value,
                             size_t count, void *stream) {
  if (const Driver *driver = driverFor("mgpuMemset16"))
    failed(driver->cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(destination),
                                    value, count,
                                    static_cast<CUstream>(stream)),
           "cuMemsetD16Async");
}

extern "C" void mgpuSetDefaultDevice(int32_t device) {
  defaultDevice.store(device);
}

//===----------------------------------------------------------------------===//
// GpuSupport.h
//===----------------------------------------------------------------------===//

namespace multikernel::runtime::gpu {

uint64_t errorCount() { return threadErrorCount; }

void recordError(const std::string &message, bool print) {
  if (print) {
    ::recordError(message);
    return;
  }
  ++threadErrorCount;
  setLastError(message);
}

bool currentStreamFor(const char *call, void **stream, void **context) {
  const Driver *driver = driverFor(call);
  if (!driver || !ensureContext(*driver))
    return false;
  uint64_t errorsBefore = threadErrorCount;
  CUstream current = currentStream(*driver);
  CUcontext currentContext = nullptr;
  if (threadErrorCount != errorsBefore ||
      failed(driver->cuCtxGetCurrent(&currentContext), "cuCtxGetCurrent"))
    return false;
  *stream = current;
  *context = currentContext;
  return true;
}

bool currentStreamIsCapturing() {
  const Driver *driver = cuda::driver();
  if (!driver)
    return false;
  CUstreamCaptureStatus status = CU_STREAM_CAPTURE_STATUS_NONE;
  CUstream stream = currentStream(*driver);
  if (failed(driver->cuStreamIsCapturing(stream, &status),
             "cuStreamIsCapturing"))
    return false;
  return status != CU_STREAM_CAPTURE_STATUS_NONE;
}

EventTimer::EventTimer(size_t bytes) {
  const Driver *driver = driverFor("EventTimer");
  if (!driver || !ensureContext(*driver))
    return;
  // Optional: without it the timings include the launch latency, so an
  // allocation failure is not an error.
  CUdeviceptr buffer = 0;
  if (bytes >= sizeof(uint32_t) &&
      driver->cuMemAlloc(&buffer, bytes) == CUDA_SUCCESS) {
    leadIn = reinterpret_cast<void *>(buffer);
    leadInBytes = bytes;
  }
  CUevent start = nullptr, stop = nullptr;
  if (failed(driver->cuEventCreate(&start, CU_EVENT_DEFAULT), "cuEventCreate"))
    return;
  if (failed(driver->cuEventCreate(&stop, CU_EVENT_DEFAULT), "cuEventCreate")) {
    driver->cuEventDestroy(start);
    return;
  }
  startEvent = start;
  stopEvent = stop;
}

EventTimer::~EventTimer() {
  const Driver *driver = cuda::driver();
  if (!driver)
    return;
  if (startEvent)
    driver->cuEventDestroy(static_cast<CUevent>(startEvent));
  if (stopEvent)
    driver->cuEventDestroy(static_cast<CUevent>(stopEvent));
  if (leadIn)
    driver->cuMemFree(reinterpret_cast<CUdeviceptr>(leadIn));
}

void EventTimer::start() {
  const Driver *driver = cuda::driver();
  if (leadIn &&
      driver->cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(leadIn), 0,
                               leadInBytes / sizeof(uint32_t),
                               currentStream(*driver)) != CUDA_SUCCESS) {
    driver->cuMemFree(reinterpret_cast<CUdeviceptr>(leadIn));
    leadIn = nullptr;
  }
  failed(driver->cuEventRecord(static_cast<CUevent>(startEvent),
                               currentStream(*driver)),
         "cuEventRecord");
}

double EventTimer::stop() {
  const Driver *driver = cuda::driver();
  if (failed(driver->cuEventRecord(static_cast<CUevent>(stopEvent),
                                   currentStream(*driver)),
             "cuEventRecord") ||
      failed(driver->cuEventSynchronize(static_cast<CUevent>(stopEvent)),
             "cuEventSynchronize"))
    return -1;
  return elapsedNanos();
}

double EventTimer::elapsedNanos() const {
  float milliseconds = 0;
  if (failed(cuda::driver()->cuEventElapsedTime(
                 &milliseconds, static_cast<CUevent>(startEvent),
                 static_cast<CUevent>(stopEvent)),
             "cuEventElapsedTime"))
    return -1;
  return milliseconds * 1e6;
}

void EventTimer::recordStop() {
  const Driver *driver = cuda::driver();
  failed(driver->cuEventRecord(static_cast<CUevent>(stopEvent),
                               currentStream(*driver)),
         "cuEventRecord");
}

std::optional<double> EventTimer::poll() {
  const Driver *driver = cuda::driver();
  CUresult status = driver->cuEventQuery(static_cast<CUevent>(stopEvent));
  if (status == CUDA_ERROR_NOT_READY)
    return std::nullopt;
  if (failed(status, "cuEventQuery"))
    return -1.0;
  return elapsedNanos();
}

// Snapshots of written arguments outlive stream changes of the caller:
// plain allocations, not stream-ordered ones.
void *allocate(size_t bytes) {
  const Driver *driver = driverFor("snapshot allocation");
  if (!driver || !ensureContext(*driver))
    return nullptr;
  CUdeviceptr pointer = 0;
  if (failed(driver->cuMemAlloc(&pointer, bytes), "cuMemAlloc",
             std::to_string(bytes) + " bytes for a snapshot"))
    return nullptr;
  return reinterpret_cast<void *>(pointer);
}

void release(void *pointer) {
  if (const Driver *driver = driverFor("snapshot release"))
    failed(driver->cuMemFree(reinterpret_cast<CUdeviceptr>(pointer)),
           "cuMemFree");
}

bool copyOnCurrentStream(void *destination, const void *source, size_t bytes) {
  const Driver *driver = driverFor("snapshot copy");
  if (!driver)
    return false;
  return !failed(
      driver->cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(destination),
                            reinterpret_cast<CUdeviceptr>(source), bytes,
                            currentStream(*driver)),
      "cuMemcpyAsync", "snapshot of a written argument");
}

bool synchronizeCurrentStream() {
  const Driver *driver = driverFor("synchronize");
  return driver && !failed(driver->cuStreamSynchronize(currentStream(*driver)),
                           "cuStreamSynchronize");
}

namespace {
struct DeviceKinds {
  std::mutex mutex;
  std::map<CUcontext, int32_t> byContext;
  std::vector<std::string> names;
};
DeviceKinds &deviceKinds() {
  static DeviceKinds *kinds = new DeviceKinds();
  return *kinds;
}
} // namespace

int32_t currentDeviceKind() {
  const Driver *driver = cuda::driver();
  if (!driver)
    return -1;
  CUcontext context = currentContext(*driver);
  if (!context)
    return -1;
  // The context rarely changes between calls of a thread.
  thread_local CUcontext lastContext = nullptr;
  thread_local int32_t lastKind = -1;
  if (context == lastContext)
    return lastKind;
  DeviceKinds &kinds = deviceKinds();
  std::lock_guard<std::mutex> lock(kinds.mutex);
  auto found = kinds.byContext.find(context);
  int32_t kind = -1;
  if (found != kinds.byContext.end()) {
    kind = found->second;
  } else {
    CUdevice device;
    char name[256] = {};
    int major = 0, minor = 0, multiprocessors = 0;
    if (failed(driver->cuCtxGetDevice(&device), "cuCtxGetDevice") ||
        failed(driver->cuDeviceGetName(name, sizeof(name) - 1, device),
               "cuDeviceGetName") ||
        failed(
            driver->cuDeviceGetAttribute(
                &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
            "cuDeviceGetAttribute") ||
        failed(
            driver->cuDeviceGetAttribute(
                &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
            "cuDeviceGetAttribute") ||
        failed(driver->cuDeviceGetAttribute(
                   &multiprocessors, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
                   device),
               "cuDeviceGetAttribute"))
      return -1;
    std::string kindName = std::string("cuda:") + name + " (sm_" +
                           std::to_string(major * 10 + minor) + ", " +
                           std::to_string(multiprocessors) + " SMs)";
    auto same = std::find(kinds.names.begin(), kinds.names.end(), kindName);
    if (same != kinds.names.end()) {
      kind = static_cast<int32_t>(same - kinds.names.begin());
    } else if (static_cast<int32_t>(kinds.names.size()) < kMaxDeviceKinds) {
      kind = static_cast<int32_t>(kinds.names.size());
      kinds.names.push_back(kindName);
    } else {
      // More kinds of GPU than any machine has: the last shares decisions.
      kind = kMaxDeviceKinds - 1;
    }
    kinds.byContext[context] = kind;
  }
  lastContext = context;
  lastKind = kind;
  return kind;
}

std::string deviceKindName(int32_t kind) {
  if (kind < 0)
    return "cuda:unavailable";
  DeviceKinds &kinds = deviceKinds();
  std::lock_guard<std::mutex> lock(kinds.mutex);
  return kind < static_cast<int32_t>(kinds.names.size()) ? kinds.names[kind]
                                                         : "cuda:unknown";
}

} // namespace multikernel::runtime::gpu
