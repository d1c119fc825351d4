//===- OutlineVariants.cpp - each variant into its own function -----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELOUTLINEVARIANTS
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;
using namespace mlir::multikernel;

namespace {

struct OutlineVariantsPass
    : public multikernel::impl::MultiKernelOutlineVariantsBase<
          OutlineVariantsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<DispatchOp> dispatches;
    module.walk([&](DispatchOp dispatch) { dispatches.push_back(dispatch); });

    for (DispatchOp dispatch : dispatches) {
      auto enclosing = dispatch->getParentOfType<func::FuncOp>();
      if (!enclosing) {
        dispatch.emitOpError("must be inside a func.func to be outlined");
        return signalPassFailure();
      }
      for (auto [index, region] : llvm::enumerate(dispatch.getVariants())) {
        Block &entry = region.front();
        auto yield = cast<YieldOp>(entry.getTerminator());
        // Already outlined: a call and the yield.
        if (entry.getOperations().size() == 2 &&
            isa<func::CallOp>(entry.front()))
          continue;

        OpBuilder builder(enclosing);
        auto type = builder.getFunctionType(entry.getArgumentTypes(),
                                            yield.getValues().getTypes());
        auto func = func::FuncOp::create(
            builder, dispatch.getLoc(),
            (dispatch.getSymName() + "_v" + Twine(index)).str(), type);
        func.setPrivate();
        func->setAttr("multikernel.variant_of", dispatch.getSymNameAttr());
        if (std::optional<ArrayAttr> tilings = dispatch.getTilings())
          func->setAttr(MultiKernelDialect::getTilingAttrName(),
                        (*tilings)[index]);
        // insert() renames on a clash and places the function in the module.
        symbols.insert(func, Block::iterator(enclosing));

        // Move the whole block; the yield becomes a return.
        func.getBody().takeBody(region);
        Block &body = func.getBody().front();
        builder.setInsertionPoint(body.getTerminator());
        auto moved = cast<YieldOp>(body.getTerminator());
        func::ReturnOp::create(builder, moved.getLoc(), moved.getValues());
        moved.erase();

        // The region becomes: call the function, yield its results.
        Block *stub = builder.createBlock(
            &region, region.end(), type.getInputs(),
            SmallVector<Location>(type.getNumInputs(), dispatch.getLoc()));
        auto call = func::CallOp::create(builder, dispatch.getLoc(), func,
                                         stub->getArguments());
        YieldOp::create(builder, dispatch.getLoc(), call.getResults());
      }
    }
  }
};

} // namespace
