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
// RUN: not multikernel-opt %s --multikernel-specialize="dim-hints=8x" 2>&1 | FileCheck %s --check-prefix=BADDIM
// BADDIM: error: multikernel-specialize: invalid dimension hint '8x': expected positive sizes joined by 'x', e.g. dim-hints=64x128,4096x2048
//
// Hints of another rank are a warning, and the op gets the automatic ones
// (test/Transforms/specialize-dim-hints.mlir has the rest).
// RUN: multikernel-opt %s --multikernel-specialize="hints=8x8x8" 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: specialize-options.mlir:{{[0-9]+}}:3: warning: no size hint fits this op, which has 2 dynamic loop sizes: the hints 8x8x8 have other ranks
// RANK: multikernel.dispatch @copy_0 key(%{{.*}}, %{{.*}}) hints {{\[}}[64, 64], [256, 256], [4096, 4096]]
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
