"""First call of a new shape against a warm call, for the frontend models
(test/Integration/Inputs/frontend) on the CPU: the first call benchmarks
every site's variants (the runtime's default policy), a warm call runs the
cached picks. Prints a markdown table.

Usage: PYTHONPATH=python MULTIKERNEL_PREFIX=build \\
       python3 bench/cpu/first_call.py [model:batch ...]
(default: mlp:3000 layernorm:100003 rmsnorm:100003 block:5000)"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "test" / "Integration"
                       / "Inputs" / "frontend"))
import models  # noqa: E402
import multikernel  # noqa: E402

runs = sys.argv[1:] or ["mlp:3000", "layernorm:100003", "rmsnorm:100003", "block:5000"]
print("| model | batch | sites | variants | first call ms | warm call ms (best of 3) | first / warm |")
print("|---|---|---|---|---|---|---|")
for run in runs:
    name, batch = run.split(":")
    shapes, reference, tolerance = models.MODELS[name]
    module = multikernel.compile(models.source(name), hints=models.HINTS)
    rng = np.random.default_rng(0)
    args = [rng.standard_normal(shape).astype(np.float32) for shape in shapes(int(batch))]
    multikernel.runtime.reset()
    start = time.perf_counter()
    result = module.main(*args)
    first = time.perf_counter() - start
    expected = reference(*[a.astype(np.float64) for a in args])
    assert models.relative_error(result, expected) < tolerance, f"{name}: wrong result"
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        module.main(*args)
        warm.append(time.perf_counter() - start)
    sites = [s for s in multikernel.runtime.stats() if s["calls"]]
    print(f"| {name} | {batch} | {len(sites)} | {sum(s['variants'] for s in sites)} "
          f"| {first * 1e3:.0f} | {min(warm) * 1e3:.0f} | {first / min(warm):.2f} |")
