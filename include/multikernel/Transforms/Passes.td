//===- Passes.td - multikernel transformation passes -------*- tablegen -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_TRANSFORMS_PASSES_TD
#define MULTIKERNEL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MultiKernelSpecialize : Pass<"multikernel-specialize", "ModuleOp"> {
  let summary = "Clone each dynamic-shape kernel once per size hint and tile "
                "each clone for its hint";
  let description = [{
    Replaces each supported linalg op with dynamic sizes inside a
    `func.func` by a `multikernel.dispatch` with one variant per size hint.
    Each variant holds a clone of the op, tiled with the configuration that
    the hint selects (lib/Transforms/TilingHeuristic.cpp documents the
    rules); the configuration is recorded as `multikernel.tiling` on the
    variant's outermost loop.

    Supported: elementwise `linalg.generic` and named elementwise ops (any
    arity), reductions over the innermost loop (`linalg.reduce`, reduction
    generics), `linalg.softmax` over the last dimension, and
    `linalg.matmul`; on memrefs (the variants write in place) or tensors
    (the dispatch returns the results).

    - The key operands are the op's dynamic loop sizes, in loop order; a hint
      gives one size per key dimension.
    - Hints come from the `hints` option or, winning over it, from a
      `multikernel.hints` attribute on the op.
    - Site names are `<function>_<n>`, unique in the module.
    - Ops with only static sizes, or that the pass does not support, are left
      alone; `remarks=true` says why for each (statistics count them).
    - On the CPU, the op that folds a value into a reduction's accumulator
      gets `fastmath<reassoc>`, so that LLVM vectorizes the reduction with
      partial accumulators: sums are then added in another order than the
      sequential loop's (as on the GPU).

    Example: `--multikernel-specialize="hints=1024x512,4096x2048 target=gpu"`

    ```mlir
    // Before
    func.func @scale(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
      linalg.generic {...} ins(%x : memref<?x?xf32>) outs(%y : memref<?x?xf32>) {...}
      return
    }
    // After
    func.func @scale(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
      %m = memref.dim %x, %c0 : memref<?x?xf32>
      %n = memref.dim %x, %c1 : memref<?x?xf32>
      multikernel.dispatch @scale_0 key(%m, %n) hints [[1024, 512], [4096, 2048]]
          args(%x, %y : memref<?x?xf32>, memref<?x?xf32>) {
      ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>):
        scf.forall (...) ... { // blocks, with multikernel.tiling
          scf.forall (...) ... { // threads
            linalg.generic ... // one thread's tile
          } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
        } {mapping = [#gpu.block<y>, #gpu.block<x>]}
        multikernel.yield
      }, {
        ...
      }
      return
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::multikernel::MultiKernelDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::affine::AffineDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let options = [
    ListOption<"hints", "hints", "std::string",
               "Size-hint candidates, each as sizes joined by 'x' (one per "
               "dynamic loop), e.g. 1024x512,4096x2048">,
    Option<"target", "target", "std::string", /*default=*/"\"gpu\"",
           "What the variants are tiled for: gpu or cpu">,
    Option<"smCount", "sm-count", "int64_t", /*default=*/"132",
           "Multiprocessors of the GPU (132 on an H100), for sizing grids">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Emit a remark for every op left alone, saying why">,
    Option<"cpuParallelMinWork", "cpu-parallel-min-work", "int64_t",
           /*default=*/"0",
           "CPU: a variant whose hint has fewer loop iterations than this "
           "runs its outer tiles in a sequential scf.for instead of an "
           "scf.forall (where threads would cost more than they save); "
           "0: every variant's tiles are parallel">,
    Option<"skipMismatchedRanks", "skip-mismatched-ranks", "bool",
           /*default=*/"false",
           "Leave alone (with a remark) ops whose number of dynamic sizes "
           "differs from the rank of the `hints` option, instead of failing; "
           "pipelines over whole models set it. A mismatched per-op "
           "multikernel.hints is always an error">,
  ];
  let statistics = [
    Statistic<"numSpecialized", "specialized-ops",
              "Ops replaced by a multikernel.dispatch">,
    Statistic<"numStatic", "static-ops",
              "Ops left alone because all their sizes are static">,
    Statistic<"numUnsupported", "unsupported-ops",
              "Linalg ops left alone because the pass does not support them">,
  ];
}

def MultiKernelOutlineVariants
    : Pass<"multikernel-outline-variants", "ModuleOp"> {
  let summary = "Outline each variant of a multikernel.dispatch into a "
                "function";
  let description = [{
    Moves the body of every variant region into a private `func.func`
    named `<site>_v<i>` whose arguments are the dispatch's args (and, in the
    tensor form, whose results are the yielded values), and leaves in the
    region a `func.call` of it. It also records in the dispatch's `written`
    which arguments some variant may write (a conservative analysis of
    memory effects through views), so that the runtime snapshots only
    those while it benchmarks. After this pass each variant is an ordinary
    function that upstream lowerings handle, and the dispatch lowering can
    refer to the variants as a table of entry points.

    ```mlir
    // Before
    multikernel.dispatch @k_0 key(%n) hints [[8], [64]] args(%x : memref<?xf32>) {
    ^bb0(%a: memref<?xf32>):
      <body 0>
      multikernel.yield
    }, { ... }
    // After
    multikernel.dispatch @k_0 key(%n) hints [[8], [64]] args(%x : memref<?xf32>) {
    ^bb0(%a: memref<?xf32>):
      func.call @k_0_v0(%a) : (memref<?xf32>) -> ()
      multikernel.yield
    }, { ... }
    func.func private @k_0_v0(%a: memref<?xf32>) attributes {multikernel.variant_of = "k_0"} {
      <body 0>
      return
    }
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def MultiKernelDecomposeSoftmax
    : Pass<"multikernel-decompose-softmax", "ModuleOp"> {
  let summary = "Decompose linalg.softmax (on tensors) into linalg.generic "
                "ops";
  let description = [{
    Replaces each `linalg.softmax` on tensors by the generics its
    decomposition gives (row max, exp and row sum, divide). The CPU
    pipeline runs it before bufferization: the CPU variants are lowered
    through loops, which the aggregate op does not lower to; each generic
    then gets its own dispatch site. (The GPU path keeps softmax whole so
    that a variant can read its input once.)
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MultiKernelGpuCodegen : Pass<"multikernel-gpu-codegen", "ModuleOp"> {
  let summary = "Turn the outlined GPU variants into gpu.launch kernels";
  let description = [{
    Replaces the body of every outlined variant whose `multikernel.tiling`
    targets the GPU by a `gpu.launch` built from its linalg op and tiling.

    Elementwise kernels (identity indexing maps, whole contiguous memref
    arguments) are flattened to one contiguous index; each thread handles
    `vector_width`-wide vectors (16-byte `vector.load`/`vector.store` with
    alignment 16), consecutive threads consecutive vectors, with a guarded
    scalar tail; the host launches a scalar version when a buffer is not
    16-byte aligned. Grid: as many blocks of `threads` as the size needs,
    each thread taking the tiling's elements per thread.

    Row reductions (one input, reduction over the innermost loop, a body
    that is one combining op with a neutral element: add, mul, min/max)
    become a warp per row (strategy `warp`: `threads / 32` rows per block,
    shuffle butterflies) or a block of `threads` per row (other strategies:
    `gpu.all_reduce`), vector loads when the rows allow them; the output's
    initial value is combined in at the end. Rows of at most 16 elements
    take a thread per row, whatever the strategy (the host picks by the row
    length). The `split` strategy, when the call's shape has fewer rows than
    fill the GPU (two blocks per multiprocessor), splits each row over
    several blocks that write partial results to a scratch buffer
    (`gpu.alloc`, which the runtime serves in stream order), then a thread
    per row combines them in order (deterministic); otherwise it runs as a
    block per row.

    Softmax over the last dimension uses the same row strategies. Rows that
    fit in the registers of their threads (8 vectors per thread) are read
    once: the maximum and the sum of exponentials are reduced from the
    registers, then the outputs written. Longer rows take three passes
    (maximum, sum, outputs); the host picks by the row length. With the
    `split` strategy and few long rows (as for reductions), each row is
    split over several blocks: the first launch reduces each chunk to its
    maximum and sum of exponentials in a scratch buffer, the second combines
    a row's partials in order in every block and writes the chunk's
    outputs.

    Matmul (`linalg.matmul` without indexing maps, one float type) becomes
    a shared-memory tiled kernel: 16x16 threads per block tile of the
    tiling (square, 16 to 128), K in steps of the tiling's K tile staged
    through shared memory (A transposed, padded against bank conflicts),
    a register tile of fused multiply-adds per thread, zero-filled edges,
    and `C += ` the result where it lies inside C.

    Any linalg op left outside the variants is an error: on the GPU target
    it would run on the host, on device memory.
  }];
  let options = [
    Option<"smCount", "sm-count", "int64_t", /*default=*/"132",
           "Multiprocessors of the GPU (132 on the H100): split reductions "
           "aim at two blocks per multiprocessor">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def MultiKernelExportCInterface
    : Pass<"multikernel-export-c-interface", "ModuleOp"> {
  let summary = "Give every public function a C interface";
  let description = [{
    Sets `llvm.emit_c_interface` on every public `func.func` with a body, so
    that the LLVM lowering emits `_mlir_ciface_<name>` wrappers taking
    memref descriptors by pointer: the entry points that C, C++ and Python
    (ctypes) call in a compiled library.
  }];
}

#endif // MULTIKERNEL_TRANSFORMS_PASSES_TD
