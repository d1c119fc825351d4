//===- KeyCache.cpp - lock-free key -> variant cache ----------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "KeyCache.h"

namespace multikernel::runtime {

namespace {
constexpr uint64_t kInitialCapacity = 16;

uint64_t nextPowerOfTwo(uint64_t value) {
  uint64_t result = 1;
  while (result < value)
    result <<= 1;
  return result;
}

uint64_t capacityFor(int64_t maxEntries) {
  // Load factor at most 1/2 keeps linear probes short.
  uint64_t wanted = nextPowerOfTwo(2 * static_cast<uint64_t>(maxEntries));
  return wanted < kInitialCapacity ? kInitialCapacity : wanted;
}
} // namespace

KeyCache::Table::Table(uint64_t capacity, int wordsPerSlot)
    : mask(capacity - 1),
      words(new std::atomic<int64_t>[capacity * wordsPerSlot]) {
  for (uint64_t i = 0; i < capacity * wordsPerSlot; ++i)
    words[i].store(0, std::memory_order_relaxed);
}

KeyCache::KeyCache(int keyRank, int64_t maxEntries)
    : keyRank(keyRank), wordsPerSlot(keyRank + 1),
      maxCapacity(capacityFor(maxEntries)) {
  tables.push_back(std::make_unique<Table>(kInitialCapacity, wordsPerSlot));
  current.store(tables.back().get(), std::memory_order_release);
}

uint64_t KeyCache::homeSlot(const int64_t *key, uint64_t mask) const {
  // FNV-1a over the sizes, then a murmur finalizer so that sizes which
  // differ only in high bits still spread over the low (masked) bits.
  uint64_t hash = 0xcbf29ce484222325ull;
  for (int d = 0; d < keyRank; ++d)
    hash = (hash ^ static_cast<uint64_t>(key[d])) * 0x100000001b3ull;
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  return hash & mask;
}

bool KeyCache::slotHoldsKey(const Table &table, uint64_t slot,
                            const int64_t *key) const {
  const std::atomic<int64_t> *words = &table.words[slot * wordsPerSlot];
  for (int d = 0; d < keyRank; ++d)
    if (words[1 + d].load(std::memory_order_relaxed) != key[d])
      return false;
  return true;
}

int32_t KeyCache::lookup(const int64_t *key) const {
  uint64_t before = version.load(std::memory_order_acquire);
  if (before & 1)
    return -1;
  const Table *table = current.load(std::memory_order_acquire);
  int64_t found = 0;
  uint64_t slot = homeSlot(key, table->mask);
  for (uint64_t probe = 0; probe <= table->mask; ++probe) {
    int64_t tag =
        table->words[slot * wordsPerSlot].load(std::memory_order_relaxed);
    if (tag == 0)
      break;
    if (slotHoldsKey(*table, slot, key)) {
      found = tag;
      break;
    }
    slot = (slot + 1) & table->mask;
  }
  // Sequence-lock validation: nothing was written while we probed.
  std::atomic_thread_fence(std::memory_order_acquire);
  if (version.load(std::memory_order_relaxed) != before)
    return -1;
  return static_cast<int32_t>(found - 1);
}

bool KeyCache::findSlot(const int64_t *key, uint64_t &slot) const {
  const Table &table = *current.load(std::memory_order_relaxed);
  slot = homeSlot(key, table.mask);
  for (uint64_t probe = 0; probe <= table.mask; ++probe) {
    if (table.words[slot * wordsPerSlot].load(std::memory_order_relaxed) == 0)
      return false;
    if (slotHoldsKey(table, slot, key))
      return true;
    slot = (slot + 1) & table.mask;
  }
  return false;
}

void KeyCache::beginWrite() {
  version.store(version.load(std::memory_order_relaxed) + 1,
                std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
}

void KeyCache::endWrite() {
  version.store(version.load(std::memory_order_relaxed) + 1,
                std::memory_order_release);
}

void KeyCache::writeSlot(Table &table, uint64_t slot, int64_t tag,
                         const int64_t *key) {
  std::atomic<int64_t> *words = &table.words[slot * wordsPerSlot];
  for (int d = 0; d < keyRank; ++d)
    words[1 + d].store(key ? key[d] : 0, std::memory_order_relaxed);
  words[0].store(tag, std::memory_order_relaxed);
}

void KeyCache::moveSlot(Table &table, uint64_t from, uint64_t to) {
  std::atomic<int64_t> *src = &table.words[from * wordsPerSlot];
  std::atomic<int64_t> *dst = &table.words[to * wordsPerSlot];
  for (int w = 0; w < wordsPerSlot; ++w)
    dst[w].store(src[w].load(std::memory_order_relaxed),
                 std::memory_order_relaxed);
}

void KeyCache::growIfNeeded() {
  Table &old = *current.load(std::memory_order_relaxed);
  uint64_t capacity = old.mask + 1;
  if (static_cast<uint64_t>(numEntries + 1) * 2 <= capacity ||
      capacity >= maxCapacity)
    return;
  auto grown = std::make_unique<Table>(capacity * 2, wordsPerSlot);
  std::vector<int64_t> key(keyRank);
  for (uint64_t slot = 0; slot < capacity; ++slot) {
    const std::atomic<int64_t> *words = &old.words[slot * wordsPerSlot];
    int64_t tag = words[0].load(std::memory_order_relaxed);
    if (tag == 0)
      continue;
    for (int d = 0; d < keyRank; ++d)
      key[d] = words[1 + d].load(std::memory_order_relaxed);
    uint64_t target = homeSlot(key.data(), grown->mask);
    while (grown->words[target * wordsPerSlot].load(
               std::memory_order_relaxed) != 0)
      target = (target + 1) & grown->mask;
    writeSlot(*grown, target, tag, key.data());
  }
  // Readers of the old table see a consistent (older) state; a reader that
  // misses the new entry falls back to the locked path.
  current.store(grown.get(), std::memory_order_release);
  tables.push_back(std::move(grown));
}

void KeyCache::insert(const int64_t *key, int32_t variant) {
  uint64_t slot;
  beginWrite();
  if (!findSlot(key, slot)) {
    growIfNeeded();
    Table &table = *current.load(std::memory_order_relaxed);
    slot = homeSlot(key, table.mask);
    while (table.words[slot * wordsPerSlot].load(std::memory_order_relaxed) !=
           0)
      slot = (slot + 1) & table.mask;
    ++numEntries;
  }
  writeSlot(*current.load(std::memory_order_relaxed), slot, variant + 1, key);
  endWrite();
}

void KeyCache::erase(const int64_t *key) {
  uint64_t hole;
  if (!findSlot(key, hole))
    return;
  beginWrite();
  Table &table = *current.load(std::memory_order_relaxed);
  writeSlot(table, hole, 0, nullptr);
  --numEntries;
  // Backward-shift deletion: move later members of the probe run into the
  // hole so that lookups never stop early at it.
  uint64_t next = hole;
  std::vector<int64_t> probeKey(keyRank);
  while (true) {
    next = (next + 1) & table.mask;
    std::atomic<int64_t> *words = &table.words[next * wordsPerSlot];
    if (words[0].load(std::memory_order_relaxed) == 0)
      break;
    for (int d = 0; d < keyRank; ++d)
      probeKey[d] = words[1 + d].load(std::memory_order_relaxed);
    uint64_t home = homeSlot(probeKey.data(), table.mask);
    // Move `next` into the hole unless its home lies cyclically in
    // (hole, next].
    bool homeBetween = hole <= next ? (hole < home && home <= next)
                                    : (hole < home || home <= next);
    if (homeBetween)
      continue;
    moveSlot(table, next, hole);
    writeSlot(table, next, 0, nullptr);
    hole = next;
  }
  endWrite();
}

void KeyCache::clear() {
  beginWrite();
  Table &table = *current.load(std::memory_order_relaxed);
  for (uint64_t i = 0; i < (table.mask + 1) * wordsPerSlot; ++i)
    table.words[i].store(0, std::memory_order_relaxed);
  numEntries = 0;
  endWrite();
}

void KeyCache::setMaxEntries(int64_t maxEntries) {
  uint64_t wanted = capacityFor(maxEntries);
  if (wanted > maxCapacity)
    maxCapacity = wanted;
}

} // namespace multikernel::runtime
