"""multikernel: dynamic-shape kernels compiled once per size hint, with the
fastest variant chosen per shape at run time.

    import multikernel
    module = multikernel.compile("kernels.mlir", hints=[[1024, 512], [4096, 2048]])
    out = module.seed(x, y)                 # numpy arrays, any shape
    deployed = multikernel.load("libkernels.so")  # a built library alone
    print(multikernel.runtime.stats())

Lower level: multikernel.ir.parse(text).run_pipeline("builtin.module(...)").
"""

from . import ir, runtime
from .compiler import CompiledModule, Function, compile, load, tune
from .errors import CompileError, CompileWarning, MLIRError

__all__ = [
    "CompiledModule",
    "CompileError",
    "CompileWarning",
    "Function",
    "MLIRError",
    "compile",
    "load",
    "ir",
    "runtime",
    "tune",
]
