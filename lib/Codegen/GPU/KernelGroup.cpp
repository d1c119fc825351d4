//===- KernelGroup.cpp - the linalg ops one GPU kernel computes -----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Codegen/GPU/KernelGroup.h"
#include "GroupAccess.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::multikernel;
using namespace mlir::multikernel::gpu_codegen;

SmallVector<LoopIndex> gpu_codegen::composeIndices(AffineMap map,
                                                   ArrayRef<LoopIndex> loops) {
  SmallVector<LoopIndex> indices;
  for (AffineExpr result : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(result))
      indices.push_back(loops[dim.getPosition()]);
    else
      indices.push_back(
          LoopIndex::ofConstant(cast<AffineConstantExpr>(result).getValue()));
  }
  return indices;
}

FailureOr<SmallVector<LoopIndex>>
gpu_codegen::writerLoops(AffineMap outputMap, ArrayRef<LoopIndex> indices) {
  if (!outputMap.isPermutation())
    return failure();
  SmallVector<LoopIndex> loops(outputMap.getNumDims());
  for (auto [position, index] : llvm::enumerate(indices))
    loops[outputMap.getDimPosition(position)] = index;
  return loops;
}

SmallVector<LoopIndex> gpu_codegen::identityLoops(int64_t count) {
  return llvm::map_to_vector(llvm::seq<int64_t>(0, count),
                             [](int64_t l) { return LoopIndex::ofLoop(l); });
}

SmallVector<LoopIndex> gpu_codegen::parallelLoops(const KernelGroup &group) {
  SmallVector<LoopIndex> loops;
  for (int64_t loop = 0; loop < group.numLoops; ++loop)
    if (loop != group.reducedLoop)
      loops.push_back(LoopIndex::ofLoop(loop));
  return loops;
}

SmallVector<LoopIndex> gpu_codegen::loopsOf(const KernelGroup &group,
                                            int64_t position) {
  if (group.ops[position].role == GroupOpRole::RowElementwise)
    return parallelLoops(group);
  return identityLoops(group.numLoops);
}

std::optional<GroupWrite> gpu_codegen::lastWriter(const KernelGroup &group,
                                                  Value buffer,
                                                  int64_t before) {
  for (int64_t position = before - 1; position >= 0; --position) {
    linalg::LinalgOp op = group.ops[position].op;
    for (OpOperand &init : op.getDpsInitsMutable())
      if (init.get() == buffer)
        return GroupWrite{position, &init};
  }
  return std::nullopt;
}

namespace {

/// A key for a loop's size: a static size, or the value or buffer dimension
/// it is read from at run time.
using SizeKey = std::pair<const void *, int64_t>;

SizeKey canonicalSize(Value buffer, int64_t dim) {
  auto type = cast<MemRefType>(buffer.getType());
  if (!type.isDynamicDim(dim))
    return {nullptr, type.getDimSize(dim)};
  if (auto alloc = buffer.getDefiningOp<memref::AllocOp>()) {
    Value size = alloc.getDynamicSizes()[type.getDynamicDimIndex(dim)];
    if (auto dimOp = size.getDefiningOp<memref::DimOp>())
      if (std::optional<int64_t> index = dimOp.getConstantIndex())
        return canonicalSize(dimOp.getSource(), *index);
    return {size.getAsOpaquePointer(), -1};
  }
  return {buffer.getAsOpaquePointer(), dim};
}

/// Every key that gives the size of loop `loop` of `op`.
SmallVector<SizeKey> sizeKeys(linalg::LinalgOp op, int64_t loop) {
  SmallVector<SizeKey> keys;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    for (auto [position, result] : llvm::enumerate(map.getResults()))
      if (auto dim = dyn_cast<AffineDimExpr>(result);
          dim && dim.getPosition() == loop)
        keys.push_back(canonicalSize(operand.get(), position));
  }
  return keys;
}

/// Whether each loop of `a` provably has the size of the loop of `b` that
/// `loopsOfB` maps it to.
bool sameLoopSizes(linalg::LinalgOp a, linalg::LinalgOp b,
                   ArrayRef<LoopIndex> loopsOfB) {
  if (static_cast<int64_t>(loopsOfB.size()) != a.getNumLoops())
    return false;
  for (auto [loop, loopOfB] : llvm::enumerate(loopsOfB)) {
    SmallVector<SizeKey> keysA = sizeKeys(a, loop),
                         keysB = sizeKeys(b, loopOfB.loop);
    if (llvm::none_of(keysA, [&](const SizeKey &key) {
          return llvm::is_contained(keysB, key);
        }))
      return false;
  }
  return true;
}

std::string describe(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "'" << op->getName() << "' at ";
  op->getLoc().print(os);
  return text;
}

/// Whether `op` writes every element of the buffer of `init`: an
/// elementwise op through a permutation, a reduction (one value per row).
bool writesWholeBuffer(const GroupOp &groupOp, OpOperand &init) {
  if (groupOp.role == GroupOpRole::Reduction)
    return true;
  linalg::LinalgOp op = groupOp.op;
  return op.getMatchingIndexingMap(&init).isPermutation();
}

/// A contraction whose inputs along the reduced loops each miss a parallel
/// loop (a matmul: A[m, k] misses n, B[k, n] misses m): compute-bound, for
/// the matmul strategy. A weighted row sum or a matrix-vector product reads
/// a whole row of one input and is a row reduction like any other.
bool isMatmulLike(linalg::LinalgOp op) {
  if (!linalg::isaContractionOpInterface(op))
    return false;
  int64_t reduced = 0, partial = 0;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    bool alongReduction = false, missesParallel = false;
    for (auto [loop, iterator] : llvm::enumerate(op.getIteratorTypesArray())) {
      bool used = map.isFunctionOfDim(loop);
      if (iterator == utils::IteratorType::reduction)
        alongReduction |= used;
      else
        missesParallel |= !used;
    }
    reduced += alongReduction;
    partial += alongReduction && missesParallel;
  }
  return reduced >= 2 && partial == reduced;
}

bool isSupportedBodyOp(Operation &op) {
  return op.hasTrait<OpTrait::Elementwise>() ||
         op.hasTrait<OpTrait::ConstantLike>() || isa<linalg::IndexOp>(op);
}

/// Checks one op on its own and sets its role (but `stored`).
LogicalResult analyzeOp(GroupOp &groupOp, IsInternalFn isInternal,
                        std::string &why) {
  linalg::LinalgOp op = groupOp.op;
  if (!op.hasPureBufferSemantics()) {
    why = describe(op) + " is not on memrefs";
    return failure();
  }
  if (isMatmulLike(op)) {
    why = describe(op) + " is a contraction the GPU's matmul kernel does not "
                         "take (it takes one M, N and K loop and at most one "
                         "batch loop)";
    return failure();
  }
  for (OpOperand &operand : op->getOpOperands()) {
    Type type = operand.get().getType();
    // Scalar inputs (a fill's value) are read as they are.
    if (!op.isDpsInit(&operand) && type.isIntOrIndexOrFloat())
      continue;
    if (!isa<MemRefType>(type)) {
      why = describe(op) + " has an operand that is not a ranked memref";
      return failure();
    }
    if (operand.get().getDefiningOp<ViewLikeOpInterface>()) {
      why = describe(op) + " reads or writes a view of a buffer (" +
            operand.get().getDefiningOp()->getName().getStringRef().str() +
            "), which the GPU lowering does not support yet";
      return failure();
    }
    if (!op.getMatchingIndexingMap(&operand).isProjectedPermutation(
            /*allowZeroInResults=*/true)) {
      why = describe(op) + " has an indexing map that is not a projected "
                           "permutation";
      return failure();
    }
  }
  for (Operation &bodyOp : op.getBlock()->without_terminator())
    if (!isSupportedBodyOp(bodyOp)) {
      why = describe(op) + " has a body op that is not elementwise: '" +
            bodyOp.getName().getStringRef().str() + "'";
      return failure();
    }

  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t reductions = llvm::count(iterators, utils::IteratorType::reduction);
  if (reductions == 0) {
    // Inlined or iterated: decided once the group knows what it stores.
    groupOp.role = GroupOpRole::Elementwise;
    return success();
  }
  int64_t numLoops = op.getNumLoops();
  if (reductions != 1) {
    why = describe(op) +
          " reduces several loops, which the GPU lowering does not support "
          "yet";
    return failure();
  }
  groupOp.role = GroupOpRole::Reduction;
  groupOp.reducedLoop =
      llvm::find(iterators, utils::IteratorType::reduction) - iterators.begin();
  SmallVector<AffineExpr> keptLoops;
  for (int64_t loop = 0; loop < numLoops; ++loop)
    if (loop != groupOp.reducedLoop)
      keptLoops.push_back(getAffineDimExpr(loop, op.getContext()));
  AffineMap keptMap = AffineMap::get(numLoops, 0, keptLoops, op.getContext());
  for (OpOperand &init : op.getDpsInitsMutable()) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    if (map != keptMap) {
      why = describe(op) + " writes its result through an indexing map "
                           "other than the identity of its parallel loops";
      return failure();
    }
    SmallVector<Operation *> combiners;
    if (!matchReduction(op.getRegionOutputArgs(),
                        init.getOperandNumber() - op.getNumDpsInputs(),
                        combiners) ||
        combiners.size() != 1 || combiners.front()->getNumOperands() != 2 ||
        combiners.front()->getNumResults() != 1) {
      why = describe(op) + " has a reduction body without a single binary "
                           "combining op";
      return failure();
    }
    std::optional<TypedAttr> neutral =
        arith::getNeutralElement(combiners.front());
    if (!neutral) {
      why = describe(op) + ": the combining op '" +
            combiners.front()->getName().getStringRef().str() +
            "' has no neutral element";
      return failure();
    }
    groupOp.combiners.push_back(combiners.front());
    groupOp.neutrals.push_back(*neutral);
  }
  return success();
}

/// A read from memory: of `buffer`, by the op at `reader`; `perRow` if it
/// reads a different element for each element of each row (what a row kept
/// in registers holds): along the innermost loop and, where the group has
/// rows, along them too. A bias shared by all rows is not: it stays in the
/// caches and is read again where it is used.
struct GroupLoad {
  Value buffer;
  int64_t reader;
  bool perRow;
  SmallVector<LoopIndex> indices;
};

/// Checks the reads of `buffer` at `indices` by the op at `reader`, as the
/// lowering resolves them: through the ops of the group that wrote it before,
/// or from memory.
/// `readsReduction` is set if what is read depends on a reduction's result.
LogicalResult checkRead(const KernelGroup &group, Value buffer,
                        ArrayRef<LoopIndex> indices, int64_t reader,
                        SmallVectorImpl<GroupLoad> &loads, std::string &why,
                        bool &readsReduction, int depth = 0) {
  if (depth > 64) {
    why = "the group's ops nest too deeply";
    return failure();
  }
  std::optional<GroupWrite> write = lastWriter(group, buffer, reader);
  if (!write) {
    int64_t innermost = group.numLoops - 1;
    bool alongRow = llvm::any_of(indices, [&](const LoopIndex &index) {
      return index.loop == innermost;
    });
    bool alongRows =
        innermost == 0 || llvm::any_of(indices, [&](const LoopIndex &index) {
          return index.isLoop() && index.loop < innermost;
        });
    loads.push_back({buffer, reader, alongRow && alongRows,
                     SmallVector<LoopIndex>(indices)});
    return success();
  }
  const GroupOp &writer = group.ops[write->position];
  linalg::LinalgOp op = writer.op;
  if (writer.role == GroupOpRole::Reduction) {
    readsReduction = true;
    if (ArrayRef<LoopIndex>(indices) != ArrayRef(parallelLoops(group))) {
      why = describe(op) + " computes one value per row, which " +
            describe(group.ops[reader].op) +
            " reads at other indices than its row";
      return failure();
    }
    return success();
  }
  FailureOr<SmallVector<LoopIndex>> loops =
      writerLoops(op.getMatchingIndexingMap(write->init), indices);
  if (failed(loops)) {
    why = describe(group.ops[reader].op) + " reads what " + describe(op) +
          " writes through an indexing map that is not a permutation";
    return failure();
  }
  for (OpOperand *input : op.getDpsInputOperands())
    if (isa<MemRefType>(input->get().getType()) &&
        !op.getMatchingBlockArgument(input).use_empty() &&
        failed(
            checkRead(group, input->get(),
                      composeIndices(op.getMatchingIndexingMap(input), *loops),
                      write->position, loads, why, readsReduction, depth + 1)))
      return failure();
  for (OpOperand &init : op.getDpsInitsMutable())
    if (!op.getMatchingBlockArgument(&init).use_empty() &&
        failed(
            checkRead(group, init.get(),
                      composeIndices(op.getMatchingIndexingMap(&init), *loops),
                      write->position, loads, why, readsReduction, depth + 1)))
      return failure();
  return success();
}

/// Sets the group's transposed inputs: external buffers read along the
/// innermost loop whose last index (their contiguous one) is another loop,
/// the same one for all of them, each read at one set of indices. None
/// where a stored output is itself transposed, or an input is read along
/// the innermost loop with a constant last index (no loop is contiguous).
void findTransposedInputs(KernelGroup &group, ArrayRef<GroupLoad> loads) {
  int64_t innermost = group.numLoops - 1;
  auto variesInnermost = [&](ArrayRef<LoopIndex> indices) {
    return llvm::any_of(indices, [&](const LoopIndex &index) {
      return index.loop == innermost;
    });
  };
  int64_t loop = -1;
  SmallVector<Value> inputs;
  SmallVector<AffineMap> reads;
  MLIRContext *context = group.root->getContext();
  for (const GroupLoad &load : loads) {
    if (!variesInnermost(load.indices) || load.indices.back().loop == innermost)
      continue;
    const LoopIndex &last = load.indices.back();
    if (!last.isLoop() || (loop >= 0 && loop != last.loop))
      return;
    loop = last.loop;
    if (llvm::is_contained(inputs, load.buffer))
      continue;
    inputs.push_back(load.buffer);
    SmallVector<AffineExpr> results;
    for (const LoopIndex &index : load.indices)
      results.push_back(index.isLoop()
                            ? getAffineDimExpr(index.loop, context)
                            : getAffineConstantExpr(index.constant, context));
    reads.push_back(AffineMap::get(group.numLoops, 0, results, context));
  }
  if (loop < 0)
    return;
  for (const GroupLoad &load : loads)
    for (const GroupLoad &other : loads)
      if (load.buffer == other.buffer && load.indices != other.indices &&
          llvm::is_contained(inputs, load.buffer))
        return;
  for (auto [position, groupOp] : llvm::enumerate(group.ops)) {
    if (groupOp.role != GroupOpRole::Elementwise)
      continue;
    linalg::LinalgOp op = groupOp.op;
    for (auto [init, stored] :
         llvm::zip(op.getDpsInitsMutable(), groupOp.stored)) {
      SmallVector<LoopIndex> indices = composeIndices(
          op.getMatchingIndexingMap(&init), loopsOf(group, position));
      if (stored && variesInnermost(indices) &&
          indices.back().loop != innermost)
        return;
    }
  }
  group.transposedLoop = loop;
  group.transposedInputs = std::move(inputs);
  group.transposedReads = std::move(reads);
}

} // namespace

FailureOr<KernelGroup>
gpu_codegen::analyzeKernelGroup(ArrayRef<linalg::LinalgOp> ops,
                                IsInternalFn isInternal, std::string &why,
                                LoopSizes sizes) {
  KernelGroup group;
  if (ops.empty()) {
    why = "the group has no op";
    return failure();
  }
  for (linalg::LinalgOp op : ops) {
    GroupOp groupOp;
    groupOp.op = op;
    if (failed(analyzeOp(groupOp, isInternal, why)))
      return failure();
    group.usesLinalgIndex |= !op.getBlock()->getOps<linalg::IndexOp>().empty();
    group.ops.push_back(std::move(groupOp));
  }

  // Stores: every external output, unless a later op writes the whole
  // buffer again (a fill before a reduction into the same buffer). An
  // elementwise op that stores nothing is inlined where it is read.
  for (auto [position, groupOp] : llvm::enumerate(group.ops)) {
    linalg::LinalgOp op = groupOp.op;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      Value buffer = init.get();
      bool stored = !isInternal(buffer);
      for (int64_t later = position + 1, e = group.ops.size();
           stored && later < e; ++later)
        for (OpOperand &nextInit : group.ops[later].op.getDpsInitsMutable())
          if (nextInit.get() == buffer &&
              writesWholeBuffer(group.ops[later], nextInit))
            stored = false;
      groupOp.stored.push_back(stored);
    }
    if (groupOp.role == GroupOpRole::Elementwise &&
        llvm::none_of(groupOp.stored, [](bool stored) { return stored; })) {
      groupOp.role = GroupOpRole::Inlined;
      for (OpOperand &init : op.getDpsInitsMutable())
        if (!op.getMatchingIndexingMap(&init).isPermutation()) {
          why = describe(op) + " writes an intermediate through an indexing "
                               "map that is not a permutation";
          return failure();
        }
    }
  }

  // The kernel's loops: those of its (last) reduction, else of its last op
  // that writes memory.
  for (const GroupOp &groupOp : group.ops) {
    if (groupOp.role == GroupOpRole::Inlined)
      continue;
    bool reduction = groupOp.role == GroupOpRole::Reduction;
    if (reduction || !group.hasReduction)
      group.root = groupOp.op;
    group.hasReduction |= reduction;
  }
  if (!group.root) {
    why = describe(ops.back()) + " and the ops before it write no buffer "
                                 "outside the group";
    return failure();
  }
  group.numLoops = group.root.getNumLoops();
  for (const GroupOp &groupOp : group.ops) {
    if (groupOp.role != GroupOpRole::Reduction)
      continue;
    if (group.reducedLoop >= 0 && groupOp.reducedLoop != group.reducedLoop) {
      why = describe(groupOp.op) + " and " + describe(group.root) +
            " reduce different loops";
      return failure();
    }
    group.reducedLoop = groupOp.reducedLoop;
  }
  for (auto [position, groupOp] : llvm::enumerate(group.ops)) {
    if (groupOp.role == GroupOpRole::Inlined)
      continue;
    // After a reduction, an elementwise op over its rows (a mean from a
    // sum) runs once per row.
    int64_t loops = groupOp.op.getNumLoops();
    if (group.hasReduction && groupOp.role == GroupOpRole::Elementwise &&
        loops == group.numLoops - 1)
      groupOp.role = GroupOpRole::RowElementwise;
    if ((loops != group.numLoops &&
         groupOp.role != GroupOpRole::RowElementwise) ||
        (sizes == LoopSizes::kProve &&
         !sameLoopSizes(groupOp.op, group.root, loopsOf(group, position)))) {
      why = describe(groupOp.op) + " and " + describe(group.root) +
            " do not provably iterate over the same sizes";
      return failure();
    }
  }

  // Reads resolve through the earlier writers; what is read from memory
  // must not be written by a later op of the group (another thread may
  // already have overwritten it), unless it is the op's own output.
  SmallVector<GroupLoad> loads;
  for (auto [position, groupOp] : llvm::enumerate(group.ops)) {
    if (groupOp.role == GroupOpRole::Inlined)
      continue;
    linalg::LinalgOp op = groupOp.op;
    SmallVector<LoopIndex> loops = loopsOf(group, position);
    bool readsReduction = false;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<MemRefType>(operand.get().getType()) ||
          op.getMatchingBlockArgument(&operand).use_empty())
        continue;
      if (failed(checkRead(
              group, operand.get(),
              composeIndices(op.getMatchingIndexingMap(&operand), loops),
              position, loads, why, readsReduction)))
        return failure();
    }
    // Over an outer loop, a column's reduction is complete only after every
    // thread of it (and, split, every block) is done: what needs it over
    // the group's loops (a second reduction, a normalization) would need
    // the column again.
    if (group.reducesOuterLoop() && readsReduction &&
        groupOp.role != GroupOpRole::RowElementwise) {
      why = describe(op) + " reads the result of " + describe(group.root) +
            ", a reduction over an outer loop, at every point of the loops; "
            "the GPU lowering does not support that yet";
      return failure();
    }
  }
  for (const GroupLoad &load : loads) {
    Value buffer = load.buffer;
    int64_t reader = load.reader;
    if (isInternal(buffer)) {
      why = describe(group.ops[reader].op) +
            " reads an intermediate buffer before the group writes it";
      return failure();
    }
    for (int64_t position = reader, e = group.ops.size(); position < e;
         ++position) {
      linalg::LinalgOp writer = group.ops[position].op;
      for (OpOperand &init : writer.getDpsInitsMutable()) {
        if (init.get() != buffer)
          continue;
        bool ownOutput = position == reader;
        if (ownOutput) {
          // The op's own output, or an input with the output's indexing.
          AffineMap outMap = writer.getMatchingIndexingMap(&init);
          ownOutput =
              llvm::all_of(writer.getDpsInputOperands(), [&](OpOperand *input) {
                return input->get() != buffer ||
                       writer.getMatchingIndexingMap(input) == outMap;
              });
        }
        if (!ownOutput) {
          why = describe(group.ops[reader].op) +
                " reads a buffer that a later op of the group writes (" +
                describe(writer) + ")";
          return failure();
        }
      }
    }
  }

  // The external buffers: what is loaded, then what is stored.
  SmallVector<Value> rowInputs;
  for (const GroupLoad &load : loads) {
    if (!llvm::is_contained(group.externalBuffers, load.buffer))
      group.externalBuffers.push_back(load.buffer);
    if (load.perRow && !llvm::is_contained(rowInputs, load.buffer))
      rowInputs.push_back(load.buffer);
  }
  group.numRowInputs = rowInputs.size();
  if (!group.hasReduction)
    findTransposedInputs(group, loads);
  for (GroupOp &groupOp : group.ops)
    for (auto [init, stored] :
         llvm::zip(groupOp.op.getDpsInits(), groupOp.stored))
      if (stored && !llvm::is_contained(group.externalBuffers, init))
        group.externalBuffers.push_back(init);
  return group;
}
