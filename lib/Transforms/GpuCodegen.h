//===- GpuCodegen.h - shared parts of the GPU code generation ---*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Private to lib/Transforms: the helpers the GPU kernel generators share, and
// the generators that live in their own files. The pass itself is in
// GpuCodegen.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LIB_TRANSFORMS_GPUCODEGEN_H
#define LIB_TRANSFORMS_GPUCODEGEN_H

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelAttributes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::multikernel::gpu_codegen {

inline Value indexConstant(OpBuilder &builder, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(builder, loc, value);
}

/// The one op of type `OpTy` in `func`, or null if it has none or several.
template <typename OpTy> OpTy getSoleOp(func::FuncOp func) {
  OpTy sole;
  WalkResult walk = func.walk([&](OpTy op) {
    if (sole)
      return WalkResult::interrupt();
    sole = op;
    return WalkResult::advance();
  });
  return walk.wasInterrupted() ? OpTy() : sole;
}

/// Erases the ops of `entry` except its terminator and those `keep`
/// accepts, last first so that users go before what they use.
void eraseEntryOpsExcept(Block &entry,
                         llvm::function_ref<bool(Operation &)> keep);

/// The argument of `func` that `value` views as a whole, contiguous memref
/// (identity layout), or null.
Value wholeContiguousArgument(func::FuncOp func, Value value);

/// Replaces the body of a matmul variant by a shared-memory tiled GPU kernel
/// (GpuMatmulCodegen.cpp).
LogicalResult generateMatmul(func::FuncOp func, TilingAttr tiling);

} // namespace mlir::multikernel::gpu_codegen

#endif // LIB_TRANSFORMS_GPUCODEGEN_H
