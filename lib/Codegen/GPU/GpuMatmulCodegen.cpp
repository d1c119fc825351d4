//===- GpuMatmulCodegen.cpp - GPU kernels for matmul variants -------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// C += A * B as the classic shared-memory tiled kernel (rule M1 of
// TilingHeuristic.cpp): a block of 16x16 threads computes a tile x tile
// block of C; it walks K in steps of `k`, staging a tile x k slice of A and
// a k x tile slice of B in shared memory, and each thread accumulates a
// (tile/16) x (tile/16) register tile with fused multiply-adds.
//
// Any contraction of one M, N and K loop and at most one batch loop: the
// operands are read through their indexing maps (A or B transposed, as
// attention's q @ k^T is), the batch is grid z. Elements narrower than C's
// (bf16 or f16 inputs, f32 C) are extended as they are staged; with a bf16
// or f16 C the K sum accumulates in f32 and is rounded once, where C is
// written (as cuBLAS does).
//
// Thread (tx, ty) owns rows ty + 16 i and columns tx + 16 j of the block
// tile (strided, not contiguous): a warp then reads 16 consecutive floats of
// the B slice and 2 of the A slice per step, free of shared-memory bank
// conflicts, and writes C coalesced. The A slice is stored transposed
// (As[k][m]) so that both reads run along a row; one element of padding per
// row keeps the transposing stores conflict-free too. Out-of-range elements
// load as zero, so any M, N, K is correct. No tensor cores: f32 FMA only.
//
// Where the site holds the zero `linalg.fill` of C that frontends emit
// before the contraction (C = A B), the kernel stores the sum instead of
// adding it to C, which it then never reads.
//
// A variant with `library = cublaslt` is instead one call of the runtime's
// mkrtGpuCublasLtMatmul with the operands' addresses, sizes and strides
// (and beta = 0 after a zero fill): cuBLASLt's algorithms join the
// generated kernels in the per-shape benchmark.
//
//===----------------------------------------------------------------------===//

#include "GpuCodegen.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::multikernel;
using namespace mlir::multikernel::gpu_codegen;

namespace {

/// Threads per block along each of M and N.
constexpr int64_t kThreadsPerDim = 16;
constexpr int64_t kThreads = kThreadsPerDim * kThreadsPerDim;
/// The inner K loop is unrolled by this much (the step must divide by it).
constexpr int64_t kUnroll = 4;

struct MatmulTiles {
  int64_t tile; // block tile of M and of N
  int64_t step; // K step: the depth of the shared-memory slices
};

/// One operand of the contraction: its buffer and, per dimension, the loop
/// that indexes it (the batch, M, N or K loop).
struct MatmulOperand {
  Value buffer;
  SmallVector<unsigned> loops;

  /// The indices of the element at the loops' values `at`.
  SmallVector<Value> indices(ArrayRef<Value> at) const {
    return llvm::map_to_vector(loops, [&](unsigned loop) { return at[loop]; });
  }
};

/// The element of `operand` at the loops' values `at` as `type` (extended),
/// or zero where `row` (of `rows`) or `column` (of `columns`) is outside.
Value loadOrZero(OpBuilder &builder, Location loc, const MatmulOperand &operand,
                 ArrayRef<Value> at, Value row, Value column, Value rows,
                 Value columns, Value zero) {
  Value rowInRange =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult, row, rows);
  Value columnInRange = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::ult, column, columns);
  Value inRange =
      arith::AndIOp::create(builder, loc, rowInRange, columnInRange);
  auto choose = scf::IfOp::create(builder, loc, zero.getType(), inRange,
                                  /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&choose.getThenRegion().front());
  Value element =
      memref::LoadOp::create(builder, loc, operand.buffer, operand.indices(at));
  if (element.getType() != zero.getType())
    element = arith::ExtFOp::create(builder, loc, zero.getType(), element);
  scf::YieldOp::create(builder, loc, element);
  builder.setInsertionPointToStart(&choose.getElseRegion().front());
  scf::YieldOp::create(builder, loc, zero);
  return choose.getResult(0);
}

/// The loops of the contraction, and the sizes of M, N and K and of the
/// batch (one where there is none) in a launch's host code.
struct MatmulLoops {
  std::optional<unsigned> batch;
  unsigned m, n, k;
  unsigned count;
};

/// Copies the slices of A (m0.., k0..) and B (k0.., n0..) of this K step
/// into shared memory, every thread `elements / kThreads` elements, in
/// coalesced order (consecutive threads, consecutive addresses of global
/// memory).
void stageSlices(OpBuilder &builder, Location loc, MatmulTiles tiles,
                 const MatmulLoops &loops, Value batch, Value linear,
                 const MatmulOperand &a, const MatmulOperand &b, Value aSlice,
                 Value bSlice, Value m0, Value n0, Value k0, Value m, Value n,
                 Value k, Value zero) {
  // The loops' values at one element; unused entries stay null.
  auto at = [&](Value mValue, Value nValue, Value kValue) {
    SmallVector<Value> values(loops.count);
    if (loops.batch)
      values[*loops.batch] = batch;
    values[loops.m] = mValue;
    values[loops.n] = nValue;
    values[loops.k] = kValue;
    return values;
  };
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(builder, loc, x, y);
  };
  // A: tile rows of `step` elements; a warp reads along K.
  Value aColumn = arith::RemUIOp::create(builder, loc, linear, c(tiles.step));
  Value aRow = arith::DivUIOp::create(builder, loc, linear, c(tiles.step));
  int64_t aRowsPerPass = kThreads / tiles.step;
  for (int64_t pass = 0; pass < tiles.tile / aRowsPerPass; ++pass) {
    Value row = add(aRow, c(pass * aRowsPerPass));
    Value aM = add(m0, row);
    Value aK = add(k0, aColumn);
    Value value =
        loadOrZero(builder, loc, a, at(aM, {}, aK), aM, aK, m, k, zero);
    memref::StoreOp::create(builder, loc, value, aSlice,
                            ValueRange{aColumn, row});
  }
  // B: `step` rows of tile elements; a warp reads along N.
  Value bColumn = arith::RemUIOp::create(builder, loc, linear, c(tiles.tile));
  Value bRow = arith::DivUIOp::create(builder, loc, linear, c(tiles.tile));
  int64_t bRowsPerPass = kThreads / tiles.tile;
  for (int64_t pass = 0; pass < tiles.step / bRowsPerPass; ++pass) {
    Value row = add(bRow, c(pass * bRowsPerPass));
    Value bK = add(k0, row);
    Value bN = add(n0, bColumn);
    Value value =
        loadOrZero(builder, loc, b, at({}, bN, bK), bK, bN, k, n, zero);
    memref::StoreOp::create(builder, loc, value, bSlice,
                            ValueRange{row, bColumn});
  }
}

/// The size of `loop` in host code: the dimension of an operand it indexes.
Value loopSize(OpBuilder &builder, Location loc,
               ArrayRef<MatmulOperand> operands, unsigned loop) {
  for (const MatmulOperand &operand : operands)
    for (auto [dim, indexing] : llvm::enumerate(operand.loops))
      if (indexing == loop)
        return memref::DimOp::create(builder, loc, operand.buffer, dim);
  llvm_unreachable("every loop of a contraction indexes an operand");
}

/// The launch computing C += A * B (C = A * B unless `accumulate`) for
/// [m, k] x [k, n] (per matrix of the batch), in registers of
/// `elementType`.
void emitMatmulLaunch(OpBuilder &builder, Location loc,
                      const MatmulLoops &loops, const MatmulOperand &a,
                      const MatmulOperand &b, const MatmulOperand &cMatrix,
                      Type elementType, MatmulTiles tiles, bool accumulate) {
  MLIRContext *context = builder.getContext();
  int64_t perThread = tiles.tile / kThreadsPerDim;
  auto workgroup =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  auto aSliceType = MemRefType::get({tiles.step, tiles.tile + 1}, elementType,
                                    MemRefLayoutAttrInterface(), workgroup);
  auto bSliceType = MemRefType::get({tiles.step, tiles.tile}, elementType,
                                    MemRefLayoutAttrInterface(), workgroup);

  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  SmallVector<MatmulOperand> operands = {a, b, cMatrix};
  Value m = loopSize(builder, loc, operands, loops.m);
  Value k = loopSize(builder, loc, operands, loops.k);
  Value n = loopSize(builder, loc, operands, loops.n);
  Value batches =
      loops.batch ? loopSize(builder, loc, operands, *loops.batch) : c(1);
  Value gridX = arith::CeilDivUIOp::create(builder, loc, n, c(tiles.tile));
  Value gridY = arith::CeilDivUIOp::create(builder, loc, m, c(tiles.tile));
  auto launch = gpu::LaunchOp::create(
      builder, loc, gridX, gridY, batches, c(kThreadsPerDim), c(kThreadsPerDim),
      c(1), /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{}, TypeRange{aSliceType, bSliceType});
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&launch.getBody().front());
  Value aSlice = launch.getWorkgroupAttributions()[0];
  Value bSlice = launch.getWorkgroupAttributions()[1];

  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(builder, loc, x, y);
  };
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulIOp::create(builder, loc, x, y);
  };
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value m0 = mul(launch.getBlockIds().y, c(tiles.tile));
  Value n0 = mul(launch.getBlockIds().x, c(tiles.tile));
  Value linear = add(mul(ty, c(kThreadsPerDim)), tx);
  Value zero = arith::ConstantOp::create(builder, loc,
                                         builder.getFloatAttr(elementType, 0));
  SmallVector<Value> rows, columns; // of this thread, within the block tile
  for (int64_t i = 0; i < perThread; ++i) {
    rows.push_back(add(ty, c(i * kThreadsPerDim)));
    columns.push_back(add(tx, c(i * kThreadsPerDim)));
  }

  SmallVector<Value> zeros(perThread * perThread, zero);
  auto kLoop = scf::ForOp::create(builder, loc, c(0), k, c(tiles.step), zeros);
  {
    OpBuilder::InsertionGuard loopGuard(builder);
    builder.setInsertionPointToStart(kLoop.getBody());
    stageSlices(builder, loc, tiles, loops, launch.getBlockIds().z, linear, a,
                b, aSlice, bSlice, m0, n0, kLoop.getInductionVar(), m, n, k,
                zero);
    gpu::BarrierOp::create(builder, loc);
    auto inner = scf::ForOp::create(builder, loc, c(0), c(tiles.step),
                                    c(kUnroll), kLoop.getRegionIterArgs());
    {
      OpBuilder::InsertionGuard innerGuard(builder);
      builder.setInsertionPointToStart(inner.getBody());
      SmallVector<Value> acc(inner.getRegionIterArgs());
      for (int64_t u = 0; u < kUnroll; ++u) {
        Value kk = add(inner.getInductionVar(), c(u));
        SmallVector<Value> aValues, bValues;
        for (int64_t i = 0; i < perThread; ++i) {
          aValues.push_back(memref::LoadOp::create(builder, loc, aSlice,
                                                   ValueRange{kk, rows[i]}));
          bValues.push_back(memref::LoadOp::create(builder, loc, bSlice,
                                                   ValueRange{kk, columns[i]}));
        }
        for (int64_t i = 0; i < perThread; ++i)
          for (int64_t j = 0; j < perThread; ++j) {
            Value &sum = acc[i * perThread + j];
            sum =
                math::FmaOp::create(builder, loc, aValues[i], bValues[j], sum);
          }
      }
      scf::YieldOp::create(builder, loc, acc);
    }
    // Everyone is done reading the slices before the next step refills them.
    gpu::BarrierOp::create(builder, loc);
    scf::YieldOp::create(builder, loc, inner.getResults());
  }

  // C (+)= the register tile, where it is inside C.
  for (int64_t i = 0; i < perThread; ++i) {
    Value row = add(m0, rows[i]);
    Value rowInRange =
        arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult, row, m);
    for (int64_t j = 0; j < perThread; ++j) {
      Value column = add(n0, columns[j]);
      Value inRange = arith::AndIOp::create(
          builder, loc, rowInRange,
          arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult, column,
                                n));
      auto write = scf::IfOp::create(builder, loc, inRange, false);
      OpBuilder::InsertionGuard writeGuard(builder);
      builder.setInsertionPointToStart(&write.getThenRegion().front());
      SmallVector<Value> at(loops.count);
      if (loops.batch)
        at[*loops.batch] = launch.getBlockIds().z;
      at[loops.m] = row;
      at[loops.n] = column;
      SmallVector<Value> indices = cMatrix.indices(at);
      Value sum = kLoop.getResult(i * perThread + j);
      if (accumulate) {
        Value old =
            memref::LoadOp::create(builder, loc, cMatrix.buffer, indices);
        if (old.getType() != elementType)
          old = arith::ExtFOp::create(builder, loc, elementType, old);
        sum = arith::AddFOp::create(builder, loc, old, sum);
      }
      if (sum.getType() != getElementTypeOrSelf(cMatrix.buffer.getType()))
        sum = arith::TruncFOp::create(
            builder, loc, getElementTypeOrSelf(cMatrix.buffer.getType()), sum);
      memref::StoreOp::create(builder, loc, sum, cMatrix.buffer, indices);
    }
  }
  gpu::TerminatorOp::create(builder, loc);
}

/// The element type codes of mkrtGpuCublasLtMatmul (MultiKernelGpu.h), or
/// nullopt for a type it does not take.
std::optional<int32_t> cublasLtType(Type type) {
  if (type.isF32())
    return 0;
  if (type.isF64())
    return 1;
  if (type.isF16())
    return 2;
  if (type.isBF16())
    return 14;
  return std::nullopt;
}

/// Calls the runtime's cuBLASLt entry point for C += A * B (C = A * B
/// unless `accumulate`; a `library = cublaslt` variant): addresses, sizes
/// and strides read from the descriptors at run time, so any strided view
/// with a contiguous dimension is passed as it is.
LogicalResult emitCublasLtCall(OpBuilder &builder, Location loc,
                               func::FuncOp func, const MatmulLoops &loops,
                               ArrayRef<MatmulOperand> operands,
                               int64_t algorithm, bool accumulate) {
  SmallVector<int32_t> types;
  for (const MatmulOperand &operand : operands) {
    std::optional<int32_t> type =
        cublasLtType(getElementTypeOrSelf(operand.buffer.getType()));
    if (!type)
      return emitCodegenError(func, KernelKind::Matmul,
                              "cuBLASLt takes f32, f64, f16 and bf16 only");
    types.push_back(*type);
  }
  // One constant per value (the call's arguments repeat them).
  llvm::SmallDenseMap<std::pair<int64_t, unsigned>, Value> constants;
  auto constant = [&](int64_t value, unsigned width) {
    Value &slot = constants[{value, width}];
    if (!slot)
      slot =
          width
              ? Value(arith::ConstantIntOp::create(builder, loc, value, width))
              : indexConstant(builder, loc, value);
    return slot;
  };
  auto c = [&](int64_t value) { return constant(value, 0); };
  auto i32 = [&](int64_t value) { return constant(value, 32); };
  SmallVector<Value> arguments = {i32(algorithm), i32(accumulate),
                                  i32(types[0]), i32(types[1]), i32(types[2])};
  arguments.push_back(
      loops.batch ? loopSize(builder, loc, operands, *loops.batch) : c(1));
  for (unsigned loop : {loops.m, loops.n, loops.k})
    arguments.push_back(loopSize(builder, loc, operands, loop));
  // Per operand: the address of its first element, then its strides along
  // the batch and its two loops (zero along a loop that does not index it).
  std::pair<unsigned, unsigned> matrixLoops[] = {
      {loops.m, loops.k}, {loops.k, loops.n}, {loops.m, loops.n}};
  for (auto [operandRef, dimsRef] : llvm::zip_equal(operands, matrixLoops)) {
    const MatmulOperand &operand = operandRef;
    std::pair<unsigned, unsigned> dims = dimsRef;
    auto metadata =
        memref::ExtractStridedMetadataOp::create(builder, loc, operand.buffer);
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(builder, loc,
                                                                operand.buffer);
    int64_t elementBytes =
        getElementTypeOrSelf(operand.buffer.getType()).getIntOrFloatBitWidth() /
        8;
    Value offsetBytes = arith::MulIOp::create(
        builder, loc, metadata.getOffset(), c(elementBytes));
    arguments.push_back(arith::AddIOp::create(builder, loc, base, offsetBytes));
    auto strideAlong = [&](std::optional<unsigned> loop) -> Value {
      if (loop)
        for (auto [dim, indexing] : llvm::enumerate(operand.loops))
          if (indexing == *loop)
            return metadata.getStrides()[dim];
      return c(0);
    };
    arguments.push_back(strideAlong(loops.batch));
    arguments.push_back(strideAlong(dims.first));
    arguments.push_back(strideAlong(dims.second));
  }

  constexpr StringLiteral callee = "mkrtGpuCublasLtMatmul";
  auto module = func->getParentOfType<ModuleOp>();
  if (!module.lookupSymbol<func::FuncOp>(callee)) {
    OpBuilder moduleBuilder = OpBuilder::atBlockBegin(module.getBody());
    auto declaration = func::FuncOp::create(
        moduleBuilder, loc, callee,
        builder.getFunctionType(ValueRange(arguments).getTypes(), {}));
    declaration.setPrivate();
  }
  func::CallOp::create(builder, loc, callee, TypeRange{}, arguments);
  return success();
}

} // namespace

LogicalResult gpu_codegen::generateMatmul(func::FuncOp func,
                                          TilingAttr tiling) {
  auto fail = [&](const Twine &why) {
    return emitCodegenError(func, KernelKind::Matmul, why);
  };
  // The contraction, after the zero fill of its C where the site has one.
  SmallVector<linalg::LinalgOp> linalgOps;
  func.walk([&](linalg::LinalgOp op) { linalgOps.push_back(op); });
  linalg::LinalgOp op = linalgOps.empty() ? nullptr : linalgOps.back();
  if (!op || !linalg::isaContractionOpInterface(op) || linalgOps.size() > 2)
    return fail("expected one contraction in the variant, after at most the "
                "fill of its C");
  bool accumulate = linalgOps.size() == 1;
  if (!accumulate) {
    auto fill = dyn_cast<linalg::FillOp>(linalgOps.front().getOperation());
    if (!fill || fill->getBlock() != op->getBlock() ||
        fill.getOutputs().front() != op.getDpsInitOperand(0)->get() ||
        !matchPattern(fill.getInputs().front(), m_AnyZeroFloat()))
      return fail("the op before the contraction must be a fill of zero of "
                  "its C");
  }
  if (!op.hasPureBufferSemantics())
    return fail("the variant is not bufferized");
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1 || dims->batch.size() > 1)
    return fail("expected one M, N and K loop and at most one batch loop");
  MatmulLoops loops{
      dims->batch.empty() ? std::nullopt
                          : std::optional<unsigned>(dims->batch.front()),
      dims->m.front(), dims->n.front(), dims->k.front(), op.getNumLoops()};
  // A is the input indexed by M, B the one indexed by N.
  SmallVector<MatmulOperand> operands;
  for (OpOperand &operand : op->getOpOperands()) {
    Value root = wholeContiguousArgument(func, operand.get());
    if (!root)
      return fail("operands must be whole, contiguous function arguments");
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
      return fail("operands must be indexed by the loops (no broadcasts)");
    SmallVector<unsigned> indexing;
    for (unsigned result = 0; result < map.getNumResults(); ++result)
      indexing.push_back(map.getDimPosition(result));
    operands.push_back(MatmulOperand{root, indexing});
  }
  if (llvm::is_contained(operands[0].loops, loops.n))
    std::swap(operands[0], operands[1]);
  // Registers of C's type, at least f32 (bf16 and f16 inputs are extended).
  Type cType = getElementTypeOrSelf(operands[2].buffer.getType());
  auto cFloat = dyn_cast<FloatType>(cType);
  if (!cFloat)
    return fail("C must have a float element type");
  Type accumulator =
      cFloat.getWidth() < 32 ? Float32Type::get(func.getContext()) : cType;
  for (const MatmulOperand &input : ArrayRef(operands).take_front(2)) {
    auto element =
        dyn_cast<FloatType>(getElementTypeOrSelf(input.buffer.getType()));
    if (!element ||
        element.getWidth() > cast<FloatType>(accumulator).getWidth())
      return fail("inputs must be floats no wider than the accumulator");
  }
  // The body must be C + A * B (with extensions), which the kernel computes.
  SmallVector<Operation *> body;
  for (Operation &bodyOp : op.getBlock()->without_terminator())
    if (!isa<arith::ExtFOp>(bodyOp))
      body.push_back(&bodyOp);
  if (body.size() != 2 || !isa<arith::MulFOp>(body[0]) ||
      !isa<arith::AddFOp>(body[1]))
    return fail("expected a multiply and an add in the contraction's body");

  if (tiling.getLibrary() == KernelLibrary::CublasLt) {
    Location loc = op.getLoc();
    Block &entry = func.front();
    eraseEntryOpsExcept(entry, [](Operation &) { return false; });
    OpBuilder builder(entry.getTerminator());
    return emitCublasLtCall(builder, loc, func, loops, operands,
                            tiling.getAlgorithm(), accumulate);
  }

  ArrayRef<int64_t> blockTile = tiling.getBlockTile();
  if (blockTile.size() != loops.count)
    return fail("the tiling does not match the contraction's loops");
  MatmulTiles tiles{blockTile[loops.m], blockTile[loops.k]};
  // The staging loops and the unrolled K loop divide the tiles evenly.
  bool supported = blockTile[loops.n] == tiles.tile &&
                   tiles.tile % kThreadsPerDim == 0 && tiles.tile <= 128 &&
                   kThreads % tiles.tile == 0 && kThreads % tiles.step == 0 &&
                   tiles.step % kUnroll == 0 &&
                   tiles.tile % (kThreads / tiles.step) == 0 &&
                   tiles.step % (kThreads / tiles.tile) == 0;
  if (!supported)
    return fail("unsupported tiling: expected square block tiles of 16 to "
                "128 (multiples of 16) and a K step dividing 256 that the "
                "tile can stage");

  Block &entry = func.front();
  Location loc = op.getLoc();
  eraseEntryOpsExcept(entry, [](Operation &) { return false; });
  OpBuilder builder(entry.getTerminator());
  emitMatmulLaunch(builder, loc, loops, operands[0], operands[1], operands[2],
                   accumulator, tiles, accumulate);
  return success();
}
