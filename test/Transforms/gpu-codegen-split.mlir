// RUN: multikernel-opt %s --split-input-file \
// RUN:   --pass-pipeline="builtin.module(multikernel-specialize,multikernel-outline-variants,multikernel-gpu-codegen{sm-count=16})" \
// RUN:   | FileCheck %s

// A reduction whose hint has few long rows (96x100000) gets the split
// strategy. At run time the host computes the blocks per row for the call's
// shape: as many as fit two per multiprocessor in one wave (2 x 16 = 32
// here, over the rows), no chunk under 8192 elements; below 4 blocks per row
// it runs the block-per-row kernel. Split: partials go to a scratch buffer
// allocated (asynchronously, in stream order) for the call, one block per
// (row, chunk) folds a chunk and writes its partial, then a thread per row
// combines the initial value and the partials in order.

// CHECK-LABEL: func.func private @few_long_rows_0_v0
// CHECK-SAME:    reduction = "split"
// CHECK:         %[[ROWS:.*]] = memref.dim %{{.*}}, %c0
// CHECK:         %[[N:.*]] = memref.dim %{{.*}}, %c1
// CHECK:         } else {
// CHECK:           %[[TWICE_SMS:.*]] = arith.constant 32 : index
// CHECK:           %[[R:.*]] = arith.maxui %[[ROWS]], %{{.*}}
// CHECK:           %[[WANTED:.*]] = arith.divui %[[TWICE_SMS]], %[[R]]
// CHECK:           %[[MIN_CHUNK:.*]] = arith.constant 8192 : index
// CHECK:           %[[MOST:.*]] = arith.ceildivui %[[N]], %[[MIN_CHUNK]]
// CHECK:           %[[SPLIT:.*]] = arith.minui %[[WANTED]], %[[MOST]]
// CHECK:           %[[MIN_SPLIT:.*]] = arith.constant 4 : index
// CHECK:           %[[SPLITS:.*]] = arith.cmpi uge, %[[SPLIT]], %[[MIN_SPLIT]]
// CHECK:           scf.if %[[SPLITS]] {
// CHECK:             %[[T0:.*]] = gpu.wait async
// CHECK:             %[[PARTIALS:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] (%[[ROWS]], %[[SPLIT]]) : memref<?x?xf32>
// CHECK:             %[[BLOCKS:.*]] = arith.muli %[[ROWS]], %[[SPLIT]]
// CHECK:             gpu.launch blocks({{.*}}) in ({{.*}} = %[[BLOCKS]],
// CHECK:               arith.divui %{{.*}}, %[[SPLIT]]
// CHECK:               arith.remui %{{.*}}, %[[SPLIT]]
// CHECK:               scf.for
// CHECK:                 vector.load
// CHECK:               gpu.all_reduce  add
// CHECK:               memref.store %{{.*}}, %[[PARTIALS]]
// CHECK:             gpu.launch
// CHECK:               scf.for %{{.*}} = %c0{{.*}} to %[[SPLIT]]
// CHECK:                 memref.load %[[PARTIALS]]
// CHECK:             %[[T2:.*]] = gpu.dealloc async [%[[T1]]] %[[PARTIALS]]
// CHECK:             gpu.wait [%[[T2]]]
// CHECK:           } else {
// CHECK:             gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c1024
// CHECK:               gpu.all_reduce  add
func.func @few_long_rows(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"],
                  multikernel.hints = [array<i64: 96, 100000>]}
      ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Softmax with the split strategy: the same host-side choice, from 2 blocks
// per row; stage 1 reads its chunk once for both its maximum and its sum of
// exponentials (each thread rescales its sum when its maximum grows; the
// block rescales the threads' sums to the block's maximum) and writes them
// to a scratch row of 2 x split; stage 2 combines a row's partials in every
// block and writes the chunk's outputs.

// CHECK-LABEL: func.func private @few_long_softmax_rows_0_v0
// CHECK-SAME:    reduction = "split"
// CHECK:         %[[ROWS:.*]] = memref.dim %{{.*}}, %c0
// CHECK:         %[[SPLITS:.*]] = arith.cmpi uge, %[[SPLIT:.*]], %c2
// CHECK:         scf.if %[[SPLITS]] {
// CHECK:           %[[TWICE:.*]] = arith.muli %[[SPLIT]], %c2
// CHECK:           %[[T0:.*]] = gpu.wait async
// CHECK:           %[[PARTIALS:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] (%[[ROWS]], %[[TWICE]]) : memref<?x?xf32>
// CHECK:           gpu.launch
// CHECK:             scf.for {{.*}} -> (f32, f32)
// CHECK:               vector.load
// CHECK:               math.exp
// CHECK-NOT:         vector.load
// CHECK:             gpu.all_reduce  maximumf
// CHECK:             math.exp
// CHECK:             gpu.all_reduce  add
// CHECK:             memref.store %{{.*}}, %[[PARTIALS]]
// CHECK:             memref.store %{{.*}}, %[[PARTIALS]]
// CHECK:           gpu.launch
// CHECK:             scf.for %{{.*}} = %c0{{.*}} to %[[SPLIT]]
// CHECK:               memref.load %[[PARTIALS]]
// CHECK:               arith.maximumf
// CHECK:             scf.for %{{.*}} = %c0{{.*}} to %[[SPLIT]]
// CHECK:               math.exp
// CHECK:             arith.divf
// CHECK:             scf.for
// CHECK:               vector.store
// CHECK:           gpu.dealloc async [%[[T1]]] %[[PARTIALS]]
func.func @few_long_softmax_rows(%x: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.softmax {multikernel.hints = [array<i64: 96, 100000>]}
      dimension(1) ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  return
}
