"""GPU benchmark of the fused kernel families (bench/gpu/fusion/families.py):
one compiled library per family, each one dispatch site, against PyTorch
Inductor compiled for each shape (dynamic=False) and once for all shapes
(dynamic=True), in the same run. Kernel time by CUDA graph replay: a graph
of 10 calls, the median replay over 10 (so that the graph's own launch
cost, several microseconds, does not swamp small shapes); host overhead is
out of every figure. Each result is checked against float64 first (output
poisoned with NaN), and each variant of ours is timed alone too (runtime
policy fixed:i), to tell a slow kernel from a wrong pick.

Runs on the device machine with the kernels of the GPU test kit
(scripts/gpu-test-kit.sh) and builds nothing.
Usage: bench.py <kernels dir> <table.md> [family ...]
"""

import ctypes
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families  # noqa: E402

SHAPES = [(512, 256), (4096, 2048), (16384, 8192), (100000, 96), (96, 100000),
          (1048576, 1), (1, 1048576), (131072, 48), (16, 300000), (2048, 4096),
          (8192, 1024), (1024, 8192)]
# BENCH_SHAPES=1048576x1,512x256 measures only those (a targeted run; its
# geo-means are over them).
if os.environ.get("BENCH_SHAPES"):
    SHAPES = [tuple(int(d) for d in shape.split("x"))
              for shape in os.environ["BENCH_SHAPES"].split(",")]


CALLS_PER_GRAPH = 10


def replay_us(fn, repeats=30):
    """Median time of one call of `fn`, captured CALLS_PER_GRAPH times in a
    CUDA graph."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        fn()
        fn()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(CALLS_PER_GRAPH):
            fn()
    graph.replay()
    torch.cuda.synchronize()
    samples = []
    for _ in range(repeats):
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        stop.record()
        stop.synchronize()
        samples.append(start.elapsed_time(stop) * 1e3 / CALLS_PER_GRAPH)
    samples.sort()
    return samples[len(samples) // 2]


def main():
    kernels_dir, table_path = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or list(families.FAMILIES)
    runtime = ctypes.CDLL(os.path.join(kernels_dir, "libmultikernel_runtime.so.0"),
                          mode=ctypes.RTLD_GLOBAL)
    runtime.mkrtGpuSetStream.argtypes = [ctypes.c_void_p]
    runtime.mkrtGetDeviceName.restype = ctypes.c_char_p
    runtime.mkrtSetPolicy.argtypes = [ctypes.c_char_p]
    runtime.mkrtGetSiteStats.argtypes = [ctypes.c_int64,
                                         ctypes.POINTER(families.SiteStats)]
    print("device:", runtime.mkrtGetDeviceName(1).decode(), "| torch", torch.__version__,
          flush=True)
    torch.manual_seed(0)
    big = torch.empty(64 * 2**20, device="cuda")
    dst = torch.empty_like(big)
    copy_gbs = 2 * big.numel() * 4 / replay_us(lambda: dst.copy_(big)) / 1e3
    print(f"copy bandwidth: {copy_gbs:.0f} GB/s", flush=True)
    del big, dst

    results = {}
    for name in names:
        family = families.FAMILIES[name]
        library = ctypes.CDLL(os.path.join(kernels_dir, family.library))
        entry = getattr(library, "_mlir_ciface_" + family.entry)
        entry.restype = None
        rows = []
        # Ours and Inductor dynamic=True first (one compile for all shapes),
        # then Inductor per shape (a compile each, reset after).
        dynamic = torch.compile(lambda *a: family.torch_fn(a), dynamic=True)
        for shape in SHAPES:
            args = family.inputs(shape, 0)
            descriptors = [families.descriptor(t) for t in args]
            pointers = [ctypes.byref(d) for d in descriptors]

            def ours():
                runtime.mkrtGpuSetStream(
                    ctypes.c_void_p(torch.cuda.current_stream().cuda_stream))
                entry(*pointers)

            ours()  # the first call of the shape benchmarks the variants
            args[-1].fill_(math.nan)
            ours()
            torch.cuda.synchronize()
            expected, out = family.reference(args), args[-1].double()
            error = ((out - expected).norm() / expected.norm()).item()
            ok = not torch.isnan(out).any().item() and error < family.tolerance
            ours_us = replay_us(ours)
            stats = families.site_stats(runtime, family.entry + "_0")
            alone = []
            for variant in range(stats.numVariants):
                runtime.mkrtReset()
                runtime.mkrtSetPolicy(f"fixed:{variant}".encode())
                alone.append(replay_us(ours))
            runtime.mkrtReset()
            runtime.mkrtSetPolicy(b"benchmark")
            dynamic_us = replay_us(lambda: dynamic(*args[:-1]))
            gbs = family.bytes_moved(shape) / ours_us / 1e3
            rows.append(dict(shape=shape, ok=ok, error=error, ours=ours_us,
                             alone=alone, dynamic=dynamic_us, gbs=gbs))
        torch._dynamo.reset()
        for row in rows:
            args = family.inputs(row["shape"], 0)
            static = torch.compile(lambda *a: family.torch_fn(a), dynamic=False)
            row["static"] = replay_us(lambda: static(*args[:-1]))
            torch._dynamo.reset()
            row["static_gbs"] = family.bytes_moved(row["shape"]) / row["static"] / 1e3
            print(f"{name} {row['shape'][0]}x{row['shape'][1]}: "
                  f"{'ok' if row['ok'] else 'WRONG'} err {row['error']:.1e} "
                  f"ours {row['ours']:.1f} us, inductor static {row['static']:.1f}, "
                  f"dynamic {row['dynamic']:.1f} ({row['ours'] / row['static']:.2f}x static)"
                  " | variants " + " ".join(f"{t:.1f}" for t in row["alone"]),
                  flush=True)
        results[name] = rows

    lines = [f"copy bandwidth in this run: {copy_gbs:.0f} GB/s (64 MiB device copy, "
             "read + write)", ""]
    summary = ["| family | geo-mean ours/static | worst ours/static (shape) | "
               "geo-mean dynamic/static | ours at 64 MB+: % of copy (static) | wrong |",
               "|---|---|---|---|---|---|"]
    for name, rows in results.items():
        lines += [f"### {name}", "",
                  "| shape | ours us | Inductor static us | Inductor dynamic us | "
                  "ours/static | dynamic/static | ours GB/s | % of copy | check | "
                  "each variant alone, us |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            lines.append(
                f"| {r['shape'][0]}x{r['shape'][1]} | {r['ours']:.1f} | {r['static']:.1f} | "
                f"{r['dynamic']:.1f} | {r['ours'] / r['static']:.2f} | "
                f"{r['dynamic'] / r['static']:.2f} | {r['gbs']:.0f} | "
                f"{100 * r['gbs'] / copy_gbs:.0f}% | "
                f"{'ok' if r['ok'] else 'WRONG'} {r['error']:.0e} | "
                + " / ".join(f"{t:.1f}" for t in r["alone"]) + " |")
        lines.append("")
        ratios = [r["ours"] / r["static"] for r in rows]
        worst = max(range(len(rows)), key=lambda i: ratios[i])
        big = [r for r in rows if families.FAMILIES[name].bytes_moved(r["shape"]) >= 2**26]
        summary.append(
            f"| {name} | {math.exp(sum(map(math.log, ratios)) / len(ratios)):.2f} | "
            f"{ratios[worst]:.2f} ({rows[worst]['shape'][0]}x{rows[worst]['shape'][1]}) | "
            f"{math.exp(sum(math.log(r['dynamic'] / r['static']) for r in rows) / len(rows)):.2f} | "
            + ", ".join(f"{100 * r['gbs'] / copy_gbs:.0f} ({100 * r['static_gbs'] / copy_gbs:.0f})"
                        for r in big)
            + f" | {sum(not r['ok'] for r in rows)} |")
    text = "\n".join(summary + [""] + lines)
    print(text)
    with open(table_path, "w") as f:
        f.write(text + "\n")
    with open(os.path.splitext(table_path)[0] + ".json", "w") as f:
        json.dump(results, f)
    return 1 if any(not r["ok"] for rows in results.values() for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
