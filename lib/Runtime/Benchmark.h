//===- Benchmark.h - timing variants without changing results ---*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_LIB_RUNTIME_BENCHMARK_H
#define MULTIKERNEL_LIB_RUNTIME_BENCHMARK_H

#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace multikernel::runtime {

/// The bytes of every argument a site's variants write, copied aside so that
/// each benchmark run, and the final real run, starts from the caller's
/// data. Host memory is copied on the host, device memory on the device.
class WrittenSnapshot {
public:
  WrittenSnapshot() = default;
  WrittenSnapshot(const WrittenSnapshot &) = delete;
  WrittenSnapshot &operator=(const WrittenSnapshot &) = delete;
  ~WrittenSnapshot();

  /// Copies the written arguments of `args`. On failure (a device copy that
  /// fails) returns false and sets `error`.
  bool capture(const MkrtSiteDescriptor &desc, void **args, std::string &error);
  /// Writes the copies back. Returns false if a device copy failed.
  bool restore();

  size_t bytes() const;

private:
  struct Region {
    char *data;
    size_t bytes;
    int32_t memorySpace;
    std::vector<char> hostCopy;
    void *deviceCopy = nullptr;
  };
  std::vector<Region> regions;
};

/// The byte range [first, first + bytes) that a strided memref descriptor
/// covers (any stride signs; zero bytes for an empty memref).
void memrefByteSpan(const void *descriptor, int32_t rank, int32_t elementBytes,
                    char *&first, size_t &bytes);

struct BenchmarkResult {
  /// Median time per variant; negative for excluded or failed variants.
  std::vector<double> medianNanos;
  /// Variants that failed while being benchmarked.
  std::vector<int32_t> failed;
  /// Fastest variant, or -1 if none ran.
  int32_t best = -1;
};

/// Benchmarks every variant of `desc` not in `excludedMask` on `args`:
/// a warm-up run and a first estimate per variant, then, for the variants
/// whose estimate is within 1.5x of the best one's, as many timed runs as
/// fit the budget (at most `maxRuns` timed runs of each, fewer once every
/// variant's samples lie within 2% of each other), taken round-robin over
/// the variants, restoring `snapshot` before every run. GPU
/// runs are timed with events, each after a memset of `gpuLeadInBytes` (see
/// gpu::EventTimer). Leaves the written arguments restored.
BenchmarkResult benchmarkVariants(const MkrtSiteDescriptor &desc, void **args,
                                  uint64_t excludedMask, int64_t budgetNanos,
                                  int32_t maxRuns, int64_t gpuLeadInBytes,
                                  WrittenSnapshot &snapshot);

/// The clock CPU variants are timed with, in nanoseconds: steady_clock
/// unless another was installed. The runtime's unit tests install a fake
/// one that their variants advance by their nominal cost, so that which
/// variant wins does not depend on the machine's load. Null restores
/// steady_clock.
using NanosClock = int64_t (*)();
void setCpuBenchmarkClock(NanosClock clock);
/// The median of `samples` (not empty).
double median(std::vector<double> samples);

/// The clock CPU variants are timed by (the one set above, or steady_clock).
int64_t cpuBenchmarkNanos();

/// Runs `variant` once and reports whether it failed (GPU errors).
bool runVariantChecked(const MkrtSiteDescriptor &desc, int32_t variant,
                       void **args);

} // namespace multikernel::runtime

#endif // MULTIKERNEL_LIB_RUNTIME_BENCHMARK_H
