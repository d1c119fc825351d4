//===- MultiKernelPlugin.cpp - plugin for the stock mlir-opt --------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// Entry points that `mlir-opt --load-dialect-plugin=...` and
// `--load-pass-plugin=...` look up with dlsym.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

#include "multikernel/Conversion/Passes.h"
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelDialect.h"
#include "multikernel/Transforms/Passes.h"

using namespace mlir;

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "MultiKernel", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            registry->insert<multikernel::MultiKernelDialect>();
            multikernel::registerMultiKernelPasses();
            multikernel::registerMultiKernelConversionPasses();
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "MultiKernelPasses", LLVM_VERSION_STRING,
          []() {
            multikernel::registerMultiKernelPasses();
            multikernel::registerMultiKernelConversionPasses();
          }};
}
