// A rank-reducing subview written into by a fill, in memref code that frees
// its own buffer.
// RUN: multikernel-opt %s --multikernel-cpu-pipeline="hints=8" \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%runner_libs \
// RUN:   | FileCheck %s
// CHECK:      [0, 0, 0, 0],
// CHECK-NEXT: [7, 7, 7, 7],
// CHECK-NEXT: [0, 0, 0, 0]

func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %zero = arith.constant 0.0 : f32
  %seven = arith.constant 7.0 : f32
  %grid = memref.alloc() : memref<3x4xf32>
  linalg.fill ins(%zero : f32) outs(%grid : memref<3x4xf32>)
  %row = memref.subview %grid[1, 0] [1, 4] [1, 1]
      : memref<3x4xf32> to memref<4xf32, strided<[1], offset: 4>>
  linalg.fill ins(%seven : f32) outs(%row : memref<4xf32, strided<[1], offset: 4>>)
  %printed = memref.cast %grid : memref<3x4xf32> to memref<*xf32>
  call @printMemrefF32(%printed) : (memref<*xf32>) -> ()
  memref.dealloc %grid : memref<3x4xf32>
  return
}
