//===- FakeClock.cpp - the unit tests' benchmark clock --------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Linked into every runtime unit test: the runtime times CPU variants with
// the fake clock of TestSupport.h, which each variant advances by its
// nominal cost, so that a busy machine cannot change which variant wins.
//
//===----------------------------------------------------------------------===//

#include "Benchmark.h"
#include "TestSupport.h"

namespace {
int64_t fakeClockNow() { return multikernel::testing::fakeCpuNanos; }

const bool installed = [] {
  multikernel::runtime::setCpuBenchmarkClock(fakeClockNow);
  multikernel::testing::fakeClockInstalled.store(true);
  return true;
}();
} // namespace
