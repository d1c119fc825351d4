//===- ApproximateMath.cpp - vectorizable tanh and erf for the CPU --------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// --multikernel-approximate-math: f32 tanh and erf as upstream's polynomial
// approximations, so that the loops computing them vectorize (see the pass
// description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELAPPROXIMATEMATH
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;

namespace {
struct ApproximateMathPass
    : public multikernel::impl::MultiKernelApproximateMathBase<
          ApproximateMathPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populatePolynomialApproximateTanhPattern(patterns);
    populatePolynomialApproximateErfPattern(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
