//===- MultiKernelDialect.h - multikernel dialect ---------------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELDIALECT_H
#define MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELDIALECT_H

#include "mlir/IR/Dialect.h"

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOpsDialect.h.inc"

#endif // MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELDIALECT_H
