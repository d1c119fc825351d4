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

std::string
mlir::multikernel::getCpuPipelineText(const CpuPipelineOptions &options) {
  std::string hints = llvm::join(options.hints, ",");
  std::string specialize =
      "multikernel-specialize{target=cpu skip-mismatched-ranks=true";
  if (!hints.empty())
    specialize += " hints=" + hints;
  specialize += "}";
  // Tensors are bufferized first (identity layouts at function boundaries:
  // callers pass contiguous row-major buffers), so that the dispatch sites
  // are created on memrefs; softmax is decomposed before that because the
  // CPU variants are lowered through loops.
  return "multikernel-decompose-softmax,"
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map},"
         "buffer-deallocation-pipeline,"
         "convert-bufferization-to-memref,"
         "canonicalize," +
         specialize +
         ","
         "multikernel-outline-variants,"
         "multikernel-export-c-interface,"
         "scf-forall-to-parallel,"
         "func.func(convert-linalg-to-loops),"
         "lower-affine,"
         "convert-scf-to-cf,"
         "expand-strided-metadata,"
         "lower-affine,"
         "convert-math-to-llvm,"
         "convert-to-llvm,"
         "convert-multikernel-to-llvm,"
         "reconcile-unrealized-casts";
}

LogicalResult
mlir::multikernel::buildCpuPipeline(OpPassManager &pm,
                                    const CpuPipelineOptions &options,
                                    llvm::raw_ostream &errors) {
  return parsePassPipeline(getCpuPipelineText(options), pm, errors);
}

void mlir::multikernel::registerMultiKernelPipelines() {
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
