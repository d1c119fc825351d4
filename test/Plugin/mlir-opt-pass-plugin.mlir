// The stock mlir-opt runs this project's passes from the plugin (plugin
// passes are named in --pass-pipeline: the plugin loads after mlir-opt has
// parsed its own flags).
//
// RUN: mlir-opt %s --load-dialect-plugin=%multikernel_libs/MultiKernelPlugin%shlibext \
// RUN:   --load-pass-plugin=%multikernel_libs/MultiKernelPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(multikernel-specialize{hints=1024x512 target=cpu},multikernel-outline-variants)" \
// RUN:   | FileCheck %s
// CHECK: func.func private @copy_0_v0
// CHECK: multikernel.dispatch @copy_0 key
// CHECK:   func.call @copy_0_v0
func.func @copy(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.copy ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>)
  return
}
