//===- GroupEmitter.h - a kernel group's values at a point ------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Private to lib/Codegen/GPU. The strategies (ElementwiseStrategy.cpp,
// RowReductionStrategy.cpp) decide which thread computes which point of a
// group's loops; the emitter computes the group's values there: it loads
// what comes from memory (16-byte vectors along the innermost loop where
// the indexing allows, broadcasts where a buffer does not vary along it,
// gathers where it is transposed), evaluates inlined ops where they are
// read, hands out the per-row results of reductions, and stores. Values are
// memoized per point, so that an input read by several ops of the group is
// loaded once (for a row kept in registers: once per kernel).
//
//===----------------------------------------------------------------------===//

#ifndef LIB_CODEGEN_GPU_GROUPEMITTER_H
#define LIB_CODEGEN_GPU_GROUPEMITTER_H

#include "GroupAccess.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <map>
#include <vector>

namespace mlir::multikernel::gpu_codegen {

class GroupEmitter {
public:
  GroupEmitter(const KernelGroup &group, OpBuilder &builder, Location loc)
      : group(group), builder(builder), loc(loc) {}

  /// The point to compute: an index per loop of the group, the innermost
  /// the first of `width` consecutive ones (vectors of `width` values).
  /// `slot` tells apart points that are live at once (the slots of a row
  /// kept in registers), whose values are memoized separately.
  void setPoint(ArrayRef<Value> loops, int64_t width, int64_t slot = 0);
  /// The flat form of an elementwise group whose every access is the
  /// identity: `flatBuffers` views each external buffer as 1-D, indexed by
  /// `flat`.
  void setFlatPoint(Value flat, int64_t width,
                    const llvm::DenseMap<Value, Value> *flatBuffers);
  /// Loads of the innermost loop happen only where `valid` holds (the
  /// slots of a row past its end read zeros); null: always.
  void setLoadGuard(Value valid) { loadGuard = valid; }
  /// Forgets memoized values: call it when the insertion point leaves the
  /// region where they were created.
  void clearCache() { cache.clear(); }
  /// The value an external input has at the current point where the
  /// strategy loaded it itself (a transposed input staged in workgroup
  /// memory); reads of `buffer` then return it. A null `value` forgets it.
  void setStagedValue(Value buffer, Value value) {
    if (value)
      staged[buffer] = value;
    else
      staged.erase(buffer);
  }
  /// A scalar load of `buffer` at `indices` of the current point.
  Value loadScalar(Value buffer, ArrayRef<LoopIndex> indices);

  /// The values of the body results of the op at `position` at the current
  /// point; `outputs`, if given, are the values of its output arguments
  /// (a reduction's accumulators).
  FailureOr<SmallVector<Value>> evaluate(int64_t position,
                                         ArrayRef<Value> outputs = {});
  /// Stores the stored results of the (iterated) op at `position`.
  void store(int64_t position, ArrayRef<Value> results);
  /// The initial value of output `output` of the reduction at `position`
  /// for the current row, as a scalar.
  FailureOr<Value> reductionInit(int64_t position, int64_t output);
  /// Stores the per-row result of a reduction's stored outputs.
  void storeRow(int64_t position, ArrayRef<Value> values);

  /// Reductions: the final values of the reduction at `position` for the
  /// current row (scalars), which later ops read.
  llvm::DenseMap<int64_t, SmallVector<Value>> rowValues;

  /// `combiner` (a body op) applied to `a` and `b`.
  Value combine(Operation *combiner, Value a, Value b);
  /// A constant of `attr`, as a vector of `width` if `width` > 1.
  Value splat(TypedAttr attr, int64_t width);
  /// Combines the lanes of a vector into a scalar, first to last.
  Value combineLanes(Operation *combiner, Value vector);

  int64_t getWidth() const { return width; }

private:
  FailureOr<SmallVector<Value>> evaluateAt(int64_t position,
                                           ArrayRef<LoopIndex> loops,
                                           ArrayRef<Value> outputs);
  FailureOr<Value> read(Value buffer, ArrayRef<LoopIndex> indices,
                        int64_t reader);
  Value load(Value buffer, ArrayRef<LoopIndex> indices);
  SmallVector<Value> indexValues(ArrayRef<LoopIndex> indices, int64_t lane);
  bool variesInnermost(ArrayRef<LoopIndex> indices) const;
  Value broadcast(Value scalar);
  Type vectorOf(Type type) const;

  using CacheKey =
      std::tuple<int64_t, int64_t, const void *, std::vector<int64_t>, int64_t>;
  CacheKey key(int64_t kind, const void *what,
               ArrayRef<LoopIndex> indices) const;

  const KernelGroup &group;
  OpBuilder &builder;
  Location loc;
  SmallVector<Value> loops;
  int64_t width = 1;
  int64_t slot = 0;
  Value flat;
  const llvm::DenseMap<Value, Value> *flatBuffers = nullptr;
  Value loadGuard;
  llvm::DenseMap<Value, Value> staged;
  std::map<CacheKey, SmallVector<Value>> cache;
};

/// Cross-lane combination: every lane of an aligned group of `lanes` lanes
/// of a warp (a power of two up to 32) or of the block (`lanes` threads, a
/// multiple of 32, `lane` its index) gets `combiner` over all lanes'
/// `value`; every lane of the warp must take part. Values narrower than 32 bits
/// travel through shuffles as 32-bit integers; a block reduction goes through
/// `scratch` (32 elements of workgroup memory, one per warp).
Value combineAcrossLanes(OpBuilder &builder, Location loc, Value value,
                         int64_t lanes, Value lane, Value scratch,
                         TypedAttr neutral,
                         function_ref<Value(Value, Value)> combine);

} // namespace mlir::multikernel::gpu_codegen

#endif // LIB_CODEGEN_GPU_GROUPEMITTER_H
