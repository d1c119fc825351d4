"""Two processes of one job share their decisions through a table file
(MULTIKERNEL_SHARED_TABLE, the leader being rank 0 of RANK as torchrun sets
it): rank 1 starts first and waits for rank 0's decisions instead of
benchmarking. Each process calls a CPU library over the same shapes and
prints its decisions and benchmark count.

Usage: shared_decisions.py <library.so> <runtime dir> <table path>
       (runs both ranks)
       shared_decisions.py --rank <r> <library.so> <runtime dir>"""

import ctypes
import os
import subprocess
import sys

import numpy as np

SHAPES = [(3, 5), (257, 33), (1500, 750), (64, 4096)]


class SiteStats(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("moduleId", ctypes.c_char_p),
                ("calls", ctypes.c_int64), ("hits", ctypes.c_int64),
                ("misses", ctypes.c_int64), ("benchmarks", ctypes.c_int64),
                ("benchmarkNanos", ctypes.c_int64), ("cachedKeys", ctypes.c_int64),
                ("evictions", ctypes.c_int64), ("tableHits", ctypes.c_int64),
                ("numVariants", ctypes.c_int32), ("keyRank", ctypes.c_int32),
                ("excludedVariants", ctypes.c_uint64)]


class Decision(ctypes.Structure):
    _fields_ = [("key", ctypes.c_int64 * 8), ("keyRank", ctypes.c_int32),
                ("variant", ctypes.c_int32), ("source", ctypes.c_int32),
                ("numVariants", ctypes.c_int32), ("variantNanos", ctypes.c_double * 32)]


def descriptor(array):
    rank = array.ndim

    class Descriptor(ctypes.Structure):
        _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                    ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * rank),
                    ("strides", ctypes.c_int64 * rank)]

    pointer = array.ctypes.data
    return Descriptor(pointer, pointer, 0, (ctypes.c_int64 * rank)(*array.shape),
                      (ctypes.c_int64 * rank)(*[s // array.itemsize for s in array.strides]))


def run_rank(rank, library, runtime_dir):
    runtime = ctypes.CDLL(os.path.join(runtime_dir, "libmultikernel_runtime.so"),
                          mode=ctypes.RTLD_GLOBAL)
    lib = ctypes.CDLL(library)
    seed = lib._mlir_ciface_seed
    seed.restype = None
    rng = np.random.default_rng(rank)
    for shape in SHAPES:
        x, y = (rng.standard_normal(shape).astype(np.float32) for _ in range(2))
        out = np.full(shape, np.nan, dtype=np.float32)
        seed(*[ctypes.byref(descriptor(a)) for a in (x, y, out)])
        ok = np.allclose(out, 2 * x + np.sin(y), atol=1e-5)
        print(f"rank {rank} {'x'.join(map(str, shape))}: {'ok' if ok else 'WRONG'}")
    stats = SiteStats()
    runtime.mkrtGetSiteStats(ctypes.c_int64(0), ctypes.byref(stats))
    decisions = (Decision * 16)()
    count = runtime.mkrtGetSiteDecisions(ctypes.c_int64(0), decisions, ctypes.c_int64(16))
    picks = sorted(("x".join(map(str, d.key[:d.keyRank])), d.variant) for d in decisions[:count])
    print(f"rank {rank}: benchmarks={stats.benchmarks} shared={stats.tableHits}")
    print(f"rank {rank} picks: " + " ".join(f"{key}:{variant}" for key, variant in picks))


def main():
    if sys.argv[1] == "--rank":
        run_rank(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return 0
    library, runtime_dir, table = sys.argv[1:4]
    if os.path.exists(table):
        os.remove(table)
    env = dict(os.environ, MULTIKERNEL_SHARED_TABLE=table, MULTIKERNEL_BENCH_MS="5")
    env.pop("MULTIKERNEL_RANK", None)
    command = [sys.executable, __file__, "--rank"]
    # The follower first: it must wait for the leader, not race it.
    follower = subprocess.Popen(command + ["1", library, runtime_dir],
                                env=dict(env, RANK="1"), stdout=subprocess.PIPE, text=True)
    leader = subprocess.run(command + ["0", library, runtime_dir],
                            env=dict(env, RANK="0"), stdout=subprocess.PIPE, text=True)
    follower_out, _ = follower.communicate(timeout=120)
    print(leader.stdout, end="")
    print(follower_out, end="")
    picks = [line.split(": ", 1)[1] for line in (leader.stdout + follower_out).splitlines()
             if " picks: " in line]
    print("same picks" if len(picks) == 2 and picks[0] == picks[1] else "DIFFERENT picks")
    return leader.returncode or follower.returncode


if __name__ == "__main__":
    sys.exit(main())
