//===- MultiKernelOps.td - multikernel dialect ops ---------*- tablegen -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELOPS_TD
#define MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELOPS_TD

include "multikernel/Dialect/MultiKernel/IR/MultiKernelDialect.td"
include "multikernel/Dialect/MultiKernel/IR/MultiKernelAttributes.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def MultiKernel_HintsAttr : TypedArrayAttrBase<DenseI64ArrayAttr,
    "array of size hints, one `array<i64>` per variant">;
def MultiKernel_TilingArrayAttr : TypedArrayAttrBase<MultiKernel_TilingAttr,
    "array of `#multikernel.tiling`, one per variant">;

//===----------------------------------------------------------------------===//
// DispatchOp
//===----------------------------------------------------------------------===//

def MultiKernel_DispatchOp : MultiKernel_Op<"dispatch", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    IsolatedFromAbove,
    RecursiveMemoryEffects,
    SingleBlock
  ]> {
  let summary = "Runs one of several size-specialized variants of a kernel";
  let description = [{
    `multikernel.dispatch` holds one region per size-hint candidate. Each
    region (a *variant*) is the same kernel, tiled and launched for its hint,
    and computes the same result for any run-time size. At run time the
    values of the `key` operands (the kernel's dynamic loop sizes, in loop
    order) select the variant: the support library benchmarks every variant
    on the first call with a new key, caches the fastest, and calls it
    directly afterwards.

    - `sym_name` names the dispatch site. It must be unique among the
      dispatch sites of the enclosing symbol table (the module; sites in a
      nested symbol table form their own namespace); it names the site's
      cache entries and statistics at run time. The symbol table's verifier
      checks this (the op is a `SymbolUserOpInterface`), not the op's own
      verifier, which may run while passes transform sibling functions.
    - `keys` are `index` values whose run-time values form the dispatch key.
    - `hints` holds one `array<i64>` per region, each as long as `keys`,
      each entry positive: the size the variant is tuned for.
    - `args` are passed to every region as its entry block arguments: the
      regions are isolated from above so that each can be outlined into a
      function of its own.
    - `tilings` (optional) records, per variant, the configuration that
      `--multikernel-specialize` chose for its hint (`#multikernel.tiling`);
      the GPU lowering reads it.
    - `written` (optional) lists the indices of the `args` that some variant
      may write (`--multikernel-outline-variants` computes it); the run-time
      library snapshots and restores exactly those while it benchmarks.
      Absent, every memref argument counts as written.
    - Each region ends in `multikernel.yield`. On memrefs the op has no
      results and the variants write their outputs in place; on tensors the
      variants yield the results, which must match the op's result types.

    Example (memref form):

    ```mlir
    multikernel.dispatch @scale_0 key(%m, %n) hints [[1024, 512], [4096, 2048]]
        args(%x, %y : memref<?x?xf32>, memref<?x?xf32>) {
    ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>):
      // variant tiled for 1024x512
      multikernel.yield
    }, {
    ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>):
      // variant tiled for 4096x2048
      multikernel.yield
    }
    ```

    Example (tensor form):

    ```mlir
    %r = multikernel.dispatch @scale_0 key(%m, %n) hints [[1024, 512]]
        args(%x : tensor<?x?xf32>) -> tensor<?x?xf32> {
    ^bb0(%a: tensor<?x?xf32>):
      %0 = ... : tensor<?x?xf32>
      multikernel.yield %0 : tensor<?x?xf32>
    }
    ```

    The generic form is a stable contract for compilers that build the op
    programmatically: attribute `sym_name` (string), attribute `hints` (an
    array of `array<i64>`), operand groups `keys` then `args`
    (`operandSegmentSizes`), and one region per hint.
  }];

  let arguments = (ins
    SymbolNameAttr:$sym_name,
    MultiKernel_HintsAttr:$hints,
    OptionalAttr<MultiKernel_TilingArrayAttr>:$tilings,
    OptionalAttr<DenseI64ArrayAttr>:$written,
    Variadic<Index>:$keys,
    Variadic<AnyType>:$args
  );
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region VariadicRegion<SizedRegion<1>>:$variants);

  let assemblyFormat = [{
    $sym_name `key` `(` $keys `)` `hints` custom<Hints>($hints)
    (`args` `(` $args^ `:` type($args) `)`)?
    (`->` type($results)^)?
    attr-dict-with-keyword $variants
  }];

  let builders = [
    // Creates one region per hint, each with an entry block whose arguments
    // mirror `args`; the caller fills the blocks and adds the terminators.
    OpBuilder<(ins "::mlir::TypeRange":$resultTypes,
                   "::llvm::StringRef":$symName,
                   "::mlir::ValueRange":$keys,
                   "::llvm::ArrayRef<::llvm::SmallVector<int64_t>>":$hints,
                   "::mlir::ValueRange":$args)>
  ];

  let extraClassDeclaration = [{
    /// Number of variants (regions, equal to the number of hints).
    unsigned getNumVariants() { return getVariants().size(); }

    /// The size hint of variant `index`.
    ::llvm::ArrayRef<int64_t> getHint(unsigned index);
  }];

  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

//===----------------------------------------------------------------------===//
// YieldOp
//===----------------------------------------------------------------------===//

def MultiKernel_YieldOp : MultiKernel_Op<"yield", [
    Pure, ReturnLike, Terminator, HasParent<"DispatchOp">
  ]> {
  let summary = "Terminates a variant of `multikernel.dispatch`";
  let description = [{
    Ends a variant region. In the tensor form it yields the variant's
    results, which must match the result types of the enclosing
    `multikernel.dispatch`; in the memref form it has no operands.

    ```mlir
    multikernel.yield %0 : tensor<?x?xf32>
    ```
  }];

  let arguments = (ins Variadic<AnyType>:$values);
  let builders = [OpBuilder<(ins), [{ /* nothing to do */ }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELOPS_TD
