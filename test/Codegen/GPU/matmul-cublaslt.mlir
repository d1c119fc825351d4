// RUN: multikernel-opt %s --split-input-file \
// RUN:   --pass-pipeline="builtin.module(multikernel-specialize{cublaslt-algorithms=2},multikernel-outline-variants,multikernel-gpu-codegen)" \
// RUN:   | FileCheck %s

// Two hints, two generated variants (v0, v1), then the cuBLASLt ones (v2,
// v3). A cuBLASLt variant is one call of the runtime with the algorithm's rank,
// whether C accumulates (1: C += A B; 0 after a zero fill: C = A B), the
// element types (cudaDataType codes: bf16 14, f32 0), the batch, M, N
// and K, and per operand its address (the aligned pointer plus the offset
// in bytes) and its strides along the batch and its two loops, in the
// order A (M, K), B (K, N), C (M, N).

// CHECK-LABEL: func.func private @mkrtGpuCublasLtMatmul
// CHECK-SAME:    (i32, i32, i32, i32, i32, index, index, index, index, index, index, index, index, index, index, index, index, index, index, index, index)

// CHECK-LABEL: func.func private @bmm_0_v3
// CHECK-SAME:    (%[[A:.*]]: memref<?x?x?xbf16>, %[[B:.*]]: memref<?x?x?xbf16>, %[[C:.*]]: memref<?x?x?xf32>)
// CHECK-SAME:    library = cublaslt, algorithm = 1
// CHECK-NOT:     gpu.launch
// CHECK-DAG:     %[[ALGORITHM:.*]] = arith.constant 1 : i32
// CHECK-DAG:     %[[BF16:.*]] = arith.constant 14 : i32
// CHECK-DAG:     %[[F32:.*]] = arith.constant 0 : i32
// CHECK-DAG:     %[[BATCH:.*]] = memref.dim %[[A]], %c0
// CHECK-DAG:     %[[M:.*]] = memref.dim %[[A]], %c1
// CHECK-DAG:     %[[N:.*]] = memref.dim %[[B]], %c2
// CHECK-DAG:     %[[K:.*]] = memref.dim %[[A]], %c2
// CHECK:         %{{.*}}, %[[AOFF:.*]], %{{.*}}:3, %[[AS:.*]]:3 = memref.extract_strided_metadata %[[A]]
// CHECK:         %[[APTR:.*]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK:         %[[AOFFB:.*]] = arith.muli %[[AOFF]], %c2
// CHECK:         %[[AADDR:.*]] = arith.addi %[[APTR]], %[[AOFFB]]
// CHECK:         %{{.*}}, %{{.*}}, %{{.*}}:3, %[[BS:.*]]:3 = memref.extract_strided_metadata %[[B]]
// CHECK:         %[[BADDR:.*]] = arith.addi
// CHECK:         %{{.*}}, %[[COFF:.*]], %{{.*}}:3, %[[CS:.*]]:3 = memref.extract_strided_metadata %[[C]]
// CHECK:         %[[COFFB:.*]] = arith.muli %[[COFF]], %c4
// CHECK:         %[[CADDR:.*]] = arith.addi %{{.*}}, %[[COFFB]]
// Rank 1 and accumulate 1 are one constant.
// CHECK:         call @mkrtGpuCublasLtMatmul(%[[ALGORITHM]], %[[ALGORITHM]], %[[BF16]], %[[BF16]], %[[F32]], %[[BATCH]], %[[M]], %[[N]], %[[K]],
// CHECK-SAME:      %[[AADDR]], %[[AS]]#0, %[[AS]]#1, %[[AS]]#2, %[[BADDR]], %[[BS]]#0, %[[BS]]#1, %[[BS]]#2, %[[CADDR]], %[[CS]]#0, %[[CS]]#1, %[[CS]]#2)
// CHECK-NEXT:    return
func.func @bmm(%a: memref<?x?x?xbf16>, %b: memref<?x?x?xbf16>, %c: memref<?x?x?xf32>) {
  linalg.batch_matmul {multikernel.hints = [array<i64: 8, 64, 64, 64>, array<i64: 8, 2048, 2048, 2048>]}
      ins(%a, %b : memref<?x?x?xbf16>, memref<?x?x?xbf16>) outs(%c : memref<?x?x?xf32>)
  return
}

// -----

// B indexed (N, K), as attention's scores read k: B's stride along K is that
// of its second dimension, along N that of its first; no batch (stride 0).

// CHECK-LABEL: func.func private @scores_0_v1
// CHECK-SAME:    (%[[A:.*]]: memref<?x?xf32>, %[[B:.*]]: memref<?x?xf32>, %[[C:.*]]: memref<?x?xf32>)
// CHECK-SAME:    library = cublaslt>
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1 : index
// CHECK:         %{{.*}}, %{{.*}}, %{{.*}}:2, %[[AS:.*]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK:         %{{.*}}, %{{.*}}, %{{.*}}:2, %[[BS:.*]]:2 = memref.extract_strided_metadata %[[B]]
// CHECK:         %{{.*}}, %{{.*}}, %{{.*}}:2, %[[CS:.*]]:2 = memref.extract_strided_metadata %[[C]]
// CHECK:         call @mkrtGpuCublasLtMatmul(%{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}}, %[[ONE]], %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}},
// CHECK-SAME:      %{{[^,]+}}, %c0{{(_[0-9]+)?}}, %[[AS]]#0, %[[AS]]#1, %{{[^,]+}}, %c0{{(_[0-9]+)?}}, %[[BS]]#1, %[[BS]]#0, %{{[^,]+}}, %c0{{(_[0-9]+)?}}, %[[CS]]#0, %[[CS]]#1)
func.func @scores(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                 affine_map<(m, n, k) -> (n, k)>,
                                 affine_map<(m, n, k) -> (m, n)>]
      {multikernel.hints = [array<i64: 512, 512, 64>]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// C = A B (the zero fill of C before the contraction, one site): the
// generated kernel stores the sum without reading C, the cuBLASLt variant
// asks for beta = 0.

// The fill's C comes first among the site's arguments.
// CHECK-LABEL: func.func private @c_equals_ab_0_v0
// CHECK-SAME:    (%[[C:[^:]*]]: memref<?x?xf32>, %{{.*}}: memref<?x?xf32>, %{{.*}}: memref<?x?xf32>)
// CHECK-NOT:     linalg.fill
// CHECK:         gpu.launch
// CHECK-NOT:     memref.load %[[C]]
// CHECK:         memref.store %{{.*}}, %[[C]]
// CHECK:         gpu.terminator
// CHECK-LABEL: func.func private @c_equals_ab_0_v1
// CHECK-SAME:    library = cublaslt
// CHECK-NOT:     linalg.fill
// F32 (0) and accumulate 0 are one constant.
// CHECK-DAG:     %[[ALGORITHM:.*]] = arith.constant 0 : i32
// CHECK:         call @mkrtGpuCublasLtMatmul(%[[ALGORITHM]], %[[ALGORITHM]], %[[ALGORITHM]], %[[ALGORITHM]], %[[ALGORITHM]],
func.func @c_equals_ab(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x?xf32>)
  linalg.matmul {multikernel.hints = [array<i64: 512, 512, 512>]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}
