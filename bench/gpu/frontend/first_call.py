"""On the device: first call of a new shape against a warm call, for the
frontend models on the GPU (the kit's prebuilt libjax_<model>_gpu.so,
test/Integration/GPU/CMakeLists.txt). The first call benchmarks every
site's variants (the runtime's default policy); a warm call runs the
cached picks. Host and device time together (synchronized). Prints a
markdown table with each model's benchmark time per site.

With MULTIKERNEL_POLICY=amortized (each call of a new shape runs one
variant, timed, until every variant has its samples) it also prints how
many calls the shape took to be decided at every site, and their mean
time.

With BENCH_KEEP_DECISIONS=1 the runtime is reset once, before the first
batch, not before each: each batch is then a new shape of a program that
has decided the batches before it (as a model's later shapes are).

Usage: python3 first_call.py <kernels dir> [model:batch ...]
(default: mlp:3000 layernorm:100003 rmsnorm:100003 block:5000)"""

import os

import sys
import time
from pathlib import Path

import torch

kernels = Path(sys.argv[1]).resolve()
repo = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(repo / "python"))
sys.path.insert(0, str(repo / "test" / "Integration" / "Inputs" / "frontend"))
import models  # noqa: E402

models.use_kit_runtime(kernels)
import multikernel  # noqa: E402

runs = sys.argv[2:] or ["mlp:3000", "layernorm:100003", "rmsnorm:100003", "block:5000"]
print(f"device: {torch.cuda.get_device_name()}")
policy = os.environ.get("MULTIKERNEL_POLICY", "benchmark")
print(f"policy: {policy}")
print("| model | batch | sites | variants | first call ms | calls to decide "
      "| their mean ms | warm call ms (best of 5) | first / warm "
      "| benchmark ms per site |")
print("|---|---|---|---|---|---|---|---|---|---|")
keep = os.environ.get("BENCH_KEEP_DECISIONS") == "1"
for index, run in enumerate(runs):
    name, batch = run.split(":")
    shapes, reference, tolerance = models.MODELS[name]
    module = multikernel.CompiledModule(kernels / f"libjax_{name}_gpu.so",
                                        [models.signature(name)], target="cuda")
    args = [torch.randn(shape, device="cuda") for shape in shapes(int(batch))]
    if not keep or index == 0:
        # Another batch first: the module loaded, torch and the pool warm.
        module.main(*[torch.randn(shape, device="cuda") for shape in shapes(7)])
        torch.cuda.synchronize()
        multikernel.runtime.reset()
    # Per site index (sites of every model loaded, numbered in the order of
    # their first call): calls and decided keys before this batch.
    before = [(s["calls"], s["cached_keys"]) for s in multikernel.runtime.stats()]

    def undecided():
        """Whether a site this batch called has not decided it yet."""
        for i, s in enumerate(multikernel.runtime.stats()):
            calls, keys = before[i] if i < len(before) else (0, 0)
            if s["calls"] > calls and s["cached_keys"] <= keys:
                return True
        return False

    start = time.perf_counter()
    result = module.main(*args)
    torch.cuda.synchronize()
    first = time.perf_counter() - start
    expected = reference(*[a.double().cpu().numpy() for a in args])
    error = models.relative_error(result.double().cpu().numpy(), expected)
    assert error < tolerance, f"{name}: wrong result ({error:.1e})"
    # Until every site has decided the shape (at once but for the amortized
    # policy), each result checked.
    deciding, decide_time = 1, 0.0
    while undecided() and deciding < 200:
        start = time.perf_counter()
        result = module.main(*args)
        torch.cuda.synchronize()
        decide_time += time.perf_counter() - start
        deciding += 1
        error = models.relative_error(result.double().cpu().numpy(), expected)
        assert error < tolerance, f"{name}: wrong result while deciding ({error:.1e})"
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        module.main(*args)
        torch.cuda.synchronize()
        warm.append(time.perf_counter() - start)
    sites = [s for i, s in enumerate(multikernel.runtime.stats())
             if s["calls"] > (before[i][0] if i < len(before) else 0)]
    per_site = " / ".join(f"{s['benchmark_ms']:.2f}" for s in sites)
    print(f"| {name} | {batch} | {len(sites)} | {sum(s['variants'] for s in sites)} "
          f"| {first * 1e3:.2f} | {deciding} "
          f"| {decide_time / max(deciding - 1, 1) * 1e3:.2f} "
          f"| {min(warm) * 1e3:.2f} | {first / min(warm):.2f} "
          f"| {per_site} |")
