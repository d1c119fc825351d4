// RUN: multikernel-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline="builtin.module(multikernel-specialize{hints=4096x2048},multikernel-outline-variants,multikernel-gpu-codegen)" \
// RUN:   | FileCheck %s

// An elementwise variant becomes a flattened kernel: 16-byte vector loads
// of the inputs only (the output is not read), a scalar tail, and a scalar
// kernel for buffers that are not 16-byte aligned.

// CHECK-LABEL: func.func private @seed_0_v0
// CHECK-SAME:    (%[[X:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?x?xf32>, %[[O:.*]]: memref<?x?xf32>)
// CHECK-DAG:     %[[FX:.*]] = memref.collapse_shape %[[X]] {{\[\[}}0, 1]]
// CHECK-DAG:     %[[FO:.*]] = memref.collapse_shape %[[O]] {{\[\[}}0, 1]]
// CHECK:         %[[N:.*]] = memref.dim %[[FO]], %{{.*}} : memref<?xf32>
// CHECK:         memref.extract_aligned_pointer_as_index %[[FX]]
// CHECK:         arith.remui %{{.*}}, %c16
// CHECK:         scf.if %[[ALIGNED:.*]] {
// CHECK:           %[[GRID:.*]] = arith.ceildivui %[[N]], %c8192
// CHECK:           gpu.launch blocks({{.*}}) in ({{.*}} = %[[GRID]], {{.*}}) threads({{.*}}) in ({{.*}} = %c256
// CHECK:             memref.assume_alignment {{.*}}, 16
// CHECK:             scf.for
// CHECK:               scf.if
// CHECK-COUNT-2:         vector.load {{.*}} {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK-NOT:             vector.load
// CHECK:                 math.sin {{.*}} : vector<4xf32>
// CHECK:                 vector.store {{.*}} {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK:               } else {
// CHECK:                 scf.for
// CHECK:                   math.sin {{.*}} : f32
// CHECK:         } else {
// CHECK:           gpu.launch
// CHECK-NOT:         vector.load
// CHECK:             math.sin {{.*}} : f32
func.func @seed(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %s = math.sin %b : f32
    %t = arith.mulf %a, %two : f32
    %r = arith.addf %t, %s : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// -----

// A linalg op the specialization left alone would run on the host.
func.func @static_copy(%a: memref<4x4xf32>, %b: memref<4x4xf32>) {
  // expected-error @+1 {{this op was not specialized for the GPU and would run on the host}}
  linalg.copy ins(%a : memref<4x4xf32>) outs(%b : memref<4x4xf32>)
  return
}

// -----

// Broadcasts are not supported by the flattened kernel yet.
func.func @broadcast(%x: memref<?x?xf32>, %row: memref<?xf32>, %out: memref<?x?xf32>) {
  // expected-error @below {{GPU code generation for elementwise variant 'broadcast_0_v0' failed: indexing maps other than the identity}}
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %row : memref<?x?xf32>, memref<?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Row reductions: a warp per row (shuffles) or a block per row
// (gpu.all_reduce), chosen by the tiling; the initial value of the output
// is combined in at the end. Rows of at most 16 elements take a thread per
// row instead, whatever the variant (the host picks by the row length).

// CHECK-LABEL: func.func private @row_sum_0_v0
// CHECK:         %[[N:.*]] = memref.dim %{{.*}}, %c1
// CHECK:         %[[SHORT:.*]] = arith.cmpi ule, %[[N]], %c16
// CHECK:         scf.if %[[SHORT]] {
// CHECK:           gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256{{.*}}, {{.*}} = %c1
// CHECK:             scf.for %[[C:.*]] = %c0{{.*}} to %[[N]] step %c1{{.*}} iter_args(%{{.*}} = %cst) -> (f32)
// CHECK:               memref.load %{{.*}}[%{{.*}}, %[[C]]]
// CHECK:               arith.addf
// CHECK:             memref.store
// CHECK:         } else {
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c32{{.*}}, {{.*}} = %c8
// CHECK:           scf.for {{.*}} iter_args(%{{.*}} = %cst) -> (f32)
// CHECK:             vector.load {{.*}} {alignment = 16 : i64} : memref<?x?xf32>, vector<4xf32>
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           memref.load %{{.*}}[%{{.*}}] : memref<?xf32>
// CHECK:           arith.addf
// CHECK:           memref.store
// CHECK-LABEL: func.func private @row_sum_0_v1
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c128
// CHECK:           gpu.all_reduce  add
func.func @row_sum(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"],
                  multikernel.hints = [array<i64: 4096, 512>, array<i64: 4096, 4096>]}
      ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A combining op without a neutral element the kernel knows is an error.
func.func @row_sub(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  // expected-error @+1 {{GPU code generation for reduction variant 'row_sub_0_v0' failed: the combining op arith.subf has no supported neutral element}}
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.subf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

// -----

// Softmax (hint 4096x2048: a block of 64 threads per row, vectors of 4).
// Rows up to 64 * 4 * 8 = 2048 take the persistent kernel: eight guarded
// vector loads per thread (-inf past the row's end), the maximum and the sum
// of exponentials reduced from the registers, one exp per element, then the
// guarded stores: the input is read once. Longer rows take the three-pass
// kernel, which reads the row again for the sum and the outputs.

// CHECK-LABEL: func.func private @softmax_0_v0
// CHECK-SAME:    (%[[X:.*]]: memref<?x?xf32>, %[[O:.*]]: memref<?x?xf32>)
// CHECK:         %[[N:.*]] = memref.dim %[[X]], %c1
// CHECK:         %[[CAP:.*]] = arith.constant 2048 : index
// CHECK:         %[[FITS:.*]] = arith.cmpi ule, %[[N]], %[[CAP]]
// CHECK:         scf.if %[[FITS]] {
// CHECK:           gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c64,
// CHECK-COUNT-8:     vector.load {{.*}} : memref<?x?xf32>, vector<4xf32>
// CHECK-NOT:         vector.load
// CHECK:             gpu.all_reduce  maximumf
// CHECK-COUNT-8:     math.exp {{.*}} : vector<4xf32>
// CHECK-NOT:         vector.load
// CHECK:             gpu.all_reduce  add
// CHECK:             arith.divf
// CHECK-COUNT-8:     vector.store
// CHECK:         } else {
// CHECK:           gpu.launch
// CHECK:             arith.maximumf
// CHECK:             gpu.all_reduce  maximumf
// CHECK:             math.exp
// CHECK:             gpu.all_reduce  add
// CHECK:             arith.divf
// CHECK:             math.exp {{.*}} : vector<4xf32>
// CHECK:             vector.store
func.func @softmax(%x: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.softmax dimension(1) ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  return
}

// -----

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
  // expected-error @+1 {{this op was not specialized for the GPU and would run on the host}}
  linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (k, m)>,
                       affine_map<(m, n, k) -> (k, n)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
      {multikernel.hints = [array<i64: 256, 256, 256>]}
  return
}
