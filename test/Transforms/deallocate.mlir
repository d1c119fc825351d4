// RUN: multikernel-opt %s --split-input-file --multikernel-deallocate \
// RUN:   --bufferization-lower-deallocations --canonicalize | FileCheck %s

// What bufferization leaves (allocations and no deallocation) gets upstream's
// deallocation.
// CHECK-LABEL: func.func @bufferized
// CHECK:         %[[T:.*]] = memref.alloc
// CHECK:         linalg.copy ins(%{{.*}} : memref<?xf32>) outs(%[[T]] :
// CHECK:         linalg.copy ins(%[[T]] :
// CHECK:         memref.dealloc %[[T]]
// CHECK-NEXT:    return
func.func @bufferized(%x: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %t = memref.alloc(%n) : memref<?xf32>
  linalg.copy ins(%x : memref<?xf32>) outs(%t : memref<?xf32>)
  linalg.copy ins(%t : memref<?xf32>) outs(%out : memref<?xf32>)
  return
}

// -----

// A function that frees its own buffers is left as it is (upstream's pass
// would reject it: "memory free side-effect on MemRef value not
// supported!"), and so is a function around a dispatch written by another
// compiler, whose regions upstream's pass does not model.
// CHECK-LABEL: func.func @frees_its_own
// CHECK:         %[[T:.*]] = memref.alloc
// CHECK-COUNT-2: linalg.copy
// CHECK-NEXT:    memref.dealloc %[[T]]
// CHECK-NEXT:    return
func.func @frees_its_own(%x: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %t = memref.alloc(%n) : memref<?xf32>
  linalg.copy ins(%x : memref<?xf32>) outs(%t : memref<?xf32>)
  linalg.copy ins(%t : memref<?xf32>) outs(%out : memref<?xf32>)
  memref.dealloc %t : memref<?xf32>
  return
}

// CHECK-LABEL: func.func @hand_written_dispatch
// CHECK-NOT:     memref.dealloc
// CHECK:         multikernel.dispatch @copy_0
// CHECK-NOT:     memref.dealloc
// CHECK:         return
func.func @hand_written_dispatch(%x: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  multikernel.dispatch @copy_0 key(%n) hints [[64], [4096]]
      args(%x, %out : memref<?xf32>, memref<?xf32>) {
  ^bb0(%a: memref<?xf32>, %o: memref<?xf32>):
    linalg.copy ins(%a : memref<?xf32>) outs(%o : memref<?xf32>)
    multikernel.yield
  }, {
  ^bb0(%a: memref<?xf32>, %o: memref<?xf32>):
    linalg.copy ins(%a : memref<?xf32>) outs(%o : memref<?xf32>)
    multikernel.yield
  }
  return
}
