//===- Specialize.cpp - one tiled clone of a kernel per size hint ---------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// --multikernel-specialize: replaces each supported dynamic-shape linalg op
// with a multikernel.dispatch whose variants are clones of the op, each tiled
// for one size hint by the rules of TilingHeuristic.cpp.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/Passes.h"
#include "multikernel/Transforms/TilingHeuristic.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELSPECIALIZE
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;
using namespace mlir::multikernel;

namespace {

using Hint = SmallVector<int64_t>;

/// Parses "1024x512" into {1024, 512}.
FailureOr<Hint> parseHint(StringRef text) {
  Hint sizes;
  SmallVector<StringRef> parts;
  text.trim().split(parts, 'x');
  for (StringRef part : parts) {
    int64_t size;
    if (part.getAsInteger(10, size) || size <= 0)
      return failure();
    sizes.push_back(size);
  }
  return sizes;
}

/// What kind of kernel `op` is, or why it is not supported.
FailureOr<KernelKind> classify(Operation *op, std::string &why) {
  if (auto softmax = dyn_cast<linalg::SoftmaxOp>(op)) {
    if (softmax.getDimension() !=
        static_cast<uint64_t>(softmax.getInputOperandType().getRank() - 1)) {
      why = "softmax over a dimension other than the last";
      return failure();
    }
    return KernelKind::Softmax;
  }
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp) {
    why = "not a linalg op";
    return failure();
  }
  if (!linalgOp.hasPureTensorSemantics() &&
      !linalgOp.hasPureBufferSemantics()) {
    why = "mixes tensor and memref operands";
    return failure();
  }
  for (Value operand : op->getOperands()) {
    Type element = getElementTypeOrSelf(operand.getType());
    if (!element.isIntOrIndexOrFloat()) {
      why = "element type is not an integer or float";
      return failure();
    }
  }
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op)) {
    if (matmul.hasUserDefinedMaps()) {
      why = "matmul with user-defined indexing maps";
      return failure();
    }
    return KernelKind::Matmul;
  }
  if (!llvm::all_of(linalgOp.getIndexingMapsArray(), [](AffineMap map) {
        return map.isProjectedPermutation();
      })) {
    why = "an indexing map is not a projected permutation";
    return failure();
  }
  SmallVector<utils::IteratorType> iterators = linalgOp.getIteratorTypesArray();
  int64_t reductions = llvm::count(iterators, utils::IteratorType::reduction);
  if (reductions == 0)
    return KernelKind::Elementwise;
  if (reductions == 1 && iterators.back() == utils::IteratorType::reduction)
    return KernelKind::Reduction;
  why = reductions > 1 ? "more than one reduction loop"
                       : "reduction over a loop other than the innermost";
  return failure();
}

/// Static loop sizes (ShapedType::kDynamic where dynamic).
SmallVector<int64_t> staticLoopSizes(Operation *op) {
  if (auto softmax = dyn_cast<linalg::SoftmaxOp>(op))
    return llvm::to_vector(softmax.getInputOperandType().getShape());
  return cast<linalg::LinalgOp>(op).getStaticLoopRanges();
}

/// One `memref.dim`/`tensor.dim` per dynamic loop, in loop order: the
/// dispatch key.
SmallVector<Value> createKey(OpBuilder &builder, Operation *op,
                             ArrayRef<int64_t> staticSizes) {
  Location loc = op->getLoc();
  SmallVector<Value> key;
  if (auto softmax = dyn_cast<linalg::SoftmaxOp>(op)) {
    for (auto [dim, size] : llvm::enumerate(staticSizes))
      if (ShapedType::isDynamic(size))
        key.push_back(
            linalg::createOrFoldDimOp(builder, loc, softmax.getInput(), dim));
    return key;
  }
  auto linalgOp = cast<linalg::LinalgOp>(op);
  for (auto [loop, size] : llvm::enumerate(staticSizes)) {
    if (!ShapedType::isDynamic(size))
      continue;
    // The first operand dimension that this loop indexes directly.
    AffineExpr loopExpr = builder.getAffineDimExpr(loop);
    for (OpOperand &operand : linalgOp->getOpOperands()) {
      AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
      auto found = llvm::find(map.getResults(), loopExpr);
      if (found == map.getResults().end())
        continue;
      key.push_back(linalg::createOrFoldDimOp(
          builder, loc, operand.get(),
          std::distance(map.getResults().begin(), found)));
      break;
    }
  }
  return key;
}

int64_t widestElementBytes(Operation *op) {
  int64_t bytes = 1;
  for (Value operand : op->getOperands()) {
    Type element = getElementTypeOrSelf(operand.getType());
    int64_t bits = element.isIndex() ? 64 : element.getIntOrFloatBitWidth();
    bytes = std::max<int64_t>(bytes, (bits + 7) / 8);
  }
  return bytes;
}

/// GPU mapping attributes for `count` tiled loops: the innermost gets x,
/// then y, then z (rule E1).
SmallVector<Attribute> gpuMapping(MLIRContext *context, int64_t count,
                                  bool threads) {
  static const gpu::MappingId ids[] = {
      gpu::MappingId::DimX, gpu::MappingId::DimY, gpu::MappingId::DimZ};
  SmallVector<Attribute> mapping;
  for (int64_t i = 0; i < count; ++i) {
    gpu::MappingId id = ids[count - 1 - i];
    mapping.push_back(
        threads ? Attribute(gpu::GPUThreadMappingAttr::get(context, id))
                : Attribute(gpu::GPUBlockMappingAttr::get(context, id)));
  }
  return mapping;
}

SmallVector<OpFoldResult> asIndexAttrs(OpBuilder &builder,
                                       ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [&](int64_t v) -> OpFoldResult {
    return builder.getIndexAttr(v);
  });
}

/// Tiles `op` (inside a variant region) as `config` says, the CPU tasks in
/// a sequential loop if `sequentialTasks`. Returns the values that replace
/// its results and the outermost loop, or failure.
FailureOr<std::pair<SmallVector<Value>, Operation *>>
tileVariant(RewriterBase &rewriter, TilingInterface op,
            const TilingConfig &config, bool sequentialTasks) {
  MLIRContext *context = op->getContext();
  bool rowKernel = config.kind == KernelKind::Reduction ||
                   config.kind == KernelKind::Softmax;
  size_t rank = config.blockTile.size();

  // Outer level: blocks (GPU) or parallel tasks (CPU). Rows of reductions
  // and softmax are never split here (split reductions are a strategy of
  // the GPU lowering, recorded in the config); matmul's K is a loop inside
  // the block.
  SmallVector<int64_t> outer(config.blockTile);
  if (rowKernel)
    outer[rank - 1] = 0;
  if (config.kind == KernelKind::Matmul)
    outer[2] = 0;
  int64_t tiledLoops = llvm::count_if(outer, [](int64_t v) { return v != 0; });
  if (config.target == TilingTarget::Gpu && tiledLoops > 3)
    return failure();

  scf::SCFTilingOptions outerOptions;
  outerOptions.setLoopType(sequentialTasks
                               ? scf::SCFTilingOptions::LoopType::ForOp
                               : scf::SCFTilingOptions::LoopType::ForallOp);
  outerOptions.setTileSizes(asIndexAttrs(rewriter, outer));
  if (config.target == TilingTarget::Gpu)
    outerOptions.setMapping(gpuMapping(context, tiledLoops, /*threads=*/false));
  FailureOr<scf::SCFTilingResult> outerResult =
      scf::tileUsingSCF(rewriter, op, outerOptions);
  if (failed(outerResult) || outerResult->loops.empty())
    return failure();
  rewriter.replaceOp(op, outerResult->replacements);
  Operation *outermost = outerResult->loops.front();
  auto tiled = cast<TilingInterface>(outerResult->tiledOps.back());

  // Inner level.
  scf::SCFTilingOptions innerOptions;
  SmallVector<int64_t> inner(rank, 0);
  if (config.target == TilingTarget::Gpu) {
    if (rowKernel)
      return std::make_pair(SmallVector<Value>(outerResult->replacements),
                            outermost);
    // Threads per loop: the block tile over the thread tile.
    for (size_t i = 0; i < rank; ++i)
      if (outer[i] != 0 && config.threadTile[i] != 0)
        inner[i] = outer[i] / config.threadTile[i];
    innerOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    innerOptions.setNumThreads(asIndexAttrs(rewriter, inner));
    innerOptions.setMapping(gpuMapping(
        context, llvm::count_if(inner, [](int64_t v) { return v != 0; }),
        /*threads=*/true));
  } else {
    inner.assign(config.threadTile.begin(), config.threadTile.end());
    if (rowKernel)
      inner[rank - 1] = 0;
    // Matmul's K, untiled by the tasks, in steps of the block tile's K.
    if (config.kind == KernelKind::Matmul)
      inner[2] = config.blockTile[2];
    innerOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
    innerOptions.setTileSizes(asIndexAttrs(rewriter, inner));
  }
  if (llvm::all_of(inner, [](int64_t v) { return v == 0; }))
    return std::make_pair(SmallVector<Value>(outerResult->replacements),
                          outermost);
  rewriter.setInsertionPoint(tiled);
  FailureOr<scf::SCFTilingResult> innerResult =
      scf::tileUsingSCF(rewriter, tiled, innerOptions);
  if (failed(innerResult))
    return failure();
  rewriter.replaceOp(tiled, innerResult->replacements);
  if (runsRegisterTileIKJ(config)) {
    auto registerTile = cast<linalg::LinalgOp>(innerResult->tiledOps.back());
    rewriter.setInsertionPoint(registerTile);
    FailureOr<linalg::GenericOp> generic =
        linalg::generalizeNamedOp(rewriter, registerTile);
    if (failed(generic) ||
        failed(linalg::interchangeGenericOp(rewriter, *generic, {0, 2, 1})))
      return failure();
  }
  return std::make_pair(SmallVector<Value>(outerResult->replacements),
                        outermost);
}

/// Marks the ops that fold a new value into a reduction's accumulator as
/// reassociable (`fastmath<reassoc>`), so that LLVM vectorizes the CPU
/// reduction loops with several partial accumulators instead of one serial
/// chain (1.5-1.9x on row sums, bench/results). The order of the additions
/// changes, as it does on the GPU; max and min give the same result in any
/// order.
void allowReassociation(linalg::LinalgOp op) {
  if (op.getNumReductionLoops() == 0 || op->getNumRegions() != 1 ||
      op->getRegion(0).empty())
    return;
  auto yield = dyn_cast<linalg::YieldOp>(op.getBlock()->getTerminator());
  if (!yield)
    return;
  for (auto [index, init] : llvm::enumerate(op.getDpsInitsMutable())) {
    Value folded = yield.getOperand(index);
    auto combiner = folded.getDefiningOp<arith::ArithFastMathInterface>();
    if (!combiner || !llvm::is_contained(combiner->getOperands(),
                                         op.getMatchingBlockArgument(&init)))
      continue;
    arith::FastMathFlags flags = combiner.getFastMathFlagsAttr().getValue() |
                                 arith::FastMathFlags::reassoc;
    combiner->setAttr(combiner.getFastMathAttrName(),
                      arith::FastMathFlagsAttr::get(op->getContext(), flags));
  }
}

struct SpecializePass
    : public multikernel::impl::MultiKernelSpecializeBase<SpecializePass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *context) override {
    // Canonicalization of the new variants only: the tiling leaves many
    // dims, constants and affine applies behind.
    RewritePatternSet patterns(context);
    for (Dialect *dialect : context->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : context->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, context);
    cleanupPatterns = FrozenRewritePatternSet(std::move(patterns));
    return success();
  }

  void runOnOperation() override;

private:
  /// Replaces `op` with a dispatch; false after a hard error (reported).
  bool specialize(Operation *op, KernelKind kind, ArrayRef<Hint> hints,
                  StringRef siteName);
  void remark(Operation *op, const Twine &why) {
    if (remarks)
      op->emitRemark() << "not specialized: " << why;
  }

  TilingTarget tilingTarget = TilingTarget::Gpu;
  MachineModel machine;
  FrozenRewritePatternSet cleanupPatterns;
};

bool SpecializePass::specialize(Operation *op, KernelKind kind,
                                ArrayRef<Hint> hints, StringRef siteName) {
  MLIRContext *context = op->getContext();
  Location loc = op->getLoc();
  SmallVector<int64_t> staticSizes = staticLoopSizes(op);
  int64_t numDynamic = llvm::count(staticSizes, ShapedType::kDynamic);

  for (auto [index, hint] : llvm::enumerate(hints)) {
    if (static_cast<int64_t>(hint.size()) != numDynamic) {
      op->emitError() << "size hint #" << index << " has " << hint.size()
                      << " sizes, but the op has " << numDynamic
                      << " dynamic loop sizes (its dispatch key)";
      return false;
    }
  }

  OpBuilder builder(op);
  SmallVector<Value> keys = createKey(builder, op, staticSizes);

  // Regions are isolated from above: values the op's body uses from outside
  // become arguments, except constants, which are cloned into each variant.
  SetVector<Value> usedAbove;
  getUsedValuesDefinedAbove(op->getRegions(), usedAbove);
  SmallVector<Value> args(op->getOperands());
  SmallVector<Value> constants;
  for (Value value : usedAbove) {
    Operation *def = value.getDefiningOp();
    if (def && def->hasTrait<OpTrait::ConstantLike>())
      constants.push_back(value);
    else
      args.push_back(value);
  }

  auto dispatch = DispatchOp::create(builder, loc, op->getResultTypes(),
                                     siteName, keys, hints, args);
  IRRewriter rewriter(context);
  SmallVector<Attribute> tilings;
  for (auto [index, region] : llvm::enumerate(dispatch.getVariants())) {
    Block &entry = region.front();
    rewriter.setInsertionPointToStart(&entry);
    IRMapping mapping;
    mapping.map(args, entry.getArguments());
    for (Value constant : constants)
      mapping.map(constant,
                  rewriter.clone(*constant.getDefiningOp())->getResult(0));
    Operation *clone = rewriter.clone(*op, mapping);
    clone->removeAttr(MultiKernelDialect::getHintsAttrName());
    if (tilingTarget == TilingTarget::Cpu && kind == KernelKind::Reduction)
      allowReassociation(cast<linalg::LinalgOp>(clone));

    // The loop sizes this variant is tuned for.
    SmallVector<int64_t> sizes(staticSizes);
    int64_t next = 0;
    for (int64_t &size : sizes)
      if (ShapedType::isDynamic(size))
        size = hints[index][next++];
    TilingConfig config = chooseTiling(kind, tilingTarget, sizes,
                                       widestElementBytes(op), machine);

    SmallVector<Value> results(clone->getResults());
    rewriter.setInsertionPoint(clone);
    // Threads for the tasks only where the hint's work pays for them.
    bool sequentialTasks = tilingTarget == TilingTarget::Cpu &&
                           llvm::product_of(sizes) < cpuParallelMinWork;
    auto tiled = tileVariant(rewriter, cast<TilingInterface>(clone), config,
                             sequentialTasks);
    if (succeeded(tiled)) {
      results = tiled->first;
    } else {
      // Still correct, only not tiled: say so rather than fail the module.
      clone->emitWarning() << "variant #" << index
                           << " could not be tiled; it runs untiled";
    }
    tilings.push_back(config.toAttr(context));
    rewriter.setInsertionPointToEnd(&entry);
    YieldOp::create(rewriter, loc, results);
  }
  dispatch.setTilingsAttr(rewriter.getArrayAttr(tilings));
  op->replaceAllUsesWith(dispatch.getResults());
  op->erase();

  (void)applyPatternsGreedily(dispatch.getOperation(), cleanupPatterns);
  DominanceInfo dominance;
  eliminateCommonSubExpressions(rewriter, dominance, dispatch);
  return true;
}

void SpecializePass::runOnOperation() {
  ModuleOp module = getOperation();
  if (target == "gpu") {
    tilingTarget = TilingTarget::Gpu;
  } else if (target == "cpu") {
    tilingTarget = TilingTarget::Cpu;
  } else {
    module.emitError() << "multikernel-specialize: invalid target '" << target
                       << "': expected 'gpu' or 'cpu'";
    return signalPassFailure();
  }
  if (smCount <= 0) {
    module.emitError() << "multikernel-specialize: sm-count must be positive, "
                          "got "
                       << static_cast<int64_t>(smCount);
    return signalPassFailure();
  }
  if (cpuParallelMinWork < 0) {
    module.emitError() << "multikernel-specialize: cpu-parallel-min-work must "
                          "not be negative, got "
                       << static_cast<int64_t>(cpuParallelMinWork);
    return signalPassFailure();
  }
  machine.smCount = smCount;

  SmallVector<Hint> optionHints;
  for (const std::string &text : hints) {
    FailureOr<Hint> hint = parseHint(text);
    if (failed(hint)) {
      module.emitError() << "multikernel-specialize: invalid size hint '"
                         << text
                         << "': expected positive sizes joined by 'x', e.g. "
                            "hints=1024x512,4096x2048";
      return signalPassFailure();
    }
    optionHints.push_back(*hint);
  }

  // Site names already taken (a module specialized in several steps).
  llvm::StringSet<> taken;
  module.walk(
      [&](DispatchOp dispatch) { taken.insert(dispatch.getSymName()); });

  bool failedHard = false;
  module.walk([&](func::FuncOp func) {
    SmallVector<Operation *> candidates;
    func.walk([&](Operation *op) {
      if (op->getParentOfType<DispatchOp>())
        return WalkResult::skip();
      if (isa<linalg::LinalgOp, linalg::SoftmaxOp>(op))
        candidates.push_back(op);
      return WalkResult::advance();
    });

    int64_t siteIndex = 0;
    for (Operation *op : candidates) {
      std::string why;
      FailureOr<KernelKind> kind = classify(op, why);
      if (failed(kind)) {
        ++numUnsupported;
        remark(op, why);
        continue;
      }
      if (!llvm::is_contained(staticLoopSizes(op), ShapedType::kDynamic)) {
        ++numStatic;
        remark(op, "all loop sizes are static");
        continue;
      }

      SmallVector<Hint> hintList = optionHints;
      auto hintsAttr =
          op->getAttrOfType<ArrayAttr>(MultiKernelDialect::getHintsAttrName());
      if (hintsAttr) {
        hintList.clear();
        for (Attribute hint : hintsAttr)
          hintList.push_back(
              llvm::to_vector(cast<DenseI64ArrayAttr>(hint).asArrayRef()));
      }
      int64_t numDynamic =
          llvm::count(staticLoopSizes(op), ShapedType::kDynamic);
      if (!hintsAttr && skipMismatchedRanks && !hintList.empty() &&
          static_cast<int64_t>(hintList.front().size()) != numDynamic) {
        ++numUnsupported;
        remark(op, "the hints have " + Twine(hintList.front().size()) +
                       " sizes but the op has " + Twine(numDynamic) +
                       " dynamic sizes; give it a multikernel.hints "
                       "attribute");
        continue;
      }
      if (hintList.empty()) {
        op->emitError() << "no size hints: pass hints=... to "
                           "multikernel-specialize or put a '"
                        << MultiKernelDialect::getHintsAttrName()
                        << "' attribute on the op";
        failedHard = true;
        continue;
      }

      std::string name;
      do {
        name = (func.getSymName() + "_" + Twine(siteIndex++)).str();
      } while (taken.contains(name));
      taken.insert(name);
      if (!specialize(op, *kind, hintList, name)) {
        failedHard = true;
        continue;
      }
      ++numSpecialized;
    }
  });
  if (failedHard)
    signalPassFailure();
}

} // namespace
