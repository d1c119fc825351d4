"""Calls a CUDA library's cuBLASLt variant on the CPU: the fake CUDA driver
(device memory is host memory) and the fake cuBLASLt (which computes in
host memory, column-major as cuBLASLt does) stand in for the GPU, so the
whole path (the variant's generated call, the runtime's row-major to
column-major mapping, the library) is checked against numpy without one.

Usage: check_cublaslt_fake.py <library.so> <function> <runtime dir> <variant>
       <operand shapes, as AxB,CxD,ExF> [transposed-b] [c-equals-ab]
(c-equals-ab: the function computes C = A B, so C starts as NaNs, which
must not reach the result.)
The runtime policy must be fixed:<variant> (MULTIKERNEL_POLICY), and the
fake libraries named by MULTIKERNEL_CUDA_LIBRARY and
MULTIKERNEL_CUBLASLT_LIBRARY."""

import ctypes
import os
import sys

import numpy as np


def descriptor(array):
    rank = array.ndim

    class Descriptor(ctypes.Structure):
        _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                    ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * rank),
                    ("strides", ctypes.c_int64 * rank)]

    pointer = array.ctypes.data
    return Descriptor(pointer, pointer, 0, (ctypes.c_int64 * rank)(*array.shape),
                      (ctypes.c_int64 * rank)(*[s // array.itemsize for s in array.strides]))


def main():
    library, function, runtime_dir = sys.argv[1:4]
    shapes = [tuple(int(x) for x in s.split("x")) for s in sys.argv[5].split(",")]
    flags = set(sys.argv[6:])
    transposed_b = "transposed-b" in flags
    c_equals_ab = "c-equals-ab" in flags
    ctypes.CDLL(os.path.join(runtime_dir, "libmultikernel_runtime.so"), mode=ctypes.RTLD_GLOBAL)
    lib = ctypes.CDLL(library)
    entry = getattr(lib, "_mlir_ciface_" + function)
    entry.restype = None
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal(shape).astype(np.float32) for shape in shapes)
    if c_equals_ab:
        c[...] = np.nan
    start = np.zeros_like(c) if c_equals_ab else c.copy()
    descriptors = [descriptor(x) for x in (a, b, c)]
    entry(*[ctypes.byref(d) for d in descriptors])
    bt = np.swapaxes(b, -1, -2) if transposed_b else b
    expected = start.astype(np.float64) + np.matmul(a.astype(np.float64), bt.astype(np.float64))
    error = np.abs(c - expected).max() / np.abs(expected).max()
    if np.isnan(error):
        error = np.inf
    print(f"{function} {sys.argv[5]}: {'ok' if error < 1e-5 else f'WRONG ({error:.2e})'}")


if __name__ == "__main__":
    main()
