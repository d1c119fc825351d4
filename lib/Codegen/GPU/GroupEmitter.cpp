//===- GroupEmitter.cpp - a kernel group's values at a point --------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "GroupEmitter.h"
#include "GpuCodegen.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::multikernel;
using namespace mlir::multikernel::gpu_codegen;

void GroupEmitter::setPoint(ArrayRef<Value> newLoops, int64_t newWidth,
                            int64_t newSlot) {
  loops.assign(newLoops.begin(), newLoops.end());
  width = newWidth;
  slot = newSlot;
  flat = Value();
  flatBuffers = nullptr;
}

void GroupEmitter::setFlatPoint(
    Value newFlat, int64_t newWidth,
    const llvm::DenseMap<Value, Value> *newFlatBuffers) {
  loops.clear();
  flat = newFlat;
  width = newWidth;
  slot = 0;
  flatBuffers = newFlatBuffers;
}

GroupEmitter::CacheKey GroupEmitter::key(int64_t kind, const void *what,
                                         ArrayRef<LoopIndex> indices) const {
  std::vector<int64_t> encoded;
  for (const LoopIndex &index : indices) {
    encoded.push_back(index.loop);
    encoded.push_back(index.constant);
  }
  return {kind, slot, what, std::move(encoded), width};
}

Type GroupEmitter::vectorOf(Type type) const {
  return width > 1 ? VectorType::get({width}, type) : type;
}

Value GroupEmitter::broadcast(Value scalar) {
  if (width == 1 || isa<VectorType>(scalar.getType()))
    return scalar;
  return vector::BroadcastOp::create(builder, loc, vectorOf(scalar.getType()),
                                     scalar);
}

Value GroupEmitter::splat(TypedAttr attr, int64_t lanes) {
  Value scalar = arith::ConstantOp::create(builder, loc, attr);
  if (lanes == 1)
    return scalar;
  return vector::BroadcastOp::create(
      builder, loc, VectorType::get({lanes}, attr.getType()), scalar);
}

Value GroupEmitter::combine(Operation *combiner, Value a, Value b) {
  OperationState state(loc, combiner->getName());
  state.operands = {a, b};
  state.types = {a.getType()};
  state.attributes = combiner->getAttrs();
  return builder.create(state)->getResult(0);
}

Value GroupEmitter::combineLanes(Operation *combiner, Value vector) {
  auto type = dyn_cast<VectorType>(vector.getType());
  if (!type)
    return vector;
  Value result = vector::ExtractOp::create(builder, loc, vector, 0);
  for (int64_t i = 1, e = type.getNumElements(); i < e; ++i)
    result = combine(combiner, result,
                     vector::ExtractOp::create(builder, loc, vector, i));
  return result;
}

bool GroupEmitter::variesInnermost(ArrayRef<LoopIndex> indices) const {
  int64_t innermost = group.numLoops - 1;
  return llvm::any_of(
      indices, [&](const LoopIndex &index) { return index.loop == innermost; });
}

SmallVector<Value> GroupEmitter::indexValues(ArrayRef<LoopIndex> indices,
                                             int64_t lane) {
  int64_t innermost = group.numLoops - 1;
  SmallVector<Value> values;
  for (const LoopIndex &index : indices) {
    if (!index.isLoop()) {
      values.push_back(indexConstant(builder, loc, index.constant));
      continue;
    }
    assert(index.loop < static_cast<int64_t>(loops.size()) &&
           "the point was not set");
    Value value = loops[index.loop];
    if (index.loop == innermost && lane > 0)
      value = arith::AddIOp::create(builder, loc, value,
                                    indexConstant(builder, loc, lane));
    values.push_back(value);
  }
  return values;
}

Value GroupEmitter::load(Value buffer, ArrayRef<LoopIndex> indices) {
  auto memrefType = cast<MemRefType>(buffer.getType());
  Type elementType = memrefType.getElementType();
  bool varies = flat || variesInnermost(indices);
  auto emitLoad = [&]() -> Value {
    if (flat) {
      Value view = flatBuffers->lookup(buffer);
      if (width == 1)
        return memref::LoadOp::create(builder, loc, view, flat);
      auto type = VectorType::get({width}, elementType);
      return vector::LoadOp::create(builder, loc, type, view, ValueRange{flat},
                                    /*nontemporal=*/false,
                                    vectorAlignment(type));
    }
    if (width == 1 || !varies)
      return broadcast(memref::LoadOp::create(builder, loc, buffer,
                                              indexValues(indices, 0)));
    int64_t innermost = group.numLoops - 1;
    if (!indices.empty() && indices.back().loop == innermost) {
      auto type = VectorType::get({width}, elementType);
      return vector::LoadOp::create(
          builder, loc, type, buffer, indexValues(indices, 0),
          /*nontemporal=*/false, vectorAlignment(type));
    }
    // Transposed: the lanes of the vector are apart in memory.
    SmallVector<Value> elements;
    for (int64_t lane = 0; lane < width; ++lane)
      elements.push_back(memref::LoadOp::create(builder, loc, buffer,
                                                indexValues(indices, lane)));
    return vector::FromElementsOp::create(
        builder, loc, VectorType::get({width}, elementType), elements);
  };
  if (!loadGuard || !varies)
    return emitLoad();
  // A slot past the end of the row: zeros, which the reductions mask out
  // and the stores skip.
  Type type = vectorOf(elementType);
  auto guarded = scf::IfOp::create(builder, loc, TypeRange{type}, loadGuard,
                                   /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&guarded.getThenRegion().front());
    scf::YieldOp::create(builder, loc, emitLoad());
    builder.setInsertionPointToStart(&guarded.getElseRegion().front());
    scf::YieldOp::create(
        builder, loc,
        splat(cast<TypedAttr>(builder.getZeroAttr(elementType)), width));
  }
  return guarded.getResult(0);
}

Value GroupEmitter::loadScalar(Value buffer, ArrayRef<LoopIndex> indices) {
  return memref::LoadOp::create(builder, loc, buffer, indexValues(indices, 0));
}

FailureOr<Value> GroupEmitter::read(Value buffer, ArrayRef<LoopIndex> indices,
                                    int64_t reader) {
  std::optional<GroupWrite> write = lastWriter(group, buffer, reader);
  if (!write) {
    if (Value value = staged.lookup(buffer))
      return value;
    CacheKey loadKey = key(0, buffer.getAsOpaquePointer(), indices);
    auto cached = cache.find(loadKey);
    if (cached != cache.end())
      return cached->second.front();
    Value value = load(buffer, indices);
    cache[loadKey] = {value};
    return value;
  }
  const GroupOp &writer = group.ops[write->position];
  linalg::LinalgOp writerOp = writer.op;
  int64_t output = write->init->getOperandNumber() - writerOp.getNumDpsInputs();
  if (writer.role == GroupOpRole::Reduction) {
    auto found = rowValues.find(write->position);
    if (found == rowValues.end())
      return failure();
    return broadcast(found->second[output]);
  }
  FailureOr<SmallVector<LoopIndex>> writerIndices =
      writerLoops(writerOp.getMatchingIndexingMap(write->init), indices);
  if (failed(writerIndices))
    return failure();
  FailureOr<SmallVector<Value>> results =
      evaluateAt(write->position, *writerIndices, {});
  if (failed(results))
    return failure();
  return (*results)[output];
}

FailureOr<SmallVector<Value>>
GroupEmitter::evaluateAt(int64_t position, ArrayRef<LoopIndex> opLoops,
                         ArrayRef<Value> outputs) {
  linalg::LinalgOp op = group.ops[position].op;
  CacheKey evalKey = key(1, op.getOperation(), opLoops);
  if (outputs.empty()) {
    auto cached = cache.find(evalKey);
    if (cached != cache.end())
      return cached->second;
  }

  IRMapping mapping;
  for (OpOperand &operand : op->getOpOperands()) {
    BlockArgument argument = op.getMatchingBlockArgument(&operand);
    if (argument.use_empty())
      continue;
    if (!isa<MemRefType>(operand.get().getType())) {
      // A scalar input: a constant is cloned into the kernel (one from the
      // host would become a kernel argument), another value is captured.
      Value scalar = operand.get();
      if (Operation *def = scalar.getDefiningOp();
          def && def->hasTrait<OpTrait::ConstantLike>())
        scalar = builder.clone(*def)->getResult(0);
      mapping.map(argument, broadcast(scalar));
      continue;
    }
    int64_t output =
        static_cast<int64_t>(operand.getOperandNumber()) - op.getNumDpsInputs();
    if (output >= 0 && !outputs.empty()) {
      mapping.map(argument, outputs[output]);
      continue;
    }
    FailureOr<Value> value = read(
        operand.get(),
        composeIndices(op.getMatchingIndexingMap(&operand), opLoops), position);
    if (failed(value))
      return failure();
    mapping.map(argument, *value);
  }

  Block *body = op.getBlock();
  auto operandFor = [&](Value value) -> Value {
    if (Value mapped = mapping.lookupOrNull(value))
      return mapped;
    // Defined outside the body: constants are cloned into the kernel (a
    // constant from the host would become a kernel argument), other values
    // are captured.
    if (Operation *def = value.getDefiningOp();
        def && def->hasTrait<OpTrait::ConstantLike>()) {
      Value clone = builder.clone(*def)->getResult(0);
      mapping.map(value, broadcast(clone));
      return mapping.lookup(value);
    }
    return broadcast(value);
  };
  int64_t innermost = group.numLoops - 1;
  for (Operation &bodyOp : body->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
      const LoopIndex &loopIndex = opLoops[index.getDim()];
      Value value;
      if (!loopIndex.isLoop()) {
        value = broadcast(indexConstant(builder, loc, loopIndex.constant));
      } else if (flat) {
        return failure(); // the flat form has no per-loop indices
      } else if (loopIndex.loop == innermost && width > 1) {
        auto type = VectorType::get({width}, builder.getIndexType());
        Value base = broadcast(loops[loopIndex.loop]);
        Value steps = vector::StepOp::create(builder, loc, type);
        value = arith::AddIOp::create(builder, loc, base, steps);
      } else {
        value = broadcast(loops[loopIndex.loop]);
      }
      mapping.map(index.getResult(), value);
      continue;
    }
    if (bodyOp.hasTrait<OpTrait::ConstantLike>()) {
      mapping.map(bodyOp.getResult(0),
                  broadcast(builder.clone(bodyOp)->getResult(0)));
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
  if (outputs.empty())
    cache[evalKey] = results;
  return results;
}

FailureOr<SmallVector<Value>> GroupEmitter::evaluate(int64_t position,
                                                     ArrayRef<Value> outputs) {
  return evaluateAt(position, loopsOf(group, position), outputs);
}

void GroupEmitter::store(int64_t position, ArrayRef<Value> results) {
  const GroupOp &groupOp = group.ops[position];
  linalg::LinalgOp op = groupOp.op;
  int64_t innermost = group.numLoops - 1;
  for (auto [init, stored, value] :
       llvm::zip(op.getDpsInitsMutable(), groupOp.stored, results)) {
    if (!stored)
      continue;
    Value buffer = init.get();
    SmallVector<LoopIndex> indices = composeIndices(
        op.getMatchingIndexingMap(&init), loopsOf(group, position));
    if (flat) {
      Value view = flatBuffers->lookup(buffer);
      if (width == 1)
        memref::StoreOp::create(builder, loc, value, view, flat);
      else
        vector::StoreOp::create(
            builder, loc, value, view, ValueRange{flat},
            /*nontemporal=*/false,
            vectorAlignment(cast<VectorType>(value.getType())));
      continue;
    }
    if (width == 1) {
      memref::StoreOp::create(builder, loc, value, buffer,
                              indexValues(indices, 0));
      continue;
    }
    if (!indices.empty() && indices.back().loop == innermost) {
      vector::StoreOp::create(
          builder, loc, value, buffer, indexValues(indices, 0),
          /*nontemporal=*/false,
          vectorAlignment(cast<VectorType>(value.getType())));
      continue;
    }
    // Transposed output: one element at a time.
    for (int64_t lane = 0; lane < width; ++lane) {
      Value element = vector::ExtractOp::create(builder, loc, value, lane);
      memref::StoreOp::create(builder, loc, element, buffer,
                              indexValues(indices, lane));
    }
  }
}

FailureOr<Value> GroupEmitter::reductionInit(int64_t position, int64_t output) {
  linalg::LinalgOp op = group.ops[position].op;
  OpOperand &init = op.getDpsInitsMutable()[output];
  SmallVector<LoopIndex> indices = composeIndices(
      op.getMatchingIndexingMap(&init), identityLoops(group.numLoops));
  // A row's value is a scalar; the columns of a reduction over an outer
  // loop are a vector along the innermost loop, like the point.
  int64_t savedWidth = width;
  if (!variesInnermost(indices))
    width = 1;
  FailureOr<Value> value = read(init.get(), indices, position);
  width = savedWidth;
  return value;
}

void GroupEmitter::storeRow(int64_t position, ArrayRef<Value> values) {
  const GroupOp &groupOp = group.ops[position];
  linalg::LinalgOp op = groupOp.op;
  for (auto [init, stored, value] :
       llvm::zip(op.getDpsInitsMutable(), groupOp.stored, values)) {
    if (!stored)
      continue;
    SmallVector<LoopIndex> indices = composeIndices(
        op.getMatchingIndexingMap(&init), identityLoops(group.numLoops));
    auto vectorType = dyn_cast<VectorType>(value.getType());
    if (!vectorType) {
      memref::StoreOp::create(builder, loc, value, init.get(),
                              indexValues(indices, 0));
      continue;
    }
    // The columns of a reduction over an outer loop: its output's last
    // index is the innermost loop (the identity of the kept loops).
    vector::StoreOp::create(builder, loc, value, init.get(),
                            indexValues(indices, 0), /*nontemporal=*/false,
                            vectorAlignment(vectorType));
  }
}

//===----------------------------------------------------------------------===//
// Cross-lane combination
//===----------------------------------------------------------------------===//

namespace {

/// `value` from the lane `offset` away (xor), through 32-bit shuffles.
Value shuffleXor(OpBuilder &builder, Location loc, Value value,
                 int64_t offset) {
  Type type = value.getType();
  unsigned bits = type.getIntOrFloatBitWidth();
  Value width = arith::ConstantIntOp::create(builder, loc, 32, 32);
  Value offsetValue = arith::ConstantIntOp::create(builder, loc, offset, 32);
  auto shuffle = [&](Value word) -> Value {
    return gpu::ShuffleOp::create(builder, loc, word, offsetValue, width,
                                  gpu::ShuffleMode::XOR)
        .getShuffleResult();
  };
  if (bits == 32 && (type.isF32() || type.isInteger(32)))
    return shuffle(value);
  Type i32 = builder.getI32Type();
  Type intType = builder.getIntegerType(bits);
  Value asInt =
      isa<FloatType>(type)
          ? arith::BitcastOp::create(builder, loc, intType, value).getResult()
          : value;
  Value result;
  if (bits < 32) {
    Value word = arith::ExtUIOp::create(builder, loc, i32, asInt);
    result = arith::TruncIOp::create(builder, loc, intType, shuffle(word));
  } else {
    // 64 bits: two words.
    Value shift = arith::ConstantIntOp::create(builder, loc, 32, 64);
    Value low = arith::TruncIOp::create(builder, loc, i32, asInt);
    Value high = arith::TruncIOp::create(
        builder, loc, i32, arith::ShRUIOp::create(builder, loc, asInt, shift));
    Value newLow = arith::ExtUIOp::create(builder, loc, intType, shuffle(low));
    Value newHigh =
        arith::ExtUIOp::create(builder, loc, intType, shuffle(high));
    result = arith::OrIOp::create(
        builder, loc, newLow,
        arith::ShLIOp::create(builder, loc, newHigh, shift));
  }
  return isa<FloatType>(type)
             ? arith::BitcastOp::create(builder, loc, type, result).getResult()
             : result;
}

/// Combines `value` over aligned groups of `lanes` lanes of a warp.
Value combineAcrossWarp(OpBuilder &builder, Location loc, Value value,
                        int64_t lanes,
                        function_ref<Value(Value, Value)> combine) {
  for (int64_t offset = lanes / 2; offset > 0; offset /= 2)
    value = combine(value, shuffleXor(builder, loc, value, offset));
  return value;
}

} // namespace

Value gpu_codegen::combineAcrossLanes(
    OpBuilder &builder, Location loc, Value value, int64_t lanes, Value lane,
    Value scratch, TypedAttr neutral,
    function_ref<Value(Value, Value)> combine) {
  if (lanes <= 32)
    return combineAcrossWarp(builder, loc, value, lanes, combine);
  value = combineAcrossWarp(builder, loc, value, 32, combine);
  // Block: lane 0 of each warp publishes its warp's value; every warp then
  // combines the published values.
  Value c32 = indexConstant(builder, loc, 32);
  Value warp = arith::DivUIOp::create(builder, loc, lane, c32);
  Value laneInWarp = arith::RemUIOp::create(builder, loc, lane, c32);
  Value zero = indexConstant(builder, loc, 0);
  Value isFirst = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                        laneInWarp, zero);
  auto publish = scf::IfOp::create(builder, loc, isFirst, false);
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&publish.getThenRegion().front());
    memref::StoreOp::create(builder, loc, value, scratch, warp);
  }
  gpu::BarrierOp::create(builder, loc);
  Value published =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult, laneInWarp,
                            indexConstant(builder, loc, lanes / 32));
  auto fetch = scf::IfOp::create(builder, loc, TypeRange{value.getType()},
                                 published, /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(&fetch.getThenRegion().front());
    scf::YieldOp::create(
        builder, loc,
        memref::LoadOp::create(builder, loc, scratch, laneInWarp).getResult());
    builder.setInsertionPointToStart(&fetch.getElseRegion().front());
    scf::YieldOp::create(
        builder, loc,
        arith::ConstantOp::create(builder, loc, neutral).getResult());
  }
  return combineAcrossWarp(builder, loc, fetch.getResult(0), 32, combine);
}
