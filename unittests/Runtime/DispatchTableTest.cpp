//===- DispatchTableTest.cpp - saved and loaded decisions -----------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <iterator>
#include <map>

#include <chrono>

#include <thread>

#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
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
  void TearDown() override {
    std::remove(path.c_str());
    std::remove((path + ".lock").c_str());
  }

  /// The files beside the table whose names start with the table's name
  /// and `suffix` (temporary files left behind).
  std::vector<std::string> filesBeside(const std::string &suffix) const {
    std::string directory = path.substr(0, path.rfind('/'));
    std::string prefix = path.substr(path.rfind('/') + 1) + suffix;
    std::vector<std::string> names;
    if (DIR *dir = ::opendir(directory.c_str())) {
      while (dirent *entry = ::readdir(dir))
        if (std::string(entry->d_name).rfind(prefix, 0) == 0)
          names.push_back(entry->d_name);
      ::closedir(dir);
    }
    return names;
  }

  /// Saves and returns the warning printed.
  std::string saveExpectingError() {
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(mkrtSaveTable(path.c_str()), MKRT_ERROR_IO);
    return ::testing::internal::GetCapturedStderr();
  }

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
  EXPECT_TRUE(filesBeside(".tmp.").empty());
}

// What is at the path and is not a table is never replaced: a text file,
// a FIFO (which a save must not block on), a directory, a symbolic link
// (whose target would be clobbered), a device stand-in where mknod works.
TEST_F(DispatchTableTest, SaveReplacesOnlyATable) {
  FakeSite site("save-only-tables", {{4}, {8}});
  Scenario scenario;
  std::vector<float> out(1);
  ASSERT_EQ(dispatch1d(site, scenario, 4, out), MKRT_SUCCESS);

  writeFile(path, "my notes\n");
  EXPECT_NE(saveExpectingError().find("not a dispatch table"),
            std::string::npos);
  EXPECT_EQ(readFile(path), "my notes\n");
  std::remove(path.c_str());

  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  EXPECT_NE(saveExpectingError().find("not a regular file; not replaced"),
            std::string::npos);
  struct stat info;
  ASSERT_EQ(::lstat(path.c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode));
  std::remove(path.c_str());

  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0);
  EXPECT_NE(saveExpectingError().find("not a regular file"), std::string::npos);
  ::rmdir(path.c_str());

  std::string victim = path + ".victim";
  writeFile(victim, "precious\n");
  ASSERT_EQ(::symlink(victim.c_str(), path.c_str()), 0);
  EXPECT_NE(saveExpectingError().find("symbolic link"), std::string::npos);
  EXPECT_EQ(readFile(victim), "precious\n");
  ASSERT_EQ(::lstat(path.c_str(), &info), 0);
  EXPECT_TRUE(S_ISLNK(info.st_mode));
  std::remove(path.c_str());

  // A device node (as root: /dev/null became a regular file once).
  if (::mknod(path.c_str(), S_IFCHR | 0600, ::makedev(1, 3)) == 0) {
    EXPECT_NE(saveExpectingError().find("not a regular file"),
              std::string::npos);
    ASSERT_EQ(::lstat(path.c_str(), &info), 0);
    EXPECT_TRUE(S_ISCHR(info.st_mode));
    std::remove(path.c_str());
  }

  // An empty file is replaced, a missing one created.
  writeFile(path, "");
  EXPECT_EQ(mkrtSaveTable(path.c_str()), MKRT_SUCCESS);
  EXPECT_EQ(readFile(path).rfind(header(), 0), 0u);
  std::remove(victim.c_str());
  EXPECT_TRUE(filesBeside(".tmp.").empty());
}

// A symbolic link planted where the save takes its lock (or under the old
// predictable temporary name) redirects nothing: the lock file is opened
// without following links and the temporary file is created exclusively.
TEST_F(DispatchTableTest, PlantedLinksAreNotFollowed) {
  FakeSite site("planted-links", {{4}, {8}});
  Scenario scenario;
  std::vector<float> out(1);
  ASSERT_EQ(dispatch1d(site, scenario, 4, out), MKRT_SUCCESS);
  std::string victim = path + ".victim";
  writeFile(victim, "precious\n");
  std::string oldTemporary = path + ".tmp." + std::to_string(getpid());
  ASSERT_EQ(::symlink(victim.c_str(), oldTemporary.c_str()), 0);
  ASSERT_EQ(mkrtSaveTable(path.c_str()), MKRT_SUCCESS);
  EXPECT_EQ(readFile(victim), "precious\n");
  std::remove(oldTemporary.c_str());

  std::remove((path + ".lock").c_str());
  ASSERT_EQ(::symlink(victim.c_str(), (path + ".lock").c_str()), 0);
  EXPECT_NE(saveExpectingError().find("lock file"), std::string::npos);
  EXPECT_EQ(readFile(victim), "precious\n");
  std::remove(victim.c_str());
}

// A load reads regular files only, and at most 64 MiB: a FIFO does not
// block it, a directory or an endless file does not exhaust memory.
TEST_F(DispatchTableTest, LoadReadsOnlyRegularFilesOfBoundedSize) {
  auto loadExpectingError = [&](const char *warning) {
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(mkrtLoadTable(path.c_str()), MKRT_ERROR_IO);
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find(warning), std::string::npos) << err;
  };
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  loadExpectingError("not a regular file");
  std::remove(path.c_str());
  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0);
  loadExpectingError("not a regular file");
  ::rmdir(path.c_str());
  if (::mknod(path.c_str(), S_IFCHR | 0600, ::makedev(1, 5)) == 0) {
    loadExpectingError("not a regular file"); // a /dev/zero stand-in
    std::remove(path.c_str());
  }
  // Sparse: 65 MiB of zeros that take no disk.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 65 << 20), 0);
  ::close(fd);
  loadExpectingError("larger than 64 MiB");
}

// Savers in several processes at once keep each other's decisions: the
// read, merge and rename happen under a lock.
TEST_F(DispatchTableTest, ConcurrentSaversKeepEveryDecision) {
  constexpr int kWriters = 4, kRounds = 10;
  std::string device = mkrtGetDeviceName(MKRT_TARGET_CPU);
  for (int round = 0; round < kRounds; ++round) {
    std::remove(path.c_str());
    std::vector<pid_t> children;
    for (int writer = 0; writer < kWriters; ++writer) {
      pid_t child = ::fork();
      ASSERT_GE(child, 0);
      if (child == 0) {
        mkrtReset();
        FakeSite site("writer-" + std::to_string(writer), {{4}, {8}});
        Scenario scenario;
        std::vector<float> out(1);
        bool ok = dispatch1d(site, scenario, 4, out) == MKRT_SUCCESS &&
                  mkrtSaveTable(path.c_str()) == MKRT_SUCCESS;
        ::_exit(ok ? 0 : 1);
      }
      children.push_back(child);
    }
    for (pid_t child : children) {
      int status = 0;
      ASSERT_EQ(::waitpid(child, &status, 0), child);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    std::string text = readFile(path);
    for (int writer = 0; writer < kWriters; ++writer)
      EXPECT_NE(text.find("\twriter-" + std::to_string(writer) + "\t4\t"),
                std::string::npos)
          << "round " << round << ":\n"
          << text;
  }
  EXPECT_TRUE(filesBeside(".tmp.").empty());
}

// A key counts once in tableHits however often tables name it.
TEST_F(DispatchTableTest, TableHitsCountAKeyOnce) {
  std::string device = mkrtGetDeviceName(MKRT_TARGET_CPU);
  writeFile(path, header() + line(device, "once", "4", 1, 2) +
                      line(device, "once", "4", 1, 2));
  ASSERT_EQ(mkrtLoadTable(path.c_str()), MKRT_SUCCESS);
  ASSERT_EQ(mkrtLoadTable(path.c_str()), MKRT_SUCCESS);
  FakeSite site("once", {{4}, {8}});
  Scenario scenario;
  std::vector<float> out(1);
  ASSERT_EQ(dispatch1d(site, scenario, 4, out), MKRT_SUCCESS);
  EXPECT_EQ(site.stats().benchmarks, 0);
  EXPECT_EQ(site.stats().tableHits, 1);
  // Loaded again while the site is in use.
  ASSERT_EQ(mkrtLoadTable(path.c_str()), MKRT_SUCCESS);
  EXPECT_EQ(site.stats().tableHits, 1);
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
      {"signed-version",
       "multikernel-dispatch-table +1\n" + line(device, "bad", "4", 1, 2),
       "version '+1' is not supported", MKRT_ERROR_IO},
      {"spaced-version",
       "multikernel-dispatch-table 1 \n" + line(device, "bad", "4", 1, 2),
       "version '1 ' is not supported", MKRT_ERROR_IO},
      {"signed-variant",
       header() + line(device, "bad", "4", 1, 2)
                      .replace(line(device, "bad", "4", 1, 2).find("\t1\t"), 3,
                               "\t+1\t"),
       "malformed", MKRT_SUCCESS},
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

// What a table says reaches messages with its control characters escaped.
TEST_F(DispatchTableTest, WarningsEscapeWhatTheTableSays) {
  writeFile(path, header() + line("cpu:\x1b[2J\rforged", "escape", "4", 1, 2));
  ASSERT_EQ(mkrtLoadTable(path.c_str()), MKRT_SUCCESS);
  FakeSite site("escape", {{4}, {8}});
  Scenario scenario;
  std::vector<float> out(1);
  ::testing::internal::CaptureStderr();
  ASSERT_EQ(dispatch1d(site, scenario, 4, out), MKRT_SUCCESS);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("made on device 'cpu:\\x1b[2J\\x0dforged'"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find_first_of("\x1b\r"), std::string::npos) << err;
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

//===----------------------------------------------------------------------===//
// Decisions shared by a job's processes (mkrtShareDecisions). One process
// plays each role here; test/Runtime/shared-decisions.test runs two.
//===----------------------------------------------------------------------===//

class SharedDecisionsTest : public DispatchTableTest {
protected:
  void TearDown() override {
    mkrtShareDecisions(nullptr, 0, 0);
    DispatchTableTest::TearDown();
  }
};

TEST_F(SharedDecisionsTest, AFollowerRunsTheLeadersDecision) {
  // The leader's decision (variant 0, the slower one here) appears while
  // the follower waits: it runs that, benchmarks nothing.
  std::string device = mkrtGetDeviceName(MKRT_TARGET_CPU);
  ASSERT_EQ(mkrtShareDecisions(path.c_str(), /*leader=*/0, 5000), MKRT_SUCCESS);
  std::thread leader([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    writeFile(path + ".new", header() + line(device, "shared", "7", 0, 2));
    std::rename((path + ".new").c_str(), path.c_str());
  });
  FakeSite site("shared", {{4}, {8}});
  Scenario scenario;
  scenario.cost = variantOneFastest;
  std::vector<float> out(1);
  ASSERT_EQ(dispatch1d(site, scenario, 7, out), MKRT_SUCCESS);
  leader.join();
  EXPECT_EQ(out[0], 100.0f);
  EXPECT_EQ(scenario.totalRuns(), 1);
  EXPECT_EQ(site.stats().benchmarks, 0);
  EXPECT_EQ(site.stats().tableHits, 1);
  // Cached: the next call of the key reads nothing.
  std::remove(path.c_str());
  ASSERT_EQ(dispatch1d(site, scenario, 7, out), MKRT_SUCCESS);
  EXPECT_EQ(site.stats().hits, 1);
}

TEST_F(SharedDecisionsTest, AFollowerBenchmarksWhenNoDecisionComes) {
  ASSERT_EQ(mkrtShareDecisions(path.c_str(), /*leader=*/0, 20), MKRT_SUCCESS);
  FakeSite site("lonely", {{4}, {8}});
  Scenario scenario;
  scenario.cost = variantOneFastest;
  std::vector<float> out(1);
  ::testing::internal::CaptureStderr();
  ASSERT_EQ(dispatch1d(site, scenario, 7, out), MKRT_SUCCESS);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("site 'lonely': the leader's decision did not appear for "
                     "key (7) in the shared table"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("benchmarking here"), std::string::npos) << err;
  EXPECT_EQ(site.stats().benchmarks, 1);
  EXPECT_EQ(out[0], 101.0f);
}

TEST_F(SharedDecisionsTest, ALeaderPublishesEachDecision) {
  ASSERT_EQ(mkrtShareDecisions(path.c_str(), /*leader=*/1, 1000), MKRT_SUCCESS);
  FakeSite site("published", {{4}, {8}});
  Scenario scenario;
  scenario.cost = variantOneFastest;
  std::vector<float> out(1);
  ASSERT_EQ(dispatch1d(site, scenario, 5, out), MKRT_SUCCESS);
  ASSERT_EQ(dispatch1d(site, scenario, 9, out), MKRT_SUCCESS);
  EXPECT_EQ(site.stats().benchmarks, 2);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  std::string device = mkrtGetDeviceName(MKRT_TARGET_CPU);
  EXPECT_NE(text.find(line(device, "published", "5", 1, 2)), std::string::npos)
      << text;
  EXPECT_NE(text.find(line(device, "published", "9", 1, 2)), std::string::npos)
      << text;
}

/// A job's exchange, as a key-value store in this process.
std::map<std::string, int32_t> &exchangeStore() {
  static std::map<std::string, int32_t> store;
  return store;
}
int32_t exchange(void *calls, const char *name, int32_t variant) {
  ++*static_cast<int *>(calls);
  if (variant >= 0)
    return exchangeStore()[name] = variant;
  auto found = exchangeStore().find(name);
  return found == exchangeStore().end() ? -1 : found->second;
}

TEST_F(SharedDecisionsTest, ThroughTheJobsOwnExchange) {
  int calls = 0;
  std::string device = mkrtGetDeviceName(MKRT_TARGET_CPU);
  ASSERT_EQ(mkrtShareDecisionsWith(exchange, &calls, /*leader=*/1),
            MKRT_SUCCESS);
  FakeSite site("exchanged", {{4}, {8}});
  Scenario scenario;
  scenario.cost = variantOneFastest;
  std::vector<float> out(1);
  ASSERT_EQ(dispatch1d(site, scenario, 5, out), MKRT_SUCCESS);
  EXPECT_EQ(calls, 1);
  std::string name = device + "\ttest-module\texchanged\t(5)\t2";
  ASSERT_EQ(exchangeStore().count(name), 1u) << exchangeStore().begin()->first;
  EXPECT_EQ(exchangeStore()[name], 1);

  // A follower (this process again, its decisions forgotten) runs what the
  // store says, here variant 0 for the same shape, and benchmarks nothing.
  mkrtReset();
  exchangeStore()[name] = 0;
  ASSERT_EQ(mkrtShareDecisionsWith(exchange, &calls, /*leader=*/0),
            MKRT_SUCCESS);
  ASSERT_EQ(dispatch1d(site, scenario, 5, out), MKRT_SUCCESS);
  EXPECT_EQ(out[0], 100.0f);
  EXPECT_EQ(site.stats().benchmarks, 0);
  EXPECT_EQ(site.stats().tableHits, 1);
  // Nothing under a shape's name: it benchmarks, and says why.
  ::testing::internal::CaptureStderr();
  ASSERT_EQ(dispatch1d(site, scenario, 6, out), MKRT_SUCCESS);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("the leader's decision did not appear for key (6) from "
                     "the job's exchange"),
            std::string::npos)
      << err;
  EXPECT_EQ(site.stats().benchmarks, 1);
  ASSERT_EQ(mkrtShareDecisionsWith(nullptr, nullptr, 0), MKRT_SUCCESS);
}

TEST_F(SharedDecisionsTest, SettingsAreChecked) {
  EXPECT_EQ(mkrtShareDecisions(path.c_str(), 0, 0),
            MKRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(mkrtShareDecisions(path.c_str(), 0, -1),
            MKRT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(mkrtShareDecisions("", 0, 0), MKRT_SUCCESS); // off
}

} // namespace
