//===- Runtime.h - process-wide runtime state -------------------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// The one process-wide object: settings, the registry of sites, and the
// dispatch-table entries waiting for sites that are not used yet. It is
// created on first use and deliberately never destroyed, so that dispatches
// from other static destructors and the exit handlers (statistics, saving
// the cache file) never see it half torn down.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_LIB_RUNTIME_RUNTIME_H
#define MULTIKERNEL_LIB_RUNTIME_RUNTIME_H

#include "Config.h"
#include "Site.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace multikernel::runtime {

/// A dispatch-table line not yet applied to a site.
struct TableEntry {
  std::string device;
  std::string moduleId;
  std::string site;
  Key key;
  int32_t variant = -1;
  int32_t numVariants = 0;
};

class Runtime {
public:
  static Runtime &get();

  Config config;

  /// The site of `descriptor`, created on first use (thread-safe); nullptr
  /// for a malformed descriptor, reported once.
  Site *getOrCreateSite(const MkrtSiteDescriptor *descriptor);

  /// The site of `base`'s descriptor for GPU kind `kind` (created on first
  /// use): each kind of device has its own decisions.
  Site *siteForKind(Site &base, int32_t kind);

  std::vector<Site *> sites();

  /// Applies `entries` to existing sites and keeps the rest for sites that
  /// are created later. Reports what it ignores; `origin` names the source.
  void addTableEntries(std::vector<TableEntry> entries,
                       const std::string &origin);

  /// Entries for every cached decision of every site.
  std::vector<TableEntry> collectTableEntries();

  void reset();

private:
  Runtime();
  /// Applies one entry to `site`, or says why not (empty on success).
  std::string applyEntry(Site &site, const TableEntry &entry);
  /// Applies the loaded entries of `site`'s module and name (under mutex).
  void applyPending(Site &site);
  static void atExit();

  std::mutex mutex;
  std::vector<std::unique_ptr<Site>> allSites;
  std::vector<const MkrtSiteDescriptor *> reportedBad;
  /// Loaded dispatch-table entries by (module, site), applied to every site
  /// created for them.
  std::map<std::pair<std::string, std::string>, std::vector<TableEntry>>
      pending;
};

/// Device identity used in dispatch tables for an MkrtTarget: the CPU's
/// model, or the name of GPU kind `kind` (gpu::deviceKindName);
/// MULTIKERNEL_DEVICE_NAME overrides both.
std::string deviceNameFor(int32_t target, int32_t kind);

/// Reads a dispatch table file into `runtime` (DispatchTable.cpp). A missing
/// file is only an error when `missingIsError`.
int32_t loadTableFile(Runtime &runtime, const std::string &path,
                      bool missingIsError);

/// Merges `entries` into the table at `path` (created if missing) under its
/// lock, as mkrtSaveTable does with the runtime's decisions.
int32_t saveTableFile(const std::string &path,
                      const std::vector<TableEntry> &entries);

/// Shared decisions: waits, at most `timeoutNanos`, for the table at `path`
/// to hold the decision of `like` (its device, module, site, key and
/// variant count; its variant is ignored) and returns its variant, or -1.
int32_t awaitTableEntry(const std::string &path, const TableEntry &like,
                        int64_t timeoutNanos);

} // namespace multikernel::runtime

#endif // MULTIKERNEL_LIB_RUNTIME_RUNTIME_H
