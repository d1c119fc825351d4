//===- Passes.h - multikernel conversion passes -----------------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_CONVERSION_PASSES_H
#define MULTIKERNEL_CONVERSION_PASSES_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::multikernel {

#define GEN_PASS_DECL
#include "multikernel/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "multikernel/Conversion/Passes.h.inc"

} // namespace mlir::multikernel

#endif // MULTIKERNEL_CONVERSION_PASSES_H
