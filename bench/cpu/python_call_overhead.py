"""Host time of a call from Python on the CPU path, on 1x1 arrays (the
kernel's work is nil): what the package adds around the compiled function.

Usage (after the README set-up):
  PYTHONPATH=build/python python3 bench/cpu/python_call_overhead.py
"""

import os
import time

import numpy as np

import multikernel

KERNELS = os.path.join(os.path.dirname(__file__), "..", "..", "test", "Integration",
                       "CPU", "kernels.mlir")


def per_call_us(fn, calls=20000, repeats=5):
    for _ in range(1000):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return sorted(samples)[len(samples) // 2]


def main():
    module = multikernel.compile(KERNELS, hints=[[1024, 512], [4096, 2048]])
    x = np.ones((1, 1), np.float32)
    out = np.empty_like(x)
    rows = [
        ("seed_memref(x, y, out): writes a given output", lambda: module.seed_memref(x, x, out)),
        ("seed(x, y): returns a new array", lambda: module.seed(x, x)),
        ("rowsum(x): returns a new array", lambda: module.rowsum(x)),
    ]
    print("| call (1x1 f32) | host us per call, median of 5 x 20000 |")
    print("|---|---|")
    for label, fn in rows:
        print(f"| {label} | {per_call_us(fn):.2f} |")


if __name__ == "__main__":
    main()
