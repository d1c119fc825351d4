//===- MultiKernelDialect.cpp - multikernel dialect -------------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelDialect.h"
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOps.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::multikernel;

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOpsDialect.cpp.inc"

void MultiKernelDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOps.cpp.inc"
      >();
  registerAttributes();
}

/// Verifies the discardable attributes. `multikernel.hints`: a non-empty array
/// of non-empty `array<i64>` with positive entries. The rank of each hint is
/// checked against the op's key by the pass that consumes the attribute,
/// since only that pass knows which sizes form the key.
LogicalResult
MultiKernelDialect::verifyOperationAttribute(Operation *op,
                                             NamedAttribute attribute) {
  if (attribute.getName() == getTilingAttrName()) {
    if (!isa<TilingAttr>(attribute.getValue()))
      return op->emitError() << "'" << getTilingAttrName()
                             << "' must be a #multikernel.tiling attribute";
    return success();
  }
  if (attribute.getName() == "multikernel.variant_of") {
    if (!isa<StringAttr>(attribute.getValue()))
      return op->emitError() << "'multikernel.variant_of' must be a string";
    return success();
  }
  StringRef name = attribute.getName().getValue();
  if (name != getHintsAttrName() && name != getDimHintsAttrName())
    return op->emitError() << "unknown multikernel attribute '" << name << "'";
  if (name == getDimHintsAttrName() && !isa<FunctionOpInterface>(op))
    return op->emitError() << "'" << name << "' belongs on a function";

  auto hints = dyn_cast<ArrayAttr>(attribute.getValue());
  if (!hints || hints.empty())
    return op->emitError() << "'" << name
                           << "' must be a non-empty array of array<i64>";
  for (auto [index, hintAttr] : llvm::enumerate(hints)) {
    auto hint = dyn_cast<DenseI64ArrayAttr>(hintAttr);
    if (!hint || hint.empty())
      return op->emitError() << "'" << name << "' entry #" << index
                             << " must be a non-empty array<i64>";
    if (llvm::any_of(hint.asArrayRef(), [](int64_t v) { return v <= 0; }))
      return op->emitError() << "'" << name << "' entry #" << index
                             << " must have positive sizes";
  }
  return success();
}
