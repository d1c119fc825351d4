// Without remarks=true, ops left alone are left alone silently.
// RUN: multikernel-opt %s --multikernel-specialize="hints=8x8" 2>&1 | FileCheck %s
// CHECK-NOT: remark
// CHECK: linalg.copy ins(%{{.*}} : memref<4x4xf32>)
// CHECK-NOT: remark
func.func @static_copy(%a: memref<4x4xf32>, %b: memref<4x4xf32>) {
  linalg.copy ins(%a : memref<4x4xf32>) outs(%b : memref<4x4xf32>)
  return
}
