//===- GroupAccess.h - how the ops of a kernel group index buffers -*- C++ -*-//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// The symbolic indices that the analysis and the lowering of a kernel group
// share: an index into a buffer is a loop of the group or a constant (the
// results of a projected permutation with constant zeros), and a read
// resolves to the last op of the group that wrote the buffer before it.
//
//===----------------------------------------------------------------------===//

#ifndef LIB_CODEGEN_GPU_GROUPACCESS_H
#define LIB_CODEGEN_GPU_GROUPACCESS_H

#include "multikernel/Codegen/GPU/KernelGroup.h"

#include <optional>

namespace mlir::multikernel::gpu_codegen {

/// A loop of the group, or a constant index.
struct LoopIndex {
  int64_t loop = -1;
  int64_t constant = 0;

  static LoopIndex ofLoop(int64_t loop) { return {loop, 0}; }
  static LoopIndex ofConstant(int64_t value) { return {-1, value}; }
  bool isLoop() const { return loop >= 0; }
  bool operator==(const LoopIndex &other) const {
    return loop == other.loop && constant == other.constant;
  }
};

/// The indices `map` gives when its dimensions are `loops`.
SmallVector<LoopIndex> composeIndices(AffineMap map, ArrayRef<LoopIndex> loops);

/// The loops of an op that wrote, through `outputMap`, the element at
/// `indices`: failure unless the map is a permutation.
FailureOr<SmallVector<LoopIndex>> writerLoops(AffineMap outputMap,
                                              ArrayRef<LoopIndex> indices);

/// The group's loops 0..count-1.
SmallVector<LoopIndex> identityLoops(int64_t count);

/// The group's loops but the one its reductions reduce (a reduction's
/// output indices; the loops of a row elementwise op).
SmallVector<LoopIndex> parallelLoops(const KernelGroup &group);

/// The group's loops that the loops of the op at `position` are.
SmallVector<LoopIndex> loopsOf(const KernelGroup &group, int64_t position);

/// The last write of `buffer` by an op of `group` before position `before`.
struct GroupWrite {
  int64_t position;
  OpOperand *init;
};
std::optional<GroupWrite> lastWriter(const KernelGroup &group, Value buffer,
                                     int64_t before);

} // namespace mlir::multikernel::gpu_codegen

#endif // LIB_CODEGEN_GPU_GROUPACCESS_H
