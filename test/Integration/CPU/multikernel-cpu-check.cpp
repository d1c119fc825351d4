//===- multikernel-cpu-check.cpp - run compiled kernels against a reference
//===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
//   multikernel-cpu-check <library.so> <kernel> <shape>...
//
// Loads a library built by multikernel-compile from kernels.mlir, calls
// `_mlir_ciface_<kernel>` for each shape (MxN, or MxNxK for matmul) with
// random inputs, compares the result with a float64 reference, and prints one
// line per call and the dispatch statistics at the end. The exit status is
// non-zero if any result is wrong. Kernel `seed_forms` compares the tensor
// and memref forms of the seed kernel instead.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <random>
#include <string>
#include <vector>

namespace {

template <int Rank> struct MemRef {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

MemRef<2> view(std::vector<float> &data, int64_t rows, int64_t cols) {
  return {data.data(), data.data(), 0, {rows, cols}, {cols, 1}};
}

std::vector<float> random(size_t count, unsigned seed, float low, float high) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(low, high);
  std::vector<float> values(count);
  for (float &v : values)
    v = distribution(generator);
  return values;
}

double relativeError(const float *out, const std::vector<double> &ref) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    double d = out[i] - ref[i];
    if (std::isnan(out[i]))
      return INFINITY;
    diff += d * d;
    norm += ref[i] * ref[i];
  }
  return norm == 0 ? std::sqrt(diff) : std::sqrt(diff / norm);
}

void *symbol(void *library, const std::string &name) {
  void *address = dlsym(library, name.c_str());
  if (!address) {
    std::fprintf(stderr, "missing symbol %s\n", name.c_str());
    std::exit(2);
  }
  return address;
}

bool parseShape(const char *text, int64_t dims[3], int &rank) {
  rank = 0;
  const char *p = text;
  while (*p && rank < 3) {
    char *end;
    dims[rank++] = std::strtoll(p, &end, 10);
    if (end == p || dims[rank - 1] < 1)
      return false;
    p = *end == 'x' ? end + 1 : end;
    if (*end && *end != 'x')
      return false;
  }
  return *p == '\0';
}

using Binary2D = void (*)(MemRef<2> *, MemRef<2> *, MemRef<2> *);
using Unary2D = void (*)(MemRef<2> *, MemRef<2> *);
using Reduce2D = void (*)(MemRef<1> *, MemRef<2> *);
using InPlace2D = void (*)(MemRef<2> *, MemRef<2> *, MemRef<2> *);

} // namespace

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s <library.so> <kernel> <shape>...\n",
                 argv[0]);
    return 2;
  }
  void *library = dlopen(argv[1], RTLD_NOW);
  if (!library) {
    std::fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
    return 2;
  }
  std::string kernel = argv[2];
  int failures = 0;
  const double tolerance = 1e-5;

  for (int i = 3; i < argc; ++i) {
    int64_t dims[3];
    int rank;
    if (!parseShape(argv[i], dims, rank)) {
      std::fprintf(stderr, "bad shape '%s'\n", argv[i]);
      return 2;
    }
    int64_t m = dims[0], n = rank > 1 ? dims[1] : 1;
    unsigned seed = static_cast<unsigned>(m * 7919 + n * 31 + i);
    double error = 0;

    if (kernel == "seed" || kernel == "seed_forms") {
      auto x = random(m * n, seed, -2, 2), y = random(m * n, seed + 1, -3, 3);
      MemRef<2> xv = view(x, m, n), yv = view(y, m, n), result{};
      reinterpret_cast<Binary2D>(symbol(library, "_mlir_ciface_seed"))(
          &result, &xv, &yv);
      std::vector<double> ref(m * n);
      for (int64_t k = 0; k < m * n; ++k)
        ref[k] = 2.0 * x[k] + std::sin(static_cast<double>(y[k]));
      error = relativeError(result.aligned, ref);
      if (kernel == "seed_forms") {
        // The memref form writes in place; both must agree bit for bit.
        std::vector<float> out(m * n, NAN);
        MemRef<2> ov = view(out, m, n);
        reinterpret_cast<InPlace2D>(
            symbol(library, "_mlir_ciface_seed_memref"))(&xv, &yv, &ov);
        error = std::memcmp(out.data(), result.aligned, m * n * 4) == 0
                    ? 0.0
                    : INFINITY;
      }
      std::free(result.allocated);
    } else if (kernel == "rowsum") {
      auto x = random(m * n, seed, -1, 1);
      MemRef<2> xv = view(x, m, n);
      MemRef<1> result{};
      reinterpret_cast<Reduce2D>(symbol(library, "_mlir_ciface_rowsum"))(
          &result, &xv);
      std::vector<double> ref(m, 0.0);
      for (int64_t r = 0; r < m; ++r)
        for (int64_t c = 0; c < n; ++c)
          ref[r] += x[r * n + c];
      error = relativeError(result.aligned, ref);
      std::free(result.allocated);
    } else if (kernel == "softmax") {
      auto x = random(m * n, seed, -5, 5);
      MemRef<2> xv = view(x, m, n), result{};
      reinterpret_cast<Unary2D>(symbol(library, "_mlir_ciface_softmax"))(
          &result, &xv);
      std::vector<double> ref(m * n);
      for (int64_t r = 0; r < m; ++r) {
        double max = -INFINITY, sum = 0;
        for (int64_t c = 0; c < n; ++c)
          max = std::max(max, static_cast<double>(x[r * n + c]));
        for (int64_t c = 0; c < n; ++c)
          sum += std::exp(x[r * n + c] - max);
        for (int64_t c = 0; c < n; ++c)
          ref[r * n + c] = std::exp(x[r * n + c] - max) / sum;
      }
      error = relativeError(result.aligned, ref);
      std::free(result.allocated);
    } else if (kernel == "matmul") {
      if (rank != 3) {
        std::fprintf(stderr, "matmul shapes are MxNxK\n");
        return 2;
      }
      int64_t k = dims[2];
      auto a = random(m * k, seed, -1, 1), b = random(k * n, seed + 1, -1, 1);
      MemRef<2> av = view(a, m, k), bv = view(b, k, n), result{};
      reinterpret_cast<Binary2D>(symbol(library, "_mlir_ciface_matmul"))(
          &result, &av, &bv);
      std::vector<double> ref(m * n, 0.0);
      for (int64_t r = 0; r < m; ++r)
        for (int64_t p = 0; p < k; ++p)
          for (int64_t c = 0; c < n; ++c)
            ref[r * n + c] += static_cast<double>(a[r * k + p]) * b[p * n + c];
      error = relativeError(result.aligned, ref);
      std::free(result.allocated);
    } else {
      std::fprintf(stderr, "unknown kernel '%s'\n", kernel.c_str());
      return 2;
    }
    bool ok = error <= tolerance;
    failures += !ok;
    std::printf("%s %s: %s (relative error %.1e)\n", kernel.c_str(), argv[i],
                ok ? "ok" : "WRONG", error);
  }

  for (int64_t s = 0; s < mkrtGetNumSites(); ++s) {
    MkrtSiteStats stats;
    mkrtGetSiteStats(s, &stats);
    std::printf("site %s: calls %lld hits %lld misses %lld benchmarks %lld "
                "keys %lld\n",
                stats.name, (long long)stats.calls, (long long)stats.hits,
                (long long)stats.misses, (long long)stats.benchmarks,
                (long long)stats.cachedKeys);
  }
  std::printf("%s\n", failures ? "FAILED" : "ALL CORRECT");
  return failures ? 1 : 0;
}
