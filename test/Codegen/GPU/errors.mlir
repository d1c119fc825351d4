// RUN: multikernel-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline="builtin.module(multikernel-specialize{hints=4096x2048},multikernel-outline-variants,multikernel-gpu-codegen)"

// What cannot be lowered to the GPU is an error naming the op and the
// reason, never a kernel left on the host.

// A column sum (a reduction over the outer loop).
func.func @column_sum(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  // expected-error-re @+1 {{cannot be lowered to the GPU, and on the host it would run on device memory: 'linalg.reduce' at {{.*}} reduces loops other than the innermost one alone, which the GPU lowering does not support yet}}
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

// -----

// A combining op without a neutral element.
func.func @row_sub(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  // expected-error-re @+1 {{'linalg.reduce' at {{.*}}: the combining op 'arith.subf' has no neutral element}}
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.subf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

// -----

// A convolution (windowed indexing).
func.func @conv(%img: memref<?x?xf32>, %filter: memref<3x3xf32>, %out: memref<?x?xf32>) {
  // expected-error-re @+1 {{'linalg.conv_2d' at {{.*}} has an indexing map that is not a projected permutation}}
  linalg.conv_2d ins(%img, %filter : memref<?x?xf32>, memref<3x3xf32>) outs(%out : memref<?x?xf32>)
  return
}

// -----

// Hand-written variants: the group must be one kernel. Here the second op
// overwrites what the first reads from memory (another thread may already
// have written it).
// expected-error-re @below {{GPU code generation for elementwise variant 'swap' failed: 'linalg.copy' at {{.*}} reads a buffer that a later op of the group writes}}
func.func @swap(%x: memref<?x?xf32>, %out: memref<?x?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = "gpu", kind = "elementwise", block_tile = [8, 1024], thread_tile = [8, 4], threads = 256, vector_width = 4, reduction = "none", split = 1>} {
  linalg.copy ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  linalg.copy ins(%out : memref<?x?xf32>) outs(%x : memref<?x?xf32>)
  return
}

// -----

// An op the lowering does not know, in a variant.
// expected-error @below {{GPU code generation for elementwise variant 'copy_op' failed: the variant holds 'memref.copy', which the GPU lowering does not handle}}
func.func @copy_op(%x: memref<?x?xf32>, %out: memref<?x?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = "gpu", kind = "elementwise", block_tile = [8, 1024], thread_tile = [8, 4], threads = 256, vector_width = 4, reduction = "none", split = 1>} {
  memref.copy %x, %out : memref<?x?xf32> to memref<?x?xf32>
  return
}

// -----

// A tiling of another kind than the group.
// expected-error @below {{GPU code generation for reduction variant 'wrong_kind' failed: the tiling is for another kind of kernel}}
func.func @wrong_kind(%x: memref<?x?xf32>, %out: memref<?x?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = "gpu", kind = "reduction", block_tile = [1, 0], thread_tile = [1, 16], threads = 256, vector_width = 4, reduction = "block", split = 1>} {
  linalg.copy ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  return
}

// -----

// A buffer the function allocates and returns would be host memory.
func.func @returns_a_buffer(%x: memref<?xf32>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  // expected-error @+1 {{allocates host memory that 'func.return' uses; on the GPU only dispatch sites may use the buffers a function allocates (a function returns its results in buffers its caller passes, for now)}}
  %r = memref.alloc(%n) : memref<?xf32>
  linalg.copy {multikernel.hints = [array<i64: 4096>]} ins(%x : memref<?xf32>) outs(%r : memref<?xf32>)
  return %r : memref<?xf32>
}
