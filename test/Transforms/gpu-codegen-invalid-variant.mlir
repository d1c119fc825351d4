// RUN: multikernel-opt %s --split-input-file --verify-diagnostics \
// RUN:   --multikernel-gpu-codegen

// multikernel-specialize gives every variant exactly one linalg op; a
// variant built by hand with more is rejected, whatever its kind.

// expected-error @below {{GPU code generation for elementwise variant 'two_copies' failed: expected exactly one linalg op in the variant}}
func.func @two_copies(%x: memref<?x?xf32>, %out: memref<?x?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = "gpu", kind = "elementwise", block_tile = [8, 1024], thread_tile = [8, 4], threads = 256, vector_width = 4, reduction = "none", split = 1>} {
  linalg.copy ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  linalg.copy ins(%out : memref<?x?xf32>) outs(%x : memref<?x?xf32>)
  return
}

// -----

// expected-error @below {{GPU code generation for reduction variant 'two_sums' failed: expected exactly one linalg op in the variant}}
func.func @two_sums(%x: memref<?x?xf32>, %out: memref<?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = "gpu", kind = "reduction", block_tile = [1, 4096], thread_tile = [1, 16], threads = 256, vector_width = 4, reduction = "block", split = 1>} {
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

// -----

// expected-error @below {{GPU code generation for softmax variant 'two_softmaxes' failed: expected exactly one linalg.softmax in the variant}}
func.func @two_softmaxes(%x: memref<?x?xf32>, %out: memref<?x?xf32>) attributes {multikernel.tiling = #multikernel.tiling<target = "gpu", kind = "softmax", block_tile = [1, 4096], thread_tile = [1, 16], threads = 256, vector_width = 4, reduction = "block", split = 1>} {
  linalg.softmax dimension(1) ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  linalg.softmax dimension(1) ins(%out : memref<?x?xf32>) outs(%x : memref<?x?xf32>)
  return
}
