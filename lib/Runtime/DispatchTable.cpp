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
// File handling (docs/Runtime.md): a save replaces only a table or an empty
// file, writes a temporary file created exclusively beside it and renames
// it, and does its read-merge-rename under a flock on PATH.lock; loads and
// saves read regular files of at most 64 MiB only.
//
//===----------------------------------------------------------------------===//

#include "Runtime.h"

#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
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

/// A non-negative decimal integer, digits only (no sign, no spaces).
bool parseInt(const std::string &text, int64_t &value) {
  if (text.empty() || text.size() > 18)
    return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + (c - '0');
  }
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
                 printable(origin).c_str());
    return false;
  }
  std::string header = std::string(kHeader) + " ";
  if (line.compare(0, header.size(), header) != 0) {
    std::fprintf(stderr,
                 "multikernel: ignoring %s: not a multikernel dispatch table "
                 "(bad header)\n",
                 printable(origin).c_str());
    return false;
  }
  int64_t version;
  if (!parseInt(line.substr(header.size()), version) || version != kVersion) {
    std::fprintf(stderr,
                 "multikernel: ignoring dispatch table %s: version '%s' is "
                 "not supported (this runtime reads version %d)\n",
                 printable(origin).c_str(),
                 printable(line.substr(header.size())).c_str(), kVersion);
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
                 printable(origin).c_str(), malformed, firstMalformed);
  return true;
}

/// Tables larger than this are not read (a table holds a line per decision:
/// 64 MiB is about a million decisions).
constexpr off_t kMaxTableBytes = 64 << 20;

enum class ReadStatus { Read, Missing, Failed };

/// Reads the regular file at `path` (through symbolic links), at most
/// kMaxTableBytes. Anything else (a FIFO, a device, a directory) is refused
/// without reading from it, so that a load never blocks or runs out of
/// memory. On failure `why` says why.
ReadStatus readRegularFile(const std::string &path, std::string &text,
                           std::string &why) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    int error = errno;
    why = std::strerror(error);
    return error == ENOENT ? ReadStatus::Missing : ReadStatus::Failed;
  }
  if (!S_ISREG(info.st_mode)) {
    why = "not a regular file";
    return ReadStatus::Failed;
  }
  // Non-blocking, in case it was replaced by a FIFO since the stat.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    why = std::strerror(error);
    return error == ENOENT ? ReadStatus::Missing : ReadStatus::Failed;
  }
  ReadStatus status = ReadStatus::Read;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    why = "not a regular file";
    status = ReadStatus::Failed;
  } else if (info.st_size > kMaxTableBytes) {
    why = "larger than 64 MiB";
    status = ReadStatus::Failed;
  } else {
    text.clear();
    char buffer[1 << 16];
    while (true) {
      ssize_t count = ::read(fd, buffer, sizeof(buffer));
      if (count < 0 && errno == EINTR)
        continue;
      if (count < 0) {
        why = std::strerror(errno);
        status = ReadStatus::Failed;
        break;
      }
      if (count == 0)
        break;
      text.append(buffer, static_cast<size_t>(count));
      if (text.size() > static_cast<size_t>(kMaxTableBytes)) {
        why = "larger than 64 MiB";
        status = ReadStatus::Failed;
        break;
      }
    }
  }
  ::close(fd);
  return status;
}

/// An exclusive lock on `PATH.lock` (created if needed, never through a
/// symbolic link), held while a save reads, merges and replaces the table,
/// so that concurrent savers keep each other's decisions. Released when
/// destroyed (and by the kernel if the process dies).
class TableLock {
public:
  explicit TableLock(const std::string &tablePath) {
    std::string path = tablePath + ".lock";
    fd = ::open(path.c_str(),
                O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
                    O_CLOEXEC,
                0644);
    if (fd < 0) {
      why = "cannot open its lock file '" + path + "': " + std::strerror(errno);
      return;
    }
    struct stat info;
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
      why = "its lock file '" + path + "' is not a regular file";
      release();
      return;
    }
    // A saver holds the lock for milliseconds; give up after 10 s rather
    // than hang on a lock that something else keeps.
    for (int attempt = 0; attempt < 1000; ++attempt) {
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        locked = true;
        return;
      }
      if (errno != EWOULDBLOCK && errno != EINTR)
        break;
      ::usleep(10'000);
    }
    why = "cannot lock '" + path + "': " +
          (errno == EWOULDBLOCK ? std::string("held by another process")
                                : std::string(std::strerror(errno)));
    release();
  }
  ~TableLock() { release(); }
  TableLock(const TableLock &) = delete;
  TableLock &operator=(const TableLock &) = delete;

  bool isLocked() const { return locked; }
  const std::string &error() const { return why; }

private:
  void release() {
    if (fd >= 0)
      ::close(fd);
    fd = -1;
    locked = false;
  }
  int fd = -1;
  bool locked = false;
  std::string why;
};

/// Writes `text` to a new file beside `path` (created exclusively, never
/// through a symbolic link) and renames it over `path`: readers see the old
/// table or the new one, never half of one.
bool replaceFile(const std::string &path, const std::string &text, mode_t mode,
                 std::string &why) {
  std::string temporary = path + ".tmp.XXXXXX";
  int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) {
    why = "cannot create a temporary file beside it: " +
          std::string(std::strerror(errno));
    return false;
  }
  bool ok = ::fchmod(fd, mode) == 0;
  size_t written = 0;
  while (ok && written < text.size()) {
    ssize_t count = ::write(fd, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR)
      continue;
    ok = count > 0;
    if (ok)
      written += static_cast<size_t>(count);
  }
  ok = ok && ::fsync(fd) == 0;
  int savedErrno = errno;
  ok = (::close(fd) == 0) && ok;
  if (ok && ::rename(temporary.c_str(), path.c_str()) == 0)
    return true;
  why = std::strerror(ok ? errno : savedErrno);
  ::unlink(temporary.c_str());
  return false;
}
} // namespace

std::string Runtime::applyEntry(Site &site, const TableEntry &entry) {
  const std::string &device = site.device();
  if (entry.device != device)
    return "made on device '" + printable(entry.device) + "', this is '" +
           printable(device) + "'";
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
                 printable(origin).c_str(), ignored, lastReason.c_str());
}

std::vector<TableEntry> Runtime::collectTableEntries() {
  std::vector<TableEntry> entries;
  for (Site *site : sites()) {
    const std::string &device = site->device();
    for (auto &[key, decision] : site->decisions())
      entries.push_back(TableEntry{device, site->moduleId(), site->name(), key,
                                   decision.variant, site->numVariants()});
  }
  return entries;
}

int32_t loadTableFile(Runtime &runtime, const std::string &path,
                      bool missingIsError) {
  std::string text, why;
  ReadStatus status = readRegularFile(path, text, why);
  if (status != ReadStatus::Read) {
    if (status == ReadStatus::Missing && !missingIsError)
      return MKRT_SUCCESS;
    std::fprintf(stderr, "multikernel: cannot read dispatch table '%s': %s\n",
                 printable(path).c_str(), why.c_str());
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
  return saveTableFile(path, Runtime::get().collectTableEntries());
}

namespace multikernel::runtime {

int32_t saveTableFile(const std::string &pathText,
                      const std::vector<TableEntry> &entries) {
  const char *path = pathText.c_str();
  auto refuse = [&](const std::string &why) {
    std::fprintf(stderr, "multikernel: cannot save dispatch table '%s': %s\n",
                 printable(path).c_str(), why.c_str());
    return MKRT_ERROR_IO;
  };
  TableLock lock(path);
  if (!lock.isLocked())
    return refuse(lock.error());

  // Only a table (or an empty file) is replaced: anything else at the path
  // is someone's data, or not a file at all.
  using EntryKey = std::tuple<std::string, std::string, std::string, Key>;
  std::map<EntryKey, TableEntry> merged;
  mode_t mode = 0644;
  struct stat info;
  if (::lstat(path, &info) == 0) {
    if (S_ISLNK(info.st_mode))
      return refuse("it is a symbolic link; not replaced");
    if (!S_ISREG(info.st_mode))
      return refuse("it is not a regular file; not replaced");
    mode = info.st_mode & 0666;
    std::string existing, why;
    if (readRegularFile(path, existing, why) != ReadStatus::Read)
      return refuse("cannot read it: " + why);
    if (!existing.empty()) {
      std::vector<TableEntry> onDisk;
      if (!parseTable(existing, std::string("'") + path + "'", onDisk))
        return refuse("it is not a dispatch table this runtime reads; not "
                      "replaced");
      for (TableEntry &entry : onDisk)
        merged[{entry.device, entry.moduleId, entry.site, entry.key}] =
            std::move(entry);
    }
  } else if (errno != ENOENT) {
    return refuse(std::strerror(errno));
  }
  for (const TableEntry &entry : entries)
    merged[{entry.device, entry.moduleId, entry.site, entry.key}] = entry;

  std::string text = std::string(kHeader) + " " + std::to_string(kVersion) +
                     "\n# device\tmodule\tsite\tkey\tvariant\tvariants\n";
  for (const auto &[_, entry] : merged)
    text += sanitize(entry.device) + "\t" + sanitize(entry.moduleId) + "\t" +
            sanitize(entry.site) + "\t" + formatKey(entry.key) + "\t" +
            std::to_string(entry.variant) + "\t" +
            std::to_string(entry.numVariants) + "\n";
  std::string why;
  if (!replaceFile(path, text, mode, why))
    return refuse(why);
  return MKRT_SUCCESS;
}

int32_t awaitTableEntry(const std::string &path, const TableEntry &like,
                        int64_t timeoutNanos) {
  auto start = std::chrono::steady_clock::now();
  auto pause = std::chrono::microseconds(500);
  while (true) {
    // The leader replaces the file atomically (rename): a read sees an old
    // table or a new one, never half of one.
    std::string text, why;
    if (readRegularFile(path, text, why) == ReadStatus::Read) {
      std::vector<TableEntry> entries;
      if (parseTable(text, "'" + path + "'", entries))
        for (const TableEntry &entry : entries)
          if (entry.site == like.site && entry.key == like.key &&
              entry.moduleId == like.moduleId && entry.device == like.device &&
              entry.numVariants == like.numVariants)
            return entry.variant;
    }
    auto waited = std::chrono::steady_clock::now() - start;
    if (waited >= std::chrono::nanoseconds(timeoutNanos))
      return -1;
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2,
                                                std::chrono::milliseconds(20));
  }
}

} // namespace multikernel::runtime
