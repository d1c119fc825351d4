//===- Benchmark.cpp - timing variants without changing results -----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "Benchmark.h"

#include "GpuSupport.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>

namespace multikernel::runtime {

namespace {
/// A variant whose warm-up and estimate both took more than this many
/// times the best estimate is not timed again.
constexpr double kContenderRatio = 1.5;

/// Samples of one variant this close together (the spread over the
/// smallest) settle its time.
constexpr double kSettledSpread = 0.02;
/// ... once it has this many.
constexpr size_t kSettledSamples = 3;

/// Whether every variant still being repeated after `round` rounds has
/// settled: further runs would not move its median (GPU kernels time within
/// a percent run after run, so a short kernel's benchmark stops after a few
/// rounds instead of paying each run's lead-in, restore and sync up to the
/// cap).
bool allSettled(const std::vector<std::vector<double>> &samples,
                const std::vector<bool> &timing,
                const std::vector<int> &repeats, int round) {
  for (size_t v = 0; v < samples.size(); ++v) {
    if (!timing[v] || repeats[v] <= round)
      continue;
    if (samples[v].size() < kSettledSamples)
      return false;
    auto [low, high] =
        std::minmax_element(samples[v].begin(), samples[v].end());
    if (*high - *low > kSettledSpread * *low)
      return false;
  }
  return true;
}

} // namespace

double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  size_t middle = samples.size() / 2;
  if (samples.size() % 2)
    return samples[middle];
  return 0.5 * (samples[middle - 1] + samples[middle]);
}

void memrefByteSpan(const void *descriptor, int32_t rank, int32_t elementBytes,
                    char *&first, size_t &bytes) {
  // { T *allocated; T *aligned; int64_t offset; int64_t sizes[rank];
  //   int64_t strides[rank]; }
  const char *raw = static_cast<const char *>(descriptor);
  char *aligned;
  std::memcpy(&aligned, raw + sizeof(void *), sizeof(void *));
  const int64_t *fields =
      reinterpret_cast<const int64_t *>(raw + 2 * sizeof(void *));
  int64_t offset = fields[0];
  const int64_t *sizes = fields + 1;
  const int64_t *strides = fields + 1 + rank;
  int64_t low = offset, high = offset;
  for (int32_t d = 0; d < rank; ++d) {
    if (sizes[d] <= 0) {
      first = aligned;
      bytes = 0;
      return;
    }
    int64_t extent = (sizes[d] - 1) * strides[d];
    if (extent < 0)
      low += extent;
    else
      high += extent;
  }
  first = aligned + low * elementBytes;
  bytes = static_cast<size_t>(high - low + 1) * elementBytes;
}

WrittenSnapshot::~WrittenSnapshot() {
  for (Region &region : regions)
    if (region.deviceCopy)
      gpu::release(region.deviceCopy);
}

bool WrittenSnapshot::capture(const MkrtSiteDescriptor &desc, void **args,
                              std::string &error) {
  for (int32_t i = 0; i < desc.numWritten; ++i) {
    const MkrtWrittenArg &written = desc.written[i];
    Region region;
    memrefByteSpan(args[written.argIndex], written.rank, written.elementBytes,
                   region.data, region.bytes);
    region.memorySpace = written.memorySpace;
    if (region.bytes == 0)
      continue;
    if (region.memorySpace == MKRT_MEMORY_CUDA_DEVICE) {
      region.deviceCopy = gpu::allocate(region.bytes);
      if (!region.deviceCopy ||
          !gpu::copyOnCurrentStream(region.deviceCopy, region.data,
                                    region.bytes)) {
        if (region.deviceCopy)
          gpu::release(region.deviceCopy);
        error = "device copy of argument " + std::to_string(written.argIndex) +
                " failed";
        return false;
      }
    } else {
      region.hostCopy.assign(region.data, region.data + region.bytes);
    }
    regions.push_back(std::move(region));
  }
  return true;
}

bool WrittenSnapshot::restore() {
  bool ok = true;
  for (Region &region : regions) {
    if (region.deviceCopy)
      ok &= gpu::copyOnCurrentStream(region.data, region.deviceCopy,
                                     region.bytes);
    else
      std::memcpy(region.data, region.hostCopy.data(), region.bytes);
  }
  return ok;
}

size_t WrittenSnapshot::bytes() const {
  size_t total = 0;
  for (const Region &region : regions)
    total += region.bytes;
  return total;
}

bool runVariantChecked(const MkrtSiteDescriptor &desc, int32_t variant,
                       void **args) {
  uint64_t errorsBefore = gpu::errorCount();
  desc.variants[variant](args);
  return gpu::errorCount() == errorsBefore;
}

namespace {
std::atomic<NanosClock> cpuClock{nullptr};

int64_t cpuNowNanos() {
  if (NanosClock clock = cpuClock.load(std::memory_order_relaxed))
    return clock();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
} // namespace

void setCpuBenchmarkClock(NanosClock clock) { cpuClock.store(clock); }

int64_t cpuBenchmarkNanos() { return cpuNowNanos(); }

namespace {
/// Times one run; negative when the variant failed.
class VariantTimer {
public:
  VariantTimer(const MkrtSiteDescriptor &desc, int64_t gpuLeadInBytes)
      : desc(desc) {
    if (desc.target == MKRT_TARGET_CUDA)
      events = std::make_unique<gpu::EventTimer>(
          static_cast<size_t>(std::max<int64_t>(gpuLeadInBytes, 0)));
  }

  double time(int32_t variant, void **args) {
    if (events) {
      if (!events->valid())
        return -1;
      uint64_t errorsBefore = gpu::errorCount();
      events->start();
      desc.variants[variant](args);
      double nanos = events->stop();
      return gpu::errorCount() == errorsBefore ? nanos : -1;
    }
    int64_t start = cpuNowNanos();
    desc.variants[variant](args);
    return static_cast<double>(cpuNowNanos() - start);
  }

private:
  const MkrtSiteDescriptor &desc;
  std::unique_ptr<gpu::EventTimer> events;
};
} // namespace

BenchmarkResult benchmarkVariants(const MkrtSiteDescriptor &desc, void **args,
                                  uint64_t excludedMask, int64_t budgetNanos,
                                  int32_t maxRuns, int64_t gpuLeadInBytes,
                                  WrittenSnapshot &snapshot) {
  BenchmarkResult result;
  result.medianNanos.assign(desc.numVariants, -1.0);
  VariantTimer timer(desc, gpuLeadInBytes);

  int candidates = 0;
  for (int32_t v = 0; v < desc.numVariants; ++v)
    if (!(excludedMask & (uint64_t(1) << v)))
      ++candidates;
  double budgetPerVariant =
      candidates ? static_cast<double>(budgetNanos) / candidates : 0;

  // Warm-up (caches, JIT, first-touch) and a first estimate per variant.
  std::vector<std::vector<double>> samples(desc.numVariants);
  std::vector<int> repeats(desc.numVariants, 0);
  std::vector<bool> timing(desc.numVariants, false);
  std::vector<double> fastestEarly(desc.numVariants, -1.0);
  int maxRepeats = 0;
  for (int32_t v = 0; v < desc.numVariants; ++v) {
    if (excludedMask & (uint64_t(1) << v))
      continue;
    snapshot.restore();
    double warmup = timer.time(v, args);
    snapshot.restore();
    double estimate = warmup < 0 ? -1 : timer.time(v, args);
    if (warmup < 0 || estimate < 0) {
      result.failed.push_back(v);
      continue;
    }
    samples[v].push_back(estimate);
    fastestEarly[v] = std::min(warmup, estimate);
    if (estimate > 0)
      repeats[v] = static_cast<int>(budgetPerVariant / estimate) - 2;
    repeats[v] = std::clamp(repeats[v], 0, std::max(maxRuns, 1) - 1);
    maxRepeats = std::max(maxRepeats, repeats[v]);
    timing[v] = true;
  }

  // Only contenders are timed again: a variant whose warm-up and estimate
  // both took more than kContenderRatio times the best estimate cannot win
  // on noise (noise only adds time; one slow run of a contender is not
  // enough to drop it), and its runs would be most of the benchmark's cost
  // (a variant tiled for 64 rows on 3000).
  double bestEstimate = -1;
  for (int32_t v = 0; v < desc.numVariants; ++v)
    if (timing[v] && (bestEstimate < 0 || samples[v][0] < bestEstimate))
      bestEstimate = samples[v][0];
  maxRepeats = 0;
  for (int32_t v = 0; v < desc.numVariants; ++v) {
    if (timing[v] && fastestEarly[v] > kContenderRatio * bestEstimate)
      repeats[v] = 0;
    maxRepeats = std::max(maxRepeats, repeats[v]);
  }

  // Timed runs, round-robin over the variants: a machine that speeds up or
  // slows down while it is being measured (GPU clocks ramping, another
  // process starting) then shifts every variant's samples alike, where
  // timing one variant after another would favour whichever came last.
  for (int r = 0; r < maxRepeats; ++r) {
    for (int32_t v = 0; v < desc.numVariants; ++v) {
      if (!timing[v] || r >= repeats[v])
        continue;
      snapshot.restore();
      double nanos = timer.time(v, args);
      if (nanos < 0) {
        result.failed.push_back(v);
        timing[v] = false;
        continue;
      }
      samples[v].push_back(nanos);
    }
    if (allSettled(samples, timing, repeats, r + 1))
      break;
  }

  for (int32_t v = 0; v < desc.numVariants; ++v) {
    if (!timing[v])
      continue;
    result.medianNanos[v] = median(samples[v]);
    if (result.best < 0 ||
        result.medianNanos[v] < result.medianNanos[result.best])
      result.best = v;
  }
  snapshot.restore();
  return result;
}

} // namespace multikernel::runtime
