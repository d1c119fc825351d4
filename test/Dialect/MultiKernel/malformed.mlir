// Malformed input exits non-zero with a diagnostic that names the problem,
// never a crash (`not` fails on a crash).
//
// RUN: split-file %s %t
// RUN: not multikernel-opt %t/truncated.mlir 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// RUN: not multikernel-opt %t/unknown_keyword.mlir 2>&1 | FileCheck %s --check-prefix=KEYWORD
// RUN: not multikernel-opt %t/bad_hints.mlir 2>&1 | FileCheck %s --check-prefix=HINTS
// RUN: not multikernel-opt %t/wrong_types.mlir 2>&1 | FileCheck %s --check-prefix=TYPES
// RUN: not multikernel-opt %t/missing_sizes.mlir 2>&1 | FileCheck %s --check-prefix=SEGMENTS
// RUN: not multikernel-opt %t/unknown_op.mlir 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// TRUNCATED: truncated.mlir:{{[0-9]+}}:1: error: custom op 'multikernel.dispatch' expected integer value
//--- truncated.mlir
func.func @f(%n: index) {
  multikernel.dispatch @k key(%n) hints [[8,

// KEYWORD: unknown_keyword.mlir:2:35: error: custom op 'multikernel.dispatch' expected 'hints'
//--- unknown_keyword.mlir
func.func @f(%n: index) {
  multikernel.dispatch @k key(%n) sizes [[8]] {
    multikernel.yield
  }
  return
}

// HINTS: bad_hints.mlir:2:43: error: custom op 'multikernel.dispatch' expected integer value
//--- bad_hints.mlir
func.func @f(%n: index) {
  multikernel.dispatch @k key(%n) hints [[abc]] {
    multikernel.yield
  }
  return
}

// TYPES: wrong_types.mlir:2:52: error: use of value '%x' expects different type than prior uses: 'memref<?xf16>' vs 'memref<?xf32>'
//--- wrong_types.mlir
func.func @f(%n: index, %x: memref<?xf32>) {
  multikernel.dispatch @k key(%n) hints [[8]] args(%x : memref<?xf16>) {
  ^bb0(%a: memref<?xf16>):
    multikernel.yield
  }
  return
}

// SEGMENTS: missing_sizes.mlir:2:3: error: 'multikernel.dispatch' op operand count (1) does not match with the total size (0) specified in attribute 'operandSegmentSizes'
//--- missing_sizes.mlir
func.func @f(%n: index) {
  "multikernel.dispatch"(%n) <{sym_name = "k", hints = [array<i64: 8>]}> ({
    "multikernel.yield"() : () -> ()
  }) : (index) -> ()
  return
}

// UNKNOWN: unknown_op.mlir:2:3: error: custom op 'multikernel.dispach' is unknown
//--- unknown_op.mlir
func.func @f(%n: index) {
  multikernel.dispach @k key(%n) hints [[8]] {
    multikernel.yield
  }
  return
}
