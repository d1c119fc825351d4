//===- GpuCodegen.cpp - GPU kernels for the specialized variants ----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// --multikernel-gpu-codegen: replaces the body of each outlined GPU variant
// (a function whose #multikernel.tiling targets the GPU) by a gpu.launch
// built from the variant's linalg op and its tiling.
//
// Elementwise kernels take the form that reached the copy bandwidth on the
// H100 (shared/GPU-NOTES.md): the iteration space is flattened to one
// contiguous index, each thread handles `vector_width`-wide vectors loaded
// and stored with 16-byte alignment, consecutive threads touch consecutive
// vectors (coalesced), and a guarded scalar loop finishes the tail. The host
// side checks the alignment of every buffer and launches a scalar version of
// the kernel when one is not 16-byte aligned.
//
// Row reductions (a warp, a block or a thread per row; split rows for few
// long ones) and the helpers the row kernels share are here too; softmax is
// in GpuSoftmaxCodegen.cpp, matmul in GpuMatmulCodegen.cpp.
//
//===----------------------------------------------------------------------===//

#include "GpuCodegen.h"

#include "multikernel/Transforms/Passes.h"
#include "multikernel/Transforms/Utils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"
#include <limits>

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELGPUCODEGEN
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;
using namespace mlir::multikernel;
using namespace mlir::multikernel::gpu_codegen;

InFlightDiagnostic gpu_codegen::emitCodegenError(func::FuncOp func,
                                                 StringRef kind,
                                                 const Twine &why) {
  return func.emitError() << "GPU code generation for " << kind << " variant '"
                          << func.getSymName() << "' failed: " << why;
}

void gpu_codegen::eraseEntryOpsExcept(
    Block &entry, llvm::function_ref<bool(Operation &)> keep) {
  for (Operation &dead :
       llvm::make_early_inc_range(llvm::reverse(entry.getOperations()))) {
    if (&dead == entry.getTerminator() || keep(dead))
      continue;
    dead.dropAllUses();
    dead.erase();
  }
}

Value gpu_codegen::wholeContiguousArgument(func::FuncOp func, Value value) {
  Value root = getViewRoot(value);
  auto argument = dyn_cast<BlockArgument>(root);
  auto type = dyn_cast<MemRefType>(root.getType());
  if (!argument || argument.getOwner() != &func.front() || !type ||
      !type.getLayout().isIdentity())
    return Value();
  return root;
}

llvm::MaybeAlign gpu_codegen::vectorAlignment(VectorType type) {
  return llvm::MaybeAlign(type.getNumElements() *
                          type.getElementTypeBitWidth() / 8);
}

void gpu_codegen::emitVectorizedIfAligned(OpBuilder &builder, Location loc,
                                          ArrayRef<Value> buffers,
                                          Value multipleOf, int64_t width,
                                          function_ref<void(int64_t)> emit) {
  if (width == 1) {
    emit(1);
    return;
  }
  Value zero = indexConstant(builder, loc, 0);
  auto isMultiple = [&](Value value, int64_t factor) -> Value {
    return arith::CmpIOp::create(
        builder, loc, arith::CmpIPredicate::eq,
        arith::RemUIOp::create(builder, loc, value,
                               indexConstant(builder, loc, factor)),
        zero);
  };
  Value aligned = multipleOf ? isMultiple(multipleOf, width) : Value();
  for (Value buffer : buffers) {
    Value pointer =
        memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, buffer);
    Value bufferAligned = isMultiple(pointer, 16);
    aligned = aligned
                  ? arith::AndIOp::create(builder, loc, aligned, bufferAligned)
                        .getResult()
                  : bufferAligned;
  }
  auto choose = scf::IfOp::create(builder, loc, aligned, true);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&choose.getThenRegion().front());
  emit(width);
  builder.setInsertionPointToStart(&choose.getElseRegion().front());
  emit(1);
}

/// The row of a thread in `launch` (block x * rowsPerBlock + rowInBlock);
/// leaves the insertion point inside the guard `row < rows`.
static Value guardRow(OpBuilder &builder, Location loc, gpu::LaunchOp launch,
                      int64_t rowsPerBlock, Value rowInBlock, Value rows) {
  Value row = arith::AddIOp::create(
      builder, loc,
      arith::MulIOp::create(builder, loc, launch.getBlockIds().x,
                            indexConstant(builder, loc, rowsPerBlock)),
      rowInBlock);
  Value inRange =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult, row, rows);
  auto rowGuard = scf::IfOp::create(builder, loc, inRange, false);
  builder.setInsertionPointToStart(&rowGuard.getThenRegion().front());
  return row;
}

RowLaunch gpu_codegen::beginRowLaunch(OpBuilder &builder, Location loc,
                                      Value rows, bool warpPerRow,
                                      int64_t threads, int64_t width,
                                      MutableArrayRef<Value> buffers) {
  int64_t lanes = warpPerRow ? 32 : threads;
  int64_t rowsPerBlock = warpPerRow ? threads / 32 : 1;
  Value one = indexConstant(builder, loc, 1);
  Value grid = arith::CeilDivUIOp::create(
      builder, loc, rows, indexConstant(builder, loc, rowsPerBlock));
  auto launch = gpu::LaunchOp::create(
      builder, loc, grid, one, one, indexConstant(builder, loc, lanes),
      indexConstant(builder, loc, rowsPerBlock), one);
  builder.setInsertionPointToStart(&launch.getBody().front());
  if (width > 1)
    for (Value &buffer : buffers)
      buffer = memref::AssumeAlignmentOp::create(builder, loc, buffer,
                                                 builder.getI32IntegerAttr(16))
                   .getResult();
  Value row = guardRow(builder, loc, launch, rowsPerBlock,
                       launch.getThreadIds().y, rows);
  return {launch, lanes, launch.getThreadIds().x, row};
}

void gpu_codegen::endLaunch(OpBuilder &builder, Location loc,
                            gpu::LaunchOp launch) {
  builder.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(builder, loc);
}

Value gpu_codegen::foldRow(OpBuilder &builder, Location loc, Value input,
                           Value row, Value lane, Value end, int64_t lanes,
                           int64_t width, Value init,
                           function_ref<Value(OpBuilder &, Value, Value)> fold,
                           Value begin) {
  Type elementType = cast<MemRefType>(input.getType()).getElementType();
  Value start = arith::MulIOp::create(builder, loc, lane,
                                      indexConstant(builder, loc, width));
  if (begin)
    start = arith::AddIOp::create(builder, loc, begin, start);
  auto loop = scf::ForOp::create(builder, loc, start, end,
                                 indexConstant(builder, loc, lanes * width),
                                 ValueRange{init});
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(loop.getBody());
  Value acc = loop.getRegionIterArgs().front();
  Value column = loop.getInductionVar();
  if (width > 1) {
    auto type = VectorType::get({width}, elementType);
    Value vector = vector::LoadOp::create(builder, loc, type, input,
                                          ValueRange{row, column}, false,
                                          vectorAlignment(type));
    for (int64_t i = 0; i < width; ++i)
      acc = fold(builder, acc,
                 vector::ExtractOp::create(builder, loc, vector, i));
  } else {
    acc = fold(
        builder, acc,
        memref::LoadOp::create(builder, loc, input, ValueRange{row, column}));
  }
  scf::YieldOp::create(builder, loc, acc);
  return loop.getResult(0);
}

Value gpu_codegen::splitFactor(OpBuilder &builder, Location loc, Value rows,
                               Value n, int64_t smCount) {
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  Value wanted =
      arith::DivUIOp::create(builder, loc, c(2 * smCount),
                             arith::MaxUIOp::create(builder, loc, rows, c(1)));
  Value most = arith::CeilDivUIOp::create(builder, loc, n, c(kSplitMinChunk));
  return arith::MinUIOp::create(builder, loc, wanted, most);
}

std::pair<Value, scf::IfOp>
gpu_codegen::beginSplitChoice(OpBuilder &builder, Location loc, Value rows,
                              Value n, int64_t smCount, int64_t minSplit) {
  Value split = splitFactor(builder, loc, rows, n, smCount);
  Value splits =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::uge, split,
                            indexConstant(builder, loc, minSplit));
  auto choose = scf::IfOp::create(builder, loc, splits, true);
  builder.setInsertionPointToStart(&choose.getThenRegion().front());
  return {split, choose};
}

Scratch gpu_codegen::allocateScratch(OpBuilder &builder, Location loc,
                                     Type elementType, ValueRange sizes) {
  SmallVector<int64_t> shape(sizes.size(), ShapedType::kDynamic);
  // Upstream lowers only asynchronous allocations; the runtime's
  // mgpuStreamCreate hands out the current stream, so the allocation is
  // ordered with the launches around it.
  auto tokenType = builder.getType<gpu::AsyncTokenType>();
  Value start = gpu::WaitOp::create(builder, loc, tokenType, ValueRange())
                    .getAsyncToken();
  auto alloc = gpu::AllocOp::create(
      builder, loc, MemRefType::get(shape, elementType), tokenType,
      ValueRange{start}, sizes, /*symbolOperands=*/ValueRange(),
      /*hostShared=*/false);
  return {alloc.getMemref(), alloc.getAsyncToken()};
}

void gpu_codegen::freeScratch(OpBuilder &builder, Location loc,
                              const Scratch &scratch) {
  auto tokenType = builder.getType<gpu::AsyncTokenType>();
  Value freed =
      gpu::DeallocOp::create(builder, loc, tokenType, ValueRange{scratch.ready},
                             scratch.buffer)
          .getAsyncToken();
  gpu::WaitOp::create(builder, loc, Type(), ValueRange{freed});
}

ChunkLaunch gpu_codegen::beginChunkLaunch(OpBuilder &builder, Location loc,
                                          Value rows, Value n, Value split,
                                          int64_t threads, int64_t width,
                                          MutableArrayRef<Value> buffers) {
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  Value grid = arith::MulIOp::create(builder, loc, rows, split);
  auto launch = gpu::LaunchOp::create(builder, loc, grid, c(1), c(1),
                                      c(threads), c(1), c(1));
  builder.setInsertionPointToStart(&launch.getBody().front());
  if (width > 1)
    for (Value &buffer : buffers)
      buffer = memref::AssumeAlignmentOp::create(builder, loc, buffer,
                                                 builder.getI32IntegerAttr(16))
                   .getResult();
  Value block = launch.getBlockIds().x;
  Value row = arith::DivUIOp::create(builder, loc, block, split);
  Value part = arith::RemUIOp::create(builder, loc, block, split);
  Value chunk = arith::MulIOp::create(
      builder, loc,
      arith::CeilDivUIOp::create(
          builder, loc, arith::CeilDivUIOp::create(builder, loc, n, c(width)),
          split),
      c(width));
  Value begin = arith::MinUIOp::create(
      builder, loc, arith::MulIOp::create(builder, loc, part, chunk), n);
  Value end = arith::MinUIOp::create(
      builder, loc, arith::AddIOp::create(builder, loc, begin, chunk), n);
  return {launch, row, part, begin, end};
}

Value gpu_codegen::reduceRow(
    OpBuilder &builder, Location loc, Value value, bool warpPerRow,
    gpu::AllReduceOperation kind,
    function_ref<Value(OpBuilder &, Value, Value)> combineFn) {
  if (!warpPerRow)
    return gpu::AllReduceOp::create(
        builder, loc, value,
        gpu::AllReduceOperationAttr::get(builder.getContext(), kind),
        builder.getUnitAttr());
  Value width = arith::ConstantIntOp::create(builder, loc, 32, 32);
  for (int64_t offset = 16; offset > 0; offset /= 2) {
    Value shuffled = gpu::ShuffleOp::create(
                         builder, loc, value,
                         arith::ConstantIntOp::create(builder, loc, offset, 32),
                         width, gpu::ShuffleMode::XOR)
                         .getShuffleResult();
    value = combineFn(builder, value, shuffled);
  }
  return value;
}

namespace {

/// An elementwise linalg op over whole, contiguous function arguments.
struct ElementwiseKernel {
  linalg::LinalgOp op;
  SmallVector<Value> roots; // per op operand: the function argument
};

FailureOr<ElementwiseKernel> matchElementwise(func::FuncOp func,
                                              std::string &why) {
  auto sole = getSoleOp<linalg::LinalgOp>(func);
  if (!sole) {
    why = "expected exactly one linalg op in the variant";
    return failure();
  }
  ElementwiseKernel kernel{sole, {}};
  linalg::LinalgOp op = kernel.op;
  if (!op.hasPureBufferSemantics()) {
    why = "the variant is not bufferized";
    return failure();
  }
  int64_t rank = op.getNumLoops();
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isIdentity()) {
      why = "indexing maps other than the identity (broadcasts, transposes)";
      return failure();
    }
  for (OpOperand &operand : op->getOpOperands()) {
    Value root = wholeContiguousArgument(func, operand.get());
    if (!root || cast<MemRefType>(root.getType()).getRank() != rank) {
      why = "operands must be whole, contiguous (identity layout) function "
            "arguments of the loop rank";
      return failure();
    }
    kernel.roots.push_back(root);
  }
  for (Operation &bodyOp : op.getBlock()->without_terminator())
    if (!bodyOp.hasTrait<OpTrait::Elementwise>() &&
        !bodyOp.hasTrait<OpTrait::ConstantLike>()) {
      why = "the body has an op that is not elementwise: " +
            bodyOp.getName().getStringRef().str();
      return failure();
    }
  return kernel;
}

/// Emits the body of `op` on `inputs` (scalars, or vectors of `width`; null
/// for block arguments the body does not use) and returns the yielded
/// values.
SmallVector<Value> emitBody(OpBuilder &builder, Location loc,
                            linalg::LinalgOp op, ArrayRef<Value> inputs,
                            int64_t width) {
  IRMapping mapping;
  Block *body = op.getBlock();
  for (auto [argument, input] : llvm::zip(body->getArguments(), inputs))
    if (input)
      mapping.map(argument, input);
  auto vectorOf = [&](Type type) -> Type {
    return width > 1 ? VectorType::get({width}, type) : type;
  };
  auto operandFor = [&](Value value) -> Value {
    if (Value mapped = mapping.lookupOrNull(value))
      return mapped;
    // Defined outside the body (a captured scalar): splat it.
    return width > 1 ? vector::BroadcastOp::create(
                           builder, loc, vectorOf(value.getType()), value)
                           .getResult()
                     : value;
  };
  for (Operation &bodyOp : body->without_terminator()) {
    if (bodyOp.hasTrait<OpTrait::ConstantLike>()) {
      Value scalar = builder.clone(bodyOp)->getResult(0);
      mapping.map(bodyOp.getResult(0),
                  width > 1
                      ? vector::BroadcastOp::create(
                            builder, loc, vectorOf(scalar.getType()), scalar)
                            .getResult()
                      : scalar);
      continue;
    }
    OperationState state(loc, bodyOp.getName());
    for (Value operand : bodyOp.getOperands())
      state.operands.push_back(operandFor(operand));
    for (Type type : bodyOp.getResultTypes())
      state.types.push_back(vectorOf(type));
    state.attributes = bodyOp.getAttrs();
    Operation *created = builder.create(state);
    mapping.map(bodyOp.getResults(), created->getResults());
  }
  SmallVector<Value> results;
  for (Value yielded : body->getTerminator()->getOperands())
    results.push_back(operandFor(yielded));
  return results;
}

/// One launch of the flattened elementwise kernel with `width`-wide
/// accesses (1: scalar).
void emitLaunch(OpBuilder &builder, Location loc, ElementwiseKernel k,
                ArrayRef<Value> flat, Value total, int64_t threads,
                int64_t vectorsPerThread, int64_t width) {
  int64_t chunk = threads * vectorsPerThread * width;
  Value one = indexConstant(builder, loc, 1);
  Value chunkValue = indexConstant(builder, loc, chunk);
  Value grid = arith::CeilDivUIOp::create(builder, loc, total, chunkValue);
  Value blockSize = indexConstant(builder, loc, threads);
  auto launch =
      gpu::LaunchOp::create(builder, loc, grid, one, one, blockSize, one, one);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&launch.getBody().front());

  // Constants inside the kernel, so that they stay constants there.
  Value c0 = indexConstant(builder, loc, 0);
  Value c1 = indexConstant(builder, loc, 1);
  Value widthValue = indexConstant(builder, loc, width);
  Value stride = indexConstant(builder, loc, threads * width);
  Value kernelChunk = indexConstant(builder, loc, chunk);
  Value kernelVectors = indexConstant(builder, loc, vectorsPerThread);
  SmallVector<Value> buffers(flat.begin(), flat.end());
  if (width > 1)
    for (Value &buffer : buffers)
      buffer = memref::AssumeAlignmentOp::create(builder, loc, buffer,
                                                 builder.getI32IntegerAttr(16))
                   .getResult();
  Value base = arith::AddIOp::create(
      builder, loc,
      arith::MulIOp::create(builder, loc, launch.getBlockIds().x, kernelChunk),
      arith::MulIOp::create(builder, loc, launch.getThreadIds().x, widthValue));

  int64_t numInputs =
      cast<DestinationStyleOpInterface>(k.op.getOperation()).getNumDpsInputs();
  auto loop = scf::ForOp::create(builder, loc, c0, kernelVectors, c1);
  builder.setInsertionPointToStart(loop.getBody());
  Value index = arith::AddIOp::create(
      builder, loc, base,
      arith::MulIOp::create(builder, loc, loop.getInductionVar(), stride));

  // Operands whose value the body never reads (typically the outputs) are
  // not loaded: every byte counts in a memory-bound kernel.
  Block *body = k.op.getBlock();
  auto isRead = [&](size_t position) {
    return !body->getArgument(position).use_empty();
  };
  auto emitScalarAt = [&](OpBuilder &b, Value at) {
    SmallVector<Value> values;
    for (auto [position, buffer] : llvm::enumerate(buffers))
      values.push_back(isRead(position)
                           ? memref::LoadOp::create(b, loc, buffer, at)
                           : Value());
    SmallVector<Value> results = emitBody(b, loc, k.op, values, 1);
    for (auto [result, buffer] :
         llvm::zip(results, ArrayRef<Value>(buffers).drop_front(numInputs)))
      memref::StoreOp::create(b, loc, result, buffer, at);
  };

  if (width == 1) {
    Value inBounds = arith::CmpIOp::create(
        builder, loc, arith::CmpIPredicate::ult, index, total);
    auto guardOp = scf::IfOp::create(builder, loc, inBounds,
                                     /*withElseRegion=*/false);
    builder.setInsertionPointToStart(&guardOp.getThenRegion().front());
    emitScalarAt(builder, index);
  } else {
    Value end = arith::AddIOp::create(builder, loc, index, widthValue);
    Value full = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ule,
                                       end, total);
    auto split = scf::IfOp::create(builder, loc, full, /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard inner(builder);
      builder.setInsertionPointToStart(&split.getThenRegion().front());
      SmallVector<Value> vectors;
      for (auto [position, buffer] : llvm::enumerate(buffers)) {
        if (!isRead(position)) {
          vectors.push_back(Value());
          continue;
        }
        VectorType type = VectorType::get(
            {width}, cast<MemRefType>(buffer.getType()).getElementType());
        vectors.push_back(vector::LoadOp::create(
            builder, loc, type, buffer, ValueRange{index},
            /*nontemporal=*/false, vectorAlignment(type)));
      }
      SmallVector<Value> results = emitBody(builder, loc, k.op, vectors, width);
      for (auto [result, buffer] :
           llvm::zip(results, ArrayRef<Value>(buffers).drop_front(numInputs)))
        vector::StoreOp::create(
            builder, loc, result, buffer, ValueRange{index},
            /*nontemporal=*/false,
            vectorAlignment(cast<VectorType>(result.getType())));
    }
    {
      // The tail: the last partial vector, one element at a time.
      OpBuilder::InsertionGuard inner(builder);
      builder.setInsertionPointToStart(&split.getElseRegion().front());
      Value start = arith::MinUIOp::create(builder, loc, index, total);
      auto tail = scf::ForOp::create(builder, loc, start, total, c1);
      builder.setInsertionPointToStart(tail.getBody());
      emitScalarAt(builder, tail.getInductionVar());
    }
  }
  builder.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(builder, loc);
}

LogicalResult generateElementwise(func::FuncOp func, TilingAttr tiling) {
  std::string why;
  FailureOr<ElementwiseKernel> kernel = matchElementwise(func, why);
  if (failed(kernel))
    return emitCodegenError(func, "elementwise", why);
  Location loc = kernel->op.getLoc();
  Block &entry = func.front();
  SmallVector<Value> roots = kernel->roots;
  linalg::LinalgOp op = kernel->op;
  // Keep the op (its body is the template) until the kernels exist, with the
  // constants its body uses from outside (the tiling hoisted them). Its
  // operands are views inside the tiled loops, which go away: point them at
  // the whole arguments.
  op->moveBefore(entry.getTerminator());
  op->setOperands(roots);
  SetVector<Value> captured;
  getUsedValuesDefinedAbove(op->getRegions(), captured);
  OpBuilder constantBuilder(op);
  for (Value value : captured) {
    if (isa<BlockArgument>(value) &&
        cast<BlockArgument>(value).getOwner() == &entry)
      continue;
    Operation *def = value.getDefiningOp();
    if (!def || !def->hasTrait<OpTrait::ConstantLike>())
      return emitCodegenError(
          func, "elementwise",
          "the kernel body uses a value computed outside it");
    Operation *copy = constantBuilder.clone(*def);
    replaceAllUsesInRegionWith(value, copy->getResult(0), op->getRegion(0));
  }
  eraseEntryOpsExcept(entry, [&](Operation &kept) {
    return &kept == op.getOperation() ||
           (kept.hasTrait<OpTrait::ConstantLike>() && !kept.use_empty());
  });

  OpBuilder builder(op);
  int64_t rank = op.getNumLoops();
  // The flattened views and the number of elements.
  SmallVector<Value> flat;
  for (Value root : roots) {
    if (rank == 1) {
      flat.push_back(root);
      continue;
    }
    SmallVector<ReassociationIndices> all(1);
    for (int64_t d = 0; d < rank; ++d)
      all[0].push_back(d);
    flat.push_back(memref::CollapseShapeOp::create(builder, loc, root, all));
  }
  Value total = memref::DimOp::create(builder, loc, flat.back(), 0);

  int64_t width = tiling.getVectorWidth();
  int64_t threads = tiling.getThreads();
  int64_t elements = 1;
  for (int64_t size : tiling.getThreadTile())
    elements *= std::max<int64_t>(size, 1);
  int64_t vectorsPerThread = std::max<int64_t>(1, elements / width);

  // The scalar kernel keeps the elements per thread of the vector one.
  emitVectorizedIfAligned(
      builder, loc, flat, /*multipleOf=*/Value(), width, [&](int64_t w) {
        emitLaunch(builder, loc, *kernel, flat, total, threads,
                   vectorsPerThread * width / w, w);
      });
  op->erase();
  return success();
}

//===----------------------------------------------------------------------===//
// Row reductions
//===----------------------------------------------------------------------===//

/// The combiner of a reduction body: one op of a kind with a neutral element,
/// applied to (input, accumulator).
struct Combiner {
  Operation *op;
  gpu::AllReduceOperation kind;
  TypedAttr identity;
};

FailureOr<Combiner> matchCombiner(linalg::LinalgOp op, std::string &why) {
  Block *body = op.getBlock();
  auto ops = body->without_terminator();
  if (std::distance(ops.begin(), ops.end()) != 1) {
    why = "the reduction body must be a single combining op";
    return failure();
  }
  Operation &combine = *ops.begin();
  Value yielded = body->getTerminator()->getOperand(0);
  if (combine.getNumOperands() != 2 || yielded != combine.getResult(0) ||
      !llvm::is_contained(combine.getOperands(), body->getArgument(0)) ||
      !llvm::is_contained(combine.getOperands(), body->getArgument(1))) {
    why = "the reduction body must combine the input with the accumulator";
    return failure();
  }
  Type type = combine.getResult(0).getType();
  OpBuilder builder(op.getContext());
  auto floatType = dyn_cast<FloatType>(type);
  auto intType = dyn_cast<IntegerType>(type);
  auto floatValue = [&](double v) -> TypedAttr {
    return builder.getFloatAttr(type, v);
  };
  Combiner result{&combine, gpu::AllReduceOperation::ADD, nullptr};
  if (isa<arith::AddFOp>(combine) && floatType)
    result = {&combine, gpu::AllReduceOperation::ADD, floatValue(0.0)};
  else if (isa<arith::MulFOp>(combine) && floatType)
    result = {&combine, gpu::AllReduceOperation::MUL, floatValue(1.0)};
  else if (isa<arith::MaximumFOp>(combine) && floatType)
    result = {&combine, gpu::AllReduceOperation::MAXIMUMF,
              floatValue(-std::numeric_limits<double>::infinity())};
  else if (isa<arith::MinimumFOp>(combine) && floatType)
    result = {&combine, gpu::AllReduceOperation::MINIMUMF,
              floatValue(std::numeric_limits<double>::infinity())};
  else if (isa<arith::MaxNumFOp>(combine) && floatType)
    result = {&combine, gpu::AllReduceOperation::MAXNUMF,
              floatValue(-std::numeric_limits<double>::infinity())};
  else if (isa<arith::MinNumFOp>(combine) && floatType)
    result = {&combine, gpu::AllReduceOperation::MINNUMF,
              floatValue(std::numeric_limits<double>::infinity())};
  else if (isa<arith::AddIOp>(combine) && intType)
    result = {&combine, gpu::AllReduceOperation::ADD,
              builder.getIntegerAttr(type, 0)};
  if (!result.identity) {
    why = "the combining op " + combine.getName().getStringRef().str() +
          " has no supported neutral element";
    return failure();
  }
  return result;
}

/// `combiner` applied to (a, b).
Value combine(OpBuilder &builder, Location loc, const Combiner &combiner,
              Value a, Value b) {
  OperationState state(loc, combiner.op->getName());
  state.operands = {a, b};
  state.types = {a.getType()};
  state.attributes = combiner.op->getAttrs();
  return builder.create(state)->getResult(0);
}

/// Rows at most this long are reduced by one thread each: a warp or a block
/// per row would leave most of its lanes idle (a row of 3 floats keeps 1
/// lane of 32 busy), while threads of consecutive rows read consecutive
/// addresses.
constexpr int64_t kThreadPerRowLimit = 16;
constexpr int64_t kThreadPerRowBlock = 256;

/// Opens a launch of a thread per row (kThreadPerRowBlock per block) and
/// leaves the insertion point inside the guard `row < rows`; returns the
/// launch and the thread's row. Close it with endLaunch.
std::pair<gpu::LaunchOp, Value>
beginThreadPerRowLaunch(OpBuilder &builder, Location loc, Value rows) {
  Value one = indexConstant(builder, loc, 1);
  Value block = indexConstant(builder, loc, kThreadPerRowBlock);
  Value grid = arith::CeilDivUIOp::create(builder, loc, rows, block);
  auto launch =
      gpu::LaunchOp::create(builder, loc, grid, one, one, block, one, one);
  builder.setInsertionPointToStart(&launch.getBody().front());
  Value row = guardRow(builder, loc, launch, kThreadPerRowBlock,
                       launch.getThreadIds().x, rows);
  return {launch, row};
}

/// One launch of a row reduction with a thread per row, for short rows.
void emitThreadPerRowReductionLaunch(OpBuilder &builder, Location loc,
                                     const Combiner &combiner, Value input,
                                     Value output, Value rows, Value n) {
  OpBuilder::InsertionGuard guard(builder);
  Value one = indexConstant(builder, loc, 1);
  auto [launch, row] = beginThreadPerRowLaunch(builder, loc, rows);
  Value identity = arith::ConstantOp::create(builder, loc, combiner.identity);
  auto loop = scf::ForOp::create(builder, loc, indexConstant(builder, loc, 0),
                                 n, one, ValueRange{identity});
  {
    OpBuilder::InsertionGuard loopGuard(builder);
    builder.setInsertionPointToStart(loop.getBody());
    Value element = memref::LoadOp::create(
        builder, loc, input, ValueRange{row, loop.getInductionVar()});
    scf::YieldOp::create(builder, loc,
                         combine(builder, loc, combiner,
                                 loop.getRegionIterArgs().front(), element));
  }
  Value init = memref::LoadOp::create(builder, loc, output, row);
  memref::StoreOp::create(
      builder, loc, combine(builder, loc, combiner, init, loop.getResult(0)),
      output, row);
  endLaunch(builder, loc, launch);
}

/// One launch of a row reduction of `input` ([rows, n]) into `output`
/// ([rows]): the row's threads fold their elements, reduce across the row,
/// and the first combines the result into the output's initial value.
void emitReductionLaunch(OpBuilder &builder, Location loc,
                         const Combiner &combiner, Value input, Value output,
                         Value rows, Value n, bool warpPerRow, int64_t threads,
                         int64_t width) {
  OpBuilder::InsertionGuard guard(builder);
  Value buffers[] = {input};
  RowLaunch rowLaunch =
      beginRowLaunch(builder, loc, rows, warpPerRow, threads, width, buffers);
  auto combineFn = [&](OpBuilder &b, Value a, Value x) -> Value {
    return combine(b, loc, combiner, a, x);
  };
  Value identity = arith::ConstantOp::create(builder, loc, combiner.identity);
  Value partial =
      foldRow(builder, loc, buffers[0], rowLaunch.row, rowLaunch.lane, n,
              rowLaunch.lanes, width, identity, combineFn);
  Value total =
      reduceRow(builder, loc, partial, warpPerRow, combiner.kind, combineFn);
  Value first =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                            rowLaunch.lane, indexConstant(builder, loc, 0));
  auto write = scf::IfOp::create(builder, loc, first, false);
  builder.setInsertionPointToStart(&write.getThenRegion().front());
  Value init = memref::LoadOp::create(builder, loc, output, rowLaunch.row);
  memref::StoreOp::create(builder, loc,
                          combine(builder, loc, combiner, init, total), output,
                          rowLaunch.row);
  endLaunch(builder, loc, rowLaunch.launch);
}

/// The two-stage row reduction for few long rows: `split` blocks per row
/// each fold a chunk of it into a scratch buffer [rows, split] (allocated in
/// stream order for this call), then a thread per row combines the output's
/// initial value with its partials in order: deterministic.
void emitSplitReductionLaunches(OpBuilder &builder, Location loc,
                                const Combiner &combiner, Value input,
                                Value output, Value rows, Value n, Value split,
                                int64_t threads, int64_t width) {
  OpBuilder::InsertionGuard guard(builder);
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  Type elementType = cast<MemRefType>(output.getType()).getElementType();
  Scratch scratch =
      allocateScratch(builder, loc, elementType, ValueRange{rows, split});
  Value partials = scratch.buffer;
  auto combineFn = [&](OpBuilder &b, Value a, Value x) -> Value {
    return combine(b, loc, combiner, a, x);
  };

  // Stage 1: each block folds its chunk of its row.
  {
    OpBuilder::InsertionGuard launchGuard(builder);
    Value buffers[] = {input};
    ChunkLaunch chunk =
        beginChunkLaunch(builder, loc, rows, n, split, threads, width, buffers);
    Value lane = chunk.launch.getThreadIds().x;
    Value identity = arith::ConstantOp::create(builder, loc, combiner.identity);
    Value partial =
        foldRow(builder, loc, buffers[0], chunk.row, lane, chunk.end, threads,
                width, identity, combineFn, chunk.begin);
    Value total = reduceRow(builder, loc, partial, /*warpPerRow=*/false,
                            combiner.kind, combineFn);
    Value first = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                        lane, c(0));
    auto write = scf::IfOp::create(builder, loc, first, false);
    builder.setInsertionPointToStart(&write.getThenRegion().front());
    memref::StoreOp::create(builder, loc, total, partials,
                            ValueRange{chunk.row, chunk.part});
    endLaunch(builder, loc, chunk.launch);
  }

  // Stage 2: a thread per row, the initial value then the partials.
  {
    OpBuilder::InsertionGuard launchGuard(builder);
    auto [launch, row] = beginThreadPerRowLaunch(builder, loc, rows);
    Value init = memref::LoadOp::create(builder, loc, output, row);
    auto loop =
        scf::ForOp::create(builder, loc, c(0), split, c(1), ValueRange{init});
    {
      OpBuilder::InsertionGuard loopGuard(builder);
      builder.setInsertionPointToStart(loop.getBody());
      Value partial = memref::LoadOp::create(
          builder, loc, partials, ValueRange{row, loop.getInductionVar()});
      scf::YieldOp::create(
          builder, loc,
          combineFn(builder, loop.getRegionIterArgs().front(), partial));
    }
    memref::StoreOp::create(builder, loc, loop.getResult(0), output, row);
    endLaunch(builder, loc, launch);
  }
  freeScratch(builder, loc, scratch);
}

LogicalResult generateReduction(func::FuncOp func, TilingAttr tiling,
                                int64_t smCount) {
  auto fail = [&](const Twine &why) {
    return emitCodegenError(func, "reduction", why);
  };
  auto op = getSoleOp<linalg::LinalgOp>(func);
  if (!op)
    return fail("expected exactly one linalg op in the variant");
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1)
    return fail("expected one input and one output memref");
  std::string why;
  FailureOr<Combiner> combiner = matchCombiner(op, why);
  if (failed(combiner))
    return fail(why);
  int64_t rank = op.getNumLoops();
  SmallVector<Value> roots;
  for (OpOperand &operand : op->getOpOperands()) {
    Value root = wholeContiguousArgument(func, operand.get());
    if (!root)
      return fail("operands must be whole, contiguous function arguments");
    roots.push_back(root);
  }
  if (!op.getMatchingIndexingMap(op.getDpsInputOperand(0)).isIdentity() ||
      cast<MemRefType>(roots[1].getType()).getRank() != rank - 1)
    return fail("expected a reduction of the innermost loop of one input");

  // Rebuild the body: only the arguments remain.
  Block &entry = func.front();
  Location loc = op.getLoc();
  // The combiner op is used as a template: keep the linalg op until the end
  // with its operands pointing at the arguments.
  op->moveBefore(entry.getTerminator());
  op->setOperands(roots);
  eraseEntryOpsExcept(
      entry, [&](Operation &kept) { return &kept == op.getOperation(); });
  OpBuilder builder(op);
  Value input = roots[0], output = roots[1];
  if (rank > 2) {
    SmallVector<ReassociationIndices> groups(2);
    for (int64_t d = 0; d + 1 < rank; ++d)
      groups[0].push_back(d);
    groups[1].push_back(rank - 1);
    input = memref::CollapseShapeOp::create(builder, loc, input, groups);
    SmallVector<ReassociationIndices> all(1);
    for (int64_t d = 0; d + 1 < rank; ++d)
      all[0].push_back(d);
    output = memref::CollapseShapeOp::create(builder, loc, output, all);
  } else if (rank == 1) {
    return fail("a reduction to a scalar is not supported");
  }
  Value rows = memref::DimOp::create(builder, loc, input, 0);
  Value n = memref::DimOp::create(builder, loc, input, 1);
  bool warp = tiling.getReduction() == "warp";
  int64_t threads = tiling.getThreads();
  int64_t width = tiling.getVectorWidth();
  Value shortRows =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ule, n,
                            indexConstant(builder, loc, kThreadPerRowLimit));
  auto choose = scf::IfOp::create(builder, loc, shortRows, true);
  builder.setInsertionPointToStart(&choose.getThenRegion().front());
  emitThreadPerRowReductionLaunch(builder, loc, *combiner, input, output, rows,
                                  n);
  builder.setInsertionPointToStart(&choose.getElseRegion().front());
  // Every row's vectors are aligned when the base is and the row length is
  // a multiple of the vector width.
  if (tiling.getReduction() == "split") {
    std::pair<Value, scf::IfOp> choice =
        beginSplitChoice(builder, loc, rows, n, smCount, kMinSplit);
    Value split = choice.first;
    scf::IfOp chooseSplit = choice.second;
    emitVectorizedIfAligned(builder, loc, {input}, n, width, [&](int64_t w) {
      emitSplitReductionLaunches(builder, loc, *combiner, input, output, rows,
                                 n, split, threads, w);
    });
    builder.setInsertionPointToStart(&chooseSplit.getElseRegion().front());
  }
  emitVectorizedIfAligned(builder, loc, {input}, n, width, [&](int64_t w) {
    emitReductionLaunch(builder, loc, *combiner, input, output, rows, n, warp,
                        threads, w);
  });
  op->erase();
  return success();
}

struct GpuCodegenPass
    : public multikernel::impl::MultiKernelGpuCodegenBase<GpuCodegenPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool failedAny = false;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      auto tiling = func->getAttrOfType<TilingAttr>(
          MultiKernelDialect::getTilingAttrName());
      if (!tiling || tiling.getTarget() != "gpu")
        continue;
      if (tiling.getKind() == "elementwise") {
        failedAny |= failed(generateElementwise(func, tiling));
        continue;
      }
      if (tiling.getKind() == "reduction") {
        failedAny |= failed(generateReduction(func, tiling, smCount));
        continue;
      }
      if (tiling.getKind() == "softmax") {
        failedAny |= failed(generateSoftmax(func, tiling, smCount));
        continue;
      }
      if (tiling.getKind() == "matmul") {
        failedAny |= failed(generateMatmul(func, tiling));
        continue;
      }
      func.emitError() << "GPU code generation for " << tiling.getKind()
                       << " kernels is not implemented yet (variant '"
                       << func.getSymName() << "')";
      failedAny = true;
    }
    // Whatever linalg is left would run on the host, on device memory.
    module.walk([&](linalg::LinalgOp op) {
      auto func = op->getParentOfType<func::FuncOp>();
      if (func && func->hasAttr(MultiKernelDialect::getTilingAttrName()))
        return;
      op->emitError("this op was not specialized for the GPU and would run "
                    "on the host; give it dynamic sizes and size hints of "
                    "its rank (multikernel.hints)");
      failedAny = true;
    });
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
