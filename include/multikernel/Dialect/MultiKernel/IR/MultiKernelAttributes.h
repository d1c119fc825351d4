//===- MultiKernelAttributes.h - multikernel attributes ---------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELATTRIBUTES_H
#define MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELATTRIBUTES_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelDialect.h"

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelAttributes.h.inc"

#endif // MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELATTRIBUTES_H
