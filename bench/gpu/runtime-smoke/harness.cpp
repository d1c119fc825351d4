// GPU smoke test of libmultikernel_runtime on a real driver: a CUDA site
// whose variants launch through the mgpu* entry points exactly as MLIR's
// gpu-to-llvm host code does (get function, "create" stream, launch,
// synchronize, "destroy" stream). Checks that benchmarking an in-place
// kernel leaves exactly one application, that a variant that cannot launch
// is excluded, and measures the host cost of a dispatched call on a hit
// against a bare cuLaunchKernel through the same entry points.
#include "multikernel/Runtime/MultiKernelGpu.h"
#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

namespace {
void *module = nullptr;

struct MemRef1D {
  float *allocated, *aligned;
  int64_t offset, size, stride;
};

void launch(const char *kernel, int64_t blocks, int64_t threads, void **args) {
  auto *out = static_cast<MemRef1D *>(args[0]);
  auto *x = static_cast<MemRef1D *>(args[1]);
  long long n = out->size;
  float *o = out->aligned;
  float *in = x->aligned;
  void *params[] = {&o, &in, &n};
  void *function = mgpuModuleGetFunction(module, kernel);
  void *stream = mgpuStreamCreate();
  mgpuLaunchKernel(function, blocks, 1, 1, threads, 1, 1, 0, stream, params,
                   nullptr, 3);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

void scalarSmallBlocks(void **args) {
  int64_t n = static_cast<MemRef1D *>(args[0])->size;
  launch("accumulate_scalar", std::min<int64_t>(ceilDiv(n, 128), 132 * 16), 128,
         args);
}
void vectorBlocks(void **args) {
  int64_t n = static_cast<MemRef1D *>(args[0])->size;
  launch("accumulate_vec4", std::max<int64_t>(ceilDiv(n / 4, 256), 1), 256,
         args);
}
void tooManyThreads(void **args) {
  launch("accumulate_scalar", 1, 4096, args); // > 1024: cannot launch
}

const int64_t hints[3] = {1 << 12, 1 << 24, 1 << 20};
const MkrtVariantFn variants[3] = {scalarSmallBlocks, vectorBlocks,
                                   tooManyThreads};
const MkrtWrittenArg written[1] = {{0, 1, 4, MKRT_MEMORY_CUDA_DEVICE}};
void *state = nullptr;
const MkrtSiteDescriptor site = {MKRT_ABI_VERSION,
                                 MKRT_TARGET_CUDA,
                                 "accumulate_0",
                                 "smoke",
                                 1,
                                 3,
                                 hints,
                                 variants,
                                 2,
                                 1,
                                 written,
                                 &state};
int failures = 0;

void check(bool ok, const char *what) {
  std::printf("%s: %s\n", ok ? "ok  " : "FAIL", what);
  failures += !ok;
}
} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: harness kernels.cubin\n");
    return 2;
  }
  std::ifstream file(argv[1], std::ios::binary);
  std::vector<char> cubin((std::istreambuf_iterator<char>(file)), {});
  check(mkrtGpuIsAvailable() == 1, "driver loads");
  std::printf("device: %s\n", mkrtGetDeviceName(MKRT_TARGET_CUDA));
  module = mgpuModuleLoad(cubin.data(), cubin.size());
  check(module != nullptr, "cubin loads");

  for (int64_t n : {int64_t(1000), int64_t(1) << 20, int64_t(1) << 24,
                    int64_t(3) + (int64_t(1) << 22)}) {
    std::vector<float> hostOut(n), hostX(n);
    for (int64_t i = 0; i < n; ++i) {
      hostOut[i] = std::sin(0.001f * i);
      hostX[i] = 1.0f + (i % 7);
    }
    size_t bytes = n * sizeof(float);
    auto *dOut = static_cast<float *>(mgpuMemAlloc(bytes, nullptr, false));
    auto *dX = static_cast<float *>(mgpuMemAlloc(bytes, nullptr, false));
    void *stream = mgpuStreamCreate();
    mgpuMemcpy(dOut, hostOut.data(), bytes, stream);
    mgpuMemcpy(dX, hostX.data(), bytes, stream);
    mgpuStreamSynchronize(stream);

    MemRef1D out{dOut, dOut, 0, n, 1}, x{dX, dX, 0, n, 1};
    void *args[2] = {&out, &x};
    int64_t key = n;
    int32_t status = mkrtDispatch(&site, &key, args); // benchmarks
    std::vector<float> result(n);
    mgpuMemcpy(result.data(), dOut, bytes, stream);
    mgpuStreamSynchronize(stream);
    int64_t wrong = 0;
    for (int64_t i = 0; i < n; ++i)
      wrong += result[i] != hostOut[i] + hostX[i];
    char what[128];
    std::snprintf(what, sizeof(what),
                  "n=%lld: status %d, out += x applied exactly once "
                  "(%lld wrong)",
                  (long long)n, status, (long long)wrong);
    check(status == MKRT_SUCCESS && wrong == 0, what);
    mgpuMemFree(dOut, nullptr);
    mgpuMemFree(dX, nullptr);
  }

  MkrtSiteStats stats;
  mkrtGetSiteStats(0, &stats);
  check(stats.excludedVariants == 0b100, "variant that cannot launch excluded");
  check(stats.benchmarks == 4, "one benchmark per new key");
  std::vector<MkrtDecision> decisions(8);
  int64_t count = mkrtGetSiteDecisions(0, decisions.data(), 8);
  std::printf(
      "\n| n | scalar 128-thread blocks (us) | float4 256-thread blocks "
      "(us) | chosen |\n|---|---|---|---|\n");
  for (int64_t i = 0; i < count; ++i)
    std::printf("| %lld | %.2f | %.2f | %d |\n", (long long)decisions[i].key[0],
                decisions[i].variantNanos[0] / 1e3,
                decisions[i].variantNanos[1] / 1e3, decisions[i].variant);

  // Host cost per call on a hit (launch-bound: 1000 elements), against the
  // same launch without the dispatcher. Both synchronize once at the end.
  int64_t n = 1000;
  auto *dOut = static_cast<float *>(mgpuMemAlloc(n * 4, nullptr, false));
  auto *dX = static_cast<float *>(mgpuMemAlloc(n * 4, nullptr, false));
  mgpuMemset32(dOut, 0, n, mgpuStreamCreate());
  mgpuMemset32(dX, 0, n, mgpuStreamCreate());
  MemRef1D out{dOut, dOut, 0, n, 1}, x{dX, dX, 0, n, 1};
  void *args[2] = {&out, &x};
  // A launch-only variant for the timing: no synchronize per launch.
  auto timeLoop = [&](auto &&body) {
    for (int i = 0; i < 1000; ++i)
      body();
    mgpuStreamSynchronize(mgpuStreamCreate());
    auto start = std::chrono::steady_clock::now();
    const int iterations = 20000;
    for (int i = 0; i < iterations; ++i)
      body();
    mgpuStreamSynchronize(mgpuStreamCreate());
    return std::chrono::duration<double, std::micro>(
               std::chrono::steady_clock::now() - start)
               .count() /
           iterations;
  };
  static const MkrtVariantFn launchOnly[1] = {[](void **a) {
    auto *o = static_cast<MemRef1D *>(a[0]);
    auto *in = static_cast<MemRef1D *>(a[1]);
    long long count = o->size;
    float *po = o->aligned, *pi = in->aligned;
    void *params[] = {&po, &pi, &count};
    mgpuLaunchKernel(mgpuModuleGetFunction(module, "accumulate_scalar"), 8, 1,
                     1, 128, 1, 1, 0, mgpuStreamCreate(), params, nullptr, 3);
  }};
  static const int64_t oneHint[1] = {1000};
  static void *launchState = nullptr;
  static const MkrtSiteDescriptor launchSite = {MKRT_ABI_VERSION,
                                                MKRT_TARGET_CUDA,
                                                "launch_only",
                                                "smoke",
                                                1,
                                                1,
                                                oneHint,
                                                launchOnly,
                                                2,
                                                1,
                                                written,
                                                &launchState};
  int64_t key = n;
  double bare = timeLoop([&] { launchOnly[0](args); });
  double dispatched = timeLoop([&] { mkrtDispatch(&launchSite, &key, args); });
  std::printf("\nhost time per call, launch-bound (1000 elements, 20000 "
              "calls):\n  bare mgpuLaunchKernel: %.2f us\n  mkrtDispatch hit: "
              "%.2f us\n",
              bare, dispatched);
  std::printf("\n%s (%d failures)\n", failures ? "FAILED" : "ALL OK", failures);
  return failures ? 1 : 0;
}
