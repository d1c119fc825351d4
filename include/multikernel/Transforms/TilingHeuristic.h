//===- TilingHeuristic.h - how a size hint becomes a tiling -----*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// The one place where a size hint turns into tile sizes, threads per block,
// a vector width and a reduction strategy. Pure arithmetic on sizes, so that
// each rule is tested by a lit case of --multikernel-specialize that prints
// the resulting #multikernel.tiling.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_TRANSFORMS_TILINGHEURISTIC_H
#define MULTIKERNEL_TRANSFORMS_TILINGHEURISTIC_H

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelAttributes.h"

namespace mlir::multikernel {

// KernelKind, TilingTarget and ReductionStrategy are the ODS enums of
// #multikernel.tiling (MultiKernelAttributes.td).

/// What the heuristic knows of the machine.
struct MachineModel {
  /// Streaming multiprocessors (GPU).
  int64_t smCount = 132;
  /// Blocks per multiprocessor the grid should give a shape near the hint
  /// ("several waves"), so that tail effects stay small.
  int64_t wavesPerSm = 4;
  /// Bytes of a CPU tile's working set (about half of an L2).
  int64_t cpuTileBytes = 256 * 1024;
  /// Bytes of one CPU vector register, and how many there are.
  int64_t cpuVectorBytes = 32;
  int64_t cpuVectorRegisters = 16;
};

/// The tiling of one variant; mirrors #multikernel.tiling.
struct TilingConfig {
  TilingTarget target = TilingTarget::Gpu;
  KernelKind kind = KernelKind::Elementwise;
  /// Outer level: per loop, the tile of one GPU block or CPU task (0:
  /// untiled). For matmul the K entry is the step of the K loop inside a
  /// block.
  SmallVector<int64_t> blockTile;
  /// Inner level: per loop, the tile of one GPU thread or the CPU's inner
  /// (vectorizable) tile.
  SmallVector<int64_t> threadTile;
  int64_t threads = 0;
  int64_t vectorWidth = 1;
  ReductionStrategy reduction = ReductionStrategy::None;
  int64_t split = 1;
  /// Reductions over the innermost loop: what runs for a call's shape (see
  /// #multikernel.tiling).
  int64_t threadRowLimit = 0;
  int64_t splitChunk = 0;
  int64_t minSplit = 0;
  /// A GPU matmul computed by a library call instead of generated kernels,
  /// and which of the library's algorithms (see #multikernel.tiling).
  KernelLibrary library = KernelLibrary::None;
  int64_t algorithm = 0;
  /// A GPU elementwise group's transposed inputs are staged through
  /// workgroup memory along this loop (-1: none; see #multikernel.tiling).
  int64_t transposeLoop = -1;

  TilingAttr toAttr(MLIRContext *context) const;
};

/// What the heuristic knows of a kernel besides its loop sizes.
struct KernelTraits {
  /// Bytes of the narrowest element the kernel loads or stores: its vectors
  /// are 16 bytes of it.
  int64_t elementBytes = 4;
  /// Bytes of the widest element it computes with (what its registers
  /// hold: a bf16 input computed in f32 takes 4).
  int64_t computeBytes = 4;
  /// Reductions: the buffers read element by element along the rows (what
  /// a row kept in registers holds).
  int64_t rowInputs = 1;
  /// Reductions: the loop reduced; -1 for the last one.
  int64_t reducedLoop = -1;
  /// GPU elementwise groups: the loop along which its transposed inputs are
  /// contiguous (KernelGroup::transposedLoop); -1 without.
  int64_t transposedLoop = -1;
  /// ... and how many transposed inputs it has.
  int64_t transposedInputs = 0;
  /// Matmul: the positions of its M, N and K loops (a CPU contraction may
  /// have them in any order, and batch loops besides).
  int64_t mLoop = 0, nLoop = 1, kLoop = 2;
};

/// Chooses the tiling of a `kind` kernel whose loops have `loopSizes` (the
/// hint for dynamic loops, the static size otherwise). Reductions reduce
/// the last loop unless `traits` says otherwise; matmul's loops are (M, N,
/// K) on the GPU, and where `traits` says on the CPU (other loops: batch).
TilingConfig chooseTiling(KernelKind kind, TilingTarget target,
                          ArrayRef<int64_t> loopSizes,
                          const KernelTraits &traits,
                          const MachineModel &machine);

} // namespace mlir::multikernel

#endif // MULTIKERNEL_TRANSFORMS_TILINGHEURISTIC_H
