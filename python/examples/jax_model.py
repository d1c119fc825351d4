"""A model from a frontend, end to end: a JAX MLP block exported with a
symbolic batch, converted to linalg on tensors by IREE's input pipeline,
compiled with size hints in the model's terms (the batch), called with
batches that change every call, then loaded again from the library alone,
as a deployed model is.

    PYTHONPATH=build/python python3 python/examples/jax_model.py [--export]

With --export (needs `pip install "jax[cpu]" iree-base-compiler`) the model
is exported here; without, the export committed in
test/Integration/Inputs/frontend/mlp.mlir (made by export_jax.py the same
way) is used. Results are checked against numpy in float64 and, where
JAX is installed, against JAX's own result (jax.jit of the same model).
"""

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import multikernel

FRONTEND = Path(__file__).resolve().parents[2] / "test" / "Integration" / "Inputs" / "frontend"
FEATURES = 512


def export_with_jax(path):
    """The JAX side: jax.export with a symbolic batch, then IREE's StableHLO
    import, then the two edits docs/GPU.md describes (JAX's per-row
    broadcasts marked non-expanding; util.func -> func.func)."""
    import jax
    import jax.numpy as jnp
    from jax import export

    sys.path.insert(0, str(FRONTEND))
    from export_jax import mark_nonexpanding, mlp

    (batch,) = export.symbolic_shape("b")
    args = [jax.ShapeDtypeStruct((batch, FEATURES), jnp.float32),
            jax.ShapeDtypeStruct((FEATURES, 4 * FEATURES), jnp.float32),
            jax.ShapeDtypeStruct((4 * FEATURES,), jnp.float32),
            jax.ShapeDtypeStruct((4 * FEATURES, FEATURES), jnp.float32),
            jax.ShapeDtypeStruct((FEATURES,), jnp.float32)]
    exported = export.export(jax.jit(mlp))(*args)
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as work:
        stablehlo = Path(work) / "mlp.stablehlo.mlir"
        generic = Path(work) / "mlp.generic.mlir"
        stablehlo.write_text(exported.mlir_module())
        subprocess.run([bin_dir / "iree-opt", "--mlir-print-op-generic", stablehlo,
                        "-o", generic], check=True)
        generic.write_text(mark_nonexpanding(generic.read_text()))
        linalg = subprocess.run(
            [bin_dir / "iree-compile", "--iree-input-type=stablehlo", "--compile-to=input",
             generic, "-o", "-"], check=True, capture_output=True, text=True).stdout
    path.write_text(re.sub(r"\butil\.(func|return)\b", lambda m: {
        "func": "func.func", "return": "return"}[m.group(1)], linalg))


def reference(x, w1, b1, w2, b2):
    h = x @ w1 + b1
    h = 0.5 * h * (1 + np.tanh(0.7978845608028654 * (h + 0.044715 * h ** 3)))
    return h @ w2 + b2


def main():
    work = Path(tempfile.mkdtemp())
    source = work / "mlp.mlir"
    if "--export" in sys.argv:
        export_with_jax(source)
        print(f"exported the JAX MLP to {source}")
    else:
        source.write_text((FRONTEND / "mlp.mlir").read_text())
        print("using the committed export (pass --export to export with JAX)")

    # Hints in the model's terms: the function's one dynamic dimension is
    # the batch (docs/Hints.md); every op of the model takes them.
    module = multikernel.compile(source, dim_hints=[[64], [4096]])
    print(module.main)

    try:  # the framework's own result, where JAX is installed
        import jax
        sys.path.insert(0, str(FRONTEND))
        from export_jax import mlp
        framework = jax.jit(mlp)
    except ImportError:
        framework = None

    rng = np.random.default_rng(0)
    weights = [(rng.standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32)
               for shape in [(FEATURES, 4 * FEATURES), (4 * FEATURES,),
                             (4 * FEATURES, FEATURES), (FEATURES,)]]
    for batch in [1, 33, 700, 33]:
        x = rng.standard_normal((batch, FEATURES)).astype(np.float32)
        start = time.perf_counter()
        out = module.main(x, *weights)
        took = time.perf_counter() - start
        expected = reference(*[a.astype(np.float64) for a in (x, *weights)])
        error = np.linalg.norm(out - expected) / np.linalg.norm(expected)
        line = (f"batch {batch}: {'ok' if error < 1e-5 else 'WRONG'} "
                f"(relative error {error:.1e}, {took * 1e3:.1f} ms)")
        if framework:
            theirs = np.asarray(framework(x, *weights))
            difference = np.linalg.norm(out - theirs) / np.linalg.norm(theirs)
            line += (f"; JAX: {'same' if difference < 1e-5 else 'WRONG'} "
                     f"(relative difference {difference:.1e})")
        print(line)

    # Deployed: the library alone (it records its signatures).
    deployed = multikernel.load(module.path)
    x = rng.standard_normal((5, FEATURES)).astype(np.float32)
    same = np.array_equal(deployed.main(x, *weights), module.main(x, *weights))
    print(f"loaded alone from {module.path.name}: {'same results' if same else 'WRONG'}")
    for site in multikernel.runtime.stats():
        print(f"site {site['site']}: {site['variants']} variant(s), "
              f"{site['calls']} calls, {site['benchmarks']} benchmarks")


if __name__ == "__main__":
    main()
