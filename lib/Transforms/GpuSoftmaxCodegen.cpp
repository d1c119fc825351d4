//===- GpuSoftmaxCodegen.cpp - GPU kernels for softmax variants -----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Softmax over the last dimension, with the row strategies of the row
// reductions (a warp or a block of threads per row). Two kernels per
// variant, chosen on the host by the row length:
// - persistent: a row that fits in the registers of its threads (the
//   tiling's thread tile of the row: up to 8 vectors per thread) is loaded
//   once, its maximum and sum of
//   exponentials reduced from the registers, and the outputs written: one
//   read and one write per element, the memory-bound minimum;
// - looped: longer rows take three passes (maximum, sum, outputs), reading
//   the input three times.
// Both have a vectorized form (16-byte accesses) for aligned buffers whose
// rows are a multiple of the vector, and a scalar form otherwise.
//
//===----------------------------------------------------------------------===//

#include "GpuCodegen.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace mlir::multikernel;
using namespace mlir::multikernel::gpu_codegen;

namespace {

/// Softmax splits rows from 2 blocks per row on (reductions from
/// kMinSplit): a block per row reads its row three times when it does not
/// fit in registers, which costs more than the second launch of a split.
constexpr int64_t kMinSoftmaxSplit = 2;

Value floatConstant(OpBuilder &builder, Location loc, FloatType type,
                    double value) {
  return arith::ConstantOp::create(builder, loc,
                                   builder.getFloatAttr(type, value));
}

/// `scalar` as a value of `type` (a vector: splatted).
Value broadcastTo(OpBuilder &builder, Location loc, Type type, Value scalar) {
  if (type == scalar.getType())
    return scalar;
  return vector::BroadcastOp::create(builder, loc, type, scalar);
}

/// Folds the elements of `value` (a scalar, or each lane of a vector) into
/// `acc` with `fold`.
Value foldElements(OpBuilder &builder, Location loc, Value value, Value acc,
                   function_ref<Value(Value, Value)> fold) {
  auto vectorType = dyn_cast<VectorType>(value.getType());
  if (!vectorType)
    return fold(acc, value);
  for (int64_t i = 0; i < vectorType.getNumElements(); ++i)
    acc = fold(acc, vector::ExtractOp::create(builder, loc, value, i));
  return acc;
}

/// One launch of softmax over rows that fit in the registers of their
/// threads (n <= lanes * width * rowVectors): each thread loads its
/// vectors once (columns lane*width + r*lanes*width), reduces the maximum
/// and the sum of exponentials over them and the row, and writes
/// exp(x - max) / sum for the columns that exist.
void emitPersistentSoftmaxLaunch(OpBuilder &builder, Location loc, Value input,
                                 Value output, Value rows, Value n,
                                 bool warpPerRow, int64_t threads,
                                 int64_t width, int64_t rowVectors) {
  OpBuilder::InsertionGuard guard(builder);
  auto elementType =
      cast<FloatType>(cast<MemRefType>(output.getType()).getElementType());
  Type valueType = width > 1 ? Type(VectorType::get({width}, elementType))
                             : Type(elementType);
  Value buffers[] = {input, output};
  RowLaunch rowLaunch =
      beginRowLaunch(builder, loc, rows, warpPerRow, threads, width, buffers);
  input = buffers[0];
  output = buffers[1];
  Value row = rowLaunch.row;
  Value lowest = floatConstant(builder, loc, elementType,
                               -std::numeric_limits<double>::infinity());
  Value first = arith::MulIOp::create(builder, loc, rowLaunch.lane,
                                      indexConstant(builder, loc, width));

  auto maximum = [&](OpBuilder &b, Value x, Value y) -> Value {
    return arith::MaximumFOp::create(b, loc, x, y);
  };
  auto add = [&](OpBuilder &b, Value x, Value y) -> Value {
    return arith::AddFOp::create(b, loc, x, y);
  };
  // Each slot's work is guarded by whether its columns exist, so that
  // threads whose row is much shorter than the capacity pay a compare and
  // a branch per missing slot, not its exponentials.
  Type slotTypes[] = {valueType, elementType};
  auto guardedSlot = [&](Value exists, Value absent, Value absentFold,
                         function_ref<std::pair<Value, Value>()> compute) {
    auto slot = scf::IfOp::create(builder, loc, slotTypes, exists, true);
    OpBuilder::InsertionGuard slotGuard(builder);
    builder.setInsertionPointToStart(&slot.getThenRegion().front());
    auto [value, folded] = compute();
    scf::YieldOp::create(builder, loc, ValueRange{value, folded});
    builder.setInsertionPointToStart(&slot.getElseRegion().front());
    scf::YieldOp::create(builder, loc, ValueRange{absent, absentFold});
    return std::make_pair(slot.getResult(0), slot.getResult(1));
  };

  // Load the row, once; each slot's maximum on the way.
  SmallVector<Value> columns, inRow, values;
  Value max = lowest;
  for (int64_t r = 0; r < rowVectors; ++r) {
    Value column = arith::AddIOp::create(
        builder, loc, first,
        indexConstant(builder, loc, r * rowLaunch.lanes * width));
    // n is a multiple of the width here: a vector is wholly in or out.
    Value exists = arith::CmpIOp::create(builder, loc,
                                         arith::CmpIPredicate::ult, column, n);
    auto [value, slotMax] = guardedSlot(
        exists, broadcastTo(builder, loc, valueType, lowest), lowest, [&] {
          Value loaded =
              width > 1 ? vector::LoadOp::create(
                              builder, loc, cast<VectorType>(valueType), input,
                              ValueRange{row, column}, /*nontemporal=*/false,
                              vectorAlignment(cast<VectorType>(valueType)))
                              .getResult()
                        : memref::LoadOp::create(builder, loc, input,
                                                 ValueRange{row, column})
                              .getResult();
          Value folded = foldElements(
              builder, loc, loaded, lowest,
              [&](Value acc, Value x) { return maximum(builder, acc, x); });
          return std::make_pair(loaded, folded);
        });
    max = maximum(builder, max, slotMax);
    columns.push_back(column);
    inRow.push_back(exists);
    values.push_back(value);
  }
  max = reduceRow(builder, loc, max, warpPerRow,
                  gpu::AllReduceOperation::MAXIMUMF, maximum);

  // The exponentials stay in registers; their sum.
  Value maxValue = broadcastTo(builder, loc, valueType, max);
  Value zero = floatConstant(builder, loc, elementType, 0.0);
  Value sum = zero;
  for (int64_t r = 0; r < rowVectors; ++r) {
    auto [exponential, slotSum] = guardedSlot(
        inRow[r], broadcastTo(builder, loc, valueType, zero), zero, [&] {
          Value e = math::ExpOp::create(
              builder, loc,
              arith::SubFOp::create(builder, loc, values[r], maxValue));
          Value folded =
              foldElements(builder, loc, e, zero, [&](Value acc, Value x) {
                return add(builder, acc, x);
              });
          return std::make_pair(e, folded);
        });
    values[r] = exponential;
    sum = add(builder, sum, slotSum);
  }
  sum = reduceRow(builder, loc, sum, warpPerRow, gpu::AllReduceOperation::ADD,
                  add);
  Value inverse = arith::DivFOp::create(
      builder, loc, floatConstant(builder, loc, elementType, 1.0), sum);
  Value inverseValue = broadcastTo(builder, loc, valueType, inverse);

  // Store the columns that exist.
  for (int64_t r = 0; r < rowVectors; ++r) {
    auto store = scf::IfOp::create(builder, loc, inRow[r], false);
    OpBuilder::InsertionGuard storeGuard(builder);
    builder.setInsertionPointToStart(&store.getThenRegion().front());
    Value result = arith::MulFOp::create(builder, loc, values[r], inverseValue);
    if (width > 1)
      vector::StoreOp::create(
          builder, loc, result, output, ValueRange{row, columns[r]},
          /*nontemporal=*/false, vectorAlignment(cast<VectorType>(valueType)));
    else
      memref::StoreOp::create(builder, loc, result, output,
                              ValueRange{row, columns[r]});
  }
  endLaunch(builder, loc, rowLaunch.launch);
}

/// Writes exp(x - max) * inverse for the elements [row, begin + lane*width
/// + k*lanes*width ...) up to `end` (`begin` null: 0), `width` per access.
void writeOutputs(OpBuilder &builder, Location loc, Value input, Value output,
                  Value row, Value lane, Value begin, Value end, int64_t lanes,
                  int64_t width, Value max, Value inverse) {
  OpBuilder::InsertionGuard guard(builder);
  auto elementType =
      cast<FloatType>(cast<MemRefType>(output.getType()).getElementType());
  Value start = arith::MulIOp::create(builder, loc, lane,
                                      indexConstant(builder, loc, width));
  if (begin)
    start = arith::AddIOp::create(builder, loc, begin, start);
  auto writeLoop = scf::ForOp::create(
      builder, loc, start, end, indexConstant(builder, loc, lanes * width));
  builder.setInsertionPointToStart(writeLoop.getBody());
  Value column = writeLoop.getInductionVar();
  if (width > 1) {
    auto type = VectorType::get({width}, elementType);
    Value x = vector::LoadOp::create(builder, loc, type, input,
                                     ValueRange{row, column}, false,
                                     vectorAlignment(type));
    Value shifted = arith::SubFOp::create(
        builder, loc, x, vector::BroadcastOp::create(builder, loc, type, max));
    Value result = arith::MulFOp::create(
        builder, loc, math::ExpOp::create(builder, loc, shifted),
        vector::BroadcastOp::create(builder, loc, type, inverse));
    vector::StoreOp::create(builder, loc, result, output,
                            ValueRange{row, column}, false,
                            vectorAlignment(type));
  } else {
    Value x =
        memref::LoadOp::create(builder, loc, input, ValueRange{row, column});
    Value result = arith::MulFOp::create(
        builder, loc,
        math::ExpOp::create(builder, loc,
                            arith::SubFOp::create(builder, loc, x, max)),
        inverse);
    memref::StoreOp::create(builder, loc, result, output,
                            ValueRange{row, column});
  }
}

/// One launch of softmax over the rows of `input` into `output` (both
/// [rows, n]) for rows of any length: the row maximum, the sum of
/// exponentials, then the outputs, each a pass over the row by the threads
/// of the row (the input is read three times).
void emitLoopedSoftmaxLaunch(OpBuilder &builder, Location loc, Value input,
                             Value output, Value rows, Value n, bool warpPerRow,
                             int64_t threads, int64_t width) {
  OpBuilder::InsertionGuard guard(builder);
  auto elementType =
      cast<FloatType>(cast<MemRefType>(output.getType()).getElementType());
  Value buffers[] = {input, output};
  RowLaunch rowLaunch =
      beginRowLaunch(builder, loc, rows, warpPerRow, threads, width, buffers);
  input = buffers[0];
  output = buffers[1];
  Value lane = rowLaunch.lane, row = rowLaunch.row;
  int64_t lanes = rowLaunch.lanes;

  auto maximum = [&](OpBuilder &b, Value x, Value y) -> Value {
    return arith::MaximumFOp::create(b, loc, x, y);
  };
  auto add = [&](OpBuilder &b, Value x, Value y) -> Value {
    return arith::AddFOp::create(b, loc, x, y);
  };
  Value lowest = arith::ConstantOp::create(
      builder, loc,
      builder.getFloatAttr(elementType,
                           -std::numeric_limits<double>::infinity()));
  Value zero = arith::ConstantOp::create(
      builder, loc, builder.getFloatAttr(elementType, 0.0));
  Value max =
      foldRow(builder, loc, input, row, lane, n, lanes, width, lowest, maximum);
  max = reduceRow(builder, loc, max, warpPerRow,
                  gpu::AllReduceOperation::MAXIMUMF, maximum);
  Value sum = foldRow(builder, loc, input, row, lane, n, lanes, width, zero,
                      [&](OpBuilder &b, Value acc, Value x) -> Value {
                        Value shifted = arith::SubFOp::create(b, loc, x, max);
                        return arith::AddFOp::create(
                            b, loc, acc, math::ExpOp::create(b, loc, shifted));
                      });
  sum = reduceRow(builder, loc, sum, warpPerRow, gpu::AllReduceOperation::ADD,
                  add);
  Value inverse = arith::DivFOp::create(
      builder, loc,
      arith::ConstantOp::create(builder, loc,
                                builder.getFloatAttr(elementType, 1.0)),
      sum);

  writeOutputs(builder, loc, input, output, row, lane, Value(), n, lanes, width,
               max, inverse);
  endLaunch(builder, loc, rowLaunch.launch);
}

/// Softmax for few long rows, split over `split` blocks per row in two
/// launches: each block reduces its chunk to a maximum and a sum of
/// exponentials relative to it, into a scratch buffer [rows, 2 * split]; then
/// each block combines the row's partials (in order: deterministic) into the
/// row's maximum and sum, and writes its chunk's outputs. The input is read
/// three times, but by every multiprocessor.
void emitSplitSoftmaxLaunches(OpBuilder &builder, Location loc, Value input,
                              Value output, Value rows, Value n, Value split,
                              int64_t threads, int64_t width) {
  OpBuilder::InsertionGuard guard(builder);
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  auto elementType =
      cast<FloatType>(cast<MemRefType>(output.getType()).getElementType());
  Value twice = arith::MulIOp::create(builder, loc, split, c(2));
  Scratch scratch =
      allocateScratch(builder, loc, elementType, ValueRange{rows, twice});
  Value partials = scratch.buffer;
  auto maximum = [&](OpBuilder &b, Value x, Value y) -> Value {
    return arith::MaximumFOp::create(b, loc, x, y);
  };
  auto add = [&](OpBuilder &b, Value x, Value y) -> Value {
    return arith::AddFOp::create(b, loc, x, y);
  };

  Value lowest = floatConstant(builder, loc, elementType,
                               -std::numeric_limits<double>::infinity());
  Value zero = floatConstant(builder, loc, elementType, 0.0);

  // Stage 1: the chunk's maximum and its sum of exp(x - maximum), in one
  // read of the chunk ("online": each thread rescales its running sum when
  // its maximum grows), then over the block: the maximum, and the threads'
  // sums rescaled to it.
  {
    OpBuilder::InsertionGuard launchGuard(builder);
    Value buffers[] = {input};
    ChunkLaunch chunk =
        beginChunkLaunch(builder, loc, rows, n, split, threads, width, buffers);
    Value in = buffers[0];
    Value lane = chunk.launch.getThreadIds().x;
    Value start = arith::AddIOp::create(
        builder, loc, chunk.begin,
        arith::MulIOp::create(builder, loc, lane, c(width)));
    auto loop =
        scf::ForOp::create(builder, loc, start, chunk.end, c(threads * width),
                           ValueRange{lowest, zero});
    {
      OpBuilder::InsertionGuard loopGuard(builder);
      builder.setInsertionPointToStart(loop.getBody());
      Value column = loop.getInductionVar();
      SmallVector<Value> elements;
      if (width > 1) {
        auto type = VectorType::get({width}, elementType);
        Value vector = vector::LoadOp::create(builder, loc, type, in,
                                              ValueRange{chunk.row, column},
                                              false, vectorAlignment(type));
        for (int64_t i = 0; i < width; ++i)
          elements.push_back(
              vector::ExtractOp::create(builder, loc, vector, i));
      } else {
        elements.push_back(memref::LoadOp::create(
            builder, loc, in, ValueRange{chunk.row, column}));
      }
      Value max = loop.getRegionIterArgs()[0];
      Value sum = loop.getRegionIterArgs()[1];
      Value grown = max;
      for (Value x : elements)
        grown = maximum(builder, grown, x);
      // A thread that has seen nothing yet (sum 0, maximum -inf) has nothing
      // to rescale, and exp(-inf - -inf) would be NaN.
      Value empty = arith::CmpFOp::create(builder, loc,
                                          arith::CmpFPredicate::OEQ, sum, zero);
      Value rescale = math::ExpOp::create(
          builder, loc, arith::SubFOp::create(builder, loc, max, grown));
      sum = arith::SelectOp::create(
          builder, loc, empty, zero,
          arith::MulFOp::create(builder, loc, sum, rescale));
      for (Value x : elements)
        sum = add(
            builder, sum,
            math::ExpOp::create(builder, loc,
                                arith::SubFOp::create(builder, loc, x, grown)));
      scf::YieldOp::create(builder, loc, ValueRange{grown, sum});
    }
    Value threadMax = loop.getResult(0), threadSum = loop.getResult(1);
    Value max = reduceRow(builder, loc, threadMax, /*warpPerRow=*/false,
                          gpu::AllReduceOperation::MAXIMUMF, maximum);
    Value threadEmpty = arith::CmpFOp::create(
        builder, loc, arith::CmpFPredicate::OEQ, threadSum, zero);
    Value rescaled = arith::SelectOp::create(
        builder, loc, threadEmpty, zero,
        arith::MulFOp::create(
            builder, loc, threadSum,
            math::ExpOp::create(
                builder, loc,
                arith::SubFOp::create(builder, loc, threadMax, max))));
    Value sum = reduceRow(builder, loc, rescaled, /*warpPerRow=*/false,
                          gpu::AllReduceOperation::ADD, add);
    Value first = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                        lane, c(0));
    auto write = scf::IfOp::create(builder, loc, first, false);
    builder.setInsertionPointToStart(&write.getThenRegion().front());
    memref::StoreOp::create(builder, loc, max, partials,
                            ValueRange{chunk.row, chunk.part});
    memref::StoreOp::create(
        builder, loc, sum, partials,
        ValueRange{chunk.row,
                   arith::AddIOp::create(builder, loc, split, chunk.part)});
    endLaunch(builder, loc, chunk.launch);
  }

  // Stage 2: the row's maximum and sum from the partials, then the chunk's
  // outputs. An empty chunk's partial (-inf, 0) adds nothing.
  {
    OpBuilder::InsertionGuard launchGuard(builder);
    Value buffers[] = {input, output};
    ChunkLaunch chunk =
        beginChunkLaunch(builder, loc, rows, n, split, threads, width, buffers);
    auto maxLoop =
        scf::ForOp::create(builder, loc, c(0), split, c(1), ValueRange{lowest});
    {
      OpBuilder::InsertionGuard loopGuard(builder);
      builder.setInsertionPointToStart(maxLoop.getBody());
      Value partial = memref::LoadOp::create(
          builder, loc, partials,
          ValueRange{chunk.row, maxLoop.getInductionVar()});
      scf::YieldOp::create(
          builder, loc,
          maximum(builder, maxLoop.getRegionIterArgs().front(), partial));
    }
    Value max = maxLoop.getResult(0);
    auto sumLoop =
        scf::ForOp::create(builder, loc, c(0), split, c(1), ValueRange{zero});
    {
      OpBuilder::InsertionGuard loopGuard(builder);
      builder.setInsertionPointToStart(sumLoop.getBody());
      Value p = sumLoop.getInductionVar();
      Value partialMax = memref::LoadOp::create(builder, loc, partials,
                                                ValueRange{chunk.row, p});
      Value partialSum = memref::LoadOp::create(
          builder, loc, partials,
          ValueRange{chunk.row, arith::AddIOp::create(builder, loc, split, p)});
      Value scaled = arith::MulFOp::create(
          builder, loc, partialSum,
          math::ExpOp::create(
              builder, loc,
              arith::SubFOp::create(builder, loc, partialMax, max)));
      scf::YieldOp::create(
          builder, loc,
          add(builder, sumLoop.getRegionIterArgs().front(), scaled));
    }
    Value inverse = arith::DivFOp::create(
        builder, loc, floatConstant(builder, loc, elementType, 1.0),
        sumLoop.getResult(0));
    writeOutputs(builder, loc, buffers[0], buffers[1], chunk.row,
                 chunk.launch.getThreadIds().x, chunk.begin, chunk.end, threads,
                 width, max, inverse);
    endLaunch(builder, loc, chunk.launch);
  }
  freeScratch(builder, loc, scratch);
}

} // namespace

LogicalResult gpu_codegen::generateSoftmax(func::FuncOp func, TilingAttr tiling,
                                           int64_t smCount) {
  auto fail = [&](const Twine &why) {
    return emitCodegenError(func, "softmax", why);
  };
  auto op = getSoleOp<linalg::SoftmaxOp>(func);
  if (!op)
    return fail("expected exactly one linalg.softmax in the variant");
  Value inputRoot = wholeContiguousArgument(func, op.getInput());
  Value outputRoot = wholeContiguousArgument(func, op.getOutput());
  for (Value root : {inputRoot, outputRoot})
    if (!root || !isa<FloatType>(getElementTypeOrSelf(root.getType())))
      return fail("operands must be whole, contiguous float memrefs");
  int64_t rank = cast<MemRefType>(inputRoot.getType()).getRank();
  if (rank < 2)
    return fail("softmax of a vector (rank 1) is not supported");

  Block &entry = func.front();
  Location loc = op.getLoc();
  eraseEntryOpsExcept(entry, [](Operation &) { return false; });
  OpBuilder builder(entry.getTerminator());
  Value input = inputRoot, output = outputRoot;
  if (rank > 2) {
    SmallVector<ReassociationIndices> groups(2);
    for (int64_t d = 0; d + 1 < rank; ++d)
      groups[0].push_back(d);
    groups[1].push_back(rank - 1);
    input = memref::CollapseShapeOp::create(builder, loc, input, groups);
    output = memref::CollapseShapeOp::create(builder, loc, output, groups);
  }
  Value rows = memref::DimOp::create(builder, loc, input, 0);
  Value n = memref::DimOp::create(builder, loc, input, 1);
  bool warp = tiling.getReduction() == "warp";
  int64_t threads = tiling.getThreads();
  int64_t width = tiling.getVectorWidth();
  int64_t lanes = warp ? 32 : threads;
  // The elements of its row each thread keeps in registers (rule R4), as
  // vectors of the kernel's width (more, narrower slots in the scalar one).
  ArrayRef<int64_t> threadTile = tiling.getThreadTile();
  int64_t rowElements = threadTile.empty() ? width : threadTile.back();
  if (tiling.getReduction() == "split") {
    std::pair<Value, scf::IfOp> choice =
        beginSplitChoice(builder, loc, rows, n, smCount, kMinSoftmaxSplit);
    Value split = choice.first;
    scf::IfOp chooseSplit = choice.second;
    emitVectorizedIfAligned(
        builder, loc, {input, output}, n, width, [&](int64_t w) {
          emitSplitSoftmaxLaunches(builder, loc, input, output, rows, n, split,
                                   threads, w);
        });
    builder.setInsertionPointToStart(&chooseSplit.getElseRegion().front());
  }
  emitVectorizedIfAligned(
      builder, loc, {input, output}, n, width, [&](int64_t w) {
        // Rows that fit the threads' registers take the one-pass kernel.
        int64_t rowVectors = std::max<int64_t>(1, rowElements / w);
        Value capacity = indexConstant(builder, loc, lanes * w * rowVectors);
        Value fits = arith::CmpIOp::create(
            builder, loc, arith::CmpIPredicate::ule, n, capacity);
        auto choose = scf::IfOp::create(builder, loc, fits, true);
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPointToStart(&choose.getThenRegion().front());
        emitPersistentSoftmaxLaunch(builder, loc, input, output, rows, n, warp,
                                    threads, w, rowVectors);
        builder.setInsertionPointToStart(&choose.getElseRegion().front());
        emitLoopedSoftmaxLaunch(builder, loc, input, output, rows, n, warp,
                                threads, w);
      });
  return success();
}
