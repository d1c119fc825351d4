"""Linalg from a real frontend (JAX models exported with a symbolic batch and
converted by IREE's input pipeline: test/Integration/Inputs/frontend),
compiled for the CPU and checked against float64 references over batches
from one row to far beyond every hint. The bf16 models take and return
numpy arrays of ml_dtypes' bfloat16 (JAX's)."""

import sys
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

import multikernel

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "test" / "Integration"
                       / "Inputs" / "frontend"))
import models  # noqa: E402


@pytest.mark.parametrize("name", sorted(models.MODELS))
def test_frontend_model_on_the_cpu(name):
    shapes, reference, tolerance = models.MODELS[name]
    module = multikernel.compile(models.source(name), hints=models.HINTS)
    rng = np.random.default_rng(7)
    dtype = ml_dtypes.bfloat16 if models.ELEMENT.get(name) == "bf16" else np.float32
    most = models.CPU_MAX_BATCH.get(name, models.BATCHES[-2])
    for batch in [b for b in models.BATCHES if b <= most]:  # 100003: the GPU's
        args = [rng.standard_normal(shape).astype(dtype) for shape in shapes(batch)]
        result = module.main(*args)
        assert result.dtype == dtype
        expected = reference(*[a.astype(np.float64) for a in args])
        assert result.shape == expected.shape
        error = models.relative_error(result, expected)
        assert error < tolerance, f"{name} batch {batch}: relative error {error:.1e}"
