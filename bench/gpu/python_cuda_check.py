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

try:
    module.seed(torch.ones(2, 2), torch.ones(2, 2), torch.ones(2, 2))
    print("WRONG: a CPU tensor was accepted")
    failures += 1
except TypeError as error:
    print("CPU tensor refused:", error)

# Host time per call, launch-bound (a 64x64 tensor), warm cache.
x = torch.randn(64, 64, device="cuda")
out = torch.empty_like(x)
for _ in range(100):
    module.seed(x, x, out)
torch.cuda.synchronize()
calls = 2000
start = time.perf_counter()
for _ in range(calls):
    module.seed(x, x, out)
torch.cuda.synchronize()
ours = (time.perf_counter() - start) / calls * 1e6
start = time.perf_counter()
for _ in range(calls):
    torch.add(x * 2.0, torch.sin(x), out=out)
torch.cuda.synchronize()
eager = (time.perf_counter() - start) / calls * 1e6
[site] = multikernel.runtime.stats()
print(f"host time per call from Python (64x64): multikernel {ours:.1f} us, "
      f"torch eager (3 kernels) {eager:.1f} us")
print(f"site {site['site']}: calls {site['calls']}, hits {site['hits']}, "
      f"benchmarks {site['benchmarks']}")
print("ALL OK" if failures == 0 else f"FAILED ({failures})")
sys.exit(1 if failures else 0)
