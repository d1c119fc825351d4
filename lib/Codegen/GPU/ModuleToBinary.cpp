//===- ModuleToBinary.cpp - gpu.module ops to gpu.binary ops, in parallel -===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// --multikernel-gpu-module-to-binary: upstream's gpu-module-to-binary with
// the modules serialized in parallel. Upstream (LLVM 22) serializes one
// module after another, and serializing is most of a GPU compile; our
// libraries have a module per kernel, independent of each other, so they
// serialize on the context's threads (see the pass description).
//
//===----------------------------------------------------------------------===//

#include "multikernel/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/CompilationInterfaces.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Threading.h"
#include "llvm/ADT/StringSwitch.h"

#include <optional>

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELGPUMODULETOBINARY
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;
using namespace mlir::multikernel;

namespace {

/// The serialized objects of one module, one per target, in order.
struct SerializedModule {
  gpu::GPUModuleOp module;
  SmallVector<SmallVector<char, 0>> objects;
};

/// Serializes every target of `entry.module`; false (reported) on failure.
bool serialize(SerializedModule &entry, const gpu::TargetOptions &options) {
  gpu::GPUModuleOp module = entry.module;
  if (!module.getTargetsAttr()) {
    module.emitError("the module has no target attributes");
    return false;
  }
  for (Attribute attribute : module.getTargetsAttr()) {
    auto target = dyn_cast<gpu::TargetAttrInterface>(attribute);
    if (!target) {
      module.emitError("target ") << attribute << " cannot serialize modules";
      return false;
    }
    std::optional<SmallVector<char, 0>> object =
        target.serializeToObject(module, options);
    if (!object) {
      module.emitError("An error happened while serializing the module.");
      return false;
    }
    entry.objects.push_back(std::move(*object));
  }
  return true;
}

struct GpuModuleToBinaryPass
    : public multikernel::impl::MultiKernelGpuModuleToBinaryBase<
          GpuModuleToBinaryPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp root = getOperation();
    std::optional<gpu::CompilationTarget> format =
        llvm::StringSwitch<std::optional<gpu::CompilationTarget>>(
            compilationTarget)
            .Cases({"offloading", "llvm"}, gpu::CompilationTarget::Offload)
            .Cases({"assembly", "isa"}, gpu::CompilationTarget::Assembly)
            .Cases({"binary", "bin"}, gpu::CompilationTarget::Binary)
            .Cases({"fatbinary", "fatbin"}, gpu::CompilationTarget::Fatbin)
            .Default(std::nullopt);
    if (!format) {
      root.emitError() << "multikernel-gpu-module-to-binary: invalid format '"
                       << compilationTarget
                       << "': expected offloading, assembly, binary or "
                          "fatbinary";
      return signalPassFailure();
    }
    // The symbol table a target may ask for, built before the threads start
    // (they only read it).
    SymbolTable symbols(root);
    gpu::TargetOptions options(toolkitPath, /*librariesToLink=*/{},
                               /*cmdOptions=*/{}, /*elfSection=*/{}, *format,
                               [&]() -> SymbolTable * { return &symbols; });

    SmallVector<SerializedModule> entries;
    for (auto module : root.getOps<gpu::GPUModuleOp>())
      entries.push_back({module, {}});
    if (entries.empty())
      return;
    // The first alone (what a target initializes once), the rest in
    // parallel.
    if (!serialize(entries.front(), options))
      return signalPassFailure();
    if (failed(failableParallelForEach(
            &getContext(), MutableArrayRef(entries).drop_front(),
            [&](SerializedModule &entry) {
              return success(serialize(entry, options));
            })))
      return signalPassFailure();

    // The objects and the gpu.binary ops, in the modules' order.
    for (SerializedModule &entry : entries) {
      gpu::GPUModuleOp module = entry.module;
      SmallVector<Attribute> objects;
      for (auto [attribute, object] :
           llvm::zip_equal(module.getTargetsAttr(), entry.objects)) {
        auto target = cast<gpu::TargetAttrInterface>(attribute);
        Attribute created = target.createObject(module, object, options);
        if (!created) {
          module.emitError("An error happened while creating the object.");
          return signalPassFailure();
        }
        objects.push_back(created);
      }
      auto handler =
          dyn_cast_or_null<gpu::OffloadingLLVMTranslationAttrInterface>(
              module.getOffloadingHandlerAttr());
      OpBuilder builder(module);
      gpu::BinaryOp::create(builder, module.getLoc(), module.getName(), handler,
                            builder.getArrayAttr(objects));
      module->erase();
    }
  }
};

} // namespace
