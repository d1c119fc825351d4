"""On the device: what the runtime's first-call benchmark measured for each
variant of a family at the given shapes (MULTIKERNEL_LOG's line), beside
each variant's time by CUDA graph replay (warm caches, as bench.py times
it) and by events after a 64 MiB write (cold L2, as the runtime times it).
A shape whose benchmark picks another variant than the replay's fastest
shows which of the two measurements misleads.

Usage: python3 bench/gpu/fusion/log_decisions.py <kernels dir> <family> <MxN>...
"""

import ctypes
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families  # noqa: E402
from bench import replay_us  # noqa: E402


def cold_us(call, repeats=20):
    flush = torch.empty(16 * 2**20, device="cuda")
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    samples = []
    for _ in range(repeats):
        flush.zero_()
        start.record()
        call()
        stop.record()
        stop.synchronize()
        samples.append(start.elapsed_time(stop) * 1e3)
    samples.sort()
    return samples[len(samples) // 2]


def main():
    kernels_dir, name = sys.argv[1], sys.argv[2]
    shapes = [tuple(int(s) for s in text.split("x")) for text in sys.argv[3:]]
    runtime = ctypes.CDLL(os.path.join(kernels_dir, "libmultikernel_runtime.so.0"),
                          mode=ctypes.RTLD_GLOBAL)
    runtime.mkrtGpuSetStream.argtypes = [ctypes.c_void_p]
    runtime.mkrtSetPolicy.argtypes = [ctypes.c_char_p]
    runtime.mkrtSetLogging.argtypes = [ctypes.c_int32]
    runtime.mkrtGetSiteStats.argtypes = [ctypes.c_int64,
                                         ctypes.POINTER(families.SiteStats)]
    family = families.FAMILIES[name]
    library = ctypes.CDLL(os.path.join(kernels_dir, family.library))
    entry = getattr(library, "_mlir_ciface_" + family.entry)
    entry.restype = None
    for shape in shapes:
        args = family.inputs(shape, 0)
        pointers = [ctypes.byref(families.descriptor(t)) for t in args]

        def call():
            runtime.mkrtGpuSetStream(
                ctypes.c_void_p(torch.cuda.current_stream().cuda_stream))
            entry(*pointers)

        runtime.mkrtReset()
        runtime.mkrtSetPolicy(b"benchmark")
        runtime.mkrtSetLogging(1)
        call()  # the benchmark, logged on stderr
        torch.cuda.synchronize()
        runtime.mkrtSetLogging(0)
        stats = families.site_stats(runtime, family.entry + "_0")
        line = []
        for variant in range(stats.numVariants):
            runtime.mkrtReset()
            runtime.mkrtSetPolicy(f"fixed:{variant}".encode())
            line.append(f"v{variant} replay {replay_us(call):.1f} cold {cold_us(call):.1f}")
        print(f"{name} {shape[0]}x{shape[1]}: " + " | ".join(line), flush=True)
        runtime.mkrtReset()
        runtime.mkrtSetPolicy(b"benchmark")


if __name__ == "__main__":
    main()
