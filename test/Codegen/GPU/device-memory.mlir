// RUN: multikernel-opt %s --pass-pipeline="builtin.module(multikernel-clone-shared-inits,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},buffer-deallocation-pipeline,convert-bufferization-to-memref,canonicalize,multikernel-specialize,multikernel-outline-variants,multikernel-gpu-codegen)" \
// RUN:   | FileCheck %s

// Functions on tensors, as frontends write them, on the GPU: the buffers
// bufferization allocates become device memory on the call's stream; the
// ones between two sites are freed in stream order, the returned ones
// belong to the caller.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

// A LayerNorm: one site (both sums, the centering and the normalization,
// each sum into a fill of its own); its result is allocated on the device
// and returned, never freed here.
// CHECK-LABEL: func.func @layernorm(
// CHECK-SAME: %[[X:.*]]: memref<?x?xf32>, %{{.*}}: memref<?xf32>, %{{.*}}: memref<?xf32>) -> memref<?x?xf32>
// CHECK-NOT: memref.alloc
// CHECK: %[[START:.*]] = gpu.wait async
// CHECK-NEXT: %[[OUT:.*]], %{{.*}} = gpu.alloc async [%[[START]]] (%{{.*}}, %{{.*}}) : memref<?x?xf32>
// CHECK-NOT: memref.alloc
// CHECK: multikernel.dispatch
// CHECK-NOT: multikernel.dispatch
// CHECK-NOT: gpu.dealloc
// CHECK: return %[[OUT]] : memref<?x?xf32>
func.func @layernorm(%x: tensor<?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %x, %c0 : tensor<?x?xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?xf32>
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %e = tensor.empty(%m) : tensor<?xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"], multikernel.hints = [array<i64: 4096, 1024>]}
      ins(%x : tensor<?x?xf32>) outs(%f : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  %nf0 = arith.index_cast %n : index to i64
  %nf = arith.sitofp %nf0 : i64 to f32
  %e2 = tensor.empty(%m, %n) : tensor<?x?xf32>
  %cent = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum : tensor<?x?xf32>, tensor<?xf32>) outs(%e2 : tensor<?x?xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %mean = arith.divf %s, %nf : f32
    %d = arith.subf %a, %mean : f32
    linalg.yield %d : f32
  } -> tensor<?x?xf32>
  %var = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%cent : tensor<?x?xf32>) outs(%f : tensor<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %q = arith.mulf %a, %a : f32
    %s = arith.addf %q, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  %out = linalg.generic {indexing_maps = [#id, #row, #col, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%cent, %var, %g, %b : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) outs(%e2 : tensor<?x?xf32>) {
  ^bb0(%c: f32, %v: f32, %gg: f32, %bb: f32, %o: f32):
    %vm = arith.divf %v, %nf : f32
    %ve = arith.addf %vm, %eps : f32
    %r = math.rsqrt %ve : f32
    %t = arith.mulf %c, %r : f32
    %t2 = arith.mulf %t, %gg : f32
    %t3 = arith.addf %t2, %bb : f32
    linalg.yield %t3 : f32
  } -> tensor<?x?xf32>
  return %out : tensor<?x?xf32>
}

// A matmul (with the fill of its C) and its ReLU are two sites: the product
// between them is device memory, freed in stream order after the second;
// the result is returned.
// CHECK-LABEL: func.func @matmul_relu(
// CHECK: %[[S0:.*]] = gpu.wait async
// CHECK-NEXT: %[[PRODUCT:.*]], %[[TOKEN:.*]] = gpu.alloc async [%[[S0]]]
// CHECK: multikernel.dispatch
// CHECK-NOT: multikernel.dispatch
// CHECK: %[[S1:.*]] = gpu.wait async
// CHECK-NEXT: %[[RESULT:.*]], %{{.*}} = gpu.alloc async [%[[S1]]]
// CHECK: multikernel.dispatch
// CHECK: %[[FREED:.*]] = gpu.dealloc async [%[[TOKEN]]] %[[PRODUCT]]
// CHECK-NEXT: gpu.wait [%[[FREED]]]
// CHECK-NEXT: return %[[RESULT]]
func.func @matmul_relu(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %f = linalg.fill {multikernel.hints = [array<i64: 512, 512>]} ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %c = linalg.matmul {multikernel.hints = [array<i64: 512, 512, 512>]} ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%f : tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"], multikernel.hints = [array<i64: 512, 512>]} ins(%c : tensor<?x?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.maximumf %x, %zero : f32
    linalg.yield %y : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// Returning an argument returns a device copy of it (the caller owns every
// result).
// CHECK-LABEL: func.func @identity(
// CHECK-SAME: %[[X:.*]]: memref<?xf32>) -> memref<?xf32>
// CHECK: %[[S0:.*]] = gpu.wait async
// CHECK-NEXT: %[[COPY:.*]], %{{.*}} = gpu.alloc async [%[[S0]]]
// CHECK-NEXT: %[[S1:.*]] = gpu.wait async
// CHECK-NEXT: %[[COPIED:.*]] = gpu.memcpy async [%[[S1]]] %[[COPY]], %[[X]]
// CHECK-NEXT: gpu.wait [%[[COPIED]]]
// CHECK-NEXT: return %[[COPY]]
func.func @identity(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
