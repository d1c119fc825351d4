//===- Passes.cpp - multikernel passes for the C API ----------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel-c/Passes.h"

#include "multikernel/Conversion/Passes.h"
#include "multikernel/Pipelines/Pipelines.h"
#include "multikernel/Transforms/Passes.h"

#include <mutex>

void mlirMultiKernelRegisterPasses(void) {
  static std::once_flag once;
  std::call_once(once, [] {
    mlir::multikernel::registerMultiKernelPasses();
    mlir::multikernel::registerMultiKernelConversionPasses();
    mlir::multikernel::registerMultiKernelPipelines();
  });
}
