// --multikernel-cpu-pipeline takes linalg on tensors to the LLVM dialect in
// one flag.
// RUN: multikernel-opt %s --multikernel-cpu-pipeline="hints=1024x512,4096x2048" | FileCheck %s
// CHECK-NOT: multikernel.dispatch
// CHECK-NOT: linalg.
// CHECK-DAG: llvm.mlir.global internal constant @__mkrt_seed_0_site()
// CHECK-DAG: llvm.func @seed_0_v0(
// CHECK-DAG: llvm.func @seed_0_v1(
// CHECK-DAG: llvm.func @_mlir_ciface_seed(
// CHECK-DAG: llvm.call @mkrtDispatchOrAbort
//
// RUN: multikernel-opt --help | FileCheck %s --check-prefix=HELP
// HELP: --multikernel-cpu-pipeline
func.func @seed(%x: tensor<?x?xf32>, %y: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %x, %c0 : tensor<?x?xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?xf32>
  %init = tensor.empty(%m, %n) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<?x?xf32>, tensor<?x?xf32>) outs(%init : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %s = math.sin %b : f32
    %t = arith.mulf %a, %two : f32
    %v = arith.addf %t, %s : f32
    linalg.yield %v : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
