//===- ConcurrencyTest.cpp - many threads on one site ---------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Run under ThreadSanitizer in CI (scripts/test.sh builds a TSan copy of the
// runtime and its tests).
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

using namespace multikernel::testing;

namespace {

int64_t cheapCosts(int variant, int64_t key) {
  // Variant (key % 3) is the fastest for each key.
  return variant == key % 3 ? 2'000 : 20'000;
}

class ConcurrencyTest : public ::testing::Test {
protected:
  void SetUp() override {
    mkrtReset();
    ASSERT_EQ(mkrtSetPolicy("benchmark"), MKRT_SUCCESS);
    ASSERT_EQ(mkrtSetKeyBucketing("exact"), MKRT_SUCCESS);
    ASSERT_EQ(mkrtSetBenchmarkBudgetMs(0.3), MKRT_SUCCESS);
    ASSERT_EQ(mkrtSetMaxCacheEntries(4096), MKRT_SUCCESS);
  }
};

void hammer(FakeSite &site, int threads, int keys, std::atomic<int> &wrong) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Scenario scenario;
      scenario.cost = cheapCosts;
      // First calls of one key from several threads must overlap.
      scenario.realTime = true;
      std::vector<int64_t> order(keys);
      for (int k = 0; k < keys; ++k)
        order[k] = k + 1;
      std::shuffle(order.begin(), order.end(), std::mt19937(t));
      for (int round = 0; round < 2; ++round) {
        for (int64_t key : order) {
          std::vector<float> out(3, -1.0f);
          if (dispatch1d(site, scenario, key, out) != MKRT_SUCCESS ||
              out[0] < 100.0f || out[0] > 102.0f)
            wrong.fetch_add(1);
        }
      }
    });
  }
  for (std::thread &worker : workers)
    worker.join();
}

TEST_F(ConcurrencyTest, ExactlyOneBenchmarkPerKey) {
  ASSERT_EQ(mkrtSetConcurrentMissPolicy("wait"), MKRT_SUCCESS);
  FakeSite site("stress", {{1}, {2}, {3}});
  std::atomic<int> wrong{0};
  hammer(site, 8, 100, wrong);
  EXPECT_EQ(wrong.load(), 0);
  MkrtSiteStats stats = site.stats();
  EXPECT_EQ(stats.calls, 8 * 100 * 2);
  EXPECT_EQ(stats.benchmarks, 100);
  EXPECT_EQ(stats.cachedKeys, 100);
  EXPECT_GE(stats.misses, 100);
  EXPECT_EQ(stats.hits + stats.misses, stats.calls);
}

TEST_F(ConcurrencyTest, WaitersMayRunTheNearestHintMeanwhile) {
  ASSERT_EQ(mkrtSetConcurrentMissPolicy("nearest-hint"), MKRT_SUCCESS);
  FakeSite site("stress-nearest", {{1}, {2}, {3}});
  std::atomic<int> wrong{0};
  hammer(site, 8, 50, wrong);
  EXPECT_EQ(wrong.load(), 0);
  MkrtSiteStats stats = site.stats();
  EXPECT_EQ(stats.benchmarks, 50);
  EXPECT_EQ(stats.cachedKeys, 50);
}

TEST_F(ConcurrencyTest, FirstUseOfASiteFromManyThreads) {
  FakeSite site("first-use", {{1}, {2}});
  std::atomic<int> wrong{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t)
    workers.emplace_back([&] {
      Scenario scenario;
      std::vector<float> out(1);
      if (dispatch1d(site, scenario, 7, out) != MKRT_SUCCESS)
        wrong.fetch_add(1);
    });
  for (std::thread &worker : workers)
    worker.join();
  EXPECT_EQ(wrong.load(), 0);
  // One site, one decision.
  int sitesNamed = 0;
  for (int64_t i = 0; i < mkrtGetNumSites(); ++i) {
    MkrtSiteStats s;
    mkrtGetSiteStats(i, &s);
    sitesNamed += std::string(s.name) == "first-use";
  }
  EXPECT_EQ(sitesNamed, 1);
  EXPECT_EQ(site.stats().benchmarks, 1);
}

} // namespace
