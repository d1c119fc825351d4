// RUN: multikernel-opt %s --multikernel-specialize="cublaslt-algorithms=3" \
// RUN:   --split-input-file --mlir-print-local-scope | FileCheck %s
// RUN: multikernel-opt %s --multikernel-specialize="cublaslt-algorithms=1" \
// RUN:   --split-input-file --mlir-print-local-scope | FileCheck %s --check-prefix=ONE
// RUN: multikernel-opt %s --multikernel-specialize \
// RUN:   --split-input-file --mlir-print-local-scope | FileCheck %s --check-prefix=NONE
// RUN: not multikernel-opt %s --multikernel-specialize="cublaslt-algorithms=9" \
// RUN:   --split-input-file 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: multikernel-opt %s --multikernel-specialize="target=cpu cublaslt-algorithms=3" \
// RUN:   --split-input-file --mlir-print-local-scope | FileCheck %s --check-prefix=CPU-TARGET

// With cublaslt-algorithms=N, a GPU matmul site gets, after its generated
// variants, N cuBLASLt variants for the heuristic's best algorithms, with
// the first hint. By default (NONE) and on the CPU there are none.

// CHECK-LABEL: func.func @bf16_to_f32
// CHECK:         multikernel.dispatch @bf16_to_f32_0 {{.*}} hints {{\[\[}}64, 64, 64], [4096, 4096, 4096], [64, 64, 64], [64, 64, 64], [64, 64, 64]]
// CHECK-SAME:      tilings = [#multikernel.tiling<target = gpu, kind = matmul, {{[^>]*}}split = 1>,
// CHECK-SAME:        #multikernel.tiling<target = gpu, kind = matmul, {{[^>]*}}split = 1>,
// CHECK-SAME:        #multikernel.tiling<{{[^>]*}}library = cublaslt>,
// CHECK-SAME:        #multikernel.tiling<{{[^>]*}}library = cublaslt, algorithm = 1>,
// CHECK-SAME:        #multikernel.tiling<{{[^>]*}}library = cublaslt, algorithm = 2>]

// ONE-LABEL:   func.func @bf16_to_f32
// ONE:           hints {{\[\[}}64, 64, 64], [4096, 4096, 4096], [64, 64, 64]]
// ONE-SAME:        library = cublaslt>]

// NONE-LABEL:  func.func @bf16_to_f32
// NONE:          hints {{\[\[}}64, 64, 64], [4096, 4096, 4096]]
// NONE-NOT:        cublaslt

// RANGE: multikernel-specialize: cublaslt-algorithms must be in [0, 8], got 9

// CPU-TARGET-LABEL: func.func @bf16_to_f32
// CPU-TARGET-NOT:     cublaslt
func.func @bf16_to_f32(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %c: memref<?x?xf32>) {
  linalg.matmul {multikernel.hints = [array<i64: 64, 64, 64>, array<i64: 4096, 4096, 4096>]}
      ins(%a, %b : memref<?x?xbf16>, memref<?x?xbf16>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// Types cuBLASLt does not compute as the IR says get generated variants
// only: integers, and inputs of two types.

// CHECK-LABEL: func.func @integers
// CHECK:         hints {{\[\[}}64, 64, 64]] {{.*}}split = 1>]}
// CHECK-LABEL: func.func @mixed_inputs
// CHECK:         hints {{\[\[}}64, 64, 64]] {{.*}}split = 1>]}
func.func @integers(%a: memref<?x?xi32>, %b: memref<?x?xi32>, %c: memref<?x?xi32>) {
  linalg.matmul {multikernel.hints = [array<i64: 64, 64, 64>]}
      ins(%a, %b : memref<?x?xi32>, memref<?x?xi32>) outs(%c : memref<?x?xi32>)
  return
}
func.func @mixed_inputs(%a: memref<?x?xf16>, %b: memref<?x?xbf16>, %c: memref<?x?xf32>) {
  linalg.matmul {multikernel.hints = [array<i64: 64, 64, 64>]}
      ins(%a, %b : memref<?x?xf16>, memref<?x?xbf16>) outs(%c : memref<?x?xf32>)
  return
}
