// Which hints each op gets (multikernel-specialize's description lists the
// order): hints in the function's terms (dim-hints, or a function's
// multikernel.dim_hints) traced to each op's loops, `hints` candidates
// taken by rank, one-size candidates for every rank, the automatic
// candidates where nothing is given, and a warning where hints were given
// but none fits.
//
// The function's dimensions: %x dim 0 (the batch), %x dim 1; %v's one is
// the batch too (the broadcast add runs one loop over both).
// RUN: multikernel-opt %s --multikernel-specialize="dim-hints=64x128,4096x2048 target=cpu" | FileCheck %s --check-prefix=DIMS
// DIMS-LABEL: func.func @batch_and_sequence
// DIMS: multikernel.dispatch @batch_and_sequence_0 key(%{{.*}}, %{{.*}}) hints {{\[}}[64, 128], [4096, 2048]]
// DIMS: multikernel.dispatch @batch_and_sequence_1 key(%{{.*}}) hints {{\[}}[64], [4096]]
// The transposed operand: loop 0 runs over %x dim 1, loop 1 over %x dim 0.
// DIMS-LABEL: func.func @transpose
// DIMS: multikernel.dispatch @transpose_0 key(%{{.*}}, %{{.*}}) hints {{\[}}[128, 64], [2048, 4096]]
//
// Candidates that give an op the same sizes make one variant.
// RUN: multikernel-opt %s --multikernel-specialize="dim-hints=64x128,64x2048 target=cpu" | FileCheck %s --check-prefix=REPEAT
// REPEAT: multikernel.dispatch @batch_and_sequence_0 key(%{{.*}}, %{{.*}}) hints {{\[}}[64, 128], [64, 2048]]
// REPEAT: multikernel.dispatch @batch_and_sequence_1 key(%{{.*}}) hints {{\[}}[64]]
//
// One size gives every dimension that size.
// RUN: multikernel-opt %s --multikernel-specialize="dim-hints=256 target=cpu" | FileCheck %s --check-prefix=ONE
// ONE: multikernel.dispatch @batch_and_sequence_0 key(%{{.*}}, %{{.*}}) hints {{\[}}[256, 256]]
// ONE: multikernel.dispatch @batch_and_sequence_1 key(%{{.*}}) hints {{\[}}[256]]
// ONE: multikernel.dispatch @flattened_0 key(%{{.*}}) hints {{\[}}[256]]
//
// `hints` by rank: one list for a module of mixed ranks; a one-size
// candidate also serves ops of higher rank.
// RUN: multikernel-opt %s --multikernel-specialize="hints=4096,64x512 target=cpu" | FileCheck %s --check-prefix=RANKS
// RANKS: multikernel.dispatch @batch_and_sequence_0 key(%{{.*}}, %{{.*}}) hints {{\[}}[64, 512]]
// RANKS: multikernel.dispatch @batch_and_sequence_1 key(%{{.*}}) hints {{\[}}[4096]]
// RUN: multikernel-opt %s --multikernel-specialize="hints=4096 target=cpu" | FileCheck %s --check-prefix=BROADCAST
// BROADCAST: multikernel.dispatch @batch_and_sequence_0 key(%{{.*}}, %{{.*}}) hints {{\[}}[4096, 4096]]
// BROADCAST: multikernel.dispatch @batch_and_sequence_1 key(%{{.*}}) hints {{\[}}[4096]]
//
// No hints at all: 64, 256 and 4096 for every dynamic loop, silently.
// RUN: multikernel-opt %s --multikernel-specialize="target=cpu" 2>&1 | FileCheck %s --check-prefix=AUTO --implicit-check-not=warning
// AUTO: multikernel.dispatch @batch_and_sequence_0 key(%{{.*}}, %{{.*}}) hints {{\[}}[64, 64], [256, 256], [4096, 4096]]
// AUTO: multikernel.dispatch @batch_and_sequence_1 key(%{{.*}}) hints {{\[}}[64], [256], [4096]]
//
// Hints given, none fits: the automatic ones, with a warning naming the op
// and why.
// RUN: multikernel-opt %s --multikernel-specialize="hints=64x512x8 target=cpu" 2>&1 | FileCheck %s --check-prefix=NOFIT
// NOFIT: specialize-dim-hints.mlir:[[# @LINE + 34]]:3: warning: no size hint fits this op, which has 2 dynamic loop sizes: the hints 64x512x8 have other ranks; it gets the automatic hints 64x64,256x256,4096x4096 (give it a 'multikernel.hints' attribute, or hints of its rank)
// RUN: multikernel-opt %s --multikernel-specialize="dim-hints=64x128x3 target=cpu" 2>&1 | FileCheck %s --check-prefix=DIMRANK
// DIMRANK: warning: no size hint fits this op, which has 2 dynamic loop sizes: the dimension hints have 3 sizes but the function has 2 dynamic dimensions (%arg0 dim 0, %arg0 dim 1); it gets the automatic hints
// A loop whose size is no dimension of the arguments (a reshape's).
// RUN: multikernel-opt %s --multikernel-specialize="dim-hints=64x128 target=cpu" 2>&1 | FileCheck %s --check-prefix=UNTRACED
// UNTRACED: specialize-dim-hints.mlir:[[# @LINE + 64]]:3: warning: no size hint fits this op, which has 1 dynamic loop size: the size of its loop 0 is not a dynamic dimension of the function's arguments; it gets the automatic hints 64,256,4096
// UNTRACED: multikernel.dispatch @flattened_0 key(%{{.*}}) hints {{\[}}[64], [256], [4096]]
//
// A function's multikernel.dim_hints wins over the option; an op's
// multikernel.hints over both. (@own_hints has three dimensions: %v's is
// not %x's.)
// RUN: multikernel-opt %s --multikernel-specialize="dim-hints=64x128 target=cpu" | FileCheck %s --check-prefix=ATTR
// ATTR-LABEL: func.func @own_hints
// ATTR: multikernel.dispatch @own_hints_0 key(%{{.*}}) hints {{\[}}[7]]
// ATTR: multikernel.dispatch @own_hints_1 key(%{{.*}}, %{{.*}}) hints {{\[}}[5, 3], [50, 30]]

// Hints the heuristic tiles alike make one variant (identical code would
// cost compile time and timing on every new shape's first call): on the
// CPU 64, 4096 and 65536 rows of 2048 columns all take tiles of 32 rows;
// on the GPU 65536 tiles as 4096.
// RUN: multikernel-opt %s --multikernel-specialize="hints=64,4096,65536 target=cpu remarks=true" 2>&1 | FileCheck %s --check-prefix=SAME-CPU
// SAME-CPU: :[[# @LINE + 77]]:3: remark: hint 4096 gives the variant of hint 64
// SAME-CPU: :[[# @LINE + 76]]:3: remark: hint 65536 gives the variant of hint 64
// SAME-CPU: multikernel.dispatch @same_tiling_0 key(%{{.*}}) hints {{\[}}[64]] args
// RUN: multikernel-opt %s --multikernel-specialize="hints=64,4096,65536 target=gpu" 2>&1 | FileCheck %s --check-prefix=SAME-GPU
// SAME-GPU: multikernel.dispatch @same_tiling_0 key(%{{.*}}) hints {{\[}}[64], [4096]] args

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#tr2 = affine_map<(d0, d1) -> (d1, d0)>
#row = affine_map<(d0, d1) -> (d0)>
#id1 = affine_map<(d0) -> (d0)>

func.func @batch_and_sequence(%x: memref<?x?xf32>, %v: memref<?xf32>,
                              %out: memref<?x?xf32>, %w: memref<?xf32>) {
  linalg.generic {indexing_maps = [#id2, #row, #id2],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %v : memref<?x?xf32>, memref<?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%v : memref<?xf32>) outs(%w : memref<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  }
  return
}

func.func @transpose(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#tr2, #id2, #id2],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  return
}

func.func @flattened(%x: memref<?x?xf32>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf32>
  %cols = memref.dim %x, %c1 : memref<?x?xf32>
  %n = arith.muli %rows, %cols : index
  %flat = memref.collapse_shape %x [[0, 1]] : memref<?x?xf32> into memref<?xf32>
  %out = memref.alloc(%n) : memref<?xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%flat : memref<?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  }
  return %out : memref<?xf32>
}

func.func @own_hints(%x: memref<?x?xf32>, %v: memref<?xf32>, %w: memref<?xf32>,
                     %out: memref<?x?xf32>)
    attributes {multikernel.dim_hints = [array<i64: 5, 3, 9>, array<i64: 50, 30, 90>]} {
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"],
                  multikernel.hints = [array<i64: 7>]}
      ins(%v : memref<?xf32>) outs(%w : memref<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  }
  return
}

func.func @same_tiling(%x: memref<?x2048xf32>, %out: memref<?x2048xf32>) {
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x2048xf32>) outs(%out : memref<?x2048xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  }
  return
}
