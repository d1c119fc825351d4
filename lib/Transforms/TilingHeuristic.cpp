//===- TilingHeuristic.cpp - how a size hint becomes a tiling -------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// The rules, each with a lit case in test/Transforms/specialize-heuristic.mlir:
//
// GPU, elementwise (loops L0..Ln-1, Ln-1 contiguous):
//  E1. The innermost loop goes to thread x, so that a warp reads consecutive
//      addresses (coalescing); outer loops go to y (and z).
//  E2. Vector width: the widest power of two up to 16 bytes of the
//      narrowest element loaded or stored that the inner size holds.
//  E3. 256 threads per block; x takes as many threads as the inner size needs
//      (1..256), y the rest: a warp spans several short rows, which lie
//      next to each other in memory (a warp of 32 threads on rows of 48
//      floats kept 20 idle: 2.17x Inductor's time on the H200). Hints with
//      too little work for 256-thread blocks on every multiprocessor get
//      128.
//  E4. Elements per thread grow with the hint: each thread handles 1, 2, 4 or
//      8 rows of vectors, the most that still gives at least
//      smCount * wavesPerSm blocks for a shape near the hint.
//  E5. Transposed inputs (contiguous along loop T, not the innermost N):
//      where the hint has at least a tile's width along both, blocks of
//      256 threads cover tiles of W along N and W, 2W or 4W along T (the
//      largest that still gives smCount * wavesPerSm blocks and at most 16
//      points per thread), W = 32 elements of 4 bytes or 64 of 2: a warp reads
//      128 bytes of a transposed input along T into workgroup memory, then 128
//      bytes of the others along N; scalar accesses. The tiles of all
//      transposed inputs fit the 48 KiB of static workgroup memory a block has.
//      The gathers of the rows form (E1-E4) reached 58-77% of the copy
//      bandwidth on the H200 where Inductor's tiled kernel reached 90-103%.
//
// GPU, groups around reductions over the innermost loop (row size N, R
// rows, I the inputs read along the row):
//  R1. N <= 1024: a warp per row (8 rows per 256-thread block), vectors of
//      up to 16 bytes; rows shorter than 64 vectors share a warp, each
//      taking the power of two of lanes that gives its lanes two vectors
//      at least (N = 96 in vectors of 4: 8 lanes, 32 rows per block; N = 1:
//      a thread per row). On the H200 a warp per row of 48 floats took
//      1.37-1.50x Inductor's time (bench/results).
//  R2. N <= 16384 / I: a block per row, the row in registers; threads grow
//      with N up to 1024.
//  R3. Longer rows: with fewer rows than multiprocessors, each row is split
//      over several blocks and reduced in a second stage ("split"),
//      otherwise a block per row loops over the row in chunks ("looped").
//      A split variant aims at two blocks per multiprocessor for the
//      call's shape, each row taking its share of them, but no chunk under
//      8192 elements (a block's loop amortizes its launch and the final
//      combine), and splits only rows that get 4 blocks or more: below
//      that the second launch costs more than the blocks gain (96 rows of
//      100000 took 13 us with a block per row on the H100, 21 us split in
//      3), and it runs its block-per-row kernels.
//  R4. A thread keeps in registers as many vectors of its row as a row of
//      the hint's length needs, at most 8 / I (8 x 16 bytes, so that a
//      1024-thread block stays within 64 registers a thread): the row is
//      then read once however many ops of the group read it (softmax, the
//      norms), and the loads of a thread are all in flight at once. No
//      more, since unused register slots lower the occupancy that short
//      rows live on.
//  R6. Whatever the strategy, rows of at most 16 elements are reduced by a
//      thread each, in blocks of 256 threads: a warp or a block per row
//      would keep most lanes idle (a row of 3 floats keeps 1 lane of 32
//      busy), while threads of consecutive rows read consecutive addresses.
//      (Codegen reads a row of one element once into a register: 1048576x1
//      softmax 7.2 -> 4.4 us on the H200.)
//
// GPU, groups around a reduction over an outer loop (R rows reduced, C
// the innermost, kept loop, P the other kept loops):
//  R5. Thread x takes vectors of up to 16 bytes of consecutive columns
//      (E2), as many threads as C needs up to a warp; thread y the rest of
//      256 threads, slices of the reduced loop, but no more slices than
//      give each 16 rows; thread x then takes what thread y leaves of the
//      256, as far as C needs (a single row: 256 threads along it; with a
//      warp and 8 slices over 96 rows, 1x1048576 took 4x Inductor's time
//      on the H200). With fewer column blocks
//      than smCount * wavesPerSm, the reduced loop is split into chunks,
//      enough for that many blocks, each thread keeping 16 rows at least
//      (four loads in flight, four times), at most 1024 chunks.
//
// GPU, matmul (M, N, K, wherever they are; a batch loop besides): block
// tiles by the M*N class of the hint:
//  M1. small (<= 512x512): 32x32, medium (<= 2048x2048): 64x64, large:
//      128x128; K in steps of 32; 256 threads in a 16x16 grid, each with a
//      (tile/16)^2 register tile; one matrix of a batch per block.
//
// CPU:
//  C1. Outer (parallel) tiles hold about cpuTileBytes of data, whole rows
//      when they fit; inner tiles are one row of the outer tile. LLVM
//      vectorizes a loop that long behind one run-time alias check, and,
//      with a vector math library, its calls to expf or sinf (1.4-2.3x on
//      the seed and softmax, bench/results); a loop of one vector (the
//      first version of this rule) stayed scalar.
//  C2. Reductions and softmax keep whole rows in a task.
//  C3. Matmul (--multikernel-cpu-contraction-codegen): register tiles of mr
//      rows by nr = two vector registers of columns, K one step at a time
//      (an outer product: mr broadcasts of A, two vectors of B, 2 * mr
//      fused multiply-adds), C's tile in registers across K. mr is 8 with
//      32 vector registers (AVX-512: 16 accumulators, B's two vectors and a
//      broadcast leave room for A's row addresses), 6 with 16 (AVX2: 12
//      accumulators). Tasks of 24 x mr rows by two register tiles of
//      columns, K in blocks of 256 (B's packed panel of 256 x nr stays in
//      the L1 cache, read again by each of the task's 24 strips). On the
//      development VM (AVX-512, one thread) at 1024^3 and 2048^3: 8 x 32
//      95-103 GFLOP/s, 6 x 32 67-87, 12 x 32 60-72, 14 x 32 45-51 (A is not
//      packed: each row of the tile takes an address register); tasks of 8
//      strips instead of 24 44-50 (B packed for fewer uses); K blocks of 512
//      a third as fast (the panel leaves the L1 cache).
//  C4. A matrix-vector product (a hint with fewer rows than mr or fewer
//      columns than nr) would run on the edge tiles alone, as loops: its
//      register tile is one row by nr (a row of A broadcast against B's
//      rows, tasks of one row, B not packed: each element is used once) or
//      mr rows by one column. At 1x512x512 and 512x1x512 on the VM: 0.06
//      and 0.14 ms, against 0.38 and 1.1 with the matrix tiles (whose edge
//      tiles were loops then).
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/TilingHeuristic.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <optional>

using namespace mlir;
using namespace mlir::multikernel;

TilingAttr TilingConfig::toAttr(MLIRContext *context) const {
  return TilingAttr::get(context, target, kind, blockTile, threadTile, threads,
                         vectorWidth, reduction, split, threadRowLimit,
                         splitChunk, minSplit, library, algorithm,
                         transposeLoop);
}

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Rule E5: the static workgroup memory of a block, and the most points a
/// thread computes (as many loads in flight).
constexpr int64_t kWorkgroupBytes = 48 * 1024;
constexpr int64_t kMaxTransposePoints = 16;
/// Rule R4's bound on the vectors a thread keeps of its rows: 8 x 16 bytes.
constexpr int64_t kMaxRowVectors = 8;
/// Rule R3: a split row's shortest chunk and its fewest blocks.
constexpr int64_t kSplitMinChunk = 8192;
constexpr int64_t kMinSplit = 4;
/// Rule R6: rows this short take a thread each.
constexpr int64_t kThreadRowLimit = 16;

int64_t product(ArrayRef<int64_t> sizes) {
  int64_t result = 1;
  for (int64_t size : sizes)
    result *= size;
  return result;
}

/// Rule E2 (and the vector part of R1/R2): widest power-of-two vector of at
/// most `maxBytes` such that `lanes` lanes each get a full vector.
int64_t vectorWidthFor(int64_t innerSize, int64_t elementBytes,
                       int64_t maxBytes, int64_t lanes) {
  int64_t width = std::max<int64_t>(1, maxBytes / elementBytes);
  while (width > 1 && innerSize < lanes * width)
    width /= 2;
  return width;
}

/// Rule E5, or nothing where it does not apply.
std::optional<TilingConfig> gpuTransposeTiles(ArrayRef<int64_t> sizes,
                                              const KernelTraits &traits,
                                              const MachineModel &machine) {
  int64_t rank = sizes.size();
  int64_t transposedLoop = traits.transposedLoop;
  if (transposedLoop < 0 || transposedLoop + 1 >= rank)
    return std::nullopt;
  int64_t width = traits.elementBytes >= 4 ? 32 : 64;
  int64_t inner = sizes.back();
  int64_t along = sizes[transposedLoop];
  auto stagedBytes = [&](int64_t tileAlong) {
    return traits.transposedInputs * tileAlong * (width + 1) *
           traits.computeBytes;
  };
  if (inner < width || along < width || stagedBytes(width) > kWorkgroupBytes)
    return std::nullopt;
  int64_t others = product(sizes) / (inner * along);
  int64_t tileAlong = width;
  for (int64_t candidate : {4 * width, 2 * width}) {
    if (stagedBytes(candidate) <= kWorkgroupBytes &&
        candidate * width <= kMaxTransposePoints * 256 &&
        others * ceilDiv(inner, width) * ceilDiv(along, candidate) >=
            machine.smCount * machine.wavesPerSm) {
      tileAlong = candidate;
      break;
    }
  }
  TilingConfig config;
  config.kind = KernelKind::Elementwise;
  config.threads = 256;
  config.vectorWidth = 1;
  config.transposeLoop = transposedLoop;
  config.blockTile.assign(rank, 1);
  config.threadTile.assign(rank, 1);
  config.blockTile[rank - 1] = width;
  config.blockTile[transposedLoop] = tileAlong;
  config.threadTile[transposedLoop] = tileAlong * width / config.threads;
  return config;
}

TilingConfig gpuElementwise(ArrayRef<int64_t> sizes, const KernelTraits &traits,
                            const MachineModel &machine) {
  if (std::optional<TilingConfig> transposed =
          gpuTransposeTiles(sizes, traits, machine))
    return *transposed;
  int64_t elementBytes = std::max<int64_t>(1, traits.elementBytes);
  TilingConfig config;
  config.kind = KernelKind::Elementwise;
  size_t rank = sizes.size();
  int64_t inner = sizes.back();
  int64_t outer = rank > 1 ? sizes[rank - 2] : 1;
  int64_t total = product(sizes);

  config.vectorWidth = vectorWidthFor(inner, elementBytes, 16, 1); // E2
  int64_t vw = config.vectorWidth;
  config.threads = total >= machine.smCount * 256 * vw ? 256 : 128; // E3
  int64_t threadsX = std::clamp<int64_t>(llvm::PowerOf2Ceil(ceilDiv(inner, vw)),
                                         1, config.threads); // E1, E3
  int64_t threadsY = rank > 1 ? config.threads / threadsX : 1;
  if (rank == 1)
    config.threads = threadsX;

  // E4: the most rows per thread that still gives enough blocks.
  int64_t wantBlocks = machine.smCount * machine.wavesPerSm;
  int64_t outerBlocks = total / std::max<int64_t>(1, outer * inner);
  int64_t rowsPerThread = 1;
  if (rank > 1) {
    for (int64_t candidate : {8, 4, 2}) {
      int64_t blocks = outerBlocks * ceilDiv(outer, threadsY * candidate) *
                       ceilDiv(inner, threadsX * vw);
      if (blocks >= wantBlocks) {
        rowsPerThread = candidate;
        break;
      }
    }
  }
  config.blockTile.assign(rank, 1);
  config.threadTile.assign(rank, 1);
  config.blockTile[rank - 1] = threadsX * vw;
  config.threadTile[rank - 1] = vw;
  if (rank > 1) {
    config.blockTile[rank - 2] = threadsY * rowsPerThread;
    config.threadTile[rank - 2] = rowsPerThread;
  }
  return config;
}

TilingConfig gpuReduction(ArrayRef<int64_t> sizes, const KernelTraits &traits,
                          const MachineModel &machine) {
  int64_t elementBytes = traits.elementBytes;
  TilingConfig config;
  config.kind = KernelKind::Reduction;
  size_t rank = sizes.size();
  int64_t rowSize = sizes.back();
  int64_t rows = product(sizes.drop_back());
  config.blockTile.assign(rank, 1);
  config.threadTile.assign(rank, 1);
  config.blockTile[rank - 1] = 0; // the row is not tiled across blocks

  int64_t rowInputs = std::max<int64_t>(1, traits.rowInputs);
  // R4: the registers a row may take, in vectors of 16 bytes of the values
  // computed with (a vector of 8 bf16 computed in f32 takes two).
  int64_t computeScale = std::max<int64_t>(
      1, traits.computeBytes / std::max<int64_t>(1, elementBytes));
  int64_t maxVectors =
      std::max<int64_t>(1, kMaxRowVectors / (rowInputs * computeScale));
  int64_t lanes = 0;
  if (rowSize <= 1024) { // R1
    config.reduction = ReductionStrategy::Warp;
    config.threads = 256;
    config.vectorWidth = vectorWidthFor(rowSize, elementBytes, 16, 1);
    // Two vectors per lane at least: rows shorter than 64 vectors share a
    // warp (a single row keeps a whole one).
    lanes = rank > 1 ? std::clamp<int64_t>(
                           llvm::bit_floor<uint64_t>(std::max<int64_t>(
                               1, ceilDiv(rowSize, config.vectorWidth) / 2)),
                           1, 32)
                     : 32;
    if (rank > 1)
      config.blockTile[rank - 2] = config.threads / lanes;
  } else if (rowSize <= 16384 / rowInputs) { // R2
    config.reduction = ReductionStrategy::Block;
    config.vectorWidth = vectorWidthFor(rowSize, elementBytes, 16, 64);
    config.threads = std::clamp<int64_t>(
        llvm::PowerOf2Ceil(ceilDiv(rowSize, config.vectorWidth * maxVectors)),
        64, 1024);
  } else { // R3
    config.vectorWidth = vectorWidthFor(rowSize, elementBytes, 16, 1024);
    config.threads = 1024;
    if (rows < machine.smCount) {
      config.reduction = ReductionStrategy::Split;
      config.split = 2 * machine.smCount;
      config.splitChunk = kSplitMinChunk;
      config.minSplit = kMinSplit;
    } else {
      config.reduction = ReductionStrategy::Looped;
    }
  }
  if (config.reduction != ReductionStrategy::Warp)
    lanes = config.threads;
  int64_t vectors = std::clamp<int64_t>(
      ceilDiv(rowSize, lanes * config.vectorWidth), 1, maxVectors); // R4
  config.threadTile[rank - 1] = config.vectorWidth * vectors;
  config.threadRowLimit = kThreadRowLimit; // R6
  return config;
}

TilingConfig gpuColumnReduction(ArrayRef<int64_t> sizes, int64_t reducedLoop,
                                int64_t elementBytes,
                                const MachineModel &machine) {
  TilingConfig config;
  config.kind = KernelKind::Reduction;
  config.reduction = ReductionStrategy::Column;
  size_t rank = sizes.size();
  int64_t columns = sizes.back();
  int64_t reduced = sizes[reducedLoop];
  int64_t outer = product(sizes.drop_back()) / std::max<int64_t>(1, reduced);
  config.blockTile.assign(rank, 1);
  config.threadTile.assign(rank, 1);
  config.vectorWidth = vectorWidthFor(columns, elementBytes, 16, 1); // R5
  int64_t vw = config.vectorWidth;
  int64_t vectors = ceilDiv(columns, vw);
  int64_t threadsX = std::clamp<int64_t>(llvm::PowerOf2Ceil(vectors), 1, 32);
  int64_t threadsY = std::clamp<int64_t>(
      llvm::bit_floor<uint64_t>(std::max<int64_t>(1, reduced / 16)), 1,
      256 / threadsX);
  threadsX =
      std::clamp<int64_t>(llvm::PowerOf2Ceil(vectors), 1, 256 / threadsY);
  config.threads = threadsX * threadsY;
  config.blockTile[rank - 1] = threadsX * vw;
  config.blockTile[reducedLoop] = threadsY;
  config.threadTile[rank - 1] = vw;
  int64_t columnBlocks = outer * ceilDiv(columns, threadsX * vw);
  int64_t wantBlocks = machine.smCount * machine.wavesPerSm;
  if (columnBlocks < wantBlocks)
    config.split = std::clamp<int64_t>(
        std::min(ceilDiv(wantBlocks, columnBlocks), reduced / (threadsY * 16)),
        1, 1024);
  return config;
}

TilingConfig gpuMatmul(ArrayRef<int64_t> sizes, const KernelTraits &traits) {
  TilingConfig config;
  config.kind = KernelKind::Matmul;
  int64_t mn = sizes[traits.mLoop] * sizes[traits.nLoop];
  int64_t tile = mn <= 512 * 512 ? 32 : mn <= 2048 * 2048 ? 64 : 128; // M1
  config.threads = 256;
  // A batch loop: one matrix per block (grid z).
  config.blockTile.assign(sizes.size(), 1);
  config.threadTile.assign(sizes.size(), 0);
  config.blockTile[traits.mLoop] = tile;
  config.blockTile[traits.nLoop] = tile;
  config.blockTile[traits.kLoop] = 32;
  config.threadTile[traits.mLoop] = tile / 16;
  config.threadTile[traits.nLoop] = tile / 16;
  config.vectorWidth = std::min<int64_t>(4, tile / 16);
  return config;
}

TilingConfig cpuTiling(KernelKind kind, ArrayRef<int64_t> sizes,
                       int64_t elementBytes, const KernelTraits &traits,
                       const MachineModel &machine) {
  TilingConfig config;
  config.target = TilingTarget::Cpu;
  config.kind = kind;
  size_t rank = sizes.size();
  int64_t vw = std::max<int64_t>(1, machine.cpuVectorBytes / elementBytes);
  config.vectorWidth = vw;

  if (kind == KernelKind::Matmul) { // C2, C3
    // Registers of 32-bit lanes at least: the CPU computes bf16 and f16 in
    // f32 (the pipeline's low-precision legalization).
    int64_t lanes = std::max<int64_t>(
        1, machine.cpuVectorBytes / std::max<int64_t>(traits.computeBytes, 4));
    int64_t nr = 2 * lanes;
    int64_t mr = machine.cpuVectorRegisters >= 32 ? 8 : 6;
    int64_t strips = 24;
    // C4: a matrix-vector product gets tiles of one row or one column.
    if (sizes[traits.mLoop] < mr) {
      mr = 1;
      strips = 1;
    }
    if (sizes[traits.nLoop] < nr)
      nr = 1;
    config.vectorWidth = lanes;
    // Batch loops: one matrix per task.
    config.blockTile.assign(sizes.size(), 1);
    config.threadTile.assign(sizes.size(), 0);
    config.blockTile[traits.mLoop] = strips * mr;
    config.blockTile[traits.nLoop] = nr == 1 ? 1 : 2 * nr;
    config.blockTile[traits.kLoop] = 256;
    config.threadTile[traits.mLoop] = mr;
    config.threadTile[traits.nLoop] = nr;
    return config;
  }

  int64_t inner = sizes.back();
  config.blockTile.assign(rank, 1);
  config.threadTile.assign(rank, 1);
  config.threadTile[rank - 1] = vw; // Reductions: the row is not tiled.
  if (kind == KernelKind::Elementwise) {
    // Whole rows when a row fits the tile, else a tile of the row.
    int64_t maxRowElements = machine.cpuTileBytes / elementBytes;
    int64_t innerTile = std::min(inner, maxRowElements);
    innerTile = ceilDiv(innerTile, vw) * vw;
    config.blockTile[rank - 1] = innerTile;
    config.threadTile[rank - 1] = innerTile; // C1
    if (rank > 1)
      config.blockTile[rank - 2] = std::max<int64_t>(
          1, machine.cpuTileBytes / (innerTile * elementBytes));
    return config;
  }
  // C2: reductions and softmax keep whole rows.
  config.reduction = ReductionStrategy::None;
  config.blockTile[rank - 1] = 0;
  if (rank > 1)
    config.blockTile[rank - 2] = std::max<int64_t>(
        1, machine.cpuTileBytes / (std::max<int64_t>(inner, 1) * elementBytes));
  return config;
}

} // namespace

TilingConfig mlir::multikernel::chooseTiling(KernelKind kind,
                                             TilingTarget target,
                                             ArrayRef<int64_t> loopSizes,
                                             const KernelTraits &traits,
                                             const MachineModel &machine) {
  int64_t elementBytes = std::max<int64_t>(1, traits.elementBytes);
  if (target == TilingTarget::Cpu)
    return cpuTiling(kind, loopSizes, elementBytes, traits, machine);
  switch (kind) {
  case KernelKind::Elementwise:
    return gpuElementwise(loopSizes, traits, machine);
  case KernelKind::Reduction:
    if (traits.reducedLoop >= 0 &&
        traits.reducedLoop + 1 < static_cast<int64_t>(loopSizes.size()))
      return gpuColumnReduction(loopSizes, traits.reducedLoop, elementBytes,
                                machine);
    return gpuReduction(loopSizes, traits, machine);
  case KernelKind::Matmul:
    return gpuMatmul(loopSizes, traits);
  }
  llvm_unreachable("unknown kernel kind");
}
