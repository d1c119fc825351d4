//===- CloneSharedInits.cpp - an init of its own for each linalg op -------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELCLONESHAREDINITS
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;

namespace {

/// The ops that make `init` and can be made again for another user: a
/// tensor.empty, or a linalg.fill of one (producer first). Empty if `init`
/// comes from anything else.
SmallVector<Operation *> cheapProducers(Value init) {
  if (auto empty = init.getDefiningOp<tensor::EmptyOp>())
    return {empty};
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill || !fill.hasPureTensorSemantics())
    return {};
  auto empty = fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
  if (!empty)
    return {};
  return {empty, fill};
}

struct CloneSharedInitsPass
    : public multikernel::impl::MultiKernelCloneSharedInitsBase<
          CloneSharedInitsPass> {
  void runOnOperation() override {
    SmallVector<OpOperand *> inits;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics())
        return;
      for (OpOperand &init : op.getDpsInitsMutable())
        inits.push_back(&init);
    });
    // The first user of each init keeps it; the others get a copy of its
    // producers, made just before them (their operands dominate the
    // original, which dominates the user).
    llvm::SmallPtrSet<Value, 8> claimed;
    for (OpOperand *init : inits) {
      Value value = init->get();
      SmallVector<Operation *> producers = cheapProducers(value);
      if (producers.empty() || claimed.insert(value).second)
        continue;
      OpBuilder builder(init->getOwner());
      IRMapping mapping;
      for (Operation *producer : producers)
        builder.clone(*producer, mapping);
      init->set(mapping.lookup(value));
    }
  }
};

} // namespace
