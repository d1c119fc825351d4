// RUN: multikernel-opt %s --multikernel-outline-variants --split-input-file | FileCheck %s

// Each variant becomes a private function named after the site; the region
// keeps a call. The tiling of the variant moves onto its function.

// CHECK-LABEL: func.func private @k_0_v0
// CHECK-SAME:    (%[[A:.*]]: memref<?xf32>, %[[B:.*]]: memref<?xf32>)
// CHECK-SAME:    attributes {multikernel.tiling = #multikernel.tiling<target = cpu, kind = elementwise, block_tile = [8]{{.*}}multikernel.variant_of = "k_0"}
// CHECK-NEXT:    linalg.copy ins(%[[A]] : memref<?xf32>) outs(%[[B]] : memref<?xf32>)
// CHECK-NEXT:    return
// CHECK-LABEL: func.func private @k_0_v1
// CHECK-SAME:    block_tile = [64]
// CHECK-LABEL: func.func @memref_form
// CHECK:         multikernel.dispatch @k_0 key(%{{.*}}) hints {{\[\[}}8], [64]] args(%{{.*}}, %{{.*}} : memref<?xf32>, memref<?xf32>)
// Only the copy's output is written.
// CHECK-SAME:      written = array<i64: 1>
// CHECK-NEXT:    ^bb0(%[[X:.*]]: memref<?xf32>, %[[Y:.*]]: memref<?xf32>):
// CHECK-NEXT:      func.call @k_0_v0(%[[X]], %[[Y]]) : (memref<?xf32>, memref<?xf32>) -> ()
// CHECK-NEXT:      multikernel.yield
// CHECK-NEXT:    }, {
// CHECK-NEXT:    ^bb0(%[[X:.*]]: memref<?xf32>, %[[Y:.*]]: memref<?xf32>):
// CHECK-NEXT:      func.call @k_0_v1(%[[X]], %[[Y]])
func.func @memref_form(%x: memref<?xf32>, %y: memref<?xf32>, %n: index) {
  multikernel.dispatch @k_0 key(%n) hints [[8], [64]] args(%x, %y : memref<?xf32>, memref<?xf32>) attributes {tilings = [
      #multikernel.tiling<target = cpu, kind = elementwise, block_tile = [8], thread_tile = [8], threads = 0, vector_width = 8, reduction = none, split = 1>,
      #multikernel.tiling<target = cpu, kind = elementwise, block_tile = [64], thread_tile = [8], threads = 0, vector_width = 8, reduction = none, split = 1>]} {
  ^bb0(%a: memref<?xf32>, %b: memref<?xf32>):
    linalg.copy ins(%a : memref<?xf32>) outs(%b : memref<?xf32>)
    multikernel.yield
  }, {
  ^bb0(%a: memref<?xf32>, %b: memref<?xf32>):
    linalg.copy ins(%a : memref<?xf32>) outs(%b : memref<?xf32>)
    multikernel.yield
  }
  return
}

// -----

// Tensor form: the function returns what the variant yielded. A name that
// is taken is made unique.

// CHECK-LABEL: func.func @t_0_v0()
// CHECK-LABEL: func.func private @t_0_v0_0
// CHECK-SAME:    (%{{.*}}: tensor<?xf32>, %{{.*}}: tensor<?xf32>) -> tensor<?xf32>
// CHECK:         %[[R:.*]] = linalg.negf
// CHECK:         return %[[R]] : tensor<?xf32>
// CHECK-LABEL: func.func @tensor_form
// CHECK:         %[[D:.*]] = multikernel.dispatch @t_0
// CHECK:           %[[C:.*]] = func.call @t_0_v0_0(%{{.*}}, %{{.*}}) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
// CHECK-NEXT:      multikernel.yield %[[C]] : tensor<?xf32>
// CHECK:         return %[[D]]
func.func @t_0_v0() {
  return
}
func.func @tensor_form(%x: tensor<?xf32>, %init: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  %r = multikernel.dispatch @t_0 key(%n) hints [[8]] args(%x, %init : tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%a: tensor<?xf32>, %b: tensor<?xf32>):
    %0 = linalg.negf ins(%a : tensor<?xf32>) outs(%b : tensor<?xf32>) -> tensor<?xf32>
    multikernel.yield %0 : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// Writes through views count for the viewed argument; reads do not.

// CHECK-LABEL: func.func @views
// CHECK:         multikernel.dispatch @v_0 {{.*}}written = array<i64: 0, 2>
func.func @views(%a: memref<?xf32>, %b: memref<?xf32>, %c: memref<?x?xf32>, %n: index) {
  multikernel.dispatch @v_0 key(%n) hints [[8]] args(%a, %b, %c : memref<?xf32>, memref<?xf32>, memref<?x?xf32>) {
  ^bb0(%x: memref<?xf32>, %y: memref<?xf32>, %z: memref<?x?xf32>):
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %v = memref.load %y[%c0] : memref<?xf32>
    %sub = memref.subview %x[%c0] [%c4] [1] : memref<?xf32> to memref<?xf32, strided<[1], offset: ?>>
    memref.store %v, %sub[%c0] : memref<?xf32, strided<[1], offset: ?>>
    %flat = memref.collapse_shape %z [[0, 1]] : memref<?x?xf32> into memref<?xf32>
    memref.store %v, %flat[%c0] : memref<?xf32>
    multikernel.yield
  }
  return
}
