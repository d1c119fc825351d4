//===- Runtime.cpp - dispatch entry point and process-wide state ----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "Runtime.h"

#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace multikernel::runtime;

namespace {
/// Why `desc` cannot be used, or empty when it is well formed.
std::string validateDescriptor(const MkrtSiteDescriptor *desc) {
  if (!desc)
    return "null descriptor";
  if (desc->abiVersion != MKRT_ABI_VERSION)
    return "ABI version " + std::to_string(desc->abiVersion) +
           ", but this runtime implements version " +
           std::to_string(MKRT_ABI_VERSION) +
           " (recompile the module against this runtime)";
  if (!desc->name || !*desc->name)
    return "missing site name";
  if (desc->target != MKRT_TARGET_CPU && desc->target != MKRT_TARGET_CUDA)
    return "unknown target " + std::to_string(desc->target);
  if (desc->keyRank < 0 || desc->keyRank > MKRT_MAX_KEY_RANK)
    return "key rank " + std::to_string(desc->keyRank) + " outside [0, " +
           std::to_string(MKRT_MAX_KEY_RANK) + "]";
  if (desc->numVariants < 1 || desc->numVariants > MKRT_MAX_VARIANTS)
    return "variant count " + std::to_string(desc->numVariants) +
           " outside [1, " + std::to_string(MKRT_MAX_VARIANTS) + "]";
  if (desc->keyRank > 0 && !desc->hints)
    return "missing hints";
  for (int32_t i = 0; i < desc->numVariants * desc->keyRank; ++i)
    if (desc->hints[i] <= 0)
      return "non-positive hint entry";
  if (!desc->variants)
    return "missing variant table";
  for (int32_t v = 0; v < desc->numVariants; ++v)
    if (!desc->variants[v])
      return "null entry point for variant " + std::to_string(v);
  if (desc->numArgs < 0 || desc->numWritten < 0 ||
      (desc->numWritten > 0 && !desc->written))
    return "bad argument counts";
  for (int32_t i = 0; i < desc->numWritten; ++i) {
    const MkrtWrittenArg &w = desc->written[i];
    if (w.argIndex < 0 || w.argIndex >= desc->numArgs || w.rank < 0 ||
        w.elementBytes <= 0 ||
        (w.memorySpace != MKRT_MEMORY_HOST &&
         w.memorySpace != MKRT_MEMORY_CUDA_DEVICE))
      return "bad written-argument entry " + std::to_string(i);
  }
  if (!desc->state)
    return "missing state slot";
  return "";
}
} // namespace

namespace multikernel::runtime {

Runtime &Runtime::get() {
  // Leaked on purpose: see Runtime.h.
  static Runtime *instance = new Runtime();
  return *instance;
}

Runtime::Runtime() {
  config.readEnvironment();
  // Not through mkrtLoadTable: that would re-enter Runtime::get().
  if (!config.cacheFile.empty())
    loadTableFile(*this, config.cacheFile, /*missingIsError=*/false);
  if (config.statsAtExit || !config.cacheFile.empty())
    std::atexit(&Runtime::atExit);
}

void Runtime::atExit() {
  Runtime &runtime = get();
  if (runtime.config.statsAtExit)
    mkrtPrintStats(stderr);
  if (!runtime.config.cacheFile.empty())
    mkrtSaveTable(runtime.config.cacheFile.c_str());
}

Site *Runtime::getOrCreateSite(const MkrtSiteDescriptor *descriptor) {
  std::lock_guard<std::mutex> lock(mutex);
  if (descriptor && descriptor->state && *descriptor->state)
    return static_cast<Site *>(*descriptor->state);
  std::string problem = validateDescriptor(descriptor);
  if (!problem.empty()) {
    if (std::find(reportedBad.begin(), reportedBad.end(), descriptor) ==
        reportedBad.end()) {
      reportedBad.push_back(descriptor);
      std::fprintf(
          stderr, "multikernel: rejecting dispatch site '%s': %s\n",
          printable(descriptor && descriptor->name ? descriptor->name : "?")
              .c_str(),
          problem.c_str());
    }
    return nullptr;
  }
  // A CUDA site keeps the decisions of the kind of device it first runs
  // on; other kinds get sites of their own (siteForKind).
  int32_t kind =
      descriptor->target == MKRT_TARGET_CUDA ? gpu::currentDeviceKind() : -1;
  allSites.push_back(
      std::make_unique<Site>(*descriptor, config.maxCacheEntries.load(), kind));
  Site *site = allSites.back().get();
  applyPending(*site);

  // Publish only now: other threads see either nothing or a ready site.
  __atomic_store_n(descriptor->state, static_cast<void *>(site),
                   __ATOMIC_RELEASE);
  return site;
}

Site *Runtime::siteForKind(Site &base, int32_t kind) {
  if (Site *existing = base.siteOfKind(kind))
    return existing;
  std::lock_guard<std::mutex> lock(mutex);
  if (Site *existing = base.siteOfKind(kind))
    return existing;
  allSites.push_back(std::make_unique<Site>(
      base.descriptor(), config.maxCacheEntries.load(), kind));
  Site *site = allSites.back().get();
  applyPending(*site);
  base.setSiteOfKind(kind, site);
  return site;
}

void Runtime::applyPending(Site &site) {
  auto waiting = pending.find({site.moduleId(), site.name()});
  if (waiting == pending.end())
    return;
  int ignored = 0;
  std::string lastReason;
  for (const TableEntry &entry : waiting->second) {
    std::string reason = applyEntry(site, entry);
    if (!reason.empty()) {
      ++ignored;
      lastReason = reason;
    }
  }
  if (ignored)
    std::fprintf(stderr,
                 "multikernel: site '%s': ignored %d dispatch-table "
                 "entries (%s)\n",
                 printable(site.name()).c_str(), ignored,
                 printable(lastReason).c_str());
}

std::vector<Site *> Runtime::sites() {
  std::lock_guard<std::mutex> lock(mutex);
  std::vector<Site *> result;
  for (const auto &site : allSites)
    result.push_back(site.get());
  return result;
}

void Runtime::reset() {
  std::lock_guard<std::mutex> lock(mutex);
  for (const auto &site : allSites)
    site->reset();
  pending.clear();
}

} // namespace multikernel::runtime

//===----------------------------------------------------------------------===//
// C API: dispatch
//===----------------------------------------------------------------------===//

extern "C" int32_t mkrtDispatch(const MkrtSiteDescriptor *site,
                                const int64_t *key, void **args) {
  void *state = site && site->state
                    ? __atomic_load_n(site->state, __ATOMIC_ACQUIRE)
                    : nullptr;
  Runtime &runtime = Runtime::get();
  if (!state) {
    state = runtime.getOrCreateSite(site);
    if (!state)
      return MKRT_ERROR_BAD_DESCRIPTOR;
  }
  Site *siteState = static_cast<Site *>(state);
  // Each kind of GPU has its own decisions: the site of the current one.
  if (site->target == MKRT_TARGET_CUDA) {
    int32_t kind = gpu::currentDeviceKind();
    if (kind >= 0 && kind != siteState->deviceKind())
      siteState = runtime.siteForKind(*siteState, kind);
  }
  if (runtime.config.bucketing.load(std::memory_order_relaxed) ==
      Bucketing::Pow2) {
    int64_t bucketed[MKRT_MAX_KEY_RANK];
    bucketKeyPow2(key, siteState->keyRank(), bucketed);
    return siteState->dispatch(bucketed, args);
  }
  return siteState->dispatch(key, args);
}

extern "C" void mkrtDispatchOrAbort(const MkrtSiteDescriptor *site,
                                    const int64_t *key, void **args) {
  int32_t status = mkrtDispatch(site, key, args);
  if (status == MKRT_SUCCESS)
    return;
  std::fprintf(stderr,
               "multikernel: dispatch of site '%s' failed (status %d); "
               "aborting\n",
               printable(site && site->name ? site->name : "?").c_str(),
               status);
  std::abort();
}

//===----------------------------------------------------------------------===//
// C API: settings
//===----------------------------------------------------------------------===//

extern "C" int32_t mkrtSetPolicy(const char *policy) {
  auto parsed = policy ? parsePolicy(policy) : std::nullopt;
  if (!parsed)
    return MKRT_ERROR_INVALID_ARGUMENT;
  Config &config = Runtime::get().config;
  config.fixedVariant.store(parsed->fixedVariant);
  config.policy.store(parsed->policy);
  return MKRT_SUCCESS;
}

extern "C" int32_t mkrtSetKeyBucketing(const char *bucketing) {
  auto parsed = bucketing ? parseBucketing(bucketing) : std::nullopt;
  if (!parsed)
    return MKRT_ERROR_INVALID_ARGUMENT;
  Runtime::get().config.bucketing.store(*parsed);
  return MKRT_SUCCESS;
}

extern "C" int32_t mkrtSetConcurrentMissPolicy(const char *policy) {
  auto parsed = policy ? parseConcurrentMiss(policy) : std::nullopt;
  if (!parsed)
    return MKRT_ERROR_INVALID_ARGUMENT;
  Runtime::get().config.concurrentMiss.store(*parsed);
  return MKRT_SUCCESS;
}

extern "C" int32_t mkrtSetBenchmarkBudgetMs(double milliseconds) {
  if (!(milliseconds > 0) || milliseconds > 1e9)
    return MKRT_ERROR_INVALID_ARGUMENT;
  Runtime::get().config.benchmarkBudgetNanos.store(
      static_cast<int64_t>(milliseconds * 1e6));
  return MKRT_SUCCESS;
}

extern "C" int32_t mkrtSetBenchmarkRuns(int32_t runs) {
  if (runs < 1 || runs > 1000)
    return MKRT_ERROR_INVALID_ARGUMENT;
  Runtime::get().config.benchmarkRuns.store(runs);
  return MKRT_SUCCESS;
}

extern "C" int32_t mkrtSetMaxCacheEntries(int64_t entries) {
  if (entries <= 0)
    return MKRT_ERROR_INVALID_ARGUMENT;
  Runtime::get().config.maxCacheEntries.store(entries);
  return MKRT_SUCCESS;
}

extern "C" void mkrtSetLogging(int32_t enabled) {
  Runtime::get().config.logging.store(enabled != 0);
}

extern "C" int32_t mkrtShareDecisions(const char *path, int32_t leader,
                                      double timeoutMs) {
  if (path && *path && !(timeoutMs > 0))
    return MKRT_ERROR_INVALID_ARGUMENT;
  SharedDecisions setting;
  if (path && *path) {
    setting.path = path;
    setting.leader = leader != 0;
    setting.timeoutNanos = static_cast<int64_t>(timeoutMs * 1e6);
  }
  Runtime::get().config.setSharedDecisions(std::move(setting));
  return MKRT_SUCCESS;
}

extern "C" int32_t mkrtShareDecisionsWith(MkrtDecisionExchange exchange,
                                          void *user, int32_t leader) {
  SharedDecisions setting;
  if (exchange) {
    setting.exchange = exchange;
    setting.user = user;
    setting.leader = leader != 0;
  }
  Runtime::get().config.setSharedDecisions(std::move(setting));
  return MKRT_SUCCESS;
}

extern "C" void mkrtReset(void) { Runtime::get().reset(); }
