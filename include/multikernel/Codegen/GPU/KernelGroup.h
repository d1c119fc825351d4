//===- KernelGroup.h - the linalg ops one GPU kernel computes ---*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// A kernel group is a sequence of linalg ops on memrefs that one GPU kernel
// (one launch, or the launches of a split reduction) computes together: the
// ops of one dispatch site. The analysis here decides whether a sequence can
// be one kernel and how each op is computed; it is shared by the grouping in
// --multikernel-specialize (which forms only groups this analysis accepts)
// and the GPU lowering (which lowers every group it accepts), so that a site
// that was formed always lowers.
//
// Buffers are function arguments ("external": global memory) or local
// allocations that only the group uses ("internal": they never reach
// memory; their values are recomputed or kept in registers); views of
// either are not taken yet.
// Each op is
//  - inlined: elementwise, writing only internal buffers; it is evaluated
//    where its results are read, at the indices they are read at;
//  - iterated elementwise: elementwise, writing an external buffer, over
//    the group's loops;
//  - a reduction: reducing one loop of the group, the same for all of its
//    reductions, its results one value per row (the group's other loops),
//    kept for the ops after it. Over the innermost loop it is a row
//    reduction; over an outer one (a column sum) the row is a point of the
//    kept loops, the innermost among them, and no op may read its value at
//    every point of the group's loops (the column would be needed whole);
//  - a row elementwise op: after a reduction, elementwise over the kept
//    loops alone (a mean from a sum), computed once per row.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_CODEGEN_GPU_KERNELGROUP_H
#define MULTIKERNEL_CODEGEN_GPU_KERNELGROUP_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>

namespace mlir::multikernel::gpu_codegen {

/// How the kernel computes one op of its group.
enum class GroupOpRole { Inlined, Elementwise, Reduction, RowElementwise };

struct GroupOp {
  linalg::LinalgOp op;
  GroupOpRole role = GroupOpRole::Inlined;
  /// Reductions: the loop they reduce.
  int64_t reducedLoop = -1;
  /// Reductions: per output, the op of the body that folds a value into the
  /// accumulator, and its neutral element.
  SmallVector<Operation *> combiners;
  SmallVector<TypedAttr> neutrals;
  /// Per output: whether the kernel stores it (an external buffer that no
  /// later op of the group overwrites with the same indexing).
  SmallVector<bool> stored;
};

struct KernelGroup {
  SmallVector<GroupOp> ops; // program order
  /// The op whose loops are the kernel's (a reduction, else the last
  /// iterated op); every iterated op and reduction has these loops.
  linalg::LinalgOp root;
  int64_t numLoops = 0;
  bool hasReduction = false;
  /// The loop the reductions reduce (-1 without): the innermost for row
  /// reductions, an outer one for column reductions (a sum over the rows,
  /// whose kept loops are contiguous in memory).
  int64_t reducedLoop = -1;
  bool reducesOuterLoop() const {
    return hasReduction && reducedLoop != numLoops - 1;
  }
  /// The external buffers, in order of first use.
  SmallVector<Value> externalBuffers;
  bool usesLinalgIndex = false;
  /// The external buffers read element by element along the rows (what a
  /// row kept in registers holds; not a bias shared by all rows).
  int64_t numRowInputs = 0;
  /// Groups without reductions: the external inputs read along the
  /// innermost loop but contiguous along another one (`x` in
  /// `out[i, j] = x[j, i] + y[i, j]`), each read at one set of indices, and
  /// that loop, the same for all of them (-1: none, or no single loop; an
  /// output stored transposed also gives none). The GPU lowering can stage
  /// them through workgroup memory so that both sides are coalesced.
  /// `transposedReads` are their indices as maps of the group's loops.
  SmallVector<Value> transposedInputs;
  SmallVector<AffineMap> transposedReads;
  int64_t transposedLoop = -1;
};

/// Whether `buffer` is internal to the group being analyzed.
using IsInternalFn = llvm::function_ref<bool(Value buffer)>;

/// Whether the analysis proves that the group's ops iterate over the sizes
/// of its root (kProve: from static sizes and the buffers and allocation
/// sizes the ops share), or takes it as given (kProven: in a variant of a
/// dispatch site, whose buffers are separate arguments; the grouping proved
/// it on the host code, where the allocations are visible).
enum class LoopSizes { kProve, kProven };

/// Analyzes `ops` (in program order, on memrefs) as one kernel; on failure
/// `why` says what keeps them from being one, naming the op.
FailureOr<KernelGroup> analyzeKernelGroup(ArrayRef<linalg::LinalgOp> ops,
                                          IsInternalFn isInternal,
                                          std::string &why,
                                          LoopSizes sizes = LoopSizes::kProve);

} // namespace mlir::multikernel::gpu_codegen

#endif // MULTIKERNEL_CODEGEN_GPU_KERNELGROUP_H
