"""CPU matmul against XLA's CPU backend (jax.jit(jnp.matmul)), in one run.

Compiles one f32 matmul on tensors with multikernel's automatic hints
(64, 256 and 4096 per loop), once per --cpu-parallel mode, and times the
dispatched call (after its first call, which benchmarks the variants)
against jax.jit(jnp.matmul) on the same arrays, alternating the two
several times per shape and keeping each one's best. Checks every result
against float64 first. Prints a markdown table.

Usage: PYTHONPATH=python MULTIKERNEL_PREFIX=build \\
       python3 bench/cpu/matmul.py [MxNxK ...]"""

import sys
import time

import numpy as np

import jax
import jax.numpy as jnp
import multikernel

SOURCE = """
func.func @matmul(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty(%m, %n) : tensor<?x?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
                     outs(%init : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
"""

SHAPES = ["128x128x128", "256x256x256", "512x512x512", "1000x1000x1000",
          "1024x1024x1024", "2048x2048x2048", "3000x1024x512", "333x777x129",
          "1x4096x4096", "4096x1x4096"]
ROUNDS, RUNS = 5, 5


def best_of(call):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    modes = ["auto", "none"]
    modules = {mode: multikernel.compile(SOURCE, cpu_parallel=mode) for mode in modes}
    xla = jax.jit(jnp.matmul)
    print(f"jax {jax.__version__}, {jax.devices()[0].device_kind}; "
          f"best of {ROUNDS} x {RUNS} runs, alternated\n")
    print("| M x N x K | ours auto ms | GFLOP/s | ours one thread ms | GFLOP/s "
          "| XLA ms | GFLOP/s | ours auto / XLA speed |")
    print("|---|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for shape in sys.argv[1:] or SHAPES:
        m, n, k = map(int, shape.split("x"))
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        expected = a.astype(np.float64) @ b.astype(np.float64)
        scale = np.abs(expected).max()
        ja, jb = jnp.asarray(a), jnp.asarray(b)
        best = {}
        for mode, module in modules.items():
            error = np.abs(module.matmul(a, b) - expected).max() / scale
            assert error < 1e-5, f"{shape} ({mode}): relative error {error}"
        assert np.abs(np.asarray(xla(ja, jb)) - expected).max() / scale < 1e-5
        for _ in range(ROUNDS):
            for mode, module in modules.items():
                t = best_of(lambda: module.matmul(a, b))
                best[mode] = min(best.get(mode, t), t)
            t = best_of(lambda: xla(ja, jb).block_until_ready())
            best["xla"] = min(best.get("xla", t), t)
        flop = 2.0 * m * n * k
        row = [shape]
        for key in ("auto", "none", "xla"):
            row += [f"{best[key] * 1e3:.3f}", f"{flop / best[key] / 1e9:.1f}"]
        row.append(f"{best['xla'] / best['auto']:.2f}")
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
