//===- CheckLowered.cpp - nothing but LLVM after the pipelines ------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELCHECKLOWERED
#include "multikernel/Conversion/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;

namespace {

/// What the translation to LLVM IR takes besides the LLVM dialect: OpenMP
/// regions (the CPU's `--cpu-parallel=openmp`), the GPU kernels' binary and
/// their launches.
bool isTranslatable(Operation *op) {
  return isa_and_nonnull<LLVM::LLVMDialect, omp::OpenMPDialect>(
             op->getDialect()) ||
         isa<gpu::BinaryOp, gpu::LaunchFuncOp>(op);
}

struct CheckLoweredPass
    : public multikernel::impl::MultiKernelCheckLoweredBase<CheckLoweredPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    WalkResult result = module.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (op == module.getOperation() || isTranslatable(op))
        return WalkResult::advance();
      // The outermost such op (a pre-order walk): a function left on `func`
      // is named, not the first op in it.
      op->emitError() << "'" << op->getName()
                      << "' was not lowered to the LLVM dialect: the "
                         "pipeline cannot compile it";
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
