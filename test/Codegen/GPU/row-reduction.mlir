// RUN: multikernel-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline="builtin.module(multikernel-decompose-softmax,multikernel-specialize{hints=4096x512},multikernel-outline-variants,multikernel-gpu-codegen,canonicalize,cse)" \
// RUN:   | FileCheck %s

// A row sum. Hint 4096x512: a warp per row (32 x 8 threads), each thread
// keeping 4 vectors of 4 (rows up to 512 in one read), shuffles across the
// warp, the output's initial value combined in by lane 0. Rows of at most
// 16 elements take a thread per row instead, rows longer than the
// registers hold a loop, unaligned buffers scalar kernels (the host picks).
// Hint 4096x4096: a block of 128 per row; the warps' values meet in
// workgroup memory.

// CHECK-LABEL: func.func private @row_sum_0_v0
// CHECK-SAME:    (%[[X:.*]]: memref<?x?xf32>, %[[O:.*]]: memref<?xf32>)
// CHECK:         %[[ROWS:.*]] = memref.dim %[[X]], %c0
// CHECK:         %[[N:.*]] = memref.dim %[[X]], %c1
// CHECK:         %[[SHORT:.*]] = arith.cmpi ule, %[[N]], %c16
// CHECK:         scf.if %[[SHORT]] {
// CHECK:           gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1
// CHECK:             scf.for %{{.*}} = %c0 to %[[N]] step %c1 iter_args(%{{.*}}) -> (f32)
// CHECK:         } else {
// CHECK:           %[[FITS:.*]] = arith.cmpi ule, %[[N]], %c512
// CHECK:           scf.if %[[FITS]] {
// CHECK:             gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c32, {{.*}} = %c8
// CHECK-COUNT-4:       vector.load %[[X]]{{.*}} {alignment = 16 : i64} : memref<?x?xf32>, vector<4xf32>
// CHECK-NOT:           vector.load
// CHECK-COUNT-5:       gpu.shuffle  xor {{.*}} : f32
// CHECK:               memref.load %[[O]]
// CHECK:               scf.if %{{.*}} {
// CHECK-NEXT:            memref.store %{{.*}}, %[[O]][%{{.*}}] : memref<?xf32>
// CHECK:           } else {
// CHECK:             gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c32, {{.*}} = %c8
// CHECK:               scf.for {{.*}} to %[[N]] step %c128 iter_args(%{{.*}}) -> (vector<4xf32>)
// CHECK:                 vector.load
// CHECK-LABEL: func.func private @row_sum_0_v1
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c128, {{.*}}) workgroup(%[[WG:.*]] : memref<32xf32, #gpu.address_space<workgroup>>)
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           memref.store %{{.*}}, %[[WG]]
// CHECK:           gpu.barrier
// CHECK:           memref.load %[[WG]]
// CHECK-COUNT-5:   gpu.shuffle  xor
func.func @row_sum(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"],
                  multikernel.hints = [array<i64: 4096, 512>, array<i64: 4096, 4096>]}
      ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// softmax(x + y): the add, through an intermediate buffer, and the three
// generics of the softmax form one kernel. The row is read once into
// registers (x and y, 4 slots of vectors each, guarded at the row's end),
// x + y computed once per slot; the maximum and the sum of exponentials are
// reduced from the registers and the outputs stored: no intermediate buffer
// is left.

// CHECK-LABEL: func.func private @softmax_add_0_v0
// CHECK-SAME:    (%[[X:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?x?xf32>, %[[O:.*]]: memref<?x?xf32>
// CHECK-NOT:     memref.alloc
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c32, {{.*}} = %c8
// CHECK:           scf.if %[[VALID:.*]] -> (vector<4xf32>, vector<4xf32>) {
// CHECK-NEXT:        vector.load %[[X]]
// CHECK-NEXT:        vector.load %[[Y]]
// CHECK-COUNT-3:   vector.load %[[Y]]
// CHECK-NOT:       vector.load
// CHECK-COUNT-5:   gpu.shuffle  xor {{.*}} : f32
// CHECK-NOT:       vector.load
// CHECK-COUNT-4:   math.exp {{.*}} : vector<4xf32>
// CHECK-NOT:       math.exp
// CHECK-COUNT-5:   gpu.shuffle  xor {{.*}} : f32
// CHECK-NOT:       vector.load
// CHECK:           arith.divf
// CHECK:           scf.if %[[VALID]] {
// CHECK-NEXT:        vector.store {{.*}}, %[[O]]
// CHECK-LABEL: func.func @softmax_add
// CHECK:         multikernel.dispatch @softmax_add_0
// CHECK-NOT:     multikernel.dispatch
// CHECK-NOT:     memref.alloc
func.func @softmax_add(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  %t = memref.alloc(%m, %n) : memref<?x?xf32>
  linalg.add ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%t : memref<?x?xf32>)
  linalg.softmax dimension(1) ins(%t : memref<?x?xf32>) outs(%out : memref<?x?xf32>)
  memref.dealloc %t : memref<?x?xf32>
  return
}

// -----

// LayerNorm as a frontend writes it: fills of the accumulators, the mean
// (a sum, then a scale in an op of its own), the variance of a multi-op
// body, and the normalization with row-broadcast gamma and beta. One
// kernel: two reductions, one pass over x, the outputs in the same kernel.
// x is the one buffer a row keeps in registers (gamma and beta are shared
// by all rows): 4 vectors of 4 per thread, the hint's row of 512.

// CHECK-LABEL: func.func private @layer_norm_0_v0
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c32, {{.*}} = %c8
// CHECK-COUNT-4:   vector.load %{{.*}} : memref<?x?xf32>, vector<4xf32>
// CHECK-NOT:       vector.load %{{.*}} : memref<?x?xf32>
// CHECK:           gpu.shuffle
// CHECK:           arith.mulf
// CHECK:           gpu.shuffle
// CHECK:           math.rsqrt
// CHECK:           vector.load %{{.*}} : memref<?xf32>, vector<4xf32>
// CHECK:           vector.store %{{.*}} : memref<?x?xf32>, vector<4xf32>
// CHECK-LABEL: func.func @layer_norm
// CHECK:         multikernel.dispatch @layer_norm_0
// CHECK-NOT:     multikernel.dispatch
func.func @layer_norm(%x: memref<?x?xf32>, %gamma: memref<?xf32>, %beta: memref<?xf32>, %out: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %sum = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%sum : memref<?xf32>)
  linalg.reduce ins(%x : memref<?x?xf32>) outs(%sum : memref<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %mean = memref.alloc(%m) : memref<?xf32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%sum : memref<?xf32>) outs(%mean : memref<?xf32>) {
  ^bb0(%s: f32, %o: f32):
    %inv = arith.constant 0.001953125 : f32
    %r = arith.mulf %s, %inv : f32
    linalg.yield %r : f32
  }
  %var = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%var : memref<?xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x, %mean : memref<?x?xf32>, memref<?xf32>) outs(%var : memref<?xf32>) {
  ^bb0(%a: f32, %mu: f32, %acc: f32):
    %d = arith.subf %a, %mu : f32
    %sq = arith.mulf %d, %d : f32
    %r = arith.addf %sq, %acc : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>,
                                   affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %mean, %var, %gamma, %beta : memref<?x?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>)
      outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %mu: f32, %v: f32, %g: f32, %b: f32, %o: f32):
    %inv = arith.constant 0.001953125 : f32
    %eps = arith.constant 1.0e-5 : f32
    %vm = arith.mulf %v, %inv : f32
    %ve = arith.addf %vm, %eps : f32
    %rs = math.rsqrt %ve : f32
    %d = arith.subf %a, %mu : f32
    %nrm = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nrm, %g : f32
    %r = arith.addf %sc, %b : f32
    linalg.yield %r : f32
  }
  memref.dealloc %var : memref<?xf32>
  memref.dealloc %mean : memref<?xf32>
  memref.dealloc %sum : memref<?xf32>
  return
}

// -----

// f16 rows accumulate in f16, as the IR says; shuffles move 32-bit values.

// CHECK-LABEL: func.func private @sum_f16_0_v0
// CHECK:         gpu.launch
// CHECK:           vector.load {{.*}} : memref<?x?xf16>, vector<8xf16>
// CHECK:           arith.bitcast %{{.*}} : f16 to i16
// CHECK-NEXT:      arith.extui %{{.*}} : i16 to i32
// CHECK-NEXT:      gpu.shuffle  xor %{{.*}} : i32
// CHECK-NEXT:      arith.trunci %{{.*}} : i32 to i16
// CHECK-NEXT:      arith.bitcast %{{.*}} : i16 to f16
func.func @sum_f16(%x: memref<?x?xf16>, %out: memref<?xf16>) {
  linalg.reduce ins(%x : memref<?x?xf16>) outs(%out : memref<?xf16>) dimensions = [1]
    (%in: f16, %acc: f16) {
      %s = arith.addf %in, %acc : f16
      linalg.yield %s : f16
    }
  return
}

// -----

// The mean of squares: the sum of a multi-op body, then an op over the
// rows alone (the division), computed once per row after the reduction and
// stored by the row's first thread; the sum never reaches memory.

// CHECK-LABEL: func.func private @mean_sq_0_v0
// CHECK-SAME:    (%[[X:.*]]: memref<?x?xf32>, %[[O:.*]]: memref<?xf32>, %{{.*}}: index, %[[N:.*]]: f32)
// CHECK-NOT:     memref.alloc
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c32, {{.*}} = %c8
// CHECK:           arith.mulf {{.*}} : vector<4xf32>
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           %[[MEAN:.*]] = arith.divf %{{.*}}, %[[N]] : f32
// CHECK:           scf.if %{{.*}} {
// CHECK-NEXT:        memref.store %[[MEAN]], %[[O]][%{{.*}}] : memref<?xf32>
func.func @mean_sq(%x: memref<?x?xf32>, %nf: f32, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x?xf32>
  %ss = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%ss : memref<?xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x?xf32>) outs(%ss : memref<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %r = arith.addf %sq, %acc : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%ss : memref<?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%s: f32, %o: f32):
    %r = arith.divf %s, %nf : f32
    linalg.yield %r : f32
  }
  memref.dealloc %ss : memref<?xf32>
  return
}

// -----

// Short rows share a warp (rule R1): rows of 48 in vectors of 4 take 4
// lanes each, 64 rows per 256-thread block, each lane 3 vectors; the
// shuffles stay within the row's 4 lanes (xor 2, 1). A warp's lanes all
// take part in its shuffles, so a row past the end is clamped to the last
// one and stores nothing.

// CHECK-LABEL: func.func private @short_rows_0_v0
// CHECK-SAME:    block_tile = [64, 0], thread_tile = [1, 12], threads = 256, vector_width = 4, reduction = warp
// CHECK:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c4, {{.*}} = %c64
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[ROW:.*]], %[[ROWS:.*]] : index
// CHECK:           %[[LAST:.*]] = arith.subi %[[ROWS]], %c1
// CHECK:           arith.minui %[[ROW]], %[[LAST]]
// CHECK-NOT:       scf.if %[[IN]]
// CHECK-COUNT-3:   vector.load
// CHECK-NOT:       gpu.shuffle  xor {{.*}}, %c16_i32
// CHECK:           gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32
// CHECK-NEXT:      arith.addf
// CHECK-NEXT:      gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32
// CHECK:           arith.andi %{{.*}}, %[[IN]]
// CHECK:           memref.store
func.func @short_rows(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"],
                  multikernel.hints = [array<i64: 131072, 48>]}
      ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}
