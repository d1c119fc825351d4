import pytest

import multikernel

SEED = """
func.func @copy(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.copy ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>)
  return
}
"""


def test_parse_print_round_trip():
    module = multikernel.ir.parse(SEED)
    module.verify()
    text = str(module)
    assert "linalg.copy" in text
    assert str(multikernel.ir.parse(text)) == text


def test_function_signatures():
    [copy] = multikernel.ir.parse(SEED).functions()
    assert copy.name == "copy"
    assert copy.inputs == ["memref<?x?xf32>", "memref<?x?xf32>"]
    assert copy.results == []
    assert copy.public


def test_syntax_error_is_an_exception_with_location():
    with pytest.raises(multikernel.MLIRError) as info:
        multikernel.ir.parse("func.func @f(%x: memref<?xf32>) {\n  return %x\n}")
    # `return %x` without its type.
    assert info.value.location == 'loc("-":2:12)'
    assert info.value.message == "expected ':'"


def test_verifier_error_is_an_exception():
    bad = """
func.func @f(%n: index) {
  multikernel.dispatch @k key(%n) hints [[8, 8]] {
    multikernel.yield
  }
  return
}
"""
    with pytest.raises(multikernel.MLIRError) as info:
        multikernel.ir.parse(bad)
    assert "hint #0 has 2 sizes, but the key has 1 operands" in info.value.message


def test_run_pipeline_with_multikernel_passes():
    out = multikernel.ir.run_pipeline(
        SEED, "builtin.module(multikernel-specialize{hints=64x64 target=cpu})")
    assert "multikernel.dispatch @copy_0 key" in out
    assert 'target = cpu' in out


def test_pipeline_errors_are_exceptions():
    with pytest.raises(multikernel.MLIRError, match="invalid pass pipeline"):
        multikernel.ir.run_pipeline(SEED, "builtin.module(no-such-pass)")
    with pytest.raises(multikernel.MLIRError) as info:
        multikernel.ir.run_pipeline(
            SEED, "builtin.module(multikernel-specialize{hints=8xQ})")
    assert "invalid size hint '8xQ'" in info.value.message
