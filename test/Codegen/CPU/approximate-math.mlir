// f32 tanh and erf become polynomials (no call left), scalars and vectors;
// other types keep their math ops.
// RUN: multikernel-opt %s --multikernel-approximate-math | FileCheck %s

// CHECK-LABEL: func.func @f32
// CHECK-NOT:     math.tanh
// CHECK-NOT:     math.erf
// CHECK:         arith.mulf
// CHECK:         return
func.func @f32(%x: f32, %v: vector<8xf32>) -> (f32, vector<8xf32>, f32) {
  %t = math.tanh %x : f32
  %tv = math.tanh %v : vector<8xf32>
  %e = math.erf %x : f32
  return %t, %tv, %e : f32, vector<8xf32>, f32
}

// CHECK-LABEL: func.func @f64
// CHECK:         math.tanh %{{.*}} : f64
// CHECK:         math.erf %{{.*}} : f64
func.func @f64(%x: f64) -> (f64, f64) {
  %t = math.tanh %x : f64
  %e = math.erf %x : f64
  return %t, %e : f64, f64
}
