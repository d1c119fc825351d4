"""The GPU's contractions beyond linalg.matmul (test/Integration/GPU/Inputs:
bmm, scores, matmul_bt, matmul_bf16, as the GPU test kit compiles them)
against torch (cuBLAS; fp32 without TF32, torch's default) on a few
shapes. Time per call from CUDA events over 20 back-to-back calls, best of
5 (host launch cost included on both sides). Prints a markdown table.

Usage on the device: python3 bench/gpu/matmul/contractions.py <kit kernels dir>"""

import ctypes
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fusion"))
import families  # noqa: E402

kit = sys.argv[1]
rt = ctypes.CDLL(os.path.join(kit, "libmultikernel_runtime.so.0"), mode=ctypes.RTLD_GLOBAL)
rt.mkrtGpuSetStream.argtypes = [ctypes.c_void_p]
def desc(t): return ctypes.byref(families.descriptor(t))
def timeit(fn, n=20):
    fn(); torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    best = 1e30
    for _ in range(5):
        s.record()
        for _ in range(n): fn()
        e.record(); torch.cuda.synchronize()
        best = min(best, s.elapsed_time(e) / n)
    return best * 1e3
print("| kernel | shape | ours us | torch us | torch/ours |")
print("|---|---|---|---|---|")
for name, shapes in [("bmm", [(12, 777, 777, 64), (32, 512, 512, 128), (3, 333, 333, 64)]),
                     ("scores", [(12, 777, 777, 64), (32, 512, 512, 128), (3, 333, 333, 64)]),
                     ("matmul_bt", [(1024, 1024, 1024), (4096, 4096, 4096)]),
                     ("matmul_bf16", [(1024, 1024, 1024), (4096, 4096, 4096)])]:
    lib = ctypes.CDLL(os.path.join(kit, f"lib{name}_gpu.so"))
    f = getattr(lib, "_mlir_ciface_" + name); f.restype = None
    for shape in shapes:
        rt.mkrtGpuSetStream(ctypes.c_void_p(torch.cuda.current_stream().cuda_stream))
        if len(shape) == 4:
            b, m, n, k = shape
            a = torch.randn(b, m, k, device="cuda")
            bb = torch.randn(b, n, k, device="cuda") if name == "scores" else torch.randn(b, k, n, device="cuda")
            c = torch.zeros(b, m, n, device="cuda")
            ref = (lambda: torch.bmm(a, bb.transpose(1, 2))) if name == "scores" else (lambda: torch.bmm(a, bb))
        else:
            m, n, k = shape
            dt = torch.bfloat16 if name == "matmul_bf16" else torch.float32
            a = torch.randn(m, k, device="cuda").to(dt)
            bb = torch.randn(n, k, device="cuda") if name == "matmul_bt" else torch.randn(k, n, device="cuda").to(dt)
            c = torch.zeros(m, n, device="cuda")
            ref = (lambda: a @ bb.T) if name == "matmul_bt" else (lambda: (a @ bb))
        args = [desc(a), desc(bb), desc(c)]
        ours = timeit(lambda: f(*args))
        theirs = timeit(ref)
        print(f"| {name} | {'x'.join(map(str, shape))} | {ours:.1f} | {theirs:.1f} | {theirs / ours:.2f} |")
