import math
import os
import subprocess
import sys
import time
import types
import warnings
from pathlib import Path

import numpy as np
import pytest

import multikernel

HINTS = [[1024, 512], [4096, 2048]]


@pytest.fixture(scope="module")
def kernels(kernels_path):
    return multikernel.compile(kernels_path, hints=HINTS)


def test_seed_over_many_shapes(kernels):
    rng = np.random.default_rng(1)
    for shape in [(1, 1), (1, 7), (13, 17), (300, 200), (3000, 5)]:
        x = rng.standard_normal(shape).astype(np.float32)
        y = rng.standard_normal(shape).astype(np.float32)
        out = kernels.seed(x, y)
        ref = 2.0 * x.astype(np.float64) + np.sin(y.astype(np.float64))
        assert out.shape == shape
        assert np.linalg.norm(out - ref) / np.linalg.norm(ref) < 1e-6


def test_softmax_rowsum_matmul(kernels):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((37, 129)).astype(np.float32)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(kernels.softmax(x), e / e.sum(axis=1, keepdims=True),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(kernels.rowsum(x), x.sum(axis=1), rtol=1e-5, atol=1e-5)
    a = rng.standard_normal((33, 65)).astype(np.float32)
    b = rng.standard_normal((65, 17)).astype(np.float32)
    np.testing.assert_allclose(kernels.matmul(a, b), a @ b, rtol=1e-4, atol=1e-4)


MATMUL_TYPES = [("f32", "f32", np.float32, np.float32, 1e-6),
                 ("f64", "f64", np.float64, np.float64, 1e-14),
                 ("i8", "i32", np.int8, np.int32, 0),
                 ("bf16", "f32", "bfloat16", np.float32, 1e-6)]


@pytest.mark.parametrize("a_type,c_type,a_dtype,c_dtype,tolerance", MATMUL_TYPES,
                         ids=[f"{t[0]}-{t[1]}" for t in MATMUL_TYPES])
def test_cpu_matmul_register_tiles(a_type, c_type, a_dtype, c_dtype, tolerance):
    """Every variant of a matmul (register tiles of two vectors of columns,
    of one column and of one row) on shapes with and without full tiles and
    K blocks, C accumulated onto (C += A B), in each element type."""
    if a_dtype == "bfloat16":
        a_dtype = pytest.importorskip("ml_dtypes").bfloat16
    source = f"""
    func.func @mm(%a: memref<?x?x{a_type}>, %b: memref<?x?x{a_type}>,
                  %c: memref<?x?x{c_type}>) {{
      linalg.matmul ins(%a, %b : memref<?x?x{a_type}>, memref<?x?x{a_type}>)
                    outs(%c : memref<?x?x{c_type}>)
      return
    }}"""
    module = multikernel.compile(source, hints=[[512, 512, 512], [512, 1, 512],
                                                [1, 512, 512]])
    rng = np.random.default_rng(7)
    try:
        for m, n, k in [(67, 131, 600), (200, 97, 513), (1, 300, 40), (130, 1, 257)]:
            a = rng.integers(-4, 5, (m, k)).astype(a_dtype)
            b = rng.integers(-4, 5, (k, n)).astype(a_dtype)
            expected = a.astype(np.float64) @ b.astype(np.float64) + 1
            for variant in range(3):
                multikernel.runtime.reset()
                multikernel.runtime.set_policy(f"fixed:{variant}")
                c = np.ones((m, n), c_dtype)
                module.mm(a, b, c)
                error = np.abs(c - expected).max() / np.abs(expected).max()
                assert error <= tolerance, f"{(m, n, k)} variant {variant}: {error}"
    finally:
        multikernel.runtime.set_policy("benchmark")


CONTRACTIONS = """
#q = affine_map<(b, i, j, d) -> (b, i, d)>
#k = affine_map<(b, i, j, d) -> (b, j, d)>
#s = affine_map<(b, i, j, d) -> (b, i, j)>
func.func @bmm(%a: memref<?x?x?xf32>, %b: memref<?x?x?xf32>, %c: memref<?x?x?xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<?x?x?xf32>, memref<?x?x?xf32>)
                      outs(%c : memref<?x?x?xf32>)
  return
}
func.func @scores(%q: memref<?x?x?xf32>, %k: memref<?x?x?xf32>, %s: memref<?x?x?xf32>) {
  linalg.generic {indexing_maps = [#q, #k, #s],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : memref<?x?x?xf32>, memref<?x?x?xf32>) outs(%s : memref<?x?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  }
  return
}
func.func @matmul_bt(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                 affine_map<(m, n, k) -> (n, k)>,
                                 affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}
"""


def test_cpu_batch_and_transposed_contractions():
    """batch_matmul, attention's scores (a generic with B transposed and a
    batch loop) and a matmul with B transposed: register-tiled as matmul,
    C += A B on shapes with and without full tiles."""
    module = multikernel.compile(CONTRACTIONS)
    rng = np.random.default_rng(8)
    for batch, m, n, k in [(3, 33, 33, 64), (2, 67, 131, 300), (1, 1, 40, 7)]:
        a = rng.integers(-4, 5, (batch, m, k)).astype(np.float32)
        b = rng.integers(-4, 5, (batch, k, n)).astype(np.float32)
        bt = np.ascontiguousarray(b.transpose(0, 2, 1))
        expected = a.astype(np.float64) @ b.astype(np.float64) + 1
        for name, args in [("bmm", (a, b)), ("scores", (a, bt))]:
            c = np.ones((batch, m, n), np.float32)
            getattr(module, name)(*args, c)
            np.testing.assert_array_equal(c, expected, err_msg=name)
        c = np.ones((m, n), np.float32)
        module.matmul_bt(a[0], bt[0], c)
        np.testing.assert_array_equal(c, expected[0], err_msg="matmul_bt")


def test_cpu_mixed_precision_generic_contraction():
    """A generic contraction of bf16 inputs into f32 (extf in its body):
    register-tiled as a matmul, exact on small integers."""
    bf16 = pytest.importorskip("ml_dtypes").bfloat16
    source = """
    #a = affine_map<(m, n, k) -> (m, k)>
    #b = affine_map<(m, n, k) -> (k, n)>
    #c = affine_map<(m, n, k) -> (m, n)>
    func.func @gmm(%x: memref<?x?xbf16>, %y: memref<?x?xbf16>, %z: memref<?x?xf32>) {
      linalg.generic {indexing_maps = [#a, #b, #c],
                      iterator_types = ["parallel", "parallel", "reduction"]}
          ins(%x, %y : memref<?x?xbf16>, memref<?x?xbf16>) outs(%z : memref<?x?xf32>) {
      ^bb0(%p: bf16, %q: bf16, %acc: f32):
        %0 = arith.extf %p : bf16 to f32
        %1 = arith.extf %q : bf16 to f32
        %2 = arith.mulf %0, %1 : f32
        %3 = arith.addf %acc, %2 : f32
        linalg.yield %3 : f32
      }
      return
    }"""
    module = multikernel.compile(source)
    rng = np.random.default_rng(9)
    for m, n, k in [(67, 131, 600), (200, 97, 513), (1, 40, 7)]:
        a = rng.integers(-4, 5, (m, k)).astype(bf16)
        b = rng.integers(-4, 5, (k, n)).astype(bf16)
        c = np.ones((m, n), np.float32)
        module.gmm(a, b, c)
        np.testing.assert_array_equal(c, a.astype(np.float64) @ b.astype(np.float64) + 1)


def test_cpu_batched_bf16_transpose():
    """out[b, i, j] = x[b, j, i] * 2 + y[b, i, j] in bf16 (the GPU's
    transposing strategy's integration kernel, transpose3_bf16) through the
    CPU pipeline: exact on small integers, shapes of one row, one column
    and partial tiles."""
    bf16 = pytest.importorskip("ml_dtypes").bfloat16
    source = """
    func.func @transpose3(%x: memref<?x?x?xbf16>, %y: memref<?x?x?xbf16>, %out: memref<?x?x?xbf16>) {
      linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2, d1)>,
                                       affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                                       affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                      iterator_types = ["parallel", "parallel", "parallel"]}
          ins(%x, %y : memref<?x?x?xbf16>, memref<?x?x?xbf16>) outs(%out : memref<?x?x?xbf16>) {
      ^bb0(%a: bf16, %b: bf16, %o: bf16):
        %two = arith.constant 2.0 : bf16
        %t = arith.mulf %a, %two : bf16
        %r = arith.addf %t, %b : bf16
        linalg.yield %r : bf16
      }
      return
    }"""
    module = multikernel.compile(source)
    rng = np.random.default_rng(10)
    for batch, m, n in [(2, 67, 131), (1, 1, 4099), (7, 4099, 1), (3, 1000, 33)]:
        x = rng.integers(-8, 9, (batch, n, m)).astype(bf16)
        y = rng.integers(-8, 9, (batch, m, n)).astype(bf16)
        out = np.full((batch, m, n), np.nan, np.float32).astype(bf16)
        module.transpose3(x, y, out)
        expected = x.astype(np.float64).transpose(0, 2, 1) * 2 + y.astype(np.float64)
        np.testing.assert_array_equal(out.astype(np.float64), expected)


def test_cpu_tanh_and_erf_are_accurate():
    """f32 tanh and erf are computed as polynomials on the CPU
    (multikernel-approximate-math): within 5 ulp of float64 over a wide
    range, and exact at zero, the infinities and NaN."""
    import math
    source = """
    #id = affine_map<(d0) -> (d0)>
    func.func @f(%x: memref<?xf32>, %t: memref<?xf32>, %e: memref<?xf32>) {
      linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
          ins(%x : memref<?xf32>) outs(%t, %e : memref<?xf32>, memref<?xf32>) {
      ^bb0(%a: f32, %b: f32, %c: f32):
        %0 = math.tanh %a : f32
        %1 = math.erf %a : f32
        linalg.yield %0, %1 : f32, f32
      }
      return
    }"""
    module = multikernel.compile(source)
    finite = np.concatenate([np.linspace(-10, 10, 20001), np.logspace(-30, 2, 2000),
                             -np.logspace(-30, 2, 2000), [1e30, -1e30]]).astype(np.float32)
    x = np.concatenate([finite, np.array([0.0, np.inf, -np.inf, np.nan], np.float32)])
    t, e = np.empty_like(x), np.empty_like(x)
    module.f(x, t, e)
    n = len(finite)
    xd = finite.astype(np.float64)
    for name, got, expected in [("tanh", t[:n], np.tanh(xd)),
                                ("erf", e[:n], np.array([math.erf(v) for v in xd]))]:
        ulp = np.spacing(np.abs(expected).astype(np.float32)).astype(np.float64)
        error = (np.abs(got.astype(np.float64) - expected) / ulp).max()
        assert error <= 5, f"{name}: {error:.1f} ulp"
    np.testing.assert_array_equal(t[n:], [0.0, 1.0, -1.0, np.nan])
    np.testing.assert_array_equal(e[n:], [0.0, 1.0, -1.0, np.nan])


def test_memref_form_writes_in_place(kernels):
    x = np.ones((4, 5), np.float32)
    y = np.zeros((4, 5), np.float32)
    out = np.full((4, 5), np.nan, np.float32)
    assert kernels.seed_memref(x, y, out) is None
    np.testing.assert_array_equal(out, np.full((4, 5), 2.0, np.float32))


def test_clear_errors_for_bad_arguments(kernels):
    x = np.ones((4, 5), np.float32)
    with pytest.raises(TypeError, match="dtype float64, expected float32"):
        kernels.seed(x.astype(np.float64), x)
    with pytest.raises(ValueError, match="rank 1, expected 2"):
        kernels.seed(np.ones(5, np.float32), x)
    with pytest.raises(ValueError, match="is not contiguous"):
        kernels.seed(np.ones((5, 4), np.float32).T, x)
    with pytest.raises(TypeError, match="takes 2 arguments, got 1"):
        kernels.seed(x)
    with pytest.raises(AttributeError, match="no public function 'nope'"):
        kernels.nope


def test_second_compile_is_cached(kernels_path, kernels):
    start = time.perf_counter()
    again = multikernel.compile(kernels_path, hints=HINTS)
    assert again.path == kernels.path
    assert time.perf_counter() - start < 0.5


def test_compile_errors(tmp_path):
    with pytest.raises(multikernel.MLIRError):
        multikernel.compile("func.func @f(\n")
    bad = "func.func @f(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {\n" \
          "  linalg.copy ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>)\n" \
          "  return\n}\n"
    with pytest.raises(multikernel.CompileError, match="invalid size hint '8xQ'"):
        multikernel.compile(bad, hints=["8xQ"])
    with pytest.raises(ValueError, match="invalid size hint"):
        multikernel.compile(bad, hints=[[8, -1]])
    with pytest.raises(ValueError, match="unknown target"):
        multikernel.compile(bad, target="tpu")


def test_cpu_module_refuses_cuda_like_tensors(kernels):
    class FakeCudaTensor:  # what torch.Tensor looks like on a GPU
        class device:
            type = "cuda"
    with pytest.raises(TypeError, match="compiled for the CPU"):
        kernels.seed(FakeCudaTensor(), np.ones((2, 2), np.float32))


OPENMP_KERNELS = """
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @omp_seed(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %x, %c0 : tensor<?x?xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<?x?xf32>, tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %s = math.sin %b : f32
    %t = arith.mulf %a, %two : f32
    %v = arith.addf %t, %s : f32
    linalg.yield %v : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
"""


def test_openmp_build_computes_the_same(tmp_path):
    # Its own function names: site names are per process, and the other
    # tests look at the statistics of the shared kernels' sites.
    try:
        threaded = multikernel.compile(OPENMP_KERNELS, hints=HINTS, cpu_parallel="openmp")
    except multikernel.CompileError as error:
        if "libomp.so is not in" in str(error):
            pytest.skip("LLVM's OpenMP runtime is not installed")
        raise
    # The option is part of the cache key.
    single = multikernel.compile(OPENMP_KERNELS, hints=HINTS)
    assert threaded.path != single.path
    rng = np.random.default_rng(3)
    for shape in [(1, 1), (300, 200), (1025, 33)]:
        x = rng.standard_normal(shape).astype(np.float32)
        y = rng.standard_normal(shape).astype(np.float32)
        ref = 2.0 * x.astype(np.float64) + np.sin(y.astype(np.float64))
        out = threaded.omp_seed(x, y)
        assert np.linalg.norm(out - ref) / np.linalg.norm(ref) < 1e-6
    with pytest.raises(ValueError, match="unknown cpu_parallel 'threads'"):
        multikernel.compile(OPENMP_KERNELS, hints=HINTS, cpu_parallel="threads")


@pytest.mark.parametrize("bad", [-1, 9, 1.5, True, "3"])
def test_cublaslt_algorithms_is_checked(bad):
    with pytest.raises(ValueError, match="cublaslt_algorithms must be an integer in"):
        multikernel.compile(OPENMP_KERNELS, hints=HINTS, target="cuda",
                            cublaslt_algorithms=bad)


def test_results_own_the_kernel_buffer(kernels):
    # No copy: the array holds the buffer the kernel allocated, views keep
    # it alive, and it is freed with the last of them.
    rng = np.random.default_rng(4)
    x = rng.standard_normal((64, 32)).astype(np.float32)
    y = rng.standard_normal((64, 32)).astype(np.float32)
    out = kernels.seed(x, y)
    view = out[10:20, 3:]
    del out
    import gc
    gc.collect()
    ref = 2.0 * x[10:20, 3:].astype(np.float64) + np.sin(y[10:20, 3:].astype(np.float64))
    assert np.abs(view - ref).max() < 1e-5
    view[0, 0] = 7.0  # writable, like any numpy result
    assert view[0, 0] == 7.0


def test_results_are_freed(kernels):
    import resource
    big = np.ones((1024, 1024), np.float32)  # 4 MB per result
    kernels.seed(big, big)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(100):  # 400 MB if nothing were freed
        kernels.seed(big, big)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 100 * 1024


def test_repeated_calls_reuse_descriptors_safely(kernels):
    # The CPU path reuses an argument's descriptor while it is the same
    # array with the same shape; anything else is checked anew.
    import gc
    import weakref

    x = np.ones((4, 5), np.float32)
    y = np.zeros((4, 5), np.float32)
    out = np.empty((4, 5), np.float32)
    kernels.seed_memref(x, y, out)
    np.testing.assert_array_equal(out, np.full((4, 5), 2.0, np.float32))
    x[:] = 3.0  # same array, new contents
    kernels.seed_memref(x, y, out)
    np.testing.assert_array_equal(out, np.full((4, 5), 6.0, np.float32))
    for a in (x, y, out):  # same arrays, reshaped in place
        a.shape = (5, 4)
    kernels.seed_memref(x, y, out)
    np.testing.assert_array_equal(out, np.full((5, 4), 6.0, np.float32))
    r = np.arange(20, dtype=np.float32).reshape(4, 5)
    np.testing.assert_array_equal(kernels.rowsum(r), r.sum(axis=1))
    r.shape = (5, 4)  # a stale descriptor would still sum rows of 5
    np.testing.assert_array_equal(kernels.rowsum(r), r.sum(axis=1))
    out.flags.writeable = False  # the check is not skipped on a repeat
    with pytest.raises(ValueError, match="read-only"):
        kernels.seed_memref(x, y, out)
    # Arrays are not kept alive, and a new array (maybe at the same address)
    # gets its own descriptor.
    probe = weakref.ref(x)
    del x, out
    gc.collect()
    assert probe() is None
    for value in (1.0, 2.0, 4.0):
        x = np.full((5, 4), value, np.float32)
        out = np.empty((5, 4), np.float32)
        kernels.seed_memref(x, y, out)
        np.testing.assert_array_equal(out, np.full((5, 4), 2 * value, np.float32))
        del x, out


SMALL = """
func.func @double(%x: memref<?xf32>, %y: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                  iterator_types = ["parallel"]}
      ins(%x : memref<?xf32>) outs(%y : memref<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  }
  return
}
"""


def test_cached_library_is_checked_against_its_hash(tmp_path):
    # Compiled in another process, so that this one has not loaded it (a
    # loaded library must not change under the process).
    compile_there = ("import sys, multikernel; multikernel.compile(sys.argv[1], "
                     "hints=[[64]], cache_dir=sys.argv[2])")
    subprocess.run([sys.executable, "-c", compile_there, SMALL, str(tmp_path)],
                   check=True, env=os.environ)
    [library] = tmp_path.glob("*.so")
    recorded = library.with_suffix(".sha256").read_text().strip()
    assert len(recorded) == 64
    good = library.read_bytes()
    # Changed behind the package's back: compiled again, with a warning,
    # and the result is a working library again.
    tampered = tmp_path / "tampered"
    tampered.write_bytes(good[: len(good) // 2])
    os.replace(tampered, library)
    with pytest.warns(RuntimeWarning, match="does not match its recorded content hash"):
        module = multikernel.compile(SMALL, hints=[[64]], cache_dir=tmp_path)
    assert library.read_bytes() == good
    x = np.arange(5, dtype=np.float32)
    y = np.zeros(5, np.float32)
    module.double(x, y)
    np.testing.assert_array_equal(y, 2 * x)
    # Unchanged: loaded from the cache, no compile, no warning.
    stamp = library.stat().st_mtime_ns
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        multikernel.compile(SMALL, hints=[[64]], cache_dir=tmp_path)
    assert library.stat().st_mtime_ns == stamp


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_hand_written_dispatch_compiles_and_runs():
    # The README's example of the op, as another compiler would build it: its
    # variants run as written (the runtime benchmarks them per shape).
    module = multikernel.compile(EXAMPLES / "seed-dispatch.mlir")
    rng = np.random.default_rng(4)
    for shape in [(3, 5), (300, 200)]:
        x = rng.standard_normal(shape).astype(np.float32)
        y = rng.standard_normal(shape).astype(np.float32)
        out = np.zeros(shape, np.float32)
        module.seed(x, y, out)
        np.testing.assert_allclose(out, 2 * x + np.sin(y), rtol=1e-5, atol=1e-6)


FREES_ITS_OWN = """
func.func @twice_plus_one(%x: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  %n = memref.dim %x, %c0 : memref<?xf32>
  %t = memref.alloc(%n) : memref<?xf32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                  iterator_types = ["parallel"]}
      ins(%x : memref<?xf32>) outs(%t : memref<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                  iterator_types = ["parallel"]}
      ins(%t : memref<?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %one : f32
    linalg.yield %s : f32
  }
  memref.dealloc %t : memref<?xf32>
  return
}
"""


def test_memref_code_that_frees_its_own_buffers():
    # Upstream's deallocation rejects input with memref.dealloc ("memory free
    # side-effect on MemRef value not supported!"); such a function is left
    # to free its own buffers.
    module = multikernel.compile(FREES_ITS_OWN, hints=[[64], [4096]])
    x = np.arange(1000, dtype=np.float32)
    out = np.zeros_like(x)
    module.twice_plus_one(x, out)
    np.testing.assert_array_equal(out, 2 * x + 1)


VECTOR_INPUT = """
func.func @head_sum(%x: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %x[%c0], %pad : memref<?xf32>, vector<4xf32>
  %w = arith.addf %v, %v : vector<4xf32>
  vector.transfer_write %w, %out[%c0] : vector<4xf32>, memref<?xf32>
  %s = vector.reduction <add>, %w : vector<4xf32> into f32
  memref.store %s, %out[%c4] : memref<?xf32>
  return
}
"""

ERF = """
func.func @erf(%x: memref<?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                  iterator_types = ["parallel"]}
      ins(%x : memref<?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    %e = math.erf %a : f32
    linalg.yield %e : f32
  }
  return
}
"""


def test_vector_and_libm_ops_are_lowered():
    # Input with a user's own vector ops (the pipeline used to leave them in
    # its output and succeed), and math ops LLVM has no intrinsic for.
    vectors = multikernel.compile(VECTOR_INPUT, hints=[[8]])
    x = np.array([1, 2, 3, 4, 5, 6], np.float32)
    out = np.zeros(5, np.float32)
    vectors.head_sum(x, out)
    np.testing.assert_array_equal(out, [2, 4, 6, 8, 20])
    erf = multikernel.compile(ERF, hints=[[1024]])
    x = np.linspace(-3, 3, 101).astype(np.float32)
    out = np.zeros_like(x)
    erf.erf(x, out)
    np.testing.assert_allclose(out, [math.erf(v) for v in x], rtol=1e-6, atol=1e-7)


BF16_INPUT = Path(__file__).resolve().parents[2] / "test" / "Integration" / "CPU" \
    / "Inputs" / "bf16.mlir"


def test_bf16_is_rounded_as_ml_dtypes_rounds(monkeypatch):
    # The CPU pipeline expands the bf16 conversions into integer operations
    # (test/Integration/CPU/bf16.test): round to nearest even, overflow to
    # infinity, NaN kept, subnormals, signed zeros. numpy arrays of
    # ml_dtypes' bfloat16 in and out.
    import ml_dtypes

    bf16 = ml_dtypes.bfloat16
    # One list of hints for ops of one and of two dynamic loops.
    module = multikernel.compile(BF16_INPUT, hints=[[1024], [64, 64]])
    rng = np.random.default_rng(5)
    ulp = np.float32(2.0 ** -8)
    special = np.array([0.0, -0.0, 1.0, 1 + ulp, 1 + 3 * ulp, 1 + ulp + 2.0 ** -20,
                        -(1 + ulp), 3.3895314e38, 3.4028235e38, -3.4028235e38,
                        np.inf, -np.inf, np.nan, 1e-40, -1e-45, 9.2e-41, 1.1754942e-38],
                       np.float32)
    x = np.concatenate([special, rng.standard_normal(5000).astype(np.float32) * 1e3,
                        rng.standard_normal(3000).astype(np.float32) * 1e-39])
    rounded = module.to_bf16(x)
    assert rounded.dtype == bf16
    expected = x.astype(bf16)
    nan = np.isnan(x)
    np.testing.assert_array_equal(np.isnan(rounded.astype(np.float32)), nan)
    np.testing.assert_array_equal(rounded[~nan].view(np.uint16), expected[~nan].view(np.uint16))

    widened = module.to_f32(expected)
    assert widened.dtype == np.float32
    np.testing.assert_array_equal(widened[~nan].view(np.uint32),
                                  expected[~nan].astype(np.float32).view(np.uint32))

    # The ops of one body are computed in f32 and rounded to bf16 where
    # stored: upstream's emulation elides the rounding between two ops, as
    # XLA (allow_excess_precision, its default) and Inductor (bf16
    # pointwise math in f32) do.
    a = rng.standard_normal(4099).astype(bf16)
    b = rng.standard_normal(4099).astype(bf16)
    got = module.fma_exp(a, b)
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    exp = np.exp(a32.astype(np.float64)).astype(np.float32)
    want = np.maximum(a32 * b32 + np.float32(1), exp).astype(bf16)
    np.testing.assert_array_equal(got.view(np.uint16), want.view(np.uint16))

    # CPU torch tensors go by their data pointer (numpy cannot view a torch
    # bf16 tensor): a stand-in with what the call reads of a torch.Tensor.
    class CpuTensor:
        __module__ = "torch"

        def __init__(self, array):
            self.array, self.shape = array, array.shape
            self.dtype = "torch.bfloat16"
            self.device = type("Device", (), {"type": "cpu"})()

        def data_ptr(self):
            return self.array.ctypes.data

        def stride(self):
            return tuple(s // self.array.itemsize for s in self.array.strides)

        def dim(self):
            return self.array.ndim

        def is_contiguous(self):
            return self.array.flags.c_contiguous

    # The result is then a torch tensor sharing the buffer: for bf16 an
    # int16 one viewed as bfloat16 (a stand-in torch records it).
    class TorchResult:
        def __init__(self, array, dtype):
            self.array, self.dtype = array, dtype

        def view(self, dtype):
            return TorchResult(self.array, dtype)

    fake_torch = types.ModuleType("torch")
    fake_torch.bfloat16 = "torch.bfloat16"
    fake_torch.from_numpy = lambda array: TorchResult(array, f"torch.{array.dtype}")
    monkeypatch.setitem(sys.modules, "torch", fake_torch)
    from multikernel import compiler
    compiler._torch.cache_clear()
    monkeypatch.setattr(compiler, "_torch", lambda: fake_torch)
    got = module.fma_exp(CpuTensor(a), CpuTensor(b))
    assert got.dtype == "torch.bfloat16" and got.array.dtype == np.int16
    np.testing.assert_array_equal(got.array.view(np.uint16), want.view(np.uint16))
    with pytest.raises(ValueError, match="is not contiguous"):
        module.rowsum(CpuTensor(rng.standard_normal((8, 6)).astype(bf16).T))

    rows = rng.standard_normal((37, 515)).astype(bf16)
    np.testing.assert_allclose(module.rowsum(rows), rows.astype(np.float64).sum(axis=1),
                               rtol=1e-5, atol=1e-5)
    with pytest.raises(TypeError, match="dtype float32, expected bfloat16"):
        module.fma_exp(a.astype(np.float32), b)


def test_hints_in_the_functions_terms_or_none(tmp_path):
    # The JAX MLP (test/Integration/Inputs/frontend): its ops have one
    # dynamic loop each, the batch. Without hints every op gets the
    # automatic ones; with dim_hints the batch sizes; hints of another rank
    # are a CompileWarning naming the op, and the op gets the automatic
    # ones. Each computes what the reference does.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "test" / "Integration"
                           / "Inputs" / "frontend"))
    import models

    shapes, reference, tolerance = models.MODELS["mlp"]
    rng = np.random.default_rng(3)
    args = [rng.standard_normal(shape).astype(np.float32) for shape in shapes(33)]
    expected = reference(*[a.astype(np.float64) for a in args])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        automatic = multikernel.compile(models.source("mlp"), cache_dir=tmp_path)
        by_batch = multikernel.compile(models.source("mlp"), dim_hints=[[16], [512]],
                                       cache_dir=tmp_path)
    with pytest.warns(multikernel.CompileWarning,
                      match=r"mlp.mlir:\d+:\d+: warning: no size hint fits this op"):
        mismatched = multikernel.compile(models.source("mlp"), hints=[[64, 512]],
                                         cache_dir=tmp_path)
    for module in (automatic, by_batch, mismatched):
        assert models.relative_error(module.main(*args), expected) < tolerance


def test_a_relative_library_path_is_the_file_there(tmp_path, monkeypatch):
    # CompiledModule('./lib.so') loads that file, not a 'lib.so' from the
    # library search path (which would fail here: there is none).
    module = multikernel.compile(ERF, hints=[[64]], cache_dir=tmp_path)
    copy = tmp_path / "work"
    copy.mkdir()
    (copy / "liberf.so").write_bytes(module.path.read_bytes())
    monkeypatch.chdir(copy)
    signatures = multikernel.ir.parse(ERF).functions()
    again = multikernel.CompiledModule("./liberf.so", signatures)
    assert again.path.resolve() == (copy / "liberf.so").resolve()
    x = np.zeros(3, np.float32)
    out = np.ones(3, np.float32)
    again.erf(x, out)
    np.testing.assert_array_equal(out, 0)


def test_a_library_alone_says_how_to_call_it(tmp_path):
    # A deployed model is the library and the runtime: the library records
    # its public functions' signatures (tensor types included) and target.
    module = multikernel.compile(EXAMPLES.parent / "test" / "Integration" / "CPU" /
                                 "kernels.mlir", hints=[[64, 64]], cache_dir=tmp_path)
    alone = multikernel.load(module.path)
    assert alone.target == "cpu"
    assert set(alone.functions) == set(module.functions)
    x = np.ones((3, 4), np.float32)
    np.testing.assert_allclose(alone.seed(x, x), 2 * x + np.sin(x), rtol=1e-6)
    np.testing.assert_allclose(alone.rowsum(x), x.sum(axis=1), rtol=1e-6)
    # A library that records nothing is refused with the way out.
    with pytest.raises(ValueError, match="records no function signatures"):
        multikernel.CompiledModule(multikernel._locate.runtime_library())
