// RUN: multikernel-opt %s | multikernel-opt | FileCheck %s
// RUN: multikernel-opt %s --mlir-print-op-generic | multikernel-opt | FileCheck %s
// RUN: multikernel-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// The generic form is a contract for compilers that build the op: it must
// parse and verify exactly as written here.

// CHECK-LABEL: func.func @generic_form
// CHECK-SAME:    (%[[M:.*]]: index, %[[N:.*]]: index, %[[X:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?x?xf32>)
// CHECK:         multikernel.dispatch @k0 key(%[[M]], %[[N]]) hints {{\[\[}}1024, 512], [4096, 2048]]
// CHECK-SAME:      args(%[[X]], %[[Y]] : memref<?x?xf32>, memref<?x?xf32>) {
// CHECK-NEXT:    ^bb0(%{{.*}}: memref<?x?xf32>, %{{.*}}: memref<?x?xf32>):
// CHECK-NEXT:      multikernel.yield
// CHECK-NEXT:    }, {
// CHECK-NEXT:    ^bb0(%{{.*}}: memref<?x?xf32>, %{{.*}}: memref<?x?xf32>):
// CHECK-NEXT:      multikernel.yield
// CHECK-NEXT:    }
// GENERIC-LABEL: sym_name = "generic_form"
// GENERIC:       "multikernel.dispatch"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{hints = [array<i64: 1024, 512>, array<i64: 4096, 2048>], operandSegmentSizes = array<i32: 2, 2>, sym_name = "k0"}> ({
// GENERIC:         "multikernel.yield"() : () -> ()
// GENERIC:       }, {
// GENERIC:         "multikernel.yield"() : () -> ()
// GENERIC:       }) : (index, index, memref<?x?xf32>, memref<?x?xf32>) -> ()
func.func @generic_form(%m: index, %n: index, %x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  "multikernel.dispatch"(%m, %n, %x, %y) <{sym_name = "k0",
      hints = [array<i64: 1024, 512>, array<i64: 4096, 2048>],
      operandSegmentSizes = array<i32: 2, 2>}> ({
  ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>):
    "multikernel.yield"() : () -> ()
  }, {
  ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>):
    "multikernel.yield"() : () -> ()
  }) : (index, index, memref<?x?xf32>, memref<?x?xf32>) -> ()
  return
}

// The memref form with real bodies: each variant writes its output in place.

// CHECK-LABEL: func.func @memref_form
// CHECK:         multikernel.dispatch @scale_0 key(%{{.*}}, %{{.*}}) hints {{\[\[}}1024, 512], [4096, 2048]] args(%{{.*}}, %{{.*}} : memref<?x?xf32>, memref<?x?xf32>) {
// CHECK:           linalg.copy
// CHECK:           multikernel.yield
// CHECK:         }, {
// CHECK:           linalg.copy
// CHECK:           multikernel.yield
// CHECK:         }
func.func @memref_form(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  multikernel.dispatch @scale_0 key(%m, %n) hints [[1024, 512], [4096, 2048]]
      args(%x, %y : memref<?x?xf32>, memref<?x?xf32>) {
  ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>):
    linalg.copy ins(%a : memref<?x?xf32>) outs(%b : memref<?x?xf32>)
    multikernel.yield
  }, {
  ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>):
    linalg.copy ins(%a : memref<?x?xf32>) outs(%b : memref<?x?xf32>)
    multikernel.yield
  }
  return
}

// The tensor form: variants yield the results.

// CHECK-LABEL: func.func @tensor_form
// CHECK:         %[[R:.*]] = multikernel.dispatch @neg_0 key(%{{.*}}) hints {{\[\[}}4096]] args(%{{.*}}, %{{.*}} : tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32> {
// CHECK:           %[[V:.*]] = linalg.negf
// CHECK:           multikernel.yield %[[V]] : tensor<?xf32>
// CHECK:         }
// CHECK:         return %[[R]]
func.func @tensor_form(%x: tensor<?xf32>, %init: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %r = multikernel.dispatch @neg_0 key(%n) hints [[4096]]
      args(%x, %init : tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%a: tensor<?xf32>, %b: tensor<?xf32>):
    %0 = linalg.negf ins(%a : tensor<?xf32>) outs(%b : tensor<?xf32>) -> tensor<?xf32>
    multikernel.yield %0 : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// One region is allowed, and so are no args and a dialect attribute.

// CHECK-LABEL: func.func @single_variant_no_args
// CHECK:         multikernel.dispatch @solo key(%{{.*}}) hints {{\[\[}}7]] attributes {note = "x"} {
// CHECK-NEXT:      multikernel.yield
// CHECK-NEXT:    }
func.func @single_variant_no_args(%n: index) {
  multikernel.dispatch @solo key(%n) hints [[7]] attributes {note = "x"} {
    multikernel.yield
  }
  return
}

// The per-op hint attribute is accepted on any op.

// CHECK-LABEL: func.func @hints_attribute
// CHECK:         linalg.copy {multikernel.hints = [array<i64: 64, 64>]}
func.func @hints_attribute(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.copy {multikernel.hints = [array<i64: 64, 64>]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>)
  return
}

// A nested symbol table is a namespace of its own: its site may reuse a name
// of the outer module.

// CHECK-LABEL: func.func @outer_site
// CHECK:         multikernel.dispatch @shared_name
// CHECK:       module @inner
// CHECK:         multikernel.dispatch @shared_name
func.func @outer_site(%n: index) {
  multikernel.dispatch @shared_name key(%n) hints [[7]] {
    multikernel.yield
  }
  return
}
module @inner {
  func.func @inner_site(%n: index) {
    multikernel.dispatch @shared_name key(%n) hints [[7]] {
      multikernel.yield
    }
    return
  }
}
