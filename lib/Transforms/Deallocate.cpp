//===- Deallocate.cpp - free what bufferization allocated -----------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Upstream's deallocation pipeline runs on a whole module and rejects any
// function that frees its own buffers or holds an op with regions it does
// not model. This pass decides per function and runs upstream's passes on
// the functions that need them (a dynamic pipeline), so that frontend
// output (functions on tensors, bufferized just before) and hand-written
// memref code can share a module.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/Passes.h"

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELDEALLOCATE
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;
using namespace mlir::multikernel;

namespace {

/// Whether `func` frees its own buffers or holds a dispatch whose regions
/// the deallocation does not model: then it is left as it is.
bool managesItsOwnBuffers(func::FuncOp func) {
  return func
      .walk([](Operation *op) {
        return isa<memref::DeallocOp, DispatchOp>(op) ? WalkResult::interrupt()
                                                      : WalkResult::advance();
      })
      .wasInterrupted();
}

struct DeallocatePass
    : public multikernel::impl::MultiKernelDeallocateBase<DeallocatePass> {
  using Base::Base;

  /// Upstream's buildBufferDeallocationPipeline up to the lowering of the
  /// deallocations, which needs the module (it may add a helper function).
  static OpPassManager perFunctionPipeline() {
    OpPassManager pm(func::FuncOp::getOperationName());
    memref::ExpandReallocPassOptions expandRealloc;
    expandRealloc.emitDeallocs = false;
    pm.addPass(memref::createExpandReallocPass(expandRealloc));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
    return pm;
  }

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    perFunctionPipeline().getDependentDialects(registry);
  }

  void runOnOperation() override {
    OpPassManager pipeline = perFunctionPipeline();
    for (auto func : llvm::to_vector(getOperation().getOps<func::FuncOp>())) {
      if (func.isExternal() || managesItsOwnBuffers(func))
        continue;
      if (failed(runPipeline(pipeline, func)))
        return signalPassFailure();
    }
  }
};

} // namespace
