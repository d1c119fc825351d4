"""On the device: the Python package calling a GPU library with CUDA torch
tensors (on torch's current stream), checked against torch in float64, and
the host time of a launch-bound call from Python.

The device has no MLIR, so the library is prebuilt (bench/gpu/build.sh
elementwise) and its signature is given instead of parsed.
Usage: python3 python_cuda_check.py <prefix with lib/ and python/>"""

import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(sys.argv[1], "python"))
os.environ["MULTIKERNEL_PREFIX"] = sys.argv[1]
import multikernel  # noqa: E402
from multikernel.ir import FunctionSignature  # noqa: E402

signature = FunctionSignature("seed", ["memref<?x?xf32>"] * 3, [], True)
module = multikernel.CompiledModule(os.path.join(sys.argv[1], "lib", "libseed_gpu.so"),
                                    [signature], target="cuda")
failures = 0
for shape in [(1, 1), (13, 17), (512, 256), (1500, 750), (4096, 2048)]:
    x, y = torch.randn(shape, device="cuda"), torch.randn(shape, device="cuda")
    out = torch.full(shape, float("nan"), device="cuda")
    module.seed(x, y, out)
    torch.cuda.synchronize()
    ref = x.double() * 2 + torch.sin(y.double())
    err = ((out.double() - ref).norm() / ref.norm()).item()
    ok = err < 1e-5 and not torch.isnan(out).any().item()
    failures += not ok
    print(f"seed {shape}: {'ok' if ok else 'WRONG'} (relative error {err:.1e})")

# The fast path reuses a descriptor while an argument's tensor is the same:
# new tensors of the same shape, and shapes that alternate, must be seen.
for shape in [(64, 64), (64, 64), (100, 3), (64, 64), (100, 3)]:
    x, y = torch.randn(shape, device="cuda"), torch.randn(shape, device="cuda")
    out = torch.full(shape, float("nan"), device="cuda")
    module.seed(x, y, out)
    ref = x.double() * 2 + torch.sin(y.double())
    err = ((out.double() - ref).norm() / ref.norm()).item()
    ok = err < 1e-5
    failures += not ok
    print(f"fresh tensors {shape}: {'ok' if ok else 'WRONG'}")


def refused(label, *args):
    global failures
    try:
        module.seed(*args)
        print(f"WRONG: {label} was accepted")
        failures += 1
    except (TypeError, ValueError) as error:
        print(f"{label} refused: {error}")


g = torch.ones(4, 4, device="cuda")
refused("a CPU tensor", torch.ones(2, 2), torch.ones(2, 2), torch.ones(2, 2))
refused("a float64 tensor", g, g, g.double())
refused("a non-contiguous tensor", g, g, torch.ones(4, 8, device="cuda")[:, ::2])
refused("a rank-1 tensor", g, g, torch.ones(16, device="cuda"))
refused("a missing argument", g, g)

# Host time per call, launch-bound (a 64x64 tensor), warm cache: median of
# 7 runs of 2000 calls, one synchronize per run.
x = torch.randn(64, 64, device="cuda")
out = torch.empty_like(x)
calls = 2000


def per_call_us(fn):
    samples = []
    for _ in range(8):
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        torch.cuda.synchronize()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return sorted(samples[1:])[3]  # the first run warms up


ours = per_call_us(lambda: module.seed(x, x, out))
eager = per_call_us(lambda: torch.add(x * 2.0, torch.sin(x), out=out))
# Where the package's host time goes: the same call with the checks and
# descriptors done once (ctypes and the launch only).
entry, state = module.seed._entry, module.seed._local.state
floor = per_call_us(lambda: entry(*state.converted))
print(f"host time per call from Python (64x64): multikernel {ours:.1f} us, "
      f"torch eager (3 kernels) {eager:.1f} us; the same library from ctypes "
      f"with prepared descriptors: {floor:.1f} us")
[site] = multikernel.runtime.stats()
print(f"site {site['site']}: calls {site['calls']}, hits {site['hits']}, "
      f"benchmarks {site['benchmarks']}")
print("ALL OK" if failures == 0 else f"FAILED ({failures})")
sys.exit(1 if failures else 0)
