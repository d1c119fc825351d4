"""On the GPU: the frontend models (test/Integration/Inputs/frontend,
functions on tensors) called through the Python package with CUDA torch
tensors; each returns a new CUDA tensor that owns device memory from the
runtime. Every result is checked against the float64 reference, and many
warm calls whose results are dropped must take no buffer from the driver
(results go back to the runtime's pool of the call's stream, and the next
call reuses them).

Usage: check_frontend.py <kernels dir> <model>...
Prints one line per check for FileCheck."""

import sys
from pathlib import Path

import numpy as np
import torch

kernels = Path(sys.argv[1]).resolve()
repo = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(repo / "python"))
sys.path.insert(0, str(repo / "test" / "Integration" / "Inputs" / "frontend"))
import models  # noqa: E402

models.use_kit_runtime(kernels)
import multikernel  # noqa: E402

failures = 0
for name in sys.argv[2:]:
    shapes, reference, tolerance = models.MODELS[name]
    module = multikernel.CompiledModule(kernels / f"libjax_{name}_gpu.so",
                                        [models.signature(name)], target="cuda")
    generator = torch.Generator(device="cuda").manual_seed(3)
    dtype = torch.bfloat16 if models.ELEMENT.get(name) == "bf16" else torch.float32
    for batch in models.BATCHES:
        args = [torch.randn(shape, device="cuda", generator=generator).to(dtype)
                for shape in shapes(batch)]
        result = module.main(*args)
        ok = isinstance(result, torch.Tensor) and result.is_cuda and result.dtype == dtype
        expected = reference(*[a.double().cpu().numpy() for a in args])
        error = models.relative_error(result.double().cpu().numpy(), expected) if ok else 1
        ok = ok and tuple(result.shape) == expected.shape and error < tolerance
        failures += not ok
        print(f"{name} batch {batch}: {'ok' if ok else 'WRONG'} "
              f"(relative error {error:.1e})")
    # Warm calls allocate nothing new: each result returns to the pool when
    # dropped, and the next call of the shape reuses it. Counted by the
    # runtime's pool itself: the device's free memory also moves with the
    # driver's own bookkeeping (by 192 KB once in 200 calls).
    args = [torch.randn(shape, device="cuda").to(dtype) for shape in shapes(4096)]
    module.main(*args)
    torch.cuda.synchronize()
    before = multikernel.runtime.gpu_memory_stats()
    for _ in range(200):
        module.main(*args)
    torch.cuda.synchronize()
    after = multikernel.runtime.gpu_memory_stats()
    allocations = after["driver_allocations"] - before["driver_allocations"]
    hits = after["pool_hits"] - before["pool_hits"]
    ok = allocations == 0 and hits >= 200
    failures += not ok
    print(f"{name} 200 warm calls: {allocations} driver allocations, "
          f"{hits} from the pool: {'ok' if ok else 'WRONG'}")
    # A result outlives the call and the module's later calls.
    kept = module.main(*args)
    other = module.main(*[torch.randn(shape, device="cuda").to(dtype)
                          for shape in shapes(4096)])
    again = module.main(*args)
    torch.cuda.synchronize()
    ok = torch.equal(kept, again) and not torch.equal(kept, other)
    failures += not ok
    print(f"{name} kept result: {'ok' if ok else 'WRONG'}")
print(f"frontend: {failures} failures")
sys.exit(1 if failures else 0)
