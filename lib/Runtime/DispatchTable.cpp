//===- DispatchTable.cpp - saving and loading decisions -------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// The dispatch-table file format, version 1: a header line, then one
// tab-separated line per decision (comments start with '#'):
//
//   multikernel-dispatch-table 1
//   # device <TAB> module <TAB> site <TAB> key <TAB> variant <TAB> variants
//   cpu:AMD EPYC 7B13	5c1e...	seed_0	1500x750	1	2
//
// `key` is the sizes joined by 'x' ('-' for an empty key), `variants` the
// number of variants the site had, so that a table from another build of the
// module is recognized even when the module identity is unavailable.
//
//===----------------------------------------------------------------------===//

#include "Runtime.h"

#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>
#include <unistd.h>

namespace multikernel::runtime {

namespace {
constexpr const char *kHeader = "multikernel-dispatch-table";
constexpr int kVersion = 1;

std::vector<std::string> splitTabs(const std::string &line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos)
      return fields;
    start = tab + 1;
  }
}

bool parseInt(const std::string &text, int64_t &value) {
  if (text.empty() || text.size() > 18)
    return false;
  char *end = nullptr;
  errno = 0;
  long long parsed = std::strtoll(text.c_str(), &end, 10);
  if (errno || *end)
    return false;
  value = parsed;
  return true;
}

bool parseKey(const std::string &text, Key &key) {
  key.clear();
  if (text == "-")
    return true;
  size_t start = 0;
  while (true) {
    size_t cross = text.find('x', start);
    int64_t size;
    if (!parseInt(text.substr(start, cross - start), size) || size < 0)
      return false;
    key.push_back(size);
    if (key.size() > MKRT_MAX_KEY_RANK)
      return false;
    if (cross == std::string::npos)
      return true;
    start = cross + 1;
  }
}

std::string formatKey(const Key &key) {
  if (key.empty())
    return "-";
  std::string text;
  for (size_t d = 0; d < key.size(); ++d) {
    if (d)
      text += 'x';
    text += std::to_string(key[d]);
  }
  return text;
}

/// Tabs and newlines would break the line format.
std::string sanitize(std::string text) {
  for (char &c : text)
    if (c == '\t' || c == '\n' || c == '\r')
      c = ' ';
  return text;
}

/// Parses `text`; returns false (having warned) when the header is wrong.
/// Malformed lines are skipped with a warning.
bool parseTable(const std::string &text, const std::string &origin,
                std::vector<TableEntry> &entries) {
  std::istringstream stream(text);
  std::string line;
  if (!std::getline(stream, line)) {
    std::fprintf(stderr,
                 "multikernel: ignoring dispatch table %s: it is empty\n",
                 origin.c_str());
    return false;
  }
  std::string header = std::string(kHeader) + " ";
  if (line.compare(0, header.size(), header) != 0) {
    std::fprintf(stderr,
                 "multikernel: ignoring %s: not a multikernel dispatch table "
                 "(bad header)\n",
                 origin.c_str());
    return false;
  }
  int64_t version;
  if (!parseInt(line.substr(header.size()), version) || version != kVersion) {
    std::fprintf(stderr,
                 "multikernel: ignoring dispatch table %s: version '%s' is "
                 "not supported (this runtime reads version %d)\n",
                 origin.c_str(), line.substr(header.size()).c_str(), kVersion);
    return false;
  }
  int lineNumber = 1, malformed = 0, firstMalformed = 0;
  while (std::getline(stream, line)) {
    ++lineNumber;
    if (line.empty() || line[0] == '#')
      continue;
    std::vector<std::string> fields = splitTabs(line);
    TableEntry entry;
    int64_t variant, numVariants;
    if (fields.size() != 6 || fields[0].empty() || fields[2].empty() ||
        !parseKey(fields[3], entry.key) || !parseInt(fields[4], variant) ||
        !parseInt(fields[5], numVariants) || variant < 0 || numVariants < 1 ||
        variant >= numVariants || numVariants > MKRT_MAX_VARIANTS) {
      if (!malformed++)
        firstMalformed = lineNumber;
      continue;
    }
    entry.device = fields[0];
    entry.moduleId = fields[1];
    entry.site = fields[2];
    entry.variant = static_cast<int32_t>(variant);
    entry.numVariants = static_cast<int32_t>(numVariants);
    entries.push_back(std::move(entry));
  }
  if (malformed)
    std::fprintf(stderr,
                 "multikernel: dispatch table %s: skipped %d malformed "
                 "line(s), the first at line %d\n",
                 origin.c_str(), malformed, firstMalformed);
  return true;
}

bool readFile(const std::string &path, std::string &text) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return false;
  std::ostringstream buffer;
  buffer << file.rdbuf();
  text = buffer.str();
  return !file.bad();
}
} // namespace

std::string Runtime::applyEntry(Site &site, const TableEntry &entry) {
  std::string device = deviceNameFor(site.descriptor().target);
  if (entry.device != device)
    return "made on device '" + entry.device + "', this is '" + device + "'";
  if (entry.numVariants != site.numVariants())
    return "the site had " + std::to_string(entry.numVariants) +
           " variants, it has " + std::to_string(site.numVariants());
  if (static_cast<int>(entry.key.size()) != site.keyRank())
    return "key rank " + std::to_string(entry.key.size()) + ", the site has " +
           std::to_string(site.keyRank());
  if (!site.addTableDecision(entry.key.data(), entry.variant))
    return "variant " + std::to_string(entry.variant) +
           " is out of range or excluded";
  return "";
}

void Runtime::addTableEntries(std::vector<TableEntry> entries,
                              const std::string &origin) {
  std::lock_guard<std::mutex> lock(mutex);
  int ignored = 0;
  std::string lastReason;
  for (TableEntry &entry : entries) {
    for (const auto &site : allSites) {
      if (site->name() != entry.site || site->moduleId() != entry.moduleId)
        continue;
      std::string reason = applyEntry(*site, entry);
      if (!reason.empty()) {
        ++ignored;
        lastReason = reason;
      }
    }
    // Kept for sites created later, including a second instance of the same
    // site (a module loaded again).
    pending[{entry.moduleId, entry.site}].push_back(std::move(entry));
  }
  if (ignored)
    std::fprintf(stderr,
                 "multikernel: dispatch table %s: ignored %d entries (%s)\n",
                 origin.c_str(), ignored, lastReason.c_str());
}

std::vector<TableEntry> Runtime::collectTableEntries() {
  std::vector<TableEntry> entries;
  for (Site *site : sites()) {
    std::string device = deviceNameFor(site->descriptor().target);
    for (auto &[key, decision] : site->decisions())
      entries.push_back(TableEntry{device, site->moduleId(), site->name(), key,
                                   decision.variant, site->numVariants()});
  }
  return entries;
}

int32_t loadTableFile(Runtime &runtime, const std::string &path,
                      bool missingIsError) {
  std::string text;
  if (!readFile(path, text)) {
    if (!missingIsError)
      return MKRT_SUCCESS;
    std::fprintf(stderr, "multikernel: cannot read dispatch table '%s': %s\n",
                 path.c_str(), std::strerror(errno));
    return MKRT_ERROR_IO;
  }
  std::vector<TableEntry> entries;
  if (!parseTable(text, "'" + path + "'", entries))
    return MKRT_ERROR_IO;
  runtime.addTableEntries(std::move(entries), "'" + path + "'");
  return MKRT_SUCCESS;
}

} // namespace multikernel::runtime

using namespace multikernel::runtime;

extern "C" int32_t mkrtLoadTable(const char *path) {
  if (!path)
    return MKRT_ERROR_INVALID_ARGUMENT;
  return loadTableFile(Runtime::get(), path, /*missingIsError=*/true);
}

extern "C" int32_t mkrtLoadTableFromString(const char *text,
                                           const char *origin) {
  if (!text)
    return MKRT_ERROR_INVALID_ARGUMENT;
  std::vector<TableEntry> entries;
  std::string name = origin ? origin : "(embedded)";
  if (!parseTable(text, name, entries))
    return MKRT_ERROR_IO;
  Runtime::get().addTableEntries(std::move(entries), name);
  return MKRT_SUCCESS;
}

extern "C" int32_t mkrtSaveTable(const char *path) {
  if (!path)
    return MKRT_ERROR_INVALID_ARGUMENT;
  using EntryKey = std::tuple<std::string, std::string, std::string, Key>;
  std::map<EntryKey, TableEntry> merged;

  // What is on disk already, unless it is unreadable or foreign (then it is
  // replaced: it could not be used anyway).
  std::string existing;
  if (readFile(path, existing)) {
    std::vector<TableEntry> onDisk;
    if (parseTable(existing, std::string("'") + path + "'", onDisk))
      for (TableEntry &entry : onDisk)
        merged[{entry.device, entry.moduleId, entry.site, entry.key}] =
            std::move(entry);
  }
  for (TableEntry &entry : Runtime::get().collectTableEntries())
    merged[{entry.device, entry.moduleId, entry.site, entry.key}] =
        std::move(entry);

  std::string text = std::string(kHeader) + " " + std::to_string(kVersion) +
                     "\n# device\tmodule\tsite\tkey\tvariant\tvariants\n";
  for (const auto &[_, entry] : merged)
    text += sanitize(entry.device) + "\t" + sanitize(entry.moduleId) + "\t" +
            sanitize(entry.site) + "\t" + formatKey(entry.key) + "\t" +
            std::to_string(entry.variant) + "\t" +
            std::to_string(entry.numVariants) + "\n";

  // Write beside the target and rename: readers see the old or the new
  // file, never half of one.
  std::string temporary =
      std::string(path) + ".tmp." + std::to_string(::getpid());
  FILE *file = std::fopen(temporary.c_str(), "wb");
  if (!file) {
    std::fprintf(stderr, "multikernel: cannot write dispatch table '%s': %s\n",
                 temporary.c_str(), std::strerror(errno));
    return MKRT_ERROR_IO;
  }
  bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  ok &= std::fflush(file) == 0;
  ok &= ::fsync(fileno(file)) == 0;
  ok &= std::fclose(file) == 0;
  if (!ok || std::rename(temporary.c_str(), path) != 0) {
    std::fprintf(stderr, "multikernel: cannot write dispatch table '%s': %s\n",
                 path, std::strerror(errno));
    std::remove(temporary.c_str());
    return MKRT_ERROR_IO;
  }
  return MKRT_SUCCESS;
}
