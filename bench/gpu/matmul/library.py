"""GPU matmul against cuBLAS, with cuBLASLt among the candidates (issue
12's table): fp32 and bf16 matmul and fp32 batch matmul over the issue's
shapes. For each shape: every variant alone (runtime policy fixed:<i>), the
dispatched call (the runtime's benchmark picks per shape) and torch's
matmul (cuBLAS; fp32 without TF32, torch's default), each as kernel time
by CUDA-graph replay (10 calls per graph, best of 3 replays of 5), with the
dispatched result checked against torch in float64.

Usage on the device: python3 library.py <dir with libmatmul_gpu.so,
libmatmul_bf16_gpu.so, libbmm_gpu.so and the runtime>
(the variants the compiler names "cublaslt algorithm <i>" are cuBLASLt's)."""

import ctypes
import math
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "fusion"))
import families  # noqa: E402

torch.backends.cuda.matmul.allow_tf32 = False
kit = sys.argv[1]
rt = ctypes.CDLL(os.path.join(kit, "libmultikernel_runtime.so.0"), mode=ctypes.RTLD_GLOBAL)
rt.mkrtGpuSetStream.argtypes = [ctypes.c_void_p]
rt.mkrtSetPolicy.argtypes = [ctypes.c_char_p]
rt.mkrtGetSiteStats.argtypes = [ctypes.c_int64, ctypes.POINTER(families.SiteStats)]
rt.mkrtGetVariantName.argtypes = [ctypes.c_int64, ctypes.c_int32]
rt.mkrtGetVariantName.restype = ctypes.c_char_p


Decision = families.Decision


def set_stream():
    rt.mkrtGpuSetStream(ctypes.c_void_p(torch.cuda.current_stream().cuda_stream))


def graph_us(fn, calls=10):
    set_stream()
    fn()
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        set_stream()
        for _ in range(calls):
            fn()
    set_stream()
    graph.replay()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    best = math.inf
    for _ in range(3):
        start.record()
        for _ in range(5):
            graph.replay()
        end.record()
        torch.cuda.synchronize()
        best = min(best, start.elapsed_time(end) * 1e3 / (5 * calls))
    return best


def site_stats():
    stats = families.SiteStats()
    rt.mkrtGetSiteStats(0, ctypes.byref(stats))
    return stats


CASES = [
    # (library, entry, dtype, shapes: (M, N, K) or (batch, M, N, K))
    ("libmatmul_gpu.so", "matmul", torch.float32,
     [(512,) * 3, (1024,) * 3, (2048,) * 3, (4096,) * 3, (8192,) * 3, (16, 4096, 4096),
      (96, 12288, 4096), (777, 3072, 768), (3333, 1024, 4096)]),
    ("libmatmul_bf16_gpu.so", "matmul_bf16", torch.bfloat16,
     [(512,) * 3, (1024,) * 3, (2048,) * 3, (4096,) * 3, (8192,) * 3, (16, 4096, 4096),
      (96, 12288, 4096), (777, 3072, 768), (3333, 1024, 4096)]),
    ("libbmm_gpu.so", "bmm", torch.float32, [(32, 2048, 2048, 128), (12, 777, 777, 64)]),
]

rows = []
for library, entry_name, dtype, shapes in CASES:
    lib = ctypes.CDLL(os.path.join(kit, library))
    entry = getattr(lib, "_mlir_ciface_" + entry_name)
    entry.restype = None
    for shape in shapes:
        torch.manual_seed(0)
        if len(shape) == 4:
            batch, m, n, k = shape
            a = torch.randn(batch, m, k, device="cuda", dtype=dtype)
            b = torch.randn(batch, k, n, device="cuda", dtype=dtype)
            c = torch.zeros(batch, m, n, device="cuda", dtype=dtype)
            out = torch.empty_like(c)
            reference = lambda: torch.bmm(a, b, out=out)  # noqa: E731
        else:
            m, n, k = shape
            a = torch.randn(m, k, device="cuda", dtype=dtype)
            b = torch.randn(k, n, device="cuda", dtype=dtype)
            c = torch.zeros(m, n, device="cuda", dtype=dtype)
            out = torch.empty_like(c)
            reference = lambda: torch.mm(a, b, out=out)  # noqa: E731
        flops = 2 * math.prod(shape)
        args = [ctypes.byref(families.descriptor(t)) for t in (a, b, c)]
        call = lambda: entry(*args)  # noqa: E731
        # The dispatched call: a fresh decision for this shape, checked.
        rt.mkrtReset()
        rt.mkrtSetPolicy(b"benchmark")
        set_stream()
        call()
        torch.cuda.synchronize()
        expected = a.double() @ b.double() if len(shape) == 3 else torch.bmm(a.double(), b.double())
        error = ((c.double() - expected).norm() / expected.norm()).item()
        decision = Decision()
        rt.mkrtGetSiteDecisions(ctypes.c_int64(0), ctypes.byref(decision), ctypes.c_int64(1))
        picked = decision.variant
        variants = site_stats().numVariants
        names = [rt.mkrtGetVariantName(0, v).decode() for v in range(variants)]
        library_set = [v for v, name in enumerate(names) if name.startswith("cublaslt")]
        dispatched = graph_us(call)
        torch_us = graph_us(reference)
        alone = []
        for variant in range(variants):
            rt.mkrtReset()
            rt.mkrtSetPolicy(f"fixed:{variant}".encode())
            alone.append(graph_us(call, calls=3 if flops > 1e12 else 10))
        rt.mkrtSetPolicy(b"benchmark")
        generated = [t for v, t in enumerate(alone) if v not in library_set]
        library_times = [t for v, t in enumerate(alone) if v in library_set] or [math.nan]
        rows.append(dict(
            dtype=str(dtype).replace("torch.", ""), shape="x".join(map(str, shape)),
            error=error, picked=picked, picked_name=names[picked],
            dispatched=dispatched, torch=torch_us, best_generated=min(generated),
            best_library=min(library_times), alone=alone, tflops=flops / dispatched / 1e6,
            generated_tflops=flops / min(generated) / 1e6))
        r = rows[-1]
        print(f"{r['dtype']} {r['shape']}: dispatched {dispatched:.1f} us (variant {picked}), "
              f"torch {torch_us:.1f} us, ratio {dispatched / torch_us:.3f}, error {error:.1e}",
              flush=True)

print()
print("| dtype | shape | error vs f64 | picked | dispatched us | torch (cuBLAS) us | "
      "dispatched / torch | TFLOP/s | best generated us (TFLOP/s) | best cuBLASLt variant us | "
      "each variant us |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['dtype']} | {r['shape']} | {r['error']:.1e} | {r['picked']} ({r['picked_name']}) | "
          f"{r['dispatched']:.1f} | {r['torch']:.1f} | {r['dispatched'] / r['torch']:.3f} | "
          f"{r['tflops']:.0f} | {r['best_generated']:.1f} ({r['generated_tflops']:.0f}) | "
          f"{r['best_library']:.1f} | {' / '.join(f'{t:.1f}' for t in r['alone'])} |")
for dtype in sorted({r["dtype"] for r in rows}):
    ratios = [r["dispatched"] / r["torch"] for r in rows if r["dtype"] == dtype]
    print(f"{dtype}: dispatched / torch geo-mean {math.exp(sum(map(math.log, ratios)) / len(ratios)):.3f}, "
          f"worst {max(ratios):.3f} over {len(ratios)} shapes")
