//===- cpu-sweep.cpp - dispatched calls against each variant, CPU ---------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
//   cpu-sweep <libkernels.so> [repeats]
//
// For each kernel of bench/cpu/kernels.mlir and a sweep of shapes: the time
// of each variant alone (policy fixed:i), of the dispatched call with a warm
// cache (policy benchmark), the oracle (the best variant for the shape), the
// ratio dispatched / oracle, the variant the runtime chose, and the cold
// cost of the first call with a new shape (benchmarking included). Prints
// markdown tables and the geometric mean of the ratios per kernel.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <functional>
#include <string>
#include <vector>

namespace {

struct MemRef2D {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};
struct MemRef1D {
  float *allocated, *aligned;
  int64_t offset, sizes[1], strides[1];
};

double nowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

MemRef2D buffer(std::vector<float> &data, int64_t rows, int64_t cols) {
  data.resize(rows * cols);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<float>((i * 37) % 101) / 50.0f - 1.0f;
  return {data.data(), data.data(), 0, {rows, cols}, {cols, 1}};
}

/// The variant the runtime chose for the last new key of `site`.
int lastChoice(const char *site) {
  for (int64_t s = 0; s < mkrtGetNumSites(); ++s) {
    MkrtSiteStats stats;
    mkrtGetSiteStats(s, &stats);
    if (std::strcmp(stats.name, site) != 0)
      continue;
    std::vector<MkrtDecision> decisions(4096);
    int64_t count = mkrtGetSiteDecisions(s, decisions.data(), 4096);
    if (count > 0)
      return decisions[std::min<int64_t>(count, 4096) - 1].variant;
  }
  return -1;
}

struct Kernel {
  const char *name;
  const char *site; // the site whose choice is reported
  int numVariants;
  std::vector<std::vector<int64_t>> shapes;
  std::function<void(void *, const std::vector<int64_t> &)> call;
};

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <libkernels.so> [repeats [kernel]]\n",
                 argv[0]);
    return 2;
  }
  void *library = dlopen(argv[1], RTLD_NOW);
  if (!library) {
    std::fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
    return 2;
  }
  int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  // Optional: only the kernel of this name (seed, rowsum, softmax, matmul).
  std::string only = argc > 3 ? argv[3] : "";
  auto fn = [&](const char *name) {
    void *address = dlsym(library, name);
    if (!address) {
      std::fprintf(stderr, "missing %s\n", name);
      std::exit(2);
    }
    return address;
  };
  using Binary = void (*)(MemRef2D *, MemRef2D *, MemRef2D *);
  using Unary = void (*)(MemRef2D *, MemRef2D *);
  using Reduce = void (*)(MemRef1D *, MemRef2D *);
  auto seed = reinterpret_cast<Binary>(fn("_mlir_ciface_seed"));
  auto softmax = reinterpret_cast<Unary>(fn("_mlir_ciface_softmax"));
  auto rowsum = reinterpret_cast<Reduce>(fn("_mlir_ciface_rowsum"));
  auto matmul = reinterpret_cast<Binary>(fn("_mlir_ciface_matmul"));

  std::vector<std::vector<int64_t>> rowShapes = {
      {512, 256},   {1500, 750},  {1024, 512},  {4096, 2048},
      {8192, 1024}, {100000, 96}, {96, 100000}, {1, 4096},
      {4096, 1},    {333, 777},   {2048, 64},   {64, 2048}};
  std::vector<Kernel> kernels = {
      {"seed", "seed_0", 2, rowShapes,
       [&](void *, const std::vector<int64_t> &s) {
         static std::vector<float> x, y;
         MemRef2D xv = buffer(x, s[0], s[1]), yv = buffer(y, s[0], s[1]), out;
         seed(&out, &xv, &yv);
         std::free(out.allocated);
       }},
      {"rowsum", "rowsum_0", 2, rowShapes,
       [&](void *, const std::vector<int64_t> &s) {
         static std::vector<float> x;
         MemRef2D xv = buffer(x, s[0], s[1]);
         MemRef1D out;
         rowsum(&out, &xv);
         std::free(out.allocated);
       }},
      {"softmax", "softmax_0", 2, rowShapes,
       [&](void *, const std::vector<int64_t> &s) {
         static std::vector<float> x;
         MemRef2D xv = buffer(x, s[0], s[1]), out;
         softmax(&out, &xv);
         std::free(out.allocated);
       }},
      {"matmul",
       "matmul_1",
       2,
       {{64, 64, 64},
        {128, 128, 128},
        {256, 256, 256},
        {512, 512, 512},
        {100, 300, 200},
        {1, 512, 512},
        {512, 1, 512},
        {33, 65, 129}},
       [&](void *, const std::vector<int64_t> &s) {
         static std::vector<float> a, b;
         MemRef2D av = buffer(a, s[0], s[2]), bv = buffer(b, s[2], s[1]), out;
         matmul(&out, &av, &bv);
         std::free(out.allocated);
       }},
  };

  for (Kernel &kernel : kernels) {
    if (!only.empty() && only != kernel.name)
      continue;
    std::printf("\n### %s\n\n| shape | ", kernel.name);
    for (int v = 0; v < kernel.numVariants; ++v)
      std::printf("variant %d (ms) | ", v);
    std::printf("dispatched (ms) | oracle (ms) | dispatched/oracle | chosen | "
                "first call (ms) |\n|---|");
    for (int v = 0; v < kernel.numVariants + 5; ++v)
      std::printf("---|");
    std::printf("\n");
    double logSum = 0;
    int count = 0;
    for (const auto &shape : kernel.shapes) {
      auto timeCalls = [&] {
        std::vector<double> samples;
        for (int r = 0; r < repeats; ++r) {
          double start = nowMs();
          kernel.call(nullptr, shape);
          samples.push_back(nowMs() - start);
        }
        return median(samples);
      };
      std::vector<double> alone;
      for (int v = 0; v < kernel.numVariants; ++v) {
        mkrtReset();
        mkrtSetPolicy(("fixed:" + std::to_string(v)).c_str());
        kernel.call(nullptr, shape); // warm-up (and the fixed decision)
        alone.push_back(timeCalls());
      }
      mkrtReset();
      mkrtSetPolicy("benchmark");
      double start = nowMs();
      kernel.call(nullptr, shape);
      double cold = nowMs() - start;
      int chosen = lastChoice(kernel.site);
      double dispatched = timeCalls();
      double oracle = *std::min_element(alone.begin(), alone.end());
      double ratio = dispatched / oracle;
      logSum += std::log(ratio);
      ++count;
      std::string shapeText;
      for (size_t d = 0; d < shape.size(); ++d)
        shapeText += (d ? "x" : "") + std::to_string(shape[d]);
      std::printf("| %s | ", shapeText.c_str());
      for (double t : alone)
        std::printf("%.3f | ", t);
      std::printf("%.3f | %.3f | %.3f | %d | %.2f |\n", dispatched, oracle,
                  ratio, chosen, cold);
      std::fflush(stdout);
    }
    std::printf("\ngeo-mean dispatched/oracle for %s: %.3f over %d shapes\n",
                kernel.name, std::exp(logSum / count), count);
  }
  return 0;
}
