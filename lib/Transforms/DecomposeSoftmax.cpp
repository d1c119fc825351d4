//===- DecomposeSoftmax.cpp - linalg.softmax into generics ----------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELDECOMPOSESOFTMAX
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;

namespace {

/// softmax(x) along `dim` on memrefs as three generics: the maximum, the sum
/// of exp(x - max) and exp(x - max) / sum, with the two per-row buffers
/// allocated (and freed) around them. Unlike the tensor decomposition, no
/// full-size intermediate is written: each generic reads the input itself,
/// which a fused GPU kernel reads once.
void decomposeOnBuffers(RewriterBase &rewriter, linalg::SoftmaxOp op) {
  Location loc = op.getLoc();
  Value input = op.getInput(), output = op.getOutput();
  auto type = cast<MemRefType>(input.getType());
  Type element = type.getElementType();
  int64_t rank = type.getRank();
  int64_t dim = op.getDimension();
  MLIRContext *context = rewriter.getContext();

  SmallVector<int64_t> rowShape;
  SmallVector<Value> rowSizes;
  SmallVector<AffineExpr> rowExprs;
  for (int64_t d = 0; d < rank; ++d) {
    if (d == dim)
      continue;
    rowShape.push_back(type.getDimSize(d));
    rowExprs.push_back(rewriter.getAffineDimExpr(d));
    if (type.isDynamicDim(d))
      rowSizes.push_back(memref::DimOp::create(rewriter, loc, input, d));
  }
  auto rowType = MemRefType::get(rowShape, element);
  AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
  AffineMap rowMap = AffineMap::get(rank, 0, rowExprs, context);
  SmallVector<utils::IteratorType> reduction(rank,
                                             utils::IteratorType::parallel);
  reduction[dim] = utils::IteratorType::reduction;
  SmallVector<utils::IteratorType> parallel(rank,
                                            utils::IteratorType::parallel);

  auto reduce =
      [&](arith::AtomicRMWKind kind, ValueRange inputs,
          ArrayRef<AffineMap> inputMaps,
          function_ref<Value(OpBuilder &, Location, ValueRange)> mapped)
      -> Value {
    Value buffer = memref::AllocOp::create(rewriter, loc, rowType, rowSizes);
    Value neutral = arith::getIdentityValue(kind, element, rewriter, loc,
                                            /*useOnlyFiniteValue=*/true);
    linalg::FillOp::create(rewriter, loc, neutral, buffer);
    SmallVector<AffineMap> maps(inputMaps);
    maps.push_back(rowMap);
    linalg::GenericOp::create(
        rewriter, loc, inputs, buffer, maps, reduction,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value value = mapped(b, l, args.drop_back());
          linalg::YieldOp::create(
              b, l, arith::getReductionOp(kind, b, l, value, args.back()));
        });
    return buffer;
  };
  auto expShifted = [](OpBuilder &b, Location l, ValueRange args) -> Value {
    return math::ExpOp::create(b, l,
                               arith::SubFOp::create(b, l, args[0], args[1]));
  };
  Value max =
      reduce(arith::AtomicRMWKind::maxnumf, input, identity,
             [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  Value sum = reduce(arith::AtomicRMWKind::addf, ValueRange{input, max},
                     {identity, rowMap}, expShifted);
  linalg::GenericOp::create(
      rewriter, loc, ValueRange{input, max, sum}, output,
      ArrayRef<AffineMap>{identity, rowMap, rowMap, identity}, parallel,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value shifted = expShifted(b, l, args.take_front(2));
        linalg::YieldOp::create(
            b, l, arith::DivFOp::create(b, l, shifted, args[2]).getResult());
      });
  memref::DeallocOp::create(rewriter, loc, sum);
  memref::DeallocOp::create(rewriter, loc, max);
  rewriter.eraseOp(op);
}

struct DecomposeSoftmaxPass
    : public multikernel::impl::MultiKernelDecomposeSoftmaxBase<
          DecomposeSoftmaxPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::SoftmaxOp> softmaxes;
    getOperation().walk([&](linalg::SoftmaxOp op) { softmaxes.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::SoftmaxOp op : softmaxes) {
      // Size hints on the softmax go to the generics over its loops.
      auto hints = op->getAttrOfType<ArrayAttr>(
          multikernel::MultiKernelDialect::getHintsAttrName());
      Operation *before = op->getPrevNode();
      Block *block = op->getBlock();
      int64_t rank = op.getInputOperandRank();
      auto forwardHints = [&](Operation *end) {
        if (!hints)
          return;
        Operation *first = before ? before->getNextNode() : &block->front();
        for (Operation *created = first; created && created != end;
             created = created->getNextNode())
          if (auto generic = dyn_cast<linalg::GenericOp>(created);
              generic && generic.getNumLoops() == rank)
            generic->setAttr(
                multikernel::MultiKernelDialect::getHintsAttrName(), hints);
      };
      rewriter.setInsertionPoint(op);
      if (op.hasPureBufferSemantics()) {
        Operation *after = op->getNextNode();
        decomposeOnBuffers(rewriter, op);
        forwardHints(after);
        continue;
      }
      FailureOr<SmallVector<Value>> results =
          cast<linalg::AggregatedOpInterface>(op.getOperation())
              .decomposeOperation(rewriter);
      if (failed(results)) {
        op.emitOpError("could not be decomposed");
        return signalPassFailure();
      }
      forwardHints(op);
      rewriter.replaceOp(op, *results);
    }
  }
};
} // namespace
