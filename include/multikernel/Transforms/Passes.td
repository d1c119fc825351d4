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
    Replaces the linalg kernels inside each `func.func` by
    `multikernel.dispatch` sites with one variant per size hint, each
    variant configured for its hint (lib/Transforms/TilingHeuristic.cpp
    documents the rules); the configurations are recorded in the dispatch's
    `tilings`.

    What a site holds:
    - GPU, on memrefs: a group of ops that one kernel computes (fills,
      broadcasts, transposes, elementwise ops of any arity, reductions over
      the innermost loop with any body that has a combining op with a
      neutral element, and the elementwise ops after them). The ops joined
      by intermediate buffers (allocations only they use, as bufferization
      leaves a frontend's chain of ops) form one group where they can; then
      each op joins the group of the ops that wrote what it reads, where the
      merged group is still one kernel and its ops can move to its last op.
      The intermediates are allocated in each variant, which keeps its ops:
      `--multikernel-gpu-codegen` builds its kernels from its tiling. Static
      sizes give a site of one variant (an empty key). `linalg.matmul` is a
      site of its own.
    - CPU, and tensors on either target: one op (elementwise, a reduction
      over the innermost loop, or `linalg.matmul`), tiled in each variant as
      its tiling says: a block-level `scf.forall` (tasks on the CPU, blocks
      on the GPU) and an inner level.

    - The key operands are the dynamic loop sizes of the site's root (its
      reduction, else its last op), in loop order; a hint gives one size
      per key dimension.
    - The hints of a site whose root has N dynamic loops, from the first of
      these that gives any:
      1. a `multikernel.hints` attribute on the root (or another op of the
         group with N dynamic loops): N sizes per candidate, else an error;
      2. the candidates of N sizes in the `hints` option (one list may mix
         ranks: each op takes those of its own, e.g. `hints=4096,64x512`);
      3. hints in the function's terms: the function's
         `multikernel.dim_hints` attribute (an array of `array<i64>`, which
         a frontend can set), else the `dim-hints` option. A candidate
         gives one size per dynamic dimension of the function: the dynamic
         sizes of its arguments in the order they first appear, sizes the
         IR proves equal counted once (`%x: memref<?x512xf32>` and
         `%y: memref<?x512xf32>` added elementwise have one: the batch).
         Each dynamic loop of the op takes the size of the dimension it
         runs over; a candidate of one size gives every dimension that
         size. Without either, the `hints` candidates with as many sizes as
         the function has dimensions are read so (`hints=1024x512` for a
         function of `?x?` arguments gives the fill of its row sums 1024).
         A loop whose size is no dimension of the arguments (a reshape's
         product, say) makes this step give nothing, unless every candidate
         has one size;
      4. the one-size candidates of `hints`, each giving every dynamic loop
         that size (as Inductor's `multi_kernel_hints`);
      5. the automatic candidates 64, 256 and 4096, each giving every
         dynamic loop that size (Inductor's default). Where hints were
         given but none fits the op, with a warning naming it and why.
      Candidates that give an op the same sizes, or sizes the heuristic
      tiles alike (the same `#multikernel.tiling`), make one variant: the
      code would be identical, and the runtime would time it again on every
      new shape's first call (`remarks=true` names the hints merged).
    - Site names are `<function>_<n>`, unique in the module. Functions that
      are variants already (with a `multikernel.tiling`) are left alone.
    - Ops the pass does not support, and on the CPU ops with only static
      sizes, are left alone; `remarks=true` says why for each (statistics
      count them). `linalg.softmax` is decomposed first
      (`--multikernel-decompose-softmax`).
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
          args(%x, %y : memref<?x?xf32>, memref<?x?xf32>)
          attributes {tilings = [#multikernel.tiling<...>, #multikernel.tiling<...>]} {
      ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>):
        linalg.generic {...} ins(%a : memref<?x?xf32>) outs(%b : memref<?x?xf32>) {...}
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
               "dynamic loop of an op), e.g. 1024x512,4096x2048; each op "
               "takes those of its rank, and one-size candidates serve ops "
               "of any rank">,
    ListOption<"dimHints", "dim-hints", "std::string",
               "Size-hint candidates in the function's terms: one size per "
               "dynamic dimension of the function's arguments (in order of "
               "appearance, equal ones once), e.g. 64x128,4096x2048 for "
               "(batch, sequence); traced to each op's loops">,
    Option<"target", "target", "std::string", /*default=*/"\"gpu\"",
           "What the variants are tiled for: gpu or cpu">,
    Option<"smCount", "sm-count", "int64_t", /*default=*/"132",
           "Multiprocessors of the GPU (132 on an H100), for sizing grids">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Emit a remark for every op left alone, saying why">,
    Option<"cublasLtAlgorithms", "cublaslt-algorithms", "int64_t",
           /*default=*/"0",
           "GPU: matmul sites get this many cuBLASLt variants (0-8) besides "
           "the generated ones: the best algorithms of its heuristic for "
           "the call's shape, cuBLASLt loaded at run time; only where "
           "cuBLASLt computes the contraction's types. 0 (the pass's "
           "default): generated variants only; the GPU pipeline, "
           "multikernel-compile and the Python package pass 3">,
    Option<"cpuVectorBits", "cpu-vector-bits", "int64_t", /*default=*/"256",
           "CPU: bits of a vector register, 256 (AVX2: 16 registers) or 512 "
           "(AVX-512: 32 registers); sizes vectors and matmul's register "
           "tiles">,
    Option<"cpuParallelMinWork", "cpu-parallel-min-work", "int64_t",
           /*default=*/"0",
           "CPU: a variant whose hint has fewer loop iterations than this "
           "runs its outer tiles in a sequential scf.for instead of an "
           "scf.forall (where threads would cost more than they save); "
           "0: every variant's tiles are parallel">,
    Option<"cpuParallelByCall", "cpu-parallel-by-call", "bool",
           /*default=*/"false",
           "CPU: variants other than matmul choose per call between their "
           "outer tiles in an scf.forall and in a sequential scf.for (an "
           "scf.if on the call's loop iterations against "
           "cpu-parallel-min-work), instead of by their hint: one variant "
           "then serves small and large calls">,
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

def MultiKernelFuseElementwise
    : Pass<"multikernel-fuse-elementwise", "ModuleOp"> {
  let summary = "Fuse the elementwise ops a frontend emits, on tensors";
  let description = [{
    Frontends emit one linalg op per primitive: JAX's LayerNorm is 19 ops,
    most of them broadcasts of a row value over a `?x1` tensor, splat
    constants broadcast to full tensors and single arithmetic ops, each
    writing a tensor of its own. This pass brings them to the form the
    grouping expects, with upstream's patterns, on ops on tensors only:

    - unit-extent loops are dropped
      (`linalg::populateFoldUnitExtentDimsPatterns`: a `?x1` row value
      becomes a `?` vector), except where a function argument or a
      returned tensor has the unit dimension: the function's signature and
      its buffers stay as they are, without reshapes at its boundary;
    - generics that only yield a value defined outside them become
      `linalg.fill`, which folds into the ops that read it (a splat
      constant becomes a scalar in the body);
    - elementwise producers with one use are fused into their consumer,
      reductions included (`linalg::populateElementwiseOpsFusionPatterns`:
      `x * x` into the sum of squares);
    - a reduction whose one input is read through a permutation gets its
      loops in that input's memory order (`linalg::interchangeGenericOp`):
      IREE's StableHLO import writes a column sum as a reduction over the
      innermost loop of the transposed input, which becomes a reduction
      over the outer loop of a row-major one, as the GPU's column strategy
      takes it.

    A producer read by several ops (the centered input of a LayerNorm, read
    by the variance and the normalization) is not duplicated here: on the
    GPU the grouping puts its readers in one kernel.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MultiKernelCloneSharedInits
    : Pass<"multikernel-clone-shared-inits", "ModuleOp"> {
  let summary = "Give every linalg op on tensors an init of its own";
  let description = [{
    Frontends fill one tensor and use it as the init of several ops (JAX
    emits one zero-filled tensor for every sum over the same rows: the
    mean and the variance of a LayerNorm). One-shot bufferization gives
    the tensor one buffer, and every op after the first that writes into
    it gets a copy of the filled buffer: a `memref.copy` between the
    kernels (on the GPU, host code that touches device memory).

    This pass clones the producer of such an init, a `linalg.fill` of a
    `tensor.empty` or a `tensor.empty` itself, once for each op that uses
    it as an init after the first, so that each op bufferizes into a
    buffer of its own, filled by its own fill (which the GPU groups with
    the op). Inits produced by anything else are left alone.

    ```mlir
    // Before
    %e = tensor.empty(%m) : tensor<?xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
    %sum = linalg.generic {...} ins(%x) outs(%f)
    %sq = linalg.generic {...} ins(%x) outs(%f)
    // After
    %e = tensor.empty(%m) : tensor<?xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
    %sum = linalg.generic {...} ins(%x) outs(%f)
    %e_1 = tensor.empty(%m) : tensor<?xf32>
    %f_1 = linalg.fill ins(%zero : f32) outs(%e_1 : tensor<?xf32>) -> tensor<?xf32>
    %sq = linalg.generic {...} ins(%x) outs(%f_1)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MultiKernelDeallocate : Pass<"multikernel-deallocate", "ModuleOp"> {
  let summary = "Free what bufferized functions allocate, and leave code "
                "that frees its own buffers alone";
  let description = [{
    Upstream's ownership-based buffer deallocation expects input with no
    deallocation at all: memref code that frees its own buffers
    (`memref.dealloc`, as a user writes it or a previous pass left it) is
    rejected ("memory free side-effect on MemRef value not supported!"),
    and so is any op with regions it does not know, such as a
    `multikernel.dispatch` written by another compiler.

    This pass runs that deallocation (`ownership-based-buffer-deallocation`
    with its canonicalizations and `buffer-deallocation-simplification`)
    on each function with a body that needs it, and leaves alone the
    functions that manage their own buffers: those holding a
    `memref.dealloc` or a `multikernel.dispatch`. Run
    `bufferization-lower-deallocations` on the module after it (the
    pipelines do).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def MultiKernelDecomposeSoftmax
    : Pass<"multikernel-decompose-softmax", "ModuleOp"> {
  let summary = "Decompose linalg.softmax into linalg.generic ops";
  let description = [{
    Replaces each `linalg.softmax` by generics that the specialization and
    the lowerings handle.

    On tensors: upstream's decomposition (row maximum, exp(x - max), row
    sum, divide); the CPU pipeline runs it before bufferization.

    On memrefs: three generics, the row maximum and the row sum of
    exp(x - max) into two allocated per-row buffers, then
    exp(x - max) / sum into the output; each reads the input itself, so
    that no full-size intermediate is written. On the GPU the three form
    one dispatch site, one kernel that reads each row once where it fits
    the registers.

    ```mlir
    // Before
    linalg.softmax dimension(1) ins(%x : memref<?x?xf32>)
        outs(%y : memref<?x?xf32>)
    // After (memrefs)
    %max = memref.alloc(%m) : memref<?xf32>
    linalg.fill ins(%lowest : f32) outs(%max : memref<?xf32>)
    linalg.generic {...reduction over d1: maxnumf...} ins(%x) outs(%max)
    %sum = memref.alloc(%m) : memref<?xf32>
    linalg.fill ins(%zero : f32) outs(%sum : memref<?xf32>)
    linalg.generic {...reduction: sum of exp(x - max)...} ins(%x, %max) outs(%sum)
    linalg.generic {...parallel: exp(x - max) / sum...} ins(%x, %max, %sum) outs(%y)
    memref.dealloc %sum : memref<?xf32>
    memref.dealloc %max : memref<?xf32>
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MultiKernelGpuCodegen : Pass<"multikernel-gpu-codegen", "ModuleOp"> {
  let summary = "Turn the outlined GPU variants into gpu.launch kernels";
  let description = [{
    Replaces the body of every outlined variant whose `multikernel.tiling`
    targets the GPU by the kernels of its group of linalg ops (see
    `--multikernel-specialize`), built as the tiling says. One generic
    lowering serves every group (lib/Codegen/GPU): the ops run in program
    order on the kernel's points, inlined ops (elementwise ops that write
    only intermediates) are evaluated where they are read, and values are
    kept in registers between the ops, so that intermediates never reach
    memory. Accesses along the innermost loop are 16-byte vectors
    (`vector_width` elements) where a buffer is indexed by it last, a
    broadcast where it does not depend on it, a gather where it is
    transposed; the host launches a scalar twin of each kernel when a
    buffer is not 16-byte aligned or the innermost size not a multiple of
    the width.

    Elementwise groups: where every access is the identity, one flat index,
    each thread taking vectors of consecutive elements (the form that
    reached the copy bandwidth); otherwise rows (the outer loops,
    delinearized) over thread and block y, the innermost loop over thread
    and grid x.

    Groups around reductions over the innermost loop: a warp (`warp`) or a
    block (`block`, `looped`) per row, a thread per row for rows of at most
    `thread_row_limit` elements (the host picks by the row length). The ops run on the row
    in order: a reduction folds the row into per-thread vector accumulators
    with its body, combines them across the row's threads (shuffles of
    32-bit values, workgroup memory between the warps of a block), then
    with its initial value, and hands the row's value to the ops after it;
    an elementwise op computes and stores its outputs along the row. A row
    that fits the registers (`thread_tile` of the row per thread) is read
    from memory once whatever the number of ops; longer rows are looped
    over once per op. With `split` and fewer rows than fill the GPU (the
    tiling's `split` blocks, `split_chunk` and `min_split`, chosen by
    `multikernel-specialize`), each row is split over several blocks: a
    launch per reduction writes the chunks' partial results to a scratch
    buffer (`gpu.alloc`, which the runtime serves in stream order), the next
    combines a row's partials in order (deterministic), the last computes
    the outputs.

    Matmul (any contraction of one M, N and K loop and at most one batch
    loop: `linalg.matmul` with or without indexing maps,
    `linalg.batch_matmul`, their generic forms; float elements, bf16 and
    f16 inputs extended as they are staged) becomes a shared-memory tiled
    kernel, the batch on grid z: 16x16 threads per block tile of the
    tiling (square, 16 to 128), K in steps of the tiling's K tile staged
    through shared memory (A transposed, padded against bank conflicts),
    a register tile of fused multiply-adds per thread, zero-filled edges,
    and `C += ` the result where it lies inside C.

    Host code: buffers a function allocates between dispatch sites become
    device memory (`gpu.alloc`/`gpu.dealloc` in stream order, served from
    the runtime's pool). Any linalg op left outside the variants, any other
    use of a host allocation and host copies are errors naming the op: on
    the GPU target they would run on the host, on device memory.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def MultiKernelGpuModuleToBinary
    : Pass<"multikernel-gpu-module-to-binary", "ModuleOp"> {
  let summary = "Compile the gpu.module ops to gpu.binary ops, in parallel";
  let description = [{
    What upstream's `gpu-module-to-binary` does (each target of each
    `gpu.module` serialized by its `TargetAttrInterface`, the module
    replaced by a `gpu.binary` of the objects), with the modules serialized
    on the context's threads instead of one after another. Serializing is
    most of a GPU compile (LLVM's NVPTX backend, then ptxas, per module:
    2.6 of 2.9 s for softmax(x+y) with four hints on the development
    machine), and a library has a module per kernel, each independent of
    the others: each serializes in its own LLVM context, ptxas in its own
    process. The first module is serialized alone, so that what a target
    sets up once (LLVM's NVPTX backend, an embedded libdevice) is set up
    before the others start; the objects are attached and the modules
    replaced afterwards, in order. `--mlir-disable-threading` serializes
    them one after another.
  }];
  let options = [
    Option<"compilationTarget", "format", "std::string",
           /*default=*/"\"fatbin\"",
           "What each object holds: offloading (llvm), assembly (isa), "
           "binary (bin) or fatbinary (fatbin)">,
    Option<"toolkitPath", "toolkit", "std::string", /*default=*/"\"\"",
           "The CUDA toolkit's path (empty: the target's search)">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def MultiKernelCpuContractionCodegen
    : Pass<"multikernel-cpu-contraction-codegen", "ModuleOp"> {
  let summary = "Register-tile and vectorize the outlined CPU matmul variants";
  let description = [{
    Lowers the contraction of every outlined variant whose
    `multikernel.tiling` is a CPU matmul (see `--multikernel-specialize`,
    which tiles it into tasks) as a register-blocked kernel, the form BLAS
    libraries and XLA's CPU backend take:

    - in each task, K in steps of the tiling's `block_tile` K entry (the
      part of B a task walks stays in the caches), then the task's columns
      in steps of the register tile's `nr` (`thread_tile`, a multiple of
      `vector_width`), then its rows in steps of `mr`;
    - in each register tile (`mr` rows by `nr` columns of C), K one step at
      a time: C's tile is read into vector registers before the K loop and
      written after it (upstream's `hoistRedundantVectorTransfers`), each
      step an outer product of a column of A (`mr` broadcasts) and a row
      of B (`nr / vector_width` vector loads), as fused multiply-adds
      (upstream's `linalg::vectorize` and the outer-product lowering of
      `vector.contract`);
    - at the edges of C (fewer rows or columns than a register tile's), the
      last rows are tiles of one row by `nr`, the last columns tiles of `mr`
      rows (then one) by one column, vectorized alike;
    - B's panel is packed only where a task has several strips of rows to
      read it (`block_tile` rows above `mr`) and B is indexed (K, N).

    Other variants are left alone. Runs after `--multikernel-outline-variants`.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def MultiKernelApproximateMath
    : Pass<"multikernel-approximate-math", "ModuleOp"> {
  let summary = "Compute f32 tanh and erf as vectorizable polynomials (CPU)";
  let description = [{
    Rewrites `math.tanh` and `math.erf` on f32 (scalars and vectors) into
    upstream's polynomial approximations (those of
    `populatePolynomialApproximateTanhPattern` and
    `populatePolynomialApproximateErfPattern`: Eigen's, which XLA's CPU
    backend also uses), arithmetic that LLVM vectorizes in any loop. Left as
    they are, tanh becomes LLVM's `llvm.tanh` intrinsic and erf a libm call,
    both one scalar call per element (no vector math library maps them):
    a GELU in tanh form ran 6x slower than XLA's.

    The CPU pipeline runs it after bf16 and f16 math is extended to f32.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def MultiKernelRecordSignatures
    : Pass<"multikernel-record-signatures", "ModuleOp"> {
  let summary = "Record the public functions' signatures in the library";
  let description = [{
    Adds the constant string `__mkrt_signatures` (an exported
    `llvm.mlir.global`), a JSON object with the target and, for every public
    function with a body, its name and its argument and result types as
    MLIR writes them, before bufferization turns tensors into memrefs:

    ```json
    {"version": 1, "target": "cpu", "functions": [
      {"name": "seed",
       "inputs": ["tensor<?x?xf32>", "tensor<?x?xf32>"],
       "results": ["tensor<?x?xf32>"]
      }
     ]
    }
    ```

    A compiled library then says how to call it: the Python package loads
    one without its MLIR source (`multikernel.CompiledModule(path)`). The
    first pass of both pipelines.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "The target the library is compiled for: cpu or cuda">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
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
