// RUN: multikernel-opt %s \
// RUN:   --pass-pipeline="builtin.module(multikernel-specialize{hints=64x65536,1048576x4},multikernel-outline-variants,multikernel-gpu-codegen,canonicalize,cse)" \
// RUN:   | FileCheck %s

// A column mean: a sum over the outer loop, then a division per column.
// Thread x takes 4 columns (a vector), thread y a slice of the rows; each
// thread folds its rows four at a time (four loads in flight), then the
// block's slices are combined in order through workgroup memory by its
// first row of threads, which adds the initial value (the fill's zero,
// never stored), divides and stores the means: one kernel, the sums never
// reach memory.

// Wide (64x65536): 64 threads along the columns, 4 slices of 16 rows;
// enough column blocks: one launch.
// CHECK-LABEL: func.func private @column_mean_0_v0
// CHECK-SAME:    block_tile = [4, 256], thread_tile = [1, 4], threads = 256, vector_width = 4, reduction = column, split = 1
// CHECK:         %[[ROWS:.*]] = memref.dim %arg0, %c0
// CHECK:         %[[COLS:.*]] = memref.dim %arg0, %c1
// CHECK:         scf.if
// CHECK:           %[[TILES:.*]] = arith.ceildivui %[[COLS]], %c256
// CHECK:           gpu.launch blocks({{.*}}) in ({{.*}} = %[[TILES]], {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c64, {{.*}} = %c4, {{.*}} = %c1) workgroup(%[[SLICES:.*]] : memref<4x256xf32, #gpu.address_space<workgroup>>)
// CHECK:             scf.for {{.*}} iter_args(%{{.*}} = %cst) -> (vector<4xf32>)
// CHECK-COUNT-4:       vector.load %arg0
// CHECK:             scf.for {{.*}} -> (vector<4xf32>)
// CHECK-NEXT:          arith.muli
// CHECK-NEXT:          arith.addi
// CHECK-NEXT:          vector.load %arg0
// CHECK-NEXT:          arith.addf {{.*}} : vector<4xf32>
// CHECK:             memref.store %{{.*}}, %[[SLICES]]
// CHECK:             gpu.barrier
// CHECK:             scf.if
// CHECK:               scf.for %{{.*}} = %c1 to %c4
// CHECK:                 memref.load %[[SLICES]]
// CHECK-NOT:           memref.store
// CHECK:               arith.divf {{.*}} : vector<4xf32>
// CHECK-NEXT:          vector.store %{{.*}}, %arg1
// CHECK:             gpu.terminator
// CHECK:         } else {
// CHECK:           gpu.launch
// CHECK:             arith.divf {{.*}} : f32
// CHECK-NEXT:        memref.store %{{.*}}, %arg1

// Tall (1048576x4): one column block, the rows split into 256 chunks
// (16 x 4 blocks wanted), fewer for a call with fewer than 256 x 256 rows
// (no chunk under one row per slice): a launch writes each chunk's partial
// sums to a scratch buffer, a second one combines them in order and
// finishes.
// CHECK-LABEL: func.func private @column_mean_0_v1
// CHECK-SAME:    block_tile = [256, 4], thread_tile = [1, 4], threads = 256, vector_width = 4, reduction = column, split = 256
// CHECK:         %[[ROWS:.*]] = memref.dim %arg0, %c0
// CHECK:         %[[COLS:.*]] = memref.dim %arg0, %c1
// CHECK:         scf.if
// CHECK:           %[[FULL:.*]] = arith.ceildivui %[[ROWS]], %c256
// CHECK:           %[[SOME:.*]] = arith.maxui %[[FULL]], %c1
// CHECK:           %[[CHUNKS:.*]] = arith.minui %[[SOME]], %c256
// CHECK:           %[[SIZE:.*]] = arith.muli %[[CHUNKS]], %[[COLS]]
// CHECK:           %[[T0:.*]] = gpu.wait async
// CHECK:           %[[PARTIALS:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] (%[[SIZE]]) : memref<?xf32>
// CHECK:           gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %[[CHUNKS]], {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c1, {{.*}} = %c256, {{.*}} = %c1)
// CHECK:             vector.load %arg0
// CHECK:             gpu.barrier
// CHECK:             scf.if
// CHECK-NOT:           arith.divf
// CHECK:               vector.store %{{.*}}, %[[PARTIALS]]
// CHECK:           gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %c1, {{.*}} = %c1)
// CHECK:             vector.load %[[PARTIALS]]
// CHECK:             gpu.barrier
// CHECK:             scf.if
// CHECK:               arith.divf {{.*}} : vector<4xf32>
// CHECK-NEXT:          vector.store %{{.*}}, %arg1
// CHECK:           %[[T2:.*]] = gpu.dealloc async [%[[T1]]] %[[PARTIALS]]
// CHECK-NEXT:      gpu.wait [%[[T2]]]
func.func @column_mean(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %c1 = arith.constant 1 : index
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
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"], multikernel.hints = [array<i64: 65536>, array<i64: 4>]}
      ins(%sum : memref<?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%s: f32, %o: f32):
    %r = arith.divf %s, %mf : f32
    linalg.yield %r : f32
  }
  return
}
