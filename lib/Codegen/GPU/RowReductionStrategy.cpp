//===- RowReductionStrategy.cpp - groups around innermost reductions ------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// A group with reductions over its innermost loop (row sums, softmax,
// LayerNorm, RMSNorm, ...) becomes one kernel over its rows: each row is
// taken by a thread (rows of at most `thread_row_limit` elements), a warp
// or a block, as the variant's tiling says. The ops run in program order on
// the row: a reduction folds the row into per-thread accumulators (vectors
// of `vector_width`), combines them across the row's threads and with its
// initial value, and hands the row's result to the ops after it; an
// elementwise op computes and stores its outputs along the row. A row that
// fits the threads' registers (`thread_tile` of the row: the elements each
// thread keeps) is read from memory once, whatever the number of ops
// (softmax: one read, one write); longer rows are looped over once per op.
//
// With the `split` strategy and fewer rows than fill the GPU (the tiling's
// `split`, `split_chunk` and `min_split` say when and how much), each row is
// split over several blocks: one launch per reduction writes each chunk's
// partial result to a scratch buffer, the next launch combines a row's
// partials in order (deterministic) before its own work, and the last one
// computes the elementwise outputs.
//
//===----------------------------------------------------------------------===//

#include "GpuCodegen.h"
#include "GroupEmitter.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::multikernel;
using namespace mlir::multikernel::gpu_codegen;

namespace {

/// The block of the kernel that gives short rows (`thread_row_limit`) a
/// thread each.
constexpr int64_t kThreadPerRowBlock = 256;

/// How one kernel of the strategy maps rows to threads.
struct RowMapping {
  int64_t lanes;        // threads per row: 1, a power of two to 32, a block
  int64_t rowsPerBlock; // rows of a block
  int64_t width;        // elements per access
  int64_t slots;        // vectors of the row a thread keeps; 0: loops
};

/// The row indices (one per loop but the innermost) of `row`, delinearized
/// by the loop sizes.
SmallVector<Value> delinearize(OpBuilder &builder, Location loc, Value row,
                               ArrayRef<Value> sizes) {
  SmallVector<Value> indices(sizes.size());
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    if (i == 0) {
      indices[i] = row;
      break;
    }
    indices[i] = arith::RemUIOp::create(builder, loc, row, sizes[i]);
    row = arith::DivUIOp::create(builder, loc, row, sizes[i]);
  }
  return indices;
}

/// Host code: the blocks per row of the split kernels for this call's shape
/// (`min(split / rows, ceildiv(n, split_chunk))`) and `scf.if` that is at
/// least `min_split`, with the insertion point in its then-region; its
/// else-region is empty.
std::pair<Value, scf::IfOp> beginSplitChoice(OpBuilder &builder, Location loc,
                                             Value rows, Value n,
                                             TilingAttr tiling) {
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  Value someRows = arith::MaxUIOp::create(builder, loc, rows, c(1));
  Value wanted =
      arith::DivUIOp::create(builder, loc, c(tiling.getSplit()), someRows);
  Value most =
      arith::CeilDivUIOp::create(builder, loc, n, c(tiling.getSplitChunk()));
  Value split = arith::MinUIOp::create(builder, loc, wanted, most);
  Value splits = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::uge,
                                       split, c(tiling.getMinSplit()));
  auto choose = scf::IfOp::create(builder, loc, splits, true);
  builder.setInsertionPointToStart(&choose.getThenRegion().front());
  return {split, choose};
}

class RowKernelBuilder {
public:
  RowKernelBuilder(const KernelGroup &group, OpBuilder &builder, Location loc,
                   ArrayRef<Value> loopSizes)
      : group(group), builder(builder), loc(loc),
        rowSizes(loopSizes.drop_back()), n(loopSizes.back()) {}

  /// One launch over all rows.
  LogicalResult emitKernel(Value rows, const RowMapping &mapping);
  /// The launches of the split strategy.
  LogicalResult emitSplitKernels(Value rows, Value split, int64_t threads,
                                 int64_t width);

private:
  /// Runs `body` at each column of the row this thread owns in [begin,
  /// end): `slots` unrolled slots (the row in registers; a slot past the
  /// row's end keeps the carried values) or, with `slots` 0, a loop.
  /// `body` maps the values carried from column to column (a reduction's
  /// accumulators) to their next ones.
  FailureOr<SmallVector<Value>>
  forEachColumn(GroupEmitter &emitter, ArrayRef<Value> rowLoops, Value lane,
                int64_t lanes, Value begin, Value end, int64_t width,
                int64_t slots, ValueRange carried,
                function_ref<FailureOr<SmallVector<Value>>(ValueRange)> body);
  /// Scratch memory for block reductions: one workgroup buffer of 32 per
  /// reduction output.
  void addWorkgroupBuffers(gpu::LaunchOp launch);
  /// Emits the reduction at `position` over the columns this thread owns;
  /// returns the row's values combined across `lanes` (without the init).
  FailureOr<SmallVector<Value>> foldRow(int64_t position, GroupEmitter &emitter,
                                        ArrayRef<Value> rowLoops, Value lane,
                                        int64_t lanes, Value begin, Value end,
                                        int64_t width, int64_t slots);
  /// Emits the elementwise op at `position` over this thread's columns.
  LogicalResult computeRow(int64_t position, GroupEmitter &emitter,
                           ArrayRef<Value> rowLoops, Value lane, int64_t lanes,
                           Value begin, Value end, int64_t width,
                           int64_t slots);
  /// Emits the row elementwise op at `position` (once per row), stored by
  /// the threads where `first` holds.
  LogicalResult computeOncePerRow(int64_t position, GroupEmitter &emitter,
                                  ArrayRef<Value> rowLoops, Value first);
  /// Combines the reduction's initial value with `totals` and records the
  /// row's values.
  LogicalResult finishReduction(int64_t position, GroupEmitter &emitter,
                                ArrayRef<Value> rowLoops,
                                ArrayRef<Value> totals);

  /// `condition`, and the row in range where rows are clamped.
  Value storeGuard(Value condition) {
    return rowInRange
               ? arith::AndIOp::create(builder, loc, condition, rowInRange)
                     .getResult()
               : condition;
  }

  const KernelGroup &group;
  OpBuilder &builder;
  Location loc;
  ArrayRef<Value> rowSizes;
  Value n;
  /// Where rows are clamped (several rows per warp): whether this thread's
  /// row exists; null where out-of-range rows are guarded away.
  Value rowInRange;
  /// Inside forEachColumn's slots: whether the slot's column is in the row.
  Value columnValid;
  /// Per reduction position, per output: the launch's workgroup buffer.
  llvm::DenseMap<int64_t, SmallVector<Value>> workgroupBuffers;
};

void RowKernelBuilder::addWorkgroupBuffers(gpu::LaunchOp launch) {
  workgroupBuffers.clear();
  auto space = gpu::AddressSpaceAttr::get(builder.getContext(),
                                          gpu::AddressSpace::Workgroup);
  for (auto [position, groupOp] : llvm::enumerate(group.ops)) {
    if (groupOp.role != GroupOpRole::Reduction)
      continue;
    for (TypedAttr neutral : groupOp.neutrals)
      workgroupBuffers[position].push_back(launch.addWorkgroupAttribution(
          MemRefType::get({32}, neutral.getType(), AffineMap(), space), loc));
  }
}

FailureOr<SmallVector<Value>> RowKernelBuilder::forEachColumn(
    GroupEmitter &emitter, ArrayRef<Value> rowLoops, Value lane, int64_t lanes,
    Value begin, Value end, int64_t width, int64_t slots, ValueRange carried,
    function_ref<FailureOr<SmallVector<Value>>(ValueRange)> body) {
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  Value first = arith::AddIOp::create(
      builder, loc, begin, arith::MulIOp::create(builder, loc, lane, c(width)));
  auto pointAt = [&](Value column) {
    SmallVector<Value> loops(rowLoops);
    loops.push_back(column);
    return loops;
  };
  SmallVector<Value> values(carried);
  if (slots > 0) {
    for (int64_t slot = 0; slot < slots; ++slot) {
      Value column =
          arith::AddIOp::create(builder, loc, first, c(slot * lanes * width));
      Value valid = arith::CmpIOp::create(
          builder, loc, arith::CmpIPredicate::ult, column, end);
      emitter.setPoint(pointAt(column), width, slot);
      emitter.setLoadGuard(valid);
      columnValid = valid;
      FailureOr<SmallVector<Value>> next = body(values);
      if (failed(next))
        return failure();
      for (auto [value, update] : llvm::zip(values, *next))
        value = arith::SelectOp::create(builder, loc, valid, update, value);
    }
    emitter.setLoadGuard(Value());
    columnValid = Value();
    return values;
  }
  auto loop =
      scf::ForOp::create(builder, loc, first, end, c(lanes * width), values);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(loop.getBody());
  emitter.clearCache();
  emitter.setPoint(pointAt(loop.getInductionVar()), width);
  FailureOr<SmallVector<Value>> next =
      body(llvm::to_vector_of<Value>(loop.getRegionIterArgs()));
  if (failed(next))
    return failure();
  // A loop that carries nothing came with its terminator.
  if (!values.empty())
    scf::YieldOp::create(builder, loc, *next);
  emitter.clearCache();
  return llvm::to_vector_of<Value>(loop.getResults());
}

FailureOr<SmallVector<Value>>
RowKernelBuilder::foldRow(int64_t position, GroupEmitter &emitter,
                          ArrayRef<Value> rowLoops, Value lane, int64_t lanes,
                          Value begin, Value end, int64_t width,
                          int64_t slots) {
  const GroupOp &groupOp = group.ops[position];
  SmallVector<Value> accs;
  for (TypedAttr neutral : groupOp.neutrals)
    accs.push_back(emitter.splat(neutral, width));
  FailureOr<SmallVector<Value>> folded = forEachColumn(
      emitter, rowLoops, lane, lanes, begin, end, width, slots, accs,
      [&](ValueRange accs) {
        return emitter.evaluate(position, llvm::to_vector_of<Value>(accs));
      });
  if (failed(folded))
    return failure();

  SmallVector<Value> totals;
  for (auto [output, acc] : llvm::enumerate(*folded)) {
    Operation *combiner = groupOp.combiners[output];
    Value total = emitter.combineLanes(combiner, acc);
    Value scratch = lanes > 32 ? workgroupBuffers[position][output] : Value();
    total = combineAcrossLanes(
        builder, loc, total, lanes, lane, scratch, groupOp.neutrals[output],
        [&](Value a, Value b) { return emitter.combine(combiner, a, b); });
    totals.push_back(total);
  }
  return totals;
}

LogicalResult RowKernelBuilder::computeRow(int64_t position,
                                           GroupEmitter &emitter,
                                           ArrayRef<Value> rowLoops, Value lane,
                                           int64_t lanes, Value begin,
                                           Value end, int64_t width,
                                           int64_t slots) {
  return forEachColumn(
      emitter, rowLoops, lane, lanes, begin, end, width, slots, {},
      [&](ValueRange) -> FailureOr<SmallVector<Value>> {
        FailureOr<SmallVector<Value>> results = emitter.evaluate(position);
        if (failed(results))
          return failure();
        OpBuilder::InsertionGuard guard(builder);
        if (Value condition =
                columnValid ? storeGuard(columnValid) : rowInRange) {
          auto inRow = scf::IfOp::create(builder, loc, condition, false);
          builder.setInsertionPointToStart(&inRow.getThenRegion().front());
        }
        emitter.store(position, *results);
        return SmallVector<Value>();
      });
}

LogicalResult RowKernelBuilder::finishReduction(int64_t position,
                                                GroupEmitter &emitter,
                                                ArrayRef<Value> rowLoops,
                                                ArrayRef<Value> totals) {
  const GroupOp &groupOp = group.ops[position];
  // The row's point: the initial value does not depend on the column.
  SmallVector<Value> loops(rowLoops);
  loops.push_back(indexConstant(builder, loc, 0));
  emitter.setPoint(loops, /*width=*/1, /*slot=*/-1);
  SmallVector<Value> finals;
  for (auto [output, total] : llvm::enumerate(totals)) {
    FailureOr<Value> init = emitter.reductionInit(position, output);
    if (failed(init))
      return failure();
    finals.push_back(emitter.combine(groupOp.combiners[output], *init, total));
  }
  emitter.rowValues[position] = finals;
  return success();
}

LogicalResult RowKernelBuilder::computeOncePerRow(int64_t position,
                                                  GroupEmitter &emitter,
                                                  ArrayRef<Value> rowLoops,
                                                  Value first) {
  SmallVector<Value> loops(rowLoops);
  loops.push_back(indexConstant(builder, loc, 0));
  emitter.setPoint(loops, /*width=*/1, /*slot=*/-1);
  FailureOr<SmallVector<Value>> results = emitter.evaluate(position);
  if (failed(results))
    return failure();
  OpBuilder::InsertionGuard guard(builder);
  auto write = scf::IfOp::create(builder, loc, first, false);
  builder.setInsertionPointToStart(&write.getThenRegion().front());
  emitter.store(position, *results);
  return success();
}

LogicalResult RowKernelBuilder::emitKernel(Value rows,
                                           const RowMapping &mapping) {
  OpBuilder::InsertionGuard guard(builder);
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  bool threadPerRow = mapping.lanes == 1;
  Value grid =
      arith::CeilDivUIOp::create(builder, loc, rows, c(mapping.rowsPerBlock));
  Value blockX = c(threadPerRow ? mapping.rowsPerBlock : mapping.lanes);
  Value blockY = c(threadPerRow ? 1 : mapping.rowsPerBlock);
  auto launch = gpu::LaunchOp::create(builder, loc, grid, c(1), c(1), blockX,
                                      blockY, c(1));
  if (mapping.lanes > 32)
    addWorkgroupBuffers(launch);
  builder.setInsertionPointToStart(&launch.getBody().front());
  Value lane = threadPerRow ? c(0) : launch.getThreadIds().x;
  Value rowInBlock =
      threadPerRow ? launch.getThreadIds().x : launch.getThreadIds().y;
  Value row = arith::AddIOp::create(
      builder, loc,
      arith::MulIOp::create(builder, loc, launch.getBlockIds().x,
                            c(mapping.rowsPerBlock)),
      rowInBlock);
  Value inRange =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult, row, rows);
  rowInRange = Value();
  if (mapping.lanes > 1 && mapping.lanes < 32) {
    // Several rows per warp: the warp's lanes must all take part in its
    // shuffles, so a row past the end computes the last row again and
    // stores nothing.
    row = arith::MinUIOp::create(
        builder, loc, row, arith::SubIOp::create(builder, loc, rows, c(1)));
    rowInRange = inRange;
  } else {
    // Uniform over the threads of a row, as shuffles and barriers require.
    auto rowGuard = scf::IfOp::create(builder, loc, inRange, false);
    builder.setInsertionPointToStart(&rowGuard.getThenRegion().front());
  }
  SmallVector<Value> rowLoops = delinearize(builder, loc, row, rowSizes);

  GroupEmitter emitter(group, builder, loc);
  Value begin = c(0);
  Value firstLane = storeGuard(arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::eq, lane, c(0)));
  for (auto [position, groupOp] : llvm::enumerate(group.ops)) {
    if (groupOp.role == GroupOpRole::Inlined)
      continue;
    if (groupOp.role == GroupOpRole::RowElementwise) {
      if (failed(computeOncePerRow(position, emitter, rowLoops, firstLane)))
        return failure();
      continue;
    }
    if (groupOp.role == GroupOpRole::Elementwise) {
      if (failed(computeRow(position, emitter, rowLoops, lane, mapping.lanes,
                            begin, n, mapping.width, mapping.slots)))
        return failure();
      continue;
    }
    FailureOr<SmallVector<Value>> totals =
        foldRow(position, emitter, rowLoops, lane, mapping.lanes, begin, n,
                mapping.width, mapping.slots);
    if (failed(totals) ||
        failed(finishReduction(position, emitter, rowLoops, *totals)))
      return failure();
    OpBuilder::InsertionGuard storeGuard(builder);
    auto write = scf::IfOp::create(builder, loc, firstLane, false);
    builder.setInsertionPointToStart(&write.getThenRegion().front());
    emitter.storeRow(position, emitter.rowValues[position]);
  }
  builder.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(builder, loc);
  return success();
}

LogicalResult RowKernelBuilder::emitSplitKernels(Value rows, Value split,
                                                 int64_t threads,
                                                 int64_t width) {
  OpBuilder::InsertionGuard guard(builder);
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  // One scratch buffer [rows, split] per reduction output.
  llvm::DenseMap<int64_t, SmallVector<Scratch>> partials;
  SmallVector<int64_t> reductions;
  for (auto [position, groupOp] : llvm::enumerate(group.ops)) {
    if (groupOp.role != GroupOpRole::Reduction)
      continue;
    reductions.push_back(position);
    for (TypedAttr neutral : groupOp.neutrals)
      partials[position].push_back(allocateScratch(
          builder, loc, neutral.getType(), ValueRange{rows, split}));
  }

  for (int64_t stage = 0, e = reductions.size(); stage <= e; ++stage) {
    OpBuilder::InsertionGuard launchGuard(builder);
    ChunkLaunch chunk =
        beginChunkLaunch(builder, loc, rows, n, split, threads, width);
    addWorkgroupBuffers(chunk.launch);
    rowInRange = Value();
    Value lane = chunk.launch.getThreadIds().x;
    SmallVector<Value> rowLoops =
        delinearize(builder, loc, chunk.row, rowSizes);
    GroupEmitter emitter(group, builder, loc);
    bool last = stage == static_cast<int64_t>(reductions.size());
    // The row's results are stored once: by the first thread of the first
    // chunk.
    Value firstLane = arith::CmpIOp::create(
        builder, loc, arith::CmpIPredicate::eq, lane, c(0));
    Value firstChunk = arith::CmpIOp::create(
        builder, loc, arith::CmpIPredicate::eq, chunk.part, c(0));
    Value firstOfRow =
        arith::AndIOp::create(builder, loc, firstLane, firstChunk);
    for (auto [position, groupOp] : llvm::enumerate(group.ops)) {
      if (groupOp.role == GroupOpRole::Inlined)
        continue;
      if (groupOp.role == GroupOpRole::RowElementwise) {
        if (last &&
            failed(computeOncePerRow(position, emitter, rowLoops, firstOfRow)))
          return failure();
        continue;
      }
      if (groupOp.role == GroupOpRole::Elementwise) {
        if (last && failed(computeRow(position, emitter, rowLoops, lane,
                                      threads, chunk.begin, chunk.end, width,
                                      /*slots=*/0)))
          return failure();
        continue;
      }
      int64_t index = llvm::find(reductions, position) - reductions.begin();
      if (index == stage) {
        // This stage's reduction: the chunk's partial result.
        FailureOr<SmallVector<Value>> totals =
            foldRow(position, emitter, rowLoops, lane, threads, chunk.begin,
                    chunk.end, width, /*slots=*/0);
        if (failed(totals))
          return failure();
        Value isFirst = arith::CmpIOp::create(
            builder, loc, arith::CmpIPredicate::eq, lane, c(0));
        auto write = scf::IfOp::create(builder, loc, isFirst, false);
        OpBuilder::InsertionGuard writeGuard(builder);
        builder.setInsertionPointToStart(&write.getThenRegion().front());
        for (auto [total, scratch] : llvm::zip(*totals, partials[position]))
          memref::StoreOp::create(builder, loc, total, scratch.buffer,
                                  ValueRange{chunk.row, chunk.part});
        break;
      }
      // An earlier stage's reduction: combine the row's partials in order.
      SmallVector<Value> totals;
      for (auto [output, scratch] : llvm::enumerate(partials[position])) {
        Value neutral = emitter.splat(groupOp.neutrals[output], 1);
        auto loop = scf::ForOp::create(builder, loc, c(0), split, c(1),
                                       ValueRange{neutral});
        OpBuilder::InsertionGuard loopGuard(builder);
        builder.setInsertionPointToStart(loop.getBody());
        Value partial = memref::LoadOp::create(
            builder, loc, scratch.buffer,
            ValueRange{chunk.row, loop.getInductionVar()});
        scf::YieldOp::create(builder, loc,
                             emitter.combine(groupOp.combiners[output],
                                             loop.getRegionIterArgs().front(),
                                             partial));
        builder.setInsertionPointAfter(loop);
        totals.push_back(loop.getResult(0));
      }
      if (failed(finishReduction(position, emitter, rowLoops, totals)))
        return failure();
      if (last) {
        auto write = scf::IfOp::create(builder, loc, firstOfRow, false);
        OpBuilder::InsertionGuard writeGuard(builder);
        builder.setInsertionPointToStart(&write.getThenRegion().front());
        emitter.storeRow(position, emitter.rowValues[position]);
      }
    }
    endLaunch(builder, loc, chunk.launch);
  }
  for (auto &entry : partials)
    for (const Scratch &scratch : entry.second)
      freeScratch(builder, loc, scratch);
  return success();
}

} // namespace

LogicalResult gpu_codegen::lowerRowReductionGroup(func::FuncOp func,
                                                  const KernelGroup &group,
                                                  TilingAttr tiling,
                                                  OpBuilder &builder,
                                                  ArrayRef<Value> loopSizes) {
  Location loc = group.root->getLoc();
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  Value rows = c(1);
  for (Value size : loopSizes.drop_back())
    rows = arith::MulIOp::create(builder, loc, rows, size);
  Value n = loopSizes.back();
  int64_t width = tiling.getVectorWidth();
  int64_t threads = tiling.getThreads();
  bool warp = tiling.getReduction() == ReductionStrategy::Warp;
  // `warp`: a row per aligned group of threads / (rows per block) lanes of a
  // warp (a power of two up to 32).
  ArrayRef<int64_t> blockTile = tiling.getBlockTile();
  int64_t rowsPerWarpBlock =
      blockTile.size() > 1 ? blockTile[blockTile.size() - 2] : threads / 32;
  int64_t lanes =
      warp ? threads / std::max<int64_t>(1, rowsPerWarpBlock) : threads;
  if (warp && (lanes < 1 || lanes > 32 || !llvm::isPowerOf2_64(lanes) ||
               lanes * rowsPerWarpBlock != threads))
    return emitCodegenError(func, KernelKind::Reduction,
                            "the tiling's rows per block do not give a power "
                            "of two of lanes per row, at most 32");
  int64_t slots = std::max<int64_t>(1, tiling.getThreadTile().back() / width);
  if (threads <= 0 || width <= 0 || (!warp && threads % 32 != 0) ||
      (warp && threads % 32 != 0))
    return emitCodegenError(func, KernelKind::Reduction,
                            "the tiling has an invalid thread count");

  RowKernelBuilder kernels(group, builder, loc, loopSizes);
  LogicalResult result = success();
  auto record = [&](LogicalResult emitted) {
    if (failed(emitted))
      result = failure();
  };

  if (int64_t limit = tiling.getThreadRowLimit()) {
    Value shortRows = arith::CmpIOp::create(
        builder, loc, arith::CmpIPredicate::ule, n, c(limit));
    auto chooseShort = scf::IfOp::create(builder, loc, shortRows, true);
    builder.setInsertionPointToStart(&chooseShort.getThenRegion().front());
    // Rows of one element (a reduction over a unit dimension): the element
    // in one register, read once, as an elementwise kernel reads it. Longer
    // ones: one pass per op, in a loop; the row in 16 guarded registers
    // took twice as long on the H200 (rows of 1: softmax 7 -> 19 us).
    Value single =
        arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq, n, c(1));
    auto chooseSingle = scf::IfOp::create(builder, loc, single, true);
    {
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(&chooseSingle.getThenRegion().front());
      record(kernels.emitKernel(rows, {1, kThreadPerRowBlock, 1, 1}));
      builder.setInsertionPointToStart(&chooseSingle.getElseRegion().front());
      record(kernels.emitKernel(rows, {1, kThreadPerRowBlock, 1, 0}));
    }
    builder.setInsertionPointToStart(&chooseShort.getElseRegion().front());
  }

  if (tiling.getReduction() == ReductionStrategy::Split) {
    std::pair<Value, scf::IfOp> choice =
        beginSplitChoice(builder, loc, rows, n, tiling);
    Value split = choice.first;
    scf::IfOp chooseSplit = choice.second;
    emitVectorizedIfAligned(
        builder, loc, group.externalBuffers, n, width, [&](int64_t w) {
          record(kernels.emitSplitKernels(rows, split, threads, w));
        });
    builder.setInsertionPointToStart(&chooseSplit.getElseRegion().front());
  }
  // Rows that fit the threads' registers are read once; longer ones are
  // looped over.
  emitVectorizedIfAligned(
      builder, loc, group.externalBuffers, n, width, [&](int64_t w) {
        int64_t rowsPerBlock = warp ? threads / lanes : 1;
        int64_t wSlots = slots * width / w;
        Value fits = arith::CmpIOp::create(
            builder, loc, arith::CmpIPredicate::ule, n, c(lanes * w * wSlots));
        auto choose = scf::IfOp::create(builder, loc, fits, true);
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPointToStart(&choose.getThenRegion().front());
        record(kernels.emitKernel(rows, {lanes, rowsPerBlock, w, wSlots}));
        builder.setInsertionPointToStart(&choose.getElseRegion().front());
        record(kernels.emitKernel(rows, {lanes, rowsPerBlock, w, 0}));
      });
  if (failed(result))
    return emitCodegenError(func, KernelKind::Reduction,
                            "a value of the group could not be computed");
  return success();
}
