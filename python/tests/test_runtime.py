import numpy as np
import pytest

import multikernel
from multikernel import runtime

HINTS = [[1024, 512], [4096, 2048]]


@pytest.fixture
def kernels(kernels_path):
    runtime.reset()
    runtime.set_policy("benchmark")
    runtime.set_key_bucketing("exact")
    return multikernel.compile(kernels_path, hints=HINTS)


def site(name):
    # The site of that name these tests called (each loaded library has its
    # own sites, and other tests load modules with sites of the same name;
    # the fixture's reset zeroes their statistics).
    return max((s for s in runtime.stats() if s["site"] == name),
               key=lambda s: s["calls"])


def test_stats_show_one_benchmark_per_shape(kernels):
    x = np.ones((50, 60), np.float32)
    for _ in range(3):
        kernels.seed(x, x)
    stats = site("seed_0")
    assert (stats["calls"], stats["hits"], stats["misses"], stats["benchmarks"]) == (3, 2, 1, 1)
    [decision] = stats["decisions"]
    assert decision["key"] == (50, 60)
    assert decision["source"] == "benchmark"
    assert all(t is not None and t > 0 for t in decision["variant_us"])


def test_policies_and_bucketing(kernels):
    runtime.set_policy("nearest-hint")
    runtime.set_key_bucketing("pow2")
    x = np.ones((600, 300), np.float32)
    kernels.seed(x, x)
    kernels.seed(np.ones((1000, 500), np.float32), np.ones((1000, 500), np.float32))
    stats = site("seed_0")
    assert stats["benchmarks"] == 0
    assert [d["key"] for d in stats["decisions"]] == [(1024, 512)]
    with pytest.raises(ValueError):
        runtime.set_policy("fastest")
    with pytest.raises(ValueError):
        runtime.set_key_bucketing("pow3")


def test_amortized_policy_decides_over_calls(kernels):
    """Each call of a new shape runs one variant (a correct result every
    time) until every variant has three timed runs (two for those over
    1.5x the fastest); the next call decides."""
    runtime.set_policy("amortized")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((700, 9)).astype(np.float32)
    y = rng.standard_normal((700, 9)).astype(np.float32)
    expected = 2.0 * x.astype(np.float64) + np.sin(y.astype(np.float64))
    calls = 0
    while not (site("seed_0") or {}).get("cached_keys"):
        out = kernels.seed(x, y)
        calls += 1
        assert np.abs(out - expected).max() < 1e-5
        assert calls <= 10
    stats = site("seed_0")
    variants = stats["variants"]
    assert 2 * variants + 1 <= calls <= 3 * variants + 1
    assert stats["misses"] == calls and stats["benchmarks"] == 1
    assert stats["benchmark_ms"] == 0
    kernels.seed(x, y)
    assert site("seed_0")["hits"] == 1


def test_statistics_name_the_variants(kernels):
    """What each variant is comes from the compiler: its hint."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((700, 9)).astype(np.float32)
    kernels.seed(x, x)
    stats = site("seed_0")
    assert stats["variant_names"] == ["hint " + "x".join(map(str, hint)) for hint in HINTS]
    decision = stats["decisions"][0]
    assert decision["variant_name"] == stats["variant_names"][decision["variant"]]


def test_share_decisions_follower_runs_the_leaders_pick(kernels, tmp_path, monkeypatch):
    """A follower takes the decision the leader published (here written
    by hand, variant 0) instead of benchmarking; a leader publishes its
    own."""
    table = tmp_path / "shared.table"
    device = runtime.device_name("cpu")
    rng = np.random.default_rng(6)
    x = rng.standard_normal((33, 17)).astype(np.float32)
    kernels.seed(x, x)  # learns the module's identity
    site_module = site("seed_0")["module"]
    table.write_text("multikernel-dispatch-table 1\n"
                     f"{device}\t{site_module}\tseed_0\t40x9\t0\t2\n")
    try:
        runtime.share_decisions(table, leader=False, timeout_ms=2000)
        y = rng.standard_normal((40, 9)).astype(np.float32)
        out = kernels.seed(y, y)
        assert np.abs(out - (2.0 * y + np.sin(y))).max() < 1e-5
        stats = site("seed_0")
        decision = [d for d in stats["decisions"] if d["key"] == (40, 9)][0]
        assert decision["variant"] == 0 and decision["source"] == "table"
        assert stats["benchmarks"] == 1  # the first shape only

        runtime.share_decisions(table, leader=True)
        kernels.seed(x[:5], x[:5])
        assert "seed_0\t5x17\t" in table.read_text()
    finally:
        runtime.stop_sharing_decisions()
    with pytest.raises(ValueError, match="timeout_ms must be positive"):
        runtime.share_decisions(table, leader=True, timeout_ms=0)
    monkeypatch.delenv("RANK", raising=False)
    with pytest.raises(ValueError, match="say leader=True/False"):
        runtime.share_decisions(table)


class FakeStore:
    """torch.distributed's Store, as share_decisions uses it."""

    def __init__(self):
        self.values = {}

    def set(self, key, value):
        self.values[key] = str(value).encode()

    def wait(self, keys, timeout):
        if any(k not in self.values for k in keys):
            raise RuntimeError("Socket Timeout")

    def get(self, key):
        return self.values[key]


def test_share_decisions_through_a_store(kernels):
    """The leader sets each pick in the job's store; a follower (this
    process again, its decisions forgotten) runs what the store says."""
    store = FakeStore()
    rng = np.random.default_rng(7)
    x = rng.standard_normal((21, 13)).astype(np.float32)
    try:
        runtime.share_decisions(store=store, leader=True)
        kernels.seed(x, x)
        [(key, value)] = store.values.items()
        assert key.startswith("multikernel/") and key.endswith("/seed_0/(21, 13)/2")
        runtime.reset()
        store.values[key] = b"0"
        runtime.share_decisions(store=store, leader=False)
        out = kernels.seed(x, x)
        assert np.abs(out - (2.0 * x + np.sin(x))).max() < 1e-5
        stats = site("seed_0")
        assert stats["benchmarks"] == 0
        assert stats["decisions"][0]["variant"] == 0
    finally:
        runtime.stop_sharing_decisions()
    with pytest.raises(ValueError, match="give a path or a store"):
        runtime.share_decisions(leader=True)


def test_tune_save_load_table(kernels, kernels_path, tmp_path, monkeypatch):
    table = tmp_path / "table.txt"
    multikernel.tune(kernels, {"seed": [[(64, 32), (64, 32)], [(700, 9), (700, 9)]]}, table)
    text = table.read_text()
    assert text.startswith("multikernel-dispatch-table 1\n")
    assert "seed_0\t64x32\t" in text

    # A library with the table embedded: covered shapes are not benchmarked.
    runtime.reset()
    aot = multikernel.compile(kernels_path, hints=HINTS, dispatch_table=table)
    x = np.ones((64, 32), np.float32)
    aot.seed(x, x)
    stats = site("seed_0")
    assert stats["benchmarks"] == 0 and stats["hits"] == 1

    # Loading a saved table at run time works the same way.
    runtime.reset()
    runtime.load_table(table)
    kernels.seed(np.ones((700, 9), np.float32), np.ones((700, 9), np.float32))
    assert site("seed_0")["benchmarks"] == 0
    with pytest.raises(OSError):
        runtime.load_table(tmp_path / "missing.txt")


def test_gpu_memory_stats_without_a_gpu():
    # The pool's counters exist whether or not a driver loads; on a machine
    # without a GPU nothing was ever allocated.
    stats = runtime.gpu_memory_stats()
    assert set(stats) == {"driver_allocations", "driver_allocated_bytes",
                          "driver_frees", "pool_hits", "cached_buffers",
                          "cached_bytes"}
    assert all(isinstance(v, int) and v >= 0 for v in stats.values())
