// The register-blocked CPU matmul (--multikernel-cpu-contraction-codegen):
// per task, K blocks, column panels of B packed into a buffer, row strips,
// and around each mr x nr tile of C a K loop that carries the tile in
// vector registers (an outer product of fused multiply-adds per step); at
// the edges, tiles of one row or one column.
//
// RUN: multikernel-opt %s --multikernel-specialize="target=cpu" --multikernel-outline-variants --multikernel-cpu-contraction-codegen --split-input-file | FileCheck %s

// CHECK-LABEL: func.func private @matmul_0_v0
// CHECK-SAME:    block_tile = [144, 32, 256], thread_tile = [6, 16, 0]
// CHECK:         scf.forall ({{.*}}) = (0, 0) to ({{.*}}) step (144, 32)
// CHECK:           %[[PACKED:.*]] = memref.alloc() {alignment = 64 : i64} : memref<256x16xf32>
// CHECK:           scf.for {{.*}} step %c256
// Full panels of 16 columns: B's part copied into the buffer.
// CHECK:             scf.for {{.*}} step %c16
// CHECK:               %[[PANEL:.*]] = memref.subview %[[PACKED]][0, 0] [%{{.*}}, 16] [1, 1]
// CHECK-NEXT:          linalg.copy ins(%{{.*}} : memref<?x16xf32, strided<[?, 1], offset: ?>>) outs(%[[PANEL]] : memref<?x16xf32, strided<[16, 1]>>)
// Full strips of 6 rows: C's tile read before the K loop, carried through it,
// written after it.
// CHECK:               scf.for {{.*}} step %c6
// CHECK-COUNT-6:         vector.load {{.*}} : memref<6x16xf32, strided<[?, 1], offset: ?>>, vector<16xf32>
// CHECK:                 %[[TILE:.*]] = scf.for {{.*}} step %c1 iter_args({{.*}}) -> (vector<6x16xf32>)
// CHECK:                   memref.subview %[[PANEL]]
// CHECK-COUNT-6:           vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT:               vector.store
// CHECK:                   scf.yield {{.*}} : vector<6x16xf32>
// CHECK-COUNT-6:         vector.store {{.*}} : memref<6x16xf32, strided<[?, 1], offset: ?>>, vector<16xf32>
// The last rows of a panel: tiles of one row.
// CHECK:               scf.for {{.*}} step %c6
// CHECK:                 scf.for {{.*}} step %c1
// CHECK:                   scf.for {{.*}} step %c1 iter_args({{.*}}) -> (vector<1x16xf32>)
// The last columns: one at a time, in strips of 6 rows, then of one row.
// CHECK:             scf.for {{.*}} step %c16
// CHECK:               scf.for {{.*}} step %c1
// CHECK:                 scf.for {{.*}} step %c6
// CHECK:                   scf.for {{.*}} step %c1 iter_args({{.*}}) -> (vector<6x1xf32>)
// CHECK:                 scf.for {{.*}} step %c6
// CHECK:                   scf.for {{.*}} step %c1
// CHECK:                     scf.for {{.*}} step %c1 iter_args({{.*}}) -> (vector<1x1xf32>)
// CHECK-NOT:       linalg.matmul
// CHECK:           memref.dealloc %[[PACKED]]
func.func @matmul(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul {multikernel.hints = [array<i64: 1024, 1024, 1024>]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// A vector-matrix hint: tiles of one row by 16 columns, tasks of one row, so
// B is not packed (each of its elements is used once per task).
// CHECK-LABEL: func.func private @vecmat_0_v0
// CHECK-SAME:    block_tile = [1, 32, 256], thread_tile = [1, 16, 0]
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     linalg.copy
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (vector<1x16xf32>)
// CHECK:           vector.fma {{.*}} : vector<16xf32>
func.func @vecmat(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul {multikernel.hints = [array<i64: 1, 4096, 4096>]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// Other variants are left as specialize tiled them.
// CHECK-LABEL: func.func private @add_0_v0
// CHECK:         scf.forall
// CHECK:           linalg.generic
// CHECK-NOT:       vector.
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @add(%a: memref<?x?xf32>, %b: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"],
                  multikernel.hints = [array<i64: 1024, 1024>]}
      ins(%a : memref<?x?xf32>) outs(%b : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A batched contraction as a frontend emits it (attention's q @ k^T, a
// linalg.generic with B indexed (batch, N, K)): one matrix per task, B's
// panels transposed into the buffer, the register tiles a linalg.contract's
// vector.contract.
// CHECK-LABEL: func.func private @scores_0_v0
// CHECK-SAME:    block_tile = [1, 144, 32, 256], thread_tile = [0, 6, 16, 0]
// CHECK:         scf.forall ({{.*}}) = (0, 0, 0) to ({{.*}}) step (1, 144, 32)
// CHECK:           memref.alloc() {alignment = 64 : i64} : memref<1x256x16xf32>
// CHECK:           linalg.transpose {{.*}} permutation = [0, 2, 1]
// CHECK:           scf.for {{.*}} iter_args({{.*}}) -> (vector<1x6x16xf32>)
// CHECK:             vector.load {{.*}} : memref<1x1x16xf32, strided<[4096, 16, 1], offset: ?>>, vector<16xf32>
// CHECK-COUNT-6:     vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT:     linalg.generic
#q = affine_map<(b, i, j, d) -> (b, i, d)>
#k = affine_map<(b, i, j, d) -> (b, j, d)>
#s = affine_map<(b, i, j, d) -> (b, i, j)>
func.func @scores(%q: memref<?x?x?xf32>, %k: memref<?x?x?xf32>, %s: memref<?x?x?xf32>) {
  linalg.generic {indexing_maps = [#q, #k, #s],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"],
                  multikernel.hints = [array<i64: 12, 512, 512, 64>]}
      ins(%q, %k : memref<?x?x?xf32>, memref<?x?x?xf32>) outs(%s : memref<?x?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// linalg.batch_matmul: B's panels packed per matrix.
// CHECK-LABEL: func.func private @bmm_0_v0
// CHECK-SAME:    block_tile = [1, 144, 32, 256], thread_tile = [0, 6, 16, 0]
// CHECK:         scf.forall ({{.*}}) = (0, 0, 0) to ({{.*}}) step (1, 144, 32)
// CHECK:           memref.alloc() {alignment = 64 : i64} : memref<1x256x16xf32>
// CHECK:           linalg.copy
// CHECK:           scf.for {{.*}} iter_args({{.*}}) -> (vector<1x6x16xf32>)
func.func @bmm(%a: memref<?x?x?xf32>, %b: memref<?x?x?xf32>, %c: memref<?x?x?xf32>) {
  linalg.batch_matmul {multikernel.hints = [array<i64: 12, 512, 512, 64>]}
      ins(%a, %b : memref<?x?x?xf32>, memref<?x?x?xf32>) outs(%c : memref<?x?x?xf32>)
  return
}

// -----

// A generic contraction whose inputs are extended (bf16 into an f32 C, as
// frontends emit mixed precision) is register-tiled alike: the tiles are
// linalg.contract ops, whose vector form extends the inputs.
// CHECK-LABEL: func.func private @mixed_0_v0
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (vector<6x16xf32>)
// CHECK:           arith.extf {{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK-COUNT-6:   vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT:     linalg.generic
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @mixed(%x: memref<?x?xbf16>, %y: memref<?x?xbf16>, %z: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"],
                  multikernel.hints = [array<i64: 1024, 1024, 1024>]}
      ins(%x, %y : memref<?x?xbf16>, memref<?x?xbf16>) outs(%z : memref<?x?xf32>) {
  ^bb0(%p: bf16, %q: bf16, %acc: f32):
    %0 = arith.extf %p : bf16 to f32
    %1 = arith.extf %q : bf16 to f32
    %2 = arith.mulf %0, %1 : f32
    %3 = arith.addf %acc, %2 : f32
    linalg.yield %3 : f32
  }
  return
}
