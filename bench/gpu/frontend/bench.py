"""GPU benchmark of the frontend models (JAX exports converted by IREE's
input pipeline: test/Integration/Inputs/frontend), called as a model owner
calls them: through the Python package, CUDA torch tensors in, a new CUDA
tensor out (device memory from the runtime's pool, freed when dropped).
Against PyTorch Inductor on the same computation written in torch,
compiled per shape (dynamic=False) and once (dynamic=True), same run.
Kernel time by CUDA graph replay (bench/gpu/fusion/bench.py's replay_us:
10 calls per graph, host time out of every figure); each result checked
against float64 first.

Runs on the device machine with the kernels of the GPU test kit
(scripts/gpu-test-kit.sh) and builds nothing.
Usage: bench.py <kernels dir> <table.md> [model ...]
"""

import os
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F

repo = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(repo / "python"))
sys.path.insert(0, str(repo / "test" / "Integration" / "Inputs" / "frontend"))
sys.path.insert(0, str(repo / "bench" / "gpu" / "fusion"))
kernels = Path(sys.argv[1]).resolve()
prefix = Path(tempfile.mkdtemp())
(prefix / "lib").mkdir()
(prefix / "lib" / "libmultikernel_runtime.so").symlink_to(
    kernels / "libmultikernel_runtime.so.0")
os.environ["MULTIKERNEL_PREFIX"] = str(prefix)

import models  # noqa: E402
import multikernel  # noqa: E402
from bench import replay_us  # noqa: E402

BATCHES = [64, 4096, 65536, 100003]


def _layernorm(x, g, b):
    return F.layer_norm(x, x.shape[-1:], g, b, 1e-5)


def _rmsnorm(x, g):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-6) * g


TORCH = {
    "layernorm": _layernorm,
    "rmsnorm": _rmsnorm,
    "bias_gelu_residual": lambda x, b: F.gelu(x + b, approximate="tanh") + x,
    "column_sum": lambda x: x.sum(0),
    "mlp": lambda x, w1, b1, w2, b2: F.gelu(x @ w1 + b1, approximate="tanh") @ w2 + b2,
    "block": lambda x, g, b, bias: _rmsnorm(
        F.gelu(_layernorm(x, g, b) + bias, approximate="tanh") + x, g),
}


def main():
    table = sys.argv[2]
    names = sys.argv[3:] or list(models.MODELS)
    lines = ["| model | batch | ours us | Inductor static us | Inductor dynamic us "
             "| ours/static | dynamic/static | check |", "|---|---|---|---|---|---|---|---|"]
    ratios = {}
    for name in names:
        shapes, reference, tolerance = models.MODELS[name]
        module = multikernel.CompiledModule(kernels / f"libjax_{name}_gpu.so",
                                            [models.signature(name)], target="cuda")
        dynamic = torch.compile(TORCH[name], dynamic=True)
        rows = []
        for batch in BATCHES:
            args = [torch.randn(s, device="cuda") for s in shapes(batch)]
            result = module.main(*args)  # the shape's first call benchmarks
            expected = reference(*[a.double().cpu().numpy() for a in args])
            error = models.relative_error(result.double().cpu().numpy(), expected)
            ok = error < tolerance
            ours = replay_us(lambda: module.main(*args))
            rows.append([batch, args, ok, error, ours, replay_us(lambda: dynamic(*args))])
        torch._dynamo.reset()
        for row in rows:
            batch, args, ok, error, ours, dyn = row
            static = torch.compile(TORCH[name], dynamic=False)
            static_us = replay_us(lambda: static(*args))
            torch._dynamo.reset()
            ratios.setdefault(name, []).append(ours / static_us)
            line = (f"| {name} | {batch} | {ours:.1f} | {static_us:.1f} | {dyn:.1f} | "
                    f"{ours / static_us:.2f} | {dyn / static_us:.2f} | "
                    f"{'ok' if ok else 'WRONG'} {error:.0e} |")
            print(line, flush=True)
            lines.append(line)
    summary = ["| model | geo-mean ours/static | worst |", "|---|---|---|"]
    for name, values in ratios.items():
        geo = 1.0
        for v in values:
            geo *= v
        summary.append(f"| {name} | {geo ** (1 / len(values)):.2f} | {max(values):.2f} |")
    Path(table).write_text("\n".join(summary + [""] + lines) + "\n")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
