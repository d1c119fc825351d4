//===- Pipelines.h - registered multikernel pipelines -----------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// The pipelines from linalg (tensors or memrefs) down to the LLVM dialect,
// shared by multikernel-opt (--multikernel-cpu-pipeline=...) and
// multikernel-compile.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_PIPELINES_PIPELINES_H
#define MULTIKERNEL_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::multikernel {

/// How the parallel outer tiles of CPU variants run: on one thread, on
/// OpenMP threads for every variant with enough work, or only for the
/// variants of contractions (compute-bound, where threads pay most).
enum class CpuParallelism { None, OpenMP, Auto };

struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  ListOption<std::string> hints{
      *this, "hints",
      llvm::cl::desc("Size-hint candidates per op loop, e.g. "
                     "1024x512,4096x2048 (each op takes those of its rank; "
                     "ops may override them with multikernel.hints)")};
  ListOption<std::string> dimHints{
      *this, "dim-hints",
      llvm::cl::desc("Size-hint candidates per dynamic dimension of each "
                     "function's arguments, e.g. 64x128,4096x2048 (see "
                     "multikernel-specialize); none at all: 64, 256, 4096")};
  Option<CpuParallelism> parallel{
      *this, "parallel",
      llvm::cl::desc("How the outer tiles of the CPU variants run"),
      llvm::cl::init(CpuParallelism::None),
      llvm::cl::values(
          clEnumValN(CpuParallelism::None, "none", "one after another"),
          clEnumValN(CpuParallelism::OpenMP, "openmp",
                     "on OpenMP threads (link the library with libomp)"),
          clEnumValN(CpuParallelism::Auto, "auto",
                     "matmul variants with enough work on OpenMP threads, "
                     "the others chosen per call by its work"))};
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Bits of a vector register of the target CPU: 256 "
                     "(AVX2, NEON pairs) or 512 (AVX-512); multikernel-compile "
                     "sets it from --mcpu"),
      llvm::cl::init(256)};
};

struct GpuPipelineOptions : public PassPipelineOptions<GpuPipelineOptions> {
  ListOption<std::string> hints{
      *this, "hints",
      llvm::cl::desc("Size-hint candidates per op loop, e.g. "
                     "1024x512,4096x2048 (each op takes those of its rank)")};
  ListOption<std::string> dimHints{
      *this, "dim-hints",
      llvm::cl::desc("Size-hint candidates per dynamic dimension of each "
                     "function's arguments, e.g. 64x128,4096x2048 (see "
                     "multikernel-specialize); none at all: 64, 256, 4096")};
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("GPU architecture of the cubins"),
                           llvm::cl::init("sm_90")};
  Option<int64_t> smCount{
      *this, "sm-count",
      llvm::cl::desc("Multiprocessors of the GPU, for sizing grids"),
      llvm::cl::init(132)};
  Option<int64_t> cublasLtAlgorithms{
      *this, "cublaslt-algorithms",
      llvm::cl::desc("cuBLASLt variants per matmul site besides the "
                     "generated ones (0-8; 0: none; see "
                     "multikernel-specialize)"),
      llvm::cl::init(3)};
};

/// Adds the GPU pipeline (CUDA) to `pm`, built from the passes' own
/// constructors: the variants become kernels compiled to cubins for `chip`
/// (ptxas of the CUDA toolkit), the host code calls the runtime. Failure,
/// reported on `errors`, for an option value that cannot work (an empty
/// chip, no multiprocessors).
LogicalResult buildGpuPipeline(OpPassManager &pm,
                               const GpuPipelineOptions &options,
                               llvm::raw_ostream &errors);
/// Adds the CPU pipeline to `pm`; it has no option that can fail.
LogicalResult buildCpuPipeline(OpPassManager &pm,
                               const CpuPipelineOptions &options,
                               llvm::raw_ostream &errors);
/// Registers --multikernel-cpu-pipeline and --multikernel-gpu-pipeline.
void registerMultiKernelPipelines();

} // namespace mlir::multikernel

#endif // MULTIKERNEL_PIPELINES_PIPELINES_H
