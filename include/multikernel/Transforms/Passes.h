//===- Passes.h - multikernel transformation passes -------------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_TRANSFORMS_PASSES_H
#define MULTIKERNEL_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOps.h"

namespace mlir::multikernel {

#define GEN_PASS_DECL
#include "multikernel/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "multikernel/Transforms/Passes.h.inc"

} // namespace mlir::multikernel

#endif // MULTIKERNEL_TRANSFORMS_PASSES_H
