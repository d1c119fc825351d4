//===- Pipelines.cpp - registered multikernel pipelines -------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Pipelines/Pipelines.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::multikernel;

namespace {
/// With OpenMP, variants whose hint has fewer than 2^20 loop iterations keep
/// their tasks sequential: on the development VM the fork and join cost
/// more than two threads saved below about a million elements (seed
/// 512x256 0.81x, 1024x512 1.08x, 1500x750 1.09x; matmul 64^3 0.77x), so
/// the runtime can pick a sequential variant for small shapes and a
/// threaded one for large shapes.
constexpr const char *kOpenMPSpecializeOptions =
    " cpu-parallel-min-work=1048576";

/// The passes both pipelines start with, up to the outlined variants: on
/// tensors, the elementwise ops a frontend emits one per primitive are
/// fused, then bufferized, each linalg op into a buffer of its own (a fill
/// shared by several ops is cloned rather than copied) (identity layouts at
/// function boundaries: callers pass contiguous row-major buffers) so that the
/// dispatch sites are created on memrefs, softmax on memrefs is decomposed into
/// generics (which the GPU groups into one site), then every kernel is
/// specialized for `target`.
std::string frontOfPipeline(StringRef target, ArrayRef<std::string> hints,
                            StringRef extraSpecializeOptions) {
  std::string specialize =
      ("multikernel-specialize{target=" + target +
       " skip-mismatched-ranks=true" + extraSpecializeOptions)
          .str();
  if (!hints.empty())
    specialize += " hints=" + llvm::join(hints, ",");
  specialize += "}";
  return "multikernel-fuse-elementwise,"
         "canonicalize,"
         "cse,"
         "multikernel-clone-shared-inits,"
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map},"
         "buffer-deallocation-pipeline,"
         "convert-bufferization-to-memref,"
         "multikernel-decompose-softmax,"
         "canonicalize," +
         specialize +
         ","
         "multikernel-outline-variants,"
         "multikernel-export-c-interface,";
}
} // namespace

std::string
mlir::multikernel::getCpuPipelineText(const CpuPipelineOptions &options) {
  // Softmax is decomposed first: the CPU variants are lowered through loops,
  // which the aggregate op does not lower to.
  bool openmp = options.parallel == CpuParallelism::OpenMP;
  // The OpenMP conversion wraps each parallel body in memref.alloca_scope,
  // which canonicalization inlines (the bodies allocate nothing): the
  // scope takes a single block, which lowering the loops inside it to
  // branches would break.
  return "multikernel-decompose-softmax," +
         frontOfPipeline("cpu", options.hints,
                         openmp ? kOpenMPSpecializeOptions : "") +
         "scf-forall-to-parallel," +
         (openmp ? "convert-scf-to-openmp,canonicalize," : "") +
         "func.func(convert-linalg-to-loops),"
         "lower-affine,"
         "convert-scf-to-cf,"
         "expand-strided-metadata,"
         "lower-affine,"
         "convert-math-to-llvm,"
         "convert-to-llvm," +
         (openmp ? "convert-openmp-to-llvm," : "") +
         "convert-multikernel-to-llvm,"
         "reconcile-unrealized-casts";
}

LogicalResult
mlir::multikernel::buildCpuPipeline(OpPassManager &pm,
                                    const CpuPipelineOptions &options,
                                    llvm::raw_ostream &errors) {
  return parsePassPipeline(getCpuPipelineText(options), pm, errors);
}

std::string
mlir::multikernel::getGpuPipelineText(const GpuPipelineOptions &options) {
  // The host code and the kernels are lowered by upstream's NVVM pipeline,
  // which compiles the kernels with ptxas into the module (fatbin: cubin for
  // the chip and PTX that newer GPUs can JIT).
  return frontOfPipeline("gpu", options.hints,
                         " sm-count=" + std::to_string(options.smCount)) +
         "multikernel-gpu-codegen{sm-count=" + std::to_string(options.smCount) +
         "},"
         "gpu-lower-to-nvvm-pipeline{cubin-chip=" +
         options.chip.getValue() +
         " cubin-features=+ptx80 opt-level=3},"
         "convert-multikernel-to-llvm,"
         "reconcile-unrealized-casts";
}

LogicalResult
mlir::multikernel::buildGpuPipeline(OpPassManager &pm,
                                    const GpuPipelineOptions &options,
                                    llvm::raw_ostream &errors) {
  return parsePassPipeline(getGpuPipelineText(options), pm, errors);
}

void mlir::multikernel::registerMultiKernelPipelines() {
  PassPipelineRegistration<GpuPipelineOptions>(
      "multikernel-gpu-pipeline",
      "From linalg on tensors or memrefs to the LLVM dialect for CUDA GPUs: "
      "fuse and bufferize tensors (results in device memory), group the ops "
      "one kernel computes into dispatch sites, generate a GPU kernel per "
      "variant and size hint (elementwise, row reductions and their "
      "epilogues, matmul), compile the kernels to cubins and lower the "
      "dispatch sites to runtime calls",
      [](OpPassManager &pm, const GpuPipelineOptions &options) {
        if (failed(buildGpuPipeline(pm, options, llvm::errs())))
          llvm::report_fatal_error("multikernel-gpu-pipeline does not parse");
      });
  PassPipelineRegistration<CpuPipelineOptions>(
      "multikernel-cpu-pipeline",
      "From linalg on tensors or memrefs to the LLVM dialect for the CPU: "
      "bufferize, specialize every dynamic-shape kernel per size hint, "
      "outline the variants, lower them and the dispatch sites (calls into "
      "libmultikernel_runtime)",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        if (failed(buildCpuPipeline(pm, options, llvm::errs())))
          llvm::report_fatal_error("multikernel-cpu-pipeline does not parse");
      });
}
