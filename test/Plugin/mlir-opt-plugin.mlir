// The stock mlir-opt of the distribution loads the dialect from the plugin
// and round-trips the custom and generic forms.
//
// RUN: mlir-opt %s --load-dialect-plugin=%multikernel_libs/MultiKernelPlugin%shlibext \
// RUN:   | mlir-opt --load-dialect-plugin=%multikernel_libs/MultiKernelPlugin%shlibext --mlir-print-op-generic \
// RUN:   | mlir-opt --load-dialect-plugin=%multikernel_libs/MultiKernelPlugin%shlibext | FileCheck %s
//
// Without the plugin the stock tool does not know the dialect.
// RUN: not mlir-opt %s 2>&1 | FileCheck %s --check-prefix=NOPLUGIN
// NOPLUGIN: error: Dialect `multikernel' not found for custom op 'multikernel.dispatch'
//
// The verifier runs inside the stock tool too.
// RUN: not mlir-opt %S/Inputs/bad-dispatch.mlir --load-dialect-plugin=%multikernel_libs/MultiKernelPlugin%shlibext 2>&1 \
// RUN:   | FileCheck %s --check-prefix=VERIFY
// VERIFY: error: 'multikernel.dispatch' op hint #0 has 1 sizes, but the key has 2 operands

// CHECK-LABEL: func.func @plugin_round_trip
// CHECK:         multikernel.dispatch @site key(%{{.*}}, %{{.*}}) hints {{\[\[}}1024, 512], [4096, 2048]] args(%{{.*}} : memref<?x?xf32>) {
// CHECK:           multikernel.yield
// CHECK:         }, {
// CHECK:           multikernel.yield
// CHECK:         }
func.func @plugin_round_trip(%m: index, %n: index, %x: memref<?x?xf32>) {
  multikernel.dispatch @site key(%m, %n) hints [[1024, 512], [4096, 2048]]
      args(%x : memref<?x?xf32>) {
  ^bb0(%a: memref<?x?xf32>):
    multikernel.yield
  }, {
  ^bb0(%a: memref<?x?xf32>):
    multikernel.yield
  }
  return
}
