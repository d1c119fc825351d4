/*===- MultiKernelRuntime.h - multikernel runtime C API ---------*- C -*-===*\
|*                                                                            *|
|* Part of the multikernel project.                                           *|
|*                                                                            *|
|* The C interface of libmultikernel_runtime: the library that the lowered    *|
|* `multikernel.dispatch` op calls, and that a deployed model ships with.     *|
|* Plain C, no MLIR dependency. ABI version: MKRT_ABI_VERSION.                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef MULTIKERNEL_RUNTIME_MULTIKERNELRUNTIME_H
#define MULTIKERNEL_RUNTIME_MULTIKERNELRUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(_WIN32)
#define MKRT_EXPORT __declspec(dllexport)
#else
#define MKRT_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===*
 * Dispatch site descriptors (emitted by the compiler)
 *===----------------------------------------------------------------------===*/

/** Version of the descriptor layout below. A descriptor of another version
 *  is rejected by mkrtDispatch with MKRT_ERROR_BAD_DESCRIPTOR. */
#define MKRT_ABI_VERSION 2

/** Limits checked when a site is first used. */
#define MKRT_MAX_KEY_RANK 8
#define MKRT_MAX_VARIANTS 32

/** A variant entry point.
 *
 *  Calling convention: `args` has one entry per argument of the dispatch op
 *  (DispatchOp's `args`, in order). Entry i points to the argument's value:
 *  - for a memref of rank R, to its strided descriptor, laid out as MLIR's
 *    `_mlir_ciface_` convention does (StridedMemRefType in CRunnerUtils.h):
 *      struct { T *allocated; T *aligned; int64_t offset;
 *               int64_t sizes[R]; int64_t strides[R]; }
 *  - for a scalar (index, integer, float), to the scalar itself.
 *  A variant computes the whole kernel for any sizes; it may only write the
 *  arguments listed in the descriptor's `written` table. It reports GPU
 *  failures through the mgpu* entry points of this library (see
 *  MultiKernelGpu.h); CPU variants cannot fail. */
typedef void (*MkrtVariantFn)(void **args);

/** Where the bytes of a written argument live. */
enum MkrtMemorySpace {
  MKRT_MEMORY_HOST = 0,
  MKRT_MEMORY_CUDA_DEVICE = 1,
};

/** Where the variants of a site run; selects the timing method. */
enum MkrtTarget {
  MKRT_TARGET_CPU = 0,
  MKRT_TARGET_CUDA = 1,
};

/** An argument that variants write: a memref, described so that the runtime
 *  can snapshot and restore the bytes it covers while it benchmarks. */
typedef struct MkrtWrittenArg {
  int32_t argIndex;     /**< index into the `args` array */
  int32_t rank;         /**< rank of the memref */
  int32_t elementBytes; /**< size of one element in bytes */
  int32_t memorySpace;  /**< an MkrtMemorySpace */
} MkrtWrittenArg;

/** One dispatch site, as a constant emitted by the compiler. The layout is
 *  fixed by MKRT_ABI_VERSION (all pointers 8 bytes, no implicit padding):
 *    { i32, i32, ptr, ptr, i32, i32, ptr, ptr, i32, i32, ptr, ptr, ptr }
 *  (version 2 added `variantNames`). */
typedef struct MkrtSiteDescriptor {
  int32_t abiVersion;            /**< MKRT_ABI_VERSION */
  int32_t target;                /**< an MkrtTarget */
  const char *name;              /**< site name, unique in the module */
  const char *moduleId;          /**< identity of the compiled module (hash) */
  int32_t keyRank;               /**< number of key dimensions */
  int32_t numVariants;           /**< number of variants (= hints) */
  const int64_t *hints;          /**< numVariants x keyRank, row-major */
  const MkrtVariantFn *variants; /**< numVariants entry points */
  int32_t numArgs;               /**< length of the `args` array */
  int32_t numWritten;            /**< length of `written` */
  const MkrtWrittenArg *written; /**< arguments the variants write */
  void **state;                  /**< a writable, zero-initialized pointer
                                      slot owned by the runtime */
  const char *const *variantNames; /**< numVariants names saying what each
                                        variant is ("hint 4096x512",
                                        "cublaslt algorithm 0"), or null */
} MkrtSiteDescriptor;

/** Status codes. */
enum MkrtStatus {
  MKRT_SUCCESS = 0,
  MKRT_ERROR_BAD_DESCRIPTOR = 1, /**< malformed or foreign-version site */
  MKRT_ERROR_ALL_VARIANTS_FAILED = 2,
  MKRT_ERROR_VARIANT_FAILED = 3, /**< the chosen variant failed */
  MKRT_ERROR_INVALID_ARGUMENT = 4,
  MKRT_ERROR_IO = 5,
};

/** Runs the site for `key` (site->keyRank sizes) on `args`.
 *
 *  Cache hit: calls the cached variant (lock-free, tens of nanoseconds).
 *  Cache miss: chooses a variant by the current policy (by default it
 *  benchmarks every variant, restoring the written arguments before each
 *  run), caches the choice and runs the winner once for real. Either way the
 *  arguments end up exactly as after one plain run of one variant. */
MKRT_EXPORT int32_t mkrtDispatch(const MkrtSiteDescriptor *site,
                                 const int64_t *key, void **args);

/** mkrtDispatch for generated code, which has no way to return an error:
 *  on failure it reports the site and the status on stderr and aborts,
 *  rather than let the program go on with outputs that nothing wrote. */
MKRT_EXPORT void mkrtDispatchOrAbort(const MkrtSiteDescriptor *site,
                                     const int64_t *key, void **args);

/*===----------------------------------------------------------------------===*
 * Settings (also from the environment: MULTIKERNEL_POLICY, MULTIKERNEL_KEY,
 * MULTIKERNEL_BENCH_MS, MULTIKERNEL_MAX_ENTRIES, MULTIKERNEL_CACHE_FILE,
 * MULTIKERNEL_STATS, MULTIKERNEL_LOG; read once, at first use)
 *===----------------------------------------------------------------------===*/

/** How a cache miss picks a variant: "benchmark" (default: every variant
 *  timed on the first call of the key), "amortized" (each call of the key
 *  runs one variant for real, timed, until each has three runs, or two
 *  over 1.5x the fastest run; then the fastest is cached: see
 *  docs/Runtime.md), "nearest-hint" (smallest
 *  log-distance between key and hint, no benchmarking) or "fixed:N".
 *  Returns MKRT_ERROR_INVALID_ARGUMENT, changing nothing, for any other
 *  string. Affects future misses only. */
MKRT_EXPORT int32_t mkrtSetPolicy(const char *policy);

/** Key bucketing: "exact" (default) or "pow2" (each key dimension rounded up
 *  to a power of two before lookup). */
MKRT_EXPORT int32_t mkrtSetKeyBucketing(const char *bucketing);

/** What other threads do while one thread benchmarks a key: "wait" for the
 *  decision (default) or run the "nearest-hint" variant meanwhile. */
MKRT_EXPORT int32_t mkrtSetConcurrentMissPolicy(const char *policy);

/** Time budget for benchmarking one key, all variants together, in
 *  milliseconds (default 20). Must be positive. */
MKRT_EXPORT int32_t mkrtSetBenchmarkBudgetMs(double milliseconds);

/** At most this many timed runs of each variant when benchmarking a key,
 *  the budget allowing (default 10, from 1 to 1000): each run of a GPU
 *  kernel also costs its lead-in, restoring the written arguments and a
 *  synchronization, which for short kernels dwarf the kernel. */
MKRT_EXPORT int32_t mkrtSetBenchmarkRuns(int32_t runs);

/** Maximum number of cached keys per site (default 4096); the least recently
 *  inserted key is evicted beyond it. Must be positive; applies to sites
 *  created afterwards and to later insertions of existing sites. */
MKRT_EXPORT int32_t mkrtSetMaxCacheEntries(int64_t entries);

/** Turns the per-decision log on stderr on or off. */
MKRT_EXPORT void mkrtSetLogging(int32_t enabled);

/** Forgets every cached decision, excluded variant and statistic. Not safe
 *  while other threads dispatch. Meant for tests and tools. */
MKRT_EXPORT void mkrtReset(void);

/** Shares decisions among the processes of a job (the ranks of a torchrun
 *  job, say), so that every process runs the same variant for each (site,
 *  shape) and a job benchmarks each new shape once: the leader (one process,
 *  `leader` = 1) benchmarks as usual and merges each decision into the
 *  dispatch table at `path` (a file all processes see, written under its
 *  lock, replaced atomically); the others, on a miss, wait up to
 *  `timeoutMs` for the leader's decision to appear there and run it,
 *  benchmarking themselves (with a warning) when it does not. Applies to
 *  the benchmark policy. NULL or "" stops sharing. The environment sets it
 *  too: MULTIKERNEL_SHARED_TABLE=<path>, the leader being rank 0 of
 *  MULTIKERNEL_RANK or torchrun's RANK, MULTIKERNEL_SHARED_TIMEOUT_MS
 *  (default 60000). */
MKRT_EXPORT int32_t mkrtShareDecisions(const char *path, int32_t leader,
                                       double timeoutMs);

/** A job's own channel for shared decisions (a framework's key-value store,
 *  such as torch.distributed's): the leader calls it with `variant` >= 0 to
 *  publish its pick under `name` (a key naming the device, module, site,
 *  shape and variant count; unique per decision); the others call it with
 *  `variant` = -1 and get the pick published under `name`, waiting as long
 *  as the channel allows, or -1 (then they benchmark themselves, with a
 *  warning). It may be called from any thread that dispatches. */
typedef int32_t (*MkrtDecisionExchange)(void *user, const char *name,
                                        int32_t variant);

/** Shares decisions through `exchange` (with `user`) instead of a file,
 *  as mkrtShareDecisions says; NULL stops sharing. */
MKRT_EXPORT int32_t mkrtShareDecisionsWith(MkrtDecisionExchange exchange,
                                           void *user, int32_t leader);

/*===----------------------------------------------------------------------===*
 * Statistics
 *===----------------------------------------------------------------------===*/

typedef struct MkrtSiteStats {
  const char *name;       /**< valid until mkrtReset */
  const char *moduleId;   /**< valid until mkrtReset */
  int64_t calls;          /**< mkrtDispatch calls */
  int64_t hits;           /**< calls answered from the cache */
  int64_t misses;         /**< calls that had to decide */
  int64_t benchmarks;     /**< keys benchmarked */
  int64_t benchmarkNanos; /**< wall time spent benchmarking */
  int64_t cachedKeys;     /**< keys in the cache now */
  int64_t evictions;      /**< keys evicted by the cache bound */
  int64_t tableHits;      /**< keys decided by a loaded dispatch table */
  int32_t numVariants;
  int32_t keyRank;
  uint64_t excludedVariants; /**< bit i set: variant i failed, is excluded */
} MkrtSiteStats;

/** One decision: the key, the chosen variant and, when it was benchmarked,
 *  the median time of each variant (negative: not measured or failed). */
typedef struct MkrtDecision {
  int64_t key[MKRT_MAX_KEY_RANK];
  int32_t keyRank;
  int32_t variant;
  int32_t source; /**< 0 benchmark, 1 nearest-hint, 2 fixed, 3 table */
  int32_t numVariants;
  double variantNanos[MKRT_MAX_VARIANTS];
} MkrtDecision;

/** The name the compiler gave variant `variant` of site `index` (what it
 *  is: "hint 4096x512", "cublaslt algorithm 0", ...), valid until
 *  mkrtReset; "" for a site compiled without names, NULL when out of
 *  range. */
MKRT_EXPORT const char *mkrtGetVariantName(int64_t index, int32_t variant);

/** Number of sites used so far. */
MKRT_EXPORT int64_t mkrtGetNumSites(void);

/** Statistics of site `index` (0 <= index < mkrtGetNumSites()). */
MKRT_EXPORT int32_t mkrtGetSiteStats(int64_t index, MkrtSiteStats *stats);

/** Copies up to `capacity` cached decisions of site `index` into
 *  `decisions`, oldest first; returns how many the site has (which may be
 *  more than `capacity`), or -1 for a bad index. */
MKRT_EXPORT int64_t mkrtGetSiteDecisions(int64_t index, MkrtDecision *decisions,
                                         int64_t capacity);

/** Prints the statistics table (what MULTIKERNEL_STATS=1 prints at exit). */
MKRT_EXPORT void mkrtPrintStats(FILE *stream);

/*===----------------------------------------------------------------------===*
 * Dispatch tables: decisions saved to a versioned, human-readable file keyed
 * by device, module, site and key.
 *===----------------------------------------------------------------------===*/

/** Saves every cached decision to `path`, merged with the entries already in
 *  the file (ours win), under a lock on `path`.lock so that concurrent
 *  savers keep each other's entries. Atomic: written to a temporary file
 *  created exclusively beside it, then renamed. Replaces only a regular file
 *  that is a table (or is empty), or creates one; anything else at the path
 *  is left as it is and MKRT_ERROR_IO returned (docs/Runtime.md). */
MKRT_EXPORT int32_t mkrtSaveTable(const char *path);

/** Loads decisions from `path`, a regular file of at most 64 MiB.
 *  Malformed lines are skipped with a warning on stderr; a file of another
 *  version or with a bad header is ignored as a whole. Entries of sites not
 *  used yet are applied when the site is first used; those of another
 *  device, or that do not fit the site, are then ignored with a warning.
 *  Returns MKRT_SUCCESS when the file was read (even if entries were
 *  skipped), MKRT_ERROR_IO when it cannot be read, is not a regular file,
 *  is too large or has a bad header. */
MKRT_EXPORT int32_t mkrtLoadTable(const char *path);

/** Loads a table embedded in a library (same text format). `origin` names
 *  it in warnings. */
MKRT_EXPORT int32_t mkrtLoadTableFromString(const char *text,
                                            const char *origin);

/** The device identity used in tables for `target` (an MkrtTarget), e.g.
 *  "cpu:Intel(R) Xeon(R) ..." or "cuda:NVIDIA H100 80GB HBM3". */
MKRT_EXPORT const char *mkrtGetDeviceName(int32_t target);

#ifdef __cplusplus
}
#endif

#endif /* MULTIKERNEL_RUNTIME_MULTIKERNELRUNTIME_H */
