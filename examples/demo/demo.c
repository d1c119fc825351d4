/* The seed's usage example, in C: a library compiled by multikernel-compile
 * is called with varying shapes; the runtime benchmarks the variants on the
 * first call with a new shape, caches the winner and calls it directly
 * afterwards. Prints, per shape, each variant's time and the winner, and the
 * statistics table at the end.
 *
 *   multikernel-compile examples/demo/demo-kernels.mlir -o libdemo.so \
 *       --hints=1024x512,4096x2048
 *   multikernel-demo ./libdemo.so
 */
#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
} MemRef2D;

typedef void (*SeedFn)(MemRef2D *, MemRef2D *, MemRef2D *);
typedef void (*SoftmaxFn)(MemRef2D *, MemRef2D *);

static double nowMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static MemRef2D make(int64_t rows, int64_t cols) {
  float *data = malloc(sizeof(float) * rows * cols);
  for (int64_t i = 0; i < rows * cols; ++i)
    data[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
  MemRef2D m = {data, data, 0, {rows, cols}, {cols, 1}};
  return m;
}

/* Prints the decision the runtime made for `site` and key (rows, cols). */
static void printDecision(const char *site, int64_t rows, int64_t cols) {
  for (int64_t s = 0; s < mkrtGetNumSites(); ++s) {
    MkrtSiteStats stats;
    mkrtGetSiteStats(s, &stats);
    if (strcmp(stats.name, site) != 0)
      continue;
    MkrtDecision decisions[64];
    int64_t count = mkrtGetSiteDecisions(s, decisions, 64);
    for (int64_t d = 0; d < count && d < 64; ++d) {
      if (decisions[d].key[0] != rows || decisions[d].key[1] != cols)
        continue;
      printf("    %-12s", site);
      for (int v = 0; v < decisions[d].numVariants; ++v)
        printf("  variant %d: %8.1f us", v, decisions[d].variantNanos[v] / 1e3);
      printf("  -> winner %d\n", decisions[d].variant);
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s <libdemo.so>\n", argv[0]);
    return 2;
  }
  void *library = dlopen(argv[1], RTLD_NOW);
  if (!library) {
    fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
    return 1;
  }
  SeedFn seed = (SeedFn)dlsym(library, "_mlir_ciface_seed");
  SoftmaxFn softmax = (SoftmaxFn)dlsym(library, "_mlir_ciface_softmax");
  if (!seed || !softmax) {
    fprintf(stderr,
            "the library lacks _mlir_ciface_seed/_mlir_ciface_softmax\n");
    return 1;
  }

  printf("hints: [1024, 512] and [4096, 2048]; device: %s\n\n",
         mkrtGetDeviceName(MKRT_TARGET_CPU));
  const int64_t shapes[][2] = {{512, 256}, {1500, 750}, {4096, 2048},
                               {512, 256}, {1500, 750}, {4096, 2048},
                               {100, 4000}};
  for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); ++i) {
    int64_t rows = shapes[i][0], cols = shapes[i][1];
    MemRef2D x = make(rows, cols), y = make(rows, cols), out, probs;
    double start = nowMs();
    seed(&out, &x, &y);
    double seedMs = nowMs() - start;
    start = nowMs();
    softmax(&probs, &x);
    double softmaxMs = nowMs() - start;
    printf("shape %5lld x %-5lld  seed %8.2f ms  softmax %8.2f ms  "
           "(out[0] = %.4f, probs[0] = %.6f)\n",
           (long long)rows, (long long)cols, seedMs, softmaxMs, out.aligned[0],
           probs.aligned[0]);
    printDecision("seed_0", rows, cols);
    free(x.allocated);
    free(y.allocated);
    free(out.allocated);
    free(probs.allocated);
  }
  printf("\n");
  mkrtPrintStats(stdout);
  return 0;
}
