"""Runs a prebuilt GPU kernel library (test/Integration/GPU/CMakeLists.txt)
over many shapes, on torch's current stream, and checks every result
against torch in float64; prints one line per check for FileCheck.

Usage: check_kernels.py <kernels dir> <kernel> [--table <path> | --all-variants]
                        [--report-library] [--load-table <path>]

Every shape is called twice with fresh inputs: the first call benchmarks
the variants (a miss), the second runs the cached choice (a hit). Outputs
are poisoned with NaN first, except accumulated outputs (row sums and
matmul add into theirs), which start at a known value: benchmarking must not change what the
call computes, so they must have been accumulated into exactly once.

With --all-variants, every variant is checked on every shape (runtime
policy fixed:<i>), not only the one the benchmark picks.

With --report-library, it prints how many of the shapes' decisions picked
a library variant (a matmul site's cuBLASLt variants, named "cublaslt
algorithm <i>" by the compiler) and which variants are excluded.

With --load-table, the decisions in <path> are loaded before the first
call (a table saved on another machine, say).

With --table, the decisions are saved to <path>, the runtime is reset, the
table loaded, and every shape called again: no shape may be benchmarked.
"""

import ctypes
import math
import os
import sys
import time

import torch

# The fused families, shared with the benchmark (bench/gpu/fusion).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "..", "bench", "gpu", "fusion"))
import families  # noqa: E402

MAX_KEY_RANK = 8


SiteStats = families.SiteStats
Decision = families.Decision


def descriptor(tensor):
    """A memref descriptor viewing a CUDA tensor, by reference."""
    return ctypes.byref(families.descriptor(tensor))


def offset_view(shape, offset):
    """A contiguous tensor of `shape` whose data starts `offset` floats into
    its storage: not 16-byte aligned for offsets that are not multiples of
    4, so the kernels must take their scalar path."""
    storage = torch.randn(math.prod(shape) + offset, device="cuda")
    return storage[offset:].view(shape)


ACCUMULATOR_START = 1.5

ROW_SHAPES = [(1, 1), (3, 5), (7, 13), (1, 4099), (257, 33), (512, 256), (1500, 750),
              (4096, 2048), (100000, 96), (96, 100000), (3, 100000), (2, 262147)]
# (M, N, K): sizes 1, primes, skinny and wide, tiles of every variant.
MATMUL_SHAPES = [(1, 1, 1), (3, 5, 7), (17, 33, 65), (128, 128, 128), (257, 129, 513),
                 (1000, 1000, 1000), (1, 4096, 512), (4096, 1, 512), (100000, 96, 96),
                 (96, 100000, 96), (2048, 2048, 2048)]

# (batch, M, N, K).
BATCH_SHAPES = [(1, 1, 1, 1), (3, 5, 7, 9), (2, 67, 131, 600), (12, 77, 77, 64),
                (3, 333, 333, 64), (32, 128, 128, 128), (1, 1024, 1024, 128)]

KERNELS = {
    # name: (library, entry, shapes, unaligned shape,
    #        inputs(shape, offset) -> args, reference(args) -> float64)
    "seed": (
        "libseed_gpu.so", "seed", ROW_SHAPES, (64, 68),
        lambda shape, offset: (offset_view(shape, offset), offset_view(shape, offset),
                               offset_view(shape, offset).fill_(math.nan)),
        lambda a: a[0].double() * 2 + torch.sin(a[1].double())),
    "rowsum": (
        "librowsum_gpu.so", "rowsum", ROW_SHAPES, (64, 68),
        lambda shape, offset: (offset_view(shape, offset),
                               offset_view(shape[:1], offset).fill_(ACCUMULATOR_START)),
        lambda a: ACCUMULATOR_START + a[0].double().sum(dim=1)),
    "softmax": (
        "libsoftmax_gpu.so", "softmax", ROW_SHAPES, (64, 68),
        lambda shape, offset: (offset_view(shape, offset),
                               offset_view(shape, offset).fill_(math.nan)),
        lambda a: torch.softmax(a[0].double(), dim=1)),
    # Column sums accumulated into their output, as the row sums.
    "column_accumulate": (
        "libcolumn_accumulate_gpu.so", "column_accumulate",
        ROW_SHAPES + [(65536, 1), (131072, 48), (1048577, 3)], (64, 68),
        lambda shape, offset: (offset_view(shape, offset),
                               offset_view(shape[1:], offset).fill_(ACCUMULATOR_START)),
        lambda a: ACCUMULATOR_START + a[0].double().sum(dim=0)),
    # C += A * B: C starts at a known value, as the row sums.
    "matmul": (
        "libmatmul_gpu.so", "matmul", MATMUL_SHAPES, (64, 68, 36),
        lambda shape, offset: (offset_view((shape[0], shape[2]), offset),
                               offset_view((shape[2], shape[1]), offset),
                               offset_view(shape[:2], offset).fill_(ACCUMULATOR_START)),
        lambda a: ACCUMULATOR_START + a[0].double() @ a[1].double()),
    # Contractions beyond linalg.matmul, C accumulated into as matmul's.
    "bmm": (
        "libbmm_gpu.so", "bmm", BATCH_SHAPES, (3, 64, 68, 36),
        lambda shape, offset: (offset_view((shape[0], shape[1], shape[3]), offset),
                               offset_view((shape[0], shape[3], shape[2]), offset),
                               offset_view(shape[:3], offset).fill_(ACCUMULATOR_START)),
        lambda a: ACCUMULATOR_START + a[0].double() @ a[1].double()),
    "scores": (
        "libscores_gpu.so", "scores", BATCH_SHAPES, (3, 64, 68, 36),
        lambda shape, offset: (offset_view((shape[0], shape[1], shape[3]), offset),
                               offset_view((shape[0], shape[2], shape[3]), offset),
                               offset_view(shape[:3], offset).fill_(ACCUMULATOR_START)),
        lambda a: ACCUMULATOR_START + a[0].double() @ a[1].double().transpose(1, 2)),
    "matmul_bt": (
        "libmatmul_bt_gpu.so", "matmul_bt", MATMUL_SHAPES[:7], (64, 68, 36),
        lambda shape, offset: (offset_view((shape[0], shape[2]), offset),
                               offset_view((shape[1], shape[2]), offset),
                               offset_view(shape[:2], offset).fill_(ACCUMULATOR_START)),
        lambda a: ACCUMULATOR_START + a[0].double() @ a[1].double().T),
    "matmul_bf16": (
        "libmatmul_bf16_gpu.so", "matmul_bf16", MATMUL_SHAPES[:7], (64, 68, 36),
        lambda shape, offset: (torch.randn(shape[0], shape[2], device="cuda").bfloat16(),
                               torch.randn(shape[2], shape[1], device="cuda").bfloat16(),
                               offset_view(shape[:2], offset).fill_(ACCUMULATOR_START)),
        lambda a: ACCUMULATOR_START + a[0].double() @ a[1].double()),
    # out[b, i, j] = x[b, j, i] * 2 + y[b, i, j] in bf16.
    "transpose3_bf16": (
        "libtranspose3_bf16_gpu.so", "transpose3_bf16", [
            (1, 1, 1), (3, 5, 7), (2, 67, 131), (12, 77, 64), (1, 1, 4099), (3, 1000, 33), (2, 2048, 1024), (7, 4099, 1), (2, 65, 100000)],
        (3, 64, 68),
        lambda shape, offset: (
            offset_view((shape[0], shape[2], shape[1]), offset).bfloat16(),
            offset_view(shape, offset).bfloat16(),
            torch.full(shape, math.nan, device="cuda").bfloat16()),
        lambda a: (a[0].double().transpose(1, 2) * 2 + a[1].double()).bfloat16().double()),
}
# bf16 results: one rounding of the sum.
TOLERANCE = {"transpose3_bf16": 1e-2}


# The fused families: the row shapes, one column and a skinny one.
FAMILY_SHAPES = ROW_SHAPES + [(65536, 1), (131072, 48)]
for _family in families.FAMILIES.values():
    if _family.name in KERNELS:
        continue
    KERNELS[_family.name] = (_family.library, _family.entry, FAMILY_SHAPES, (64, 68),
                             _family.inputs, _family.reference)
    TOLERANCE[_family.name] = _family.tolerance


def main():
    argv = list(sys.argv)
    report_library = "--report-library" in argv
    if report_library:
        argv.remove("--report-library")
    preload = None
    if "--load-table" in argv:
        at = argv.index("--load-table")
        preload = argv[at + 1]
        del argv[at:at + 2]
    kernels_dir, name = argv[1], argv[2]
    table = argv[4] if len(argv) > 4 and argv[3] == "--table" else None
    all_variants = len(argv) > 3 and argv[3] == "--all-variants"
    library_name, entry_name, shapes, unaligned_shape, make_inputs, reference = KERNELS[name]
    runtime = ctypes.CDLL(os.path.join(kernels_dir, "libmultikernel_runtime.so.0"),
                          mode=ctypes.RTLD_GLOBAL)
    runtime.mkrtGpuSetStream.argtypes = [ctypes.c_void_p]
    runtime.mkrtGetDeviceName.restype = ctypes.c_char_p
    runtime.mkrtGetSiteStats.argtypes = [ctypes.c_int64, ctypes.POINTER(SiteStats)]
    runtime.mkrtSaveTable.argtypes = runtime.mkrtLoadTable.argtypes = [ctypes.c_char_p]
    runtime.mkrtSetPolicy.argtypes = [ctypes.c_char_p]
    library = ctypes.CDLL(os.path.join(kernels_dir, library_name))
    entry = getattr(library, "_mlir_ciface_" + entry_name)
    entry.restype = None
    torch.manual_seed(0)
    print("device:", runtime.mkrtGetDeviceName(1).decode())
    if preload and runtime.mkrtLoadTable(preload.encode()) != 0:
        print("FAILED to load the dispatch table")
        return 1

    failures = 0

    def check(label, shape, offset=0):
        nonlocal failures
        args = make_inputs(shape, offset)
        # The caller's stream, as from PyTorch; nothing synchronizes before
        # the comparison below reads the output on the same stream.
        runtime.mkrtGpuSetStream(ctypes.c_void_p(torch.cuda.current_stream().cuda_stream))
        entry(*[descriptor(t) for t in args])
        expected, out = reference(args), args[-1].double()
        error = ((out - expected).norm() / expected.norm()).item()
        ok = not torch.isnan(out).any().item() and error < TOLERANCE.get(name, 1e-5)
        failures += not ok
        print(f"{name} {'x'.join(map(str, shape))} {label}: "
              f"{'ok' if ok else f'WRONG (relative error {error:.2e})'}")

    def stats():
        s = SiteStats()
        runtime.mkrtGetSiteStats(0, ctypes.byref(s))
        return s

    if all_variants:
        check("warm-up", shapes[0])
        for variant in range(stats().numVariants):
            runtime.mkrtReset()
            runtime.mkrtSetPolicy(f"fixed:{variant}".encode())
            for shape in shapes:
                check(f"variant {variant}", shape)
            check(f"variant {variant} unaligned", unaligned_shape, offset=1)
        print(f"{name}: {failures} failures")
        return 1 if failures else 0

    for shape in shapes:
        check("miss", shape)
        check("hit", shape)
    check("unaligned miss", unaligned_shape, offset=1)
    check("unaligned hit", unaligned_shape, offset=1)
    s = stats()
    print(f"stats: calls={s.calls} misses={s.misses} benchmarks={s.benchmarks} "
          f"hits={s.hits} excluded={s.excludedVariants}")
    if report_library:
        runtime.mkrtGetVariantName.restype = ctypes.c_char_p
        names = [runtime.mkrtGetVariantName(ctypes.c_int64(0), ctypes.c_int32(v)).decode()
                 for v in range(s.numVariants)]
        library = [v for v, n in enumerate(names) if n.startswith("cublaslt")]
        decisions = (Decision * 64)()
        count = runtime.mkrtGetSiteDecisions(ctypes.c_int64(0), decisions,
                                             ctypes.c_int64(64))
        won = sum(1 for d in decisions[:count] if d.variant in library)
        excluded = [v for v in range(s.numVariants) if s.excludedVariants >> v & 1]
        print(f"variants: {', '.join(names)}")
        print(f"library variants won {won} of {count} shapes; excluded: "
              f"{'library variants' if library and excluded == library else excluded or 'none'}")

    if table:
        if runtime.mkrtSaveTable(table.encode()) != 0:
            print("FAILED to save the dispatch table")
            return 1
        runtime.mkrtReset()
        if runtime.mkrtLoadTable(table.encode()) != 0:
            print("FAILED to load the dispatch table")
            return 1
        for shape in shapes:
            torch.cuda.synchronize()
            start = time.perf_counter()
            check("from the table", shape)
            torch.cuda.synchronize()
            print(f"  first call with the table: {(time.perf_counter() - start) * 1e3:.2f} ms")
        s = stats()
        print(f"table stats: calls={s.calls} benchmarks={s.benchmarks} "
              f"tableHits={s.tableHits}")
    print(f"{name}: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
