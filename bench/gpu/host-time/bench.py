"""Host time per call on a tiny tensor (launch-bound), on the device machine.

Every contender computes x * 2 + sin(y) on 64x64 float32 CUDA tensors (or
launches an empty kernel, the floor), `CALLS` times back to back on torch's
current stream with one synchronize at the end; the time per call is the
wall time over the calls, median of `REPEATS` runs. The GPU work per call is
about 2 us, so the CPU side (what a call costs the caller) is what is
measured.

Usage: bench.py <dir with the libraries> [<table.md>]
"""

import ctypes
import os
import statistics
import sys
import time

import torch
import triton
import triton.language as tl

CALLS = 2000
REPEATS = 7
SHAPE = (64, 64)


class MemRef2D(ctypes.Structure):
    _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * 2),
                ("strides", ctypes.c_int64 * 2)]


def descriptor(tensor):
    d = MemRef2D()
    d.allocated = d.aligned = tensor.data_ptr()
    d.sizes[0], d.sizes[1] = tensor.shape
    d.strides[0], d.strides[1] = tensor.stride()
    return ctypes.byref(d)


@triton.autotune(configs=[triton.Config({"BLOCK": 1024}, num_warps=4),
                          triton.Config({"BLOCK": 4096}, num_warps=8)], key=["n"])
@triton.jit
def seed_kernel(x, y, out, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    a = tl.load(x + offsets, mask=mask)
    b = tl.load(y + offsets, mask=mask)
    tl.store(out + offsets, a * 2 + tl.sin(b), mask=mask)


def per_call_us(fn, calls=CALLS, loops_inside=False):
    """Median over REPEATS of wall time per call; `fn(calls)` makes all the
    calls itself when loops_inside (a C++ loop), else it is called per call."""
    def run():
        if loops_inside:
            fn(calls)
        else:
            for _ in range(calls):
                fn()
        torch.cuda.synchronize()
    run()  # warm-up: compiles, benchmarks, fills caches
    samples = []
    for _ in range(REPEATS):
        torch.cuda.synchronize()
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(samples)


def main():
    here = sys.argv[1]
    table_path = sys.argv[2] if len(sys.argv) > 2 else None
    runtime = ctypes.CDLL(os.path.join(here, "libmultikernel_runtime.so.0"),
                          mode=ctypes.RTLD_GLOBAL)
    runtime.mkrtGpuSetStream.argtypes = [ctypes.c_void_p]
    runtime.mkrtGetDeviceName.restype = ctypes.c_char_p
    seed_library = ctypes.CDLL(os.path.join(here, "libseed_gpu.so"))
    cpp = ctypes.CDLL(os.path.join(here, "libhost_time.so"))
    cpp.seedLoop.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_int64] * 3
    cpp.loadEmptyKernel.argtypes = [ctypes.c_char_p]
    cpp.emptyLoop.argtypes = [ctypes.c_int64]
    entry = seed_library._mlir_ciface_seed
    entry.restype = None

    runtime.mkrtGpuSetStream(ctypes.c_void_p(torch.cuda.current_stream().cuda_stream))
    if cpp.loadEmptyKernel(os.path.join(here, "empty.cubin").encode()) != 0:
        print("cannot load the empty kernel")
        return 1
    device = runtime.mkrtGetDeviceName(1).decode()

    x, y = torch.randn(SHAPE, device="cuda"), torch.randn(SHAPE, device="cuda")
    out = torch.empty(SHAPE, device="cuda")
    expected = x.double() * 2 + torch.sin(y.double())

    def check(label):
        error = ((out.double() - expected).norm() / expected.norm()).item()
        if not error < 1e-5:
            raise SystemExit(f"{label}: wrong result (relative error {error:.1e})")
        out.fill_(float("nan"))

    fn = lambda a, b: a * 2 + torch.sin(b)
    static = torch.compile(fn, dynamic=False)
    dynamic = torch.compile(fn, dynamic=True)
    n = x.numel()
    grid = lambda meta: (triton.cdiv(n, meta["BLOCK"]),)
    prebuilt = [descriptor(t) for t in (x, y, out)]

    rows = []

    def measure(label, call, loops_inside=False):
        out.fill_(float("nan"))
        us = per_call_us(call, loops_inside=loops_inside)
        rows.append((label, us))
        print(f"{label}: {us:.2f} us", flush=True)

    measure("multikernel, C++ (compiled library called from a C++ loop)",
            lambda calls: cpp.seedLoop(x.data_ptr(), y.data_ptr(), out.data_ptr(),
                                       SHAPE[0], SHAPE[1], calls), loops_inside=True)
    check("C++")
    measure("multikernel, Python ctypes, descriptors built once",
            lambda: entry(*prebuilt))
    check("ctypes prebuilt")
    measure("multikernel, Python ctypes, descriptors built per call",
            lambda: entry(*[descriptor(t) for t in (x, y, out)]))
    check("ctypes per call")
    measure("torch eager (3 kernels)", lambda: torch.add(x * 2, torch.sin(y), out=out))
    check("eager")
    measure("Inductor static (dynamic=False)", lambda: out.copy_(static(x, y)))
    measure("Inductor static, result not copied", lambda: static(x, y))
    measure("Inductor dynamic (dynamic=True)", lambda: dynamic(x, y))
    measure("Triton @autotune kernel, cache hit",
            lambda: seed_kernel[grid](x, y, out, n))
    check("triton")
    measure("empty kernel launch from C++ (floor)", lambda calls: cpp.emptyLoop(calls),
            loops_inside=True)
    measure("empty kernel launch from Python ctypes (floor)", lambda: cpp.launchEmpty())

    lines = [f"device: {device}; torch {torch.__version__}, triton {triton.__version__}; "
             f"{SHAPE[0]}x{SHAPE[1]} float32, {CALLS} calls back to back, "
             f"median of {REPEATS}", "",
             "| contender | host us per call |", "|---|---|"]
    lines += [f"| {label} | {us:.2f} |" for label, us in rows]
    text = "\n".join(lines)
    print()
    print(text)
    if table_path:
        with open(table_path, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
