// RUN: multikernel-opt %s --multikernel-specialize="target=cpu hints=1024x512" \
// RUN:   --split-input-file | FileCheck %s --check-prefix=CPU
// RUN: multikernel-opt %s --multikernel-specialize="target=gpu hints=1024x512" \
// RUN:   --split-input-file | FileCheck %s --check-prefix=GPU

// CPU reductions fold into their accumulator with fastmath<reassoc>, so LLVM
// vectorizes them with partial sums; the GPU lowering does its own reduction
// tree and keeps the op as written.

// CPU-LABEL: func.func @row_sum
// CPU:         multikernel.dispatch
// CPU:           arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// GPU-LABEL: func.func @row_sum
// GPU-NOT:     fastmath
func.func @row_sum(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) dimensions = [1]
  (%in: f32, %acc: f32) {
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Flags already present are kept; only the op that takes the accumulator is
// marked (here the max, not the exp before it).

// CPU-LABEL: func.func @row_max_of_exp
// CPU:         math.exp %{{[^ ]*}} : f32
// CPU:         arith.maximumf %{{.*}}, %{{.*}} fastmath<reassoc,nnan> : f32
// GPU-LABEL: func.func @row_max_of_exp
// GPU:         arith.maximumf %{{.*}}, %{{.*}} fastmath<nnan> : f32
func.func @row_max_of_exp(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %e = math.exp %in : f32
    %m = arith.maximumf %e, %acc fastmath<nnan> : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Elementwise ops are not reductions: nothing to reassociate.

// CPU-LABEL: func.func @scale
// CPU-NOT:     fastmath
func.func @scale(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %in : f32
    linalg.yield %s : f32
  }
  return
}
