"""The frontend models end to end on the CPU, against XLA (jax.jit) in the
same run: each JAX model of test/Integration/Inputs/frontend (exported to
linalg by export_jax.py; the committed IR) compiled by multikernel with no
hints at all (the automatic 64, 256 and 4096 per dynamic size) and the
default threads, called with changing batch sizes. Per batch: the first
call of the shape (multikernel: benchmarking the variants of every site;
XLA: tracing and compiling for the shape) and the warm call (best of 5).
Every result is checked against the float64 reference first. Prints a
markdown table.

BENCH_CPU_PARALLEL=auto,openmp (a comma-separated list of
multikernel.compile's cpu_parallel modes; default: auto) times each mode
in the same run, one row per model, batch and mode.

Usage: PYTHONPATH=python MULTIKERNEL_PREFIX=build \\
       python3 bench/models/cpu.py [model:batch ...]"""

import os
import sys
import time

# numpy's float64 references run on OpenBLAS, whose threads then spin for a
# while and take a core from whatever is timed next (on this 2-core VM: our
# OpenMP threads and XLA's pool alike). One thread keeps them out.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from pathlib import Path

import numpy as np

FRONTEND = Path(__file__).resolve().parents[2] / "test" / "Integration" / "Inputs" / "frontend"
sys.path.insert(0, str(FRONTEND))
import export_jax  # noqa: E402  (the JAX models themselves)
import jax  # noqa: E402
import models  # noqa: E402
import multikernel  # noqa: E402

RUNS = ["mlp:64", "mlp:333", "mlp:3000", "layernorm:64", "layernorm:4096",
        "layernorm:100003", "rmsnorm:4096", "rmsnorm:100003", "block:5000",
        "block:65536", "bias_gelu_residual:100003"]


def timed(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def warm(call):
    return min(timed(call)[1] for _ in range(5))


def main():
    print(f"jax {jax.__version__}; multikernel compiled with no hints\n")
    modes = os.environ.get("BENCH_CPU_PARALLEL", "auto").split(",")
    print("| model | batch | threads | ours first call ms | ours warm ms | first / warm "
          "| XLA first call ms | XLA warm ms | XLA warm / ours warm |")
    print("|---|---|---|---|---|---|---|---|---|")
    compiled = {}
    for run, mode in [(run, mode) for run in sys.argv[1:] or RUNS for mode in modes]:
        name, batch = run.split(":")
        if (name, mode) not in compiled:
            compiled[name, mode] = multikernel.compile(models.source(name), cpu_parallel=mode)
        module = compiled[name, mode]
        shapes, reference, tolerance = models.MODELS[name]
        rng = np.random.default_rng(0)
        args = [rng.standard_normal(shape).astype(np.float32)
                for shape in shapes(int(batch))]
        expected = reference(*[a.astype(np.float64) for a in args])
        # A fresh jit per model and batch: its first call compiles the shape.
        xla = jax.jit(getattr(export_jax, name))
        ours, ours_first = timed(lambda: module.main(*args))
        assert models.relative_error(ours, expected) < tolerance, f"{run}: wrong"
        theirs, xla_first = timed(lambda: xla(*args).block_until_ready())
        assert models.relative_error(np.asarray(theirs), expected) < tolerance
        ours_warm = warm(lambda: module.main(*args))
        xla_warm = warm(lambda: xla(*args).block_until_ready())
        print(f"| {name} | {batch} | {mode} | {ours_first * 1e3:.1f} | {ours_warm * 1e3:.2f} "
              f"| {ours_first / ours_warm:.2f} | {xla_first * 1e3:.1f} "
              f"| {xla_warm * 1e3:.2f} | {xla_warm / ours_warm:.2f} |")


if __name__ == "__main__":
    main()
