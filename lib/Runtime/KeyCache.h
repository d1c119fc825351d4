//===- KeyCache.h - lock-free key -> variant cache --------------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// The cache behind a dispatch site's hit path: an open-addressing hash table
// from a key (keyRank int64 sizes) to a variant index.
//
// Readers never lock. The table is a sequence lock: a writer makes the
// version odd, changes slots, and makes it even again; a reader that sees
// the version change (or odd) reports a miss, and the caller then looks
// again under the site's mutex. All slot words are atomics read with relaxed
// order, so a torn read is detected rather than undefined.
//
// Writers (insert, erase, clear) must hold the owner's mutex. When the table
// grows, the old array stays alive until the cache is destroyed, because a
// reader may still be probing it; growth stops at the capacity for the
// entry bound, so retired arrays add at most as much again.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_LIB_RUNTIME_KEYCACHE_H
#define MULTIKERNEL_LIB_RUNTIME_KEYCACHE_H

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace multikernel::runtime {

class KeyCache {
public:
  /// A cache for keys of `keyRank` sizes holding at most `maxEntries` keys.
  KeyCache(int keyRank, int64_t maxEntries);
  KeyCache(const KeyCache &) = delete;
  KeyCache &operator=(const KeyCache &) = delete;

  /// Returns the cached variant of `key`, or -1 on a miss (or when a writer
  /// was active: the caller then looks again under its mutex). Lock-free.
  int32_t lookup(const int64_t *key) const;

  /// Inserts or overwrites `key`. Requires the owner's mutex. The caller
  /// keeps the number of keys within the bound (it evicts first).
  void insert(const int64_t *key, int32_t variant);

  /// Removes `key` if present. Requires the owner's mutex.
  void erase(const int64_t *key);

  /// Removes every key. Requires the owner's mutex.
  void clear();

  /// Sets a new bound; takes effect at the next growth. Requires the mutex.
  void setMaxEntries(int64_t maxEntries);

  int64_t size() const { return numEntries; }

private:
  struct Table {
    explicit Table(uint64_t capacity, int wordsPerSlot);
    uint64_t mask;
    /// Slot i is words[i * wordsPerSlot ...]: variant + 1 (0 = empty), then
    /// the key.
    std::unique_ptr<std::atomic<int64_t>[]> words;
  };

  uint64_t homeSlot(const int64_t *key, uint64_t mask) const;
  bool slotHoldsKey(const Table &table, uint64_t slot,
                    const int64_t *key) const;
  /// Finds `key`'s slot in the current table, or returns false.
  bool findSlot(const int64_t *key, uint64_t &slot) const;
  void writeSlot(Table &table, uint64_t slot, int64_t tag, const int64_t *key);
  void moveSlot(Table &table, uint64_t from, uint64_t to);
  void growIfNeeded();
  void beginWrite();
  void endWrite();

  const int keyRank;
  const int wordsPerSlot;
  uint64_t maxCapacity;
  int64_t numEntries = 0;
  std::atomic<uint64_t> version{0};
  std::atomic<Table *> current{nullptr};
  /// Owns the current table and every retired one.
  std::vector<std::unique_ptr<Table>> tables;
};

} // namespace multikernel::runtime

#endif // MULTIKERNEL_LIB_RUNTIME_KEYCACHE_H
