"""The frontend models here (export_jax.py), their float64 references in
numpy and how to call them: shared by the CPU test
(python/tests/test_frontend.py) and the GPU one
(test/Integration/GPU/Inputs/check_frontend.py)."""

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FEATURES = 512
# The batch sizes the models are compiled for (the only dynamic size).
HINTS = [[64], [4096], [65536]]
# Batches: one row, primes, near and far from every hint.
BATCHES = [1, 2, 7, 64, 333, 4096, 5000, 65536, 100003]


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))


def _layernorm(x, gamma, beta):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * gamma + beta


def _rmsnorm(x, gamma):
    return x / np.sqrt((x * x).mean(axis=-1, keepdims=True) + 1e-6) * gamma


def _block(x, gamma, beta, bias):
    h = _gelu_tanh(_layernorm(x, gamma, beta) + bias) + x
    return _rmsnorm(h, gamma)


def _mlp(x, w1, b1, w2, b2):
    return _gelu_tanh(x @ w1 + b1) @ w2 + b2


MODELS = {
    # name: (argument shapes given the batch, reference, relative tolerance)
    "layernorm": (lambda b: [(b, FEATURES), (FEATURES,), (FEATURES,)], _layernorm, 1e-5),
    "rmsnorm": (lambda b: [(b, FEATURES), (FEATURES,)], _rmsnorm, 1e-5),
    "bias_gelu_residual": (lambda b: [(b, FEATURES), (FEATURES,)],
                           lambda x, bias: _gelu_tanh(x + bias) + x, 1e-5),
    "column_sum": (lambda b: [(b, FEATURES)], lambda x: x.sum(axis=0), 1e-5),
    "block": (lambda b: [(b, FEATURES), (FEATURES,), (FEATURES,), (FEATURES,)],
              _block, 1e-5),
    "mlp": (lambda b: [(b, FEATURES), (FEATURES, 4 * FEATURES), (4 * FEATURES,),
                       (4 * FEATURES, FEATURES), (FEATURES,)], _mlp, 1e-5),
    # bf16 in and out, means and sums in f32, the rest rounded to bf16 as
    # JAX computes it: against float64, errors of a few bf16 roundings.
    "layernorm_bf16": (lambda b: [(b, FEATURES), (FEATURES,), (FEATURES,)], _layernorm, 1e-2),
    "bias_gelu_residual_bf16": (lambda b: [(b, FEATURES), (FEATURES,)],
                                lambda x, bias: _gelu_tanh(x + bias) + x, 1e-2),
}
# The element type of each model's arguments and result (else f32).
ELEMENT = {"layernorm_bf16": "bf16", "bias_gelu_residual_bf16": "bf16"}
# The models the CPU test runs at every batch but the largest; the others
# (the MLP's matmuls: 4 GFLOP per 1000 rows) only up to this many rows.
CPU_MAX_BATCH = {"mlp": 333}


def use_kit_runtime(kernels):
    """Points the Python package at the runtime beside prebuilt kernels (the
    GPU test kit's): the package finds it under $MULTIKERNEL_PREFIX/lib, and
    the kernels' own copy is the one they load (same soname: one runtime in
    the process). Call it before importing multikernel."""
    import os
    import tempfile

    prefix = Path(tempfile.mkdtemp())
    (prefix / "lib").mkdir()
    (prefix / "lib" / "libmultikernel_runtime.so").symlink_to(
        Path(kernels).resolve() / "libmultikernel_runtime.so.0")
    os.environ["MULTIKERNEL_PREFIX"] = str(prefix)


def source(name):
    return HERE / f"{name}.mlir"


def signature(name):
    """The exported function's signature (the device has no MLIR to parse it)."""
    from multikernel.ir import FunctionSignature

    element = ELEMENT.get(name, "f32")
    shapes = MODELS[name][0](None)
    inputs = [f"tensor<{'x'.join('?' if d is None else str(d) for d in shape)}x{element}>"
              for shape in shapes]
    result = f"tensor<512x{element}>" if name == "column_sum" else f"tensor<?x512x{element}>"
    return FunctionSignature("main", inputs, [result], True)


def relative_error(result, reference):
    scale = np.linalg.norm(reference)
    return np.linalg.norm(result - reference) / (scale if scale else 1.0)
