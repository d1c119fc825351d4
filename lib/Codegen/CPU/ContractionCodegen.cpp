//===- ContractionCodegen.cpp - register tiles for CPU contractions -------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// --multikernel-cpu-contraction-codegen: the contraction of an outlined CPU
// matmul variant, tiled into tasks by --multikernel-specialize, becomes a
// register-blocked kernel. The pieces are upstream's: TilingInterface
// tiling, loop peeling, linalg::vectorize and the outer-product lowering of
// vector.contract. This pass adds the order (which loops, which steps, which
// tiles are peeled) and three things upstream lacks for it: B's panels
// packed (transposed where B is), C's tile carried through the K loop in
// registers (upstream's hoisting refuses transfers of views), and generic
// contractions made linalg.contract ops, which vectorize to vector.contract.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelDialect.h"
#include "multikernel/Transforms/Passes.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELCPUCONTRACTIONCODEGEN
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;
using namespace mlir::multikernel;

namespace {

/// The loops of a contraction as the register tiling sees them.
struct ContractionLoops {
  SmallVector<unsigned> batch;
  unsigned m, n, k;
};

/// The loops of `op` if it is a contraction with one M, one N and one K loop
/// (any number of batch loops), the form a register tile of C serves.
FailureOr<ContractionLoops> matchContraction(linalg::LinalgOp op) {
  if (!linalg::isaContractionOpInterface(op))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1)
    return failure();
  return ContractionLoops{llvm::to_vector(dims->batch), dims->m.front(),
                          dims->n.front(), dims->k.front()};
}

SmallVector<OpFoldResult> indexAttrs(OpBuilder &builder,
                                     ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [&](int64_t v) -> OpFoldResult {
    return builder.getIndexAttr(v);
  });
}

/// Tiles loop `dim` of `op` by `size` into an scf.for loop; returns the
/// loop and the tiled op.
FailureOr<std::pair<scf::ForOp, linalg::LinalgOp>>
tileLoop(RewriterBase &rewriter, linalg::LinalgOp op, unsigned dim,
         int64_t size) {
  SmallVector<int64_t> sizes(op.getNumLoops(), 0);
  sizes[dim] = size;
  scf::SCFTilingOptions options;
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
  options.setTileSizes(indexAttrs(rewriter, sizes));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled) || tiled->loops.size() != 1)
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return std::make_pair(cast<scf::ForOp>(tiled->loops.front().getOperation()),
                        cast<linalg::LinalgOp>(tiled->tiledOps.back()));
}

/// Peels the last, partial iteration off `loop` (nothing where its step
/// divides its trip statically) and returns the contractions of the partial
/// iteration.
SmallVector<linalg::LinalgOp> peelPartialTile(RewriterBase &rewriter,
                                              scf::ForOp loop) {
  scf::ForOp partial;
  SmallVector<linalg::LinalgOp> partialOps;
  if (failed(scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial)))
    return partialOps;
  partial.walk([&](linalg::LinalgOp op) { partialOps.push_back(op); });
  return partialOps;
}

/// B of a matmul, whose panels are packed: the input of `op` indexed by its
/// batch loops, then K and N (`transposed` false) or N and K (true).
OpOperand *findPanelInput(linalg::LinalgOp op, const ContractionLoops &loops,
                          bool &transposed) {
  MLIRContext *context = op.getContext();
  auto panelMap = [&](unsigned first, unsigned second) {
    SmallVector<AffineExpr> results;
    for (unsigned b : loops.batch)
      results.push_back(getAffineDimExpr(b, context));
    results.push_back(getAffineDimExpr(first, context));
    results.push_back(getAffineDimExpr(second, context));
    return AffineMap::get(op.getNumLoops(), 0, results, context);
  };
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    transposed = map == panelMap(loops.n, loops.k);
    if (transposed || map == panelMap(loops.k, loops.n))
      return input;
  }
  return nullptr;
}

/// Copies B's part of `panel` (a K block by `nr` columns, of one matrix of
/// the batch) into `buffer` (as large, contiguous, K-major) and makes
/// `panel` read the copy: its rows are then one vector apart, where B's are
/// a whole row of B apart (4 KiB at 1024 columns: every row of the panel
/// maps to the same cache set, and the panel, read again for every strip of
/// rows, does not stay in the L1 cache). A transposed B (attention's k^T) is
/// transposed into the buffer, so that its rows are vectors too.
void packPanel(RewriterBase &rewriter, linalg::LinalgOp panel,
               const ContractionLoops &loops, Value buffer) {
  bool transposed;
  OpOperand &input = *findPanelInput(panel, loops, transposed);
  Location loc = panel.getLoc();
  rewriter.setInsertionPoint(panel);
  SmallVector<OpFoldResult> sizes =
      memref::getMixedSizes(rewriter, loc, input.get());
  size_t rank = sizes.size();
  SmallVector<int64_t> permutation =
      llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (transposed) {
    std::swap(sizes[rank - 2], sizes[rank - 1]);
    std::swap(permutation[rank - 2], permutation[rank - 1]);
  }
  SmallVector<OpFoldResult> zeros(rank, rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> ones(rank, rewriter.getIndexAttr(1));
  Value packed =
      memref::SubViewOp::create(rewriter, loc, buffer, zeros, sizes, ones);
  if (!transposed) {
    linalg::CopyOp::create(rewriter, loc, input.get(), packed);
    rewriter.modifyOpInPlace(panel, [&] { input.set(packed); });
    return;
  }
  linalg::TransposeOp::create(rewriter, loc, input.get(), packed, permutation);
  SmallVector<AffineMap> maps = panel.getIndexingMapsArray();
  AffineMap &map = maps[input.getOperandNumber()];
  map = map.getSubMap(llvm::to_vector_of<unsigned>(permutation));
  rewriter.modifyOpInPlace(panel, [&] {
    input.set(packed);
    panel->setAttr("indexing_maps", rewriter.getAffineMapArrayAttr(maps));
  });
}

/// Register-tiles one contraction of a task: K in steps of `kStep`, then N
/// in panels of `nr` columns (B's part packed if `pack`), then M in strips
/// of `mr` rows, then K one step at a time around an `mr` x `nr` tile of C.
/// The N and M loops are peeled: their last columns and rows are tiles of
/// one column or row, so that every tile has static sizes.
LogicalResult registerTile(RewriterBase &rewriter, linalg::LinalgOp op,
                           const ContractionLoops &loops, int64_t mr,
                           int64_t nr, int64_t kStep, bool pack) {
  Location loc = op.getLoc();
  for (unsigned b : loops.batch) {
    auto tiled = tileLoop(rewriter, op, b, 1);
    if (failed(tiled))
      return failure();
    op = tiled->second;
  }
  bool transposed;
  OpOperand *panelInput = findPanelInput(op, loops, transposed);
  pack = pack && panelInput;
  // The packing buffer, once per task: on the heap, since a task is the body
  // of a loop (a stack allocation there would grow the stack per task) and
  // may run on any thread.
  Value buffer;
  if (pack) {
    Type element = getElementTypeOrSelf(panelInput->get());
    rewriter.setInsertionPoint(op);
    // One matrix of the batch at a time (the batch loops are tiled by 1).
    SmallVector<int64_t> shape(loops.batch.size(), 1);
    shape.append({kStep, nr});
    buffer =
        memref::AllocOp::create(rewriter, loc, MemRefType::get(shape, element),
                                rewriter.getI64IntegerAttr(64));
    rewriter.setInsertionPointAfter(op);
    memref::DeallocOp::create(rewriter, loc, buffer);
  }

  auto kBlocks = tileLoop(rewriter, op, loops.k, kStep);
  if (failed(kBlocks))
    return failure();
  auto panels = tileLoop(rewriter, kBlocks->second, loops.n, nr);
  if (failed(panels))
    return failure();
  linalg::LinalgOp fullPanel = panels->second;
  SmallVector<linalg::LinalgOp> partialPanels =
      peelPartialTile(rewriter, panels->first);
  if (pack)
    packPanel(rewriter, fullPanel, loops, buffer);

  // Strips of mr rows, the last rows one at a time; in the last columns,
  // one column at a time. Every tile then has static sizes: mr x nr,
  // 1 x nr, mr x 1 or 1 x 1.
  auto strips = [&](linalg::LinalgOp panel) -> LogicalResult {
    auto tiled = tileLoop(rewriter, panel, loops.m, mr);
    if (failed(tiled))
      return failure();
    SmallVector<linalg::LinalgOp> tiles = {tiled->second};
    for (linalg::LinalgOp lastRows : peelPartialTile(rewriter, tiled->first)) {
      auto rows = tileLoop(rewriter, lastRows, loops.m, 1);
      if (failed(rows))
        return failure();
      tiles.push_back(rows->second);
    }
    for (linalg::LinalgOp tile : tiles)
      if (failed(tileLoop(rewriter, tile, loops.k, 1)))
        return failure();
    return success();
  };
  if (failed(strips(fullPanel)))
    return failure();
  for (linalg::LinalgOp lastColumns : partialPanels) {
    auto columns = tileLoop(rewriter, lastColumns, loops.n, 1);
    if (failed(columns) || failed(strips(columns->second)))
      return failure();
  }
  return success();
}

/// `generic` as a linalg.contract of the same indexing maps where its body
/// is what the named op computes: one multiply and one add in the element
/// type of C, its inputs extended to it first where narrower (`arith.extf`,
/// or `arith.extsi`: linalg.contract's casts are signed); otherwise
/// `generic`. The vectorizer makes a vector.contract of named contractions
/// only (of a generic one, a broadcast and a reduction that run at a few
/// GFLOP/s). Upstream's specializeGenericOp is no help here: in LLVM 22 it
/// turns a batched contraction with B transposed into a batch_matmul
/// without B's map (invalid IR).
linalg::LinalgOp asContractOp(RewriterBase &rewriter,
                              linalg::GenericOp generic) {
  if (generic.getNumDpsInputs() != 2)
    return generic;
  int64_t arithmetic = 0;
  for (Operation &op : generic.getBody()->without_terminator()) {
    if (isa<arith::ExtFOp, arith::ExtSIOp>(op) &&
        isa<BlockArgument>(op.getOperand(0)))
      continue;
    if (!isa<arith::MulFOp, arith::AddFOp, arith::MulIOp, arith::AddIOp>(op))
      return generic;
    ++arithmetic;
  }
  // Two ops: the multiply and the add (the contraction check that matched
  // `generic` says they combine the inputs and C as a contraction).
  if (arithmetic != 2)
    return generic;
  rewriter.setInsertionPoint(generic);
  auto contract = linalg::ContractOp::create(
      rewriter, generic.getLoc(), generic.getDpsInputs(), generic.getDpsInits(),
      generic.getIndexingMaps());
  rewriter.eraseOp(generic);
  return contract;
}

/// Reads C's tile before the register tile's K loop `kLoop` and writes it
/// after, carrying it through the loop in registers. Upstream's
/// hoistRedundantVectorTransfers does this only for buffers that are not
/// views (it cannot tell whether another view aliases one), and every tile of
/// C is a view. Here the loop is known: one step of a contraction, whose
/// only write is C's tile; A and B, which it reads, are the contraction's
/// inputs, which may not alias its output.
void keepAccumulatorInRegisters(RewriterBase &rewriter, scf::ForOp kLoop) {
  (void)moveLoopInvariantCode(cast<LoopLikeOpInterface>(kLoop.getOperation()));
  SmallVector<vector::TransferWriteOp> writes;
  kLoop.getBody()->walk(
      [&](vector::TransferWriteOp write) { writes.push_back(write); });
  if (writes.size() != 1)
    return;
  vector::TransferWriteOp write = writes.front();
  if (write->getParentOp() != kLoop ||
      !kLoop.isDefinedOutsideOfLoop(write.getBase()) ||
      !llvm::all_of(write.getIndices(), [&](Value index) {
        return kLoop.isDefinedOutsideOfLoop(index);
      }))
    return;
  vector::TransferReadOp read;
  for (auto candidate : kLoop.getBody()->getOps<vector::TransferReadOp>())
    if (candidate.getBase() == write.getBase() &&
        llvm::all_of_zip(
            candidate.getIndices(), write.getIndices(),
            [](Value a, Value b) { return isEqualConstantIntOrValue(a, b); }) &&
        candidate.getVectorType() == write.getVectorType() &&
        candidate.getPermutationMap() == write.getPermutationMap())
      read = candidate;
  if (!read || !llvm::all_of(read->getOperands(), [&](Value operand) {
        return kLoop.isDefinedOutsideOfLoop(operand);
      }))
    return;
  rewriter.moveOpBefore(read, kLoop);
  FailureOr<LoopLikeOpInterface> carried =
      cast<LoopLikeOpInterface>(kLoop.getOperation())
          .replaceWithAdditionalYields(
              rewriter, read.getResult(),
              /*replaceInitOperandUsesInLoop=*/true,
              [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
                return SmallVector<Value>{write.getVector()};
              });
  if (failed(carried))
    return;
  Operation *loop = carried->getOperation();
  rewriter.moveOpAfter(write, loop);
  rewriter.modifyOpInPlace(write, [&] {
    write.getValueToStoreMutable().assign(loop->getResults().back());
  });
}

/// Applies the canonicalization patterns of every loaded dialect and
/// registered op to `root`: peeled bounds become constants, then static
/// subviews, so that the full register tiles have static shapes.
void canonicalize(Operation *root) {
  MLIRContext *context = root->getContext();
  RewritePatternSet patterns(context);
  for (Dialect *dialect : context->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : context->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, context);
  (void)applyPatternsGreedily(root, std::move(patterns));
}

/// Lowers the vector ops of the register tiles to what LLVM takes: the
/// contraction to outer products of a column of A and a row of B (fused
/// multiply-adds), transfers to 1-D loads and stores.
void lowerVectorOps(Operation *root) {
  MLIRContext *context = root->getContext();
  {
    RewritePatternSet patterns(context);
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::EltWise);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    (void)applyPatternsGreedily(root, std::move(patterns));
  }
  {
    RewritePatternSet patterns(context);
    populateVectorToSCFConversionPatterns(
        patterns, VectorTransferToSCFOptions().enableFullUnroll());
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    (void)applyPatternsGreedily(root, std::move(patterns));
  }
}

LogicalResult lowerVariant(func::FuncOp func, TilingAttr tiling) {
  IRRewriter rewriter(func.getContext());
  SmallVector<std::pair<linalg::LinalgOp, ContractionLoops>> contractions;
  func.walk([&](linalg::LinalgOp op) {
    FailureOr<ContractionLoops> loops = matchContraction(op);
    if (succeeded(loops))
      contractions.emplace_back(op, *loops);
  });
  ArrayRef<int64_t> registers = tiling.getThreadTile();
  ArrayRef<int64_t> block = tiling.getBlockTile();
  for (auto &[op, loops] : contractions) {
    int64_t mr = registers[loops.m], nr = registers[loops.n];
    if (mr < 1 || nr < 1)
      return func.emitError() << "CPU matmul variant '" << func.getSymName()
                              << "': its tiling has no register tile";
    // B's panel is packed where a task's strips read it again.
    bool pack = block[loops.m] > mr;
    if (failed(registerTile(rewriter, op, loops, mr, nr, block[loops.k], pack)))
      return op->emitError("cannot be tiled into register tiles");
  }
  canonicalize(func);

  // The full register tiles, now static: one K step of an mr x nr tile.
  SmallVector<linalg::LinalgOp> fullTiles;
  func.walk([&](linalg::LinalgOp op) {
    FailureOr<ContractionLoops> loops = matchContraction(op);
    if (failed(loops) || op.hasDynamicShape())
      return;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (ranges[loops->k] == 1)
      fullTiles.push_back(op);
  });
  for (linalg::LinalgOp op : fullTiles) {
    auto kLoop = dyn_cast<scf::ForOp>(op->getParentOp());
    rewriter.setInsertionPoint(op);
    if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation()))
      op = asContractOp(rewriter, generic);
    FailureOr<linalg::VectorizationResult> vectorized =
        linalg::vectorize(rewriter, op, /*inputVectorSizes=*/{},
                          /*inputScalableVecDims=*/{},
                          /*vectorizeNDExtract=*/false,
                          /*flatten1DDepthwiseConv=*/false,
                          /*assumeDynamicDimsMatchVecSizes=*/false,
                          /*createNamedContraction=*/true);
    if (failed(vectorized))
      return op->emitError("register tile cannot be vectorized");
    rewriter.replaceOp(op, vectorized->replacements);
    if (kLoop)
      keepAccumulatorInRegisters(rewriter, kLoop);
  }
  lowerVectorOps(func);
  return success();
}

struct CpuContractionCodegenPass
    : public multikernel::impl::MultiKernelCpuContractionCodegenBase<
          CpuContractionCodegenPass> {
  using Base::Base;

  void runOnOperation() override {
    bool failedAny = false;
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      auto tiling = func->getAttrOfType<TilingAttr>(
          MultiKernelDialect::getTilingAttrName());
      if (!tiling || tiling.getTarget() != TilingTarget::Cpu ||
          tiling.getKind() != KernelKind::Matmul)
        continue;
      failedAny |= failed(lowerVariant(func, tiling));
    }
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
