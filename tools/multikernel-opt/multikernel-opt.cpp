//===- multikernel-opt.cpp - mlir-opt with the multikernel dialect --------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// An mlir-opt driver: every upstream dialect, extension and pass, plus the
// multikernel dialect and its passes.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "multikernel/Conversion/Passes.h"
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelDialect.h"
#include "multikernel/Pipelines/Pipelines.h"
#include "multikernel/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::multikernel::registerMultiKernelPasses();
  mlir::multikernel::registerMultiKernelConversionPasses();
  mlir::multikernel::registerMultiKernelPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates GPU modules to LLVM IR in-process.
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<mlir::multikernel::MultiKernelDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "multikernel optimizer driver\n", registry));
}
