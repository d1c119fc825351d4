//===- HitPathBenchmark.cpp - host cost of a dispatch on a cache hit ------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// What a call costs the host when the decision is cached: lookup and
// indirect call, with an empty variant so that only the runtime is timed.
// Budget (issue 3): <= 50 ns on the development machine.
//
//   build/bin/HitPathBenchmark --benchmark_repetitions=5 \
//       --benchmark_report_aggregates_only=true
//
//===----------------------------------------------------------------------===//

#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <benchmark/benchmark.h>

#include <vector>

namespace {

void emptyVariant(void **args) { benchmark::DoNotOptimize(args); }

struct BenchSite {
  explicit BenchSite(const char *name) {
    desc.abiVersion = MKRT_ABI_VERSION;
    desc.target = MKRT_TARGET_CPU;
    desc.name = name;
    desc.moduleId = "bench";
    desc.keyRank = 2;
    desc.numVariants = 2;
    desc.hints = hints;
    desc.variants = variants;
    desc.numArgs = 0;
    desc.numWritten = 0;
    desc.written = nullptr;
    desc.state = &state;
  }
  int64_t hints[4] = {1024, 512, 4096, 2048};
  MkrtVariantFn variants[2] = {emptyVariant, emptyVariant};
  void *state = nullptr;
  MkrtSiteDescriptor desc{};
};

void BM_DirectCall(benchmark::State &state) {
  MkrtVariantFn volatile fn = emptyVariant;
  void *args[1] = {nullptr};
  for (auto _ : state)
    fn(args);
}
BENCHMARK(BM_DirectCall);

void BM_DispatchHit(benchmark::State &state) {
  static BenchSite site("hit");
  mkrtSetPolicy("nearest-hint");
  mkrtSetKeyBucketing("exact");
  int64_t key[2] = {1500, 750};
  void *args[1] = {nullptr};
  mkrtDispatch(&site.desc, key, args); // decide once
  for (auto _ : state)
    benchmark::DoNotOptimize(mkrtDispatch(&site.desc, key, args));
}
BENCHMARK(BM_DispatchHit);
BENCHMARK(BM_DispatchHit)->Threads(2);

void BM_DispatchHitPow2(benchmark::State &state) {
  static BenchSite site("hit-pow2");
  mkrtSetPolicy("nearest-hint");
  mkrtSetKeyBucketing("pow2");
  int64_t key[2] = {1500, 750};
  void *args[1] = {nullptr};
  mkrtDispatch(&site.desc, key, args);
  for (auto _ : state)
    benchmark::DoNotOptimize(mkrtDispatch(&site.desc, key, args));
  mkrtSetKeyBucketing("exact");
}
BENCHMARK(BM_DispatchHitPow2);

// 1000 cached keys visited in turn: probes and cache misses of a bigger
// table.
void BM_DispatchHitManyKeys(benchmark::State &state) {
  static BenchSite site("hit-many");
  mkrtSetPolicy("nearest-hint");
  mkrtSetKeyBucketing("exact");
  std::vector<int64_t> keys;
  for (int64_t i = 0; i < 1000; ++i) {
    keys.push_back(64 + i * 7);
    keys.push_back(4096 - i);
  }
  void *args[1] = {nullptr};
  for (size_t i = 0; i < 1000; ++i)
    mkrtDispatch(&site.desc, &keys[2 * i], args);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(mkrtDispatch(&site.desc, &keys[2 * i], args));
    i = i + 1 == 1000 ? 0 : i + 1;
  }
}
BENCHMARK(BM_DispatchHitManyKeys);

} // namespace

BENCHMARK_MAIN();
