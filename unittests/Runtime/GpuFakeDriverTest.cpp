//===- GpuFakeDriverTest.cpp - the GPU half against a fake driver ---------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// The runtime opens MULTIKERNEL_CUDA_LIBRARY, here libFakeCudaDriver.so, so
// the launch path (module and function caching, stream reuse, empty grids,
// error reports, variant exclusion, timing with events, stream capture) runs
// on a machine without a GPU.
//
//===----------------------------------------------------------------------===//

#include "FakeCudaDriver.h"
#include "GpuSupport.h"
#include "TestSupport.h"

#include "multikernel/Runtime/MultiKernelGpu.h"

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <fstream>
#include <iterator>
#include <thread>
#include <unistd.h>

using namespace multikernel::testing;
using fakecuda::Counters;

namespace {

Counters &counters() {
  static Counters *result = [] {
    void *library = dlopen(MULTIKERNEL_FAKE_CUDA_LIBRARY, RTLD_NOW);
    auto fn = reinterpret_cast<fakecuda::CountersFn>(
        dlsym(library, "fakeCudaCounters"));
    return fn();
  }();
  return *result;
}

// Kernel "k<V>": writes 100 + V to the first element of the buffer in
// params[0] (host memory, for the fake driver), and takes its cost on the
// fake GPU clock.
constexpr int64_t kernelCost[3] = {200'000, 60'000, 120'000};
template <int V> void kernelBody(void **params) {
  float *out = *static_cast<float **>(params[0]);
  out[0] = 100.0f + V;
}

const fakecuda::FakeKernel kernels[] = {
    {"k0", kernelBody<0>, false, kernelCost[0]},
    {"k1", kernelBody<1>, false, kernelCost[1]},
    {"k2", kernelBody<2>, false, kernelCost[2]},
    {"broken", kernelBody<0>, true, kernelCost[0]},
};
const fakecuda::FakeImage image = {fakecuda::kImageMagic, 4, kernels};

void *module() {
  static void *loaded =
      mgpuModuleLoad(const_cast<fakecuda::FakeImage *>(&image), 0);
  return loaded;
}

/// A variant as gpu-to-llvm emits it: look up, "create" a stream, launch,
/// synchronize, "destroy" the stream.
template <const char *Kernel> void gpuVariant(void **args) {
  auto *out = static_cast<MemRef<1> *>(args[1]);
  void *function = mgpuModuleGetFunction(module(), Kernel);
  void *stream = mgpuStreamCreate();
  float *data = out->aligned;
  void *params[] = {&data};
  mgpuLaunchKernel(function, 4, 1, 1, 128, 1, 1, 0, stream, params, nullptr, 1);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}
constexpr char k0[] = "k0", k1[] = "k1", k2[] = "k2", broken[] = "broken";

class GpuFakeDriverTest : public ::testing::Test {
protected:
  void SetUp() override {
    mkrtReset();
    mkrtGpuUseOwnStream();
    ASSERT_EQ(mkrtSetPolicy("benchmark"), MKRT_SUCCESS);
    ASSERT_EQ(mkrtSetBenchmarkBudgetMs(3), MKRT_SUCCESS);
    ASSERT_EQ(mkrtGpuIsAvailable(), 1) << mkrtGpuGetLastError();
    counters().capturing = 0;
  }

  /// A CUDA site whose variants launch the given kernels.
  void makeSite(FakeSite &site, std::vector<MkrtVariantFn> fns) {
    variants = std::move(fns);
    site.desc.variants = variants.data();
    written = {{1, 1, sizeof(float), MKRT_MEMORY_CUDA_DEVICE}};
    site.desc.written = written.data();
  }

  int32_t run(FakeSite &site, int64_t key, std::vector<float> &out) {
    MemRef<1> ref = memref1d(out);
    Scenario unused;
    void *args[3] = {&unused, &ref, &ref};
    return mkrtDispatch(&site.desc, &key, args);
  }

  std::vector<MkrtVariantFn> variants;
  std::vector<MkrtWrittenArg> written;
};

TEST_F(GpuFakeDriverTest, TimesWithEventsAndPicksTheFastest) {
  FakeSite site("gpu-fastest", {{8}, {64}, {512}}, 3, MKRT_TARGET_CUDA);
  makeSite(site, {gpuVariant<k0>, gpuVariant<k1>, gpuVariant<k2>});
  std::vector<float> out(4, 0.0f);
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  MkrtDecision decision;
  ASSERT_EQ(mkrtGetSiteDecisions(site.index(), &decision, 1), 1);
  EXPECT_EQ(decision.variant, 1);
  // Event timings, in nanoseconds, near the kernels' costs.
  EXPECT_GT(decision.variantNanos[0], 150'000);
  EXPECT_LT(decision.variantNanos[1], decision.variantNanos[2]);
}

// The amortized policy: each call of a new shape runs one variant, timed
// by events it reads on a later call (never waiting for them); once the
// fastest has three samples (k0 and k2, over 1.5x k1's time, stop after
// two) it is cached. No snapshots, no synchronization, no lead-in.
TEST_F(GpuFakeDriverTest, AmortizedPolicyTimesOneVariantPerCall) {
  ASSERT_EQ(mkrtSetPolicy("amortized"), MKRT_SUCCESS);
  FakeSite site("gpu-amortized", {{8}, {64}, {512}}, 3, MKRT_TARGET_CUDA);
  makeSite(site, {gpuVariant<k0>, gpuVariant<k1>, gpuVariant<k2>});
  std::vector<float> out(4, 0.0f);
  int launches = counters().launches, memsets = counters().memsets;
  int allocs = counters().allocs;
  // The first call's events are not done when the second call looks.
  counters().eventsNotReady = 1;
  for (int call = 0; call < 7; ++call) {
    ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
    EXPECT_EQ(counters().launches - launches, call + 1) << "call " << call;
  }
  EXPECT_EQ(counters().memsets, memsets);
  EXPECT_EQ(counters().allocs, allocs);
  EXPECT_EQ(site.stats().benchmarks, 0);
  // The eighth call reads the last events and decides.
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  MkrtSiteStats stats = site.stats();
  EXPECT_EQ(stats.benchmarks, 1);
  EXPECT_EQ(stats.misses, 8);
  MkrtDecision decision;
  ASSERT_EQ(mkrtGetSiteDecisions(site.index(), &decision, 1), 1);
  EXPECT_EQ(decision.variant, 1);
  EXPECT_LT(decision.variantNanos[1], decision.variantNanos[2]);
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  EXPECT_EQ(site.stats().hits, 1);
}

// Every timed run follows a lead-in memset (the GPU is then busy while the
// host launches the variant); the hit path issues none.
TEST_F(GpuFakeDriverTest, TimedRunsFollowALeadIn) {
  FakeSite site("gpu-lead-in", {{8}, {64}}, 2, MKRT_TARGET_CUDA);
  makeSite(site, {gpuVariant<k0>, gpuVariant<k1>});
  std::vector<float> out(4, 0.0f);
  int memsets = counters().memsets;
  int allocs = counters().allocs, frees = counters().frees;
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  // A warm-up and a first estimate per variant at least, all timed.
  EXPECT_GE(counters().memsets - memsets, 4);
  EXPECT_EQ(counters().lastMemsetWords, size_t(65536 / 4));
  // The buffer lives for one benchmark; the snapshot of the written
  // argument is the other allocation.
  EXPECT_EQ(counters().allocs - allocs, counters().frees - frees);
  MkrtDecision decision;
  ASSERT_EQ(mkrtGetSiteDecisions(site.index(), &decision, 1), 1);
  EXPECT_EQ(decision.variant, 1);
  memsets = counters().memsets;
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  EXPECT_EQ(counters().memsets, memsets);
}

TEST_F(GpuFakeDriverTest, HitPathReusesStreamsAndFunctionHandles) {
  FakeSite site("gpu-hits", {{8}, {64}}, 3, MKRT_TARGET_CUDA);
  makeSite(site, {gpuVariant<k1>, gpuVariant<k2>});
  std::vector<float> out(4, 0.0f);
  ASSERT_EQ(run(site, 7, out), MKRT_SUCCESS);
  Counters before = counters();
  for (int i = 0; i < 50; ++i)
    ASSERT_EQ(run(site, 7, out), MKRT_SUCCESS);
  Counters after = counters();
  EXPECT_EQ(after.launches - before.launches, 50);
  EXPECT_EQ(after.streamCreates, before.streamCreates);
  EXPECT_EQ(after.streamDestroys, before.streamDestroys);
  EXPECT_EQ(after.getFunctionCalls, before.getFunctionCalls);
  EXPECT_EQ(after.moduleLoads, 1);
  // The same image loaded again is the same module, loaded once.
  EXPECT_EQ(mgpuModuleLoad(const_cast<fakecuda::FakeImage *>(&image), 0),
            module());
  EXPECT_EQ(counters().moduleLoads, 1);
  mgpuModuleUnload(module()); // drops the extra reference only
  EXPECT_EQ(counters().moduleUnloads, 0);
}

TEST_F(GpuFakeDriverTest, CallerStreamIsUsed) {
  FakeSite site("gpu-stream", {{8}}, 3, MKRT_TARGET_CUDA);
  makeSite(site, {gpuVariant<k0>});
  void *callerStream = reinterpret_cast<void *>(0x5eed);
  mkrtGpuSetStream(callerStream);
  EXPECT_EQ(mkrtGpuGetStream(), callerStream);
  EXPECT_EQ(mgpuStreamCreate(), callerStream);
  std::vector<float> out(1);
  ASSERT_EQ(run(site, 1, out), MKRT_SUCCESS);
  EXPECT_EQ(counters().lastLaunchStream, callerStream);
  // On the caller's stream a hit launches without synchronizing.
  int syncs = counters().streamSyncs;
  ASSERT_EQ(run(site, 1, out), MKRT_SUCCESS);
  EXPECT_EQ(counters().streamSyncs, syncs);
  mkrtGpuUseOwnStream();
  EXPECT_NE(mkrtGpuGetStream(), callerStream);
  // On the runtime's own stream the call blocks.
  syncs = counters().streamSyncs;
  ASSERT_EQ(run(site, 1, out), MKRT_SUCCESS);
  EXPECT_EQ(counters().streamSyncs, syncs + 1);
}

// Scratch buffers of generated code, freed with the stream they were used
// on, are reused by the next allocation on that stream (no driver call,
// no synchronization), never by another stream; the smallest that fits.
TEST_F(GpuFakeDriverTest, ScratchBuffersAreReusedPerStream) {
  void *streamA = reinterpret_cast<void *>(0xa);
  void *streamB = reinterpret_cast<void *>(0xb);
  int allocs = counters().allocs, frees = counters().frees;
  void *small = mgpuMemAlloc(256, streamA, false);
  void *large = mgpuMemAlloc(4096, streamA, false);
  ASSERT_NE(small, nullptr);
  ASSERT_NE(large, nullptr);
  EXPECT_EQ(counters().allocs, allocs + 2);
  mgpuMemFree(large, streamA);
  mgpuMemFree(small, streamA);
  EXPECT_EQ(counters().frees, frees);
  // Same stream: the smallest free buffer that fits, no driver call.
  EXPECT_EQ(mgpuMemAlloc(128, streamA, false), small);
  EXPECT_EQ(mgpuMemAlloc(2048, streamA, false), large);
  EXPECT_EQ(counters().allocs, allocs + 2);
  // A request for less than half of every free buffer gets a new one (a
  // result its caller keeps must not pin a larger buffer).
  mgpuMemFree(large, streamA);
  void *quarter = mgpuMemAlloc(1024, streamA, false);
  EXPECT_NE(quarter, large);
  EXPECT_EQ(counters().allocs, allocs + 3);
  mgpuMemFree(quarter, streamA);
  EXPECT_EQ(mgpuMemAlloc(4096, streamA, false), large);
  allocs += 1;
  // Another stream gets its own buffer.
  mgpuMemFree(small, streamA);
  void *other = mgpuMemAlloc(128, streamB, false);
  EXPECT_NE(other, small);
  EXPECT_EQ(counters().allocs, allocs + 3);
  // The null stream (the legacy default stream, PyTorch's default current
  // stream) is cached like any other.
  void *onDefault = mgpuMemAlloc(64, nullptr, false);
  mgpuMemFree(onDefault, nullptr);
  EXPECT_EQ(mgpuMemAlloc(64, nullptr, false), onDefault);
  EXPECT_EQ(counters().allocs, allocs + 4);
  EXPECT_EQ(counters().frees, frees);
  mgpuMemFree(onDefault, nullptr);
  mgpuMemFree(other, streamB);
  mgpuMemFree(large, streamA);
}

// The pool's statistics count what the driver saw: allocations, frees, and
// the allocations the pool served without it; what it holds is counted when
// asked.
TEST_F(GpuFakeDriverTest, MemoryStatsCountDriverCallsAndPoolHits) {
  void *stream = reinterpret_cast<void *>(0xc);
  MkrtGpuMemoryStats before, after;
  mkrtGpuGetMemoryStats(&before);
  int allocs = counters().allocs;
  void *buffer = mgpuMemAlloc(1000, stream, false);
  ASSERT_NE(buffer, nullptr);
  mgpuMemFree(buffer, stream);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(mgpuMemAlloc(900, stream, false), buffer);
    mgpuMemFree(buffer, stream);
  }
  mkrtGpuGetMemoryStats(&after);
  EXPECT_EQ(after.driverAllocations - before.driverAllocations, 1);
  EXPECT_EQ(after.driverAllocations - before.driverAllocations,
            counters().allocs - allocs);
  EXPECT_EQ(after.driverAllocatedBytes - before.driverAllocatedBytes, 1000);
  EXPECT_EQ(after.poolHits - before.poolHits, 5);
  EXPECT_EQ(after.driverFrees, before.driverFrees);
  EXPECT_EQ(after.cachedBuffers - before.cachedBuffers, 1);
  EXPECT_EQ(after.cachedBytes - before.cachedBytes, 1000);
  // A buffer the pool does not know goes back to the driver.
  int frees = counters().frees;
  mgpuMemFree(mgpuMemAlloc(64, nullptr, true), nullptr);
  mkrtGpuGetMemoryStats(&after);
  EXPECT_EQ(after.driverFrees - before.driverFrees, counters().frees - frees);
  EXPECT_EQ(after.driverFrees - before.driverFrees, 1);
  mkrtGpuGetMemoryStats(nullptr); // ignored
}

// A full pool keeps the buffers freed last: after earlier shapes filled it,
// the buffers of the shape now running are reused from its second call on.
TEST_F(GpuFakeDriverTest, FullPoolKeepsTheBuffersFreedLast) {
  void *stream = reinterpret_cast<void *>(0xd);
  std::vector<void *> earlier;
  for (int i = 0; i < 40; ++i)
    earlier.push_back(mgpuMemAlloc(64, stream, false));
  for (void *buffer : earlier)
    mgpuMemFree(buffer, stream);
  int allocs = counters().allocs, frees = counters().frees;
  void *first = mgpuMemAlloc(1 << 20, stream, false);
  void *second = mgpuMemAlloc(1 << 19, stream, false);
  mgpuMemFree(first, stream);
  mgpuMemFree(second, stream);
  EXPECT_EQ(counters().allocs, allocs + 2);
  // Two of the 64-byte buffers went back to the driver to make room.
  EXPECT_EQ(counters().frees, frees + 2);
  for (int call = 0; call < 3; ++call) {
    EXPECT_EQ(mgpuMemAlloc(1 << 20, stream, false), first);
    EXPECT_EQ(mgpuMemAlloc(1 << 19, stream, false), second);
    mgpuMemFree(first, stream);
    mgpuMemFree(second, stream);
  }
  EXPECT_EQ(counters().allocs, allocs + 2);
  EXPECT_EQ(counters().frees, frees + 2);
}

// An empty buffer (a result with a zero size) is no memory, as in MLIR's
// wrappers (the driver refuses zero bytes), and freeing it does nothing.
TEST_F(GpuFakeDriverTest, EmptyBuffersAreNull) {
  int allocs = counters().allocs, frees = counters().frees;
  EXPECT_EQ(mgpuMemAlloc(0, nullptr, false), nullptr);
  mgpuMemFree(nullptr, nullptr);
  EXPECT_EQ(counters().allocs, allocs);
  EXPECT_EQ(counters().frees, frees);
}

// While a stream is captured into a CUDA graph, cuMemAlloc is not allowed
// and cached buffers must not be recorded: scratch buffers are allocated in
// stream order (recorded by the graph) and freed the same way, not cached.
TEST_F(GpuFakeDriverTest, ScratchBuffersWhileCapturing) {
  void *captured = reinterpret_cast<void *>(0xc);
  // A buffer cached for the stream before the capture is not handed to the
  // graph, which would keep using it while later calls reuse it.
  void *cached = mgpuMemAlloc(512, captured, false);
  mgpuMemFree(cached, captured);
  int allocs = counters().allocs, asyncAllocs = counters().asyncAllocs;
  int asyncFrees = counters().asyncFrees;
  counters().capturing = 1;
  void *scratch = mgpuMemAlloc(512, captured, false);
  ASSERT_NE(scratch, nullptr);
  EXPECT_NE(scratch, cached);
  EXPECT_EQ(counters().asyncAllocs, asyncAllocs + 1);
  EXPECT_EQ(counters().allocs, allocs);
  mgpuMemFree(scratch, captured);
  EXPECT_EQ(counters().asyncFrees, asyncFrees + 1);
  counters().capturing = 0;
}

TEST_F(GpuFakeDriverTest, EmptyGridsAreSkipped) {
  int launches = counters().launches;
  void *function = mgpuModuleGetFunction(module(), "k0");
  mgpuLaunchKernel(function, 0, 1, 1, 128, 1, 1, 0, mgpuStreamCreate(), nullptr,
                   nullptr, 0);
  mgpuLaunchKernel(function, 4, 1, 1, 0, 1, 1, 0, mgpuStreamCreate(), nullptr,
                   nullptr, 0);
  EXPECT_EQ(counters().launches, launches);
  EXPECT_STREQ(mkrtGpuGetLastError(), "");
}

TEST_F(GpuFakeDriverTest, FailingVariantIsExcludedAndReported) {
  FakeSite site("gpu-failing", {{8}, {64}, {512}}, 3, MKRT_TARGET_CUDA);
  makeSite(site, {gpuVariant<k0>, gpuVariant<broken>, gpuVariant<k2>});
  std::vector<float> out(4, 0.0f);
  ::testing::internal::CaptureStderr();
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("cuLaunchKernel failed: "
                     "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: too many resources "
                     "requested for launch (grid 4x1x1, block 128x1x1"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("site 'gpu-failing': variant 1 excluded"),
            std::string::npos)
      << err;
  EXPECT_EQ(out[0], 102.0f); // k2 beats k0
  MkrtSiteStats stats = site.stats();
  EXPECT_EQ(stats.excludedVariants, 0b010u);
  // Nearest hint for a new key skips the excluded variant too.
  ASSERT_EQ(mkrtSetPolicy("nearest-hint"), MKRT_SUCCESS);
  ASSERT_EQ(run(site, 64, out), MKRT_SUCCESS);
  EXPECT_NE(out[0], 101.0f);
}

TEST_F(GpuFakeDriverTest, LookupOfAMissingKernelNamesIt) {
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(mgpuModuleGetFunction(module(), "no_such_kernel"), nullptr);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(std::string(mkrtGpuGetLastError())
                .find("cuModuleGetFunction failed: CUDA_ERROR_NOT_FOUND "
                      "(kernel 'no_such_kernel')"),
            std::string::npos)
      << mkrtGpuGetLastError();
}

TEST_F(GpuFakeDriverTest, NoBenchmarkWhileCapturing) {
  FakeSite site("gpu-capture", {{8}, {64}}, 3, MKRT_TARGET_CUDA);
  makeSite(site, {gpuVariant<k0>, gpuVariant<k1>});
  std::vector<float> out(1);
  counters().capturing = 1; // CU_STREAM_CAPTURE_STATUS_ACTIVE
  int launches = counters().launches;
  ASSERT_EQ(run(site, 10, out), MKRT_SUCCESS);
  EXPECT_EQ(counters().launches - launches, 1);
  EXPECT_EQ(out[0], 100.0f); // nearest hint of 10 is 8
  MkrtSiteStats stats = site.stats();
  EXPECT_EQ(stats.benchmarks, 0);
  EXPECT_EQ(stats.cachedKeys, 0);
  // Once capture ends, the key is decided properly.
  counters().capturing = 0;
  ASSERT_EQ(run(site, 10, out), MKRT_SUCCESS);
  EXPECT_EQ(site.stats().benchmarks, 1);
  EXPECT_EQ(out[0], 101.0f);
  // A new key captured now runs what the nearest decided key (10) chose,
  // k1, not its nearest hint's k0 (hint 8): the graph records the variant
  // measured on a similar shape.
  counters().capturing = 1;
  launches = counters().launches;
  ASSERT_EQ(run(site, 9, out), MKRT_SUCCESS);
  EXPECT_EQ(counters().launches - launches, 1);
  EXPECT_EQ(out[0], 101.0f);
  EXPECT_EQ(site.stats().cachedKeys, 1);
  counters().capturing = 0;
}

TEST_F(GpuFakeDriverTest, DeviceName) {
  EXPECT_STREQ(mkrtGetDeviceName(MKRT_TARGET_CUDA),
               "cuda:Fake GPU (sm_90, 132 SMs)");
}

//===----------------------------------------------------------------------===//
// Two devices: what a process that calls one library with tensors on cuda:0
// and then cuda:1 needs (the caller makes the device's context current, as
// PyTorch's current device does).
//===----------------------------------------------------------------------===//

void *fakeSymbol(const char *name) {
  static void *library = dlopen(MULTIKERNEL_FAKE_CUDA_LIBRARY, RTLD_NOW);
  return dlsym(library, name);
}

void *contextOf(int device) {
  auto fn =
      reinterpret_cast<fakecuda::ContextOfFn>(fakeSymbol("fakeCudaContextOf"));
  return fn(device);
}

void makeCurrent(void *context) {
  auto fn = reinterpret_cast<int (*)(void *)>(fakeSymbol("cuCtxSetCurrent"));
  ASSERT_EQ(fn(context), 0);
}

void *currentContext() {
  auto fn = reinterpret_cast<int (*)(void **)>(fakeSymbol("cuCtxGetCurrent"));
  void *context = nullptr;
  fn(&context);
  return context;
}

/// Restores device 0's context, whatever a test made current.
class TwoDevicesTest : public GpuFakeDriverTest {
protected:
  void TearDown() override { makeCurrent(contextOf(0)); }
};

TEST_F(TwoDevicesTest, EachDeviceLaunchesItsOwnFunctions) {
  fakecuda::FakeImage image2 = {fakecuda::kImageMagic, 3, kernels};
  makeCurrent(contextOf(0));
  int loads = counters().moduleLoads;
  void *module = mgpuModuleLoad(&image2, 0);
  ASSERT_NE(module, nullptr) << mkrtGpuGetLastError();
  EXPECT_EQ(counters().moduleLoads, loads + 1);
  std::vector<float> out(1);
  float *pointer = out.data();
  void *params[] = {&pointer};
  void *onDevice0 = mgpuModuleGetFunction(module, "k1");
  ASSERT_NE(onDevice0, nullptr);
  mgpuLaunchKernel(onDevice0, 1, 1, 1, 1, 1, 1, 0, mgpuStreamCreate(), params,
                   nullptr, 1);
  EXPECT_EQ(counters().lastLaunchContext, contextOf(0));

  // Device 1: the image is loaded there on first use, and its own handle
  // launches; nothing crosses contexts.
  int crossings = counters().crossContextCalls;
  uint64_t errors = multikernel::runtime::gpu::errorCount();
  makeCurrent(contextOf(1));
  void *onDevice1 = mgpuModuleGetFunction(module, "k1");
  ASSERT_NE(onDevice1, nullptr) << mkrtGpuGetLastError();
  EXPECT_NE(onDevice1, onDevice0);
  EXPECT_EQ(counters().moduleLoads, loads + 2);
  out[0] = 0;
  mgpuLaunchKernel(onDevice1, 1, 1, 1, 1, 1, 1, 0, mgpuStreamCreate(), params,
                   nullptr, 1);
  EXPECT_EQ(out[0], 101.0f);
  EXPECT_EQ(counters().lastLaunchContext, contextOf(1));

  // Back on device 0: its handle again, no new load.
  makeCurrent(contextOf(0));
  EXPECT_EQ(mgpuModuleGetFunction(module, "k1"), onDevice0);
  EXPECT_EQ(counters().moduleLoads, loads + 2);
  EXPECT_EQ(counters().crossContextCalls, crossings);
  EXPECT_EQ(multikernel::runtime::gpu::errorCount(), errors);

  // Unloading unloads both modules, each in its own context, and leaves the
  // caller's context current: here device 1's, whose module was loaded
  // second (the first is unloaded under device 0's, then back to 1).
  makeCurrent(contextOf(1));
  int unloads = counters().moduleUnloads;
  mgpuModuleUnload(module);
  EXPECT_EQ(counters().moduleUnloads, unloads + 2);
  EXPECT_EQ(counters().crossContextCalls, crossings);
  EXPECT_EQ(currentContext(), contextOf(1));
}

TEST_F(TwoDevicesTest, EachDeviceHasItsOwnStream) {
  makeCurrent(contextOf(0));
  void *stream0 = mgpuStreamCreate();
  makeCurrent(contextOf(1));
  void *stream1 = mgpuStreamCreate();
  EXPECT_NE(stream0, stream1);
  EXPECT_EQ(mkrtGpuGetStream(), stream1);
  makeCurrent(contextOf(0));
  EXPECT_EQ(mgpuStreamCreate(), stream0);
}

TEST_F(TwoDevicesTest, PooledBuffersStayOnTheirDevice) {
  // A buffer of device 0 freed while device 1 is current (a tensor of
  // cuda:0 dropped under another device) goes back to device 0's pool.
  makeCurrent(contextOf(0));
  void *buffer = mgpuMemAlloc(4096, nullptr, false);
  ASSERT_NE(buffer, nullptr);
  makeCurrent(contextOf(1));
  mgpuMemFree(buffer, nullptr);
  void *onDevice1 = mgpuMemAlloc(4096, nullptr, false);
  EXPECT_NE(onDevice1, buffer);
  makeCurrent(contextOf(0));
  EXPECT_EQ(mgpuMemAlloc(4096, nullptr, false), buffer);
  mgpuMemFree(buffer, nullptr);
  makeCurrent(contextOf(1));
  mgpuMemFree(onDevice1, nullptr);
}

TEST_F(TwoDevicesTest, NoContextMeansTheDefaultDevice) {
  // A thread with no current context gets the default device's primary
  // context (mgpuSetDefaultDevice), as MLIR's wrappers do.
  std::thread([] {
    EXPECT_EQ(currentContext(), nullptr);
    mgpuSetDefaultDevice(1);
    // (A buffer, not a stream: the thread's own stream would outlive it.)
    void *buffer = mgpuMemAlloc(64, nullptr, false);
    EXPECT_NE(buffer, nullptr);
    EXPECT_EQ(currentContext(), contextOf(1));
    mgpuMemFree(buffer, nullptr);
    mgpuSetDefaultDevice(0);
  }).join();
}

/// The benchmarks of every site named `name` (one per kind of device).
int64_t benchmarksOf(const std::string &name, int *sites = nullptr) {
  int64_t total = 0;
  int count = 0;
  for (int64_t i = 0; i < mkrtGetNumSites(); ++i) {
    MkrtSiteStats s;
    if (mkrtGetSiteStats(i, &s) == MKRT_SUCCESS && name == s.name) {
      total += s.benchmarks;
      ++count;
    }
  }
  if (sites)
    *sites = count;
  return total;
}

TEST_F(TwoDevicesTest, IdenticalDevicesShareDecisions) {
  FakeSite site("kinds-same", {{8}, {64}, {512}}, 3, MKRT_TARGET_CUDA);
  makeSite(site, {gpuVariant<k0>, gpuVariant<k1>, gpuVariant<k2>});
  std::vector<float> out(4, 0.0f);
  makeCurrent(contextOf(0));
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  std::string device0 = mkrtGetDeviceName(MKRT_TARGET_CUDA);
  makeCurrent(contextOf(1));
  EXPECT_EQ(mkrtGetDeviceName(MKRT_TARGET_CUDA), device0);
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  int sites = 0;
  EXPECT_EQ(benchmarksOf("kinds-same", &sites), 1);
  EXPECT_EQ(sites, 1);
}

TEST_F(TwoDevicesTest, AnotherKindOfDeviceDecidesForItself) {
  FakeSite site("kinds-other", {{8}, {64}, {512}}, 3, MKRT_TARGET_CUDA);
  makeSite(site, {gpuVariant<k0>, gpuVariant<k1>, gpuVariant<k2>});
  std::vector<float> out(4, 0.0f);
  makeCurrent(contextOf(0));
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  makeCurrent(contextOf(2));
  EXPECT_STREQ(mkrtGetDeviceName(MKRT_TARGET_CUDA),
               "cuda:Fake GPU (sm_90, 66 SMs)");
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  int sites = 0;
  EXPECT_EQ(benchmarksOf("kinds-other", &sites), 2);
  EXPECT_EQ(sites, 2);
  // Each kind keeps its own: calls on either hit now.
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  makeCurrent(contextOf(0));
  ASSERT_EQ(run(site, 100, out), MKRT_SUCCESS);
  EXPECT_EQ(benchmarksOf("kinds-other"), 2);

  // A table names each decision's kind of device, and a kind's decisions
  // load into that kind's site only.
  std::string path = ::testing::TempDir() + "mkrt-kinds-" +
                     std::to_string(getpid()) + ".table";
  ASSERT_EQ(mkrtSaveTable(path.c_str()), MKRT_SUCCESS);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("cuda:Fake GPU (sm_90, 132 SMs)\ttest-module\tkinds-"
                      "other\t100\t"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("cuda:Fake GPU (sm_90, 66 SMs)\ttest-module\tkinds-"
                      "other\t100\t"),
            std::string::npos)
      << text;
  std::remove(path.c_str());
  std::remove((path + ".lock").c_str());
}

} // namespace

int main(int argc, char **argv) {
  // Before the runtime's first GPU call loads the driver.
  setenv("MULTIKERNEL_CUDA_LIBRARY", MULTIKERNEL_FAKE_CUDA_LIBRARY, 1);
  // The fake's device memory is host memory: a small lead-in (64 KiB) keeps
  // the tests fast.
  setenv("MULTIKERNEL_BENCH_LEAD_IN_MB", "0.0625", 1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
