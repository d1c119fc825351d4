// Ops the pass does not specialize are left exactly as they were, with a
// remark under remarks=true. (The pass also counts them in statistics, but
// Debian's LLVM is built without statistics, so -mlir-pass-statistics shows
// none here.)
//
// RUN: multikernel-opt %s --multikernel-specialize="hints=64x64 remarks=true" \
// RUN:   -verify-diagnostics | FileCheck %s
//
// Without remarks=true nothing is said: specialize-quiet.mlir.

// CHECK-LABEL: func.func @left_alone
func.func @left_alone(%a: memref<4x4xf32>, %b: memref<4x4xf32>,
                      %img: memref<?x?xf32>, %filter: memref<3x3xf32>, %out: memref<?x?xf32>,
                      %x: memref<?x?xf32>, %total: memref<f32>, %t: memref<?x?xf32>) {
  // On the GPU an op with static sizes still becomes a site, of one variant
  // (an empty key): left on the host it would run on device memory.
  // CHECK: multikernel.dispatch @left_alone_0 key() hints {{\[\[}}]]
  // CHECK:   linalg.copy ins(%{{.*}} : memref<4x4xf32>)
  linalg.copy ins(%a : memref<4x4xf32>) outs(%b : memref<4x4xf32>)
  // CHECK: linalg.conv_2d
  // expected-remark-re @+1 {{not specialized: not a GPU kernel on its own: 'linalg.conv_2d' at {{.*}} has an indexing map that is not a projected permutation}}
  linalg.conv_2d ins(%img, %filter : memref<?x?xf32>, memref<3x3xf32>) outs(%out : memref<?x?xf32>)
  // A reduction over both loops at once.
  // CHECK: linalg.reduce
  // expected-remark-re @+1 {{not specialized: not a GPU kernel on its own: 'linalg.reduce' at {{.*}} reduces several loops, which the GPU lowering does not support yet}}
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%total : memref<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  // The transpose is specialized (all parallel, permuted maps).
  // CHECK: multikernel.dispatch @left_alone_1
  // CHECK:   linalg.transpose
  linalg.transpose ins(%x : memref<?x?xf32>) outs(%t : memref<?x?xf32>) permutation = [1, 0]
  return
}

// CHECK-LABEL: func.func @softmax_first_dim
func.func @softmax_first_dim(%x: tensor<?x?xf32>, %o: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // CHECK: linalg.softmax dimension(0)
  // expected-remark @+1 {{not specialized: linalg.softmax: decompose it first (--multikernel-decompose-softmax)}}
  %r = linalg.softmax dimension(0) ins(%x : tensor<?x?xf32>) outs(%o : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
