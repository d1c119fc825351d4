// The runtime's limits are compile-time errors naming them: at most 32
// variants per site and 8 dynamic sizes per key (MultiKernelRuntime.h);
// beyond them the library would abort the program on its first call.
//
// RUN: not multikernel-opt %s --split-input-file --multikernel-specialize="hints=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33" 2>&1 | FileCheck %s --check-prefix=VARIANTS
// VARIANTS: error: 33 size hints; a dispatch site holds at most 32 variants (the runtime's limit)
//
// 32 are fine (the second function, whose key is too long, fails alone;
// hints that tile alike make one variant, so fewer remain).
// RUN: not multikernel-opt %s --split-input-file --multikernel-specialize="hints=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32" 2>&1 | FileCheck %s --check-prefix=FINE
// FINE-NOT: variants (the runtime's limit)
// FINE: multikernel.dispatch @scale_0 key(%{{.*}}) hints {{\[\[}}1],
//
// RUN: not multikernel-opt %s --split-input-file --multikernel-specialize="hints=2x2x2x2x2x2x2x2x2" 2>&1 | FileCheck %s --check-prefix=KEY
// KEY: error: the op has 9 dynamic loop sizes; a dispatch key holds at most 8 (the runtime's limit)

func.func @scale(%x: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      outs(%x : memref<?xf32>) {
  ^bb0(%o: f32):
    %r = arith.addf %o, %o : f32
    linalg.yield %r : f32
  }
  return
}

// -----

#id9 = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d1, d2, d3, d4, d5, d6, d7, d8)>
func.func @nine_dims(%x: memref<?x?x?x?x?x?x?x?x?xf32>) {
  linalg.generic {indexing_maps = [#id9], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
      outs(%x : memref<?x?x?x?x?x?x?x?x?xf32>) {
  ^bb0(%o: f32):
    %r = arith.addf %o, %o : f32
    linalg.yield %r : f32
  }
  return
}
