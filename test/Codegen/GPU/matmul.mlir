// RUN: multikernel-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline="builtin.module(multikernel-specialize,multikernel-outline-variants,multikernel-gpu-codegen)" \
// RUN:   | FileCheck %s

// A matmul variant becomes the shared-memory tiled kernel: 16x16 threads per
// 32x32 block tile (hint 256x256x256), the A slice stored transposed with one
// element of padding, zero outside the matrices, fused multiply-adds into a
// 2x2 register tile per thread, and C += the tile where it is inside C.

// CHECK-LABEL: func.func private @matmul_0_v0
// CHECK-SAME:    (%[[A:.*]]: memref<?x?xf32>, %[[B:.*]]: memref<?x?xf32>, %[[C:.*]]: memref<?x?xf32>)
// CHECK-DAG:     %[[M:.*]] = memref.dim %[[A]], %{{.*}}
// CHECK-DAG:     %[[N:.*]] = memref.dim %[[B]], %{{.*}}
// CHECK-DAG:     %[[GX:.*]] = arith.ceildivui %[[N]], %{{.*}}
// CHECK-DAG:     %[[GY:.*]] = arith.ceildivui %[[M]], %{{.*}}
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %[[GX]], {{.*}} = %[[GY]], {{.*}}) threads({{.*}}) in ({{.*}} = %c16{{(_[0-9]+)?}}, {{.*}} = %c16{{(_[0-9]+)?}},
// CHECK-SAME:        workgroup(%[[AS:[^ ]+]] : memref<32x33xf32, #gpu.address_space<workgroup>>, %[[BS:[^ ]+]] : memref<32x32xf32, #gpu.address_space<workgroup>>)
// CHECK:           scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32)
// CHECK:             scf.if
// CHECK:               memref.load %[[A]]
// CHECK:             } else {
// CHECK:               scf.yield %cst
// CHECK:             memref.store {{.*}}, %[[AS]]
// CHECK:             memref.load %[[B]]
// CHECK:             memref.store {{.*}}, %[[BS]]
// CHECK:             gpu.barrier
// CHECK:             scf.for
// CHECK-COUNT-4:       math.fma
// CHECK:             gpu.barrier
// CHECK:           scf.if
// CHECK:             memref.load %[[C]]
// CHECK:             arith.addf
// CHECK:             memref.store {{.*}}, %[[C]]
// CHECK:           gpu.terminator
func.func @matmul(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul {multikernel.hints = [array<i64: 256, 256, 256>]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// Matmuls with indexing maps (here: A transposed) are not specialized (a
// remark says so); left for the host, they are refused clearly.
func.func @matmul_transposed(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  // expected-error @+1 {{cannot be lowered to the GPU, and on the host it would run on device memory: 'linalg.matmul'}}
  linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                       affine_map<(m, n, k) -> (k, n)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
      {multikernel.hints = [array<i64: 256, 256, 256>]}
  return
}
