"""Runs one family at one shape a few times, ours (the variant the runtime
picks, or `fixed:i`) and Inductor compiled for the shape, so that a
profiler (ncu) can compare their kernels:

  ncu --clock-control none -k 'regex:_v[0-9]|triton' --section ... \
      python3 bench/gpu/fusion/profile_family.py KERNELS FAMILY 4096x2048 [POLICY]

Prints each side's time by CUDA-graph replay. Runs on the device machine.
"""

import ctypes
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families  # noqa: E402
from bench import replay_us  # noqa: E402


def main():
    kernels_dir, name, shape_text = sys.argv[1:4]
    policy = sys.argv[4] if len(sys.argv) > 4 else "benchmark"
    shape = tuple(int(s) for s in shape_text.split("x"))
    runtime = ctypes.CDLL(os.path.join(kernels_dir, "libmultikernel_runtime.so.0"),
                          mode=ctypes.RTLD_GLOBAL)
    runtime.mkrtGpuSetStream.argtypes = [ctypes.c_void_p]
    runtime.mkrtSetPolicy.argtypes = [ctypes.c_char_p]
    runtime.mkrtSetPolicy(policy.encode())
    family = families.FAMILIES[name]
    library = ctypes.CDLL(os.path.join(kernels_dir, family.library))
    entry = getattr(library, "_mlir_ciface_" + family.entry)
    entry.restype = None
    torch.manual_seed(0)
    args = family.inputs(shape, 0)
    pointers = [ctypes.byref(d) for d in [families.descriptor(t) for t in args]]

    def ours():
        runtime.mkrtGpuSetStream(
            ctypes.c_void_p(torch.cuda.current_stream().cuda_stream))
        entry(*pointers)

    ours()
    ours()
    torch.cuda.synchronize()
    expected = family.reference(args)
    error = ((args[-1].double() - expected).norm() / expected.norm()).item()
    static = torch.compile(lambda *a: family.torch_fn(a), dynamic=False)
    static(*args[:-1])
    torch.cuda.synchronize()
    print(f"{name} {shape_text} ({policy}): error {error:.1e}, ours "
          f"{replay_us(ours, 5):.1f} us, inductor {replay_us(lambda: static(*args[:-1]), 5):.1f} us",
          flush=True)


if __name__ == "__main__":
    main()
