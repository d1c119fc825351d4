//===- FunctionDimensions.cpp - a function's dynamic dimensions -----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/FunctionDimensions.h"

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::multikernel;

FunctionDimensions::Node FunctionDimensions::find(Node node) const {
  auto it = parent.find(node);
  if (it == parent.end() || it->second == node)
    return node;
  Node root = find(it->second);
  parent[node] = root; // path compression
  return root;
}

void FunctionDimensions::unite(Node a, Node b) {
  Node rootA = find(a), rootB = find(b);
  if (rootA != rootB)
    parent[rootA] = rootB;
}

FunctionDimensions::FunctionDimensions(func::FuncOp func) {
  // Every size of `shaped` the same as the matching one of `other`.
  auto uniteShapes = [&](Value shaped, Value other) {
    auto a = dyn_cast<ShapedType>(shaped.getType());
    auto b = dyn_cast<ShapedType>(other.getType());
    if (!a || !b || !a.hasRank() || !b.hasRank() || a.getRank() != b.getRank())
      return;
    for (int64_t dim = 0; dim < a.getRank(); ++dim)
      unite({shaped, dim}, {other, dim});
  };
  // The dynamic sizes of an allocation are its result's dynamic dims.
  auto uniteSizes = [&](Value result, ValueRange sizes) {
    auto type = cast<ShapedType>(result.getType());
    auto size = sizes.begin();
    for (int64_t dim = 0; dim < type.getRank() && size != sizes.end(); ++dim)
      if (type.isDynamicDim(dim))
        unite({result, dim}, {*size++, -1});
  };
  auto uniteDim = [&](Value result, Value source,
                      std::optional<int64_t> index) {
    if (index)
      unite({result, -1}, {source, *index});
  };

  func.walk([&](Operation *op) {
    if (op->getParentOfType<DispatchOp>())
      return;
    TypeSwitch<Operation *>(op)
        .Case([&](linalg::LinalgOp linalgOp) {
          // Each loop: the operand dimensions it runs over are one size.
          llvm::DenseMap<unsigned, Node> first;
          auto visit = [&](Value value, AffineMap map) {
            for (auto [pos, expr] : llvm::enumerate(map.getResults())) {
              auto dim = dyn_cast<AffineDimExpr>(expr);
              if (!dim)
                continue;
              Node node{value, static_cast<int64_t>(pos)};
              auto [it, inserted] = first.try_emplace(dim.getPosition(), node);
              if (!inserted)
                unite(it->second, node);
            }
          };
          for (OpOperand &operand : linalgOp->getOpOperands())
            if (isa<ShapedType>(operand.get().getType()))
              visit(operand.get(), linalgOp.getMatchingIndexingMap(&operand));
          for (OpResult result : linalgOp->getResults())
            visit(result, linalgOp.getIndexingMapMatchingResult(result));
        })
        .Case([&](memref::DimOp dim) {
          uniteDim(dim.getResult(), dim.getSource(), dim.getConstantIndex());
        })
        .Case([&](tensor::DimOp dim) {
          uniteDim(dim.getResult(), dim.getSource(), dim.getConstantIndex());
        })
        .Case<arith::IndexCastOp, arith::IndexCastUIOp>([&](auto cast) {
          unite({cast.getResult(), -1}, {cast.getIn(), -1});
        })
        .Case<memref::AllocOp, memref::AllocaOp>([&](auto alloc) {
          uniteSizes(alloc.getResult(), alloc.getDynamicSizes());
        })
        .Case([&](gpu::AllocOp alloc) {
          uniteSizes(alloc.getMemref(), alloc.getDynamicSizes());
        })
        .Case([&](tensor::EmptyOp empty) {
          uniteSizes(empty.getResult(), empty.getDynamicSizes());
        })
        .Case<memref::CastOp, tensor::CastOp>(
            [&](auto cast) { uniteShapes(cast.getResult(), cast.getSource()); })
        .Case([&](bufferization::ToTensorOp toTensor) {
          uniteShapes(toTensor.getResult(), toTensor.getBuffer());
        })
        .Case([&](bufferization::ToBufferOp toBuffer) {
          uniteShapes(toBuffer.getResult(), toBuffer.getTensor());
        })
        .Case([&](memref::CopyOp copy) {
          uniteShapes(copy.getTarget(), copy.getSource());
        });
  });

  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<ShapedType>(arg.getType());
    if (!type || !type.hasRank())
      continue;
    for (int64_t dim = 0; dim < type.getRank(); ++dim) {
      if (!type.isDynamicDim(dim))
        continue;
      auto [it, inserted] =
          dimensionOfRoot.try_emplace(find({arg, dim}), size());
      if (inserted)
        names.push_back(
            ("%arg" + Twine(arg.getArgNumber()) + " dim " + Twine(dim)).str());
    }
  }
}

std::optional<int64_t>
FunctionDimensions::dimensionOfLoop(linalg::LinalgOp op, unsigned loop) const {
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<ShapedType>(operand.get().getType()))
      continue;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    for (auto [pos, expr] : llvm::enumerate(map.getResults())) {
      auto dim = dyn_cast<AffineDimExpr>(expr);
      if (!dim || dim.getPosition() != loop)
        continue;
      auto it = dimensionOfRoot.find(
          find({operand.get(), static_cast<int64_t>(pos)}));
      if (it != dimensionOfRoot.end())
        return it->second;
    }
  }
  return std::nullopt;
}
