//===- ColumnReductionStrategy.cpp - groups around outer-loop reductions --===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// A group whose reductions reduce an outer loop (a column sum: the sum over
// the rows of a row-major matrix, whose kept innermost loop is contiguous in
// memory) becomes one kernel over tiles of columns. Thread x takes
// `vector_width` consecutive columns (a warp reads consecutive addresses),
// thread y a slice of the reduced loop; each thread folds its rows into
// accumulators (vectors of its columns), four rows in flight at a time,
// then the block combines its slices in order through workgroup memory and
// its first row of threads finishes the columns: the reductions' initial
// values, their stores and the elementwise ops over the kept loops (a mean
// from a sum).
//
// With `split` > 1 (few columns for many rows: a tall, narrow input), the
// reduced loop is cut into `split` chunks (fewer for a call with fewer rows
// than the block's slices fill), one block row each: a first
// launch writes each chunk's partial results to a scratch buffer, a second
// one combines them in chunk order and finishes. Every combination happens
// in a fixed order: the results do not depend on timing.
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

/// Rows of the reduced loop a thread has in flight at once: their loads
/// are independent, and a loop of one load at a time waited on each.
constexpr int64_t kRowsInFlight = 4;

/// How a launch maps the group's points to threads.
struct ColumnMapping {
  int64_t threadsX; // column vectors of a block
  int64_t threadsY; // slices of the reduced loop in a block
  int64_t width;    // columns per thread
  int64_t split;    // chunks of the reduced loop, at most
};

/// One output of one reduction of the group: its accumulators, its partial
/// results between the launches of a split kernel.
struct ReductionOutput {
  int64_t position;
  int64_t output;
  TypedAttr neutral;
  Operation *combiner;
};

class ColumnKernelBuilder {
public:
  ColumnKernelBuilder(const KernelGroup &group, OpBuilder &builder,
                      Location loc, ArrayRef<Value> loopSizes)
      : group(group), builder(builder), loc(loc), loopSizes(loopSizes) {
    for (int64_t loop = 0; loop + 1 < group.numLoops; ++loop)
      if (loop != group.reducedLoop)
        outerLoops.push_back(loop);
    for (auto [position, groupOp] : llvm::enumerate(group.ops))
      if (groupOp.role == GroupOpRole::Reduction)
        for (auto [output, neutral] : llvm::enumerate(groupOp.neutrals))
          outputs.push_back({static_cast<int64_t>(position),
                             static_cast<int64_t>(output), neutral,
                             groupOp.combiners[output]});
  }

  /// The host code: one launch, or with `split` > 1 the two launches and
  /// their scratch buffers.
  LogicalResult emit(const ColumnMapping &mapping);

private:
  /// One launch over the columns. `partials` (one 1-D buffer per reduction
  /// output) are written by the first launch of a split kernel
  /// (`fromPartials` false, `finish` false) and read by the second
  /// (`fromPartials` true).
  LogicalResult emitLaunch(const ColumnMapping &mapping,
                           ArrayRef<Value> partials, bool fromPartials,
                           bool finish);
  /// The values the reduced loop's rows in [begin, end), every
  /// `threadsY`-th from `start`, fold into the accumulators, `point(row,
  /// slot, accumulators)` giving the next ones.
  FailureOr<SmallVector<Value>> foldRows(
      Value start, Value end, int64_t step, ValueRange accumulators,
      function_ref<FailureOr<SmallVector<Value>>(Value, int64_t, ValueRange)>
          point);

  Value c(int64_t value) { return indexConstant(builder, loc, value); }
  Value size(int64_t loop) { return loopSizes[loop]; }

  const KernelGroup &group;
  OpBuilder &builder;
  Location loc;
  ArrayRef<Value> loopSizes;
  /// The kept loops but the innermost, in order (a batch of column sums).
  SmallVector<int64_t> outerLoops;
  /// The chunks of the reduced loop for this call (host code): the tiling's
  /// split, but never a chunk with fewer rows than the block has slices (a
  /// variant for tall inputs called on a few rows would launch empty
  /// blocks by the million).
  Value chunks;
  SmallVector<ReductionOutput> outputs;
};

FailureOr<SmallVector<Value>> ColumnKernelBuilder::foldRows(
    Value start, Value end, int64_t step, ValueRange accumulators,
    function_ref<FailureOr<SmallVector<Value>>(Value, int64_t, ValueRange)>
        point) {
  // This thread's rows, `count` of them: as many as make whole groups of
  // kRowsInFlight in a loop that handles a group per iteration, the rest
  // in a loop of one row per iteration.
  Value remaining = arith::SubIOp::create(
      builder, loc, arith::MaxUIOp::create(builder, loc, end, start), start);
  Value count = arith::CeilDivUIOp::create(builder, loc, remaining, c(step));
  Value groups = arith::DivUIOp::create(builder, loc, count, c(kRowsInFlight));
  auto rowAt = [&](Value iteration) -> Value {
    return arith::AddIOp::create(
        builder, loc, start,
        arith::MulIOp::create(builder, loc, iteration, c(step)));
  };
  SmallVector<Value> values(accumulators);
  bool failedAny = false;
  auto emitLoop = [&](Value lower, Value upper, int64_t unroll) {
    auto loop = scf::ForOp::create(builder, loc, lower, upper, c(1), values);
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> carried =
        llvm::to_vector_of<Value>(loop.getRegionIterArgs());
    for (int64_t slot = 0; slot < unroll; ++slot) {
      Value iteration = loop.getInductionVar();
      if (unroll > 1) {
        Value first = arith::MulIOp::create(builder, loc, iteration, c(unroll));
        iteration = arith::AddIOp::create(builder, loc, first, c(slot));
      }
      FailureOr<SmallVector<Value>> next =
          point(rowAt(iteration), slot, carried);
      if (failed(next)) {
        failedAny = true;
        break;
      }
      carried = *next;
    }
    if (!failedAny)
      scf::YieldOp::create(builder, loc, carried);
    values = llvm::to_vector_of<Value>(loop.getResults());
  };
  emitLoop(c(0), groups, kRowsInFlight);
  if (failedAny)
    return failure();
  emitLoop(arith::MulIOp::create(builder, loc, groups, c(kRowsInFlight)), count,
           1);
  if (failedAny)
    return failure();
  return values;
}

LogicalResult ColumnKernelBuilder::emitLaunch(const ColumnMapping &mapping,
                                              ArrayRef<Value> partials,
                                              bool fromPartials, bool finish) {
  OpBuilder::InsertionGuard guard(builder);
  int64_t width = mapping.width;
  int64_t columnsPerBlock = mapping.threadsX * width;
  int64_t inner = group.numLoops - 1;
  Value columns = size(inner);
  Value outer = c(1);
  for (int64_t loop : outerLoops)
    outer = arith::MulIOp::create(builder, loc, outer, size(loop));
  Value columnTiles =
      arith::CeilDivUIOp::create(builder, loc, columns, c(columnsPerBlock));
  Value gridX = arith::MulIOp::create(builder, loc, outer, columnTiles);
  auto launch = gpu::LaunchOp::create(
      builder, loc, gridX, fromPartials ? c(1) : chunks, c(1),
      c(mapping.threadsX), c(mapping.threadsY), c(1));
  // The block's slices of its columns, one buffer per reduction output.
  SmallVector<Value> slices;
  if (mapping.threadsY > 1) {
    auto space = gpu::AddressSpaceAttr::get(builder.getContext(),
                                            gpu::AddressSpace::Workgroup);
    for (const ReductionOutput &out : outputs)
      slices.push_back(launch.addWorkgroupAttribution(
          MemRefType::get({mapping.threadsY, columnsPerBlock},
                          out.neutral.getType(), AffineMap(), space),
          loc));
  }
  builder.setInsertionPointToStart(&launch.getBody().front());
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value blockX = launch.getBlockIds().x;
  Value tile = arith::RemUIOp::create(builder, loc, blockX, columnTiles);
  Value outerIndex = arith::DivUIOp::create(builder, loc, blockX, columnTiles);
  // The outer kept loops' indices, delinearized (last fastest).
  llvm::DenseMap<int64_t, Value> outerIndices;
  Value rest = outerIndex;
  for (int64_t i = static_cast<int64_t>(outerLoops.size()) - 1; i >= 0; --i) {
    int64_t loop = outerLoops[i];
    if (i == 0) {
      outerIndices[loop] = rest;
      break;
    }
    outerIndices[loop] = arith::RemUIOp::create(builder, loc, rest, size(loop));
    rest = arith::DivUIOp::create(builder, loc, rest, size(loop));
  }
  Value tileStart =
      arith::MulIOp::create(builder, loc, tile, c(mapping.threadsX));
  Value vectorIndex = arith::AddIOp::create(builder, loc, tileStart, tx);
  Value column = arith::MulIOp::create(builder, loc, vectorIndex, c(width));
  Value columnValid = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::ult, column, columns);
  // Threads past the last column read the last whole vector again (no
  // branch around the loads) and store nothing.
  Value loadColumn = arith::MinUIOp::create(
      builder, loc, column,
      arith::SubIOp::create(builder, loc, columns, c(width)));
  // This thread's columns in the block's slices.
  Value slot = arith::MulIOp::create(builder, loc, tx, c(width));
  auto pointAt = [&](Value reduced, Value innermost) {
    SmallVector<Value> loops(group.numLoops);
    for (auto [loop, index] : outerIndices)
      loops[loop] = index;
    loops[group.reducedLoop] = reduced;
    loops[inner] = innermost;
    return loops;
  };
  // The position of (chunk, outer, column) in a partials buffer.
  auto partialIndex = [&](Value chunk, Value at) -> Value {
    Value row = arith::AddIOp::create(
        builder, loc, arith::MulIOp::create(builder, loc, chunk, outer),
        outerIndex);
    return arith::AddIOp::create(
        builder, loc, arith::MulIOp::create(builder, loc, row, columns), at);
  };
  auto vectorType = [&](Type element) -> Type {
    return width > 1 ? VectorType::get({width}, element) : element;
  };
  auto loadVector = [&](Value buffer, ValueRange indices) -> Value {
    Type element = cast<MemRefType>(buffer.getType()).getElementType();
    if (width == 1)
      return memref::LoadOp::create(builder, loc, buffer, indices);
    auto type = cast<VectorType>(vectorType(element));
    return vector::LoadOp::create(builder, loc, type, buffer, indices,
                                  /*nontemporal=*/false, vectorAlignment(type));
  };
  auto storeVector = [&](Value value, Value buffer, ValueRange indices) {
    if (width == 1) {
      memref::StoreOp::create(builder, loc, value, buffer, indices);
      return;
    }
    vector::StoreOp::create(builder, loc, value, buffer, indices,
                            /*nontemporal=*/false,
                            vectorAlignment(cast<VectorType>(value.getType())));
  };

  // Workgroup memory is accessed element by element: its buffers are not
  // known to be aligned for vectors.
  auto storeSlice = [&](Value value, Value buffer, Value row) {
    for (int64_t lane = 0; lane < width; ++lane) {
      Value element = width == 1
                          ? value
                          : vector::ExtractOp::create(builder, loc, value, lane)
                                .getResult();
      memref::StoreOp::create(
          builder, loc, element, buffer,
          ValueRange{row, arith::AddIOp::create(builder, loc, slot, c(lane))});
    }
  };
  auto loadSlice = [&](Value buffer, Value row) -> Value {
    SmallVector<Value> elements;
    for (int64_t lane = 0; lane < width; ++lane)
      elements.push_back(memref::LoadOp::create(
          builder, loc, buffer,
          ValueRange{row, arith::AddIOp::create(builder, loc, slot, c(lane))}));
    if (width == 1)
      return elements.front();
    return vector::FromElementsOp::create(
        builder, loc, VectorType::get({width}, elements.front().getType()),
        elements);
  };

  GroupEmitter emitter(group, builder, loc);
  SmallVector<Value> initial;
  for (const ReductionOutput &out : outputs)
    initial.push_back(emitter.splat(out.neutral, width));

  // This thread's rows of the reduced loop.
  Value start, end;
  if (fromPartials) {
    start = ty;
    end = chunks;
  } else {
    Value reduced = size(group.reducedLoop);
    Value chunk = arith::CeilDivUIOp::create(builder, loc, reduced, chunks);
    Value begin =
        arith::MulIOp::create(builder, loc, launch.getBlockIds().y, chunk);
    start = arith::AddIOp::create(builder, loc, begin, ty);
    end = arith::MinUIOp::create(
        builder, loc, reduced,
        arith::AddIOp::create(builder, loc, begin, chunk));
  }
  FailureOr<SmallVector<Value>> folded = foldRows(
      start, end, mapping.threadsY, initial,
      [&](Value row, int64_t slot,
          ValueRange accumulators) -> FailureOr<SmallVector<Value>> {
        SmallVector<Value> next(accumulators);
        if (fromPartials) {
          for (auto [index, out] : llvm::enumerate(outputs))
            next[index] = emitter.combine(
                out.combiner, next[index],
                loadVector(partials[index], {partialIndex(row, loadColumn)}));
          return next;
        }
        emitter.clearCache();
        emitter.setPoint(pointAt(row, loadColumn), width, slot);
        for (auto [position, groupOp] : llvm::enumerate(group.ops)) {
          if (groupOp.role == GroupOpRole::Elementwise) {
            FailureOr<SmallVector<Value>> results = emitter.evaluate(position);
            if (failed(results))
              return failure();
            OpBuilder::InsertionGuard storeGuard(builder);
            auto store = scf::IfOp::create(builder, loc, columnValid, false);
            builder.setInsertionPointToStart(&store.getThenRegion().front());
            emitter.store(position, *results);
            continue;
          }
          if (groupOp.role != GroupOpRole::Reduction)
            continue;
          SmallVector<Value> current;
          for (auto [index, out] : llvm::enumerate(outputs))
            if (out.position == static_cast<int64_t>(position))
              current.push_back(next[index]);
          FailureOr<SmallVector<Value>> updated =
              emitter.evaluate(position, current);
          if (failed(updated))
            return failure();
          for (auto [index, out] : llvm::enumerate(outputs))
            if (out.position == static_cast<int64_t>(position))
              next[index] = (*updated)[out.output];
        }
        return next;
      });
  if (failed(folded))
    return failure();
  emitter.clearCache();

  // The block's slices, combined in order by its first row of threads.
  Value firstRow =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq, ty, c(0));
  if (mapping.threadsY > 1) {
    for (auto [index, value] : llvm::enumerate(*folded))
      storeSlice(value, slices[index], ty);
    gpu::BarrierOp::create(builder, loc);
  }
  auto finishing = scf::IfOp::create(
      builder, loc, arith::AndIOp::create(builder, loc, firstRow, columnValid),
      false);
  builder.setInsertionPointToStart(&finishing.getThenRegion().front());
  SmallVector<Value> totals(*folded);
  if (mapping.threadsY > 1) {
    for (auto [index, out] : llvm::enumerate(outputs)) {
      auto loop =
          scf::ForOp::create(builder, loc, c(1), c(mapping.threadsY), c(1),
                             ValueRange{loadSlice(slices[index], c(0))});
      OpBuilder::InsertionGuard loopGuard(builder);
      builder.setInsertionPointToStart(loop.getBody());
      scf::YieldOp::create(
          builder, loc,
          emitter.combine(out.combiner, loop.getRegionIterArgs()[0],
                          loadSlice(slices[index], loop.getInductionVar())));
      totals[index] = loop.getResult(0);
    }
  }
  if (!finish) {
    for (auto [index, total] : llvm::enumerate(totals))
      storeVector(total, partials[index],
                  {partialIndex(launch.getBlockIds().y, column)});
  } else {
    // The reductions' values, with their initial values, then the ops over
    // the kept loops, in program order.
    emitter.setPoint(pointAt(c(0), column), width, /*slot=*/-1);
    for (auto [position, groupOp] : llvm::enumerate(group.ops)) {
      if (groupOp.role == GroupOpRole::Reduction) {
        SmallVector<Value> finals;
        for (auto [index, out] : llvm::enumerate(outputs)) {
          if (out.position != static_cast<int64_t>(position))
            continue;
          FailureOr<Value> init = emitter.reductionInit(position, out.output);
          if (failed(init))
            return failure();
          finals.push_back(emitter.combine(out.combiner, *init, totals[index]));
        }
        emitter.rowValues[position] = finals;
        emitter.storeRow(position, finals);
        continue;
      }
      if (groupOp.role != GroupOpRole::RowElementwise)
        continue;
      FailureOr<SmallVector<Value>> results = emitter.evaluate(position);
      if (failed(results))
        return failure();
      emitter.store(position, *results);
    }
  }
  endLaunch(builder, loc, launch);
  return success();
}

LogicalResult ColumnKernelBuilder::emit(const ColumnMapping &mapping) {
  if (mapping.split == 1) {
    chunks = c(1);
    return emitLaunch(mapping, {}, /*fromPartials=*/false, /*finish=*/true);
  }
  Value slices = arith::CeilDivUIOp::create(
      builder, loc, size(group.reducedLoop), c(mapping.threadsY));
  Value atLeastOne = arith::MaxUIOp::create(builder, loc, c(1), slices);
  chunks = arith::MinUIOp::create(builder, loc, c(mapping.split), atLeastOne);
  Value partialSize = chunks;
  for (int64_t loop = 0; loop < group.numLoops; ++loop)
    if (loop != group.reducedLoop)
      partialSize =
          arith::MulIOp::create(builder, loc, partialSize, size(loop));
  SmallVector<Scratch> scratch;
  SmallVector<Value> partials;
  for (const ReductionOutput &out : outputs) {
    scratch.push_back(
        allocateScratch(builder, loc, out.neutral.getType(), {partialSize}));
    partials.push_back(scratch.back().buffer);
  }
  if (failed(emitLaunch(mapping, partials, /*fromPartials=*/false,
                        /*finish=*/false)) ||
      failed(emitLaunch(mapping, partials, /*fromPartials=*/true,
                        /*finish=*/true)))
    return failure();
  for (const Scratch &buffer : scratch)
    freeScratch(builder, loc, buffer);
  return success();
}

} // namespace

LogicalResult gpu_codegen::lowerColumnReductionGroup(
    func::FuncOp func, const KernelGroup &group, TilingAttr tiling,
    OpBuilder &builder, ArrayRef<Value> loopSizes) {
  Location loc = group.root->getLoc();
  int64_t inner = group.numLoops - 1;
  ArrayRef<int64_t> blockTile = tiling.getBlockTile();
  int64_t width = tiling.getVectorWidth();
  if (tiling.getReduction() != ReductionStrategy::Column ||
      static_cast<int64_t>(blockTile.size()) != group.numLoops)
    return emitCodegenError(func, KernelKind::Reduction,
                            "the tiling is not a column reduction of the "
                            "group's loops");
  ColumnMapping mapping;
  mapping.threadsY = blockTile[group.reducedLoop];
  mapping.threadsX = blockTile[inner] / width;
  mapping.split = tiling.getSplit();
  if (mapping.threadsX < 1 || mapping.threadsY < 1 ||
      mapping.threadsX * width != blockTile[inner] ||
      mapping.threadsX * mapping.threadsY != tiling.getThreads())
    return emitCodegenError(func, KernelKind::Reduction,
                            "the column tiling's block does not match its "
                            "threads");
  ColumnKernelBuilder kernels(group, builder, loc, loopSizes);
  LogicalResult result = success();
  // The scalar twin keeps the block's threads.
  emitVectorizedIfAligned(builder, loc, group.externalBuffers, loopSizes.back(),
                          width, [&](int64_t w) {
                            ColumnMapping chosen = mapping;
                            chosen.width = w;
                            if (failed(kernels.emit(chosen)))
                              result = failure();
                          });
  if (failed(result))
    return emitCodegenError(func, KernelKind::Reduction,
                            "a value of the group could not be computed");
  return success();
}
