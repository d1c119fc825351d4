"""The fused kernel families of the GPU fusion benchmark and integration
tests: for each, the library the build compiles from bench/gpu/fusion (or
bench/gpu/elementwise for the seed), how to make its arguments (the output
last), the float64 reference, what torch runs for the same result, the bytes
it must move at least, and the tolerance of its check (relative error of the
whole output): float32 results far under 1e-5; bf16 ones by their rounding.

Used by bench/gpu/fusion/bench.py and test/Integration/GPU/Inputs/
check_kernels.py, with the runtime bindings they share (SiteStats,
descriptor); runs on the device machine (torch, no MLIR).
"""

import ctypes
import math

import torch
import torch.nn.functional as F


class SiteStats(ctypes.Structure):
    """MkrtSiteStats (include/multikernel/Runtime/MultiKernelRuntime.h)."""
    _fields_ = [
        ("name", ctypes.c_char_p), ("moduleId", ctypes.c_char_p),
        ("calls", ctypes.c_int64), ("hits", ctypes.c_int64),
        ("misses", ctypes.c_int64), ("benchmarks", ctypes.c_int64),
        ("benchmarkNanos", ctypes.c_int64), ("cachedKeys", ctypes.c_int64),
        ("evictions", ctypes.c_int64), ("tableHits", ctypes.c_int64),
        ("numVariants", ctypes.c_int32), ("keyRank", ctypes.c_int32),
        ("excludedVariants", ctypes.c_uint64),
    ]


class Decision(ctypes.Structure):
    """MkrtDecision (include/multikernel/Runtime/MultiKernelRuntime.h)."""
    _fields_ = [("key", ctypes.c_int64 * 8), ("keyRank", ctypes.c_int32),
                ("variant", ctypes.c_int32), ("source", ctypes.c_int32),
                ("numVariants", ctypes.c_int32), ("variantNanos", ctypes.c_double * 32)]


def site_stats(runtime, site):
    """The statistics of the dispatch site named `site` among the sites of
    every library loaded (the runtime's mkrtGetSiteStats, its argtypes set
    by the caller)."""
    stats, index = SiteStats(), 0
    while runtime.mkrtGetSiteStats(index, ctypes.byref(stats)) == 0:
        if stats.name.decode() == site:
            return stats
        index += 1
    raise LookupError(f"no dispatch site named {site!r} is loaded")


def descriptor(tensor):
    """A memref descriptor (MLIR's C interface) viewing a CUDA tensor; pass
    it by reference."""
    rank = tensor.dim()
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * rank),
              ("strides", ctypes.c_int64 * rank)]
    d = type(f"MemRef{rank}D", (ctypes.Structure,), {"_fields_": fields})()
    d.allocated = d.aligned = tensor.data_ptr()
    for i, (size, stride) in enumerate(zip(tensor.shape, tensor.stride())):
        d.sizes[i], d.strides[i] = size, stride
    return d


def storage(shape, offset, dtype=torch.float32, fill=None, positive=False):
    """A contiguous tensor of `shape` whose data starts `offset` elements into
    its storage (not 16-byte aligned for small offsets: the scalar kernels);
    random normal, uniform in [0, 1) if `positive`, or `fill`."""
    n = math.prod(shape) + offset
    if fill is not None:
        data = torch.full((n,), fill, device="cuda", dtype=dtype)
    elif positive:
        data = torch.rand(n, device="cuda").to(dtype)
    else:
        data = torch.randn(n, device="cuda").to(dtype)
    return data[offset:].view(shape)


class Family:
    def __init__(self, name, library, entry, inputs, reference, torch_fn,
                 bytes_moved, tolerance=1e-5):
        self.name, self.library, self.entry = name, library, entry
        self.inputs, self.reference, self.torch_fn = inputs, reference, torch_fn
        self.bytes_moved, self.tolerance = bytes_moved, tolerance


def _row(shape):
    return (shape[1],)


FAMILIES = {f.name: f for f in [
    Family("seed", "libseed_gpu.so", "seed",
           lambda s, o: (storage(s, o), storage(s, o), storage(s, o, fill=math.nan)),
           lambda a: a[0].double() * 2 + torch.sin(a[1].double()),
           lambda a: a[0] * 2 + torch.sin(a[1]),
           lambda s: 3 * 4 * math.prod(s)),
    Family("softmax_add", "libsoftmax_add_gpu.so", "softmax_add",
           lambda s, o: (storage(s, o), storage(s, o), storage(s, o, fill=math.nan)),
           lambda a: torch.softmax(a[0].double() + a[1].double(), dim=1),
           lambda a: torch.softmax(a[0] + a[1], dim=1),
           lambda s: 3 * 4 * math.prod(s)),
    Family("rowsum_add", "librowsum_add_gpu.so", "rowsum_add",
           lambda s, o: (storage(s, o), storage(s, o), storage(s[:1], o, fill=math.nan)),
           lambda a: (a[0].double() + a[1].double()).sum(dim=1),
           lambda a: (a[0] + a[1]).sum(dim=1),
           lambda s: 2 * 4 * math.prod(s) + 4 * s[0]),
    Family("bias_gelu", "libbias_gelu_gpu.so", "bias_gelu",
           lambda s, o: (storage(s, o), storage(_row(s), o), storage(s, o, fill=math.nan)),
           lambda a: F.gelu(a[0].double() + a[1].double()),
           lambda a: F.gelu(a[0] + a[1]),
           lambda s: 2 * 4 * math.prod(s) + 4 * s[1]),
    Family("layernorm", "liblayernorm_gpu.so", "layernorm",
           lambda s, o: (storage(s, o), storage(_row(s), o), storage(_row(s), o),
                         storage(s, o, fill=math.nan)),
           lambda a: F.layer_norm(a[0].double(), a[0].shape[1:], a[1].double(),
                                  a[2].double(), 1e-5),
           lambda a: F.layer_norm(a[0], a[0].shape[1:], a[1], a[2], 1e-5),
           lambda s: 2 * 4 * math.prod(s) + 8 * s[1]),
    Family("rmsnorm", "librmsnorm_gpu.so", "rmsnorm",
           lambda s, o: (storage(s, o), storage(_row(s), o), storage(s, o, fill=math.nan)),
           lambda a: a[0].double() * torch.rsqrt(a[0].double().pow(2).mean(1, keepdim=True)
                                                 + 1e-6) * a[1].double(),
           lambda a: a[0] * torch.rsqrt(a[0].pow(2).mean(1, keepdim=True) + 1e-6) * a[1],
           lambda s: 2 * 4 * math.prod(s) + 4 * s[1]),
    Family("mean_sq", "libmean_sq_gpu.so", "mean_sq",
           lambda s, o: (storage(s, o), storage(s[:1], o, fill=math.nan)),
           lambda a: a[0].double().pow(2).mean(dim=1),
           lambda a: a[0].pow(2).mean(dim=1),
           lambda s: 4 * math.prod(s) + 4 * s[0]),
    # out[i, j] = x[j, i] + y[i, j]: x is stored transposed.
    Family("transpose_add", "libtranspose_add_gpu.so", "transpose_add",
           lambda s, o: (storage((s[1], s[0]), o), storage(s, o), storage(s, o, fill=math.nan)),
           lambda a: a[0].double().t() + a[1].double(),
           lambda a: a[0].t() + a[1],
           lambda s: 3 * 4 * math.prod(s)),
    # Reductions over the outer loop: the kept loop is contiguous.
    Family("column_sum", "libcolumn_sum_gpu.so", "column_sum",
           lambda s, o: (storage(s, o), storage(s[1:], o, fill=math.nan)),
           lambda a: a[0].double().sum(dim=0),
           lambda a: a[0].sum(dim=0),
           lambda s: 4 * math.prod(s) + 4 * s[1]),
    Family("column_mean_add", "libcolumn_mean_add_gpu.so", "column_mean_add",
           lambda s, o: (storage(s, o), storage(s, o), storage(s[1:], o, fill=math.nan)),
           lambda a: (a[0].double() + a[1].double()).mean(dim=0),
           lambda a: (a[0] + a[1]).mean(dim=0),
           lambda s: 2 * 4 * math.prod(s) + 4 * s[1]),
    # bf16 in and out, the sum over the outer loop in f32 (the IR converts).
    Family("column_mean_bf16", "libcolumn_mean_bf16_gpu.so", "column_mean_bf16",
           lambda s, o: (storage(s, o, torch.bfloat16),
                         storage(s[1:], o, torch.bfloat16, fill=math.nan)),
           lambda a: a[0].double().mean(dim=0),
           lambda a: a[0].float().mean(dim=0).to(torch.bfloat16),
           lambda s: 2 * math.prod(s) + 2 * s[1], tolerance=1e-2),
    # bf16 in and out, computed in f32 (the IR converts).
    Family("softmax_bf16", "libsoftmax_bf16_gpu.so", "softmax_bf16",
           lambda s, o: (storage(s, o, torch.bfloat16),
                         storage(s, o, torch.bfloat16, fill=math.nan)),
           lambda a: torch.softmax(a[0].double(), dim=1),
           lambda a: torch.softmax(a[0].float(), dim=1).to(torch.bfloat16),
           lambda s: 2 * 2 * math.prod(s), tolerance=1e-2),
    # bf16 accumulated in bf16, as the IR says: positive inputs, so that the
    # error is the accumulation's rounding (about log2(n) * 2^-8), not a
    # cancellation.
    Family("rowsum_bf16", "librowsum_bf16_gpu.so", "rowsum_bf16",
           lambda s, o: (storage(s, o, torch.bfloat16, positive=True),
                         storage(s[:1], o, torch.bfloat16, fill=math.nan)),
           lambda a: a[0].double().sum(dim=1),
           lambda a: a[0].sum(dim=1),
           lambda s: 2 * math.prod(s) + 2 * s[0], tolerance=5e-2),
]}
