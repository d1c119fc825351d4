//===- Site.h - per-site dispatch state -------------------------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// The state the runtime keeps for one dispatch site: the lock-free cache of
// decisions (the hit path), and behind the site's mutex the authoritative
// decisions in insertion order, the keys being decided by some thread, the
// excluded variants and the statistics.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_LIB_RUNTIME_SITE_H
#define MULTIKERNEL_LIB_RUNTIME_SITE_H

#include "Config.h"
#include "GpuSupport.h"
#include "KeyCache.h"
#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace multikernel::runtime {

using Key = std::vector<int64_t>;

enum class DecisionSource : int32_t {
  Benchmark = 0,
  NearestHint = 1,
  Fixed = 2,
  Table = 3,
};

struct Decision {
  int32_t variant = -1;
  DecisionSource source = DecisionSource::Benchmark;
  /// Median time per variant when benchmarked; negative: not measured.
  std::vector<double> variantNanos;
};

class Site {
public:
  /// `deviceKind`: the GPU kind whose decisions the site keeps (a CUDA
  /// site has one Site per kind of device it runs on), -1 on the CPU.
  Site(const MkrtSiteDescriptor &descriptor, int64_t maxEntries,
       int32_t deviceKind = -1);

  const MkrtSiteDescriptor &descriptor() const { return desc; }
  const std::string &name() const { return siteName; }
  const std::string &moduleId() const { return module; }
  int keyRank() const { return desc.keyRank; }
  int numVariants() const { return desc.numVariants; }
  int32_t deviceKind() const { return kind; }
  /// The device identity of its decisions in dispatch tables.
  const std::string &device() const { return deviceName; }
  /// The site of another GPU kind, once created (Runtime::siteForKind).
  Site *siteOfKind(int32_t other) const {
    return other >= 0 && other < gpu::kMaxDeviceKinds
               ? kindSites[other].load(std::memory_order_acquire)
               : nullptr;
  }
  void setSiteOfKind(int32_t other, Site *site) {
    kindSites[other].store(site, std::memory_order_release);
  }
  /// What the compiler says variant `v` is ("" if it gave no names).
  const std::string &variantName(int v) const { return variantNames[v]; }

  /// The dispatch: hit path here, miss path out of line.
  int32_t dispatch(const int64_t *key, void **args);

  /// Records a decision from a dispatch table. Returns false (and changes
  /// nothing) if `variant` is out of range or excluded.
  bool addTableDecision(const int64_t *key, int32_t variant);

  /// Snapshot of the statistics and decisions, for the C API.
  MkrtSiteStats stats();
  std::vector<std::pair<Key, Decision>> decisions();

  /// Forgets decisions, exclusions and statistics.
  void reset();

private:
  struct InFlight {
    bool done = false;
    int32_t variant = -1;
    std::condition_variable cv;
  };

  int32_t dispatchMiss(const int64_t *key, void **args);
  /// The amortized policy's miss: one variant, timed, per call.
  int32_t dispatchAmortized(const int64_t *key, void **args);
  int32_t runVariant(int32_t variant, void **args);
  /// Runs `variant` for real; on failure excludes it and re-decides.
  int32_t runOrRecover(const int64_t *key, int32_t variant, void **args);
  /// Chooses a variant for a new key by the current policy. Returns the
  /// variant (or -1 if none can run) and fills `decision`; `cacheable` is
  /// cleared when the choice must not be cached (stream capture).
  int32_t decide(const int64_t *key, void **args, Decision &decision,
                 bool &cacheable);
  int32_t nearestHintVariant(const int64_t *key) const;
  /// What an undecided key runs where nothing can be timed (while a CUDA
  /// graph is captured), and the variant the amortized policy times first:
  /// the decision of the site's nearest decided key (by the same log
  /// distance as hints), which measured a similar shape (at a GPU matmul
  /// site, cuBLASLt's algorithm rather than the nearest hint's generated
  /// kernel), else the nearest hint's variant.
  int32_t provisionalVariant(const int64_t *key);
  /// provisionalVariant, with `mutex` held.
  int32_t provisionalVariantLocked(const int64_t *key) const;
  /// Shared decisions (SharedDecisions): the leader's pick for `key` (a
  /// follower waits for it), or -1 after saying why none can be used.
  int32_t sharedDecision(const SharedDecisions &shared, const int64_t *key);
  /// Publishes the leader's pick for `key`; says so when it cannot.
  void shareDecision(const SharedDecisions &shared, const int64_t *key,
                     int32_t variant);
  void excludeVariant(int32_t variant, const char *why);
  /// Inserts into the decisions and the cache, evicting beyond the bound.
  /// Requires `mutex`.
  void insertDecisionLocked(const Key &key, Decision decision);
  void logDecision(const Key &key, const Decision &decision,
                   int64_t elapsedNanos) const;

  const MkrtSiteDescriptor desc;
  const std::string siteName;
  /// siteName as messages quote it (control characters escaped).
  const std::string printableName;
  /// The descriptor's variant names, as messages quote them.
  const std::vector<std::string> variantNames;
  const int32_t kind;
  const std::string deviceName;
  std::atomic<Site *> kindSites[gpu::kMaxDeviceKinds] = {};
  const std::string module;
  KeyCache cache;
  std::atomic<uint64_t> excluded{0};

  /// Hit counter, sharded by thread so that threads hitting one site do not
  /// bounce one cache line between cores. The other counters change under
  /// `mutex`.
  static constexpr int kHitShards = 16;
  struct alignas(64) HitShard {
    std::atomic<int64_t> count{0};
  };
  HitShard hitShards[kHitShards];
  void countHit();
  int64_t hitCount() const;

  std::mutex mutex;
  std::map<Key, Decision> decided;
  std::deque<Key> insertionOrder;
  std::map<Key, std::shared_ptr<InFlight>> inFlight;
  /// The amortized policy's keys not decided yet: the samples of each
  /// variant, and the GPU runs whose events have not been read.
  struct PendingRun {
    int32_t variant;
    std::unique_ptr<gpu::EventTimer> timer;
  };
  struct Exploration {
    std::vector<std::vector<double>> samples;
    std::vector<PendingRun> pending;
    /// The order variants are tried in: the nearest hint's first.
    std::vector<int32_t> order;

    /// Moves the times of the GPU runs that have finished into `samples`.
    void collectFinishedRuns();
    /// The variant to time next (the fewest runs, in `order`), or -1 once
    /// every variant that is not excluded has its runs or is out of the
    /// running (two runs, both over 1.5x the fastest run so far).
    int32_t nextToTime(uint64_t excludedMask) const;
    /// The fastest variant by the medians so far (-1 without samples).
    Decision bestSoFar(uint64_t excludedMask) const;
  };
  std::map<Key, Exploration> exploring;
  int64_t missCount = 0;
  int64_t benchmarkCount = 0;
  int64_t benchmarkNanos = 0;
  int64_t evictionCount = 0;
  int64_t tableCount = 0;
};

/// Rounds every dimension up to a power of two (pow2 key bucketing).
void bucketKeyPow2(const int64_t *key, int rank, int64_t *bucketed);

/// Index of the hint with the smallest sum of |log(key) - log(hint)| over
/// the dimensions, among variants whose bit in `excludedMask` is clear; -1
/// when every variant is excluded.
int32_t nearestHint(const MkrtSiteDescriptor &desc, const int64_t *key,
                    uint64_t excludedMask);

} // namespace multikernel::runtime

#endif // MULTIKERNEL_LIB_RUNTIME_SITE_H
