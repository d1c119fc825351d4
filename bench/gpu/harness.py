"""The GPU benchmark harness shared by bench/gpu/<kernel>/bench.py.

Runs on the device machine with a library prebuilt on the CPU machine (by
bench/gpu/<kernel>/build.sh) beside the runtime; builds nothing. For each
shape of a sweep: correctness against torch in float64 (outputs poisoned
with NaN first), then each variant alone (runtime policy fixed:i), the
dispatched call with a warm cache, the oracle, the kernel time of the
runtime's choice (CUDA graph replay), torch eager, torch.compile with
dynamic=False (per shape) and dynamic=True, and the first-call cost.
Prints a markdown table and writes it to the file named on the command line.

With BENCH_PICKS_ONLY=1 it skips torch and Inductor (minutes of compiling)
and reports only correctness, the variants and the runtime's picks: the
quick way to compare runtime settings (e.g. MULTIKERNEL_BENCH_LEAD_IN_MB).
"""

import ctypes
import math
import os
import time

import torch


class MemRef(ctypes.Structure):
    """Base of the ranked memref descriptors (MLIR's C interface)."""


def memref_type(rank):
    return type(f"MemRef{rank}D", (MemRef,), {"_fields_": [
        ("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
        ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * rank),
        ("strides", ctypes.c_int64 * rank)]})


_DESCRIPTORS = {1: memref_type(1), 2: memref_type(2)}


def descriptor(tensor):
    """A memref descriptor viewing a contiguous CUDA tensor."""
    d = _DESCRIPTORS[tensor.dim()]()
    d.allocated = d.aligned = tensor.data_ptr()
    d.offset = 0
    for i, (size, stride) in enumerate(zip(tensor.shape, tensor.stride())):
        d.sizes[i], d.strides[i] = size, stride
    return ctypes.byref(d)


class Kernel:
    """What a benchmark defines: see bench/gpu/*/bench.py."""
    library = ""           # the compiled library's file name
    entry = ""             # the public function (its _mlir_ciface_ symbol)
    variants = 2
    bytes_per_element = 4  # counted per element of the input shape
    shapes = []
    unit = "GB/s"          # what throughput() returns

    def throughput(self, shape, us):
        """Bytes moved per second (GB/s) by default."""
        return self.bytes_per_element * math.prod(shape) / us / 1e3

    def inputs(self, shape):        # -> tuple of tensors, the last the output
        raise NotImplementedError

    def before_call(self, args):    # e.g. zero an accumulated output
        pass

    def reference(self, args):      # float64 result
        raise NotImplementedError

    def torch_fn(self, args):       # what torch runs for the same result
        raise NotImplementedError


def time_us(fn, sets, repeats=20):
    """Median end-to-end time (CUDA events) over `repeats` calls, rotating
    the input sets so the L2 does not flatter small shapes."""
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


class Decision(ctypes.Structure):
    """MkrtDecision (include/multikernel/Runtime/MultiKernelRuntime.h)."""
    _fields_ = [("key", ctypes.c_int64 * 8), ("keyRank", ctypes.c_int32),
                ("variant", ctypes.c_int32), ("source", ctypes.c_int32),
                ("numVariants", ctypes.c_int32), ("variantNanos", ctypes.c_double * 32)]


def run(kernel, argv):
    here, table_path = argv[1], (argv[2] if len(argv) > 2 else None)
    runtime = ctypes.CDLL(os.path.join(here, "libmultikernel_runtime.so.0"),
                          mode=ctypes.RTLD_GLOBAL)
    library = ctypes.CDLL(os.path.join(here, kernel.library))
    runtime.mkrtSetPolicy.argtypes = [ctypes.c_char_p]
    runtime.mkrtGpuSetStream.argtypes = [ctypes.c_void_p]
    runtime.mkrtGetDeviceName.restype = ctypes.c_char_p
    runtime.mkrtSaveTable.argtypes = runtime.mkrtLoadTable.argtypes = [ctypes.c_char_p]
    entry = getattr(library, "_mlir_ciface_" + kernel.entry)
    entry.restype = None

    def use_current_stream():
        runtime.mkrtGpuSetStream(ctypes.c_void_p(torch.cuda.current_stream().cuda_stream))

    def call(*args):
        kernel.before_call(args)
        entry(*[descriptor(t) for t in args])

    def graph_us(fn, args):
        """Kernel time without launch overhead: `fn` captured in a CUDA
        graph, median of timed replays."""
        graph = torch.cuda.CUDAGraph()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            fn(*args)
        torch.cuda.current_stream().wait_stream(side)
        with torch.cuda.graph(graph):
            use_current_stream()
            fn(*args)
        use_current_stream()
        return time_us(lambda: graph.replay(), [()])

    torch.manual_seed(0)
    use_current_stream()
    print("device:", runtime.mkrtGetDeviceName(1).decode(), "| torch", torch.__version__)
    big = torch.empty(64 * 2**20, device="cuda")
    dst = torch.empty_like(big)
    copy_gbs = 2 * big.numel() * 4 / time_us(lambda a, b: b.copy_(a), [(big, dst)], 50) / 1e3
    print(f"copy bandwidth: {copy_gbs:.0f} GB/s")

    eager = lambda *args: kernel.torch_fn(args)
    dynamic = torch.compile(lambda *args: kernel.torch_fn(args), dynamic=True)
    # Inductor's own multi-kernel dispatch (several kernels per reduction,
    # chosen at run time), with dynamic shapes.
    import torch._inductor.config as inductor_config
    with inductor_config.patch({"triton.multi_kernel": 1}):
        multi = torch.compile(lambda *args: kernel.torch_fn(args), dynamic=True)
    rows, failures = [], 0
    for shape in kernel.shapes:
        count = 3 if kernel.bytes_per_element * math.prod(shape[:2]) < 2**26 else 1
        sets = [kernel.inputs(shape) for _ in range(count)]
        args = sets[0]
        runtime.mkrtReset()
        runtime.mkrtSetPolicy(b"benchmark")
        start = time.perf_counter()
        call(*args)
        torch.cuda.synchronize()
        cold_ms = (time.perf_counter() - start) * 1e3
        decision = Decision()
        picked = (decision.variant if runtime.mkrtGetSiteDecisions(
            ctypes.c_int64(0), ctypes.byref(decision), ctypes.c_int64(1)) == 1 else -1)
        # What the runtime measured for each variant while it chose (us).
        measured = [decision.variantNanos[v] / 1e3 for v in range(kernel.variants)]
        # The same first call with the decision loaded from a dispatch table
        # (as a deployed model starts): no benchmarking.
        table = os.path.join(os.environ.get("TMPDIR", "/tmp"), "multikernel-bench.table")
        if os.path.exists(table):
            os.remove(table)
        runtime.mkrtSaveTable(table.encode())
        runtime.mkrtReset()
        runtime.mkrtLoadTable(table.encode())
        torch.cuda.synchronize()
        start = time.perf_counter()
        call(*args)
        torch.cuda.synchronize()
        table_ms = (time.perf_counter() - start) * 1e3
        ref, out = kernel.reference(args), args[-1]
        err = ((out.double() - ref).norm() / ref.norm()).item()
        ok = err < 1e-5 and not torch.isnan(out).any().item()
        failures += not ok
        dispatched = time_us(call, sets)
        # Before the per-variant runs below replace the cached decision.
        kernel_us = graph_us(call, args)
        alone, alone_kernel = [], []
        for v in range(kernel.variants):
            runtime.mkrtReset()
            runtime.mkrtSetPolicy(f"fixed:{v}".encode())
            call(*args)
            alone.append(time_us(call, sets))
            alone_kernel.append(graph_us(call, args))
        runtime.mkrtSetPolicy(b"benchmark")
        if os.environ.get("BENCH_PICKS_ONLY") == "1":
            rows.append(dict(shape=shape, ok=ok, err=err, alone=alone,
                             oracle=min(alone), alone_kernel=alone_kernel,
                             measured=measured, picked=picked))
            print(f"{label(shape)}: {'ok' if ok else 'WRONG'} kernels "
                  + " ".join(f"v{v} {t:.1f}" for v, t in enumerate(alone_kernel))
                  + " | runtime measured "
                  + " ".join(f"v{v} {t:.1f}" for v, t in enumerate(measured))
                  + f" -> v{picked}", flush=True)
            continue
        eager_kernel_us = graph_us(eager, args)
        t_eager = time_us(eager, sets)
        t_dynamic = time_us(dynamic, sets)
        # Inductor's multi-kernel mode failed once here to compile softmax
        # (BackendCompilerFailed inside Inductor); report n/a, do not stop.
        try:
            with inductor_config.patch({"triton.multi_kernel": 1}):
                t_multi = time_us(multi, sets)
        except Exception as error:  # torch raises BackendCompilerFailed.
            print(f"{shape}: inductor multi-kernel failed: "
                  f"{str(error).splitlines()[0][:200]}")
            t_multi = math.nan
        static = torch.compile(lambda *a: kernel.torch_fn(a), dynamic=False)
        t_static = time_us(static, sets)
        torch._dynamo.reset()
        rows.append(dict(shape=shape, ok=ok, err=err, alone=alone, disp=dispatched,
                         oracle=min(alone), alone_kernel=alone_kernel, measured=measured,
                         eager=t_eager, static=t_static,
                         dynamic=t_dynamic, multi=t_multi, picked=picked, kernel=kernel_us,
                         eager_kernel=eager_kernel_us,
                         cold=cold_ms, table=table_ms))
        print(f"{label(shape)}: {'ok' if ok else 'WRONG'} err {err:.1e} "
              + " ".join(f"v{v} {t:.1f}" for v, t in enumerate(alone))
              + f" disp {dispatched:.1f} static {t_static:.1f} kernel {kernel_us:.1f} us"
              + " | kernels " + " ".join(f"v{v} {t:.1f}" for v, t in enumerate(alone_kernel))
              + " | runtime measured " + " ".join(f"v{v} {t:.1f}" for v, t in enumerate(measured))
              + f" -> v{picked}",
              flush=True)

    lines = [f"copy bandwidth in this run: {copy_gbs:.0f} GB/s", ""]
    if "disp" in rows[0]:
        lines += main_table(kernel, rows, copy_gbs)
    n = len(rows)
    right = sum(r["alone"][r["picked"]] == r["oracle"] for r in rows if r["picked"] >= 0)
    lines += ["", f"first-call pick = fastest variant alone at {right}/{n} shapes"]
    # The runtime picks by GPU time: judge the pick by each variant's kernel
    # time (graph replay), the steadier figure, as well as end to end.
    lines += ["", "Each variant's kernel time (CUDA graph replay) and what the runtime "
              "measured for it while choosing, us:", "",
              "| shape | kernels (graph) | runtime measured | picked | fastest kernel "
              "| picked/fastest kernel |", "|---|---|---|---|---|---|"]
    within_kernel = within_end_to_end = 0
    for r in rows:
        ks, best = r["alone_kernel"], min(r["alone_kernel"])
        ratio = ks[r["picked"]] / best if r["picked"] >= 0 else math.nan
        within_kernel += ratio <= 1.03
        within_end_to_end += (r["picked"] >= 0
                              and r["alone"][r["picked"]] <= 1.03 * r["oracle"])
        lines.append(f"| {label(r['shape'])} | " + " / ".join(f"{t:.1f}" for t in ks)
                     + " | " + " / ".join(f"{t:.1f}" for t in r["measured"])
                     + f" | v{r['picked']} | v{ks.index(best)} | {ratio:.3f} |")
    lines += ["", f"picked within 3% of the fastest variant: {within_kernel}/{n} shapes "
              f"by kernel time, {within_end_to_end}/{n} end to end"]
    lines += ["", f"correctness: {n - failures}/{n} shapes ok"]
    text = "\n".join(lines)
    print()
    print(text)
    if table_path:
        with open(table_path, "w") as f:
            f.write(text + "\n")
        if "disp" in rows[0]:
            plot(kernel, rows, os.path.splitext(table_path)[0] + ".png")
    return 1 if failures else 0


def main_table(kernel, rows, copy_gbs):
    """The full table: every contender per shape, and the geo-means."""
    # Memory-bound kernels against the copy bandwidth of this run; compute
    # kernels against torch's own kernel (eager, graph replay).
    efficiency = "% copy" if kernel.unit == "GB/s" else "% of torch kernel speed"
    variant_columns = "".join(f" variant {v} us |" for v in range(kernel.variants))
    lines = [
        f"| shape | ok (rel. err) |{variant_columns} dispatched us | picked (best) | oracle us | disp/oracle "
        "| torch eager us | inductor static us | disp/static | inductor dynamic us "
        f"| inductor multi-kernel us | kernel us (graph) | kernel {kernel.unit} | {efficiency} "
        "| eager kernels us (graph) | first call ms | first call, table ms |",
        "|" + "---|" * (kernel.variants + 17),
    ]
    logs = {"oracle": 0.0, "static": 0.0, "dynamic": 0.0}
    for r in rows:
        logs["oracle"] += math.log(r["disp"] / r["oracle"])
        logs["static"] += math.log(r["disp"] / r["static"])
        logs["dynamic"] += math.log(r["disp"] / r["dynamic"])
        rate = kernel.throughput(r["shape"], r["kernel"])
        percent = (100 * rate / copy_gbs if kernel.unit == "GB/s"
                   else 100 * r["eager_kernel"] / r["kernel"])
        lines.append(
            f"| {label(r['shape'])} | {'ok' if r['ok'] else 'WRONG'} ({r['err']:.0e}) |"
            + "".join(f" {t:.1f} |" for t in r["alone"])
            + f" {r['disp']:.1f} | v{r['picked']} (v{r['alone'].index(r['oracle'])}) |"
            f" {r['oracle']:.1f} | {r['disp'] / r['oracle']:.3f} |"
            f" {r['eager']:.1f} | {r['static']:.1f} | {r['disp'] / r['static']:.2f} |"
            f" {r['dynamic']:.1f} | {fmt(r['multi'])} | {r['kernel']:.1f} | {rate:.1f} |"
            f" {percent:.0f}% | {r['eager_kernel']:.1f} | {r['cold']:.1f} |"
            f" {r['table']:.2f} |")
    n = len(rows)
    lines += ["", "geo-mean dispatched/oracle: {:.3f}; dispatched/inductor-static: {:.3f}; "
                  "dispatched/inductor-dynamic: {:.3f} over {} shapes".format(
                      *(math.exp(logs[k] / n) for k in ("oracle", "static", "dynamic")), n)]
    return lines


def label(shape):
    return "x".join(str(size) for size in shape)


def fmt(us):
    """A time in us for a table cell; n/a where the contender failed."""
    return "n/a" if math.isnan(us) else f"{us:.1f}"


def plot(kernel, rows, path):
    """Time per shape for each contender (log scale), as a PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [label(r["shape"]) for r in rows]
    series = {"multikernel (dispatched)": [r["disp"] for r in rows],
              "oracle variant": [r["oracle"] for r in rows]}
    for v in range(kernel.variants):
        series[f"variant {v} alone"] = [r["alone"][v] for r in rows]
    series.update({"torch eager": [r["eager"] for r in rows],
                   "inductor static": [r["static"] for r in rows],
                   "inductor dynamic": [r["dynamic"] for r in rows],
                   "inductor multi-kernel": [r["multi"] for r in rows]})
    figure, axes = plt.subplots(figsize=(12, 5))
    for name, values in series.items():
        style = "-o" if name.startswith("multikernel") else "--."
        axes.plot(range(len(rows)), values, style, label=name,
                  linewidth=2.5 if name.startswith("multikernel") else 1)
    axes.set_xticks(range(len(rows)))
    axes.set_xticklabels(labels, rotation=45, ha="right")
    axes.set_yscale("log")
    axes.set_ylabel("time per call (us, end to end)")
    axes.set_title(f"{kernel.entry} on {torch.cuda.get_device_name()}")
    axes.legend(fontsize=8, ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
