// One case per rule of lib/Transforms/TilingHeuristic.cpp: the tiling each
// hint produces, read off the dispatch's `tilings`.
//
// RUN: multikernel-opt %s --multikernel-decompose-softmax --multikernel-specialize --split-input-file | FileCheck %s
// RUN: multikernel-opt %s --multikernel-specialize="target=cpu" --split-input-file | FileCheck %s --check-prefix=CPU
// RUN: multikernel-opt %s --multikernel-specialize="target=cpu cpu-vector-bits=512" --split-input-file | FileCheck %s --check-prefix=AVX512

// E1: the contiguous (innermost) loop goes to thread x and block x; E2:
// vectors of 16 bytes (4 f32) wherever the inner size holds them; E3: 128
// threads for hints too small to fill the GPU with 256, thread x as many as
// the inner size needs, so that short rows share a warp (32: 8 threads x 16
// rows).
// CHECK-LABEL: func.func @elementwise_rules
// CHECK:       tilings = [
// CHECK-SAME:    #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [16, 32], thread_tile = [1, 4], threads = 128, vector_width = 4
// CHECK-SAME:    #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [8, 64], thread_tile = [1, 4], threads = 128, vector_width = 4
// CHECK-SAME:    #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [2, 512], thread_tile = [1, 4], threads = 256, vector_width = 4
// E4: elements per thread grow with the hint while the grid keeps at least
// 4 blocks per multiprocessor: 1, 2, then 8 rows of vectors per thread.
// CHECK-SAME:    #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [2, 1024], thread_tile = [2, 4], threads = 256, vector_width = 4
// CHECK-SAME:    #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [8, 1024], thread_tile = [8, 4], threads = 256, vector_width = 4
// The GPU lowering builds the kernels from the tiling: the variants keep
// their op.
// CHECK-NOT:   scf.forall
// CHECK:       linalg.copy
//
// C1: CPU inner tiles are one row of the outer tile, whose rows are whole
// rows (or 256 KB of one); outer tiles hold about 256 KB.
// CPU-LABEL: func.func @elementwise_rules
// CPU:       #multikernel.tiling<target = cpu, kind = elementwise, block_tile = [2048, 32], thread_tile = [1, 32], threads = 0, vector_width = 8
// CPU:       #multikernel.tiling<target = cpu, kind = elementwise, block_tile = [64, 1024], thread_tile = [1, 1024], threads = 0, vector_width = 8
// CPU:       scf.forall
// CPU:         scf.for
// CPU:           scf.for
func.func @elementwise_rules(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.copy {multikernel.hints = [array<i64: 64, 32>, array<i64: 64, 64>, array<i64: 1024, 512>,
                                    array<i64: 2048, 1024>, array<i64: 4096, 2048>]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>)
  return
}

// -----

// E5: a transposed input (x, contiguous along loop 0) is staged through
// workgroup memory in tiles of 32 along the innermost loop and 32, 64 or
// 128 along loop 0 (the largest that keeps 4 blocks per multiprocessor);
// a hint under 32 along either loop keeps the rows form. The CPU tiles it
// as any elementwise op.
// CHECK-LABEL: func.func @transposed_input
// CHECK:       tilings = [#multikernel.tiling<target = gpu, kind = elementwise, block_tile = [32, 32], thread_tile = [4, 1], threads = 256, vector_width = 1, reduction = none, split = 1, transpose_loop = 0>
// CHECK-SAME:    #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [64, 32], thread_tile = [8, 1], threads = 256, vector_width = 1, reduction = none, split = 1, transpose_loop = 0>
// CHECK-SAME:    #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [128, 32], thread_tile = [16, 1], threads = 256, vector_width = 1, reduction = none, split = 1, transpose_loop = 0>
// CHECK-SAME:    #multikernel.tiling<target = gpu, kind = elementwise, block_tile = [1024, 1], thread_tile = [4, 1], threads = 256, vector_width = 1, reduction = none, split = 1>]
// CPU-LABEL: func.func @transposed_input
// CPU-NOT:     transpose_loop
// CPU:         return
func.func @transposed_input(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"],
                  multikernel.hints = [array<i64: 1024, 512>, array<i64: 2048, 1024>, array<i64: 16384, 8192>,
                                       array<i64: 1048576, 1>]}
      ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// E5 for 2-byte elements: tiles of 64 (128 bytes) along both loops, 16
// points per thread at most; with
// five transposed inputs, tiles no longer than 64 along loop 0 keep them
// within 48 KiB of workgroup memory (a 128-long tile would take 83 KB).
// CHECK-LABEL: func.func @transposed_bf16
// CHECK:       tilings = [#multikernel.tiling<target = gpu, kind = elementwise, block_tile = [64, 64], thread_tile = [16, 1], threads = 256, vector_width = 1, reduction = none, split = 1, transpose_loop = 0>]
// CHECK-LABEL: func.func @five_transposed
// CHECK:       tilings = [#multikernel.tiling<target = gpu, kind = elementwise, block_tile = [64, 32], thread_tile = [8, 1], threads = 256, vector_width = 1, reduction = none, split = 1, transpose_loop = 0>]
func.func @transposed_bf16(%x: memref<?x?xbf16>, %y: memref<?x?xbf16>, %out: memref<?x?xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"],
                  multikernel.hints = [array<i64: 16384, 8192>]}
      ins(%x, %y : memref<?x?xbf16>, memref<?x?xbf16>) outs(%out : memref<?x?xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %r = arith.addf %a, %b : bf16
    linalg.yield %r : bf16
  }
  return
}
func.func @five_transposed(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>, %d: memref<?x?xf32>, %e: memref<?x?xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"],
                  multikernel.hints = [array<i64: 16384, 8192>]}
      ins(%a, %b, %c, %d, %e : memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%va: f32, %vb: f32, %vc: f32, %vd: f32, %ve: f32, %o: f32):
    %s0 = arith.addf %va, %vb : f32
    %s1 = arith.addf %s0, %vc : f32
    %s2 = arith.addf %s1, %vd : f32
    %s3 = arith.addf %s2, %ve : f32
    linalg.yield %s3 : f32
  }
  return
}

// -----

// E2 counts bytes: 16-byte accesses are 8 f16 values.
// CHECK-LABEL: func.func @elementwise_f16
// CHECK:       block_tile = [8, 2048], thread_tile = [8, 8], threads = 256, vector_width = 8
func.func @elementwise_f16(%x: memref<?x?xf16>, %y: memref<?x?xf16>) {
  linalg.copy {multikernel.hints = [array<i64: 4096, 4096>]}
      ins(%x : memref<?x?xf16>) outs(%y : memref<?x?xf16>)
  return
}

// -----

// R1: short rows, a warp per row (8 rows per block); R2: rows up to 16384
// in one block, in registers, threads growing with the row; R3: long rows
// split over several blocks when there are fewer rows than multiprocessors
// aiming at 2 blocks per multiprocessor over the rows of a call (264),
// chunks of 8192 elements at least, 4 blocks per row at least; otherwise
// looped. R4: the row's thread tile is the elements each thread keeps, as
// many vectors of 4 as the hint's row needs, at most 8. R6: every one gives
// rows of at most 16 elements a thread each.
// CHECK-LABEL: func.func @reduction_rules
// CHECK:       tilings = [
// CHECK-SAME:    kind = reduction, block_tile = [8, 0], thread_tile = [1, 16], threads = 256, vector_width = 4, reduction = warp, split = 1, thread_row_limit = 16>
// CHECK-SAME:    kind = reduction, block_tile = [1, 0], thread_tile = [1, 32], threads = 128, vector_width = 4, reduction = block, split = 1, thread_row_limit = 16>
// CHECK-SAME:    kind = reduction, block_tile = [1, 0], thread_tile = [1, 32], threads = 512, vector_width = 4, reduction = block, split = 1, thread_row_limit = 16>
// CHECK-SAME:    kind = reduction, block_tile = [1, 0], thread_tile = [1, 32], threads = 1024, vector_width = 4, reduction = split, split = 264, thread_row_limit = 16, split_chunk = 8192, min_split = 4>
// CHECK-SAME:    kind = reduction, block_tile = [1, 0], thread_tile = [1, 32], threads = 1024, vector_width = 4, reduction = looped, split = 1, thread_row_limit = 16>
// On tensors, the row is never split by the block-level loop.
// CHECK:       scf.forall ({{[^,]*}}) {{.*}} {
// CHECK:         linalg.generic
// CHECK:       } {mapping = [#gpu.block<x>]}
//
// C2: CPU tasks keep whole rows (256 KB of them).
// CPU-LABEL: func.func @reduction_rules
// CPU:       kind = reduction, block_tile = [128, 0], thread_tile = [1, 8]
func.func @reduction_rules(%x: tensor<?x?xf32>, %init: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "reduction"],
                       multikernel.hints = [array<i64: 100000, 512>, array<i64: 4096, 4096>,
                                            array<i64: 4096, 16384>, array<i64: 96, 100000>,
                                            array<i64: 1024, 100000>]}
      ins(%x : tensor<?x?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// R5: a reduction over the outer loop (a column sum): 4 columns a thread,
// threads x up to a warp (96 columns: 24 vectors, 32 threads), the rest of
// 256 along the rows; few column blocks split the rows (132 x 4 blocks
// wanted, 16 rows a thread at least: 100000 rows of 96 -> 528 chunks,
// 1048576 rows of 4 -> 256 = 1048576 / (256 x 16)); 65536 columns give
// 512 column blocks, close to the 528 wanted: 2 chunks.
// CHECK-LABEL: func.func @column_rules
// CHECK:       tilings = [
// CHECK-SAME:    kind = reduction, block_tile = [8, 128], thread_tile = [1, 4], threads = 256, vector_width = 4, reduction = column, split = 528
// CHECK-SAME:    kind = reduction, block_tile = [256, 4], thread_tile = [1, 4], threads = 256, vector_width = 4, reduction = column, split = 256
// CHECK-SAME:    kind = reduction, block_tile = [8, 128], thread_tile = [1, 4], threads = 256, vector_width = 4, reduction = column, split = 2
func.func @column_rules(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>],
                  iterator_types = ["reduction", "parallel"],
                  multikernel.hints = [array<i64: 100000, 96>, array<i64: 1048576, 4>,
                                       array<i64: 4096, 65536>]}
      ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A GPU group around a reduction (softmax as --multikernel-decompose-softmax
// writes it) takes the same rules: 8192 = 256 threads x 8 vectors of 4 each;
// 12000 = 512 threads x 6 vectors; rows of 96 share warps, 8 lanes each
// (32 rows per block) with 3 vectors of 4.
// CHECK-LABEL: func.func @softmax_rules
// CHECK:       multikernel.dispatch @softmax_rules_0
// CHECK-SAME:  kind = reduction, block_tile = [1, 0], thread_tile = [1, 32], threads = 256, vector_width = 4, reduction = block
// CHECK-SAME:  kind = reduction, block_tile = [1, 0], thread_tile = [1, 24], threads = 512, vector_width = 4, reduction = block
// CHECK-SAME:  kind = reduction, block_tile = [32, 0], thread_tile = [1, 12], threads = 256, vector_width = 4, reduction = warp
// CHECK-NOT:   multikernel.dispatch
func.func @softmax_rules(%x: memref<?x?xf32>, %o: memref<?x?xf32>) {
  linalg.softmax {multikernel.hints = [array<i64: 4096, 8192>, array<i64: 4096, 12000>, array<i64: 4096, 96>]}
      dimension(1) ins(%x : memref<?x?xf32>) outs(%o : memref<?x?xf32>)
  return
}

// -----

// R2 and R4 count the buffers read along the row: with two (softmax(x + y))
// the block takes rows up to 8192 with 4 vectors per thread; longer rows
// loop (12000: 3 vectors per thread of 1024).
// CHECK-LABEL: func.func @two_row_inputs
// CHECK:       kind = reduction, block_tile = [1, 0], thread_tile = [1, 16], threads = 512, vector_width = 4, reduction = block
// CHECK-SAME:  kind = reduction, block_tile = [1, 0], thread_tile = [1, 12], threads = 1024, vector_width = 4, reduction = looped
func.func @two_row_inputs(%x: memref<?x?xf32>, %y: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"],
                  multikernel.hints = [array<i64: 4096, 8192>, array<i64: 4096, 12000>]}
      ins(%x, %y : memref<?x?xf32>, memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %s = arith.addf %a, %b : f32
    %t = arith.addf %s, %acc : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// M1: matmul block tiles by the M*N class of the hint.
// CHECK-LABEL: func.func @matmul_rules
// CHECK:       kind = matmul, block_tile = [32, 32, 32], thread_tile = [2, 2, 0], threads = 256
// CHECK-SAME:  kind = matmul, block_tile = [64, 64, 32], thread_tile = [4, 4, 0], threads = 256
// CHECK-SAME:  kind = matmul, block_tile = [128, 128, 32], thread_tile = [8, 8, 0], threads = 256
// CHECK-NOT:   scf.forall
// CHECK:       linalg.matmul
//
// C3: CPU matmul register tiles of two vectors of columns, 6 rows with 16
// vector registers, 8 with 32; tasks of 24 strips by two tiles, K blocks of
// 256. The tasks are the parallel loop; the rest is the CPU codegen's.
// CPU-LABEL: func.func @matmul_rules
// CPU:       kind = matmul, block_tile = [144, 32, 256], thread_tile = [6, 16, 0], threads = 0, vector_width = 8
// CPU:       scf.forall ({{.*}}) = (0, 0) to ({{.*}}) step (144, 32)
// CPU-NEXT:    affine.min
// CPU-NEXT:    affine.min
// CPU-COUNT-3: memref.subview
// CPU-NEXT:    linalg.matmul
// AVX512-LABEL: func.func @matmul_rules
// AVX512:       kind = matmul, block_tile = [192, 64, 256], thread_tile = [8, 32, 0], threads = 0, vector_width = 16
func.func @matmul_rules(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul {multikernel.hints = [array<i64: 256, 256, 256>, array<i64: 1024, 1024, 1024>,
                                      array<i64: 4096, 4096, 4096>]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// C4: matrix-vector hints get register tiles of one column (tasks of one
// column) or of one row (tasks of one row).
// CPU-LABEL: func.func @matvec_rule
// CPU:       kind = matmul, block_tile = [144, 1, 256], thread_tile = [6, 1, 0]
// CPU-SAME:  kind = matmul, block_tile = [1, 32, 256], thread_tile = [1, 16, 0]
// CPU-SAME:  kind = matmul, block_tile = [144, 32, 256], thread_tile = [6, 16, 0]
func.func @matvec_rule(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  linalg.matmul {multikernel.hints = [array<i64: 8192, 4, 4096>, array<i64: 3, 4096, 4096>,
                                      array<i64: 1024, 1024, 1024>]}
      ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// C3 for any contraction of one M, N and K loop (CPU target). Batch loops get
// one matrix per task, the tiles follow the M, N and K loops wherever they
// are (here attention's scores, B indexed (batch, N, K)).
// M1 alike on the GPU, one matrix per block.
// CHECK-LABEL: func.func @batched_contraction_rule
// CHECK:       kind = matmul, block_tile = [1, 32, 32, 32], thread_tile = [0, 2, 2, 0], threads = 256
// CHECK-LABEL: func.func @batch_matmul_rule
// CHECK:       kind = matmul, block_tile = [1, 32, 32, 32], thread_tile = [0, 2, 2, 0], threads = 256
// CPU-LABEL: func.func @batched_contraction_rule
// CPU:       kind = matmul, block_tile = [1, 144, 32, 256], thread_tile = [0, 6, 16, 0]
// CPU-LABEL: func.func @batch_matmul_rule
// CPU:       kind = matmul, block_tile = [1, 144, 32, 256], thread_tile = [0, 6, 16, 0]
#q = affine_map<(b, i, j, d) -> (b, i, d)>
#k = affine_map<(b, i, j, d) -> (b, j, d)>
#s = affine_map<(b, i, j, d) -> (b, i, j)>
func.func @batched_contraction_rule(%q: memref<?x?x?xf32>, %k: memref<?x?x?xf32>, %s: memref<?x?x?xf32>) {
  linalg.generic {indexing_maps = [#q, #k, #s],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"],
                  multikernel.hints = [array<i64: 12, 512, 512, 64>]}
      ins(%q, %k : memref<?x?x?xf32>, memref<?x?x?xf32>) outs(%s : memref<?x?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  }
  return
}
func.func @batch_matmul_rule(%a: memref<?x?x?xf32>, %b: memref<?x?x?xf32>, %c: memref<?x?x?xf32>) {
  linalg.batch_matmul {multikernel.hints = [array<i64: 12, 512, 512, 64>]}
      ins(%a, %b : memref<?x?x?xf32>, memref<?x?x?xf32>) outs(%c : memref<?x?x?xf32>)
  return
}

// -----

// With cpu-parallel-min-work (the CPU pipeline sets 2^20 with OpenMP), a
// variant whose hint has less work runs its tasks in a sequential scf.for;
// the others keep the parallel scf.forall.
// RUN: multikernel-opt %s --multikernel-specialize="target=cpu cpu-parallel-min-work=1048576" --split-input-file | FileCheck %s --check-prefix=TASKS
// TASKS-LABEL: func.func @tasks_by_work
// TASKS:       ^bb0
// TASKS-NOT:     scf.forall
// TASKS:         scf.for %
// TASKS:       ^bb0
// TASKS:         scf.forall
func.func @tasks_by_work(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.copy {multikernel.hints = [array<i64: 512, 1024>, array<i64: 4096, 4096>]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>)
  return
}

// -----

// With cpu-parallel-by-call (the CPU pipeline's default, parallel=auto), a
// variant other than matmul holds both forms of its tasks and each call
// chooses: the scf.forall where its loop iterations reach
// cpu-parallel-min-work, else the sequential scf.for.
// RUN: multikernel-opt %s --multikernel-specialize="target=cpu cpu-parallel-min-work=1048576 cpu-parallel-by-call" --split-input-file | FileCheck %s --check-prefix=BYCALL
// BYCALL-LABEL: func.func @tasks_by_call
// BYCALL:       ^bb0(%[[X:[^:]*]]: memref<?x?xf32>, %{{.*}}: memref<?x?xf32>):
// BYCALL-DAG:     %[[MIN:.*]] = arith.constant 1048576 : index
// BYCALL-DAG:     %[[M:.*]] = memref.dim %[[X]], %c0
// BYCALL-DAG:     %[[N:.*]] = memref.dim %[[X]], %c1
// BYCALL:         %[[WORK:.*]] = arith.muli %[[M]], %[[N]]
// BYCALL:         %[[THREADS:.*]] = arith.cmpi uge, %[[WORK]], %[[MIN]]
// BYCALL:         scf.if %[[THREADS]] {
// BYCALL-NEXT:      scf.forall
// BYCALL:         } else {
// BYCALL-NEXT:      scf.for
// BYCALL:         multikernel.yield
func.func @tasks_by_call(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.copy {multikernel.hints = [array<i64: 512, 512>]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>)
  return
}

// -----

// The SM count is an option: fewer multiprocessors need fewer blocks, so
// each thread takes more rows (E4): 8 instead of 1.
// RUN: multikernel-opt %s --multikernel-specialize="sm-count=16" --split-input-file | FileCheck %s --check-prefix=SMS
// SMS-LABEL: func.func @sm_count
// SMS:       block_tile = [16, 512], thread_tile = [8, 4], threads = 256
// CHECK-LABEL: func.func @sm_count
// CHECK:       block_tile = [2, 512], thread_tile = [1, 4], threads = 256
func.func @sm_count(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.copy {multikernel.hints = [array<i64: 1024, 512>]}
      ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>)
  return
}
