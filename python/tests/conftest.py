import os
from pathlib import Path

import pytest

KERNELS = Path(__file__).resolve().parents[2] / "test" / "Integration" / "CPU" / "kernels.mlir"


@pytest.fixture(scope="session")
def kernels_path():
    return KERNELS


@pytest.fixture(scope="session", autouse=True)
def fast_benchmarks(tmp_path_factory):
    # A private compile cache and a small benchmark budget keep tests quick.
    os.environ.setdefault("MULTIKERNEL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    import multikernel

    multikernel.runtime.set_benchmark_budget_ms(1)
