// RUN: multikernel-opt %s --split-input-file \
// RUN:   --pass-pipeline="builtin.module(multikernel-gpu-codegen,canonicalize,cse)" \
// RUN:   | FileCheck %s

// The row strategy's host-side choices come from the variant's tiling and
// nothing else: `thread_row_limit = 4` gives rows of at most 4 elements a
// thread each (blocks of 256): a row of one element is read once into a
// register (no loop), longer ones are looped over; without it there is no
// such kernel.

// CHECK-LABEL: func.func private @short_rows_by_tiling
// CHECK:         %[[N:.*]] = memref.dim %{{.*}}, %c1
// CHECK:         %[[SHORT:.*]] = arith.cmpi ule, %[[N]], %c4
// CHECK:         scf.if %[[SHORT]] {
// CHECK:           %[[ONE:.*]] = arith.cmpi eq, %[[N]], %c1
// CHECK:           scf.if %[[ONE]] {
// CHECK:             gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1
// CHECK-NOT:           scf.for
// CHECK:               memref.load %{{.*}}[%{{.*}}, %c0]
// CHECK-NOT:           scf.for
// CHECK:           } else {
// CHECK:             gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1
// CHECK:               scf.for
// CHECK:         } else {
// CHECK:           gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c32, {{.*}} = %c8
func.func private @short_rows_by_tiling(%x: memref<?x?xf32>, %out: memref<?xf32>) attributes {
    multikernel.tiling = #multikernel.tiling<target = gpu, kind = reduction, block_tile = [8, 0], thread_tile = [1, 4], threads = 256, vector_width = 1, reduction = warp, split = 1, thread_row_limit = 4>} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// CHECK-LABEL: func.func private @no_short_row_kernel
// CHECK-NOT:     arith.cmpi ule, %{{.*}}, %c16
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c32, {{.*}} = %c8
// CHECK-NOT:     gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1
// CHECK:         return
func.func private @no_short_row_kernel(%x: memref<?x?xf32>, %out: memref<?xf32>) attributes {
    multikernel.tiling = #multikernel.tiling<target = gpu, kind = reduction, block_tile = [8, 0], thread_tile = [1, 4], threads = 256, vector_width = 1, reduction = warp, split = 1>} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}
