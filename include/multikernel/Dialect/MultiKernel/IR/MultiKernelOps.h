//===- MultiKernelOps.h - multikernel dialect ops ---------------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELOPS_H
#define MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelAttributes.h"
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelDialect.h"

#define GET_OP_CLASSES
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOps.h.inc"

#endif // MULTIKERNEL_DIALECT_MULTIKERNEL_IR_MULTIKERNELOPS_H
