"""Two processes of one job share their decisions through a table file
(MULTIKERNEL_SHARED_TABLE, the leader being rank 0 of RANK as torchrun sets
it): rank 1 starts first and waits for rank 0's decisions instead of
benchmarking. Each process calls a CPU library over the same shapes and
prints its decisions and benchmark count.

Usage: shared_decisions.py <library.so> <table path>   (runs both ranks)
       shared_decisions.py --rank <r> <library.so>
with the Python package on PYTHONPATH."""

import os
import subprocess
import sys

import numpy as np

SHAPES = [(3, 5), (257, 33), (1500, 750), (64, 4096)]


def run_rank(rank, library):
    import multikernel  # after the environment is set: the runtime reads it once
    module = multikernel.load(library)
    rng = np.random.default_rng(rank)
    for shape in SHAPES:
        x, y = (rng.standard_normal(shape).astype(np.float32) for _ in range(2))
        out = np.full(shape, np.nan, dtype=np.float32)
        module.seed(x, y, out)
        ok = np.allclose(out, 2 * x + np.sin(y), atol=1e-5)
        print(f"rank {rank} {'x'.join(map(str, shape))}: {'ok' if ok else 'WRONG'}")
    [stats] = [s for s in multikernel.runtime.stats() if s["site"] == "seed_0"]
    picks = sorted(("x".join(map(str, d["key"])), d["variant"]) for d in stats["decisions"])
    print(f"rank {rank}: benchmarks={stats['benchmarks']} shared={stats['table_hits']}")
    print(f"rank {rank} picks: " + " ".join(f"{key}:{variant}" for key, variant in picks))


def main():
    if sys.argv[1] == "--rank":
        run_rank(int(sys.argv[2]), sys.argv[3])
        return 0
    library, table = sys.argv[1:3]
    if os.path.exists(table):
        os.remove(table)
    env = dict(os.environ, MULTIKERNEL_SHARED_TABLE=table, MULTIKERNEL_BENCH_MS="5")
    env.pop("MULTIKERNEL_RANK", None)
    command = [sys.executable, __file__, "--rank"]
    # The follower first: it must wait for the leader, not race it.
    follower = subprocess.Popen(command + ["1", library],
                                env=dict(env, RANK="1"), stdout=subprocess.PIPE, text=True)
    leader = subprocess.run(command + ["0", library],
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
