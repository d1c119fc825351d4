// RUN: multikernel-opt %s --split-input-file --convert-to-llvm \
// RUN:   --convert-multikernel-to-llvm --reconcile-unrealized-casts \
// RUN:   | FileCheck %s

// The module identity that keys dispatch tables ignores the compile times
// GPU serialization records in object properties: the same source built
// twice keeps its identity (and its saved dispatch table). Anything else
// in the module, the object itself included, changes it.

// CHECK: @__mkrt_module_id("[[ID:[0-9a-f]+]]\00")
// CHECK: ISAToBinaryTimeInMs = 41
gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_90">, properties = {ISAToBinaryTimeInMs = 41 : i64, LLVMIRToISATimeInMs = 7 : i64}, "CUBIN">]
func.func private @k_0_v0(%a: memref<?xf32>) {
  return
}
func.func @f(%x: memref<?xf32>, %n: index) {
  multikernel.dispatch @k_0 key(%n) hints [[8]] args(%x : memref<?xf32>) {
  ^bb0(%a: memref<?xf32>):
    func.call @k_0_v0(%a) : (memref<?xf32>) -> ()
    multikernel.yield
  }
  return
}

// -----

// Other compile times: the same identity (and the properties are kept).
// CHECK: @__mkrt_module_id("[[ID]]\00")
// CHECK: ISAToBinaryTimeInMs = 52
gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_90">, properties = {ISAToBinaryTimeInMs = 52 : i64, LLVMIRToISATimeInMs = 9 : i64}, "CUBIN">]
func.func private @k_0_v0(%a: memref<?xf32>) {
  return
}
func.func @f(%x: memref<?xf32>, %n: index) {
  multikernel.dispatch @k_0 key(%n) hints [[8]] args(%x : memref<?xf32>) {
  ^bb0(%a: memref<?xf32>):
    func.call @k_0_v0(%a) : (memref<?xf32>) -> ()
    multikernel.yield
  }
  return
}

// -----

// Another object: another identity.
// CHECK-NOT: @__mkrt_module_id("[[ID]]\00")
// CHECK: @__mkrt_module_id("{{[0-9a-f]+}}\00")
gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_90">, properties = {ISAToBinaryTimeInMs = 41 : i64, LLVMIRToISATimeInMs = 7 : i64}, "CUBIN2">]
func.func private @k_0_v0(%a: memref<?xf32>) {
  return
}
func.func @f(%x: memref<?xf32>, %n: index) {
  multikernel.dispatch @k_0 key(%n) hints [[8]] args(%x : memref<?xf32>) {
  ^bb0(%a: memref<?xf32>):
    func.call @k_0_v0(%a) : (memref<?xf32>) -> ()
    multikernel.yield
  }
  return
}
