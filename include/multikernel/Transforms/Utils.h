//===- Utils.h - helpers shared by the multikernel passes -------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_TRANSFORMS_UTILS_H
#define MULTIKERNEL_TRANSFORMS_UTILS_H

#include "mlir/IR/Value.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::multikernel {

/// The memref that `value` is a view of, through any chain of view-like ops
/// (subview, cast, collapse_shape, ...); `value` itself if it is no view.
inline Value getViewRoot(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

} // namespace mlir::multikernel

#endif // MULTIKERNEL_TRANSFORMS_UTILS_H
