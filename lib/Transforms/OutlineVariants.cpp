//===- OutlineVariants.cpp - each variant into its own function -----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/Passes.h"
#include "multikernel/Transforms/Utils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELOUTLINEVARIANTS
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;
using namespace mlir::multikernel;

namespace {

/// Marks in `written` the arguments of `func` that its body may write: the
/// roots of every written memref, and every memref operand of an op whose
/// effects are unknown. Conservative: the runtime restores what is marked.
void markWrittenArguments(func::FuncOp func,
                          llvm::SmallSetVector<int64_t, 8> &written) {
  llvm::SmallPtrSet<Value, 8> roots;
  bool writesUnknown = false;
  func.walk([&](Operation *op) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects) {
      if (op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
        return; // the walk visits the nested ops
      for (Value operand : op->getOperands())
        if (isa<BaseMemRefType>(operand.getType()))
          roots.insert(getViewRoot(operand));
      return;
    }
    SmallVector<MemoryEffects::EffectInstance> instances;
    effects.getEffects(instances);
    for (const MemoryEffects::EffectInstance &instance : instances) {
      if (!isa<MemoryEffects::Write>(instance.getEffect()))
        continue;
      if (Value value = instance.getValue())
        roots.insert(getViewRoot(value));
      else if (!isa<SideEffects::AutomaticAllocationScopeResource>(
                   instance.getResource()))
        writesUnknown = true;
    }
  });
  for (BlockArgument argument : func.getArguments())
    if (isa<BaseMemRefType>(argument.getType()) &&
        (writesUnknown || roots.contains(argument)))
      written.insert(argument.getArgNumber());
}

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
      llvm::SmallSetVector<int64_t, 8> written;
      for (auto [index, region] : llvm::enumerate(dispatch.getVariants())) {
        Block &entry = region.front();
        auto yield = cast<YieldOp>(entry.getTerminator());
        // Already outlined: a call and the yield.
        if (entry.getOperations().size() == 2 &&
            isa<func::CallOp>(entry.front())) {
          auto call = cast<func::CallOp>(entry.front());
          if (auto callee = symbols.lookup<func::FuncOp>(call.getCallee()))
            markWrittenArguments(callee, written);
          else
            for (auto [argIndex, type] :
                 llvm::enumerate(entry.getArgumentTypes()))
              if (isa<BaseMemRefType>(type))
                written.insert(argIndex);
          continue;
        }

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
        markWrittenArguments(func, written);
      }
      SmallVector<int64_t> sorted(written.begin(), written.end());
      llvm::sort(sorted);
      dispatch.setWritten(sorted);
    }
  }
};

} // namespace
