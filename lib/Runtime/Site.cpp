//===- Site.cpp - per-site dispatch state ---------------------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "Site.h"

#include "Benchmark.h"
#include "GpuSupport.h"
#include "Runtime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace multikernel::runtime {

namespace {
int64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string formatKey(const int64_t *key, int rank) {
  std::string text = "(";
  for (int d = 0; d < rank; ++d) {
    if (d)
      text += ", ";
    text += std::to_string(key[d]);
  }
  return text + ")";
}

const char *sourceName(DecisionSource source) {
  switch (source) {
  case DecisionSource::Benchmark:
    return "benchmark";
  case DecisionSource::NearestHint:
    return "nearest-hint";
  case DecisionSource::Fixed:
    return "fixed";
  case DecisionSource::Table:
    return "table";
  }
  return "?";
}
} // namespace

void bucketKeyPow2(const int64_t *key, int rank, int64_t *bucketed) {
  for (int d = 0; d < rank; ++d) {
    int64_t size = key[d];
    if (size <= 1 || size > (int64_t(1) << 62)) {
      bucketed[d] = size;
      continue;
    }
    // The smallest power of two >= size.
    bucketed[d] = int64_t(1) << (64 - __builtin_clzll(uint64_t(size - 1)));
  }
}

namespace {
/// The sum of |log a - log b| over the `rank` sizes (sizes below one, of
/// empty tensors, count as one).
double logDistance(const int64_t *a, const int64_t *b, int rank) {
  double distance = 0;
  for (int d = 0; d < rank; ++d) {
    double x = a[d] < 1 ? 1.0 : static_cast<double>(a[d]);
    double y = b[d] < 1 ? 1.0 : static_cast<double>(b[d]);
    distance += std::fabs(std::log(x) - std::log(y));
  }
  return distance;
}
} // namespace

int32_t nearestHint(const MkrtSiteDescriptor &desc, const int64_t *key,
                    uint64_t excludedMask) {
  int32_t best = -1;
  double bestDistance = 0;
  for (int32_t v = 0; v < desc.numVariants; ++v) {
    if (excludedMask & (uint64_t(1) << v))
      continue;
    double distance =
        logDistance(key, desc.hints + v * desc.keyRank, desc.keyRank);
    if (best < 0 || distance < bestDistance) {
      best = v;
      bestDistance = distance;
    }
  }
  return best;
}

namespace {
std::vector<std::string> namesOf(const MkrtSiteDescriptor &desc) {
  std::vector<std::string> names(desc.numVariants);
  if (desc.variantNames)
    for (int32_t v = 0; v < desc.numVariants; ++v)
      if (desc.variantNames[v])
        names[v] = printable(desc.variantNames[v]);
  return names;
}
} // namespace

Site::Site(const MkrtSiteDescriptor &descriptor, int64_t maxEntries,
           int32_t deviceKind)
    : desc(descriptor), siteName(descriptor.name),
      printableName(printable(siteName)), variantNames(namesOf(descriptor)),
      kind(deviceKind),
      deviceName(deviceNameFor(descriptor.target, deviceKind)),
      module(descriptor.moduleId ? descriptor.moduleId : ""),
      cache(descriptor.keyRank, maxEntries) {}

void Site::countHit() {
  static std::atomic<unsigned> nextShard{0};
  thread_local unsigned shard = nextShard.fetch_add(1) % kHitShards;
  hitShards[shard].count.fetch_add(1, std::memory_order_relaxed);
}

int64_t Site::hitCount() const {
  int64_t total = 0;
  for (const HitShard &shard : hitShards)
    total += shard.count.load(std::memory_order_relaxed);
  return total;
}

int32_t Site::dispatch(const int64_t *key, void **args) {
  int32_t variant = cache.lookup(key);
  if (variant >= 0) {
    countHit();
    return runOrRecover(key, variant, args);
  }
  if (Runtime::get().config.policy.load() == Policy::Amortized &&
      desc.numVariants > 1 &&
      !(desc.target == MKRT_TARGET_CUDA && gpu::currentStreamIsCapturing()))
    return dispatchAmortized(key, args);
  return dispatchMiss(key, args);
}

namespace {
/// Runs of each variant the amortized policy times before deciding.
constexpr size_t kAmortizedSamples = 3;
/// A variant whose first two runs both took more than this times the
/// fastest run of any variant is not timed again (Benchmark.cpp's
/// contenders): it cannot win on noise, which only adds time, and each of
/// its runs is a real call that runs slow.
constexpr size_t kAmortizedContenderSamples = 2;
constexpr double kAmortizedContenderRatio = 1.5;

bool isExcluded(uint64_t mask, int32_t variant) {
  return mask & (uint64_t(1) << variant);
}
} // namespace

void Site::Exploration::collectFinishedRuns() {
  for (auto it = pending.begin(); it != pending.end();) {
    std::optional<double> nanos = it->timer->poll();
    if (!nanos) {
      ++it;
      continue;
    }
    if (*nanos >= 0)
      samples[it->variant].push_back(*nanos);
    it = pending.erase(it);
  }
}

int32_t Site::Exploration::nextToTime(uint64_t excludedMask) const {
  double fastest = std::numeric_limits<double>::infinity();
  for (int32_t v : order)
    if (!isExcluded(excludedMask, v))
      for (double nanos : samples[v])
        fastest = std::min(fastest, nanos);
  int32_t next = -1;
  size_t fewest = kAmortizedSamples;
  for (int32_t v : order) {
    if (isExcluded(excludedMask, v))
      continue;
    const std::vector<double> &timed = samples[v];
    if (timed.size() >= kAmortizedContenderSamples &&
        *std::min_element(timed.begin(), timed.end()) >
            kAmortizedContenderRatio * fastest)
      continue;
    size_t runs = samples[v].size();
    for (const PendingRun &run : pending)
      runs += run.variant == v;
    if (runs < fewest) {
      fewest = runs;
      next = v;
    }
  }
  return next;
}

Decision Site::Exploration::bestSoFar(uint64_t excludedMask) const {
  Decision decision;
  decision.source = DecisionSource::Benchmark;
  decision.variantNanos.assign(samples.size(), -1.0);
  for (int32_t v = 0; v < static_cast<int32_t>(samples.size()); ++v) {
    if (isExcluded(excludedMask, v) || samples[v].empty())
      continue;
    decision.variantNanos[v] = median(samples[v]);
    if (decision.variant < 0 ||
        decision.variantNanos[v] < decision.variantNanos[decision.variant])
      decision.variant = v;
  }
  return decision;
}

int32_t Site::dispatchAmortized(const int64_t *key, void **args) {
  Key keyVector(key, key + desc.keyRank);
  int32_t variant = -1;
  bool timedRun = false;
  std::optional<Decision> decidedNow;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = decided.find(keyVector);
    if (found != decided.end()) {
      // Decided after our lock-free lookup.
      countHit();
      variant = found->second.variant;
    } else {
      ++missCount;
      auto [entry, created] = exploring.try_emplace(keyVector);
      Exploration &exploration = entry->second;
      if (created) {
        // Keys explored but never decided (a shape seen once) are bounded
        // like decisions.
        if (static_cast<int64_t>(exploring.size()) >
            Runtime::get().config.maxCacheEntries.load())
          exploring.erase(exploring.begin() == entry ? std::next(entry)
                                                     : exploring.begin());
        exploration.samples.resize(desc.numVariants);
        int32_t first = provisionalVariantLocked(key);
        if (first >= 0)
          exploration.order.push_back(first);
        for (int32_t v = 0; v < desc.numVariants; ++v)
          if (v != first)
            exploration.order.push_back(v);
      }
      exploration.collectFinishedRuns();
      uint64_t excludedMask = excluded.load();
      variant = exploration.nextToTime(excludedMask);
      timedRun = variant >= 0;
      if (!timedRun) {
        // Every variant has its runs: decide once they are all read; until
        // then (GPU runs still in flight) run the best so far, untimed.
        Decision decision = exploration.bestSoFar(excludedMask);
        variant = decision.variant;
        if (exploration.pending.empty()) {
          exploring.erase(entry);
          if (decision.variant >= 0) {
            ++benchmarkCount;
            insertDecisionLocked(keyVector, decision);
            decidedNow = std::move(decision);
          }
        }
      }
    }
  }
  if (decidedNow && Runtime::get().config.logging.load())
    logDecision(keyVector, *decidedNow, 0);
  // No sample at all (every timing failed): the nearest hint, uncached.
  if (variant < 0)
    variant = nearestHintVariant(key);
  if (variant < 0) {
    std::fprintf(stderr,
                 "multikernel: site '%s': no variant can run for key %s\n",
                 printableName.c_str(), formatKey(key, desc.keyRank).c_str());
    return MKRT_ERROR_ALL_VARIANTS_FAILED;
  }
  if (!timedRun)
    return runOrRecover(key, variant, args);

  // One timed run of `variant`, which computes this call's results.
  int32_t status;
  std::unique_ptr<gpu::EventTimer> timer;
  double nanos = -1;
  if (desc.target == MKRT_TARGET_CUDA) {
    timer = std::make_unique<gpu::EventTimer>(0);
    if (!timer->valid())
      timer.reset();
    if (timer)
      timer->start();
    status = runVariant(variant, args);
    if (timer)
      timer->recordStop();
  } else {
    int64_t start = cpuBenchmarkNanos();
    status = runVariant(variant, args);
    nanos = static_cast<double>(cpuBenchmarkNanos() - start);
  }
  if (status != MKRT_SUCCESS) {
    // A failed launch wrote nothing: another variant computes the call.
    excludeVariant(variant, "it failed when run");
    return dispatchAmortized(key, args);
  }
  std::lock_guard<std::mutex> lock(mutex);
  auto entry = exploring.find(keyVector);
  if (entry == exploring.end())
    return MKRT_SUCCESS;
  if (timer)
    entry->second.pending.push_back({variant, std::move(timer)});
  else if (desc.target != MKRT_TARGET_CUDA)
    entry->second.samples[variant].push_back(nanos);
  return MKRT_SUCCESS;
}

int32_t Site::runVariant(int32_t variant, void **args) {
  if (desc.target != MKRT_TARGET_CUDA) {
    desc.variants[variant](args);
    return MKRT_SUCCESS;
  }
  return runVariantChecked(desc, variant, args) ? MKRT_SUCCESS
                                                : MKRT_ERROR_VARIANT_FAILED;
}

int32_t Site::runOrRecover(const int64_t *key, int32_t variant, void **args) {
  int32_t status = runVariant(variant, args);
  if (status == MKRT_SUCCESS)
    return status;
  // A failed launch wrote nothing: exclude the variant, forget the
  // decisions that chose it, and decide this key again.
  excludeVariant(variant, "it failed when run");
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto it = decided.begin(); it != decided.end();) {
      if (it->second.variant == variant) {
        cache.erase(it->first.data());
        it = decided.erase(it);
      } else {
        ++it;
      }
    }
    insertionOrder.clear();
    for (const auto &entry : decided)
      insertionOrder.push_back(entry.first);
  }
  return dispatchMiss(key, args);
}

void Site::excludeVariant(int32_t variant, const char *why) {
  uint64_t bit = uint64_t(1) << variant;
  if (excluded.fetch_or(bit) & bit)
    return;
  std::fprintf(stderr,
               "multikernel: site '%s': variant %d excluded because %s\n",
               printableName.c_str(), variant, why);
}

int32_t Site::dispatchMiss(const int64_t *key, void **args) {
  Key keyVector(key, key + desc.keyRank);
  std::shared_ptr<InFlight> flight;
  {
    std::unique_lock<std::mutex> lock(mutex);
    auto found = decided.find(keyVector);
    if (found != decided.end()) {
      // Decided after our lock-free lookup, or the lookup raced a writer.
      int32_t variant = found->second.variant;
      lock.unlock();
      countHit();
      return runOrRecover(key, variant, args);
    }
    ++missCount;
    auto pendingFlight = inFlight.find(keyVector);
    if (pendingFlight != inFlight.end()) {
      std::shared_ptr<InFlight> other = pendingFlight->second;
      if (Runtime::get().config.concurrentMiss.load() ==
          ConcurrentMiss::NearestHint) {
        lock.unlock();
        int32_t variant = nearestHintVariant(key);
        if (variant < 0)
          return MKRT_ERROR_ALL_VARIANTS_FAILED;
        return runVariant(variant, args);
      }
      other->cv.wait(lock, [&] { return other->done; });
      int32_t variant = other->variant;
      lock.unlock();
      if (variant < 0)
        return MKRT_ERROR_ALL_VARIANTS_FAILED;
      return runOrRecover(key, variant, args);
    }
    flight = std::make_shared<InFlight>();
    inFlight.emplace(keyVector, flight);
  }

  Decision decision;
  bool cacheable = true;
  int64_t started = nowNanos();
  int32_t variant = decide(key, args, decision, cacheable);
  int64_t elapsed = nowNanos() - started;

  {
    std::lock_guard<std::mutex> lock(mutex);
    if (decision.source == DecisionSource::Benchmark &&
        !decision.variantNanos.empty()) {
      ++benchmarkCount;
      benchmarkNanos += elapsed;
    }
    if (decision.source == DecisionSource::Table)
      ++tableCount; // a shared decision, taken from the leader's table
    if (variant >= 0 && cacheable)
      insertDecisionLocked(keyVector, decision);
    flight->done = true;
    flight->variant = variant;
    inFlight.erase(keyVector);
  }
  flight->cv.notify_all();

  if (Runtime::get().config.logging.load(std::memory_order_relaxed))
    logDecision(keyVector, decision, elapsed);
  if (variant < 0) {
    std::fprintf(stderr,
                 "multikernel: site '%s': no variant can run for key %s\n",
                 printableName.c_str(), formatKey(key, desc.keyRank).c_str());
    return MKRT_ERROR_ALL_VARIANTS_FAILED;
  }
  return runOrRecover(key, variant, args);
}

int32_t Site::nearestHintVariant(const int64_t *key) const {
  return nearestHint(desc, key, excluded.load());
}

int32_t Site::provisionalVariantLocked(const int64_t *key) const {
  uint64_t excludedMask = excluded.load();
  int32_t best = -1;
  double bestDistance = 0;
  for (const auto &[other, decision] : decided) {
    if (decision.variant < 0 || isExcluded(excludedMask, decision.variant))
      continue;
    double distance = logDistance(key, other.data(), desc.keyRank);
    if (best < 0 || distance < bestDistance) {
      best = decision.variant;
      bestDistance = distance;
    }
  }
  return best >= 0 ? best : nearestHintVariant(key);
}

int32_t Site::provisionalVariant(const int64_t *key) {
  std::lock_guard<std::mutex> lock(mutex);
  return provisionalVariantLocked(key);
}

int32_t Site::decide(const int64_t *key, void **args, Decision &decision,
                     bool &cacheable) {
  const Config &config = Runtime::get().config;
  decision.variantNanos.assign(desc.numVariants, -1.0);

  // Benchmarking is illegal while a CUDA graph is being captured: run what
  // the nearest decided key chose (else the nearest hint's) for now and
  // decide properly on a later, uncaptured call.
  if (desc.target == MKRT_TARGET_CUDA && gpu::currentStreamIsCapturing()) {
    cacheable = false;
    decision.source = DecisionSource::NearestHint;
    decision.variantNanos.clear();
    decision.variant = provisionalVariant(key);
    return decision.variant;
  }

  switch (config.policy.load()) {
  case Policy::Fixed: {
    int32_t fixed = config.fixedVariant.load();
    decision.source = DecisionSource::Fixed;
    decision.variantNanos.clear();
    if (fixed < desc.numVariants &&
        !(excluded.load() & (uint64_t(1) << fixed))) {
      decision.variant = fixed;
      return fixed;
    }
    // The fixed variant does not exist here: the nearest hint is the
    // documented fallback, and it is not cached so that the fixed policy
    // applies again if the setting changes.
    cacheable = false;
    decision.variant = nearestHintVariant(key);
    return decision.variant;
  }
  case Policy::NearestHint:
    decision.source = DecisionSource::NearestHint;
    decision.variantNanos.clear();
    decision.variant = nearestHintVariant(key);
    return decision.variant;
  case Policy::Benchmark:
    break;
  case Policy::Amortized:
    // Only sites of one variant get here (dispatch takes the others to
    // dispatchAmortized): the single variant, below.
    break;
  }

  decision.source = DecisionSource::Benchmark;
  if (desc.numVariants == 1 && !(excluded.load() & 1)) {
    decision.variantNanos.clear();
    decision.variant = 0;
    return 0;
  }

  // Decisions shared by a job's processes: the others take the leader's.
  SharedDecisions shared = config.sharedDecisions();
  if (shared.enabled() && !shared.leader) {
    int32_t leaders = sharedDecision(shared, key);
    if (leaders >= 0) {
      decision.source = DecisionSource::Table;
      decision.variantNanos.clear();
      decision.variant = leaders;
      return leaders;
    }
  }

  WrittenSnapshot snapshot;
  std::string error;
  if (!snapshot.capture(desc, args, error)) {
    std::fprintf(stderr,
                 "multikernel: site '%s': cannot snapshot the written "
                 "arguments (%s); using the nearest hint without "
                 "benchmarking\n",
                 printableName.c_str(), error.c_str());
    cacheable = false;
    decision.source = DecisionSource::NearestHint;
    decision.variantNanos.clear();
    decision.variant = nearestHintVariant(key);
    return decision.variant;
  }
  BenchmarkResult result = benchmarkVariants(
      desc, args, excluded.load(), config.benchmarkBudgetNanos.load(),
      config.benchmarkRuns.load(), config.benchmarkLeadInBytes.load(),
      snapshot);
  for (int32_t failed : result.failed)
    excludeVariant(failed, "it failed while being benchmarked");
  decision.variantNanos = result.medianNanos;
  decision.variant = result.best;
  if (shared.enabled() && shared.leader && result.best >= 0)
    shareDecision(shared, key, result.best);
  return result.best;
}

namespace {
/// The decision of `key` at `site` as a table line, its variant unset.
TableEntry sharedEntry(const Site &site, const int64_t *key) {
  return TableEntry{site.device(),  site.moduleId(),
                    site.name(),    Key(key, key + site.keyRank()),
                    /*variant=*/-1, site.numVariants()};
}

/// What a job's exchange calls the decision of `entry`.
std::string exchangeName(const TableEntry &entry) {
  return entry.device + "\t" + entry.moduleId + "\t" + entry.site + "\t" +
         formatKey(entry.key.data(), static_cast<int>(entry.key.size())) +
         "\t" + std::to_string(entry.numVariants);
}
} // namespace

int32_t Site::sharedDecision(const SharedDecisions &shared,
                             const int64_t *key) {
  TableEntry entry = sharedEntry(*this, key);
  int32_t leaders =
      shared.exchange
          ? shared.exchange(shared.user, exchangeName(entry).c_str(), -1)
          : awaitTableEntry(shared.path, entry, shared.timeoutNanos);
  if (leaders >= 0 && leaders < desc.numVariants &&
      !(excluded.load() & (uint64_t(1) << leaders)))
    return leaders;
  std::string where =
      shared.exchange
          ? std::string("from the job's exchange")
          : "in the shared table '" + printable(shared.path) + "' after " +
                std::to_string(shared.timeoutNanos / 1'000'000) + " ms";
  std::fprintf(stderr,
               "multikernel: site '%s': %s for key %s %s; benchmarking here "
               "(this process may pick another variant than the others)\n",
               printableName.c_str(),
               leaders < 0 ? "the leader's decision did not appear"
                           : "the leader's variant cannot run here",
               formatKey(key, desc.keyRank).c_str(), where.c_str());
  return -1;
}

void Site::shareDecision(const SharedDecisions &shared, const int64_t *key,
                         int32_t variant) {
  TableEntry entry = sharedEntry(*this, key);
  entry.variant = variant;
  bool published =
      shared.exchange
          ? shared.exchange(shared.user, exchangeName(entry).c_str(),
                            variant) >= 0
          : saveTableFile(shared.path, {entry}) == MKRT_SUCCESS;
  if (!published)
    std::fprintf(stderr,
                 "multikernel: site '%s': the decision for key %s could not "
                 "be shared; the other processes benchmark it themselves "
                 "after their timeout\n",
                 printableName.c_str(), formatKey(key, desc.keyRank).c_str());
}

void Site::insertDecisionLocked(const Key &key, Decision decision) {
  int64_t bound = Runtime::get().config.maxCacheEntries.load();
  cache.setMaxEntries(bound);
  auto existing = decided.find(key);
  if (existing == decided.end()) {
    while (!insertionOrder.empty() &&
           static_cast<int64_t>(decided.size()) >= bound) {
      const Key &oldest = insertionOrder.front();
      cache.erase(oldest.data());
      decided.erase(oldest);
      insertionOrder.pop_front();
      ++evictionCount;
    }
    insertionOrder.push_back(key);
  }
  cache.insert(key.data(), decision.variant);
  decided[key] = std::move(decision);
}

bool Site::addTableDecision(const int64_t *key, int32_t variant) {
  if (variant < 0 || variant >= desc.numVariants ||
      (excluded.load() & (uint64_t(1) << variant)))
    return false;
  Decision decision;
  decision.variant = variant;
  decision.source = DecisionSource::Table;
  std::lock_guard<std::mutex> lock(mutex);
  Key tableKey(key, key + desc.keyRank);
  // A key counts once however often tables name it (a table loaded twice,
  // an embedded one and a file).
  auto existing = decided.find(tableKey);
  if (existing == decided.end() ||
      existing->second.source != DecisionSource::Table)
    ++tableCount;
  insertDecisionLocked(tableKey, std::move(decision));
  return true;
}

void Site::logDecision(const Key &key, const Decision &decision,
                       int64_t elapsedNanos) const {
  std::string line = "multikernel: site '" + printableName + "' key " +
                     formatKey(key.data(), desc.keyRank) + ":";
  for (size_t v = 0; v < decision.variantNanos.size(); ++v) {
    char buffer[64];
    if (decision.variantNanos[v] < 0)
      std::snprintf(buffer, sizeof(buffer), " v%zu=-", v);
    else
      std::snprintf(buffer, sizeof(buffer), " v%zu=%.2fus", v,
                    decision.variantNanos[v] / 1e3);
    line += buffer;
  }
  char tail[96];
  std::snprintf(tail, sizeof(tail), " -> variant %d", decision.variant);
  line += tail;
  if (decision.variant >= 0 && !variantNames[decision.variant].empty())
    line += " '" + variantNames[decision.variant] + "'";
  std::snprintf(tail, sizeof(tail), " (%s, %.3f ms)\n",
                sourceName(decision.source), elapsedNanos / 1e6);
  line += tail;
  std::fputs(line.c_str(), stderr);
}

MkrtSiteStats Site::stats() {
  std::lock_guard<std::mutex> lock(mutex);
  MkrtSiteStats stats{};
  stats.name = siteName.c_str();
  stats.moduleId = module.c_str();
  stats.hits = hitCount();
  stats.misses = missCount;
  stats.calls = stats.hits + stats.misses;
  stats.benchmarks = benchmarkCount;
  stats.benchmarkNanos = benchmarkNanos;
  stats.cachedKeys = static_cast<int64_t>(decided.size());
  stats.evictions = evictionCount;
  stats.tableHits = tableCount;
  stats.numVariants = desc.numVariants;
  stats.keyRank = desc.keyRank;
  stats.excludedVariants = excluded.load();
  return stats;
}

std::vector<std::pair<Key, Decision>> Site::decisions() {
  std::lock_guard<std::mutex> lock(mutex);
  std::vector<std::pair<Key, Decision>> result;
  for (const Key &key : insertionOrder)
    result.emplace_back(key, decided.at(key));
  return result;
}

void Site::reset() {
  std::lock_guard<std::mutex> lock(mutex);
  cache.clear();
  decided.clear();
  insertionOrder.clear();
  exploring.clear();
  excluded.store(0);
  for (HitShard &shard : hitShards)
    shard.count.store(0);
  missCount = benchmarkCount = benchmarkNanos = evictionCount = tableCount = 0;
}

} // namespace multikernel::runtime
