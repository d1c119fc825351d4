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

    The dialect defines one discardable attribute, `multikernel.hints`, an
    array of `array<i64>` that overrides the hint candidates for one op when
    it is placed on an op that `--multikernel-specialize` rewrites.
  }];
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Name of the discardable attribute that carries per-op hint candidates.
    static constexpr ::llvm::StringLiteral getHintsAttrName() {
      return ::llvm::StringLiteral("multikernel.hints");
    }
  }];
}

class MultiKernel_Op<string mnemonic, list<Trait> traits = []>
    : Op<MultiKernel_Dialect, mnemonic, traits>;

#endif // MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELDIALECT_TD
