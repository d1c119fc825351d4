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

// A matmul with indexing maps (here: A transposed, read as A[k, m]).
// CHECK-LABEL: func.func private @matmul_transposed_0_v0
// CHECK-SAME:    (%[[A:.*]]: memref<?x?xf32>, %[[B:.*]]: memref<?x?xf32>, %[[C:.*]]: memref<?x?xf32>)
// CHECK-DAG:     %[[M:.*]] = memref.dim %[[A]], %c1
// CHECK-DAG:     %[[K:.*]] = memref.dim %[[A]], %c0
// CHECK:         scf.for %{{.*}} = %c0{{.*}} to %[[K]] step %c32
// CHECK:           arith.addi %{{.*}}, %c0{{.*}} : index
// CHECK-NEXT:      %[[AM:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK-NEXT:      %[[AK:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK-NEXT:      arith.cmpi ult, %[[AM]], %[[M]]
// CHECK:             memref.load %[[A]][%[[AK]], %[[AM]]]
func.func @matmul_transposed(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                       affine_map<(m, n, k) -> (k, n)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
      {multikernel.hints = [array<i64: 256, 256, 256>]}
  return
}

// -----

// A batch_matmul: one matrix per block, the batch on grid z, every operand
// indexed by it.
// CHECK-LABEL: func.func private @bmm_0_v0
// CHECK-SAME:    (%[[A:.*]]: memref<?x?x?xf32>, %[[B:.*]]: memref<?x?x?xf32>, %[[C:.*]]: memref<?x?x?xf32>)
// CHECK:         %[[BATCH:.*]] = memref.dim %[[A]], %c0
// CHECK:         gpu.launch blocks(%{{.*}}, %{{.*}}, %[[Z:.*]]) in ({{.*}}, {{.*}}, {{.*}} = %[[BATCH]])
// CHECK:           memref.load %[[A]][%[[Z]],
// CHECK:           memref.load %[[B]][%[[Z]],
// CHECK:           memref.load %[[C]][%[[Z]],
func.func @bmm(%a: memref<?x?x?xf32>, %b: memref<?x?x?xf32>, %c: memref<?x?x?xf32>) {
  linalg.batch_matmul {multikernel.hints = [array<i64: 8, 256, 256, 64>]}
      ins(%a, %b : memref<?x?x?xf32>, memref<?x?x?xf32>) outs(%c : memref<?x?x?xf32>)
  return
}

// -----

// bf16 inputs into f32: extended as they are staged, f32 slices.
// CHECK-LABEL: func.func private @mixed_0_v0
// CHECK:         gpu.launch
// CHECK-SAME:        workgroup({{.*}} : memref<32x33xf32, #gpu.address_space<workgroup>>, {{.*}} : memref<32x32xf32, #gpu.address_space<workgroup>>)
// CHECK:             memref.load {{.*}} : memref<?x?xbf16>
// CHECK-NEXT:        arith.extf {{.*}} : bf16 to f32
func.func @mixed(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %c: memref<?x?xf32>) {
  linalg.matmul {multikernel.hints = [array<i64: 256, 256, 256>]}
      ins(%a, %b : memref<?x?xbf16>, memref<?x?xbf16>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// bf16 C: the sum accumulates in f32 and is rounded once, where C is written.
// CHECK-LABEL: func.func private @bf16_out_0_v0
// CHECK-SAME:    %[[C:[^ ]+]]: memref<?x?xbf16>)
// CHECK:             memref.load %[[C]]
// CHECK-NEXT:        arith.extf {{.*}} : bf16 to f32
// CHECK-NEXT:        arith.addf {{.*}} : f32
// CHECK-NEXT:        arith.truncf {{.*}} : f32 to bf16
// CHECK-NEXT:        memref.store {{.*}} : memref<?x?xbf16>
func.func @bf16_out(%a: memref<?x?xbf16>, %b: memref<?x?xbf16>, %c: memref<?x?xbf16>) {
  linalg.matmul {multikernel.hints = [array<i64: 256, 256, 256>]}
      ins(%a, %b : memref<?x?xbf16>, memref<?x?xbf16>) outs(%c : memref<?x?xbf16>)
  return
}
