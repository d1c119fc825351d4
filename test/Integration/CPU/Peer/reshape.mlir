// Tensor reshapes around an elementwise op: collapse, add, expand.
// RUN: multikernel-opt %s --multikernel-cpu-pipeline="hints=8" \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%runner_libs \
// RUN:   | FileCheck %s
// CHECK:      [2, 3, 4],
// CHECK-NEXT: [5, 6, 7]

func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %one = arith.constant 1.0 : f32
  %input = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %flat = tensor.collapse_shape %input [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  %empty = tensor.empty() : tensor<6xf32>
  %plus = linalg.generic {
      indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
      iterator_types = ["parallel"]}
      ins(%flat : tensor<6xf32>) outs(%empty : tensor<6xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %one : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  %grid = tensor.expand_shape %plus [[0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
  %buffer = bufferization.to_buffer %grid : tensor<2x3xf32> to memref<2x3xf32>
  %printed = memref.cast %buffer : memref<2x3xf32> to memref<*xf32>
  call @printMemrefF32(%printed) : (memref<*xf32>) -> ()
  return
}
