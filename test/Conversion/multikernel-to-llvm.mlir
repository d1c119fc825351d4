// RUN: multikernel-opt %s --convert-to-llvm --convert-multikernel-to-llvm --reconcile-unrealized-casts \
// RUN:   --split-input-file --verify-diagnostics | FileCheck %s

// The site descriptor has exactly the layout of MkrtSiteDescriptor (ABI 2):
// { abi, target, name, module, key rank, variants, hints, entries, #args,
//   #written, written, state, variant names }.

// CHECK-DAG: llvm.func @mkrtDispatchOrAbort(!llvm.ptr, !llvm.ptr, !llvm.ptr)
// CHECK-DAG: llvm.mlir.global internal constant @__mkrt_k_0_name("k_0\00")
// CHECK-DAG: llvm.mlir.global internal constant @__mkrt_module_id("{{[0-9a-f]+}}\00")
// CHECK-DAG: llvm.mlir.global internal constant @__mkrt_k_0_hints(dense<[8, 64]> : tensor<2xi64>)
// CHECK-LABEL: llvm.mlir.global internal constant @__mkrt_k_0_variants()
// CHECK:         llvm.mlir.addressof @__mkrt_entry_k_0_v0
// CHECK:         llvm.mlir.addressof @__mkrt_entry_k_0_v1
// Written: arg 1, rank 1, 4-byte elements, host memory.
// CHECK-LABEL: llvm.mlir.global internal constant @__mkrt_k_0_written() {{.*}} : !llvm.array<1 x struct<(i32, i32, i32, i32)>>
// CHECK-DAG:     llvm.mlir.constant(1 : i32)
// CHECK-DAG:     llvm.mlir.constant(4 : i32)
// CHECK-DAG: llvm.mlir.global internal constant @__mkrt_k_0_variant0("hint 8\00")
// CHECK-DAG: llvm.mlir.global internal constant @__mkrt_k_0_variant1("hint 64\00")
// CHECK-LABEL: llvm.mlir.global internal constant @__mkrt_k_0_names() {{.*}} : !llvm.array<2 x ptr>
// CHECK:         llvm.mlir.addressof @__mkrt_k_0_variant0
// CHECK:         llvm.mlir.addressof @__mkrt_k_0_variant1
// CHECK-LABEL: llvm.mlir.global internal @__mkrt_k_0_state() {{.*}} : !llvm.ptr
// CHECK:         llvm.mlir.zero : !llvm.ptr
// CHECK-LABEL: llvm.mlir.global internal constant @__mkrt_k_0_site() {{.*}} : !llvm.struct<(i32, i32, ptr, ptr, i32, i32, ptr, ptr, i32, i32, ptr, ptr, ptr)>
// CHECK-NEXT:    llvm.mlir.constant(2 : i32)
// CHECK:         %[[NAMES:.*]] = llvm.mlir.addressof @__mkrt_k_0_names
// CHECK:         llvm.insertvalue %[[NAMES]], %{{.*}}[12]
// CHECK-LABEL: llvm.func @f(
// CHECK:         %[[KEYS:.*]] = llvm.alloca {{.*}} x !llvm.array<1 x i64>
// CHECK:         %[[ARGS:.*]] = llvm.alloca {{.*}} x !llvm.array<2 x ptr>
// CHECK:         %[[SITE:.*]] = llvm.mlir.addressof @__mkrt_k_0_site
// CHECK:         llvm.call @mkrtDispatchOrAbort(%[[SITE]], %[[KEYS]], %[[ARGS]])
// CHECK-NOT:     multikernel.dispatch
// The entry point unpacks each descriptor and calls the variant.
// CHECK-LABEL: llvm.func internal @__mkrt_entry_k_0_v0(%{{.*}}: !llvm.ptr)
// CHECK:         llvm.load {{.*}} -> !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// CHECK:         llvm.call @k_0_v0({{.*}}) : (!llvm.ptr, !llvm.ptr, i64, i64, i64, !llvm.ptr, !llvm.ptr, i64, i64, i64) -> ()
func.func private @k_0_v0(%a: memref<?xf32>, %b: memref<?xf32>) {
  return
}
func.func private @k_0_v1(%a: memref<?xf32>, %b: memref<?xf32>) {
  return
}
func.func @f(%x: memref<?xf32>, %y: memref<?xf32>, %n: index) {
  multikernel.dispatch @k_0 key(%n) hints [[8], [64]] args(%x, %y : memref<?xf32>, memref<?xf32>)
      attributes {written = array<i64: 1>} {
  ^bb0(%a: memref<?xf32>, %b: memref<?xf32>):
    func.call @k_0_v0(%a, %b) : (memref<?xf32>, memref<?xf32>) -> ()
    multikernel.yield
  }, {
  ^bb0(%a: memref<?xf32>, %b: memref<?xf32>):
    func.call @k_0_v1(%a, %b) : (memref<?xf32>, memref<?xf32>) -> ()
    multikernel.yield
  }
  return
}

// -----

// GPU tilings make a CUDA site (target 1) whose written arguments live on
// the device (memory space 1); scalars are passed by pointer too.

// CHECK-LABEL: llvm.mlir.global internal constant @__mkrt_g_0_site()
// CHECK-NEXT:    %[[ABI:.*]] = llvm.mlir.constant(2 : i32) : i32
// CHECK-NEXT:    %[[CUDA:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK:         llvm.insertvalue %[[ABI]], %{{.*}}[0]
// CHECK-NEXT:    llvm.insertvalue %[[CUDA]], %{{.*}}[1]
// CHECK-LABEL: llvm.func internal @__mkrt_entry_g_0_v0
// CHECK:         llvm.load {{.*}} -> f32
func.func private @g_0_v0(%a: memref<?xf32>, %s: f32) {
  return
}
func.func @g(%x: memref<?xf32>, %s: f32, %n: index) {
  multikernel.dispatch @g_0 key(%n) hints [[8]] args(%x, %s : memref<?xf32>, f32) attributes {tilings = [
      #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [256], thread_tile = [1], threads = 256, vector_width = 1, reduction = none, split = 1>]} {
  ^bb0(%a: memref<?xf32>, %b: f32):
    func.call @g_0_v0(%a, %b) : (memref<?xf32>, f32) -> ()
    multikernel.yield
  }
  return
}

// -----

func.func @not_outlined(%x: memref<?xf32>, %n: index) {
  // expected-error @+1 {{variants must be outlined first: run --multikernel-outline-variants}}
  multikernel.dispatch @k key(%n) hints [[8]] args(%x : memref<?xf32>) {
  ^bb0(%a: memref<?xf32>):
    multikernel.yield
  }
  return
}

// -----

func.func private @t_v0(%a: tensor<?xf32>) -> tensor<?xf32>
func.func @tensor_form(%x: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  // expected-error @+1 {{has tensor results: bufferize it (one-shot bufferization) before --convert-multikernel-to-llvm}}
  %r = multikernel.dispatch @t key(%n) hints [[8]] args(%x : tensor<?xf32>) -> tensor<?xf32> {
  ^bb0(%a: tensor<?xf32>):
    %0 = func.call @t_v0(%a) : (tensor<?xf32>) -> tensor<?xf32>
    multikernel.yield %0 : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}
