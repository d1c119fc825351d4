//===- FuseElementwise.cpp - the elementwise ops of a frontend, fused -----===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELFUSEELEMENTWISE
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;

namespace {

/// Whether `value` is at the function's boundary: an argument, or returned.
bool isAtFunctionBoundary(Value value) {
  if (isa<BlockArgument>(value))
    return true;
  return llvm::any_of(value.getUsers(), [](Operation *user) {
    return isa<func::ReturnOp>(user);
  });
}

/// The loops of `op` whose unit extent may be dropped: those of a linalg op
/// on tensors along which no operand or result at the function's boundary
/// has a unit dimension (collapsing those would put reshapes of the
/// function's own buffers around its kernels).
SmallVector<unsigned> droppableUnitLoops(Operation *op) {
  auto linalgOp = dyn_cast<linalg::GenericOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics())
    return {};
  llvm::SmallBitVector kept(linalgOp.getNumLoops());
  auto keepLoopsOf = [&](Value value, AffineMap map) {
    if (!isAtFunctionBoundary(value))
      return;
    auto type = cast<ShapedType>(value.getType());
    for (auto [dim, expr] : llvm::enumerate(map.getResults()))
      if (auto loop = dyn_cast<AffineDimExpr>(expr);
          loop && type.getDimSize(dim) == 1)
        kept.set(loop.getPosition());
  };
  for (OpOperand &operand : linalgOp->getOpOperands())
    keepLoopsOf(operand.get(), linalgOp.getMatchingIndexingMap(&operand));
  for (OpResult result : linalgOp->getResults())
    keepLoopsOf(result, linalgOp.getIndexingMapMatchingResult(result));
  SmallVector<unsigned> loops;
  for (unsigned loop = 0; loop < linalgOp.getNumLoops(); ++loop)
    if (!kept.test(loop))
      loops.push_back(loop);
  return loops;
}

/// A generic that only yields a value defined outside it (a splat constant
/// broadcast to a tensor) is a fill, which upstream folds into its readers.
struct GenericToFill : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1)
      return failure();
    std::optional<Value> value = linalg::isaFillOpInterface(op);
    if (!value)
      return failure();
    rewriter.replaceOpWithNewOp<linalg::FillOp>(op, *value,
                                                op.getDpsInits()[0]);
    return success();
  }
};

/// A reduction whose input is read transposed (IREE's StableHLO import
/// writes a column sum as a reduction over the innermost loop of the
/// transposed input, `(d0, d1) -> (d1, d0)`) gets its loops in the input's
/// memory order: the input is then read through the identity, and a
/// reduction over the rows of a row-major input is one over an outer loop,
/// whose kept innermost loop is contiguous.
struct ReductionLoopsInMemoryOrder : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumReductionLoops() != 1 ||
        op.getNumDpsInputs() != 1)
      return failure();
    AffineMap map = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
    if (!map.isPermutation() || map.isIdentity())
      return failure();
    SmallVector<unsigned> order;
    for (AffineExpr result : map.getResults())
      order.push_back(cast<AffineDimExpr>(result).getPosition());
    // In place, through the rewriter.
    return linalg::interchangeGenericOp(rewriter, op, order);
  }
};

struct FuseElementwisePass
    : public multikernel::impl::MultiKernelFuseElementwiseBase<
          FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::ControlDropUnitDims unitDims;
    unitDims.controlFn = droppableUnitLoops;
    linalg::populateFoldUnitExtentDimsPatterns(patterns, unitDims);
    linalg::populateFoldUnitExtentDimsCanonicalizationPatterns(patterns,
                                                               unitDims);
    patterns.add<GenericToFill, ReductionLoopsInMemoryOrder>(context);
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *fused) {
          Operation *producer = fused->get().getDefiningOp();
          return producer && producer->hasOneUse();
        });
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, context);
    // Not converging within the driver's limits leaves valid, less fused IR.
    (void)applyPatternsGreedily(getOperation(), std::move(patterns));
  }
};

} // namespace
