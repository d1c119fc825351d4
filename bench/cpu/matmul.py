"""CPU matmul against XLA's CPU backend (jax.jit(jnp.matmul)), in one run.

Compiles f32 contractions on tensors (a matmul, a batch_matmul, and
attention's scores q @ k^T as the generic a frontend emits) with
multikernel's automatic hints
(64, 256 and 4096 per loop), once per --cpu-parallel mode, and times the
dispatched call (after its first call, which benchmarks the variants)
against jax.jit(jnp.matmul) on the same arrays, alternating the two
several times per shape and keeping each one's best. Checks every result
against float64 first. Prints a markdown table.

Usage: PYTHONPATH=python MULTIKERNEL_PREFIX=build \\
       python3 bench/cpu/matmul.py [MxNxK | BxMxNxK ...]
(BxMxNxK: a batch_matmul and the scores form, against jnp.matmul and
jnp.einsum('bid,bjd->bij'))"""

import os
import sys
import time

# numpy's float64 references run on OpenBLAS, whose threads then spin for a
# while and take a core from whatever is timed next (on this 2-core VM: our
# OpenMP threads and XLA's pool alike). One thread keeps them out.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

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
func.func @bmm(%a: tensor<?x?x?xf32>, %b: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %batch = tensor.dim %a, %c0 : tensor<?x?x?xf32>
  %m = tensor.dim %a, %c1 : tensor<?x?x?xf32>
  %n = tensor.dim %b, %c2 : tensor<?x?x?xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty(%batch, %m, %n) : tensor<?x?x?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %r = linalg.batch_matmul ins(%a, %b : tensor<?x?x?xf32>, tensor<?x?x?xf32>)
                           outs(%init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  return %r : tensor<?x?x?xf32>
}
#q = affine_map<(b, i, j, d) -> (b, i, d)>
#k = affine_map<(b, i, j, d) -> (b, j, d)>
#s = affine_map<(b, i, j, d) -> (b, i, j)>
func.func @scores(%q: tensor<?x?x?xf32>, %k: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %batch = tensor.dim %q, %c0 : tensor<?x?x?xf32>
  %m = tensor.dim %q, %c1 : tensor<?x?x?xf32>
  %n = tensor.dim %k, %c1 : tensor<?x?x?xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty(%batch, %m, %n) : tensor<?x?x?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %r = linalg.generic {indexing_maps = [#q, #k, #s],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<?x?x?xf32>, tensor<?x?x?xf32>) outs(%init : tensor<?x?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %sum = arith.addf %acc, %p : f32
    linalg.yield %sum : f32
  } -> tensor<?x?x?xf32>
  return %r : tensor<?x?x?xf32>
}
"""

SHAPES = ["128x128x128", "256x256x256", "512x512x512", "1000x1000x1000",
          "1024x1024x1024", "2048x2048x2048", "3000x1024x512", "333x777x129",
          "1x4096x4096", "4096x1x4096", "3x333x333x64", "12x777x777x64",
          "32x512x512x128"]
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
    xla_matmul = jax.jit(jnp.matmul)
    xla_scores = jax.jit(lambda q, k: jnp.einsum("bid,bjd->bij", q, k))
    print(f"jax {jax.__version__}, {jax.devices()[0].device_kind}; "
          f"best of {ROUNDS} x {RUNS} runs, alternated\n")
    print("| form | [B x] M x N x K | ours auto ms | GFLOP/s | ours one thread ms | GFLOP/s "
          "| XLA ms | GFLOP/s | ours auto / XLA speed |")
    print("|---|---|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for shape in sys.argv[1:] or SHAPES:
        sizes = list(map(int, shape.split("x")))
        if len(sizes) == 3:
            forms = [("matmul", [], *sizes)]
        else:
            forms = [("bmm", [sizes[0]], *sizes[1:]), ("scores", [sizes[0]], *sizes[1:])]
        for form, batch, m, n, k in forms:
            a = rng.standard_normal(batch + [m, k]).astype(np.float32)
            b = rng.standard_normal(batch + [k, n]).astype(np.float32)
            expected = a.astype(np.float64) @ b.astype(np.float64)
            if form == "scores":
                b = np.ascontiguousarray(np.swapaxes(b, -1, -2))
            run(form, shape, modules, xla_scores if form == "scores" else xla_matmul,
                a, b, expected, 2.0 * np.prod(batch + [m, n, k]))


def run(form, shape, modules, xla, a, b, expected, flop):
    scale = np.abs(expected).max()
    ja, jb = jnp.asarray(a), jnp.asarray(b)
    for mode, module in modules.items():
        error = np.abs(getattr(module, form)(a, b) - expected).max() / scale
        assert error < 1e-5, f"{form} {shape} ({mode}): relative error {error}"
    assert np.abs(np.asarray(xla(ja, jb)) - expected).max() / scale < 1e-5
    best = {}
    for _ in range(ROUNDS):
        for mode, module in modules.items():
            t = best_of(lambda: getattr(module, form)(a, b))
            best[mode] = min(best.get(mode, t), t)
        t = best_of(lambda: xla(ja, jb).block_until_ready())
        best["xla"] = min(best.get("xla", t), t)
    row = [form, shape]
    for key in ("auto", "none", "xla"):
        row += [f"{best[key] * 1e3:.3f}", f"{flop / best[key] / 1e9:.1f}"]
    row.append(f"{best['xla'] / best['auto']:.2f}")
    print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
