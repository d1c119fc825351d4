// Bad options and bad hints are clear errors, never a crash.
//
// RUN: not multikernel-opt %s --multikernel-specialize="hints=abc" 2>&1 | FileCheck %s --check-prefix=BADHINT
// BADHINT: error: multikernel-specialize: invalid size hint 'abc': expected positive sizes joined by 'x', e.g. hints=1024x512,4096x2048
//
// RUN: not multikernel-opt %s --multikernel-specialize="hints=1024x0" 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: error: multikernel-specialize: invalid size hint '1024x0'
//
// RUN: not multikernel-opt %s --multikernel-specialize="hints=8x8 target=tpu" 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: error: multikernel-specialize: invalid target 'tpu': expected 'gpu' or 'cpu'
//
// RUN: not multikernel-opt %s --multikernel-specialize="hints=8x8 sm-count=0" 2>&1 | FileCheck %s --check-prefix=SMS
// SMS: error: multikernel-specialize: sm-count must be positive, got 0
//
// RUN: not multikernel-opt %s --multikernel-specialize="hints=8x8 target=cpu cpu-parallel-min-work=-1" 2>&1 | FileCheck %s --check-prefix=MINWORK
// MINWORK: error: multikernel-specialize: cpu-parallel-min-work must not be negative, got -1
//
// RUN: not multikernel-opt %s --multikernel-specialize="hints=8x8x8" 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: specialize-options.mlir:{{[0-9]+}}:3: error: size hint #0 has 3 sizes, but the op has 2 dynamic loop sizes (its dispatch key)
//
// RUN: not multikernel-opt %s --multikernel-specialize 2>&1 | FileCheck %s --check-prefix=NOHINTS
// NOHINTS: error: no size hints: pass hints=... to multikernel-specialize or put a 'multikernel.hints' attribute on the op
//
// RUN: not multikernel-opt %s --multikernel-specialize="hints=8x8 bogus=1" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: no such option bogus
//
// The pass is documented in --help.
// RUN: multikernel-opt --help | FileCheck %s --check-prefix=HELP
// HELP: --multikernel-outline-variants
// HELP: --multikernel-specialize
// HELP: --hints=
func.func @copy(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.copy ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>)
  return
}
