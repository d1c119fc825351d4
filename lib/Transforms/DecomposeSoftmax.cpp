//===- DecomposeSoftmax.cpp - linalg.softmax into generics ----------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELDECOMPOSESOFTMAX
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;

namespace {
struct DecomposeSoftmaxPass
    : public multikernel::impl::MultiKernelDecomposeSoftmaxBase<
          DecomposeSoftmaxPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::SoftmaxOp> softmaxes;
    getOperation().walk([&](linalg::SoftmaxOp op) {
      if (op.hasPureTensorSemantics())
        softmaxes.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::SoftmaxOp op : softmaxes) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> results =
          cast<linalg::AggregatedOpInterface>(op.getOperation())
              .decomposeOperation(rewriter);
      if (failed(results)) {
        op.emitOpError("could not be decomposed");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, *results);
    }
  }
};
} // namespace
