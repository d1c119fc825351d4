//===- RecordSignatures.cpp - how to call a compiled library --------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// A deployed model is the library and the runtime: the library carries the
// signatures of its public functions (with their tensor types, which the
// C interface alone does not show) so that callers need no MLIR source.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/Support/JSON.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELRECORDSIGNATURES
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;

namespace {

constexpr StringLiteral kSymbol = "__mkrt_signatures";

llvm::json::Array typeTexts(TypeRange types) {
  llvm::json::Array texts;
  for (Type type : types) {
    std::string text;
    llvm::raw_string_ostream os(text);
    type.print(os);
    texts.push_back(std::move(text));
  }
  return texts;
}

struct RecordSignaturesPass
    : public multikernel::impl::MultiKernelRecordSignaturesBase<
          RecordSignaturesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (target != "cpu" && target != "cuda") {
      module.emitError() << "multikernel-record-signatures: target must be "
                            "cpu or cuda, got '"
                         << target << "'";
      return signalPassFailure();
    }
    llvm::json::Array functions;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      functions.push_back(
          llvm::json::Object{{"name", func.getSymName()},
                             {"inputs", typeTexts(func.getArgumentTypes())},
                             {"results", typeTexts(func.getResultTypes())}});
    }
    std::string text;
    llvm::raw_string_ostream os(text);
    os << llvm::json::Value(
        llvm::json::Object{{"version", 1},
                           {"target", target},
                           {"functions", std::move(functions)}});
    text.push_back('\0');

    if (Operation *old = module.lookupSymbol(kSymbol))
      old->erase();
    OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
    auto type = LLVM::LLVMArrayType::get(builder.getI8Type(), text.size());
    LLVM::GlobalOp::create(builder, module.getLoc(), type, /*isConstant=*/true,
                           LLVM::Linkage::External, kSymbol,
                           builder.getStringAttr(text));
  }
};

} // namespace
