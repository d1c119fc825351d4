// RUN: multikernel-opt %s --split-input-file \
// RUN:   --pass-pipeline="builtin.module(multikernel-decompose-softmax,multikernel-specialize{sm-count=16},multikernel-outline-variants,multikernel-gpu-codegen,canonicalize,cse)" \
// RUN:   | FileCheck %s

// A reduction whose hint has fewer rows than multiprocessors (8x100000, 16
// multiprocessors) gets the split strategy, whose tiling aims at two blocks
// per multiprocessor (split = 32), chunks of 8192 elements at least and
// 4 blocks per row at least. At run time the host computes the blocks per
// row for the call's shape from them: 32 over the rows, no chunk under 8192
// elements; below 4 blocks per row it runs the block-per-row kernels. Split: the partials go to a scratch
// buffer allocated (asynchronously, in stream order) for the call; one
// block per (row, chunk) folds its chunk and writes its partial; the last
// launch combines the initial value and a row's partials in order
// (deterministic) and stores the row's result.

// CHECK-LABEL: func.func private @few_long_rows_0_v0
// CHECK-SAME:    reduction = split, split = 32, thread_row_limit = 16, split_chunk = 8192, min_split = 4
// CHECK:         %[[ROWS:.*]] = memref.dim %{{.*}}, %c0
// CHECK:         %[[N:.*]] = memref.dim %{{.*}}, %c1
// CHECK:         } else {
// CHECK:           %[[R:.*]] = arith.maxui %[[ROWS]], %c1
// CHECK:           %[[WANTED:.*]] = arith.divui %c32, %[[R]]
// CHECK:           %[[MOST:.*]] = arith.ceildivui %[[N]], %c8192
// CHECK:           %[[SPLIT:.*]] = arith.minui %[[WANTED]], %[[MOST]]
// CHECK:           %[[SPLITS:.*]] = arith.cmpi uge, %[[SPLIT]], %c4
// CHECK:           scf.if %[[SPLITS]] {
// CHECK:             scf.if
// CHECK:               %[[T0:.*]] = gpu.wait async
// CHECK:               %[[PARTIALS:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] (%[[ROWS]], %[[SPLIT]]) : memref<?x?xf32>
// CHECK:               %[[BLOCKS:.*]] = arith.muli %[[ROWS]], %[[SPLIT]]
// CHECK:               gpu.launch blocks({{.*}}) in ({{.*}} = %[[BLOCKS]],
// CHECK:                 arith.divui %{{.*}}, %[[SPLIT]]
// CHECK:                 arith.remui %{{.*}}, %[[SPLIT]]
// CHECK:                 scf.for
// CHECK:                   vector.load
// CHECK:                 gpu.barrier
// CHECK:                 memref.store %{{.*}}, %[[PARTIALS]]
// CHECK:               gpu.launch
// CHECK:                 scf.for %{{.*}} = %c0 to %[[SPLIT]]
// CHECK:                   memref.load %[[PARTIALS]]
// CHECK:                 memref.store
// CHECK:               %[[T2:.*]] = gpu.dealloc async [%[[T1]]] %[[PARTIALS]]
// CHECK:               gpu.wait [%[[T2]]]
// CHECK:           } else {
// CHECK:             gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c1024
func.func @few_long_rows(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"],
                  multikernel.hints = [array<i64: 8, 100000>]}
      ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Softmax with the split strategy: one launch per reduction and one for
// the outputs. The first writes the chunks' maxima; the second combines a
// row's maxima in every block, then writes the chunks' sums of
// exponentials; the third combines both and writes the chunk's outputs.

// CHECK-LABEL: func.func private @few_long_softmax_rows_0_v0
// CHECK-SAME:    reduction = split
// CHECK:         scf.if %{{.*}} {
// CHECK:           %[[MAXES:.*]], %[[T1:.*]] = gpu.alloc async
// CHECK:           %[[SUMS:.*]], %[[T2:.*]] = gpu.alloc async
// CHECK:           gpu.launch
// CHECK:             arith.maxnumf {{.*}} : vector<4xf32>
// CHECK-NOT:         math.exp
// CHECK:             memref.store %{{.*}}, %[[MAXES]]
// CHECK:           gpu.launch
// CHECK:             memref.load %[[MAXES]]
// CHECK:             math.exp {{.*}} : vector<4xf32>
// CHECK:             memref.store %{{.*}}, %[[SUMS]]
// CHECK:           gpu.launch
// CHECK:             memref.load %[[MAXES]]
// CHECK:             memref.load %[[SUMS]]
// CHECK:             scf.for
// CHECK:               math.exp {{.*}} : vector<4xf32>
// CHECK:               arith.divf
// CHECK:               vector.store
// CHECK:           gpu.dealloc async [%[[T1]]] %[[MAXES]]
// CHECK:           gpu.dealloc async [%[[T2]]] %[[SUMS]]
func.func @few_long_softmax_rows(%x: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.softmax {multikernel.hints = [array<i64: 8, 100000>]}
      dimension(1) ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  return
}
