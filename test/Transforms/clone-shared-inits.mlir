// RUN: multikernel-opt %s --multikernel-clone-shared-inits | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Two sums into one filled tensor (a LayerNorm's mean and variance as JAX
// writes them): the second gets a fill of its own, made just before it.
// CHECK-LABEL: func.func @two_sums
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[M:.*]]) : tensor<?xf32>
// CHECK-NEXT: %[[FILL:.*]] = linalg.fill ins(%[[ZERO:.*]] : f32) outs(%[[EMPTY]] : tensor<?xf32>)
// CHECK-NEXT: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<?x?xf32>) outs(%[[FILL]] : tensor<?xf32>)
// CHECK: %[[EMPTY2:.*]] = tensor.empty(%[[M]]) : tensor<?xf32>
// CHECK-NEXT: %[[FILL2:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY2]] : tensor<?xf32>)
// CHECK-NEXT: %[[SQ:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<?x?xf32>) outs(%[[FILL2]] : tensor<?xf32>)
// CHECK: return %[[SUM]], %[[SQ]]
func.func @two_sums(%x: tensor<?x?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = tensor.dim %x, %c0 : tensor<?x?xf32>
  %e = tensor.empty(%m) : tensor<?xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x?xf32>) outs(%f : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  %sq = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x?xf32>) outs(%f : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %q = arith.mulf %a, %a : f32
    %s = arith.addf %q, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %sum, %sq : tensor<?xf32>, tensor<?xf32>
}

// An empty tensor shared by two outputs: the second gets its own. An init
// made by anything else (here an argument, then an op's result) is left
// alone.
// CHECK-LABEL: func.func @shared_empty
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>
// CHECK: %[[E:.*]] = tensor.empty
// CHECK-NEXT: %[[A:.*]] = linalg.exp ins(%[[X]] : tensor<?xf32>) outs(%[[E]] : tensor<?xf32>)
// CHECK-NEXT: %[[E2:.*]] = tensor.empty
// CHECK-NEXT: %[[B:.*]] = linalg.exp ins(%[[X]] : tensor<?xf32>) outs(%[[E2]] : tensor<?xf32>)
// CHECK-NEXT: %[[C:.*]] = linalg.exp ins(%[[A]] : tensor<?xf32>) outs(%[[X]] : tensor<?xf32>)
// CHECK-NEXT: %[[D:.*]] = linalg.exp ins(%[[B]] : tensor<?xf32>) outs(%[[X]] : tensor<?xf32>)
// CHECK-NEXT: linalg.exp ins(%[[D]] : tensor<?xf32>) outs(%[[C]] : tensor<?xf32>)
// CHECK-NEXT: linalg.exp ins(%[[C]] : tensor<?xf32>) outs(%[[C]] : tensor<?xf32>)
func.func @shared_empty(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %a = linalg.exp ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %b = linalg.exp ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %c = linalg.exp ins(%a : tensor<?xf32>) outs(%x : tensor<?xf32>) -> tensor<?xf32>
  %d = linalg.exp ins(%b : tensor<?xf32>) outs(%x : tensor<?xf32>) -> tensor<?xf32>
  %g = linalg.exp ins(%d : tensor<?xf32>) outs(%c : tensor<?xf32>) -> tensor<?xf32>
  %h = linalg.exp ins(%c : tensor<?xf32>) outs(%c : tensor<?xf32>) -> tensor<?xf32>
  return %h : tensor<?xf32>
}
