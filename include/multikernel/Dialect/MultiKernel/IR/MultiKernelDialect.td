//===- MultiKernelDialect.td - multikernel dialect ---------*- tablegen -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELDIALECT_TD
#define MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELDIALECT_TD

include "mlir/IR/OpBase.td"

def MultiKernel_Dialect : Dialect {
  let name = "multikernel";
  let cppNamespace = "::mlir::multikernel";
  let summary = "Shape-specialized kernel variants with run-time dispatch";
  let description = [{
    The `multikernel` dialect expresses *multi-kernel dispatch*: one kernel
    compiled several times, each copy (a *variant*) tuned for a size hint,
    and a run-time choice between the copies keyed by the actual sizes.

    A compiler that only knows that a kernel's sizes are dynamic produces one
    kernel that is slow for many real sizes. With this dialect it produces,
    for each candidate hint such as `[1024, 512]` or `[4096, 2048]`, a clone
    of the kernel tiled for that hint. At run time the support library
    benchmarks the variants on the first call with a new key, caches the
    winner for that key, and calls it directly afterwards.

    Every variant computes the same result for every run-time size; a hint
    only changes how a variant is tiled and launched.

    Discardable attributes:
    - `multikernel.hints`, an array of `array<i64>`: overrides the hint
      candidates of `--multikernel-specialize` for the op that carries it;
    - `multikernel.dim_hints`, an array of `array<i64>` on a function: hint
      candidates in the function's terms, one size per dynamic dimension of
      its arguments (see `--multikernel-specialize`);
    - `multikernel.tiling`, a `#multikernel.tiling`: the configuration that
      the specialization chose for one variant, on its outermost loop.
  }];
  let hasOperationAttrVerify = 1;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Name of the discardable attribute that carries per-op hint candidates.
    static constexpr ::llvm::StringLiteral getHintsAttrName() {
      return ::llvm::StringLiteral("multikernel.hints");
    }
    /// Name of the discardable function attribute that carries hint
    /// candidates for the function's dynamic dimensions.
    static constexpr ::llvm::StringLiteral getDimHintsAttrName() {
      return ::llvm::StringLiteral("multikernel.dim_hints");
    }
    /// Name of the discardable attribute that carries a variant's tiling.
    static constexpr ::llvm::StringLiteral getTilingAttrName() {
      return ::llvm::StringLiteral("multikernel.tiling");
    }

  private:
    void registerAttributes();

  public:
  }];
}

class MultiKernel_Op<string mnemonic, list<Trait> traits = []>
    : Op<MultiKernel_Dialect, mnemonic, traits>;

#endif // MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELDIALECT_TD
