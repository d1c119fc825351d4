"""GPU benchmark of softmax over rows (f32) on the H100.

Runs on the device machine from .device-carry/elementwise (built on the CPU
machine by build.sh; nothing is built here). For a sweep of shapes:
correctness against torch in float64 (outputs poisoned with NaN first), then
the time of each variant alone (policy fixed:i), of the dispatched call
(warm cache), the oracle, torch eager, torch.compile(dynamic=False) per shape
and torch.compile(dynamic=True), and the copy bandwidth of the same run.
Prints a markdown table. Usage: python3 bench.py <dir> [out.md]
"""

import ctypes
import math
import os
import sys
import time

import torch

HERE = sys.argv[1]
runtime = ctypes.CDLL(os.path.join(HERE, "libmultikernel_runtime.so.0"), mode=ctypes.RTLD_GLOBAL)
kernels = ctypes.CDLL(os.path.join(HERE, "libsoftmax_gpu.so"))
runtime.mkrtSetPolicy.argtypes = [ctypes.c_char_p]
runtime.mkrtGpuSetStream.argtypes = [ctypes.c_void_p]
runtime.mkrtGetDeviceName.restype = ctypes.c_char_p


class MemRef2D(ctypes.Structure):
    _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * 2),
                ("strides", ctypes.c_int64 * 2)]


def descriptor(t):
    d = MemRef2D()
    d.allocated = d.aligned = t.data_ptr()
    d.offset = 0
    d.sizes[0], d.sizes[1] = t.shape
    d.strides[0], d.strides[1] = t.stride()
    return d


softmax = kernels._mlir_ciface_softmax
softmax.restype = None


def call(x, y, out):
    dx, do = descriptor(x), descriptor(out)
    softmax(ctypes.byref(dx), ctypes.byref(do))


def time_us(fn, sets, repeats=20):
    """Median over repeats, rotating input sets so the L2 does not flatter
    small shapes; CUDA events on the current stream."""
    for s in sets:
        fn(*s)
    torch.cuda.synchronize()
    samples = []
    for r in range(repeats):
        s = sets[r % len(sets)]
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        start.record()
        fn(*s)
        stop.record()
        stop.synchronize()
        samples.append(start.elapsed_time(stop) * 1e3)
    samples.sort()
    return samples[len(samples) // 2]


def graph_us(fn, args, replays=20):
    """Kernel time without launch overhead: the call captured in a CUDA graph,
    median of timed replays."""
    graph = torch.cuda.CUDAGraph()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        fn(*args)  # warm-up on the side stream
    torch.cuda.current_stream().wait_stream(side)
    with torch.cuda.graph(graph):
        runtime.mkrtGpuSetStream(ctypes.c_void_p(torch.cuda.current_stream().cuda_stream))
        fn(*args)
    runtime.mkrtGpuSetStream(ctypes.c_void_p(torch.cuda.current_stream().cuda_stream))
    return time_us(lambda: graph.replay(), [()], replays)


def main():
    torch.manual_seed(0)
    runtime.mkrtGpuSetStream(ctypes.c_void_p(torch.cuda.current_stream().cuda_stream))
    print("device:", runtime.mkrtGetDeviceName(1).decode(), "| torch", torch.__version__)

    # Copy bandwidth of this run (bytes read + written).
    big = torch.empty(64 * 2**20, device="cuda")
    dst = torch.empty_like(big)
    copy_us = time_us(lambda a, b: b.copy_(a), [(big, dst)], 50)
    copy_gbs = 2 * big.numel() * 4 / copy_us / 1e3
    print(f"copy bandwidth: {copy_gbs:.0f} GB/s")

    shapes = [(100000, 96), (96, 100000), (4096, 4096), (4096, 512), (512, 256),
              (1500, 750), (8192, 1024), (1024, 8192), (32768, 128), (128, 32768),
              (16384, 4096), (8192, 2048), (1, 100000)]
    eager = lambda x, y, out: torch.softmax(x, dim=1)
    dynamic = torch.compile(lambda x, y: torch.softmax(x, dim=1), dynamic=True)
    rows = []
    failures = 0
    for shape in shapes:
        sets = []
        for _ in range(3 if shape[0] * shape[1] < 2**24 else 1):
            sets.append((torch.randn(shape, device="cuda"), None,
                         torch.full(shape, float("nan"), device="cuda")))
        x, y, out = sets[0]
        runtime.mkrtReset()
        runtime.mkrtSetPolicy(b"benchmark")
        start = time.perf_counter()
        call(x, y, out)
        torch.cuda.synchronize()
        cold_ms = (time.perf_counter() - start) * 1e3
        ref = torch.softmax(x.double(), dim=1)
        err = ((out.double() - ref).norm() / ref.norm()).item()
        ok = err < 1e-5 and not torch.isnan(out).any().item()
        failures += not ok
        dispatched = time_us(call, sets)
        # Kernel time of the variant the runtime chose (before the
        # per-variant runs below replace the cached decision).
        kernel_us = graph_us(call, sets[0])
        alone = []
        for v in range(3):
            runtime.mkrtReset()
            runtime.mkrtSetPolicy(f"fixed:{v}".encode())
            call(x, y, out)
            alone.append(time_us(call, sets))
        runtime.mkrtSetPolicy(b"benchmark")
        eager_kernel_us = graph_us(eager, sets[0])
        t_eager = time_us(eager, sets)
        t_dynamic = time_us(lambda a, b, c: dynamic(a, b), sets)
        static = torch.compile(lambda a, b: torch.softmax(a, dim=1), dynamic=False)
        t_static = time_us(lambda a, b, c: static(a, b), sets)
        torch._dynamo.reset()
        oracle = min(alone)
        gbs = 8 * shape[0] * shape[1] / dispatched / 1e3
        rows.append((shape, ok, err, alone, dispatched, oracle, t_eager, t_static, t_dynamic,
                     gbs, cold_ms, kernel_us, eager_kernel_us))
        print(f"{shape}: {'ok' if ok else 'WRONG'} err {err:.1e}  v0 {alone[0]:.1f} v1 {alone[1]:.1f} v2 {alone[2]:.1f} "
              f"disp {dispatched:.1f} static {t_static:.1f} kernel {kernel_us:.1f} us", flush=True)

    lines = [
        f"copy bandwidth in this run: {copy_gbs:.0f} GB/s",
        "",
        "| shape | ok (rel. err) | variant 0 us | variant 1 us | variant 2 us | dispatched us | oracle us "
        "| disp/oracle | torch eager us | inductor static us | disp/static "
        "| inductor dynamic us | kernel us (graph) | kernel GB/s | % copy | eager kernels us (graph) "
        "| first call ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    log_oracle = log_static = log_dynamic = log_kernel_dynamic = 0.0
    for (shape, ok, err, alone, disp, oracle, t_eager, t_static, t_dyn, gbs, cold,
         kernel, eager_kernel) in rows:
        log_oracle += math.log(disp / oracle)
        log_static += math.log(disp / t_static)
        log_dynamic += math.log(disp / t_dyn)
        kernel_gbs = 8 * shape[0] * shape[1] / kernel / 1e3
        lines.append(
            f"| {shape[0]}x{shape[1]} | {'ok' if ok else 'WRONG'} ({err:.0e}) | {alone[0]:.1f} | "
            f"{alone[1]:.1f} | {alone[2]:.1f} | {disp:.1f} | {oracle:.1f} | {disp / oracle:.3f} | {t_eager:.1f} | "
            f"{t_static:.1f} | {disp / t_static:.2f} | {t_dyn:.1f} | {kernel:.1f} | "
            f"{kernel_gbs:.0f} | {100 * kernel_gbs / copy_gbs:.0f}% | {eager_kernel:.1f} | {cold:.1f} |")
    n = len(rows)
    lines += ["", f"geo-mean dispatched/oracle: {math.exp(log_oracle / n):.3f}; "
                  f"dispatched/inductor-static: {math.exp(log_static / n):.3f}; "
                  f"dispatched/inductor-dynamic: {math.exp(log_dynamic / n):.3f} over {n} shapes",
              f"correctness: {n - failures}/{n} shapes ok"]
    text = "\n".join(lines)
    print()
    print(text)
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            f.write(text + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
