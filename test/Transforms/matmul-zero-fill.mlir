// RUN: multikernel-opt %s --split-input-file \
// RUN:   --multikernel-specialize="hints=512x512x512" | FileCheck %s
// RUN: multikernel-opt %s --split-input-file \
// RUN:   --multikernel-specialize="target=cpu hints=512x512x512" \
// RUN:   | FileCheck %s --check-prefix=CPU

// On the GPU, the zero fill of C that frontends emit before a contraction
// (C = A B) joins the contraction's site: its kernels write C instead of
// adding to it. The CPU keeps the fill a site of its own.

// CHECK-LABEL: func.func @c_equals_ab
// CHECK:         multikernel.dispatch @c_equals_ab_0
// CHECK-SAME:      kind = matmul
// CHECK:           linalg.fill
// CHECK-NEXT:      linalg.matmul
// CHECK:           multikernel.yield
// CHECK-NOT:     multikernel.dispatch
// CHECK-NOT:     linalg.fill
// CPU-LABEL: func.func @c_equals_ab
// CPU-COUNT-2:   multikernel.dispatch @c_equals_ab_
func.func @c_equals_ab(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x?xf32>)
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// A fill of another value stays a site of its own (cuBLASLt computes
// C = A B or C += A B, not C = 1 + A B).
// CHECK-LABEL: func.func @c_equals_one_plus_ab
// CHECK:         multikernel.dispatch @c_equals_one_plus_ab_0
// CHECK:           linalg.fill
// CHECK-NOT:       linalg.matmul
// CHECK:         multikernel.dispatch @c_equals_one_plus_ab_1
// CHECK-SAME:      kind = matmul
// CHECK-NOT:       linalg.fill
// CHECK:           linalg.matmul
func.func @c_equals_one_plus_ab(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%c : memref<?x?xf32>)
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// An op between them that reads the filled C keeps the fill out of the
// contraction's site (here it joins the reader's).
// CHECK-LABEL: func.func @read_between
// CHECK:         multikernel.dispatch @read_between_0
// CHECK:           linalg.fill
// CHECK-NEXT:      linalg.copy
// CHECK:         multikernel.dispatch @read_between_1
// CHECK-SAME:      kind = matmul
// CHECK-NOT:       linalg.fill
// CHECK:           linalg.matmul
func.func @read_between(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>,
                        %d: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x?xf32>)
  linalg.copy ins(%c : memref<?x?xf32>) outs(%d : memref<?x?xf32>)
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// C also read as A: it must be zero when read, so the fill stays.
// CHECK-LABEL: func.func @c_read_as_a
// CHECK:         multikernel.dispatch @c_read_as_a_0
// CHECK:           linalg.fill
// CHECK:         multikernel.dispatch @c_read_as_a_1
// CHECK-SAME:      kind = matmul
// CHECK-NOT:       linalg.fill
// CHECK:           linalg.matmul
func.func @c_read_as_a(%b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x?xf32>)
  linalg.matmul ins(%c, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// Ops between them that leave C alone (the fill of another matmul's C, as
// a frontend emits two) do not keep the fill from joining.
// CHECK-LABEL: func.func @two_products
// CHECK:         multikernel.dispatch @two_products_0
// CHECK-SAME:      kind = matmul
// CHECK:           linalg.fill
// CHECK-NEXT:      linalg.matmul
// CHECK:         multikernel.dispatch @two_products_1
// CHECK-SAME:      kind = matmul
// CHECK:           linalg.fill
// CHECK-NEXT:      linalg.matmul
// CHECK-NOT:     multikernel.dispatch
func.func @two_products(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>,
                        %d: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x?xf32>)
  linalg.fill ins(%zero : f32) outs(%d : memref<?x?xf32>)
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  linalg.matmul ins(%b, %a : memref<?x?xf32>, memref<?x?xf32>) outs(%d : memref<?x?xf32>)
  return
}
