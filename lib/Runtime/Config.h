//===- Config.h - runtime settings ------------------------------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Process-wide settings of the runtime: set through the C API or, once at
// first use, from MULTIKERNEL_* environment variables. Every field is an
// atomic so that dispatching threads read it without a lock.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_LIB_RUNTIME_CONFIG_H
#define MULTIKERNEL_LIB_RUNTIME_CONFIG_H

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace multikernel::runtime {

enum class Policy : int32_t { Benchmark, NearestHint, Fixed, Amortized };
enum class Bucketing : int32_t { Exact, Pow2 };
enum class ConcurrentMiss : int32_t { Wait, NearestHint };

struct PolicySetting {
  Policy policy;
  int32_t fixedVariant; // meaningful for Policy::Fixed
};

/// Parsers shared by the C API setters and the environment.
std::optional<PolicySetting> parsePolicy(const std::string &text);
std::optional<Bucketing> parseBucketing(const std::string &text);
std::optional<ConcurrentMiss> parseConcurrentMiss(const std::string &text);
std::optional<double> parsePositiveNumber(const std::string &text);
std::optional<double> parseNonNegativeNumber(const std::string &text);
std::optional<bool> parseFlag(const std::string &text);

/// The value of the environment variable `name`, or null. Read with
/// secure_getenv: a setuid or setgid program that links the runtime does not
/// take settings (a cache file to write, a driver library to load) from the
/// environment of whoever started it.
const char *environmentValue(const char *name);

/// `text` with control characters escaped as \xNN, for messages that quote
/// names from descriptors or files: a newline in a site name cannot forge a
/// log line, an escape sequence cannot drive the terminal.
std::string printable(const std::string &text);

/// Decisions shared by the processes of a job (MULTIKERNEL_SHARED_TABLE,
/// mkrtShareDecisions): the leader publishes each decision to the table
/// file, the others wait for it there instead of benchmarking.
struct SharedDecisions {
  std::string path; // the table file, or empty
  /// A job's own channel instead of the file (mkrtShareDecisionsWith).
  int32_t (*exchange)(void *, const char *, int32_t) = nullptr;
  void *user = nullptr;
  bool leader = false;
  int64_t timeoutNanos = 60'000'000'000;

  bool enabled() const { return !path.empty() || exchange; }
};

struct Config {
  std::atomic<Policy> policy{Policy::Benchmark};
  std::atomic<int32_t> fixedVariant{0};
  std::atomic<Bucketing> bucketing{Bucketing::Exact};
  std::atomic<ConcurrentMiss> concurrentMiss{ConcurrentMiss::Wait};
  std::atomic<int64_t> benchmarkBudgetNanos{20'000'000};
  /// At most this many timed runs of each variant (the budget allowing).
  std::atomic<int32_t> benchmarkRuns{10};
  /// Bytes of the memset that precedes each timed GPU run (0: none); see
  /// gpu::EventTimer.
  std::atomic<int64_t> benchmarkLeadInBytes{32 << 20};
  std::atomic<int64_t> maxCacheEntries{4096};
  std::atomic<bool> logging{false};
  // Only read at exit; set once from the environment.
  bool statsAtExit = false;
  std::string cacheFile;

  /// A copy of the shared-decisions setting (read on misses only).
  SharedDecisions sharedDecisions() const {
    std::lock_guard<std::mutex> lock(sharedMutex);
    return shared;
  }
  void setSharedDecisions(SharedDecisions value) {
    std::lock_guard<std::mutex> lock(sharedMutex);
    shared = std::move(value);
  }

  /// Reads the MULTIKERNEL_* variables; a bad value is reported once on
  /// stderr and the default kept.
  void readEnvironment();

private:
  mutable std::mutex sharedMutex;
  SharedDecisions shared;
};

} // namespace multikernel::runtime

#endif // MULTIKERNEL_LIB_RUNTIME_CONFIG_H
