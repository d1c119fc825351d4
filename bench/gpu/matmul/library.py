"""GPU matmul against cuBLAS, with cuBLASLt among the candidates (issue
12's table): fp32 and bf16 matmul and batch matmul over the issue's shapes,
and matmul + bias + GELU. For each contraction shape: every variant alone
(runtime policy fixed:<i>), the dispatched call (the runtime's benchmark
picks per shape), torch's matmul (cuBLAS; fp32 without TF32, torch's
default) and Inductor compiled for the shape, each as kernel time by
CUDA-graph replay (10 calls per graph, best of 3 replays of 5), with the
dispatched result checked against torch in float64. Matmul + bias + GELU:
our library against torch eager and Inductor per shape, checked likewise.

Usage on the device: python3 library.py <dir that bench/gpu/matmul/
build-library.sh filled> (the variants the compiler names "cublaslt
algorithm <i>" are cuBLASLt's)."""

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


def first_call(call):
    """`call` once on a fresh runtime under the benchmark policy (a new
    decision for its shape), synchronized."""
    rt.mkrtReset()
    rt.mkrtSetPolicy(b"benchmark")
    set_stream()
    call()
    torch.cuda.synchronize()


def site_index(name):
    """The runtime's index of the dispatch site `name` of the library called
    last (sites are numbered in the order of their first call, over every
    library loaded, and two libraries may name a site alike: the last one
    is the newest)."""
    stats = families.SiteStats()
    index, found = 0, None
    while rt.mkrtGetSiteStats(index, ctypes.byref(stats)) == 0:
        if stats.name.decode() == name:
            found = index
        index += 1
    if found is None:
        raise LookupError(f"no dispatch site named {name!r}")
    return found


def inductor(fn):
    """`fn` compiled by Inductor for the shapes of its first call
    (dynamic=False, a fresh compile per shape: the per-shape reference)."""
    torch._dynamo.reset()
    return torch.compile(fn, dynamic=False)


# The contractions, C = A B (bench/gpu/matmul/c_equals_ab.mlir): (library,
# entry, dtype, shapes: (M, N, K) or (batch, M, N, K), label). The last
# rows ask cuBLASLt's heuristic for eight algorithms instead of three, on
# the shapes where three were behind.
SQUARE_AND_SKINNY = [(512,) * 3, (1024,) * 3, (2048,) * 3, (4096,) * 3, (8192,) * 3,
                     (16, 4096, 4096), (96, 12288, 4096), (777, 3072, 768), (3333, 1024, 4096)]
BATCHES = [(32, 2048, 2048, 128), (12, 777, 777, 64)]
CASES = [
    ("libcontractions_gpu.so", "mm_f32", torch.float32, SQUARE_AND_SKINNY, ""),
    ("libcontractions_gpu.so", "mm_bf16", torch.bfloat16, SQUARE_AND_SKINNY, ""),
    ("libcontractions_gpu.so", "bmm_f32", torch.float32, BATCHES, ""),
    ("libcontractions_gpu.so", "bmm_bf16", torch.bfloat16, BATCHES, ""),
    ("libcontractions8_gpu.so", "mm_f32", torch.float32, [(512,) * 3, (777, 3072, 768)],
     " (8 algorithms)"),
    ("libcontractions8_gpu.so", "bmm_f32", torch.float32, BATCHES, " (8 algorithms)"),
    ("libcontractions8_gpu.so", "bmm_bf16", torch.bfloat16, BATCHES, " (8 algorithms)"),
]

rows = []
for library, entry_name, dtype, shapes, label in CASES:
    path = os.path.join(kit, library)
    if not os.path.exists(path):
        print(f"skipping {library}: not built", flush=True)
        continue
    lib = ctypes.CDLL(path)
    entry = getattr(lib, "_mlir_ciface_" + entry_name)
    entry.restype = None
    site = None
    for shape in shapes:
        torch.manual_seed(0)
        if len(shape) == 4:
            batch, m, n, k = shape
            a = torch.randn(batch, m, k, device="cuda", dtype=dtype)
            b = torch.randn(batch, k, n, device="cuda", dtype=dtype)
            c = torch.full((batch, m, n), math.nan, device="cuda", dtype=dtype)
            out = torch.empty_like(c)
            reference = lambda: torch.bmm(a, b, out=out)  # noqa: E731
            compiled = inductor(torch.bmm)
        else:
            m, n, k = shape
            a = torch.randn(m, k, device="cuda", dtype=dtype)
            b = torch.randn(k, n, device="cuda", dtype=dtype)
            c = torch.full((m, n), math.nan, device="cuda", dtype=dtype)
            out = torch.empty_like(c)
            reference = lambda: torch.mm(a, b, out=out)  # noqa: E731
            compiled = inductor(torch.mm)
        flops = 2 * math.prod(shape)
        args = [ctypes.byref(families.descriptor(t)) for t in (a, b, c)]
        call = lambda: entry(*args)  # noqa: E731
        # The dispatched call: a fresh decision for this shape, checked.
        first_call(call)
        if site is None:
            site = site_index(entry_name + "_0")
        expected = a.double() @ b.double() if len(shape) == 3 else torch.bmm(a.double(), b.double())
        error = ((c.double() - expected).norm() / expected.norm()).item()
        decision = Decision()
        rt.mkrtGetSiteDecisions(ctypes.c_int64(site), ctypes.byref(decision), ctypes.c_int64(1))
        picked = decision.variant
        stats = families.SiteStats()
        rt.mkrtGetSiteStats(site, ctypes.byref(stats))
        names = [rt.mkrtGetVariantName(site, v).decode() for v in range(stats.numVariants)]
        library_set = [v for v, name in enumerate(names) if name.startswith("cublaslt")]
        dispatched = graph_us(call)
        torch_us = graph_us(reference)
        compiled(a, b)
        inductor_us = graph_us(lambda: compiled(a, b))
        alone = []
        for variant in range(stats.numVariants):
            rt.mkrtReset()
            rt.mkrtSetPolicy(f"fixed:{variant}".encode())
            alone.append(graph_us(call, calls=3 if flops > 1e12 else 10))
        rt.mkrtSetPolicy(b"benchmark")
        generated = [t for v, t in enumerate(alone) if v not in library_set]
        library_times = [t for v, t in enumerate(alone) if v in library_set] or [math.nan]
        rows.append(dict(
            dtype=str(dtype).replace("torch.", "") + label, shape="x".join(map(str, shape)),
            error=error, picked=picked, picked_name=names[picked],
            dispatched=dispatched, torch=torch_us, inductor=inductor_us,
            best_generated=min(generated),
            best_library=min(library_times), alone=alone, tflops=flops / dispatched / 1e6,
            generated_tflops=flops / min(generated) / 1e6))
        r = rows[-1]
        print(f"{r['dtype']} {r['shape']}: dispatched {dispatched:.1f} us ({names[picked]}), "
              f"torch {torch_us:.1f} us, Inductor {inductor_us:.1f} us, ratio "
              f"{dispatched / torch_us:.3f}, error {error:.1e}", flush=True)

# Matmul + bias + GELU (tanh): our library's two sites (the matmul with the
# zero fill of its C, then the epilogue) against torch eager (mm, then gelu
# of the sum) and Inductor per shape.
epilogue_rows = []
GELU_SHAPES = [(512,) * 3, (2048,) * 3, (4096,) * 3, (16, 4096, 4096), (96, 12288, 4096),
               (777, 3072, 768), (3333, 1024, 4096), (8192, 3072, 768)]
gelu_library = os.path.join(kit, "libmatmul_bias_gelu_gpu.so")
if os.path.exists(gelu_library):
    lib = ctypes.CDLL(gelu_library)

    def eager(a, b, bias):
        return torch.nn.functional.gelu(a @ b + bias, approximate="tanh")

    for entry_name, dtype in (("matmul_bias_gelu", torch.float32),
                              ("matmul_bias_gelu_bf16", torch.bfloat16)):
        entry = getattr(lib, "_mlir_ciface_" + entry_name)
        entry.restype = None
        for m, n, k in GELU_SHAPES:
            torch.manual_seed(0)
            a = torch.randn(m, k, device="cuda", dtype=dtype) / math.sqrt(k)
            b = torch.randn(k, n, device="cuda", dtype=dtype)
            bias = torch.randn(n, device="cuda", dtype=dtype)
            out = torch.full((m, n), math.nan, device="cuda", dtype=dtype)
            args = [ctypes.byref(families.descriptor(t)) for t in (a, b, bias, out)]
            call = lambda: entry(*args)  # noqa: E731
            first_call(call)
            expected = eager(a.double(), b.double(), bias.double())
            error = ((out.double() - expected).norm() / expected.norm()).item()
            compiled = inductor(eager)
            compiled(a, b, bias)
            ours = graph_us(call)
            eager_us = graph_us(lambda: eager(a, b, bias))
            inductor_us = graph_us(lambda: compiled(a, b, bias))
            epilogue_rows.append(dict(dtype=str(dtype).replace("torch.", ""),
                                      shape=f"{m}x{n}x{k}", error=error, ours=ours,
                                      eager=eager_us, inductor=inductor_us))
            print(f"{entry_name} {m}x{n}x{k}: ours {ours:.1f} us, eager {eager_us:.1f}, "
                  f"Inductor {inductor_us:.1f}, error {error:.1e}", flush=True)

print()
print("| dtype | shape | error vs f64 | picked | dispatched us | torch (cuBLAS) us | "
      "Inductor us | dispatched / torch | TFLOP/s | best generated us (TFLOP/s) | "
      "best cuBLASLt variant us | each variant us |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['dtype']} | {r['shape']} | {r['error']:.1e} | {r['picked']} ({r['picked_name']}) | "
          f"{r['dispatched']:.1f} | {r['torch']:.1f} | {r['inductor']:.1f} | "
          f"{r['dispatched'] / r['torch']:.3f} | "
          f"{r['tflops']:.0f} | {r['best_generated']:.1f} ({r['generated_tflops']:.0f}) | "
          f"{r['best_library']:.1f} | {' / '.join(f'{t:.1f}' for t in r['alone'])} |")
for dtype in sorted({r["dtype"] for r in rows}):
    ratios = [r["dispatched"] / r["torch"] for r in rows if r["dtype"] == dtype]
    print(f"{dtype}: dispatched / torch geo-mean {math.exp(sum(map(math.log, ratios)) / len(ratios)):.3f}, "
          f"worst {max(ratios):.3f} over {len(ratios)} shapes")

if epilogue_rows:
    print()
    print("| dtype | MxNxK | error vs f64 | ours us (2 sites) | torch eager us | Inductor us | "
          "ours / Inductor |")
    print("|---|---|---|---|---|---|---|")
    for r in epilogue_rows:
        print(f"| {r['dtype']} | {r['shape']} | {r['error']:.1e} | {r['ours']:.1f} | "
              f"{r['eager']:.1f} | {r['inductor']:.1f} | {r['ours'] / r['inductor']:.3f} |")
    for dtype in sorted({r["dtype"] for r in epilogue_rows}):
        ratios = [r["ours"] / r["inductor"] for r in epilogue_rows if r["dtype"] == dtype]
        print(f"matmul+bias+GELU {dtype}: ours / Inductor geo-mean "
              f"{math.exp(sum(map(math.log, ratios)) / len(ratios)):.3f}, worst {max(ratios):.3f}")
