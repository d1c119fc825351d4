// RUN: multikernel-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline="builtin.module(multikernel-specialize{hints=4096x2048},multikernel-outline-variants,multikernel-gpu-codegen)"

// What cannot be lowered to the GPU is an error naming the op and the
// reason, never a kernel left on the host.

// A reduction over two loops at once.
func.func @total_sum(%x: memref<?x?xf32>, %out: memref<f32>) {
  // expected-error-re @+1 {{cannot be lowered to the GPU, and on the host it would run on device memory: 'linalg.reduce' at {{.*}} reduces several loops, which the GPU lowering does not support yet}}
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%out : memref<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

// -----

// A variant (written by hand) that subtracts column sums from every
// element: over an outer loop a column's sum is complete only after the
// whole column, and the subtraction needs it at every point (the grouping
// makes two sites of these: grouping.mlir).
// expected-error-re @below {{GPU code generation for reduction variant 'centered_columns' failed: 'linalg.generic' at {{.*}} reads the result of 'linalg.reduce' at {{.*}}, a reduction over an outer loop, at every point of the loops; the GPU lowering does not support that yet}}
func.func @centered_columns(%x: memref<?x?xf32>, %out: memref<?x?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = gpu, kind = reduction, block_tile = [8, 128], thread_tile = [1, 4], threads = 256, vector_width = 4, reduction = column, split = 1>} {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  %sum = memref.alloc(%n) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%sum : memref<?xf32>)
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%sum : memref<?xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum : memref<?x?xf32>, memref<?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %d = arith.subf %a, %s : f32
    linalg.yield %d : f32
  }
  memref.dealloc %sum : memref<?xf32>
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
func.func @swap(%x: memref<?x?xf32>, %out: memref<?x?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [8, 1024], thread_tile = [8, 4], threads = 256, vector_width = 4, reduction = none, split = 1>} {
  linalg.copy ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  linalg.copy ins(%out : memref<?x?xf32>) outs(%x : memref<?x?xf32>)
  return
}

// -----

// An op the lowering does not know, in a variant.
// expected-error @below {{GPU code generation for elementwise variant 'copy_op' failed: the variant holds 'memref.copy', which the GPU lowering does not handle}}
func.func @copy_op(%x: memref<?x?xf32>, %out: memref<?x?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [8, 1024], thread_tile = [8, 4], threads = 256, vector_width = 4, reduction = none, split = 1>} {
  memref.copy %x, %out : memref<?x?xf32> to memref<?x?xf32>
  return
}

// -----

// A transposing tiling on a group whose inputs are all contiguous along
// the innermost loop, and one whose tiles do not divide the threads.
// expected-error @below {{GPU code generation for elementwise variant 'not_transposed' failed: the tiling stages transposed inputs along loop 0, but the group has no inputs contiguous along that loop alone}}
func.func @not_transposed(%x: memref<?x?xf32>, %out: memref<?x?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [32, 32], thread_tile = [4, 1], threads = 256, vector_width = 1, reduction = none, split = 1, transpose_loop = 0>} {
  linalg.copy ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  return
}

// -----

// expected-error @below {{GPU code generation for elementwise variant 'odd_tiles' failed: a transposing tiling needs scalar accesses and tiles of powers of two whose points the threads divide}}
func.func @odd_tiles(%x: memref<?x?xf32>, %out: memref<?x?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [48, 32], thread_tile = [4, 1], threads = 256, vector_width = 1, reduction = none, split = 1, transpose_loop = 0>} {
  linalg.transpose ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>) permutation = [1, 0]
  return
}

// -----

// A tiling of another kind than the group.
// expected-error @below {{GPU code generation for reduction variant 'wrong_kind' failed: the tiling is for another kind of kernel}}
func.func @wrong_kind(%x: memref<?x?xf32>, %out: memref<?x?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = gpu, kind = reduction, block_tile = [1, 0], thread_tile = [1, 16], threads = 256, vector_width = 4, reduction = block, split = 1>} {
  linalg.copy ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  return
}

// -----

// A buffer the host code itself reads or writes would be host memory.
func.func @host_store(%x: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?xf32>
  // expected-error @+1 {{allocates host memory that 'memref.store' uses; on the GPU only dispatch sites, copies and returns may use the buffers a function allocates}}
  %r = memref.alloc(%n) : memref<?xf32>
  memref.store %zero, %r[%c0] : memref<?xf32>
  linalg.copy {multikernel.hints = [array<i64: 4096>]} ins(%r : memref<?xf32>) outs(%x : memref<?xf32>)
  memref.dealloc %r : memref<?xf32>
  return
}

// -----

// A constant tensor bufferizes to a global in host memory.
memref.global "private" constant @weights : memref<4xf32> = dense<1.0>
func.func @constant_weights(%out: memref<4xf32>) {
  // expected-error @+1 {{'memref.get_global' in GPU host code is host memory, which the kernels cannot read (constant tensors are not supported on the GPU yet: pass the values as an argument)}}
  %w = memref.get_global @weights : memref<4xf32>
  linalg.copy ins(%w : memref<4xf32>) outs(%out : memref<4xf32>)
  return
}

// -----

// A copy of a strided view (a column) would run on the host.
func.func @copy_view(%x: memref<?x?xf32>, %y: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %y, %c0 : memref<?xf32>
  %column = memref.subview %x[0, 0] [%n, 1] [1, 1] : memref<?x?xf32> to memref<?xf32, strided<[?]>>
  // expected-error @+1 {{copies a view in GPU host code, which would touch device memory on the host}}
  memref.copy %column, %y : memref<?xf32, strided<[?]>> to memref<?xf32>
  return
}
