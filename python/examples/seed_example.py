"""The seed's usage example in Python: one kernel, two size hints, calls with
varying shapes, the dispatch statistics at the end.

    PYTHONPATH=build/python python3 python/examples/seed_example.py
"""

import time
from pathlib import Path

import numpy as np

import multikernel

KERNEL = """
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @seed(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %x, %c0 : tensor<?x?xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?xf32>
  %init = tensor.empty(%m, %n) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<?x?xf32>, tensor<?x?xf32>) outs(%init : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %s = math.sin %b : f32
    %t = arith.mulf %a, %two : f32
    %v = arith.addf %t, %s : f32
    linalg.yield %v : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
"""

# The seed's multi_kernel_hint_candidates.
module = multikernel.compile(KERNEL, hints=[[1024, 512], [4096, 2048]])

for rows, cols in [(512, 256), (1500, 750), (4096, 2048), (512, 256), (1500, 750)]:
    x = np.random.rand(rows, cols).astype(np.float32)
    y = np.random.rand(rows, cols).astype(np.float32)
    start = time.perf_counter()
    out = module.seed(x, y)
    elapsed = (time.perf_counter() - start) * 1e3
    assert np.allclose(out, 2 * x + np.sin(y), atol=1e-5)
    print(f"{rows:5d} x {cols:<5d} {elapsed:8.2f} ms")

for site in multikernel.runtime.stats():
    print(f"\nsite {site['site']}: {site['calls']} calls, {site['hits']} hits, "
          f"{site['benchmarks']} benchmarks ({site['benchmark_ms']:.1f} ms)")
    for decision in site["decisions"]:
        times = ", ".join(f"{t:.0f} us" for t in decision["variant_us"] if t)
        print(f"  key {decision['key']}: variant {decision['variant']} ({times})")
