// RUN: multikernel-opt %s --split-input-file --multikernel-fuse-elementwise --canonicalize --cse | FileCheck %s
// RUN: multikernel-opt %S/../Integration/Inputs/frontend/layernorm.mlir --multikernel-fuse-elementwise --canonicalize --cse | FileCheck %s --check-prefix=JAX
// RUN: multikernel-opt %S/../Integration/Inputs/frontend/column_sum.mlir --multikernel-fuse-elementwise | FileCheck %s --check-prefix=COLUMNS

// JAX's column sum through IREE's import reduces the innermost loop of the
// transposed input; its loops are put in the input's memory order: a
// reduction over the outer loop of the input read as it is stored.
// COLUMNS-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// COLUMNS-DAG: #[[KEPT:.*]] = affine_map<(d0, d1) -> (d1)>
// COLUMNS: linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]]], iterator_types = ["reduction", "parallel"]} ins(%arg0 : tensor<?x512xf32>)

// JAX's LayerNorm (19 linalg ops through IREE's StableHLO import) becomes
// the sum, the centered input (read twice: not duplicated), the sum of its
// squares and the normalization; the constant 512 is a scalar in the
// bodies; no ?x1 tensor is left.
// JAX-LABEL: func.func public @main(
// JAX-SAME: %[[X:.*]]: tensor<?x512xf32>, %[[G:.*]]: tensor<512xf32>, %[[B:.*]]: tensor<512xf32>) -> tensor<?x512xf32>
// JAX-NOT: x1xf32
// JAX: %[[FILL:.*]] = linalg.fill
// JAX-NEXT: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[X]] : tensor<?x512xf32>) outs(%[[FILL]] : tensor<?xf32>)
// JAX: %[[CENTERED:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}} ins(%[[X]], %[[SUM]] : tensor<?x512xf32>, tensor<?xf32>)
// JAX: arith.divf %{{.*}}, %cst
// JAX: %[[SQUARES:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[CENTERED]] : tensor<?x512xf32>) outs(%[[FILL]] : tensor<?xf32>)
// JAX: arith.mulf
// JAX: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[CENTERED]], %[[SQUARES]], %[[G]], %[[B]] :
// JAX: math.rsqrt
// JAX-NOT: linalg.{{generic|fill}}
// JAX: return %[[OUT]]

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#first = affine_map<(d0, d1) -> (d0, 0)>

// A row value broadcast through a ?x1 tensor, then subtracted: one op that
// reads the row value directly.
// CHECK-LABEL: func.func @broadcast_through_unit_dim(
// CHECK-SAME: %[[X:.*]]: tensor<?x?xf32>, %[[ROW:.*]]: tensor<?xf32>)
// CHECK-NOT: tensor.expand_shape
// CHECK-NOT: tensor.collapse_shape
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[ROW]] : tensor<?x?xf32>, tensor<?xf32>)
// CHECK: arith.subf
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @broadcast_through_unit_dim(%x: tensor<?x?xf32>, %row: tensor<?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %x, %c0 : tensor<?x?xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?xf32>
  %e1 = tensor.empty(%m) : tensor<?x1xf32>
  %keep = linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%row : tensor<?xf32>) outs(%e1 : tensor<?x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<?x1xf32>
  %e2 = tensor.empty(%m, %n) : tensor<?x?xf32>
  %wide = linalg.generic {indexing_maps = [#first, #id], iterator_types = ["parallel", "parallel"]}
      ins(%keep : tensor<?x1xf32>) outs(%e2 : tensor<?x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %wide : tensor<?x?xf32>, tensor<?x?xf32>) outs(%e2 : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// Unit dimensions of the function's arguments and results stay: no
// reshapes of its buffers.
// CHECK-LABEL: func.func @unit_dims_at_the_boundary(
// CHECK-SAME: %[[X:.*]]: tensor<?x1xf32>) -> tensor<?x1xf32>
// CHECK-NOT: tensor.expand_shape
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<?x1xf32>) outs(%{{.*}} : tensor<?x1xf32>)
func.func @unit_dims_at_the_boundary(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x1xf32>
  %e = tensor.empty(%m) : tensor<?x1xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x1xf32>) outs(%e : tensor<?x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.exp %a : f32
    linalg.yield %s : f32
  } -> tensor<?x1xf32>
  return %r : tensor<?x1xf32>
}

// -----

// A splat constant broadcast to a tensor and read by two ops is a scalar in
// both.
// CHECK-LABEL: func.func @splat_read_twice(
// CHECK-SAME: %[[X:.*]]: tensor<?xf32>)
// CHECK: %[[C:.*]] = arith.constant 5.120000e+02 : f32
// CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<?xf32>)
// CHECK: arith.divf %{{.*}}, %[[C]]
// CHECK: linalg.generic {{.*}} ins(%[[X]], %{{.*}} : tensor<?xf32>, tensor<?xf32>)
// CHECK: arith.mulf %{{.*}}, %[[C]]
func.func @splat_read_twice(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %k = arith.constant dense<512.0> : tensor<f32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %splat = linalg.generic {indexing_maps = [affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%k : tensor<f32>) outs(%e : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<?xf32>
  %q = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x, %splat : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.divf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<?xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x, %q, %splat : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %d = arith.mulf %a, %c : f32
    %s = arith.addf %d, %b : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %q, %p : tensor<?xf32>, tensor<?xf32>
}
