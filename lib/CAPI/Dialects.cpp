//===- Dialects.cpp - C API for the multikernel dialect -------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel-c/Dialects.h"

#include "mlir/CAPI/Registration.h"

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelDialect.h"

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(MultiKernel, multikernel,
                                      mlir::multikernel::MultiKernelDialect)
