// The specialized IR is ordinary upstream IR: after outlining, every
// variant lowers to the LLVM dialect with upstream passes (the dispatch op
// itself is lowered by --convert-multikernel-to-llvm).
//
// CPU variants: forall -> parallel loops -> LLVM.
// RUN: multikernel-opt %s --multikernel-specialize="hints=1024x512,4096x2048 target=cpu" \
// RUN:   --multikernel-outline-variants --scf-forall-to-parallel --convert-linalg-to-loops \
// RUN:   --lower-affine --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-to-llvm --reconcile-unrealized-casts \
// RUN:   | FileCheck %s --check-prefix=CPU
// CPU: llvm.func @seed_0_v0(
// CPU-SAME: multikernel.variant_of = "seed_0"
// CPU-NOT: scf.
// CPU: llvm.func @seed_0_v1(
// CPU: llvm.func @seed(
//
// GPU variants: the same IR, run as host loops here, lowers as well (the
// GPU lowering maps the block and thread loops to a launch instead).
// RUN: multikernel-opt %s --multikernel-specialize="hints=1024x512,4096x2048" \
// RUN:   --multikernel-outline-variants --scf-forall-to-parallel --convert-linalg-to-loops \
// RUN:   --lower-affine --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-to-llvm --reconcile-unrealized-casts \
// RUN:   | FileCheck %s --check-prefix=GPU
// GPU: llvm.func @seed_0_v0(
// GPU-SAME: target = gpu
// GPU: llvm.func @seed_0_v1(
func.func @seed(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %s = math.sin %b : f32
    %t = arith.mulf %a, %two : f32
    %r = arith.addf %t, %s : f32
    linalg.yield %r : f32
  }
  return
}
