"""On the device: the frontend models end to end on the GPU against
PyTorch, in the same run. Ours: the kit's prebuilt libjax_<model>_gpu.so
(test/Integration/GPU/CMakeLists.txt: the committed JAX export, hints of
the batch 64, 4096, 65536), torch tensors in and out. Theirs: the same
model written in torch, eager and torch.compile(dynamic=True) (compiled
once, for every batch). Per batch, in order: the first call of the shape
(ours: benchmarking every site's variants; torch.compile: a recompile
where the shape needs one), then the warm call (best of 5). Host and
device time together (synchronized). Every result is checked against the
float64 reference first. Prints a markdown table.

Usage: python3 bench/models/gpu.py <kit kernels dir> [model:batch ...]"""

import sys
import time
from pathlib import Path

import torch

kernels = Path(sys.argv[1]).resolve()
repo = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(repo / "python"))
sys.path.insert(0, str(repo / "test" / "Integration" / "Inputs" / "frontend"))
import models  # noqa: E402

models.use_kit_runtime(kernels)
import multikernel  # noqa: E402


def gelu(x):
    return torch.nn.functional.gelu(x, approximate="tanh")


def layernorm(x, gamma, beta):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) * torch.rsqrt(var + 1e-5) * gamma + beta


def rmsnorm(x, gamma):
    return x * torch.rsqrt((x * x).mean(dim=-1, keepdim=True) + 1e-6) * gamma


def mlp(x, w1, b1, w2, b2):
    return gelu(x @ w1 + b1) @ w2 + b2


def block(x, gamma, beta, bias):
    return rmsnorm(gelu(layernorm(x, gamma, beta) + bias) + x, gamma)


TORCH = {"layernorm": layernorm, "rmsnorm": rmsnorm, "mlp": mlp, "block": block}
RUNS = ["mlp:64", "mlp:3000", "mlp:20000", "layernorm:4096", "layernorm:100003",
        "rmsnorm:100003", "block:5000", "block:65536"]


def timed(call):
    torch.cuda.synchronize()
    start = time.perf_counter()
    result = call()
    torch.cuda.synchronize()
    return result, time.perf_counter() - start


def warm(call):
    return min(timed(call)[1] for _ in range(5))


def main():
    torch.backends.cuda.matmul.allow_tf32 = False  # torch's default, stated
    print(f"device: {torch.cuda.get_device_name()}; torch {torch.__version__}\n")
    print("| model | batch | ours first ms | ours warm ms | first / warm "
          "| eager warm ms | compiled first ms | compiled warm ms "
          "| compiled warm / ours warm |")
    print("|---|---|---|---|---|---|---|---|---|")
    ours, compiled = {}, {}
    for run in sys.argv[2:] or RUNS:
        name, batch = run.split(":")
        shapes, reference, tolerance = models.MODELS[name]
        if name not in ours:
            ours[name] = multikernel.CompiledModule(
                kernels / f"libjax_{name}_gpu.so", [models.signature(name)], target="cuda")
            compiled[name] = torch.compile(TORCH[name], dynamic=True)
            # Warm both up on another batch: modules loaded, compile done.
            warmup = [torch.randn(shape, device="cuda") for shape in shapes(7)]
            ours[name].main(*warmup)
            compiled[name](*warmup)
        args = [torch.randn(shape, device="cuda") for shape in shapes(int(batch))]
        expected = reference(*[a.double().cpu().numpy() for a in args])
        result, ours_first = timed(lambda: ours[name].main(*args))
        assert models.relative_error(result.double().cpu().numpy(), expected) < tolerance
        result, compiled_first = timed(lambda: compiled[name](*args))
        assert models.relative_error(result.double().cpu().numpy(), expected) < tolerance
        ours_warm = warm(lambda: ours[name].main(*args))
        eager_warm = warm(lambda: TORCH[name](*args))
        compiled_warm = warm(lambda: compiled[name](*args))
        print(f"| {name} | {batch} | {ours_first * 1e3:.2f} | {ours_warm * 1e3:.3f} "
              f"| {ours_first / ours_warm:.1f} | {eager_warm * 1e3:.3f} "
              f"| {compiled_first * 1e3:.1f} | {compiled_warm * 1e3:.3f} "
              f"| {compiled_warm / ours_warm:.2f} |")


if __name__ == "__main__":
    main()
