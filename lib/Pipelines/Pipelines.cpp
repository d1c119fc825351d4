//===- Pipelines.cpp - registered multikernel pipelines -------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Pipelines/Pipelines.h"

#include "multikernel/Conversion/Passes.h"
#include "multikernel/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::multikernel;

namespace {
/// With OpenMP, variants whose hint has fewer than 2^20 loop iterations keep
/// their tasks sequential: on the development VM the fork and join cost
/// more than two threads saved below about a million elements (seed
/// 512x256 0.81x, 1024x512 1.08x, 1500x750 1.09x; matmul 64^3 0.77x), so
/// the runtime can pick a sequential variant for small shapes and a
/// threaded one for large shapes.
constexpr int64_t kOpenMPMinWork = 1 << 20;

/// The passes both pipelines start with, up to the outlined variants: on
/// tensors, the elementwise ops a frontend emits one per primitive are
/// fused, then bufferized, each linalg op into a buffer of its own (a fill
/// shared by several ops is cloned rather than copied), with identity
/// layouts at function boundaries (callers pass contiguous row-major
/// buffers), so that the dispatch sites are created on memrefs; softmax on
/// memrefs is decomposed into generics (which the GPU groups into one
/// site), then every kernel is specialized as `specialize` says.
void addFrontOfPipeline(OpPassManager &pm,
                        const MultiKernelSpecializeOptions &specialize) {
  pm.addPass(createMultiKernelFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createMultiKernelCloneSharedInits());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Upstream's deallocation, per function: memref code that frees its own
  // buffers (and hand-written dispatch ops) is left as it is.
  pm.addPass(createMultiKernelDeallocate());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createMultiKernelDecomposeSoftmax());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createMultiKernelSpecialize(specialize));
  pm.addPass(createMultiKernelOutlineVariants());
  pm.addPass(createMultiKernelExportCInterface());
}

/// bf16 and f16 on the CPU: math functions (which libm has only for f32
/// and f64) and bf16 arithmetic are computed in f32 and rounded to the IR's
/// type where a value is stored (upstream's emulation elides the rounding
/// between two ops, as XLA and Inductor do by default), and the bf16
/// conversions are expanded into integer operations. Left to LLVM, a bf16
/// conversion is a call to compiler-rt's `__truncsfbf2` on CPUs without
/// AVX512-BF16, which the GCC 12 runtime of Debian 12 lacks: the library would
/// not load. (f16 conversions are instructions with F16C, and in libgcc
/// otherwise.)
void addLowPrecisionFloatLegalization(OpPassManager &pm) {
  pm.addPass(math::createMathExtendToSupportedTypes());
  arith::ArithEmulateUnsupportedFloatsOptions emulate;
  emulate.sourceTypeStrs = {"bf16"};
  emulate.targetTypeStr = "f32";
  pm.addPass(arith::createArithEmulateUnsupportedFloats(emulate));
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createCanonicalizerPass());
}

MultiKernelSpecializeOptions specializeOptions(StringRef target,
                                               ArrayRef<std::string> hints,
                                               ArrayRef<std::string> dimHints) {
  MultiKernelSpecializeOptions options;
  options.target = target.str();
  options.hints.assign(hints.begin(), hints.end());
  options.dimHints.assign(dimHints.begin(), dimHints.end());
  return options;
}

/// Registers `name`, built by `build` from its options; a bad option value
/// is an error, not a crash.
template <typename Options>
void registerPipeline(StringRef name, StringRef description,
                      LogicalResult (*build)(OpPassManager &, const Options &,
                                             llvm::raw_ostream &)) {
  registerPassPipeline(
      name, description,
      [name, build](OpPassManager &pm, StringRef text,
                    function_ref<LogicalResult(const Twine &)> errorHandler) {
        // Its passes run on the module; nested in another op (func.func),
        // the pass manager would abort when they are added.
        if (pm.getOpAnchorName() != ModuleOp::getOperationName() &&
            pm.getOpAnchorName() != OpPassManager::getAnyOpAnchorName())
          return errorHandler(name +
                              " runs on builtin.module, not nested in '" +
                              pm.getOpAnchorName() + "'");
        Options options;
        if (failed(options.parseFromString(text)))
          return failure();
        std::string errors;
        llvm::raw_string_ostream os(errors);
        if (failed(build(pm, options, os)))
          return errorHandler(errors);
        return success();
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> handler) {
        handler(Options());
      });
}
} // namespace

/// The host code and the kernels lowered as upstream's
/// gpu::buildLowerToNVVMPassPipeline does (LLVM 22), pass for pass, the
/// kernels compiled with ptxas into the module (fatbin: cubin for `chip`
/// and PTX that newer GPUs can JIT), but by multikernel-gpu-module-to-binary
/// instead of gpu-module-to-binary: the same serialization, the modules in
/// parallel (most of a GPU compile's time; upstream's pipeline builder
/// takes no other pass for it). test/Codegen/GPU/pipeline-passes.mlir
/// pins the sequence.
static void addLowerToNVVM(OpPassManager &pm, StringRef chip) {
  pm.addPass(createConvertNVGPUToNVVMPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.triple = "nvptx64-nvidia-cuda";
  target.chip = chip.str();
  target.features = "+ptx80";
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  ConvertIndexToLLVMPassOptions index;
  index.indexBitwidth = 64;
  pm.addPass(createConvertIndexToLLVMPass(index));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  ConvertGpuOpsToNVVMOpsOptions kernels;
  kernels.indexBitwidth = 64;
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps(kernels));
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createMultiKernelGpuModuleToBinary());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

LogicalResult
mlir::multikernel::buildCpuPipeline(OpPassManager &pm,
                                    const CpuPipelineOptions &options,
                                    llvm::raw_ostream & /*errors*/) {
  bool openmp = options.parallel != CpuParallelism::None;
  // Softmax on tensors is decomposed first: the CPU variants are lowered
  // through loops, which the aggregate op does not lower to.
  MultiKernelRecordSignaturesOptions signatures;
  signatures.target = "cpu";
  pm.addPass(createMultiKernelRecordSignatures(signatures));
  pm.addPass(createMultiKernelDecomposeSoftmax());
  MultiKernelSpecializeOptions specialize =
      specializeOptions("cpu", options.hints, options.dimHints);
  if (openmp)
    specialize.cpuParallelMinWork = kOpenMPMinWork;
  // auto: elementwise kernels and reductions take threads per call, where
  // the call has the work for them (bench/results/2026-12-01-cpu-models.md:
  // the norms 1.5-3x faster warm on two threads); a variant per hint would
  // make the runtime benchmark two variants on every new shape.
  specialize.cpuParallelByCall = options.parallel == CpuParallelism::Auto;
  specialize.cpuVectorBits = options.vectorBits;
  addFrontOfPipeline(pm, specialize);
  pm.addPass(createMultiKernelCpuContractionCodegen());
  pm.addPass(createForallToParallelLoopPass());
  if (openmp) {
    // The OpenMP conversion wraps each parallel body in
    // memref.alloca_scope, which canonicalization inlines (the bodies
    // allocate nothing): the scope takes a single block, which lowering the
    // loops inside it to branches would break.
    pm.addPass(createConvertSCFToOpenMPPass());
    pm.addPass(createCanonicalizerPass());
  }
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Vector ops of the input (a user's own vectorization): transfers that
  // need loops become loops here, the rest goes to LLVM below.
  pm.addPass(createConvertVectorToSCFPass());
  addLowPrecisionFloatLegalization(pm);
  pm.addPass(createMultiKernelApproximateMath());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertMathToLLVMPass());
  // What LLVM has no intrinsic for (erf, ...) calls the C library.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  if (openmp)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertMultiKernelToLLVM());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createMultiKernelCheckLowered());
  return success();
}

LogicalResult
mlir::multikernel::buildGpuPipeline(OpPassManager &pm,
                                    const GpuPipelineOptions &options,
                                    llvm::raw_ostream &errors) {
  if (StringRef(options.chip).trim().empty()) {
    errors << "multikernel-gpu-pipeline: chip must name a GPU architecture "
              "(e.g. sm_90)";
    return failure();
  }
  if (options.smCount < 1) {
    errors << "multikernel-gpu-pipeline: sm-count must be at least 1, got "
           << options.smCount;
    return failure();
  }
  MultiKernelRecordSignaturesOptions signatures;
  signatures.target = "cuda";
  pm.addPass(createMultiKernelRecordSignatures(signatures));
  MultiKernelSpecializeOptions specialize =
      specializeOptions("gpu", options.hints, options.dimHints);
  specialize.smCount = options.smCount;
  specialize.cublasLtAlgorithms = options.cublasLtAlgorithms;
  addFrontOfPipeline(pm, specialize);
  pm.addPass(createMultiKernelGpuCodegen());
  addLowerToNVVM(pm, options.chip.getValue());
  pm.addPass(createConvertMultiKernelToLLVM());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createMultiKernelCheckLowered());
  return success();
}

void mlir::multikernel::registerMultiKernelPipelines() {
  registerPipeline<GpuPipelineOptions>(
      "multikernel-gpu-pipeline",
      "From linalg on tensors or memrefs to the LLVM dialect for CUDA GPUs: "
      "fuse and bufferize tensors (results in device memory), group the ops "
      "one kernel computes into dispatch sites, generate a GPU kernel per "
      "variant and size hint (elementwise, row and column reductions and "
      "their epilogues, matmul), compile the kernels to cubins and lower the "
      "dispatch sites to runtime calls",
      buildGpuPipeline);
  registerPipeline<CpuPipelineOptions>(
      "multikernel-cpu-pipeline",
      "From linalg on tensors or memrefs to the LLVM dialect for the CPU: "
      "fuse and bufferize tensors, specialize every dynamic-shape kernel per "
      "size hint, outline the variants, lower them and the dispatch sites "
      "(calls into libmultikernel_runtime)",
      buildCpuPipeline);
}
