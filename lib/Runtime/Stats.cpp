//===- Stats.cpp - statistics of the dispatch sites -----------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "Runtime.h"

#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <algorithm>
#include <cstring>
#include <vector>

using namespace multikernel::runtime;

namespace {
Site *siteAt(int64_t index) {
  std::vector<Site *> sites = Runtime::get().sites();
  if (index < 0 || index >= static_cast<int64_t>(sites.size()))
    return nullptr;
  return sites[index];
}
} // namespace

extern "C" int64_t mkrtGetNumSites(void) {
  return static_cast<int64_t>(Runtime::get().sites().size());
}

extern "C" int32_t mkrtGetSiteStats(int64_t index, MkrtSiteStats *stats) {
  Site *site = siteAt(index);
  if (!site || !stats)
    return MKRT_ERROR_INVALID_ARGUMENT;
  *stats = site->stats();
  return MKRT_SUCCESS;
}

extern "C" int64_t mkrtGetSiteDecisions(int64_t index, MkrtDecision *decisions,
                                        int64_t capacity) {
  Site *site = siteAt(index);
  if (!site)
    return -1;
  auto all = site->decisions();
  int64_t count = static_cast<int64_t>(all.size());
  for (int64_t i = 0; i < std::min(count, capacity) && decisions; ++i) {
    MkrtDecision &out = decisions[i];
    std::memset(&out, 0, sizeof(out));
    const auto &[key, decision] = all[i];
    out.keyRank = static_cast<int32_t>(key.size());
    std::copy(key.begin(), key.end(), out.key);
    out.variant = decision.variant;
    out.source = static_cast<int32_t>(decision.source);
    out.numVariants = site->numVariants();
    for (int32_t v = 0; v < out.numVariants; ++v)
      out.variantNanos[v] =
          v < static_cast<int32_t>(decision.variantNanos.size())
              ? decision.variantNanos[v]
              : -1.0;
  }
  return count;
}

extern "C" const char *mkrtGetVariantName(int64_t index, int32_t variant) {
  Site *site = siteAt(index);
  if (!site || variant < 0 || variant >= site->numVariants())
    return nullptr;
  return site->variantName(variant).c_str();
}

extern "C" void mkrtPrintStats(FILE *stream) {
  std::fprintf(stream, "multikernel dispatch statistics\n");
  std::fprintf(stream, "%-28s %10s %10s %8s %8s %12s %8s %8s %8s\n", "site",
               "calls", "hits", "misses", "benched", "bench ms", "keys",
               "evicted", "table");
  for (Site *site : Runtime::get().sites()) {
    MkrtSiteStats s = site->stats();
    std::fprintf(
        stream, "%-28s %10lld %10lld %8lld %8lld %12.3f %8lld %8lld %8lld\n",
        printable(s.name).c_str(), (long long)s.calls, (long long)s.hits,
        (long long)s.misses, (long long)s.benchmarks, s.benchmarkNanos / 1e6,
        (long long)s.cachedKeys, (long long)s.evictions,
        (long long)s.tableHits);
    if (s.excludedVariants)
      std::fprintf(stream, "  excluded variants mask: 0x%llx\n",
                   (unsigned long long)s.excludedVariants);
    // Which variant the cached keys chose, and what each is.
    std::vector<int64_t> wins(site->numVariants());
    for (const auto &entry : site->decisions())
      if (entry.second.variant >= 0)
        ++wins[entry.second.variant];
    for (int32_t v = 0; v < site->numVariants(); ++v)
      if (wins[v])
        std::fprintf(stream, "  variant %d%s%s%s: chosen for %lld keys\n", v,
                     site->variantName(v).empty() ? "" : " '",
                     site->variantName(v).c_str(),
                     site->variantName(v).empty() ? "" : "'",
                     (long long)wins[v]);
  }
}
