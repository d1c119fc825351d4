// RUN: multikernel-opt %s --multikernel-specialize="hints=1024x512,4096x2048" \
// RUN:   --split-input-file --mlir-print-local-scope | FileCheck %s

// The seed's kernel on memrefs: one variant per hint, key = the two
// dynamic loop sizes, each variant the kernel itself, writing in place: on
// the GPU the lowering builds each variant's kernel from its tiling.

// CHECK-LABEL: func.func @seed
// CHECK-SAME:    (%[[X:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?x?xf32>, %[[O:.*]]: memref<?x?xf32>)
// CHECK-DAG:     %[[M:.*]] = memref.dim %[[X]], %c0
// CHECK-DAG:     %[[N:.*]] = memref.dim %[[X]], %c1
// CHECK:         multikernel.dispatch @seed_0 key(%[[M]], %[[N]]) hints {{\[\[}}1024, 512], [4096, 2048]]
// CHECK-SAME:      args(%[[X]], %[[Y]], %[[O]] : memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>)
// CHECK-SAME:      tilings = [#multikernel.tiling<target = gpu, kind = elementwise{{.*}}>, #multikernel.tiling<target = gpu, kind = elementwise{{.*}}>]
// CHECK:         ^bb0(%[[A:.*]]: memref<?x?xf32>, %[[B:.*]]: memref<?x?xf32>, %[[C:.*]]: memref<?x?xf32>):
// CHECK-NOT:       scf.forall
// CHECK:           linalg.generic {{.*}} ins(%[[A]], %[[B]] : {{.*}}) outs(%[[C]] :
// CHECK:             math.sin
// CHECK:           multikernel.yield
// CHECK-NEXT:    }, {
// CHECK:           linalg.generic
// CHECK:           multikernel.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return
func.func @seed(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %s = math.sin %b : f32
    %t = arith.mulf %a, %two : f32
    %r = arith.addf %t, %s : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Tensor form, three inputs: the dispatch returns the result; a scalar the
// body uses from outside becomes an argument, a constant is cloned.

// CHECK-LABEL: func.func @fma_tensor
// CHECK-SAME:    (%[[X:.*]]: tensor<?x?xf32>, %[[Y:.*]]: tensor<?x?xf32>, %[[Z:.*]]: tensor<?x?xf32>, %[[S:.*]]: f32)
// CHECK:         %[[R:.*]] = multikernel.dispatch @fma_tensor_0 key(%{{[a-z_0-9]+}}, %{{[a-z_0-9]+}})
// CHECK-SAME:      args(%[[X]], %[[Y]], %[[Z]], %{{.*}}, %[[S]] : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, f32) -> tensor<?x?xf32>
// CHECK:         ^bb0({{.*}}, %[[SA:.*]]: f32):
// CHECK:           arith.constant 3.000000e+00 : f32
// CHECK:           %[[T:.*]] = scf.forall {{.*}} shared_outs
// CHECK:             arith.mulf {{.*}}, %[[SA]]
// CHECK:           multikernel.yield %[[T]] : tensor<?x?xf32>
// CHECK:         return %[[R]]
func.func @fma_tensor(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>, %z: tensor<?x?xf32>, %s: f32) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %x, %c0 : tensor<?x?xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?xf32>
  %init = tensor.empty(%m, %n) : tensor<?x?xf32>
  %three = arith.constant 3.0 : f32
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %y, %z : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) outs(%init : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %0 = arith.mulf %a, %s : f32
    %1 = arith.mulf %b, %three : f32
    %2 = arith.addf %0, %1 : f32
    %3 = arith.addf %2, %c : f32
    linalg.yield %3 : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// Row reductions: linalg.reduce (sum) and a reduction generic (max).

// CHECK-LABEL: func.func @row_sum
// CHECK:         multikernel.dispatch @row_sum_0 key(%{{[a-z_0-9]+}}, %{{[a-z_0-9]+}}) {{.*}} -> tensor<?xf32> attributes {tilings = [#multikernel.tiling<target = gpu, kind = reduction
// CHECK:           scf.forall
// CHECK:             linalg.reduce
// CHECK:           } {mapping = [#gpu.block<x>]}
func.func @row_sum(%x: tensor<?x?xf32>, %init: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.reduce ins(%x : tensor<?x?xf32>) outs(%init : tensor<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<?xf32>
}

// CHECK-LABEL: func.func @row_max
// CHECK:         multikernel.dispatch @row_max_0 {{.*}}kind = reduction
// CHECK:           linalg.generic
// CHECK:             arith.maximumf
func.func @row_max(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %a, %acc : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// linalg.softmax is left to --multikernel-decompose-softmax (the pipelines
// run it first; its generics form one GPU site, grouping.mlir).

// CHECK-LABEL: func.func @softmax
// CHECK-NOT:     multikernel.dispatch
// CHECK:         linalg.softmax dimension(1)
func.func @softmax(%x: tensor<?x?xf32>, %o: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = linalg.softmax dimension(1) ins(%x : tensor<?x?xf32>) outs(%o : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// Matmul takes three sizes per hint: here from the per-op attribute, which
// wins over the option.

// CHECK-LABEL: func.func @matmul
// CHECK:         multikernel.dispatch @matmul_0 key(%{{[a-z_0-9]+}}, %{{[a-z_0-9]+}}, %{{[a-z_0-9]+}}) hints {{\[\[}}256, 256, 256], [4096, 4096, 4096]]
// CHECK-SAME:      kind = matmul
// CHECK:           linalg.matmul
// CHECK-NOT:         multikernel.hints
func.func @matmul(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul {multikernel.hints = [array<i64: 256, 256, 256>, array<i64: 4096, 4096, 4096>]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// A partly static op: only the dynamic loop is in the key.

// CHECK-LABEL: func.func @partly_static
// CHECK:         multikernel.dispatch @partly_static_0 key(%{{[a-z_0-9]+}}) hints {{\[\[}}100], [5000]]
func.func @partly_static(%x: memref<?x64xf32>, %y: memref<?x64xf32>) {
  linalg.copy {multikernel.hints = [array<i64: 100>, array<i64: 5000>]}
      ins(%x : memref<?x64xf32>) outs(%y : memref<?x64xf32>)
  return
}

// -----

// Site names are unique in the module, also against existing sites.

// CHECK-LABEL: func.func @names
// CHECK:         multikernel.dispatch @names_0
// CHECK:         multikernel.dispatch @names_2
// CHECK:         multikernel.dispatch @names_3
func.func @names(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %n: index) {
  linalg.copy ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>)
  multikernel.dispatch @names_1 key(%n) hints [[1]] {
    multikernel.yield
  }
  linalg.copy ins(%y : memref<?x?xf32>) outs(%x : memref<?x?xf32>)
  linalg.copy ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>)
  return
}
