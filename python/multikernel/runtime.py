"""Control of libmultikernel_runtime: policy, key bucketing, statistics and
dispatch tables (the same settings as the MULTIKERNEL_* variables)."""

import ctypes
import os
import threading

from . import _locate

MAX_KEY_RANK = 8
MAX_VARIANTS = 32
_SOURCES = {0: "benchmark", 1: "nearest-hint", 2: "fixed", 3: "table"}


class _SiteStats(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("moduleId", ctypes.c_char_p),
        ("calls", ctypes.c_int64),
        ("hits", ctypes.c_int64),
        ("misses", ctypes.c_int64),
        ("benchmarks", ctypes.c_int64),
        ("benchmarkNanos", ctypes.c_int64),
        ("cachedKeys", ctypes.c_int64),
        ("evictions", ctypes.c_int64),
        ("tableHits", ctypes.c_int64),
        ("numVariants", ctypes.c_int32),
        ("keyRank", ctypes.c_int32),
        ("excludedVariants", ctypes.c_uint64),
    ]


class _GpuMemoryStats(ctypes.Structure):
    _fields_ = [(name, ctypes.c_int64) for name in (
        "driverAllocations", "driverAllocatedBytes", "driverFrees", "poolHits",
        "cachedBuffers", "cachedBytes")]


class _Decision(ctypes.Structure):
    _fields_ = [
        ("key", ctypes.c_int64 * MAX_KEY_RANK),
        ("keyRank", ctypes.c_int32),
        ("variant", ctypes.c_int32),
        ("source", ctypes.c_int32),
        ("numVariants", ctypes.c_int32),
        ("variantNanos", ctypes.c_double * MAX_VARIANTS),
    ]


_lib = None
_lock = threading.Lock()


def library():
    """The runtime, loaded once and shared with every compiled module."""
    global _lib
    with _lock:
        if _lib is None:
            lib = ctypes.CDLL(str(_locate.runtime_library()), mode=ctypes.RTLD_GLOBAL)
            for name in ("mkrtSetPolicy", "mkrtSetKeyBucketing",
                         "mkrtSetConcurrentMissPolicy", "mkrtSaveTable",
                         "mkrtLoadTable"):
                getattr(lib, name).argtypes = [ctypes.c_char_p]
                getattr(lib, name).restype = ctypes.c_int32
            lib.mkrtSetBenchmarkBudgetMs.argtypes = [ctypes.c_double]
            lib.mkrtSetBenchmarkBudgetMs.restype = ctypes.c_int32
            lib.mkrtSetBenchmarkRuns.argtypes = [ctypes.c_int32]
            lib.mkrtSetBenchmarkRuns.restype = ctypes.c_int32
            lib.mkrtSetMaxCacheEntries.argtypes = [ctypes.c_int64]
            lib.mkrtSetMaxCacheEntries.restype = ctypes.c_int32
            lib.mkrtGetNumSites.restype = ctypes.c_int64
            lib.mkrtGetSiteStats.argtypes = [ctypes.c_int64, ctypes.POINTER(_SiteStats)]
            lib.mkrtGetSiteStats.restype = ctypes.c_int32
            lib.mkrtGetSiteDecisions.argtypes = [
                ctypes.c_int64, ctypes.POINTER(_Decision), ctypes.c_int64]
            lib.mkrtGetSiteDecisions.restype = ctypes.c_int64
            lib.mkrtGetVariantName.argtypes = [ctypes.c_int64, ctypes.c_int32]
            lib.mkrtGetVariantName.restype = ctypes.c_char_p
            lib.mkrtGetDeviceName.argtypes = [ctypes.c_int32]
            lib.mkrtGetDeviceName.restype = ctypes.c_char_p
            lib.mkrtReset.restype = None
            lib.mkrtSetLogging.argtypes = [ctypes.c_int32]
            lib.mkrtGpuSetStream.argtypes = [ctypes.c_void_p]
            lib.mgpuMemFree.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
            lib.mgpuMemFree.restype = None
            lib.mkrtGpuGetMemoryStats.argtypes = [ctypes.POINTER(_GpuMemoryStats)]
            lib.mkrtGpuGetMemoryStats.restype = None
            _lib = lib
        return _lib


def _check(status, what, value):
    if status != 0:
        raise ValueError(f"invalid {what} {value!r}")


def set_policy(policy):
    """'benchmark' (default: a new shape's first call times every variant),
    'amortized' (each call of a new shape runs one variant, timed, until the
    fastest is known: cheap first calls, see docs/Runtime.md),
    'nearest-hint' or 'fixed:N'."""
    _check(library().mkrtSetPolicy(str(policy).encode()), "policy", policy)


def set_key_bucketing(bucketing):
    """'exact' (default) or 'pow2'."""
    _check(library().mkrtSetKeyBucketing(str(bucketing).encode()),
           "key bucketing", bucketing)


def set_benchmark_budget_ms(milliseconds):
    _check(library().mkrtSetBenchmarkBudgetMs(float(milliseconds)),
           "benchmark budget", milliseconds)


def set_benchmark_runs(runs):
    """At most `runs` timed runs of each variant per new key (1 to 1000)."""
    _check(library().mkrtSetBenchmarkRuns(int(runs)), "benchmark runs", runs)


def set_max_cache_entries(entries):
    _check(library().mkrtSetMaxCacheEntries(int(entries)), "cache bound", entries)


def set_logging(enabled):
    library().mkrtSetLogging(1 if enabled else 0)


_EXCHANGE = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32)
_shared = None  # the exchange callback in use: kept alive while the runtime holds it


def _distributed():
    """torch.distributed if it is imported and initialized, else None."""
    import sys
    dist = sys.modules.get("torch.distributed")
    return dist if dist is not None and dist.is_available() and dist.is_initialized() else None


def share_decisions(path=None, leader=None, timeout_ms=60000, store=None):
    """Makes the processes of a job (the ranks of a torchrun job) run the
    same variant for each (site, shape) and benchmark each new shape once:
    the leader benchmarks and publishes each decision, the others wait for
    it (at most `timeout_ms`, then benchmark themselves, with a warning).

    The channel: `path`, a dispatch-table file every process sees (one node,
    or a shared file system); else `store`, a key-value store with set, get
    and wait (torch.distributed's Store); else, when torch.distributed is
    initialized, its default store (any number of nodes). `leader`: whether
    this process leads; by default rank 0 of torch.distributed, else of the
    RANK variable torchrun sets. Call it in every process before the first
    calls; stop_sharing_decisions() ends it. (MULTIKERNEL_SHARED_TABLE does
    the same with a file from the environment.)"""
    global _shared
    lib = library()
    lib.mkrtShareDecisions.argtypes = [ctypes.c_char_p, ctypes.c_int32, ctypes.c_double]
    lib.mkrtShareDecisions.restype = ctypes.c_int32
    lib.mkrtShareDecisionsWith.argtypes = [_EXCHANGE, ctypes.c_void_p, ctypes.c_int32]
    lib.mkrtShareDecisionsWith.restype = ctypes.c_int32
    if not timeout_ms > 0:
        raise ValueError(f"share_decisions: timeout_ms must be positive, got {timeout_ms!r}")
    dist = _distributed()
    if leader is None:
        if dist is not None:
            rank = dist.get_rank()
        elif "RANK" in os.environ:
            rank = int(os.environ["RANK"])
        else:
            raise ValueError("share_decisions: say leader=True/False, or run under "
                             "torch.distributed or torchrun (RANK)")
        leader = rank == 0
    if path is not None:
        _check(lib.mkrtShareDecisions(str(path).encode(), 1 if leader else 0,
                                      float(timeout_ms)), "share_decisions", path)
        return
    if store is None:
        if dist is None:
            raise ValueError("share_decisions: give a path or a store, or initialize "
                             "torch.distributed first")
        store = dist.distributed_c10d._get_default_store()
    import datetime
    timeout = datetime.timedelta(milliseconds=timeout_ms)

    def exchange(_user, name, variant):
        key = "multikernel/" + name.decode("utf-8", "replace").replace("\t", "/")
        try:
            if variant >= 0:
                store.set(key, str(variant))
                return variant
            store.wait([key], timeout)
            return int(store.get(key))
        except Exception:  # a timeout, a store gone: the caller benchmarks
            return -1

    callback = _EXCHANGE(exchange)
    _check(lib.mkrtShareDecisionsWith(callback, None, 1 if leader else 0),
           "share_decisions", store)
    _shared = callback


def stop_sharing_decisions():
    """Each process decides for itself again."""
    global _shared
    lib = library()
    lib.mkrtShareDecisions.argtypes = [ctypes.c_char_p, ctypes.c_int32, ctypes.c_double]
    lib.mkrtShareDecisions(None, 0, 0.0)
    _shared = None


_stream = threading.local()


def set_stream(stream):
    """The CUstream (an int, e.g. torch.cuda.current_stream().cuda_stream)
    on which this thread's GPU kernels run; launches on it are asynchronous."""
    stream = int(stream)
    if getattr(_stream, "value", None) != stream:  # a call per change only
        library().mkrtGpuSetStream(ctypes.c_void_p(stream))
        _stream.value = stream


def free_device_buffer(pointer, stream):
    """Returns device memory that a CUDA function returned (its memref's
    allocated pointer) to the runtime's pool of `stream`, the stream of the
    call that allocated it."""
    library().mgpuMemFree(ctypes.c_void_p(pointer), ctypes.c_void_p(stream))


def gpu_memory_stats():
    """What the runtime's pool of device buffers has done since the process
    started (mkrtGpuGetMemoryStats): `driver_allocations` (and their
    `driver_allocated_bytes`) and `driver_frees` count driver calls,
    `pool_hits` the allocations served without one; `cached_buffers` and
    `cached_bytes` are what the pool holds now. A warm call of a compiled
    CUDA function adds to `pool_hits` only."""
    s = _GpuMemoryStats()
    library().mkrtGpuGetMemoryStats(ctypes.byref(s))
    return {"driver_allocations": s.driverAllocations,
            "driver_allocated_bytes": s.driverAllocatedBytes,
            "driver_frees": s.driverFrees, "pool_hits": s.poolHits,
            "cached_buffers": s.cachedBuffers, "cached_bytes": s.cachedBytes}


def reset():
    """Forgets every decision and statistic (not while other threads call)."""
    library().mkrtReset()


def device_name(target="cpu"):
    return library().mkrtGetDeviceName(1 if target == "cuda" else 0).decode()


def stats():
    """One dict per dispatch site used so far, with its decisions."""
    lib = library()
    result = []
    for index in range(lib.mkrtGetNumSites()):
        s = _SiteStats()
        lib.mkrtGetSiteStats(index, ctypes.byref(s))
        count = lib.mkrtGetSiteDecisions(index, None, 0)
        decisions = (_Decision * max(count, 1))()
        lib.mkrtGetSiteDecisions(index, decisions, count)
        names = [lib.mkrtGetVariantName(index, v).decode() for v in range(s.numVariants)]
        result.append({
            "site": s.name.decode(),
            "module": s.moduleId.decode(),
            "calls": s.calls,
            "hits": s.hits,
            "misses": s.misses,
            "benchmarks": s.benchmarks,
            "benchmark_ms": s.benchmarkNanos / 1e6,
            "variants": s.numVariants,
            # What the compiler says each variant is: "hint 4096x512",
            # "cublaslt algorithm 0", ...
            "variant_names": names,
            "cached_keys": s.cachedKeys,
            "evictions": s.evictions,
            "table_hits": s.tableHits,
            "excluded_variants": [v for v in range(s.numVariants)
                                  if s.excludedVariants >> v & 1],
            "decisions": [{
                "key": tuple(d.key[:d.keyRank]),
                "variant": d.variant,
                "variant_name": names[d.variant] if 0 <= d.variant < len(names) else "",
                "source": _SOURCES.get(d.source, "?"),
                "variant_us": [t / 1e3 if t >= 0 else None
                               for t in d.variantNanos[:d.numVariants]],
            } for d in decisions[:count]],
        })
    return result


def save_table(path):
    """Saves every decision to `path` (merged, atomic)."""
    if library().mkrtSaveTable(str(path).encode()) != 0:
        raise OSError(f"cannot save the dispatch table to {path}")


def load_table(path):
    """Loads decisions from `path`; entries that do not apply are reported on
    stderr and ignored."""
    if library().mkrtLoadTable(str(path).encode()) != 0:
        raise OSError(f"cannot load the dispatch table {path} (see stderr)")
