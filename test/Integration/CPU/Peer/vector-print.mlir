// A user's own vector code: transfers, arithmetic, a reduction, printed.
// RUN: multikernel-opt %s --multikernel-cpu-pipeline="hints=8" \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%runner_libs \
// RUN:   | FileCheck %s
// CHECK: ( 2, 4, 6, 8 )
// CHECK: 20

func.func @main() {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %data = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %buffer = bufferization.to_buffer %data : tensor<4xf32> to memref<4xf32>
  %v = vector.transfer_read %buffer[%c0], %pad : memref<4xf32>, vector<4xf32>
  %w = arith.addf %v, %v : vector<4xf32>
  vector.print %w : vector<4xf32>
  %s = vector.reduction <add>, %w : vector<4xf32> into f32
  vector.print %s : f32
  return
}
