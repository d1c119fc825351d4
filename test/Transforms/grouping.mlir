// RUN: multikernel-opt %s --split-input-file --verify-diagnostics \
// RUN:   --multikernel-decompose-softmax --multikernel-specialize="hints=4096x512 remarks=true" \
// RUN:   | FileCheck %s

// On the GPU, the ops that one kernel can compute together form one
// dispatch site: the ops joined by intermediate buffers (allocations only
// they use), then each op with the ops that wrote what it reads. The
// intermediates move into each variant.

// softmax(x + y): the add and the softmax's three generics, one site; the
// intermediate of the add and the softmax's two row buffers are allocated
// in each variant.
// CHECK-LABEL: func.func @softmax_add
// CHECK:         multikernel.dispatch @softmax_add_0 {{.*}} args(%arg0, %arg1, %arg2, %{{.*}}, %{{.*}} : memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, index, index)
// CHECK-SAME:      kind = reduction
// CHECK-NEXT:    ^bb0(%[[X:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?x?xf32>, %[[O:.*]]: memref<?x?xf32>, %[[M:.*]]: index, %[[N:.*]]: index):
// CHECK-DAG:       %[[T:.*]] = memref.alloc(%[[M]], %[[N]]) : memref<?x?xf32>
// CHECK-DAG:       %[[MAX:.*]] = memref.alloc(%[[M]]) : memref<?xf32>
// CHECK-DAG:       %[[SUM:.*]] = memref.alloc(%[[M]]) : memref<?xf32>
// CHECK:           linalg.add ins(%[[X]], %[[Y]] : {{.*}}) outs(%[[T]] :
// CHECK:           linalg.fill {{.*}} outs(%[[MAX]] :
// CHECK:           linalg.generic {{.*}} ins(%[[T]] : {{.*}}) outs(%[[MAX]] :
// CHECK:           linalg.fill {{.*}} outs(%[[SUM]] :
// CHECK:           linalg.generic {{.*}} ins(%[[T]], %[[MAX]] : {{.*}}) outs(%[[SUM]] :
// CHECK:           linalg.generic {{.*}} ins(%[[T]], %[[MAX]], %[[SUM]] : {{.*}}) outs(%[[O]] :
// CHECK-DAG:       memref.dealloc %[[T]]
// CHECK-DAG:       memref.dealloc %[[MAX]]
// CHECK-DAG:       memref.dealloc %[[SUM]]
// CHECK:           multikernel.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return
func.func @softmax_add(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  %t = memref.alloc(%m, %n) : memref<?x?xf32>
  linalg.add ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%t : memref<?x?xf32>)
  linalg.softmax dimension(1) ins(%t : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  memref.dealloc %t : memref<?x?xf32>
  return
}

// -----

// A consumer after the deallocation of an intermediate of its producers'
// group (the decomposed softmax frees its row buffers after the normalizing
// op, as bufferization frees a buffer after its last use): the group's
// deallocations go with it into the variants, so the truncation joins the
// softmax, one site, its output written in bf16 directly.
// CHECK-LABEL: func.func @softmax_then_truncate
// CHECK:         multikernel.dispatch @softmax_then_truncate_0 {{.*}} args(%arg0, %arg1, {{.*}} : memref<?x?xf32>, memref<?x?xbf16>, {{.*}})
// CHECK-SAME:      kind = reduction
// CHECK:           arith.truncf
// CHECK-COUNT-3:   memref.dealloc
// CHECK-NEXT:      multikernel.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return
func.func @softmax_then_truncate(%x: memref<?x?xf32>, %out: memref<?x?xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  %s = memref.alloc(%m, %n) : memref<?x?xf32>
  linalg.softmax dimension(1) ins(%x : memref<?x?xf32>) outs(%s : memref<?x?xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%s : memref<?x?xf32>) outs(%out : memref<?x?xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %s : memref<?x?xf32>
  return
}

// -----

// Two ops on unrelated buffers: two sites.
// CHECK-LABEL: func.func @unrelated
// CHECK:         multikernel.dispatch @unrelated_0
// CHECK:           linalg.copy
// CHECK:         multikernel.dispatch @unrelated_1
// CHECK:           linalg.add
func.func @unrelated(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>, %d: memref<?x?xf32>) {
  linalg.copy ins(%a : memref<?x?xf32>) outs(%b : memref<?x?xf32>)
  linalg.add ins(%c, %c : memref<?x?xf32>, memref<?x?xf32>) outs(%d : memref<?x?xf32>)
  return
}

// -----

// An elementwise op that reads what another wrote to an output argument
// joins it: the first result is stored (the caller sees it), the second op
// uses it from registers.
// CHECK-LABEL: func.func @through_an_output
// CHECK:         multikernel.dispatch @through_an_output_0
// CHECK:           linalg.exp
// CHECK:           linalg.add
// CHECK-NOT:     multikernel.dispatch
func.func @through_an_output(%x: memref<?x?xf32>, %e: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.exp ins(%x : memref<?x?xf32>) outs(%e : memref<?x?xf32>)
  linalg.add ins(%e, %x : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  return
}

// -----

// A row sum and an op over its result alone (one loop, a mean from a sum):
// one kernel, the op computed once per row; the sum never reaches memory.
// CHECK-LABEL: func.func @sum_then_sqrt
// CHECK:         multikernel.dispatch @sum_then_sqrt_0 {{.*}} args(%arg0, %arg1, %{{.*}} :
// CHECK-SAME:      kind = reduction
// CHECK:           memref.alloc
// CHECK:           linalg.fill
// CHECK:           linalg.reduce
// CHECK:           linalg.sqrt
// CHECK-NOT:     multikernel.dispatch
func.func @sum_then_sqrt(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %s = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%s : memref<?xf32>)
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%s : memref<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  linalg.sqrt ins(%s : memref<?xf32>) outs(%out : memref<?xf32>)
  memref.dealloc %s : memref<?xf32>
  return
}

// -----

// An op over the rows before a reduction that reads its result: inlined
// where the reduction reads it, one kernel.
// CHECK-LABEL: func.func @sqrt_then_sum
// CHECK:         multikernel.dispatch @sqrt_then_sum_0
// CHECK:           linalg.sqrt
// CHECK:           linalg.generic
// CHECK-NOT:     multikernel.dispatch
func.func @sqrt_then_sum(%x: memref<?x?xf32>, %scale: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %s = memref.alloc(%m) : memref<?xf32>
  linalg.sqrt {multikernel.hints = [array<i64: 4096>]} ins(%scale : memref<?xf32>) outs(%s : memref<?xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x, %s : memref<?x?xf32>, memref<?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %p, %acc : f32
    linalg.yield %r : f32
  }
  memref.dealloc %s : memref<?xf32>
  return
}

// -----

// An op in between that writes what the group reads keeps the group apart:
// the ops cannot move past it.
// CHECK-LABEL: func.func @interleaved
// CHECK:         multikernel.dispatch @interleaved_0
// CHECK:           linalg.exp
// CHECK:         memref.copy
// CHECK:         multikernel.dispatch @interleaved_1
// CHECK:           linalg.add
func.func @interleaved(%x: memref<?x?xf32>, %e: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.exp ins(%x : memref<?x?xf32>) outs(%e : memref<?x?xf32>)
  memref.copy %out, %x : memref<?x?xf32> to memref<?x?xf32>
  linalg.add ins(%e, %x : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  return
}

// -----

// A column mean (a sum over the outer loop, then a division per column):
// one site, a column reduction. Subtracting the column sums from every
// element needs each sum complete: a second site.
// CHECK-LABEL: func.func @column_mean_then_center
// CHECK:         multikernel.dispatch @column_mean_then_center_0
// CHECK-SAME:      reduction = column
// CHECK:           linalg.fill
// CHECK:           linalg.reduce
// CHECK:           linalg.generic {{.*}} iterator_types = ["parallel"]
// CHECK:           multikernel.yield
// CHECK:         multikernel.dispatch @column_mean_then_center_1
// CHECK-SAME:      kind = elementwise
// CHECK:           arith.subf
func.func @column_mean_then_center(%x: memref<?x?xf32>, %mean: memref<?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  %mi = arith.index_cast %m : index to i64
  %mf = arith.sitofp %mi : i64 to f32
  %sum = memref.alloc(%n) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%sum : memref<?xf32>)
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%sum : memref<?xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%sum : memref<?xf32>) outs(%mean : memref<?xf32>) {
  ^bb0(%s: f32, %o: f32):
    %r = arith.divf %s, %mf : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %mean : memref<?x?xf32>, memref<?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %d = arith.subf %a, %s : f32
    linalg.yield %d : f32
  }
  return
}
