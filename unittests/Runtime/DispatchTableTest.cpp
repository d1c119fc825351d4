//===- DispatchTableTest.cpp - saved and loaded decisions -----------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace multikernel::testing;

namespace {

std::string readFile(const std::string &path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

void writeFile(const std::string &path, const std::string &text) {
  std::ofstream(path) << text;
}

int64_t variantOneFastest(int variant, int64_t) {
  return variant == 1 ? 50'000 : 150'000;
}

class DispatchTableTest : public ::testing::Test {
protected:
  void SetUp() override {
    mkrtReset();
    ASSERT_EQ(mkrtSetPolicy("benchmark"), MKRT_SUCCESS);
    ASSERT_EQ(mkrtSetBenchmarkBudgetMs(2), MKRT_SUCCESS);
    path = ::testing::TempDir() + "mkrt-table-" + std::to_string(getpid()) +
           "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::remove(path.c_str());
  }
  void TearDown() override { std::remove(path.c_str()); }

  std::string header() const { return "multikernel-dispatch-table 1\n"; }
  std::string line(const std::string &device, const std::string &site,
                   const std::string &key, int variant, int variants) const {
    return device + "\ttest-module\t" + site + "\t" + key + "\t" +
           std::to_string(variant) + "\t" + std::to_string(variants) + "\n";
  }

  std::string path;
};

TEST_F(DispatchTableTest, SaveThenLoadSkipsBenchmarking) {
  {
    FakeSite site("table-rt", {{64}, {4096}});
    Scenario scenario;
    scenario.cost = variantOneFastest;
    std::vector<float> out(2);
    ASSERT_EQ(dispatch1d(site, scenario, 100, out), MKRT_SUCCESS);
    ASSERT_EQ(dispatch1d(site, scenario, 200, out), MKRT_SUCCESS);
    ASSERT_EQ(site.stats().benchmarks, 2);
    ASSERT_EQ(mkrtSaveTable(path.c_str()), MKRT_SUCCESS);
  }
  std::string text = readFile(path);
  EXPECT_EQ(text.rfind("multikernel-dispatch-table 1\n", 0), 0u) << text;
  std::string device = mkrtGetDeviceName(MKRT_TARGET_CPU);
  EXPECT_NE(text.find(line(device, "table-rt", "100", 1, 2)), std::string::npos)
      << text;

  // A fresh process would start empty: reset, load, and use a new site
  // object for the same (module, site).
  mkrtReset();
  ASSERT_EQ(mkrtLoadTable(path.c_str()), MKRT_SUCCESS);
  FakeSite site("table-rt", {{64}, {4096}});
  Scenario scenario;
  scenario.cost = variantOneFastest;
  std::vector<float> out(2);
  ASSERT_EQ(dispatch1d(site, scenario, 100, out), MKRT_SUCCESS);
  ASSERT_EQ(dispatch1d(site, scenario, 200, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  EXPECT_EQ(scenario.totalRuns(), 2);
  MkrtSiteStats stats = site.stats();
  EXPECT_EQ(stats.benchmarks, 0);
  EXPECT_EQ(stats.tableHits, 2);
  EXPECT_EQ(stats.hits, 2);
  // A key the table does not cover falls back to the policy.
  ASSERT_EQ(dispatch1d(site, scenario, 300, out), MKRT_SUCCESS);
  EXPECT_EQ(site.stats().benchmarks, 1);
}

TEST_F(DispatchTableTest, SaveMergesWithTheFileAndLeavesNoTemporary) {
  std::string device = mkrtGetDeviceName(MKRT_TARGET_CPU);
  writeFile(path, header() + line(device, "other-site", "5", 0, 2) +
                      line(device, "merge", "7", 0, 2));
  ASSERT_EQ(mkrtSetPolicy("fixed:1"), MKRT_SUCCESS);
  FakeSite site("merge", {{4}, {8}});
  Scenario scenario;
  std::vector<float> out(1);
  ASSERT_EQ(dispatch1d(site, scenario, 7, out), MKRT_SUCCESS);
  ASSERT_EQ(mkrtSaveTable(path.c_str()), MKRT_SUCCESS);
  std::string text = readFile(path);
  EXPECT_NE(text.find(line(device, "other-site", "5", 0, 2)),
            std::string::npos);
  // Ours wins over the file's entry for the same key.
  EXPECT_NE(text.find(line(device, "merge", "7", 1, 2)), std::string::npos);
  EXPECT_EQ(text.find(line(device, "merge", "7", 0, 2)), std::string::npos);
  EXPECT_NE(access(path.c_str(), F_OK), -1);
  EXPECT_EQ(access((path + ".tmp." + std::to_string(getpid())).c_str(), F_OK),
            -1);
}

struct BadTable {
  const char *name;
  std::string contents;
  const char *warning;
  int32_t status;
};

TEST_F(DispatchTableTest, BadTablesAreReportedAndIgnored) {
  std::string device = mkrtGetDeviceName(MKRT_TARGET_CPU);
  std::vector<BadTable> cases = {
      {"empty", "", "it is empty", MKRT_ERROR_IO},
      {"not-a-table", "hello\n", "bad header", MKRT_ERROR_IO},
      {"version",
       "multikernel-dispatch-table 2\n" + line(device, "bad", "4", 1, 2),
       "version '2' is not supported", MKRT_ERROR_IO},
      {"truncated", header() + device + "\ttest-module\tbad\t4",
       "skipped 1 malformed line(s), the first at line 2", MKRT_SUCCESS},
      {"garbage-key", header() + line(device, "bad", "4xQ", 0, 2), "malformed",
       MKRT_SUCCESS},
      {"index-out-of-range", header() + line(device, "bad", "4", 5, 2),
       "malformed", MKRT_SUCCESS},
      {"binary", header() + std::string("\x01\x02\xff\t\t\n", 6), "malformed",
       MKRT_SUCCESS},
  };
  for (const BadTable &bad : cases) {
    SCOPED_TRACE(bad.name);
    mkrtReset();
    writeFile(path, bad.contents);
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(mkrtLoadTable(path.c_str()), bad.status);
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find(bad.warning), std::string::npos) << err;

    // Nothing from the file is trusted: the site benchmarks as usual.
    FakeSite site("bad", {{4}, {8}});
    Scenario scenario;
    std::vector<float> out(1);
    ASSERT_EQ(dispatch1d(site, scenario, 4, out), MKRT_SUCCESS);
    EXPECT_EQ(site.stats().tableHits, 0);
  }
}

TEST_F(DispatchTableTest, EntriesThatDoNotFitTheSiteAreIgnored) {
  std::string device = mkrtGetDeviceName(MKRT_TARGET_CPU);
  writeFile(path, header() + line("cuda:Some Other GPU", "fit", "4", 1, 2) +
                      line(device, "fit", "5", 1, 3) +   // variant count
                      line(device, "fit", "6x6", 1, 2) + // key rank
                      line(device, "fit", "7", 1, 2));   // good
  ASSERT_EQ(mkrtLoadTable(path.c_str()), MKRT_SUCCESS);
  FakeSite site("fit", {{4}, {8}});
  Scenario scenario;
  std::vector<float> out(1);
  ::testing::internal::CaptureStderr();
  ASSERT_EQ(dispatch1d(site, scenario, 7, out), MKRT_SUCCESS);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("ignored 3 dispatch-table entries"), std::string::npos)
      << err;
  MkrtSiteStats stats = site.stats();
  EXPECT_EQ(stats.tableHits, 1);
  EXPECT_EQ(stats.hits, 1);
  ASSERT_EQ(dispatch1d(site, scenario, 4, out), MKRT_SUCCESS);
  EXPECT_EQ(site.stats().benchmarks, 1);
}

TEST_F(DispatchTableTest, MissingFileIsAnError) {
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(mkrtLoadTable((path + ".missing").c_str()), MKRT_ERROR_IO);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("cannot read dispatch table"), std::string::npos);
  EXPECT_EQ(mkrtSaveTable("/nonexistent-dir/table.txt"), MKRT_ERROR_IO);
}

TEST_F(DispatchTableTest, EmbeddedTable) {
  std::string device = mkrtGetDeviceName(MKRT_TARGET_CPU);
  std::string text = header() + line(device, "embedded", "9", 1, 2);
  ASSERT_EQ(mkrtLoadTableFromString(text.c_str(), "libkernels.so"),
            MKRT_SUCCESS);
  FakeSite site("embedded", {{4}, {8}});
  Scenario scenario;
  std::vector<float> out(1);
  ASSERT_EQ(dispatch1d(site, scenario, 9, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 101.0f);
  EXPECT_EQ(site.stats().benchmarks, 0);
}

} // namespace
