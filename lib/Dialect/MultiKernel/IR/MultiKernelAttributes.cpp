//===- MultiKernelAttributes.cpp - multikernel attributes -----------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelAttributes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::multikernel;

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelAttributes.cpp.inc"

void MultiKernelDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelAttributes.cpp.inc"
      >();
}

LogicalResult TilingAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, TilingTarget target,
    KernelKind kind, ArrayRef<int64_t> blockTile, ArrayRef<int64_t> threadTile,
    int64_t threads, int64_t vectorWidth, ReductionStrategy reduction,
    int64_t split, int64_t threadRowLimit, int64_t splitChunk, int64_t minSplit,
    KernelLibrary library, int64_t algorithm, int64_t transposeLoop) {
  if (blockTile.size() != threadTile.size())
    return emitError() << "block_tile and thread_tile must have one entry per "
                          "loop, got "
                       << blockTile.size() << " and " << threadTile.size();
  if (llvm::any_of(blockTile, [](int64_t v) { return v < 0; }) ||
      llvm::any_of(threadTile, [](int64_t v) { return v < 0; }))
    return emitError() << "tile sizes must be non-negative";
  if (threads < 0 ||
      (target == TilingTarget::Gpu && (threads < 1 || threads > 1024)))
    return emitError() << "threads must be in [1, 1024] on the GPU, got "
                       << threads;
  if (vectorWidth < 1 || !llvm::isPowerOf2_64(vectorWidth))
    return emitError() << "vector_width must be a positive power of two";
  if (split < 1 || (split > 1 && reduction != ReductionStrategy::Split &&
                    reduction != ReductionStrategy::Column))
    return emitError()
           << "split must be 1 unless reduction is \"split\" or \"column\"";
  if (threadRowLimit < 0)
    return emitError() << "thread_row_limit must be non-negative";
  bool rowReduction =
      target == TilingTarget::Gpu && kind == KernelKind::Reduction &&
      llvm::is_contained({ReductionStrategy::Warp, ReductionStrategy::Block,
                          ReductionStrategy::Looped, ReductionStrategy::Split},
                         reduction);
  if (threadRowLimit > 0 && !rowReduction)
    return emitError() << "thread_row_limit applies only to GPU reductions "
                          "over the innermost loop";
  if (reduction == ReductionStrategy::Split) {
    if (splitChunk < 1 || minSplit < 2)
      return emitError() << "reduction \"split\" needs split_chunk >= 1 and "
                            "min_split >= 2, got "
                         << splitChunk << " and " << minSplit;
  } else if (splitChunk != 0 || minSplit != 0) {
    return emitError()
           << "split_chunk and min_split apply only to reduction \"split\"";
  }
  if (library != KernelLibrary::None &&
      (target != TilingTarget::Gpu || kind != KernelKind::Matmul))
    return emitError() << "library \"" << stringifyKernelLibrary(library)
                       << "\" applies only to GPU matmul variants";
  if (algorithm < 0 || (algorithm > 0 && library == KernelLibrary::None))
    return emitError() << "algorithm must be non-negative, and 0 without a "
                          "library";
  if (transposeLoop != -1 &&
      (target != TilingTarget::Gpu || kind != KernelKind::Elementwise ||
       transposeLoop < 0 ||
       transposeLoop + 1 >= static_cast<int64_t>(blockTile.size())))
    return emitError() << "transpose_loop applies only to GPU elementwise "
                          "variants, and names a loop other than the "
                          "innermost one, got "
                       << transposeLoop;
  return success();
}
