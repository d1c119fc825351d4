//===- GpuCodegen.h - shared parts of the GPU code generation ---*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Private to lib/Codegen/GPU: the helpers the GPU kernel generators share,
// and the generators that live in their own files. The pass itself is in
// GpuCodegen.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LIB_CODEGEN_GPU_GPUCODEGEN_H
#define LIB_CODEGEN_GPU_GPUCODEGEN_H

#include "multikernel/Codegen/GPU/KernelGroup.h"
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelAttributes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Alignment.h"

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

/// Reports on `func`, a variant of kind `kind`, that its kernel could not
/// be generated, and why.
InFlightDiagnostic emitCodegenError(func::FuncOp func, KernelKind kind,
                                    const Twine &why);

/// Erases the ops of `entry` except its terminator and those `keep`
/// accepts, last first so that users go before what they use.
void eraseEntryOpsExcept(Block &entry,
                         llvm::function_ref<bool(Operation &)> keep);

/// The argument of `func` that `value` views as a whole, contiguous memref
/// (identity layout), or null.
Value wholeContiguousArgument(func::FuncOp func, Value value);

/// The alignment of a vector that starts at a multiple of its size in an
/// aligned buffer: its size in bytes (16 for vector<4xf32>).
llvm::MaybeAlign vectorAlignment(VectorType type);

/// Emits `emit(width)` under a host-side check that every buffer is 16-byte
/// aligned (and that `multipleOf`, if given, is a multiple of `width`), and
/// `emit(1)` otherwise: vector accesses need both.
void emitVectorizedIfAligned(OpBuilder &builder, Location loc,
                             ArrayRef<Value> buffers, Value multipleOf,
                             int64_t width, function_ref<void(int64_t)> emit);

/// Closes a launch (its terminator at the end of the body).
void endLaunch(OpBuilder &builder, Location loc, gpu::LaunchOp launch);

/// A scratch buffer of a split row kernel, allocated for one call in stream
/// order (the runtime serves it from its per-stream cache).
struct Scratch {
  Value buffer;
  Value ready; // the allocation's async token
};

/// Allocates a scratch memref of `elementType` with the dynamic `sizes`.
Scratch allocateScratch(OpBuilder &builder, Location loc, Type elementType,
                        ValueRange sizes);

/// Frees `scratch` after the launches that use it, in stream order.
void freeScratch(OpBuilder &builder, Location loc, const Scratch &scratch);

/// A launch of one block of `threads` per (row, chunk) of a split row kernel
/// over [rows, n]: the row, the chunk's index and its column range (chunks
/// of whole `width` vectors, so that every access stays aligned).
struct ChunkLaunch {
  gpu::LaunchOp launch;
  Value row, part, begin, end;
};

/// Opens such a launch (rows * split blocks) and leaves the insertion point
/// in it, after the index arithmetic. Close it with endLaunch.
ChunkLaunch beginChunkLaunch(OpBuilder &builder, Location loc, Value rows,
                             Value n, Value split, int64_t threads,
                             int64_t width);

/// Lowers an elementwise kernel group (ElementwiseStrategy.cpp) at the
/// builder's insertion point (host code); `loopSizes` are the group's.
LogicalResult lowerElementwiseGroup(func::FuncOp func, const KernelGroup &group,
                                    TilingAttr tiling, OpBuilder &builder,
                                    ArrayRef<Value> loopSizes);

/// Lowers a kernel group with reductions over its innermost loop
/// (RowReductionStrategy.cpp), likewise.
LogicalResult lowerRowReductionGroup(func::FuncOp func,
                                     const KernelGroup &group,
                                     TilingAttr tiling, OpBuilder &builder,
                                     ArrayRef<Value> loopSizes);

/// Lowers a kernel group with reductions over an outer loop
/// (ColumnReductionStrategy.cpp), likewise.
LogicalResult lowerColumnReductionGroup(func::FuncOp func,
                                        const KernelGroup &group,
                                        TilingAttr tiling, OpBuilder &builder,
                                        ArrayRef<Value> loopSizes);
/// Replaces the body of a matmul variant by a shared-memory tiled GPU kernel
/// (GpuMatmulCodegen.cpp).
LogicalResult generateMatmul(func::FuncOp func, TilingAttr tiling);

} // namespace mlir::multikernel::gpu_codegen

#endif // LIB_CODEGEN_GPU_GPUCODEGEN_H
