//===- ElementwiseStrategy.cpp - groups without reductions ----------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// A group of elementwise ops (with fills, broadcasts, transposes and
// constant-index maps) becomes one kernel over its loops.
//
// Where every access of the group is the identity of its loops (the seed
// kernel, x*2+sin(y)), the loops are flattened to one contiguous index: the
// form that reached the copy bandwidth on the H100 and the H200 (each thread
// handles `vector_width`-wide vectors, consecutive threads consecutive
// vectors, a guarded scalar tail). Where the accesses keep the loops in
// order (broadcasts, constant indices: a bias), the vector kernel is the
// same flat traversal, each vector's loop indices recovered from its flat
// index. Otherwise (a transpose, and the scalar twin of the ordered form)
// the kernel runs over rows (all
// loops but the innermost, delinearized) and the innermost loop: thread x
// along the innermost loop (`vector_width` elements each, 16-byte accesses
// for the buffers it indexes last), thread y and the block's rows over the
// rows; a buffer that does not depend on the innermost loop (a row-broadcast
// bias) is read once per vector and broadcast, a transposed one is gathered.
//
// Both forms have a scalar twin that the host launches when a buffer is not
// 16-byte aligned (or the innermost size is not a multiple of the width).
//
// Where the tiling says `transpose_loop` (inputs contiguous along another
// loop than the innermost, all along that one), blocks stage those inputs
// through workgroup memory instead of gathering them: read with
// consecutive threads along their contiguous loop, then computed and
// stored with consecutive threads along the innermost loop; calls of one
// row or one column, where every buffer is contiguous along the other
// loop, skip the staging. Its accesses are scalar.
//
//===----------------------------------------------------------------------===//

#include "GpuCodegen.h"
#include "GroupEmitter.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::multikernel;
using namespace mlir::multikernel::gpu_codegen;

namespace {

/// Whether every access of the group is the identity of the group's loops.
bool isFlat(const KernelGroup &group) {
  if (group.usesLinalgIndex)
    return false;
  return llvm::all_of(group.ops, [&](const GroupOp &groupOp) {
    linalg::LinalgOp op = groupOp.op;
    return op.getNumLoops() == static_cast<unsigned>(group.numLoops) &&
           llvm::all_of(op.getIndexingMapsArray(),
                        [](AffineMap map) { return map.isIdentity(); });
  });
}

/// Whether every access of the group keeps its loops in order: each
/// indexing map's results are loops in increasing order or constants
/// (identities, broadcasts such as a bias indexed by the innermost loop or a
/// per-row value, constant-index maps), no transposes. Such a group is
/// traversed flat too, each point's loop indices recovered from its flat
/// index: a vector of consecutive innermost elements then reads each buffer
/// contiguously (or broadcasts one value), whatever the shape, where the
/// rows form's tile shape follows the hint (a bias-add tiled for rows of 48
/// ran at 53% of the copy bandwidth on rows of 96 on the H200).
bool hasOrderedAccesses(const KernelGroup &group) {
  if (group.usesLinalgIndex)
    return false;
  return llvm::all_of(group.ops, [&](const GroupOp &groupOp) {
    linalg::LinalgOp op = groupOp.op;
    if (op.getNumLoops() != static_cast<unsigned>(group.numLoops))
      return false;
    return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
      int64_t last = -1;
      for (AffineExpr result : map.getResults()) {
        if (isa<AffineConstantExpr>(result))
          continue;
        auto dim = dyn_cast<AffineDimExpr>(result);
        if (!dim || static_cast<int64_t>(dim.getPosition()) <= last)
          return false;
        last = dim.getPosition();
      }
      return true;
    });
  });
}

/// The loop indices of the flat index `flat` over loops of `sizes`
/// (row-major).
SmallVector<Value> delinearize(OpBuilder &builder, Location loc, Value flat,
                               ArrayRef<Value> sizes) {
  SmallVector<Value> loops(sizes.size());
  Value rest = flat;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i > 0; --i) {
    loops[i] = arith::RemUIOp::create(builder, loc, rest, sizes[i]);
    rest = arith::DivUIOp::create(builder, loc, rest, sizes[i]);
  }
  loops[0] = rest;
  return loops;
}

/// The values of every iterated op of the group at the emitter's point.
using PointResults = SmallVector<std::pair<int64_t, SmallVector<Value>>>;
FailureOr<PointResults> evaluatePoint(const KernelGroup &group,
                                      GroupEmitter &emitter) {
  PointResults results;
  for (auto [position, groupOp] : llvm::enumerate(group.ops)) {
    if (groupOp.role != GroupOpRole::Elementwise)
      continue;
    FailureOr<SmallVector<Value>> values = emitter.evaluate(position);
    if (failed(values))
      return failure();
    results.push_back({static_cast<int64_t>(position), *values});
  }
  return results;
}

/// Stores `results` at the emitter's point where `storeGuard` (if given)
/// holds.
void storePoint(OpBuilder &builder, Location loc, GroupEmitter &emitter,
                const PointResults &results, Value storeGuard = Value()) {
  OpBuilder::InsertionGuard guard(builder);
  if (storeGuard) {
    auto guarded = scf::IfOp::create(builder, loc, storeGuard, false);
    builder.setInsertionPointToStart(&guarded.getThenRegion().front());
  }
  for (auto &[position, values] : results)
    emitter.store(position, values);
}

/// Computes every iterated op of the group at the emitter's point, then
/// stores the results where `storeGuard` (if given) holds: the loads of
/// several points of a thread are then all in flight before their stores.
LogicalResult computePoint(OpBuilder &builder, Location loc,
                           const KernelGroup &group, GroupEmitter &emitter,
                           Value storeGuard = Value()) {
  FailureOr<PointResults> results = evaluatePoint(group, emitter);
  if (failed(results))
    return failure();
  storePoint(builder, loc, emitter, *results, storeGuard);
  return success();
}

/// The flat kernel: `vectorsPerThread` vectors of `width` per thread. With
/// `flatBuffers`, every buffer is indexed by the flat index; without, each
/// point's loop indices are recovered from it over `sizes` (a vector then
/// stays within one row: the host launches this kernel only where the
/// innermost size is a multiple of `width`).
LogicalResult emitFlatLaunch(OpBuilder &builder, Location loc,
                             const KernelGroup &group,
                             const llvm::DenseMap<Value, Value> *flatBuffers,
                             ArrayRef<Value> sizes, Value total,
                             int64_t threads, int64_t vectorsPerThread,
                             int64_t width) {
  OpBuilder::InsertionGuard guard(builder);
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  int64_t chunk = threads * vectorsPerThread * width;
  Value grid = arith::CeilDivUIOp::create(builder, loc, total, c(chunk));
  auto launch = gpu::LaunchOp::create(builder, loc, grid, c(1), c(1),
                                      c(threads), c(1), c(1));
  builder.setInsertionPointToStart(&launch.getBody().front());
  Value blockStart =
      arith::MulIOp::create(builder, loc, launch.getBlockIds().x, c(chunk));
  Value threadStart =
      arith::MulIOp::create(builder, loc, launch.getThreadIds().x, c(width));
  Value base = arith::AddIOp::create(builder, loc, blockStart, threadStart);
  auto loop = scf::ForOp::create(builder, loc, c(0), c(vectorsPerThread), c(1));
  builder.setInsertionPointToStart(loop.getBody());
  Value index = arith::AddIOp::create(
      builder, loc, base,
      arith::MulIOp::create(builder, loc, loop.getInductionVar(),
                            c(threads * width)));
  GroupEmitter emitter(group, builder, loc);
  auto setPoint = [&](Value flat, int64_t w) {
    if (flatBuffers)
      emitter.setFlatPoint(flat, w, flatBuffers);
    else
      emitter.setPoint(delinearize(builder, loc, flat, sizes), w);
  };
  LogicalResult result = success();
  if (width == 1) {
    Value inBounds = arith::CmpIOp::create(
        builder, loc, arith::CmpIPredicate::ult, index, total);
    auto inRange = scf::IfOp::create(builder, loc, inBounds, false);
    builder.setInsertionPointToStart(&inRange.getThenRegion().front());
    setPoint(index, 1);
    result = computePoint(builder, loc, group, emitter);
  } else {
    Value end = arith::AddIOp::create(builder, loc, index, c(width));
    Value full = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ule,
                                       end, total);
    auto split = scf::IfOp::create(builder, loc, full, true);
    builder.setInsertionPointToStart(&split.getThenRegion().front());
    setPoint(index, width);
    result = computePoint(builder, loc, group, emitter);
    // The tail: the last partial vector, one element at a time.
    builder.setInsertionPointToStart(&split.getElseRegion().front());
    Value start = arith::MinUIOp::create(builder, loc, index, total);
    auto tail = scf::ForOp::create(builder, loc, start, total, c(1));
    builder.setInsertionPointToStart(tail.getBody());
    emitter.clearCache();
    setPoint(tail.getInductionVar(), 1);
    if (failed(computePoint(builder, loc, group, emitter)))
      result = failure();
  }
  builder.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(builder, loc);
  return result;
}

/// The kernel over rows and the innermost loop.
LogicalResult emitRowsLaunch(OpBuilder &builder, Location loc,
                             const KernelGroup &group, ArrayRef<Value> sizes,
                             Value rows, int64_t threadsX, int64_t threadsY,
                             int64_t rowsPerThread, int64_t width) {
  OpBuilder::InsertionGuard guard(builder);
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  Value inner = sizes.back();
  int64_t rowsPerBlock = threadsY * rowsPerThread;
  Value gridX = arith::CeilDivUIOp::create(builder, loc, rows, c(rowsPerBlock));
  // The grid's y dimension has at most 65535 blocks: longer rows are
  // covered by a loop.
  Value columnBlocks =
      arith::CeilDivUIOp::create(builder, loc, inner, c(threadsX * width));
  Value gridY = arith::MinUIOp::create(builder, loc, columnBlocks, c(65535));
  auto launch = gpu::LaunchOp::create(builder, loc, gridX, gridY, c(1),
                                      c(threadsX), c(threadsY), c(1));
  builder.setInsertionPointToStart(&launch.getBody().front());
  Value blockColumn =
      arith::MulIOp::create(builder, loc, launch.getBlockIds().y, c(threadsX));
  Value firstVector =
      arith::AddIOp::create(builder, loc, blockColumn, launch.getThreadIds().x);
  Value firstColumn =
      arith::MulIOp::create(builder, loc, firstVector, c(width));
  Value columnStep = arith::MulIOp::create(builder, loc, launch.getGridSize().y,
                                           c(threadsX * width));
  auto columns =
      scf::ForOp::create(builder, loc, firstColumn, inner, columnStep);
  builder.setInsertionPointToStart(columns.getBody());
  Value firstRow = arith::AddIOp::create(
      builder, loc,
      arith::MulIOp::create(builder, loc, launch.getBlockIds().x,
                            c(rowsPerBlock)),
      launch.getThreadIds().y);
  GroupEmitter emitter(group, builder, loc);
  LogicalResult result = success();
  Value lastRow = arith::SubIOp::create(builder, loc, rows, c(1));
  for (int64_t r = 0; r < rowsPerThread; ++r) {
    // A row past the end computes the last row again and stores nothing:
    // the rows' loads need no branch around them.
    Value row = arith::AddIOp::create(builder, loc, firstRow, c(r * threadsY));
    Value inRange = arith::CmpIOp::create(builder, loc,
                                          arith::CmpIPredicate::ult, row, rows);
    row = arith::MinUIOp::create(builder, loc, row, lastRow);
    SmallVector<Value> loops;
    Value rest = row;
    for (int64_t i = static_cast<int64_t>(sizes.size()) - 2; i >= 0; --i) {
      if (i == 0) {
        loops.push_back(rest);
        break;
      }
      loops.push_back(arith::RemUIOp::create(builder, loc, rest, sizes[i]));
      rest = arith::DivUIOp::create(builder, loc, rest, sizes[i]);
    }
    std::reverse(loops.begin(), loops.end());
    loops.push_back(columns.getInductionVar());
    emitter.clearCache();
    emitter.setPoint(loops, width);
    if (failed(computePoint(builder, loc, group, emitter, inRange)))
      result = failure();
    emitter.clearCache();
  }
  builder.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(builder, loc);
  return result;
}

/// How the kernel of a transposing tiling shapes a call's tiles: `tileAlong`
/// points of loop `along` by `tileInner` of the innermost loop (Whole), or
/// the same number of points in another shape for a call shorter than that
/// along `along`: the power of two of points that covers it along it, the
/// rest along the innermost loop, computed on the host (Reshaped); a
/// single point along `along` (OneRow) or along the innermost loop
/// (OneColumn), where every buffer is contiguous along the other loop and
/// nothing is staged.
enum class CallTile { Whole, Reshaped, OneRow, OneColumn };

/// The kernel that stages the group's transposed inputs through workgroup
/// memory (`transpose_loop`): one block per tile (`callTile`), for one
/// index of the other loops (a 1-D grid, the innermost tile fastest).
/// First the block reads each transposed input with consecutive threads
/// along `along`, where it is contiguous, into a tile with rows one element
/// longer than the tile's (so that the threads' column of it falls in
/// distinct banks); then consecutive threads take consecutive points of the
/// innermost loop, where the other buffers are contiguous, and read the
/// staged values back. Points past the loops' ends load at the last index
/// and store nothing.
LogicalResult emitTransposeLaunch(OpBuilder &builder, Location loc,
                                  const KernelGroup &group,
                                  ArrayRef<Value> sizes, int64_t along,
                                  int64_t tileAlong, int64_t tileInner,
                                  int64_t threads, CallTile callTile) {
  OpBuilder::InsertionGuard guard(builder);
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  int64_t rank = group.numLoops, innermost = rank - 1;
  int64_t points = tileAlong * tileInner;
  int64_t pointsLog2 = llvm::Log2_64(points);
  SmallVector<int64_t> otherLoops;
  for (int64_t loop = 0; loop < innermost; ++loop)
    if (loop != along)
      otherLoops.push_back(loop);

  // The call's tile: 2^alongLog2 points along `along`, the rest along the
  // innermost loop. All but reshaped tiles have constant shapes, which the
  // kernel's index arithmetic folds (shapes passed from the host as kernel
  // arguments took 41 us at 4096x2048 on the H200, constant ones 28.7).
  bool staging = callTile == CallTile::Whole || callTile == CallTile::Reshaped;
  bool reshaped = callTile == CallTile::Reshaped;
  int64_t tileAlongLog2 = llvm::Log2_64(tileAlong);
  if (callTile == CallTile::OneRow)
    tileAlongLog2 = 0;
  else if (callTile == CallTile::OneColumn)
    tileAlongLog2 = pointsLog2;
  Value one = c(1);
  Value alongLog2 = c(tileAlongLog2);
  Value innerLog2 = c(pointsLog2 - tileAlongLog2);
  Value callAlong = c(int64_t(1) << tileAlongLog2);
  Value callInner = c(int64_t(1) << (pointsLog2 - tileAlongLog2));
  if (reshaped) {
    for (int64_t shorter = tileAlong / 2; shorter >= 1; shorter /= 2) {
      Value fits = arith::CmpIOp::create(
          builder, loc, arith::CmpIPredicate::ule, sizes[along], c(shorter));
      alongLog2 = arith::SelectOp::create(builder, loc, fits,
                                          c(llvm::Log2_64(shorter)), alongLog2);
    }
    innerLog2 = arith::SubIOp::create(builder, loc, c(pointsLog2), alongLog2);
    callAlong = arith::ShLIOp::create(builder, loc, one, alongLog2);
    callInner = arith::ShLIOp::create(builder, loc, one, innerLog2);
  }
  Value innerTiles =
      arith::CeilDivUIOp::create(builder, loc, sizes[innermost], callInner);
  Value alongTiles =
      arith::CeilDivUIOp::create(builder, loc, sizes[along], callAlong);
  Value grid = arith::MulIOp::create(builder, loc, innerTiles, alongTiles);
  for (int64_t loop : otherLoops)
    grid = arith::MulIOp::create(builder, loc, grid, sizes[loop]);
  auto launch = gpu::LaunchOp::create(builder, loc, grid, c(1), c(1),
                                      c(threads), c(1), c(1));
  // Rows of the call's tile are one element longer: at most `tileAlong`
  // elements more than its points.
  auto space = gpu::AddressSpaceAttr::get(builder.getContext(),
                                          gpu::AddressSpace::Workgroup);
  SmallVector<Value> tiles;
  for (Value input : staging ? group.transposedInputs : SmallVector<Value>())
    tiles.push_back(launch.addWorkgroupAttribution(
        MemRefType::get({points + tileAlong},
                        cast<MemRefType>(input.getType()).getElementType(),
                        AffineMap(), space),
        loc));
  builder.setInsertionPointToStart(&launch.getBody().front());
  if (!reshaped) {
    // Created in the kernel: outlining passes a value from the host as an
    // argument, which the kernel's index arithmetic cannot fold.
    one = c(1);
    alongLog2 = c(tileAlongLog2);
    innerLog2 = c(pointsLog2 - tileAlongLog2);
    callAlong = c(int64_t(1) << tileAlongLog2);
    callInner = c(int64_t(1) << (pointsLog2 - tileAlongLog2));
  }

  // The block's tile and its index of the other loops (last fastest).
  Value rest = launch.getBlockIds().x;
  Value innerStart = arith::MulIOp::create(
      builder, loc, arith::RemUIOp::create(builder, loc, rest, innerTiles),
      callInner);
  rest = arith::DivUIOp::create(builder, loc, rest, innerTiles);
  Value alongStart = arith::MulIOp::create(
      builder, loc, arith::RemUIOp::create(builder, loc, rest, alongTiles),
      callAlong);
  rest = arith::DivUIOp::create(builder, loc, rest, alongTiles);
  SmallVector<Value> loops(rank);
  for (int64_t loop : llvm::reverse(otherLoops)) {
    if (loop == otherLoops.front()) {
      loops[loop] = rest;
      break;
    }
    loops[loop] = arith::RemUIOp::create(builder, loc, rest, sizes[loop]);
    rest = arith::DivUIOp::create(builder, loc, rest, sizes[loop]);
  }
  Value thread = launch.getThreadIds().x;
  Value rowLength = arith::AddIOp::create(builder, loc, callInner, one);
  Value alongMask = arith::SubIOp::create(builder, loc, callAlong, one);
  Value innerMask = arith::SubIOp::create(builder, loc, callInner, one);
  // The point at `offset` of loop `loop` from `start`, and that point
  // clamped to the loop's last.
  auto pointOf = [&](int64_t loop, Value start, Value offset) {
    Value index = arith::AddIOp::create(builder, loc, start, offset);
    Value last = arith::SubIOp::create(builder, loc, sizes[loop], one);
    return std::make_pair(
        index, arith::MinUIOp::create(builder, loc, index, last).getResult());
  };
  // The tile's element at (row along `along`, column along the innermost).
  auto tileIndex = [&](Value row, Value column) -> Value {
    return arith::AddIOp::create(
        builder, loc, arith::MulIOp::create(builder, loc, row, rowLength),
        column);
  };
  int64_t pointsPerThread = points / threads;

  GroupEmitter emitter(group, builder, loc);
  // Stage the transposed inputs, consecutive threads along `along`: all
  // loads in flight, then the stores.
  SmallVector<std::pair<Value, Value>> staged; // value, element of the tile
  SmallVector<Value> stagedTiles;
  for (int64_t k = 0; staging && k < pointsPerThread; ++k) {
    Value point = arith::AddIOp::create(builder, loc, thread, c(k * threads));
    Value row = arith::AndIOp::create(builder, loc, point, alongMask);
    Value column = arith::ShRUIOp::create(builder, loc, point, alongLog2);
    loops[along] = pointOf(along, alongStart, row).second;
    loops[innermost] = pointOf(innermost, innerStart, column).second;
    emitter.setPoint(loops, 1, k);
    Value element = tileIndex(row, column);
    for (auto [input, read, tile] :
         llvm::zip(group.transposedInputs, group.transposedReads, tiles)) {
      staged.push_back(
          {emitter.loadScalar(input, composeIndices(read, identityLoops(rank))),
           element});
      stagedTiles.push_back(tile);
    }
  }
  for (auto [entry, tile] : llvm::zip(staged, stagedTiles))
    memref::StoreOp::create(builder, loc, entry.first, tile, entry.second);
  if (staging)
    gpu::BarrierOp::create(builder, loc);

  // Compute, consecutive threads along the innermost loop: every point's
  // values, then the stores.
  struct Point {
    SmallVector<Value> loops;
    Value inRange;
    PointResults results;
  };
  SmallVector<Point> computed;
  for (int64_t k = 0; k < pointsPerThread; ++k) {
    Value point = arith::AddIOp::create(builder, loc, thread, c(k * threads));
    Value column = arith::AndIOp::create(builder, loc, point, innerMask);
    Value row = arith::ShRUIOp::create(builder, loc, point, innerLog2);
    auto [alongIndex, alongClamped] = pointOf(along, alongStart, row);
    auto [innerIndex, innerClamped] = pointOf(innermost, innerStart, column);
    Point entry;
    loops[along] = alongClamped;
    loops[innermost] = innerClamped;
    entry.loops = loops;
    entry.inRange = arith::AndIOp::create(
        builder, loc,
        arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult,
                              alongIndex, sizes[along]),
        arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult,
                              innerIndex, sizes[innermost]));
    emitter.setPoint(entry.loops, 1, k);
    if (staging) {
      Value element = tileIndex(row, column);
      for (auto [input, tile] : llvm::zip(group.transposedInputs, tiles))
        emitter.setStagedValue(
            input, memref::LoadOp::create(builder, loc, tile, element));
    }
    FailureOr<PointResults> results = evaluatePoint(group, emitter);
    if (failed(results))
      return failure();
    entry.results = std::move(*results);
    computed.push_back(std::move(entry));
  }
  for (auto [k, entry] : llvm::enumerate(computed)) {
    emitter.setPoint(entry.loops, 1, k);
    storePoint(builder, loc, emitter, entry.results, entry.inRange);
  }
  builder.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(builder, loc);
  return success();
}

} // namespace

LogicalResult gpu_codegen::lowerElementwiseGroup(func::FuncOp func,
                                                 const KernelGroup &group,
                                                 TilingAttr tiling,
                                                 OpBuilder &builder,
                                                 ArrayRef<Value> loopSizes) {
  Location loc = group.root->getLoc();
  int64_t width = tiling.getVectorWidth();
  int64_t threads = tiling.getThreads();
  ArrayRef<int64_t> blockTile = tiling.getBlockTile();
  ArrayRef<int64_t> threadTile = tiling.getThreadTile();
  int64_t rank = group.numLoops;
  if (width <= 0 || threads <= 0 ||
      static_cast<int64_t>(blockTile.size()) != rank ||
      static_cast<int64_t>(threadTile.size()) != rank)
    return emitCodegenError(func, KernelKind::Elementwise,
                            "the tiling does not match the group's loops");
  LogicalResult result = success();
  auto record = [&](LogicalResult emitted) {
    if (failed(emitted))
      result = failure();
  };
  if (int64_t along = tiling.getTransposeLoop(); along >= 0) {
    if (along != group.transposedLoop)
      return emitCodegenError(
          func, KernelKind::Elementwise,
          "the tiling stages transposed inputs along loop " + Twine(along) +
              ", but the group has no inputs contiguous along that loop alone");
    int64_t tileAlong = blockTile[along], tileInner = blockTile[rank - 1];
    if (width != 1 || !llvm::isPowerOf2_64(tileAlong) ||
        !llvm::isPowerOf2_64(tileInner) ||
        (tileAlong * tileInner) % threads != 0)
      return emitCodegenError(
          func, KernelKind::Elementwise,
          "a transposing tiling needs scalar accesses and tiles of powers of "
          "two whose points the threads divide");
    // The call's tiles: one row or one column (every buffer contiguous
    // along the other loop: unstaged, 1x1048576 took 3.4 us on the H200,
    // reshaped 5.8), whole, or reshaped for a shorter loop `along`.
    auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
    auto isOne = [&](Value size) {
      return arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq, size,
                                   c(1));
    };
    std::pair<Value, CallTile> cases[] = {
        {isOne(loopSizes[rank - 1]), CallTile::OneColumn},
        {arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::uge,
                               loopSizes[along], c(tileAlong)),
         CallTile::Whole},
        {isOne(loopSizes[along]), CallTile::OneRow}};
    OpBuilder::InsertionGuard guard(builder);
    for (auto [condition, callTile] : cases) {
      auto branch = scf::IfOp::create(builder, loc, condition, true);
      builder.setInsertionPointToStart(&branch.getThenRegion().front());
      record(emitTransposeLaunch(builder, loc, group, loopSizes, along,
                                 tileAlong, tileInner, threads, callTile));
      builder.setInsertionPointToStart(&branch.getElseRegion().front());
    }
    record(emitTransposeLaunch(builder, loc, group, loopSizes, along, tileAlong,
                               tileInner, threads, CallTile::Reshaped));
    if (failed(result))
      return emitCodegenError(func, KernelKind::Elementwise,
                              "a value of the group could not be computed");
    return success();
  }

  // What a thread of a flat kernel handles: the elements of its tile.
  int64_t elements = 1;
  for (int64_t size : threadTile)
    elements *= std::max<int64_t>(size, 1);
  int64_t vectorsPerThread = std::max<int64_t>(1, elements / width);

  if (rank == 0 || isFlat(group)) {
    // Every external buffer as 1-D.
    llvm::DenseMap<Value, Value> flatBuffers;
    for (Value buffer : group.externalBuffers) {
      auto type = cast<MemRefType>(buffer.getType());
      if (type.getRank() == 1) {
        flatBuffers[buffer] = buffer;
      } else if (type.getRank() == 0) {
        flatBuffers[buffer] = memref::ExpandShapeOp::create(
            builder, loc, MemRefType::get({1}, type.getElementType()), buffer,
            ArrayRef<ReassociationIndices>{});
      } else {
        ReassociationIndices all;
        for (int64_t d = 0; d < type.getRank(); ++d)
          all.push_back(d);
        flatBuffers[buffer] = memref::CollapseShapeOp::create(
            builder, loc, buffer, ArrayRef<ReassociationIndices>{all});
      }
    }
    Value total = indexConstant(builder, loc, 1);
    for (Value size : loopSizes)
      total = arith::MulIOp::create(builder, loc, total, size);
    SmallVector<Value> views;
    for (Value buffer : group.externalBuffers)
      views.push_back(flatBuffers[buffer]);
    // The scalar kernel keeps the elements per thread of the vector one.
    emitVectorizedIfAligned(
        builder, loc, views, /*multipleOf=*/Value(), width, [&](int64_t w) {
          record(emitFlatLaunch(builder, loc, group, &flatBuffers, loopSizes,
                                total, threads, vectorsPerThread * width / w,
                                w));
        });
  } else {
    int64_t threadsX = std::max<int64_t>(
        1, blockTile[rank - 1] / std::max<int64_t>(1, threadTile[rank - 1]));
    int64_t threadsY = 1, rowsPerThread = 1;
    if (rank > 1) {
      rowsPerThread = std::max<int64_t>(1, threadTile[rank - 2]);
      threadsY = std::max<int64_t>(1, blockTile[rank - 2] / rowsPerThread);
    }
    if (threadsX * threadsY > 1024)
      return emitCodegenError(func, KernelKind::Elementwise,
                              "the tiling asks for more than 1024 threads");
    Value rows = indexConstant(builder, loc, 1);
    for (Value size : loopSizes.drop_back())
      rows = arith::MulIOp::create(builder, loc, rows, size);
    Value total = arith::MulIOp::create(builder, loc, rows, loopSizes.back());
    bool ordered = hasOrderedAccesses(group);
    emitVectorizedIfAligned(
        builder, loc, group.externalBuffers, loopSizes.back(), width,
        [&](int64_t w) {
          // Flat where vectors amortize the division that recovers a
          // point's loops; the scalar twin (rows not a multiple of the
          // width, rows of one element among them) divides per element,
          // which took 6.3 us at 1048576x1 where the rows form takes 5.1.
          if (ordered && w > 1)
            record(emitFlatLaunch(builder, loc, group, /*flatBuffers=*/nullptr,
                                  loopSizes, total, threads, vectorsPerThread,
                                  w));
          else
            record(emitRowsLaunch(builder, loc, group, loopSizes, rows,
                                  threadsX, threadsY, rowsPerThread, w));
        });
  }
  if (failed(result))
    return emitCodegenError(func, KernelKind::Elementwise,
                            "a value of the group could not be computed");
  return success();
}
