//===- MultiKernelAttributes.td - multikernel attributes ---*- tablegen -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELATTRIBUTES_TD
#define MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELATTRIBUTES_TD

include "multikernel/Dialect/MultiKernel/IR/MultiKernelDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// The enums of a variant's configuration
//===----------------------------------------------------------------------===//

def MultiKernel_TilingTarget : I32EnumAttr<"TilingTarget",
    "where a variant runs", [
      I32EnumAttrCase<"Gpu", 0, "gpu">,
      I32EnumAttrCase<"Cpu", 1, "cpu">]> {
  let cppNamespace = "::mlir::multikernel";
  let genSpecializedAttr = 0;
}

def MultiKernel_KernelKind : I32EnumAttr<"KernelKind",
    "what a dispatch site computes", [
      I32EnumAttrCase<"Elementwise", 0, "elementwise">,
      I32EnumAttrCase<"Reduction", 1, "reduction">,
      I32EnumAttrCase<"Matmul", 2, "matmul">]> {
  let description = [{
    `elementwise`: a group of elementwise ops; `reduction`: a group around
    reductions over one loop; `matmul`: a matmul.
  }];
  let cppNamespace = "::mlir::multikernel";
  let genSpecializedAttr = 0;
}

def MultiKernel_ReductionStrategy : I32EnumAttr<"ReductionStrategy",
    "how a GPU variant's reductions are spread over threads", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Warp", 1, "warp">,
      I32EnumAttrCase<"Block", 2, "block">,
      I32EnumAttrCase<"Looped", 3, "looped">,
      I32EnumAttrCase<"Split", 4, "split">,
      I32EnumAttrCase<"Column", 5, "column">]> {
  let description = [{
    `none` (no reduction, or the CPU), `warp` (a warp or a group of lanes
    per row, in registers), `block` (a block per row, in registers: one
    pass), `looped` (a block per row in chunks: several passes), `split`
    (several blocks per row, then a second stage) or `column` (a reduction
    over an outer loop: threads along the innermost loop).
  }];
  let cppNamespace = "::mlir::multikernel";
  let genSpecializedAttr = 0;
}

def MultiKernel_KernelLibrary : I32EnumAttr<"KernelLibrary",
    "what computes a variant: generated code or a vendor library", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"CublasLt", 1, "cublaslt">]> {
  let description = [{
    `none`: the variant's own kernels, generated from its configuration;
    `cublaslt`: a call of NVIDIA's cuBLASLt (a GPU matmul site's library
    candidates), loaded by the runtime at run time.
  }];
  let cppNamespace = "::mlir::multikernel";
  let genSpecializedAttr = 0;
}

def MultiKernel_KernelLibraryParameter
    : EnumParameter<MultiKernel_KernelLibrary> {
  let defaultValue = "::mlir::multikernel::KernelLibrary::None";
}

def MultiKernel_TilingAttr : AttrDef<MultiKernel_Dialect, "Tiling"> {
  let mnemonic = "tiling";
  let summary = "How one variant of a dispatch is tiled and launched";
  let description = [{
    The configuration that `--multikernel-specialize` chose for one size hint
    (see lib/Transforms/TilingHeuristic.cpp for the rules). The dispatch
    records it per variant (`tilings`), and outlining puts it on the
    variant's function as `multikernel.tiling`. On the CPU the variant is
    tiled as it says; on the GPU the lowering builds the variant's kernels
    from it and the variant's group of ops.

    - `target`: `gpu` or `cpu`.
    - `kind`: `elementwise` (a group of elementwise ops), `reduction` (a
      group around reductions over one loop) or `matmul`.
    - `block_tile`: tile size per loop of the outer, parallel level (one GPU
      block, or one CPU task); 0 leaves a loop untiled at that level. For
      matmul, the K entry is the step of the K loop inside a block or task
      (K is never split across them).
    - `thread_tile`: tile size per loop of the inner level (one GPU thread,
      or the CPU's vectorizable inner tile). For GPU reductions, the entry
      of the row is the elements of its row each thread keeps in registers
      (a multiple of `vector_width`).
    - `threads`: threads per block (GPU; 0 on the CPU).
    - `vector_width`: elements per vector access (up to 16 bytes).
    - `reduction`: `none`, `warp` (a warp per row, in registers), `block`
      (a block per row, in registers: one pass), `looped` (a block per row
      in chunks: several passes), `split` (several blocks per row, then a
      second stage) or `column` (a reduction over an outer loop: threads
      along the innermost loop, `vector_width` columns each; the
      `block_tile` entry of the reduced loop is the block's threads along
      it, that of the innermost loop its columns).
    - `split`: for `split`, the blocks the split kernels aim at over all
      rows (each row of a call gets `split / rows` of them, see below); for
      `column`, the chunks of the reduced loop (a second launch combines
      them); otherwise 1.

    A reduction over the innermost loop (`warp`, `block`, `looped`,
    `split`) serves every shape; what it runs for a call's shape follows
    from these parameters, evaluated on the host (0 where they do not
    apply):

    - `thread_row_limit`: rows of at most this many elements are reduced by
      a thread each (blocks of 256 threads, one pass per op), whatever the
      strategy: a warp or a block on such rows would keep most lanes idle.
    - `split_chunk` and `min_split` (`split` only): a row gets
      `min(split / rows, ceildiv(row, split_chunk))` blocks, and the split
      kernels run when that is at least `min_split`; otherwise the
      variant's block-per-row kernels do.

    - `library` (default `none`) and `algorithm` (default 0): a GPU matmul
      variant computed by a library instead of generated kernels:
      `cublaslt` calls cuBLASLt with the `algorithm`-th best of the
      algorithms its heuristic proposes for the call's shape (the last one
      where it proposes fewer); the tile sizes are then unused.
    - `transpose_loop` (default -1: none): a GPU elementwise group with
      transposed inputs (inputs contiguous along this loop, not along the
      innermost one, as `x` in `out[i, j] = x[j, i] + y[i, j]`). Each block
      covers a tile of `block_tile`'s entries of this loop and of the
      innermost loop (powers of two), for one index of the other loops: it
      reads the transposed inputs along this loop into workgroup memory,
      then computes and stores along the innermost loop, so that both sides
      are coalesced; each thread computes `thread_tile`'s entry of this
      loop points. A call whose size along this loop is shorter than the
      tile gets tiles of as many points, the power of two that covers that
      size along this loop and the rest along the innermost one; a call of
      size 1 along either loop (every buffer then contiguous along the
      other) gets tiles along the other, and nothing is staged.
    Whatever the strategy, a row longer than the registers of its threads
    hold (`thread_tile`) is looped over, once per op, and buffers that are
    not aligned for `vector_width` are read element by element.

    Example:

    ```mlir
    #multikernel.tiling<target = gpu, kind = elementwise,
        block_tile = [8, 1024], thread_tile = [1, 4], threads = 256,
        vector_width = 4, reduction = none, split = 1>
    #multikernel.tiling<target = gpu, kind = reduction,
        block_tile = [1, 0], thread_tile = [1, 32], threads = 1024,
        vector_width = 4, reduction = split, split = 264,
        thread_row_limit = 16, split_chunk = 8192, min_split = 4>
    #multikernel.tiling<target = gpu, kind = matmul,
        block_tile = [64, 64, 32], thread_tile = [4, 4, 0], threads = 256,
        vector_width = 1, reduction = none, split = 1,
        library = cublaslt, algorithm = 1>
    #multikernel.tiling<target = gpu, kind = elementwise,
        block_tile = [32, 32], thread_tile = [4, 1], threads = 256,
        vector_width = 1, reduction = none, split = 1, transpose_loop = 0>
    ```
  }];
  let parameters = (ins
    EnumParameter<MultiKernel_TilingTarget>:$target,
    EnumParameter<MultiKernel_KernelKind>:$kind,
    ArrayRefParameter<"int64_t", "outer tile sizes">:$block_tile,
    ArrayRefParameter<"int64_t", "inner tile sizes">:$thread_tile,
    "int64_t":$threads,
    "int64_t":$vector_width,
    EnumParameter<MultiKernel_ReductionStrategy>:$reduction,
    "int64_t":$split,
    DefaultValuedParameter<"int64_t", "0",
                           "rows this short take a thread each">:$thread_row_limit,
    DefaultValuedParameter<"int64_t", "0",
                           "the shortest chunk of a split row">:$split_chunk,
    DefaultValuedParameter<"int64_t", "0",
                           "the fewest blocks per row worth a split">:$min_split,
    MultiKernel_KernelLibraryParameter:$library,
    DefaultValuedParameter<"int64_t", "0",
                           "which of the library's algorithms">:$algorithm,
    DefaultValuedParameter<"int64_t", "-1",
                           "the loop transposed inputs are staged along">
        :$transpose_loop
  );
  let assemblyFormat = [{
    `<` `target` `=` $target `,` `kind` `=` $kind `,`
    `block_tile` `=` `[` $block_tile `]` `,`
    `thread_tile` `=` `[` $thread_tile `]` `,`
    `threads` `=` $threads `,` `vector_width` `=` $vector_width `,`
    `reduction` `=` $reduction `,` `split` `=` $split
    (`,` struct($thread_row_limit, $split_chunk, $min_split, $library,
                $algorithm, $transpose_loop)^)? `>`
  }];
  let genVerifyDecl = 1;
}

#endif // MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELATTRIBUTES_TD
