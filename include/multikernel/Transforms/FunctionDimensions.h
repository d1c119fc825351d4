//===- FunctionDimensions.h - a function's dynamic dimensions ---*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// The dynamic dimensions of a function in the terms its caller knows them
// (batch, sequence length, ...), and which of them each loop of a linalg op
// in it runs over: what lets size hints be given once per function instead
// of once per op and loop (the `dim-hints` of multikernel-specialize).
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_TRANSFORMS_FUNCTIONDIMENSIONS_H
#define MULTIKERNEL_TRANSFORMS_FUNCTIONDIMENSIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>
#include <string>

namespace mlir::multikernel {

/// The dynamic sizes of a function's arguments, in the order they first
/// appear in its signature, where sizes that the IR proves equal count once.
/// Sizes are proved equal by
/// - a linalg op: the operand dimensions one loop runs over (linalg requires
///   them equal);
/// - `memref.dim` / `tensor.dim` of a constant dimension, `arith.index_cast`,
///   and the dynamic sizes of `memref.alloc`, `memref.alloca`, `gpu.alloc`
///   and `tensor.empty`;
/// - ops that keep a shape: casts, `bufferization.to_tensor` / `to_buffer`,
///   `memref.copy`.
/// A size computed otherwise (a reshape's product, arithmetic on sizes) is a
/// dimension of no function argument.
class FunctionDimensions {
public:
  explicit FunctionDimensions(func::FuncOp func);

  /// How many dynamic dimensions the function has.
  int64_t size() const { return static_cast<int64_t>(names.size()); }

  /// The function dimension that loop `loop` of `op` runs over, if it is
  /// one.
  std::optional<int64_t> dimensionOfLoop(linalg::LinalgOp op,
                                         unsigned loop) const;

  /// Where dimension `index` first appears, e.g. "%arg0 dim 0".
  StringRef name(int64_t index) const { return names[index]; }

private:
  /// A size: dimension `dim` of a shaped value, or an index value (-1).
  using Node = std::pair<Value, int64_t>;

  Node find(Node node) const;
  void unite(Node a, Node b);

  mutable llvm::DenseMap<Node, Node> parent;
  llvm::DenseMap<Node, int64_t> dimensionOfRoot;
  SmallVector<std::string> names;
};

} // namespace mlir::multikernel

#endif // MULTIKERNEL_TRANSFORMS_FUNCTIONDIMENSIONS_H
