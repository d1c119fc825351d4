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

#include "multikernel/Codegen/GPU/KernelGroup.h"
#include "multikernel/Runtime/MultiKernelRuntime.h"
#include "multikernel/Transforms/FunctionDimensions.h"
#include "multikernel/Transforms/Passes.h"
#include "multikernel/Transforms/TilingHeuristic.h"
#include "multikernel/Transforms/Utils.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

#include <array>
#include <optional>
#include <vector>

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELSPECIALIZE
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;
using namespace mlir::multikernel;

namespace {

using Hint = SmallVector<int64_t>;

/// The candidates of an op when nothing names its hints: every dynamic loop
/// of the same size, as Inductor's default `multi_kernel_hints`.
constexpr int64_t kAutomaticHints[] = {64, 256, 4096};

/// The candidates of an attribute (verified: an array of array<i64>).
SmallVector<Hint> hintsOf(ArrayAttr attr) {
  SmallVector<Hint> hints;
  for (Attribute hint : attr)
    hints.push_back(
        llvm::to_vector(cast<DenseI64ArrayAttr>(hint).asArrayRef()));
  return hints;
}

/// `hints` without repeats, in their order (two candidates can give an op
/// the same sizes; their variants would be the same).
SmallVector<Hint> withoutRepeats(ArrayRef<Hint> hints) {
  SmallVector<Hint> unique;
  for (const Hint &hint : hints)
    if (!llvm::is_contained(unique, hint))
      unique.push_back(hint);
  return unique;
}

std::string describe(ArrayRef<Hint> hints) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(
      hints, os, [&](const Hint &hint) { llvm::interleave(hint, os, "x"); },
      ",");
  return text;
}

/// How a CPU variant runs its tasks (its outer tiles).
enum class TaskThreads {
  /// In an scf.forall (OpenMP threads).
  Parallel,
  /// In a sequential scf.for: too little work for threads.
  Sequential,
  /// Chosen per call: the scf.forall where the call's iterations reach the
  /// minimum work for threads, else the scf.for.
  ByCall,
};

/// One variant of a site: its hint and what the heuristic made of it.
struct Variant {
  Hint hint;
  TilingConfig config;
  /// The config as the dispatch records it.
  TilingAttr tiling;
  TaskThreads tasks = TaskThreads::Parallel;

  /// Whether it makes the same code as `other`: codegen and the CPU tiling
  /// read only these.
  bool sameCodeAs(const Variant &other) const {
    return tiling == other.tiling && tasks == other.tasks;
  }
};

/// Whether cuBLASLt computes the contraction `op` as its IR says: float
/// inputs of one type (f32, f16, bf16) and C of that type or f32, or all
/// f64, with a body of a multiply and an add (and input extensions).
bool cublasLtComputes(Operation *op) {
  auto linalgOp = cast<linalg::LinalgOp>(op);
  if (linalgOp.getNumDpsInputs() != 2 || linalgOp.getNumDpsInits() != 1)
    return false;
  Type a = getElementTypeOrSelf(linalgOp.getDpsInputs()[0].getType());
  Type b = getElementTypeOrSelf(linalgOp.getDpsInputs()[1].getType());
  Type c = getElementTypeOrSelf(linalgOp.getDpsInits()[0].getType());
  bool typesFit =
      a == b && (a.isF64() ? c.isF64()
                           : (a.isF32() || a.isF16() || a.isBF16()) &&
                                 (c == a || c.isF32()));
  if (!typesFit)
    return false;
  SmallVector<Operation *> body;
  for (Operation &bodyOp : linalgOp.getBlock()->without_terminator())
    if (!isa<arith::ExtFOp>(bodyOp))
      body.push_back(&bodyOp);
  return body.size() == 2 && isa<arith::MulFOp>(body[0]) &&
         isa<arith::AddFOp>(body[1]);
}

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

/// The M, N and K loops of `op` if it is a contraction with one of each
/// (and any batch loops): a matmul site on either target.
std::optional<std::array<int64_t, 3>> matmulLoops(linalg::LinalgOp op) {
  if (!linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1)
    return std::nullopt;
  return std::array<int64_t, 3>{dims->m.front(), dims->n.front(),
                                dims->k.front()};
}

/// Whether `op` is a contraction of one M, N and K loop: a site of its own.
bool isContraction(linalg::LinalgOp op) { return matmulLoops(op).has_value(); }

/// What kind of kernel `op` is on `target`, or why it is not supported.
FailureOr<KernelKind> classify(Operation *op, TilingTarget target,
                               std::string &why) {
  if (isa<linalg::SoftmaxOp>(op)) {
    why = "linalg.softmax: decompose it first "
          "(--multikernel-decompose-softmax)";
    return failure();
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
  // Every contraction of one M, N and K loop is a matmul (batch_matmul,
  // transposed operands, the generic form a frontend emits): the CPU codegen
  // register-tiles any of them, the GPU's takes one batch loop at most.
  if (matmulLoops(linalgOp)) {
    if (target == TilingTarget::Gpu && linalgOp.getNumLoops() > 4) {
      why = "a contraction with more than one batch loop";
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
  return cast<linalg::LinalgOp>(op).getStaticLoopRanges();
}

/// The loop sizes a variant is tuned for: the static ones, and `hint`'s for
/// the dynamic ones in order.
SmallVector<int64_t> hintedLoopSizes(ArrayRef<int64_t> staticSizes,
                                     ArrayRef<int64_t> hint) {
  SmallVector<int64_t> sizes(staticSizes);
  const int64_t *next = hint.begin();
  for (int64_t &size : sizes)
    if (ShapedType::isDynamic(size))
      size = *next++;
  return sizes;
}

/// One `memref.dim`/`tensor.dim` per dynamic loop, in loop order: the
/// dispatch key.
SmallVector<Value> createKey(OpBuilder &builder, Operation *op,
                             ArrayRef<int64_t> staticSizes) {
  Location loc = op->getLoc();
  SmallVector<Value> key;
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

int64_t elementBytesOf(Type type) {
  Type element = getElementTypeOrSelf(type);
  int64_t bits = element.isIndex() ? 64 : element.getIntOrFloatBitWidth();
  return (bits + 7) / 8;
}

int64_t widestElementBytes(ArrayRef<Operation *> ops) {
  int64_t bytes = 1;
  for (Operation *op : ops)
    for (Value operand : op->getOperands())
      bytes = std::max(bytes, elementBytesOf(operand.getType()));
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
tileVariantTasks(RewriterBase &rewriter, TilingInterface op,
                 const TilingConfig &config, bool sequentialTasks) {
  MLIRContext *context = op->getContext();
  bool rowKernel = config.kind == KernelKind::Reduction;
  size_t rank = config.blockTile.size();

  // Outer level: blocks (GPU) or parallel tasks (CPU). Rows of reductions
  // and softmax are never split here (split reductions are a strategy of
  // the GPU lowering, recorded in the config); matmul's K is a loop inside
  // the block.
  SmallVector<int64_t> outer(config.blockTile);
  if (rowKernel)
    outer[rank - 1] = 0;
  if (config.kind == KernelKind::Matmul)
    outer[(*matmulLoops(cast<linalg::LinalgOp>(op.getOperation())))[2]] = 0;
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
    // A task's matmul is register-tiled by the CPU codegen
    // (--multikernel-cpu-contraction-codegen).
    if (config.kind == KernelKind::Matmul)
      return std::make_pair(SmallVector<Value>(outerResult->replacements),
                            outermost);
    inner.assign(config.threadTile.begin(), config.threadTile.end());
    if (rowKernel)
      inner[rank - 1] = 0;
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
  return std::make_pair(SmallVector<Value>(outerResult->replacements),
                        outermost);
}

/// Tiles `op` as tileVariantTasks does, its tasks as `tasks` says: for
/// ByCall, both forms under an scf.if on the call's iterations (the product
/// of `op`'s loop sizes) against `minWork`, so that one variant serves
/// small and large calls alike and the runtime has no second variant to
/// benchmark. Returns the values that replace its results and the
/// outermost op, or failure (`op` is then left as it was).
FailureOr<std::pair<SmallVector<Value>, Operation *>>
tileVariant(RewriterBase &rewriter, TilingInterface op,
            const TilingConfig &config, TaskThreads tasks, int64_t minWork) {
  if (tasks != TaskThreads::ByCall)
    return tileVariantTasks(rewriter, op, config,
                            tasks == TaskThreads::Sequential);
  Location loc = op->getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Value work = arith::ConstantIndexOp::create(rewriter, loc, 1);
  for (Range range : op.getIterationDomain(rewriter))
    work = arith::MulIOp::create(
        rewriter, loc, work,
        getValueOrCreateConstantIndexOp(rewriter, loc, range.size));
  Value threaded = arith::CmpIOp::create(
      rewriter, loc, arith::CmpIPredicate::uge, work,
      arith::ConstantIndexOp::create(rewriter, loc, minWork));
  auto choice = scf::IfOp::create(rewriter, loc, op->getResultTypes(), threaded,
                                  /*withElseRegion=*/true);
  for (auto [region, sequential] : {std::pair{&choice.getThenRegion(), false},
                                    std::pair{&choice.getElseRegion(), true}}) {
    Block &block = region->front();
    // A new scf.if without results has its yield already.
    if (block.empty())
      rewriter.setInsertionPointToEnd(&block);
    else
      rewriter.setInsertionPoint(block.getTerminator());
    auto copy = cast<TilingInterface>(rewriter.clone(*op));
    FailureOr<std::pair<SmallVector<Value>, Operation *>> tiled =
        tileVariantTasks(rewriter, copy, config, sequential);
    if (failed(tiled)) {
      rewriter.eraseOp(choice);
      return failure();
    }
    // (Tiling moved the insertion point into the loops.)
    if (op->getNumResults() > 0) {
      rewriter.setInsertionPointToEnd(&block);
      scf::YieldOp::create(rewriter, loc, tiled->first);
    }
  }
  SmallVector<Value> results(choice.getResults());
  rewriter.replaceOp(op, results);
  return std::make_pair(results, choice.getOperation());
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

/// The ops of one dispatch site, in program order. The site's loops (its
/// key and the hints' sizes) are those of `root`.
struct Site {
  SmallVector<Operation *> ops;
  Operation *root = nullptr;
  KernelKind kind = KernelKind::Elementwise;
  /// Allocations only the site uses (GPU groups): they move into each
  /// variant.
  SmallVector<memref::AllocOp> intermediates;
  /// What the heuristic needs to know of it.
  KernelTraits traits;
};

/// Whether `alloc`'s uses are all in `ops`, or dims (of constant index)
/// and deallocations.
bool isIntermediateOf(memref::AllocOp alloc,
                      const llvm::SmallPtrSetImpl<Operation *> &ops) {
  return llvm::all_of(alloc->getUsers(), [&](Operation *user) {
    if (auto dim = dyn_cast<memref::DimOp>(user))
      return dim.getConstantIndex().has_value();
    return ops.contains(user) || isa<memref::DeallocOp>(user);
  });
}

/// The buffers `op` reads and writes; false if it may touch memory it does
/// not name.
bool collectAccesses(Operation *op, llvm::SmallPtrSetImpl<Value> &reads,
                     llvm::SmallPtrSetImpl<Value> &writes) {
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    for (OpOperand &operand : linalgOp->getOpOperands()) {
      if (!isa<BaseMemRefType>(operand.get().getType()))
        continue;
      Value buffer = getViewRoot(operand.get());
      if (linalgOp.isDpsInit(&operand))
        writes.insert(buffer);
      if (!linalgOp.isDpsInit(&operand) ||
          !linalgOp.getMatchingBlockArgument(&operand).use_empty())
        reads.insert(buffer);
    }
    return true;
  }
  bool named = false;
  for (Value operand : op->getOperands())
    if (isa<BaseMemRefType>(operand.getType())) {
      reads.insert(getViewRoot(operand));
      writes.insert(getViewRoot(operand));
      named = true;
    }
  return named;
}

/// The `linalg.fill` of zero that initializes the C of `contraction` before
/// it (the ops in between neither read nor write C), as frontends emit
/// C = A B; null if there is none. On the GPU it
/// joins the contraction's site, whose kernels then write C instead of
/// adding to it: one pass over C instead of three (the fill's write, and the
/// read and write of C += A B), and cuBLASLt called with beta = 0.
linalg::FillOp zeroFillBefore(linalg::LinalgOp contraction) {
  if (contraction.getNumDpsInits() != 1)
    return nullptr;
  Value c = contraction.getDpsInitOperand(0)->get();
  // A C that is also read as A or B must be zero when read.
  if (llvm::is_contained(contraction.getDpsInputs(), c))
    return nullptr;
  for (Operation *op = contraction->getPrevNode(); op; op = op->getPrevNode()) {
    auto fill = dyn_cast<linalg::FillOp>(op);
    if (fill && fill.hasPureBufferSemantics() && fill.getOutputs().front() == c)
      return matchPattern(fill.getInputs().front(), m_AnyZeroFloat()) ? fill
                                                                      : nullptr;
    if (isMemoryEffectFree(op) || isa<memref::AllocOp>(op))
      continue;
    // The fill moves down to the contraction past ops that leave C alone
    // (as a group's ops move to its last one).
    llvm::SmallPtrSet<Value, 4> reads, writes;
    if (!collectAccesses(op, reads, writes) || reads.contains(c) ||
        writes.contains(c))
      return nullptr;
  }
  return nullptr;
}

/// Forms the GPU dispatch sites of the linalg ops of `block` (on memrefs).
/// First the ops that intermediates join (allocations only they use) form
/// one group each where they can; then each other op joins the groups of
/// the ops that wrote a buffer it reads. A group must stay one kernel
/// (gpu_codegen::analyzeKernelGroup, which the lowering shares) and its ops
/// must be able to move to its last one (no op in between touches their
/// buffers). Ops that no group takes are returned in `alone`, with a
/// remark saying why; those in `reserved` (the zero fills that join their
/// contractions' sites) are left out.
SmallVector<Site>
formGpuGroups(Block &block, const llvm::SmallPtrSetImpl<Operation *> &reserved,
              SmallVectorImpl<Operation *> &alone,
              function_ref<void(Operation *, const Twine &)> remark) {
  SmallVector<SmallVector<Operation *>> groups;
  auto analyze = [&](ArrayRef<Operation *> ops, std::string &why) {
    llvm::SmallPtrSet<Operation *, 8> members(ops.begin(), ops.end());
    SmallVector<linalg::LinalgOp> linalgOps = llvm::map_to_vector(
        ops, [](Operation *op) { return cast<linalg::LinalgOp>(op); });
    return gpu_codegen::analyzeKernelGroup(
        linalgOps,
        [&](Value buffer) {
          auto alloc = buffer.getDefiningOp<memref::AllocOp>();
          return alloc && alloc->getBlock() == &block &&
                 isIntermediateOf(alloc, members);
        },
        why);
  };
  // Whether the ops of `merged` can all move down to its last op.
  auto movable = [&](ArrayRef<Operation *> merged) {
    llvm::SmallPtrSet<Operation *, 8> members(merged.begin(), merged.end());
    llvm::SmallPtrSet<Value, 8> reads, writes;
    for (Operation *op : merged)
      collectAccesses(op, reads, writes);
    Operation *first = merged.front();
    for (Operation *op : merged)
      if (op->isBeforeInBlock(first))
        first = op;
    for (Operation *op = first; op != merged.back(); op = op->getNextNode()) {
      if (members.contains(op) || isMemoryEffectFree(op) ||
          isa<memref::AllocOp>(op))
        continue;
      // The group's intermediates are allocated and freed in each variant:
      // their deallocations go with the site (bufferization frees a buffer
      // after its last use, which may come before the group's last op).
      if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        auto alloc = dealloc.getMemref().getDefiningOp<memref::AllocOp>();
        if (alloc && alloc->getBlock() == &block &&
            isIntermediateOf(alloc, members))
          continue;
      }
      llvm::SmallPtrSet<Value, 8> otherReads, otherWrites;
      if (!collectAccesses(op, otherReads, otherWrites))
        return false;
      for (Value buffer : otherWrites)
        if (reads.contains(buffer) || writes.contains(buffer))
          return false;
      for (Value buffer : otherReads)
        if (writes.contains(buffer))
          return false;
    }
    return true;
  };

  // The group of the last op that wrote each buffer.
  llvm::DenseMap<Value, int64_t> writerGroup;
  auto join = [&](int64_t group, ArrayRef<Operation *> ops) {
    for (Operation *member : ops) {
      llvm::SmallPtrSet<Value, 4> reads, writes;
      collectAccesses(member, reads, writes);
      for (Value buffer : writes)
        writerGroup[buffer] = group;
    }
  };
  auto mergedWith = [&](ArrayRef<Operation *> a, ArrayRef<Operation *> b) {
    SmallVector<Operation *> merged(a);
    llvm::append_range(merged, b);
    llvm::sort(merged, [](Operation *x, Operation *y) {
      return x->isBeforeInBlock(y);
    });
    return merged;
  };

  auto isCandidate = [&](Operation *op) {
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    return linalgOp && linalgOp.hasPureBufferSemantics() &&
           !isContraction(linalgOp) && !reserved.contains(op);
  };

  // First the ops that intermediates join (allocations that only linalg
  // ops of the block use, as bufferization leaves a frontend's chain of
  // ops): each such set is one group where it can be.
  llvm::EquivalenceClasses<Operation *> joinedByIntermediates;
  for (Operation &op : block)
    if (isCandidate(&op))
      joinedByIntermediates.insert(&op);
  for (auto alloc : block.getOps<memref::AllocOp>()) {
    SmallVector<Operation *> users;
    bool onlyKernels = true;
    for (Operation *user : alloc->getUsers()) {
      if (isa<memref::DimOp, memref::DeallocOp>(user))
        continue;
      if (!isCandidate(user) || user->getBlock() != &block)
        onlyKernels = false;
      users.push_back(user);
    }
    if (!onlyKernels)
      continue;
    for (Operation *user : llvm::drop_begin(users))
      joinedByIntermediates.unionSets(users.front(), user);
  }
  llvm::SmallPtrSet<Operation *, 16> placed;
  for (auto it = joinedByIntermediates.begin(),
            end = joinedByIntermediates.end();
       it != end; ++it) {
    if (!(*it)->isLeader())
      continue;
    SmallVector<Operation *> members(joinedByIntermediates.member_begin(**it),
                                     joinedByIntermediates.member_end());
    if (members.size() < 2)
      continue;
    llvm::sort(members, [](Operation *x, Operation *y) {
      return x->isBeforeInBlock(y);
    });
    std::string why;
    if (!movable(members) || failed(analyze(members, why)))
      continue;
    placed.insert(members.begin(), members.end());
    groups.push_back(members);
  }

  // Then, op by op, each joins the group of what it reads where it can.
  for (Operation &candidate : block) {
    auto op = dyn_cast<linalg::LinalgOp>(candidate);
    if (!isCandidate(&candidate) || placed.contains(&candidate))
      continue;
    // The groups that wrote what the op reads or writes, oldest first.
    llvm::SmallSetVector<int64_t, 4> producers;
    for (Value operand : op->getOperands()) {
      auto found = writerGroup.find(getViewRoot(operand));
      if (found != writerGroup.end() && !groups[found->second].empty())
        producers.insert(found->second);
    }
    std::string why;
    std::optional<int64_t> joined;
    for (int64_t producer : producers) {
      SmallVector<Operation *> merged =
          mergedWith(groups[producer], {op.getOperation()});
      if (!movable(merged) || failed(analyze(merged, why)))
        continue;
      groups[producer] = merged;
      join(producer, {op.getOperation()});
      joined = producer;
      break;
    }
    if (!joined) {
      if (failed(analyze({op.getOperation()}, why))) {
        remark(op, "not a GPU kernel on its own: " + why);
        alone.push_back(op);
        continue;
      }
      groups.push_back({op.getOperation()});
      join(groups.size() - 1, {op.getOperation()});
      continue;
    }
    // The other groups it read from join too, where they can.
    for (int64_t producer : producers) {
      if (producer == *joined || groups[producer].empty())
        continue;
      SmallVector<Operation *> merged =
          mergedWith(groups[*joined], groups[producer]);
      if (!movable(merged) || failed(analyze(merged, why)))
        continue;
      SmallVector<Operation *> moved = std::move(groups[producer]);
      groups[producer].clear();
      groups[*joined] = merged;
      join(*joined, moved);
    }
  }

  SmallVector<Site> sites;
  for (ArrayRef<Operation *> ops : groups) {
    if (ops.empty())
      continue;
    std::string why;
    FailureOr<gpu_codegen::KernelGroup> group = analyze(ops, why);
    assert(succeeded(group) && "every group was analyzed when it formed");
    Site site;
    site.ops.assign(ops.begin(), ops.end());
    site.root = group->root;
    site.kind =
        group->hasReduction ? KernelKind::Reduction : KernelKind::Elementwise;
    // Vectors of the narrowest element that reaches memory; registers of
    // the widest one computed with.
    site.traits.rowInputs = std::max<int64_t>(1, group->numRowInputs);
    site.traits.reducedLoop = group->reducedLoop;
    site.traits.transposedLoop = group->transposedLoop;
    site.traits.transposedInputs = group->transposedInputs.size();
    site.traits.computeBytes = widestElementBytes(site.ops);
    site.traits.elementBytes = site.traits.computeBytes;
    for (Value buffer : group->externalBuffers)
      site.traits.elementBytes =
          std::min(site.traits.elementBytes, elementBytesOf(buffer.getType()));
    llvm::SmallPtrSet<Operation *, 8> members(ops.begin(), ops.end());
    llvm::SetVector<Operation *> seen;
    for (Operation *op : ops)
      for (Value operand : op->getOperands())
        if (auto alloc = operand.getDefiningOp<memref::AllocOp>();
            alloc && alloc->getBlock() == &block &&
            isIntermediateOf(alloc, members) && seen.insert(alloc))
          site.intermediates.push_back(alloc);
    sites.push_back(std::move(site));
  }
  return sites;
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
  /// Replaces the ops of `site` with a dispatch; false after a hard error
  /// (reported).
  bool specialize(const Site &site, ArrayRef<Variant> variants,
                  StringRef siteName);
  /// The hints for `site` in `func` (see the pass description for which
  /// apply), or failure (reported).
  FailureOr<SmallVector<Hint>> hintsFor(const Site &site, func::FuncOp func,
                                        const FunctionDimensions &dims);
  /// The variants of `hints`, less those that would be an earlier one.
  std::vector<Variant> distinctVariants(const Site &site, ArrayRef<Hint> hints);
  /// How a CPU variant of `kind` tuned for `sizes` runs its tasks.
  TaskThreads taskThreads(KernelKind kind, ArrayRef<int64_t> sizes) const {
    if (tilingTarget != TilingTarget::Cpu)
      return TaskThreads::Parallel;
    if (cpuParallelByCall && kind != KernelKind::Matmul)
      return TaskThreads::ByCall;
    return llvm::product_of(sizes) < cpuParallelMinWork
               ? TaskThreads::Sequential
               : TaskThreads::Parallel;
  }
  /// The function's dimension hints traced to `root`'s dynamic loops, or
  /// failure with `why` set.
  FailureOr<SmallVector<Hint>>
  traceDimensionHints(Operation *root, ArrayRef<Hint> dimHintList,
                      const FunctionDimensions &dims, std::string &why);
  void remark(Operation *op, const Twine &why) {
    if (remarks)
      op->emitRemark() << "not specialized: " << why;
  }

  TilingTarget tilingTarget = TilingTarget::Gpu;
  MachineModel machine;
  SmallVector<Hint> optionHints;
  SmallVector<Hint> optionDimHints;
  FrozenRewritePatternSet cleanupPatterns;
};

FailureOr<SmallVector<Hint>>
SpecializePass::traceDimensionHints(Operation *root, ArrayRef<Hint> dimHintList,
                                    const FunctionDimensions &dims,
                                    std::string &why) {
  auto linalgOp = cast<linalg::LinalgOp>(root);
  SmallVector<int64_t> staticSizes = staticLoopSizes(root);
  for (const Hint &candidate : dimHintList)
    if (candidate.size() != 1 &&
        static_cast<int64_t>(candidate.size()) != dims.size()) {
      why = "the dimension hints have " + std::to_string(candidate.size()) +
            " sizes but the function has " + std::to_string(dims.size()) +
            " dynamic dimensions (";
      for (int64_t dim = 0; dim < dims.size(); ++dim)
        why += (dim ? ", " : "") + dims.name(dim).str();
      why += ")";
      return failure();
    }
  // One-size candidates give every loop their size: no tracing needed.
  bool oneSize = llvm::all_of(
      dimHintList, [](const Hint &candidate) { return candidate.size() == 1; });
  SmallVector<std::optional<int64_t>> loopDims;
  for (auto [loop, size] : llvm::enumerate(staticSizes)) {
    if (!ShapedType::isDynamic(size))
      continue;
    std::optional<int64_t> dim = dims.dimensionOfLoop(linalgOp, loop);
    if (!dim && !oneSize) {
      why = "the size of its loop " + std::to_string(loop) +
            " is not a dynamic dimension of the function's arguments";
      return failure();
    }
    loopDims.push_back(dim);
  }
  SmallVector<Hint> hints;
  for (const Hint &candidate : dimHintList) {
    Hint hint;
    for (std::optional<int64_t> dim : loopDims)
      hint.push_back(candidate.size() == 1 ? candidate[0] : candidate[*dim]);
    hints.push_back(hint);
  }
  return hints;
}

std::vector<Variant> SpecializePass::distinctVariants(const Site &site,
                                                      ArrayRef<Hint> hints) {
  // A variant is its tiling (what codegen and the CPU tiling read) and, on
  // the CPU, how its tasks run. Hints the heuristic tiles
  // alike (a matmul's 4096 and 65536 rows) would make identical code, which
  // compiling costs, and timing on each new shape's first call.
  MLIRContext *context = site.root->getContext();
  SmallVector<int64_t> staticSizes = staticLoopSizes(site.root);
  std::vector<Variant> distinct;
  for (const Hint &hint : hints) {
    SmallVector<int64_t> sizes = hintedLoopSizes(staticSizes, hint);
    Variant variant;
    variant.hint = hint;
    variant.config =
        chooseTiling(site.kind, tilingTarget, sizes, site.traits, machine);
    variant.tiling = variant.config.toAttr(context);
    variant.tasks = taskThreads(site.kind, sizes);
    auto same = llvm::find_if(distinct, [&](const Variant &earlier) {
      return earlier.sameCodeAs(variant);
    });
    if (same != distinct.end()) {
      if (remarks)
        site.root->emitRemark()
            << "hint " << describe(hint) << " gives the variant of hint "
            << describe(same->hint);
      continue;
    }
    distinct.push_back(std::move(variant));
  }
  // GPU matmul: cuBLASLt's best algorithms join the generated variants. They
  // carry the first hint (they serve every shape; the nearest-hint choice,
  // which takes the first of equals, keeps to the generated variant).
  if (tilingTarget == TilingTarget::Gpu && site.kind == KernelKind::Matmul &&
      !distinct.empty() && cublasLtComputes(site.root)) {
    Variant generated = distinct.front();
    int64_t room = MKRT_MAX_VARIANTS - static_cast<int64_t>(distinct.size());
    for (int64_t algorithm = 0;
         algorithm < std::min<int64_t>(cublasLtAlgorithms, room); ++algorithm) {
      Variant library = generated;
      library.config.library = KernelLibrary::CublasLt;
      library.config.algorithm = algorithm;
      library.tiling = library.config.toAttr(context);
      distinct.push_back(std::move(library));
    }
  }
  return distinct;
}

FailureOr<SmallVector<Hint>>
SpecializePass::hintsFor(const Site &site, func::FuncOp func,
                         const FunctionDimensions &dims) {
  Operation *root = site.root;
  size_t numDynamic = llvm::count(staticLoopSizes(root), ShapedType::kDynamic);
  // A GPU kernel with static sizes still needs its one variant.
  if (numDynamic == 0)
    return SmallVector<Hint>{Hint()};
  // The runtime's limits (MultiKernelRuntime.h), named here rather than at
  // the library's first call, which they would abort.
  if (numDynamic > MKRT_MAX_KEY_RANK) {
    root->emitError() << "the op has " << numDynamic
                      << " dynamic loop sizes; a dispatch key holds at most "
                      << MKRT_MAX_KEY_RANK << " (the runtime's limit)";
    return failure();
  }
  auto checked = [&](SmallVector<Hint> hints) -> FailureOr<SmallVector<Hint>> {
    hints = withoutRepeats(hints);
    if (hints.size() > MKRT_MAX_VARIANTS) {
      root->emitError() << hints.size()
                        << " size hints; a dispatch site holds at most "
                        << MKRT_MAX_VARIANTS
                        << " variants (the runtime's limit)";
      return failure();
    }
    return hints;
  };

  // 1. The root's hints attribute, else one of another op of the group over
  //    the same number of dynamic loops.
  ArrayAttr hintsAttr;
  for (Operation *op : site.ops) {
    auto attr =
        op->getAttrOfType<ArrayAttr>(MultiKernelDialect::getHintsAttrName());
    if (!attr || (hintsAttr && op != root))
      continue;
    if (op == root ||
        static_cast<size_t>(llvm::count(staticLoopSizes(op),
                                        ShapedType::kDynamic)) == numDynamic)
      hintsAttr = attr;
  }
  if (hintsAttr) {
    SmallVector<Hint> hints = hintsOf(hintsAttr);
    for (auto [index, hint] : llvm::enumerate(hints))
      if (hint.size() != numDynamic) {
        root->emitError() << "size hint #" << index << " of its '"
                          << MultiKernelDialect::getHintsAttrName() << "' has "
                          << hint.size() << " sizes, but the op has "
                          << numDynamic
                          << " dynamic loop sizes (its dispatch key)";
        return failure();
      }
    return checked(hints);
  }

  // 2. The `hints` candidates of the op's rank.
  SmallVector<Hint> ofRank;
  for (const Hint &hint : optionHints)
    if (hint.size() == numDynamic)
      ofRank.push_back(hint);
  if (!ofRank.empty())
    return checked(ofRank);

  // 3. The function's dimension hints, traced to the op's loops; without
  //    any, the `hints` candidates of the function's rank read as such
  //    (`hints=1024x512` for a function of ?x? arguments gives the fill of
  //    its row sums 1024).
  SmallVector<Hint> dimHintList = optionDimHints;
  if (auto attr = func->getAttrOfType<ArrayAttr>(
          MultiKernelDialect::getDimHintsAttrName()))
    dimHintList = hintsOf(attr);
  if (dimHintList.empty())
    for (const Hint &hint : optionHints)
      if (static_cast<int64_t>(hint.size()) == dims.size())
        dimHintList.push_back(hint);
  std::string why;
  if (!dimHintList.empty()) {
    FailureOr<SmallVector<Hint>> traced =
        traceDimensionHints(root, dimHintList, dims, why);
    if (succeeded(traced))
      return checked(*traced);
  }

  // 4. The one-size `hints` candidates, each for every dynamic loop.
  SmallVector<Hint> broadcast;
  for (const Hint &hint : optionHints)
    if (hint.size() == 1)
      broadcast.push_back(Hint(numDynamic, hint[0]));
  if (!broadcast.empty())
    return checked(broadcast);

  // 5. The automatic candidates; a warning where hints were given, for none
  //    fits this op.
  SmallVector<Hint> automatic;
  for (int64_t size : kAutomaticHints)
    automatic.push_back(Hint(numDynamic, size));
  if (!optionHints.empty() || !dimHintList.empty()) {
    InFlightDiagnostic warning = root->emitWarning()
                                 << "no size hint fits this op, which has "
                                 << numDynamic << " dynamic loop size"
                                 << (numDynamic == 1 ? "" : "s") << ": ";
    if (!why.empty())
      warning << why;
    else
      warning << "the hints " << describe(optionHints) << " have other ranks";
    warning << "; it gets the automatic hints " << describe(automatic)
            << " (give it a '" << MultiKernelDialect::getHintsAttrName()
            << "' attribute, or hints of its rank)";
  }
  return checked(automatic);
}

bool SpecializePass::specialize(const Site &site, ArrayRef<Variant> variants,
                                StringRef siteName) {
  Operation *root = site.root;
  Operation *last = site.ops.back();
  MLIRContext *context = root->getContext();
  Location loc = root->getLoc();
  SmallVector<int64_t> staticSizes = staticLoopSizes(root);

  OpBuilder builder(last);
  SmallVector<Value> keys = createKey(builder, root, staticSizes);

  // Regions are isolated from above: what the ops use from outside becomes
  // arguments, except constants, which are cloned into each variant, and the
  // intermediates, which each variant allocates.
  llvm::SmallPtrSet<Value, 8> intermediates;
  for (memref::AllocOp alloc : site.intermediates)
    intermediates.insert(alloc.getResult());
  // An intermediate sized by the dims of another takes that one's sizes, so
  // that the dims (which go away with the other) do not become arguments.
  for (memref::AllocOp alloc : site.intermediates)
    for (OpOperand &size : alloc.getDynamicSizesMutable()) {
      auto dim = size.get().getDefiningOp<memref::DimOp>();
      if (!dim || !intermediates.contains(dim.getSource()))
        continue;
      auto source = dim.getSource().getDefiningOp<memref::AllocOp>();
      if (auto value =
              dyn_cast<Value>(source.getMixedSizes()[*dim.getConstantIndex()]))
        size.set(value);
    }
  llvm::SetVector<Value> argSet;
  SmallVector<Value> constants;
  auto use = [&](Value value) {
    if (intermediates.contains(value))
      return;
    Operation *def = value.getDefiningOp();
    if (def && def->hasTrait<OpTrait::ConstantLike>()) {
      if (!llvm::is_contained(constants, value))
        constants.push_back(value);
      return;
    }
    argSet.insert(value);
  };
  for (Operation *op : site.ops)
    for (Value operand : op->getOperands())
      use(operand);
  for (memref::AllocOp alloc : site.intermediates)
    for (Value size : alloc.getDynamicSizes())
      use(size);
  for (Operation *op : site.ops) {
    SetVector<Value> usedAbove;
    getUsedValuesDefinedAbove(op->getRegions(), usedAbove);
    for (Value value : usedAbove)
      use(value);
  }
  SmallVector<Value> args = argSet.takeVector();

  auto dispatch = DispatchOp::create(
      builder, loc, last->getResultTypes(), siteName, keys,
      llvm::map_to_vector(variants, [](const Variant &v) { return v.hint; }),
      args);
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
    for (memref::AllocOp alloc : site.intermediates)
      rewriter.clone(*alloc, mapping);
    Operation *clone = nullptr;
    for (Operation *op : site.ops) {
      clone = rewriter.clone(*op, mapping);
      clone->removeAttr(MultiKernelDialect::getHintsAttrName());
    }
    for (memref::AllocOp alloc : site.intermediates)
      memref::DeallocOp::create(rewriter, loc, mapping.lookup(alloc));
    if (tilingTarget == TilingTarget::Cpu && site.kind == KernelKind::Reduction)
      allowReassociation(cast<linalg::LinalgOp>(clone));

    const TilingConfig &config = variants[index].config;

    SmallVector<Value> results(clone->getResults());
    // GPU variants of memref groups keep their ops: the GPU lowering builds
    // their kernels from the config. The rest is tiled here.
    bool tiledByCodegen =
        tilingTarget == TilingTarget::Gpu &&
        cast<linalg::LinalgOp>(clone).hasPureBufferSemantics();
    if (!tiledByCodegen) {
      rewriter.setInsertionPoint(clone);
      // Threads for the tasks only where the hint's work pays for them.
      auto tiled = tileVariant(rewriter, cast<TilingInterface>(clone), config,
                               variants[index].tasks, cpuParallelMinWork);
      if (succeeded(tiled)) {
        results = tiled->first;
      } else {
        // Still correct, only not tiled: say so rather than fail the module.
        clone->emitWarning()
            << "variant #" << index << " could not be tiled; it runs untiled";
      }
    }
    tilings.push_back(variants[index].tiling);
    rewriter.setInsertionPointToEnd(&entry);
    YieldOp::create(rewriter, loc, results);
  }
  dispatch.setTilingsAttr(rewriter.getArrayAttr(tilings));
  last->replaceAllUsesWith(dispatch.getResults());
  for (Operation *op : llvm::reverse(site.ops))
    op->erase();
  for (memref::AllocOp alloc : site.intermediates) {
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers())) {
      if (auto dim = dyn_cast<memref::DimOp>(user)) {
        int64_t position = *dim.getConstantIndex();
        OpBuilder sizeBuilder(dim);
        dim.replaceAllUsesWith(getValueOrCreateConstantIndexOp(
            sizeBuilder, dim.getLoc(), alloc.getMixedSizes()[position]));
      }
      user->erase();
    }
    alloc.erase();
  }

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
  if (cpuVectorBits != 256 && cpuVectorBits != 512) {
    module.emitError() << "multikernel-specialize: cpu-vector-bits must be "
                          "256 or 512, got "
                       << static_cast<int64_t>(cpuVectorBits);
    return signalPassFailure();
  }
  // The runtime keeps the heuristic's 8 best algorithms per problem.
  if (cublasLtAlgorithms < 0 || cublasLtAlgorithms > 8) {
    module.emitError() << "multikernel-specialize: cublaslt-algorithms must "
                          "be in [0, 8], got "
                       << static_cast<int64_t>(cublasLtAlgorithms);
    return signalPassFailure();
  }
  machine.smCount = smCount;
  machine.cpuVectorBytes = cpuVectorBits / 8;
  machine.cpuVectorRegisters = cpuVectorBits == 512 ? 32 : 16;

  // Both hint options: positive sizes joined by 'x'.
  auto parseOption = [&](ArrayRef<std::string> texts, StringRef what,
                         StringRef example, SmallVector<Hint> &parsed) {
    parsed.clear();
    for (const std::string &text : texts) {
      FailureOr<Hint> hint = parseHint(text);
      if (failed(hint)) {
        module.emitError() << "multikernel-specialize: invalid " << what << " '"
                           << text
                           << "': expected positive sizes joined by 'x', e.g. "
                           << example;
        return false;
      }
      parsed.push_back(*hint);
    }
    return true;
  };
  if (!parseOption(hints, "size hint", "hints=1024x512,4096x2048",
                   optionHints) ||
      !parseOption(dimHints, "dimension hint", "dim-hints=64x128,4096x2048",
                   optionDimHints))
    return signalPassFailure();

  // Site names already taken (a module specialized in several steps).
  llvm::StringSet<> taken;
  module.walk(
      [&](DispatchOp dispatch) { taken.insert(dispatch.getSymName()); });

  bool failedHard = false;
  module.walk([&](func::FuncOp func) {
    // A variant (outlined, or written by hand) is a kernel already.
    if (func->hasAttr(MultiKernelDialect::getTilingAttrName()))
      return;
    // The sites of the function, in the order of their last ops.
    SmallVector<Site> sites;
    SmallVector<Block *> blocks;
    func.walk([&](Block *block) {
      if (!block->getParentOp()->getParentOfType<DispatchOp>() &&
          !isa<DispatchOp>(block->getParentOp()))
        blocks.push_back(block);
    });
    for (Block *block : blocks) {
      SmallVector<Operation *> singles;
      // Contractions of the GPU that their zero fill joins.
      llvm::DenseMap<Operation *, linalg::FillOp> zeroFills;
      if (tilingTarget == TilingTarget::Gpu) {
        llvm::SmallPtrSet<Operation *, 8> reserved;
        for (Operation &op : *block) {
          auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
          std::string ignored;
          if (!linalgOp || !isContraction(linalgOp) ||
              !linalgOp.hasPureBufferSemantics() ||
              failed(classify(&op, tilingTarget, ignored)) ||
              !llvm::is_contained(staticLoopSizes(&op), ShapedType::kDynamic))
            continue;
          if (linalg::FillOp fill = zeroFillBefore(linalgOp)) {
            zeroFills[&op] = fill;
            reserved.insert(fill);
          }
        }
        SmallVector<Operation *> alone;
        llvm::append_range(sites,
                           formGpuGroups(*block, reserved, alone,
                                         [&](Operation *op, const Twine &why) {
                                           remark(op, why);
                                         }));
        for (Operation &op : *block)
          if (isa<linalg::SoftmaxOp>(op) ||
              (isa<linalg::LinalgOp>(op) &&
               (isContraction(cast<linalg::LinalgOp>(op)) ||
                !cast<linalg::LinalgOp>(op).hasPureBufferSemantics())))
            singles.push_back(&op);
        // Ops no GPU group took stay where they are, which the GPU lowering
        // reports (they would run on the host).
        numUnsupported += alone.size();
      } else {
        for (Operation &op : *block)
          if (isa<linalg::LinalgOp, linalg::SoftmaxOp>(op))
            singles.push_back(&op);
      }
      for (Operation *op : singles) {
        std::string why;
        FailureOr<KernelKind> kind = classify(op, tilingTarget, why);
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
        Site site;
        site.ops = {op};
        if (linalg::FillOp fill = zeroFills.lookup(op))
          site.ops.insert(site.ops.begin(), fill);
        site.root = op;
        site.kind = *kind;
        // Vectors and registers of its widest element.
        site.traits.elementBytes = site.traits.computeBytes =
            widestElementBytes(site.ops);
        if (*kind == KernelKind::Matmul) {
          auto loops = *matmulLoops(cast<linalg::LinalgOp>(op));
          site.traits.mLoop = loops[0];
          site.traits.nLoop = loops[1];
          site.traits.kLoop = loops[2];
        }
        sites.push_back(std::move(site));
      }
    }

    // Sites are named in the order of their last ops.
    llvm::DenseMap<Operation *, int64_t> order;
    func.walk([&](Operation *op) { order[op] = order.size(); });
    llvm::sort(sites, [&](const Site &a, const Site &b) {
      return order[a.ops.back()] < order[b.ops.back()];
    });
    // Every site's hints before any site is rewritten: the function's
    // dimensions are traced through the ops as they are.
    FunctionDimensions dims(func);
    SmallVector<std::pair<const Site *, std::vector<Variant>>> planned;
    for (const Site &site : sites) {
      FailureOr<SmallVector<Hint>> hintList = hintsFor(site, func, dims);
      if (failed(hintList)) {
        failedHard = true;
        continue;
      }
      planned.emplace_back(&site, distinctVariants(site, *hintList));
    }
    int64_t siteIndex = 0;
    for (auto &[site, variants] : planned) {
      std::string name;
      do {
        name = (func.getSymName() + "_" + Twine(siteIndex++)).str();
      } while (taken.contains(name));
      taken.insert(name);
      if (!specialize(*site, variants, name)) {
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
