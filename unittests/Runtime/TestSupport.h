//===- TestSupport.h - helpers for the runtime unit tests -------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Fake dispatch sites whose variants have controlled costs and observable
// effects, built the way the compiler emits them: a constant descriptor,
// memref descriptors in `args`. A variant's cost advances this thread's
// fake clock (FakeClock.cpp installs it as the runtime's benchmark clock in
// the unit tests), so that which variant wins never depends on the
// machine's load; where the test needs the time to pass too (concurrent
// first calls that overlap), or where no fake clock is installed (a driver
// linked against the shared runtime), the variant also spins for it.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_UNITTESTS_RUNTIME_TESTSUPPORT_H
#define MULTIKERNEL_UNITTESTS_RUNTIME_TESTSUPPORT_H

#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace multikernel::testing {

/// A memref descriptor as MLIR's `_mlir_ciface_` convention lays it out.
template <int Rank> struct MemRef {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

inline MemRef<1> memref1d(std::vector<float> &data) {
  return MemRef<1>{
      data.data(), data.data(), 0, {static_cast<int64_t>(data.size())}, {1}};
}

/// This thread's fake clock, in nanoseconds, and whether the runtime reads
/// it (FakeClock.cpp).
inline thread_local int64_t fakeCpuNanos = 0;
inline std::atomic<bool> fakeClockInstalled{false};

inline void spinFor(int64_t nanos) {
  auto end = std::chrono::steady_clock::now() + std::chrono::nanoseconds(nanos);
  while (std::chrono::steady_clock::now() < end) {
  }
}

constexpr int kMaxTestVariants = 4;

/// What the variants of a test site do. args[0] points to the Scenario,
/// args[1] to the output memref, args[2] (optional) to an input memref.
struct Scenario {
  /// Cost of variant v for the key in `key[0]`, in nanoseconds.
  int64_t (*cost)(int variant, int64_t key0) = nullptr;
  /// Spend the cost in real time as well (a busy loop).
  bool realTime = false;
  int64_t key0 = 0;
  /// Effect: out[i] += in[i] (in-place accumulate) when true, otherwise
  /// out[i] = 100 + variant.
  bool accumulate = false;
  std::array<std::atomic<int>, kMaxTestVariants> runs{};

  int totalRuns() const {
    int total = 0;
    for (const auto &r : runs)
      total += r.load();
    return total;
  }
};

template <int V> void fakeVariant(void **args) {
  auto *scenario = static_cast<Scenario *>(args[0]);
  auto *out = static_cast<MemRef<1> *>(args[1]);
  scenario->runs[V].fetch_add(1);
  if (scenario->cost) {
    int64_t nanos = scenario->cost(V, scenario->key0);
    fakeCpuNanos += nanos;
    if (scenario->realTime || !fakeClockInstalled.load())
      spinFor(nanos);
  }
  float *o = out->aligned + out->offset;
  if (scenario->accumulate) {
    auto *in = static_cast<MemRef<1> *>(args[2]);
    const float *x = in->aligned + in->offset;
    for (int64_t i = 0; i < out->sizes[0]; ++i)
      o[i * out->strides[0]] += x[i * in->strides[0]];
  } else {
    for (int64_t i = 0; i < out->sizes[0]; ++i)
      o[i * out->strides[0]] = 100.0f + V;
  }
}

/// Owns a descriptor and everything it points to.
class FakeSite {
public:
  FakeSite(std::string name, std::vector<std::vector<int64_t>> hintList,
           int numArgs = 3, int32_t target = MKRT_TARGET_CPU)
      : siteName(std::move(name)), moduleId("test-module") {
    static const MkrtVariantFn table[kMaxTestVariants] = {
        fakeVariant<0>, fakeVariant<1>, fakeVariant<2>, fakeVariant<3>};
    int rank = hintList.empty() ? 0 : static_cast<int>(hintList[0].size());
    for (const auto &hint : hintList)
      hints.insert(hints.end(), hint.begin(), hint.end());
    for (size_t v = 0; v < hintList.size(); ++v)
      variants.push_back(table[v]);
    // The output (arg 1) is written.
    written.push_back(MkrtWrittenArg{1, 1, sizeof(float), MKRT_MEMORY_HOST});
    desc.abiVersion = MKRT_ABI_VERSION;
    desc.target = target;
    desc.name = siteName.c_str();
    desc.moduleId = moduleId.c_str();
    desc.keyRank = rank;
    desc.numVariants = static_cast<int32_t>(hintList.size());
    desc.hints = hints.data();
    desc.variants = variants.data();
    desc.numArgs = numArgs;
    desc.numWritten = static_cast<int32_t>(written.size());
    desc.written = written.data();
    desc.state = &state;
  }
  FakeSite(const FakeSite &) = delete;

  MkrtSiteDescriptor desc{};

  /// Statistics of this site (by name), or all zero if it was never used.
  MkrtSiteStats stats() const {
    MkrtSiteStats result{};
    for (int64_t i = 0; i < mkrtGetNumSites(); ++i) {
      MkrtSiteStats s;
      if (mkrtGetSiteStats(i, &s) == MKRT_SUCCESS && siteName == s.name)
        result = s;
    }
    return result;
  }

  int64_t index() const {
    for (int64_t i = 0; i < mkrtGetNumSites(); ++i) {
      MkrtSiteStats s;
      if (mkrtGetSiteStats(i, &s) == MKRT_SUCCESS && siteName == s.name)
        return i;
    }
    return -1;
  }

private:
  std::string siteName, moduleId;
  std::vector<int64_t> hints;
  std::vector<MkrtVariantFn> variants;
  std::vector<MkrtWrittenArg> written;
  void *state = nullptr;
};

/// Dispatches `site` once for a one-dimensional key.
inline int32_t dispatch1d(FakeSite &site, Scenario &scenario, int64_t key,
                          std::vector<float> &out,
                          std::vector<float> *in = nullptr) {
  scenario.key0 = key;
  MemRef<1> outRef = memref1d(out);
  MemRef<1> inRef = in ? memref1d(*in) : outRef;
  void *args[3] = {&scenario, &outRef, &inRef};
  return mkrtDispatch(&site.desc, &key, args);
}

} // namespace multikernel::testing

#endif // MULTIKERNEL_UNITTESTS_RUNTIME_TESTSUPPORT_H
