//===- Config.cpp - runtime settings --------------------------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "Config.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace multikernel::runtime {

std::optional<PolicySetting> parsePolicy(const std::string &text) {
  if (text == "benchmark")
    return PolicySetting{Policy::Benchmark, 0};
  if (text == "nearest-hint")
    return PolicySetting{Policy::NearestHint, 0};
  if (text == "amortized")
    return PolicySetting{Policy::Amortized, 0};
  const std::string fixedPrefix = "fixed:";
  if (text.compare(0, fixedPrefix.size(), fixedPrefix) == 0) {
    std::string number = text.substr(fixedPrefix.size());
    if (number.empty() ||
        number.find_first_not_of("0123456789") != std::string::npos ||
        number.size() > 9)
      return std::nullopt;
    return PolicySetting{Policy::Fixed, std::atoi(number.c_str())};
  }
  return std::nullopt;
}

std::optional<Bucketing> parseBucketing(const std::string &text) {
  if (text == "exact")
    return Bucketing::Exact;
  if (text == "pow2")
    return Bucketing::Pow2;
  return std::nullopt;
}

std::optional<ConcurrentMiss> parseConcurrentMiss(const std::string &text) {
  if (text == "wait")
    return ConcurrentMiss::Wait;
  if (text == "nearest-hint")
    return ConcurrentMiss::NearestHint;
  return std::nullopt;
}

std::optional<double> parsePositiveNumber(const std::string &text) {
  if (text.empty())
    return std::nullopt;
  char *end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(value) || value <= 0)
    return std::nullopt;
  return value;
}

std::optional<double> parseNonNegativeNumber(const std::string &text) {
  if (text == "0")
    return 0.0;
  return parsePositiveNumber(text);
}

std::optional<bool> parseFlag(const std::string &text) {
  if (text == "1" || text == "true" || text == "on" || text == "yes")
    return true;
  if (text == "0" || text == "false" || text == "off" || text == "no" ||
      text.empty())
    return false;
  return std::nullopt;
}

const char *environmentValue(const char *name) {
#ifdef __GLIBC__
  return ::secure_getenv(name);
#else
  return std::getenv(name);
#endif
}

std::string printable(const std::string &text) {
  std::string result;
  result.reserve(text.size());
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      result += escaped;
    } else {
      result += static_cast<char>(c);
    }
  }
  return result;
}

namespace {
void reportBadValue(const char *variable, const char *value,
                    const char *expected) {
  std::fprintf(stderr,
               "multikernel: ignoring %s='%s' (expected %s); using the "
               "default\n",
               variable, printable(value).c_str(), expected);
}
} // namespace

void Config::readEnvironment() {
  if (const char *value = environmentValue("MULTIKERNEL_POLICY")) {
    if (auto parsed = parsePolicy(value)) {
      policy.store(parsed->policy);
      fixedVariant.store(parsed->fixedVariant);
    } else {
      reportBadValue("MULTIKERNEL_POLICY", value,
                     "benchmark, nearest-hint or fixed:N");
    }
  }
  if (const char *value = environmentValue("MULTIKERNEL_KEY")) {
    if (auto parsed = parseBucketing(value))
      bucketing.store(*parsed);
    else
      reportBadValue("MULTIKERNEL_KEY", value, "exact or pow2");
  }
  if (const char *value = environmentValue("MULTIKERNEL_CONCURRENT_MISS")) {
    if (auto parsed = parseConcurrentMiss(value))
      concurrentMiss.store(*parsed);
    else
      reportBadValue("MULTIKERNEL_CONCURRENT_MISS", value,
                     "wait or nearest-hint");
  }
  if (const char *value = environmentValue("MULTIKERNEL_BENCH_MS")) {
    if (auto parsed = parsePositiveNumber(value))
      benchmarkBudgetNanos.store(static_cast<int64_t>(*parsed * 1e6));
    else
      reportBadValue("MULTIKERNEL_BENCH_MS", value,
                     "a positive number of milliseconds");
  }
  if (const char *value = environmentValue("MULTIKERNEL_BENCH_RUNS")) {
    auto parsed = parsePositiveNumber(value);
    if (parsed && *parsed == std::floor(*parsed) && *parsed <= 1000)
      benchmarkRuns.store(static_cast<int32_t>(*parsed));
    else
      reportBadValue("MULTIKERNEL_BENCH_RUNS", value,
                     "an integer from 1 to 1000");
  }
  if (const char *value = environmentValue("MULTIKERNEL_BENCH_LEAD_IN_MB")) {
    auto parsed = parseNonNegativeNumber(value);
    if (parsed && *parsed <= 4096)
      benchmarkLeadInBytes.store(static_cast<int64_t>(*parsed * (1 << 20)));
    else
      reportBadValue("MULTIKERNEL_BENCH_LEAD_IN_MB", value,
                     "a number of MiB from 0 to 4096");
  }
  if (const char *value = environmentValue("MULTIKERNEL_MAX_ENTRIES")) {
    auto parsed = parsePositiveNumber(value);
    if (parsed && *parsed == std::floor(*parsed) && *parsed < 1e12)
      maxCacheEntries.store(static_cast<int64_t>(*parsed));
    else
      reportBadValue("MULTIKERNEL_MAX_ENTRIES", value, "a positive integer");
  }
  if (const char *value = environmentValue("MULTIKERNEL_STATS")) {
    if (auto parsed = parseFlag(value))
      statsAtExit = *parsed;
    else
      reportBadValue("MULTIKERNEL_STATS", value, "0 or 1");
  }
  if (const char *value = environmentValue("MULTIKERNEL_LOG")) {
    if (auto parsed = parseFlag(value))
      logging.store(*parsed);
    else
      reportBadValue("MULTIKERNEL_LOG", value, "0 or 1");
  }
  if (const char *value = environmentValue("MULTIKERNEL_CACHE_FILE"))
    cacheFile = value;
  if (const char *value = environmentValue("MULTIKERNEL_SHARED_TABLE")) {
    // The leader is rank 0: MULTIKERNEL_RANK, else torchrun's RANK.
    // An empty variable counts as unset.
    const char *rank = environmentValue("MULTIKERNEL_RANK");
    const char *rankVariable = "MULTIKERNEL_RANK";
    if (!rank || !*rank) {
      rank = environmentValue("RANK");
      rankVariable = "RANK";
    }
    if (rank && !*rank)
      rank = nullptr;
    auto parsedRank = rank ? parseNonNegativeNumber(rank) : std::nullopt;
    SharedDecisions setting;
    if (!*value) {
      // Empty: not shared.
    } else if (!rank) {
      std::fprintf(stderr,
                   "multikernel: MULTIKERNEL_SHARED_TABLE='%s' needs the "
                   "process's rank (MULTIKERNEL_RANK, or RANK as torchrun "
                   "sets it); decisions are not shared\n",
                   printable(value).c_str());
    } else if (!parsedRank || *parsedRank != std::floor(*parsedRank)) {
      reportBadValue(rankVariable, rank, "a non-negative integer rank");
    } else {
      setting.path = value;
      setting.leader = *parsedRank == 0;
    }
    if (const char *timeout =
            environmentValue("MULTIKERNEL_SHARED_TIMEOUT_MS")) {
      if (auto parsed = parsePositiveNumber(timeout))
        setting.timeoutNanos = static_cast<int64_t>(*parsed * 1e6);
      else
        reportBadValue("MULTIKERNEL_SHARED_TIMEOUT_MS", timeout,
                       "a positive number of milliseconds");
    }
    setSharedDecisions(std::move(setting));
  }
}

} // namespace multikernel::runtime
