//===- RuntimeEnvDriver.cpp - a process for the environment tests ---------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Dispatches one fake site for the keys given on the command line and exits,
// so that lit tests can check what the MULTIKERNEL_* variables do at start
// and at exit (test/Runtime/environment.test).
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <cstdio>
#include <cstdlib>

using namespace multikernel::testing;

static int64_t variantOneFastest(int variant, int64_t) {
  return variant == 1 ? 30'000 : 90'000;
}

int main(int argc, char **argv) {
  // Unbuffered, so that our lines and the runtime's stderr interleave in
  // order.
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  FakeSite site("env_site", {{64}, {4096}});
  Scenario scenario;
  scenario.cost = variantOneFastest;
  std::vector<float> out(2);
  for (int i = 1; i < argc; ++i) {
    int32_t status = dispatch1d(site, scenario, std::atoll(argv[i]), out);
    std::printf("key %s -> status %d, variant %d\n", argv[i], status,
                static_cast<int>(out[0] - 100));
  }
  MkrtSiteStats stats = site.stats();
  std::printf("benchmarks %lld table %lld\n", (long long)stats.benchmarks,
              (long long)stats.tableHits);
  return 0;
}
