//===- DispatchTest.cpp - benchmark-then-cache dispatch -------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include "Benchmark.h"
#include "Config.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace multikernel::testing;

namespace {

class DispatchTest : public ::testing::Test {
protected:
  void SetUp() override {
    mkrtReset();
    ASSERT_EQ(mkrtSetPolicy("benchmark"), MKRT_SUCCESS);
    ASSERT_EQ(mkrtSetKeyBucketing("exact"), MKRT_SUCCESS);
    ASSERT_EQ(mkrtSetBenchmarkBudgetMs(4), MKRT_SUCCESS);
    ASSERT_EQ(mkrtSetBenchmarkRuns(10), MKRT_SUCCESS);
    ASSERT_EQ(mkrtSetMaxCacheEntries(4096), MKRT_SUCCESS);
    ASSERT_EQ(mkrtSetConcurrentMissPolicy("wait"), MKRT_SUCCESS);
  }
};

// Variant 1 is three times faster than the others, whatever the key.
int64_t variantOneFastest(int variant, int64_t) {
  return variant == 1 ? 100'000 : 300'000;
}

TEST_F(DispatchTest, BenchmarksOnceAndCachesTheFastest) {
  FakeSite site("fastest", {{64}, {1024}, {4096}});
  Scenario scenario;
  scenario.cost = variantOneFastest;
  std::vector<float> out(8, 0.0f);

  ASSERT_EQ(dispatch1d(site, scenario, 500, out), MKRT_SUCCESS);
  MkrtSiteStats stats = site.stats();
  EXPECT_EQ(stats.calls, 1);
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.hits, 0);
  EXPECT_EQ(stats.benchmarks, 1);
  EXPECT_GT(stats.benchmarkNanos, 0);
  // Every variant ran while benchmarking (warm-up + estimate at least).
  for (int v = 0; v < 3; ++v)
    EXPECT_GE(scenario.runs[v].load(), 2) << "variant " << v;
  // The real run was the winner's.
  EXPECT_EQ(out[0], 101.0f);

  MkrtDecision decision;
  ASSERT_EQ(mkrtGetSiteDecisions(site.index(), &decision, 1), 1);
  EXPECT_EQ(decision.variant, 1);
  EXPECT_EQ(decision.key[0], 500);
  EXPECT_EQ(decision.source, 0);
  // The timings are the test clock's (FakeClock.cpp): exactly the variants'
  // nominal costs, however busy the machine is.
  EXPECT_EQ(decision.variantNanos[0], 300'000.0);
  EXPECT_EQ(decision.variantNanos[1], 100'000.0);
  EXPECT_EQ(decision.variantNanos[2], 300'000.0);

  // Later calls with the same key: cache hits that run only the winner.
  int runsBefore = scenario.totalRuns();
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(dispatch1d(site, scenario, 500, out), MKRT_SUCCESS);
  EXPECT_EQ(scenario.totalRuns() - runsBefore, 5);
  stats = site.stats();
  EXPECT_EQ(stats.hits, 5);
  EXPECT_EQ(stats.benchmarks, 1);
  EXPECT_EQ(stats.cachedKeys, 1);
}

// Variant 0 wins small keys, variant 1 wins large ones.
int64_t crossover(int variant, int64_t key) {
  bool small = key < 1000;
  return (variant == 0) == small ? 60'000 : 240'000;
}

TEST_F(DispatchTest, EachKeyGetsItsOwnDecision) {
  FakeSite site("crossover", {{100}, {10000}});
  Scenario scenario;
  scenario.cost = crossover;
  std::vector<float> out(4);
  ASSERT_EQ(dispatch1d(site, scenario, 10, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 100.0f);
  ASSERT_EQ(dispatch1d(site, scenario, 5000, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  ASSERT_EQ(dispatch1d(site, scenario, 10, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 100.0f);
  EXPECT_EQ(site.stats().benchmarks, 2);
  EXPECT_EQ(site.stats().hits, 1);
}

// A machine that is three times slower for its first 40 runs (GPU clocks
// ramping up), on which variant 0 is really the faster one.
const Scenario *warmingMachine = nullptr;
int64_t fasterAfterWarmUp(int variant, int64_t) {
  bool cold = warmingMachine->totalRuns() <= 40;
  return (variant == 0 ? 100'000 : 150'000) * (cold ? 3 : 1);
}

TEST_F(DispatchTest, SpeedChangesDuringTheBenchmarkDoNotFavourTheLastVariant) {
  // A budget for about 50 runs of each, so that a run stretched by a busy
  // machine cannot move a median. Timing variant 0 to the end before
  // starting variant 1 would see the slow machine in most of variant 0's
  // runs (median 300 us against 150 us) and keep variant 1; round-robin
  // timing sees the speed-up in both (medians 100 and 150 us).
  ASSERT_EQ(mkrtSetBenchmarkBudgetMs(40), MKRT_SUCCESS);
  ASSERT_EQ(mkrtSetBenchmarkRuns(50), MKRT_SUCCESS);
  FakeSite site("warming", {{100}, {10000}});
  Scenario scenario;
  scenario.cost = fasterAfterWarmUp;
  warmingMachine = &scenario;
  std::vector<float> out(4);
  ASSERT_EQ(dispatch1d(site, scenario, 10, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 100.0f);
  MkrtDecision decision;
  ASSERT_EQ(mkrtGetSiteDecisions(site.index(), &decision, 1), 1);
  EXPECT_EQ(decision.variant, 0);
  warmingMachine = nullptr;
}

/// `nanos`, 10% more every other run: samples that never settle.
std::atomic<int> jitterRuns{0};
int64_t jittered(int64_t nanos) {
  return jitterRuns.fetch_add(1) % 2 ? nanos + nanos / 10 : nanos;
}

TEST_F(DispatchTest, BenchmarkRunsAreCappedPerVariant) {
  // A budget for 200 runs of each 10 us variant, capped at 4 timed runs: a
  // warm-up, the estimate and 3 more each, then the winner once for real
  // (the runs jitter, so that the samples do not settle first).
  ASSERT_EQ(mkrtSetBenchmarkBudgetMs(4), MKRT_SUCCESS);
  ASSERT_EQ(mkrtSetBenchmarkRuns(4), MKRT_SUCCESS);
  FakeSite site("capped", {{64}, {4096}});
  Scenario scenario;
  scenario.cost = [](int variant, int64_t) -> int64_t {
    return jittered(variant == 1 ? 10'000 : 12'000);
  };
  std::vector<float> out(4);
  ASSERT_EQ(dispatch1d(site, scenario, 10, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  EXPECT_EQ(scenario.runs[0].load(), 5);
  EXPECT_EQ(scenario.runs[1].load(), 6);
  EXPECT_EQ(mkrtSetBenchmarkRuns(0), MKRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(mkrtSetBenchmarkRuns(1001), MKRT_ERROR_INVALID_ARGUMENT);
}

TEST_F(DispatchTest, OnlyContendersAreTimedAgain) {
  // Variant 2 is four times slower than variant 0 on its estimate: after its
  // warm-up and estimate it is not run again; variant 1, within 1.5x of the
  // best, is timed as often as variant 0.
  ASSERT_EQ(mkrtSetBenchmarkBudgetMs(4), MKRT_SUCCESS);
  FakeSite site("contenders", {{64}, {1024}, {4096}});
  Scenario scenario;
  scenario.cost = [](int variant, int64_t) -> int64_t {
    return jittered(variant == 0 ? 10'000 : variant == 1 ? 14'000 : 40'000);
  };
  std::vector<float> out(4);
  ASSERT_EQ(dispatch1d(site, scenario, 10, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 100.0f);
  EXPECT_EQ(scenario.runs[0].load(), 12); // 2 + 9 repeats + the call
  EXPECT_EQ(scenario.runs[1].load(), 11);
  EXPECT_EQ(scenario.runs[2].load(), 2);
  MkrtDecision decision;
  ASSERT_EQ(mkrtGetSiteDecisions(site.index(), &decision, 1), 1);
  EXPECT_EQ(decision.variant, 0);
  EXPECT_GE(decision.variantNanos[2], 40'000);
}

TEST_F(DispatchTest, SettledSamplesEndTheBenchmark) {
  // Runs that time alike (within 2%, as GPU kernels do) settle after three
  // samples: the warm-up, the estimate and two more each, then the winner
  // once for real, however many runs the budget and the cap allow.
  ASSERT_EQ(mkrtSetBenchmarkBudgetMs(4), MKRT_SUCCESS);
  FakeSite site("settled", {{64}, {4096}});
  Scenario scenario;
  scenario.cost = [](int variant, int64_t) -> int64_t {
    return variant == 1 ? 10'000 : 12'000;
  };
  std::vector<float> out(4);
  ASSERT_EQ(dispatch1d(site, scenario, 10, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  EXPECT_EQ(scenario.runs[0].load(), 4);
  EXPECT_EQ(scenario.runs[1].load(), 5);
}

// Variant 0 is the fastest, but its estimate run is stretched fourfold (a
// busy machine); its warm-up was fast.
const Scenario *hiccupMachine = nullptr;
int64_t hiccupOnSecondRun(int variant, int64_t) {
  bool second = variant == 0 && hiccupMachine->runs[0].load() == 2;
  return (variant == 0 ? 10'000 : 13'000) * (second ? 4 : 1);
}

TEST_F(DispatchTest, OneSlowRunDoesNotDropAContender) {
  ASSERT_EQ(mkrtSetBenchmarkBudgetMs(4), MKRT_SUCCESS);
  FakeSite site("hiccup", {{64}, {1024}});
  Scenario scenario;
  scenario.cost = hiccupOnSecondRun;
  hiccupMachine = &scenario;
  std::vector<float> out(4);
  ASSERT_EQ(dispatch1d(site, scenario, 10, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 100.0f);
  EXPECT_GT(scenario.runs[0].load(), 2);
  hiccupMachine = nullptr;
}

TEST_F(DispatchTest, NearestHintPolicyRunsOnlyTheChosenVariant) {
  ASSERT_EQ(mkrtSetPolicy("nearest-hint"), MKRT_SUCCESS);
  FakeSite site("nearest", {{1024, 512}, {4096, 2048}});
  Scenario scenario;
  std::vector<float> out(4);
  MemRef<1> outRef = memref1d(out);
  void *args[3] = {&scenario, &outRef, &outRef};

  int64_t nearFirst[2] = {1500, 750};   // log distance 0.77 vs 2.0
  int64_t nearSecond[2] = {3000, 3000}; // 2.25 vs 0.69
  int64_t tiny[2] = {1, 1};
  ASSERT_EQ(mkrtDispatch(&site.desc, nearFirst, args), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 100.0f);
  ASSERT_EQ(mkrtDispatch(&site.desc, nearSecond, args), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  ASSERT_EQ(mkrtDispatch(&site.desc, tiny, args), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 100.0f);
  // No benchmarking: exactly one run per call.
  EXPECT_EQ(scenario.totalRuns(), 3);
  EXPECT_EQ(site.stats().benchmarks, 0);
}

TEST_F(DispatchTest, VariantNamesReachTheStatistics) {
  ASSERT_EQ(mkrtSetPolicy("nearest-hint"), MKRT_SUCCESS);
  FakeSite named("named", {{1024, 512}, {4096, 2048}});
  const char *names[] = {"hint 1024x512", "cublaslt\nalgorithm 0"};
  named.desc.variantNames = names;
  FakeSite unnamed("unnamed", {{1024, 512}});
  Scenario scenario;
  std::vector<float> out(4);
  MemRef<1> outRef = memref1d(out);
  void *args[3] = {&scenario, &outRef, &outRef};
  int64_t key[2] = {3000, 3000};
  ASSERT_EQ(mkrtDispatch(&named.desc, key, args), MKRT_SUCCESS);
  ASSERT_EQ(mkrtDispatch(&unnamed.desc, key, args), MKRT_SUCCESS);

  EXPECT_STREQ(mkrtGetVariantName(named.index(), 0), "hint 1024x512");
  // Control characters escaped, as in every message.
  EXPECT_STREQ(mkrtGetVariantName(named.index(), 1),
               "cublaslt\\x0aalgorithm 0");
  EXPECT_EQ(mkrtGetVariantName(named.index(), 2), nullptr);
  EXPECT_EQ(mkrtGetVariantName(named.index(), -1), nullptr);
  EXPECT_STREQ(mkrtGetVariantName(unnamed.index(), 0), "");
  EXPECT_EQ(mkrtGetVariantName(mkrtGetNumSites(), 0), nullptr);

  // The statistics say which variant each site's keys chose, and what it is.
  char *text = nullptr;
  size_t size = 0;
  FILE *stream = open_memstream(&text, &size);
  mkrtPrintStats(stream);
  std::fclose(stream);
  std::string printed(text, size);
  std::free(text);
  EXPECT_NE(
      printed.find("  variant 1 'cublaslt\\x0aalgorithm 0': chosen for 1 keys"),
      std::string::npos)
      << printed;
  EXPECT_NE(printed.find("  variant 0: chosen for 1 keys"), std::string::npos)
      << printed;
}

// The amortized policy: each call of a new key runs one variant for real,
// timed (the nearest hint's first, then the others, fewest runs first);
// a variant whose first two runs both took over 1.5x the fastest run is
// not timed again; once the others have three runs the fastest is cached.
// The output of every call is one variant's, exactly once.
TEST_F(DispatchTest, AmortizedPolicyRunsOneVariantPerCall) {
  ASSERT_EQ(mkrtSetPolicy("amortized"), MKRT_SUCCESS);
  FakeSite site("amortized", {{64}, {1024}, {4096}});
  Scenario scenario;
  scenario.cost = variantOneFastest;
  std::vector<float> out(4);
  // Key 5000: nearest to the hint 4096 (variant 2), tried first.
  ASSERT_EQ(dispatch1d(site, scenario, 5000, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 102.0f);
  EXPECT_EQ(scenario.totalRuns(), 1);
  for (int call = 1; call < 7; ++call) {
    ASSERT_EQ(dispatch1d(site, scenario, 5000, out), MKRT_SUCCESS);
    EXPECT_EQ(scenario.totalRuns(), call + 1);
  }
  // Variants 0 and 2 (3x variant 1's time) stop after two runs.
  EXPECT_EQ(scenario.runs[0].load(), 2);
  EXPECT_EQ(scenario.runs[1].load(), 3);
  EXPECT_EQ(scenario.runs[2].load(), 2);
  EXPECT_EQ(site.stats().benchmarks, 0);
  EXPECT_EQ(site.stats().cachedKeys, 0);

  // The eighth call decides, runs the winner once; later ones hit.
  ASSERT_EQ(dispatch1d(site, scenario, 5000, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  EXPECT_EQ(scenario.totalRuns(), 8);
  MkrtDecision decision;
  ASSERT_EQ(mkrtGetSiteDecisions(site.index(), &decision, 1), 1);
  EXPECT_EQ(decision.variant, 1);
  EXPECT_EQ(decision.source, 0);
  EXPECT_EQ(decision.variantNanos[0], 300'000.0);
  EXPECT_EQ(decision.variantNanos[1], 100'000.0);
  ASSERT_EQ(dispatch1d(site, scenario, 5000, out), MKRT_SUCCESS);
  MkrtSiteStats stats = site.stats();
  EXPECT_EQ(stats.benchmarks, 1);
  EXPECT_EQ(stats.misses, 8);
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.benchmarkNanos, 0);

  // A new key tries first what the nearest decided key (5000) chose,
  // variant 1, not its nearest hint's (4096: variant 2).
  ASSERT_EQ(dispatch1d(site, scenario, 6000, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);

  // An in-place variant (out += x) is applied exactly once per call
  // meanwhile: nothing is run but the call itself.
  Scenario accumulating;
  accumulating.cost = variantOneFastest;
  accumulating.accumulate = true;
  std::vector<float> acc(4, 0.0f), x(4, 1.0f);
  for (int call = 0; call < 4; ++call)
    ASSERT_EQ(dispatch1d(site, accumulating, 77, acc, &x), MKRT_SUCCESS);
  EXPECT_EQ(acc[0], 4.0f);
  EXPECT_EQ(accumulating.totalRuns(), 4);
}

int64_t variantsClose(int variant, int64_t) {
  return variant == 1 ? 90'000 : 100'000 + variant * 10'000;
}

// Variants within 1.5x of the fastest run each get their three runs.
TEST_F(DispatchTest, AmortizedPolicyTimesCloseVariantsThrice) {
  ASSERT_EQ(mkrtSetPolicy("amortized"), MKRT_SUCCESS);
  FakeSite site("amortized-close", {{64}, {1024}, {4096}});
  Scenario scenario;
  scenario.cost = variantsClose;
  std::vector<float> out(4);
  for (int call = 0; call < 9; ++call)
    ASSERT_EQ(dispatch1d(site, scenario, 5000, out), MKRT_SUCCESS);
  for (int v = 0; v < 3; ++v)
    EXPECT_EQ(scenario.runs[v].load(), 3) << "variant " << v;
  EXPECT_EQ(site.stats().cachedKeys, 0);
  ASSERT_EQ(dispatch1d(site, scenario, 5000, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  EXPECT_EQ(site.stats().cachedKeys, 1);
}

TEST_F(DispatchTest, FixedPolicy) {
  ASSERT_EQ(mkrtSetPolicy("fixed:1"), MKRT_SUCCESS);
  FakeSite site("fixed", {{8}, {16}, {32}});
  Scenario scenario;
  std::vector<float> out(4);
  ASSERT_EQ(dispatch1d(site, scenario, 8, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  EXPECT_EQ(scenario.totalRuns(), 1);

  // A fixed index the site does not have falls back to the nearest hint and
  // is not cached.
  ASSERT_EQ(mkrtSetPolicy("fixed:7"), MKRT_SUCCESS);
  ASSERT_EQ(dispatch1d(site, scenario, 30, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 102.0f);
  EXPECT_EQ(site.stats().cachedKeys, 1);
}

TEST_F(DispatchTest, RejectsBadSettings) {
  EXPECT_EQ(mkrtSetPolicy("fastest"), MKRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(mkrtSetPolicy("fixed:"), MKRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(mkrtSetPolicy("fixed:-1"), MKRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(mkrtSetPolicy(nullptr), MKRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(mkrtSetKeyBucketing("pow3"), MKRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(mkrtSetConcurrentMissPolicy("spin"), MKRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(mkrtSetBenchmarkBudgetMs(0), MKRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(mkrtSetBenchmarkBudgetMs(NAN), MKRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(mkrtSetMaxCacheEntries(0), MKRT_ERROR_INVALID_ARGUMENT);
}

TEST_F(DispatchTest, Pow2BucketingSharesOneDecisionPerBucket) {
  ASSERT_EQ(mkrtSetKeyBucketing("pow2"), MKRT_SUCCESS);
  FakeSite site("pow2", {{512}, {2048}});
  Scenario scenario;
  scenario.cost = variantOneFastest;
  std::vector<float> out(4);
  for (int64_t key : {600, 1000, 1024, 700})
    ASSERT_EQ(dispatch1d(site, scenario, key, out), MKRT_SUCCESS);
  ASSERT_EQ(dispatch1d(site, scenario, 1025, out), MKRT_SUCCESS);
  MkrtSiteStats stats = site.stats();
  EXPECT_EQ(stats.benchmarks, 2); // buckets 1024 and 2048
  EXPECT_EQ(stats.hits, 3);
  std::vector<MkrtDecision> decisions(4);
  ASSERT_EQ(mkrtGetSiteDecisions(site.index(), decisions.data(), 4), 2);
  EXPECT_EQ(decisions[0].key[0], 1024);
  EXPECT_EQ(decisions[1].key[0], 2048);
}

TEST_F(DispatchTest, InPlaceVariantIsAppliedExactlyOnce) {
  // out += x is not idempotent: benchmarking it without restoring `out`
  // would add x once per benchmark run.
  FakeSite site("accumulate", {{16}, {256}, {4096}});
  Scenario scenario;
  scenario.accumulate = true;
  scenario.cost = variantOneFastest;
  std::vector<float> out = {1, 2, 3, 4, 5};
  std::vector<float> x = {10, 20, 30, 40, 50};
  ASSERT_EQ(dispatch1d(site, scenario, 5, out, &x), MKRT_SUCCESS);
  EXPECT_GT(scenario.totalRuns(), 6);
  EXPECT_EQ(out, (std::vector<float>{11, 22, 33, 44, 55}));
  // A hit applies it once more.
  ASSERT_EQ(dispatch1d(site, scenario, 5, out, &x), MKRT_SUCCESS);
  EXPECT_EQ(out, (std::vector<float>{21, 42, 63, 84, 105}));
}

TEST_F(DispatchTest, AliasedInPlaceArgumentsAreRestored) {
  // out += out with both arguments on one buffer.
  FakeSite site("alias", {{16}, {256}});
  Scenario scenario;
  scenario.accumulate = true;
  std::vector<float> out = {1, 2, 3};
  ASSERT_EQ(dispatch1d(site, scenario, 3, out, &out), MKRT_SUCCESS);
  EXPECT_EQ(out, (std::vector<float>{2, 4, 6}));
}

TEST_F(DispatchTest, CacheBoundEvictsTheOldestKey) {
  ASSERT_EQ(mkrtSetMaxCacheEntries(4), MKRT_SUCCESS);
  ASSERT_EQ(mkrtSetPolicy("nearest-hint"), MKRT_SUCCESS);
  FakeSite site("bounded", {{8}, {64}});
  Scenario scenario;
  std::vector<float> out(2);
  for (int64_t key = 1; key <= 10; ++key)
    ASSERT_EQ(dispatch1d(site, scenario, key, out), MKRT_SUCCESS);
  MkrtSiteStats stats = site.stats();
  EXPECT_EQ(stats.cachedKeys, 4);
  EXPECT_EQ(stats.evictions, 6);
  std::vector<MkrtDecision> decisions(8);
  ASSERT_EQ(mkrtGetSiteDecisions(site.index(), decisions.data(), 8), 4);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(decisions[i].key[0], 7 + i);
  // The newest keys hit; an evicted one misses again.
  ASSERT_EQ(dispatch1d(site, scenario, 10, out), MKRT_SUCCESS);
  ASSERT_EQ(dispatch1d(site, scenario, 1, out), MKRT_SUCCESS);
  stats = site.stats();
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 11);
  EXPECT_EQ(stats.cachedKeys, 4);
}

TEST_F(DispatchTest, SingleVariantNeedsNoBenchmark) {
  FakeSite site("single", {{128}});
  Scenario scenario;
  std::vector<float> out(2);
  ASSERT_EQ(dispatch1d(site, scenario, 3, out), MKRT_SUCCESS);
  EXPECT_EQ(scenario.totalRuns(), 1);
  EXPECT_EQ(out[0], 100.0f);
}

TEST_F(DispatchTest, MalformedDescriptorIsRejected) {
  FakeSite site("foreign-abi", {{8}, {16}});
  site.desc.abiVersion = MKRT_ABI_VERSION + 1;
  Scenario scenario;
  std::vector<float> out(2);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(dispatch1d(site, scenario, 3, out), MKRT_ERROR_BAD_DESCRIPTOR);
  EXPECT_EQ(dispatch1d(site, scenario, 3, out), MKRT_ERROR_BAD_DESCRIPTOR);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("rejecting dispatch site 'foreign-abi': ABI version"),
            std::string::npos)
      << err;
  // Reported once, not on every call.
  EXPECT_EQ(err.find("rejecting", err.find("rejecting") + 1),
            std::string::npos);
  EXPECT_EQ(scenario.totalRuns(), 0);

  FakeSite badWritten("bad-written", {{8}});
  std::vector<MkrtWrittenArg> written = {{5, 1, 4, MKRT_MEMORY_HOST}};
  badWritten.desc.written = written.data();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(dispatch1d(badWritten, scenario, 3, out),
            MKRT_ERROR_BAD_DESCRIPTOR);
  err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("bad written-argument entry 0"), std::string::npos) << err;
}

TEST(MemrefSpanTest, CoversStridedViews) {
  float data[64];
  char *first;
  size_t bytes;
  // A 3x4 view with row stride 8 starting at element 2.
  MemRef<2> view{data, data, 2, {3, 4}, {8, 1}};
  multikernel::runtime::memrefByteSpan(&view, 2, sizeof(float), first, bytes);
  EXPECT_EQ(first, reinterpret_cast<char *>(data + 2));
  EXPECT_EQ(bytes, (2 * 8 + 3 + 1) * sizeof(float));
  // Negative stride: a reversed 1-D view ending at element 0.
  MemRef<1> reversed{data, data, 9, {10}, {-1}};
  multikernel::runtime::memrefByteSpan(&reversed, 1, sizeof(float), first,
                                       bytes);
  EXPECT_EQ(first, reinterpret_cast<char *>(data));
  EXPECT_EQ(bytes, 10 * sizeof(float));
  // Empty.
  MemRef<2> empty{data, data, 0, {0, 4}, {4, 1}};
  multikernel::runtime::memrefByteSpan(&empty, 2, sizeof(float), first, bytes);
  EXPECT_EQ(bytes, 0u);
}

TEST(ConfigTest, ParsesSettings) {
  using namespace multikernel::runtime;
  EXPECT_EQ(parsePolicy("fixed:3")->fixedVariant, 3);
  EXPECT_EQ(parsePolicy("nearest-hint")->policy, Policy::NearestHint);
  EXPECT_EQ(parsePolicy("amortized")->policy, Policy::Amortized);
  EXPECT_FALSE(parsePolicy("fixed:x"));
  EXPECT_EQ(*parseBucketing("pow2"), Bucketing::Pow2);
  EXPECT_FALSE(parsePositiveNumber("-3"));
  EXPECT_FALSE(parsePositiveNumber("5ms"));
  EXPECT_EQ(*parsePositiveNumber("2.5"), 2.5);
  EXPECT_FALSE(parseFlag("maybe"));
}

TEST(ConfigTest, BadEnvironmentValueIsReportedAndDefaultKept) {
  using namespace multikernel::runtime;
  setenv("MULTIKERNEL_POLICY", "fastest", 1);
  setenv("MULTIKERNEL_KEY", "pow2", 1);
  setenv("MULTIKERNEL_BENCH_MS", "lots", 1);
  Config config;
  ::testing::internal::CaptureStderr();
  config.readEnvironment();
  std::string err = ::testing::internal::GetCapturedStderr();
  unsetenv("MULTIKERNEL_POLICY");
  unsetenv("MULTIKERNEL_KEY");
  unsetenv("MULTIKERNEL_BENCH_MS");
  EXPECT_EQ(config.policy.load(), Policy::Benchmark);
  EXPECT_EQ(config.bucketing.load(), Bucketing::Pow2);
  EXPECT_EQ(config.benchmarkBudgetNanos.load(), 20'000'000);
  EXPECT_NE(err.find("ignoring MULTIKERNEL_POLICY='fastest'"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("ignoring MULTIKERNEL_BENCH_MS='lots'"), std::string::npos)
      << err;
}

// Names from descriptors reach messages with their control characters
// escaped: a newline in a site name cannot forge a log line.
TEST_F(DispatchTest, MessagesEscapeControlCharactersOfSiteNames) {
  mkrtSetLogging(1);
  FakeSite site("evil\nmultikernel: forged\x1b[2J", {{4}, {8}});
  Scenario scenario;
  std::vector<float> out(1);
  ::testing::internal::CaptureStderr();
  ASSERT_EQ(dispatch1d(site, scenario, 4, out), MKRT_SUCCESS);
  std::string err = ::testing::internal::GetCapturedStderr();
  mkrtSetLogging(0);
  EXPECT_NE(err.find("site 'evil\\x0amultikernel: forged\\x1b[2J' key"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("\nmultikernel: forged"), std::string::npos) << err;
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << err;
}

} // namespace
