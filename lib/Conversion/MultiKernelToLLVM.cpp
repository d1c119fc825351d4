//===- MultiKernelToLLVM.cpp - dispatch ops to runtime calls --------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// --convert-multikernel-to-llvm: emits, per dispatch site, the constant
// descriptor and the variant entry points that MultiKernelRuntime.h
// documents, and replaces the op with a call of mkrtDispatchOrAbort.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Conversion/Passes.h"

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOps.h"

#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/Pattern.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/xxhash.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_CONVERTMULTIKERNELTOLLVM
#include "multikernel/Conversion/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;
using namespace mlir::multikernel;

namespace {

// Mirrors MultiKernelRuntime.h; the layout is the ABI.
constexpr int32_t kAbiVersion = 2;
constexpr int32_t kTargetCpu = 0;
constexpr int32_t kTargetCuda = 1;
constexpr int32_t kMemoryHost = 0;
constexpr int32_t kMemoryCudaDevice = 1;
constexpr StringLiteral kDispatchFunction = "mkrtDispatchOrAbort";

/// What variant `v` of `op` is, for the runtime's statistics and logs:
/// "cublaslt algorithm 1" for a library variant, else "hint 4096x512" (or
/// "static" for a site without a key).
std::string variantName(DispatchOp op, unsigned v) {
  if (std::optional<ArrayAttr> tilings = op.getTilings()) {
    auto tiling = dyn_cast<TilingAttr>((*tilings)[v]);
    if (tiling && tiling.getLibrary() != KernelLibrary::None)
      return (stringifyKernelLibrary(tiling.getLibrary()) + " algorithm " +
              Twine(tiling.getAlgorithm()))
          .str();
  }
  ArrayRef<int64_t> hint = op.getHint(v);
  if (hint.empty())
    return "static";
  std::string name = "hint ";
  llvm::raw_string_ostream os(name);
  llvm::interleave(hint, os, "x");
  return name;
}

/// The variant function that region `region` calls (the outlined form).
FailureOr<StringRef> variantCallee(Region &region) {
  Block &block = region.front();
  if (block.getOperations().size() < 2)
    return failure();
  for (Operation &op : block.without_terminator()) {
    if (auto call = dyn_cast<func::CallOp>(op))
      return call.getCallee();
    if (auto call = dyn_cast<LLVM::CallOp>(op))
      if (std::optional<StringRef> callee = call.getCallee())
        return *callee;
  }
  return failure();
}

/// Reports why `op` cannot be lowered, if it cannot.
LogicalResult checkLowerable(DispatchOp op,
                             const LLVMTypeConverter &converter) {
  if (op.getNumResults() != 0)
    return op.emitOpError("has tensor results: bufferize it (one-shot "
                          "bufferization) before --convert-multikernel-to-"
                          "llvm");
  for (Region &region : op.getVariants())
    if (failed(variantCallee(region)))
      return op.emitOpError("variants must be outlined first: run "
                            "--multikernel-outline-variants");
  for (Type type : op.getArgs().getTypes()) {
    auto memref = dyn_cast<MemRefType>(type);
    if ((memref && !converter.convertType(memref)) ||
        (!memref && !type.isIntOrIndexOrFloat()))
      return op.emitOpError("argument type ")
             << type
             << " is not supported by the runtime calling "
                "convention (ranked memrefs and scalars are)";
  }
  return success();
}

class DispatchOpLowering : public ConvertOpToLLVMPattern<DispatchOp> {
public:
  DispatchOpLowering(const LLVMTypeConverter &converter, StringRef moduleId)
      : ConvertOpToLLVMPattern(converter), moduleId(moduleId.str()) {}

  LogicalResult
  matchAndRewrite(DispatchOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // checkLowerable() has vetted the op.
    SmallVector<std::string> callees;
    for (Region &region : op.getVariants())
      callees.push_back(variantCallee(region)->str());

    auto module = op->getParentOfType<ModuleOp>();
    Location loc = op.getLoc();
    SmallVector<std::string> entries;
    for (const std::string &callee : callees)
      entries.push_back(getOrCreateEntry(rewriter, module, op, callee));
    LLVM::GlobalOp site = createSiteDescriptor(rewriter, module, op, entries);

    // The call: key and argument arrays on the stack.
    rewriter.setInsertionPoint(op);
    Type ptrType = LLVM::LLVMPointerType::get(getContext());
    Type i64 = rewriter.getI64Type();
    Value one = createIndexAttrConstant(rewriter, loc, i64, 1);
    int64_t keyRank = op.getKeys().size();
    Value keys = LLVM::ZeroOp::create(rewriter, loc, ptrType);
    if (keyRank > 0) {
      auto keyArray = LLVM::LLVMArrayType::get(i64, keyRank);
      keys = LLVM::AllocaOp::create(rewriter, loc, ptrType, keyArray, one);
      for (auto [index, key] : llvm::enumerate(adaptor.getKeys())) {
        Value slot = LLVM::GEPOp::create(
            rewriter, loc, ptrType, keyArray, keys,
            ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
        LLVM::StoreOp::create(rewriter, loc, key, slot);
      }
    }
    int64_t numArgs = op.getArgs().size();
    Value args = LLVM::ZeroOp::create(rewriter, loc, ptrType);
    if (numArgs > 0) {
      auto argArray = LLVM::LLVMArrayType::get(ptrType, numArgs);
      args = LLVM::AllocaOp::create(rewriter, loc, ptrType, argArray, one);
      for (auto [index, value] : llvm::enumerate(adaptor.getArgs())) {
        Value storage = LLVM::AllocaOp::create(rewriter, loc, ptrType,
                                               value.getType(), one);
        LLVM::StoreOp::create(rewriter, loc, value, storage);
        Value slot = LLVM::GEPOp::create(
            rewriter, loc, ptrType, argArray, args,
            ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
        LLVM::StoreOp::create(rewriter, loc, storage, slot);
      }
    }
    Value siteAddress = LLVM::AddressOfOp::create(rewriter, loc, site);
    LLVM::LLVMFuncOp dispatch = getOrCreateRuntimeFunction(rewriter, module);
    LLVM::CallOp::create(rewriter, loc, dispatch,
                         ValueRange{siteAddress, keys, args});
    rewriter.eraseOp(op);
    return success();
  }

private:
  /// `void __mkrt_entry_<callee>(void **args)`: unpacks the arguments as
  /// MultiKernelRuntime.h documents and calls the variant.
  std::string getOrCreateEntry(ConversionPatternRewriter &rewriter,
                               ModuleOp module, DispatchOp op,
                               StringRef callee) const {
    std::string name = ("__mkrt_entry_" + callee).str();
    if (module.lookupSymbol(name))
      return name;
    MLIRContext *context = getContext();
    Location loc = op.getLoc();
    Type ptrType = LLVM::LLVMPointerType::get(context);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToEnd(module.getBody());
    auto entryType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(context), {ptrType});
    auto entry = LLVM::LLVMFuncOp::create(rewriter, loc, name, entryType,
                                          LLVM::Linkage::Internal);
    Block *body = rewriter.createBlock(&entry.getBody(), {}, {ptrType}, {loc});
    Value argArray = body->getArgument(0);

    SmallVector<Value> operands;
    for (auto [index, type] : llvm::enumerate(op.getArgs().getTypes())) {
      Value slot = LLVM::GEPOp::create(
          rewriter, loc, ptrType, ptrType, argArray,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index)});
      Value pointer = LLVM::LoadOp::create(rewriter, loc, ptrType, slot);
      Type converted = getTypeConverter()->convertType(type);
      Value value = LLVM::LoadOp::create(rewriter, loc, converted, pointer);
      if (auto memref = dyn_cast<MemRefType>(type))
        MemRefDescriptor::unpack(rewriter, loc, value, memref, operands);
      else
        operands.push_back(value);
    }
    auto calleeType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(context),
        llvm::to_vector(ValueRange(operands).getTypes()));
    LLVM::CallOp::create(rewriter, loc, calleeType, callee, operands);
    LLVM::ReturnOp::create(rewriter, loc, ValueRange());
    return name;
  }

  LLVM::GlobalOp createStringGlobal(OpBuilder &builder, ModuleOp module,
                                    Location loc, StringRef name,
                                    StringRef value) const {
    if (auto existing = module.lookupSymbol<LLVM::GlobalOp>(name))
      return existing;
    std::string text = value.str();
    text.push_back('\0');
    auto type = LLVM::LLVMArrayType::get(builder.getI8Type(), text.size());
    return LLVM::GlobalOp::create(builder, loc, type, /*isConstant=*/true,
                                  LLVM::Linkage::Internal, name,
                                  builder.getStringAttr(text));
  }

  /// A global whose initializer region `build` fills; returns it.
  template <typename BuildFn>
  LLVM::GlobalOp createInitializedGlobal(OpBuilder &builder, Location loc,
                                         Type type, bool isConstant,
                                         StringRef name, BuildFn build) const {
    auto global =
        LLVM::GlobalOp::create(builder, loc, type, isConstant,
                               LLVM::Linkage::Internal, name, Attribute());
    OpBuilder::InsertionGuard guard(builder);
    builder.createBlock(&global.getInitializerRegion());
    Value value = build(builder);
    LLVM::ReturnOp::create(builder, loc, value);
    return global;
  }

  LLVM::GlobalOp createSiteDescriptor(ConversionPatternRewriter &rewriter,
                                      ModuleOp module, DispatchOp op,
                                      ArrayRef<std::string> entries) const {
    MLIRContext *context = getContext();
    Location loc = op.getLoc();
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(module.getBody());
    Type i32 = rewriter.getI32Type();
    Type i64 = rewriter.getI64Type();
    Type ptrType = LLVM::LLVMPointerType::get(context);
    std::string prefix = ("__mkrt_" + op.getSymName()).str();

    bool cuda = false;
    if (std::optional<ArrayAttr> tilings = op.getTilings())
      cuda = llvm::any_of(*tilings, [](Attribute attr) {
        return cast<TilingAttr>(attr).getTarget() == TilingTarget::Gpu;
      });

    LLVM::GlobalOp name = createStringGlobal(rewriter, module, loc,
                                             prefix + "_name", op.getSymName());
    LLVM::GlobalOp identity =
        createStringGlobal(rewriter, module, loc, "__mkrt_module_id", moduleId);

    int64_t keyRank = op.getKeys().size();
    int64_t numVariants = op.getNumVariants();
    LLVM::GlobalOp hints;
    if (keyRank > 0) {
      SmallVector<int64_t> flat;
      for (unsigned v = 0; v < numVariants; ++v)
        llvm::append_range(flat, op.getHint(v));
      auto type = LLVM::LLVMArrayType::get(i64, flat.size());
      hints = LLVM::GlobalOp::create(
          rewriter, loc, type, /*isConstant=*/true, LLVM::Linkage::Internal,
          prefix + "_hints",
          DenseElementsAttr::get(
              RankedTensorType::get({static_cast<int64_t>(flat.size())}, i64),
              ArrayRef<int64_t>(flat)));
    }

    auto variantsType = LLVM::LLVMArrayType::get(ptrType, numVariants);
    LLVM::GlobalOp variants = createInitializedGlobal(
        rewriter, loc, variantsType, /*isConstant=*/true, prefix + "_variants",
        [&](OpBuilder &builder) -> Value {
          Value table = LLVM::UndefOp::create(builder, loc, variantsType);
          for (auto [index, entry] : llvm::enumerate(entries)) {
            Value address =
                LLVM::AddressOfOp::create(builder, loc, ptrType, entry);
            table = LLVM::InsertValueOp::create(builder, loc, table, address,
                                                index);
          }
          return table;
        });

    // Written arguments: the op's `written`, or every memref argument.
    SmallVector<int64_t> writtenIndices;
    if (std::optional<ArrayRef<int64_t>> written = op.getWritten())
      writtenIndices.assign(written->begin(), written->end());
    else
      for (auto [index, type] : llvm::enumerate(op.getArgs().getTypes()))
        if (isa<MemRefType>(type))
          writtenIndices.push_back(index);
    llvm::erase_if(writtenIndices, [&](int64_t index) {
      return !isa<MemRefType>(op.getArgs()[index].getType());
    });
    auto writtenType =
        LLVM::LLVMStructType::getLiteral(context, {i32, i32, i32, i32});
    LLVM::GlobalOp written;
    if (!writtenIndices.empty()) {
      auto arrayType =
          LLVM::LLVMArrayType::get(writtenType, writtenIndices.size());
      written = createInitializedGlobal(
          rewriter, loc, arrayType, /*isConstant=*/true, prefix + "_written",
          [&](OpBuilder &builder) -> Value {
            Value array = LLVM::UndefOp::create(builder, loc, arrayType);
            for (auto [slot, argIndex] : llvm::enumerate(writtenIndices)) {
              auto memref = cast<MemRefType>(op.getArgs()[argIndex].getType());
              int64_t bits = memref.getElementType().isIndex()
                                 ? 64
                                 : memref.getElementTypeBitWidth();
              int32_t fields[4] = {static_cast<int32_t>(argIndex),
                                   static_cast<int32_t>(memref.getRank()),
                                   static_cast<int32_t>((bits + 7) / 8),
                                   cuda ? kMemoryCudaDevice : kMemoryHost};
              for (auto [field, value] : llvm::enumerate(fields)) {
                Value constant = LLVM::ConstantOp::create(
                    builder, loc, i32, builder.getI32IntegerAttr(value));
                array = LLVM::InsertValueOp::create(
                    builder, loc, array, constant,
                    ArrayRef<int64_t>{static_cast<int64_t>(slot),
                                      static_cast<int64_t>(field)});
              }
            }
            return array;
          });
    }

    // What each variant is, for statistics and logs.
    SmallVector<LLVM::GlobalOp> nameGlobals;
    for (unsigned v = 0; v < numVariants; ++v)
      nameGlobals.push_back(createStringGlobal(
          rewriter, module, loc, prefix + "_variant" + std::to_string(v),
          variantName(op, v)));
    auto namesType = LLVM::LLVMArrayType::get(ptrType, numVariants);
    LLVM::GlobalOp names = createInitializedGlobal(
        rewriter, loc, namesType, /*isConstant=*/true, prefix + "_names",
        [&](OpBuilder &builder) -> Value {
          Value table = LLVM::UndefOp::create(builder, loc, namesType);
          for (auto [index, global] : llvm::enumerate(nameGlobals))
            table = LLVM::InsertValueOp::create(
                builder, loc, table,
                LLVM::AddressOfOp::create(builder, loc, global), index);
          return table;
        });

    LLVM::GlobalOp state = createInitializedGlobal(
        rewriter, loc, ptrType, /*isConstant=*/false, prefix + "_state",
        [&](OpBuilder &builder) -> Value {
          return LLVM::ZeroOp::create(builder, loc, ptrType);
        });

    // { i32, i32, ptr, ptr, i32, i32, ptr, ptr, i32, i32, ptr, ptr, ptr }
    auto siteType = LLVM::LLVMStructType::getLiteral(
        context, {i32, i32, ptrType, ptrType, i32, i32, ptrType, ptrType, i32,
                  i32, ptrType, ptrType, ptrType});
    return createInitializedGlobal(
        rewriter, loc, siteType, /*isConstant=*/true, prefix + "_site",
        [&](OpBuilder &builder) -> Value {
          auto i32Constant = [&](int64_t value) -> Value {
            return LLVM::ConstantOp::create(builder, loc, i32,
                                            builder.getI32IntegerAttr(value));
          };
          auto addressOrNull = [&](LLVM::GlobalOp global) -> Value {
            if (!global)
              return LLVM::ZeroOp::create(builder, loc, ptrType);
            return LLVM::AddressOfOp::create(builder, loc, global);
          };
          Value fields[] = {i32Constant(kAbiVersion),
                            i32Constant(cuda ? kTargetCuda : kTargetCpu),
                            addressOrNull(name),
                            addressOrNull(identity),
                            i32Constant(keyRank),
                            i32Constant(numVariants),
                            addressOrNull(hints),
                            addressOrNull(variants),
                            i32Constant(op.getArgs().size()),
                            i32Constant(writtenIndices.size()),
                            addressOrNull(written),
                            addressOrNull(state),
                            addressOrNull(names)};
          Value descriptor = LLVM::UndefOp::create(builder, loc, siteType);
          for (auto [index, field] : llvm::enumerate(fields))
            descriptor = LLVM::InsertValueOp::create(builder, loc, descriptor,
                                                     field, index);
          return descriptor;
        });
  }

  LLVM::LLVMFuncOp
  getOrCreateRuntimeFunction(ConversionPatternRewriter &rewriter,
                             ModuleOp module) const {
    if (auto existing =
            module.lookupSymbol<LLVM::LLVMFuncOp>(kDispatchFunction))
      return existing;
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(module.getBody());
    Type ptrType = LLVM::LLVMPointerType::get(getContext());
    auto type = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(getContext()), {ptrType, ptrType, ptrType});
    return LLVM::LLVMFuncOp::create(rewriter, module.getLoc(),
                                    kDispatchFunction, type);
  }

  std::string moduleId;
};

/// The module's identity: a hash of its text as this pass sees it, so that
/// a dispatch table made for one build of a module is not applied to
/// another. GPU serialization records how long it took in the properties of
/// each object (`ISAToBinaryTimeInMs` and the like); those are left out, or
/// compiling the same source twice would give two identities.
std::string computeModuleId(ModuleOp module) {
  OwningOpRef<ModuleOp> copy = module.clone();
  AttrTypeReplacer dropTimings;
  dropTimings.addReplacement(
      [](DictionaryAttr dictionary) -> std::optional<Attribute> {
        auto isTiming = [](NamedAttribute entry) {
          return entry.getName().strref().ends_with("TimeInMs");
        };
        if (llvm::none_of(dictionary, isTiming))
          return std::nullopt;
        SmallVector<NamedAttribute> kept;
        llvm::copy_if(dictionary, std::back_inserter(kept),
                      [&](NamedAttribute entry) { return !isTiming(entry); });
        return DictionaryAttr::get(dictionary.getContext(), kept);
      });
  dropTimings.recursivelyReplaceElementsIn(copy->getOperation());
  std::string text;
  llvm::raw_string_ostream stream(text);
  copy->print(stream, OpPrintingFlags().enableDebugInfo(false));
  return llvm::utohexstr(llvm::xxh3_64bits(text), /*LowerCase=*/true,
                         /*Width=*/16);
}

struct ConvertMultiKernelToLLVMPass
    : public multikernel::impl::ConvertMultiKernelToLLVMBase<
          ConvertMultiKernelToLLVMPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string moduleId = computeModuleId(module);

    MLIRContext *context = &getContext();
    LLVMTypeConverter converter(context);
    bool lowerable = true;
    module.walk([&](DispatchOp op) {
      lowerable &= succeeded(checkLowerable(op, converter));
    });
    if (!lowerable)
      return signalPassFailure();

    RewritePatternSet patterns(context);
    patterns.add<DispatchOpLowering>(converter, moduleId);
    ConversionTarget target(*context);
    target.addIllegalOp<DispatchOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();

    // The variants' multikernel.* attributes have served their purpose;
    // LLVM IR translation does not know them.
    module.walk([](LLVM::LLVMFuncOp func) {
      for (NamedAttribute attribute :
           llvm::to_vector(func->getDiscardableAttrs()))
        if (attribute.getName().getValue().starts_with("multikernel."))
          func->removeAttr(attribute.getName());
    });
  }
};

} // namespace
