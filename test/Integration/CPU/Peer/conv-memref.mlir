// A 1-D convolution on memrefs, written as memref code that allocates and
// frees its own buffers: a helper returns a filled buffer, main frees them.
// RUN: multikernel-opt %s --multikernel-cpu-pipeline="hints=8" \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%runner_libs \
// RUN:   | FileCheck %s
// CHECK: [15, 65, 65, 65, 15, 15]

func.func private @printMemrefF32(memref<*xf32>)

func.func @filled(%size: index, %value: f32) -> memref<?xf32> {
  %buffer = memref.alloc(%size) : memref<?xf32>
  linalg.fill ins(%value : f32) outs(%buffer : memref<?xf32>)
  return %buffer : memref<?xf32>
}

func.func @main() {
  %c3 = arith.constant 3 : index
  %c6 = arith.constant 6 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %five = arith.constant 5.0 : f32
  %eleven = arith.constant 11.0 : f32
  %filter = call @filled(%c3, %five) : (index, f32) -> memref<?xf32>
  %input = call @filled(%c8, %one) : (index, f32) -> memref<?xf32>
  %output = call @filled(%c6, %zero) : (index, f32) -> memref<?xf32>
  memref.store %eleven, %input[%c3] : memref<?xf32>
  linalg.conv_1d ins(%input, %filter : memref<?xf32>, memref<?xf32>)
                 outs(%output : memref<?xf32>)
  %printed = memref.cast %output : memref<?xf32> to memref<*xf32>
  call @printMemrefF32(%printed) : (memref<*xf32>) -> ()
  memref.dealloc %filter : memref<?xf32>
  memref.dealloc %input : memref<?xf32>
  memref.dealloc %output : memref<?xf32>
  return
}
