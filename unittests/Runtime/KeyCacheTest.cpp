//===- KeyCacheTest.cpp - the lock-free decision cache --------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "KeyCache.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

using multikernel::runtime::KeyCache;

namespace {

TEST(KeyCacheTest, InsertLookupOverwrite) {
  KeyCache cache(2, 64);
  int64_t a[2] = {1024, 512}, b[2] = {512, 1024};
  EXPECT_EQ(cache.lookup(a), -1);
  cache.insert(a, 3);
  EXPECT_EQ(cache.lookup(a), 3);
  EXPECT_EQ(cache.lookup(b), -1);
  cache.insert(a, 0);
  EXPECT_EQ(cache.lookup(a), 0);
  EXPECT_EQ(cache.size(), 1);
}

TEST(KeyCacheTest, RankZeroKey) {
  KeyCache cache(0, 4);
  EXPECT_EQ(cache.lookup(nullptr), -1);
  cache.insert(nullptr, 2);
  EXPECT_EQ(cache.lookup(nullptr), 2);
  cache.erase(nullptr);
  EXPECT_EQ(cache.lookup(nullptr), -1);
}

// Random inserts and erases against std::map: exercises growth and the
// backward-shift deletion of colliding probe runs.
TEST(KeyCacheTest, MatchesAReferenceMap) {
  KeyCache cache(3, 300);
  std::map<std::vector<int64_t>, int32_t> reference;
  std::mt19937_64 random(42);
  for (int step = 0; step < 20000; ++step) {
    std::vector<int64_t> key = {static_cast<int64_t>(random() % 40),
                                static_cast<int64_t>(random() % 10), 7};
    bool canInsert = reference.size() < 300 || reference.count(key);
    if (random() % 3 && canInsert) {
      int32_t variant = static_cast<int32_t>(random() % 8);
      cache.insert(key.data(), variant);
      reference[key] = variant;
    } else {
      cache.erase(key.data());
      reference.erase(key);
    }
    ASSERT_EQ(cache.size(), static_cast<int64_t>(reference.size()));
    if (step % 97 == 0) {
      for (int64_t i = 0; i < 40; ++i)
        for (int64_t j = 0; j < 10; ++j) {
          int64_t probe[3] = {i, j, 7};
          auto found = reference.find({i, j, 7});
          ASSERT_EQ(cache.lookup(probe),
                    found == reference.end() ? -1 : found->second)
              << "step " << step << " key " << i << "," << j;
        }
    }
  }
  cache.clear();
  int64_t any[3] = {1, 1, 7};
  EXPECT_EQ(cache.lookup(any), -1);
  EXPECT_EQ(cache.size(), 0);
}

} // namespace
