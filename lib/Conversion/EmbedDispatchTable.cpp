//===- EmbedDispatchTable.cpp - a saved dispatch table in the library -----===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELEMBEDDISPATCHTABLE
#include "multikernel/Conversion/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;

namespace {

constexpr StringLiteral kTableHeader = "multikernel-dispatch-table ";
/// The runtime's bound on a table (lib/Runtime/DispatchTable.cpp).
constexpr uint64_t kMaxTableBytes = 64 << 20;
constexpr StringLiteral kLoadFunction = "mkrtLoadTableFromString";

struct EmbedDispatchTablePass
    : public multikernel::impl::MultiKernelEmbedDispatchTableBase<
          EmbedDispatchTablePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (file.empty()) {
      module.emitError("multikernel-embed-dispatch-table: no file given "
                       "(file=path)");
      return signalPassFailure();
    }
    // Regular files only, as the runtime reads them: a FIFO would block the
    // compiler, a device would not end.
    llvm::sys::fs::file_status status;
    if (!llvm::sys::fs::status(file, status) &&
        (!llvm::sys::fs::is_regular_file(status) ||
         status.getSize() > kMaxTableBytes)) {
      module.emitError() << "cannot read dispatch table '" << file << "': "
                         << (llvm::sys::fs::is_regular_file(status)
                                 ? "larger than 64 MiB"
                                 : "not a regular file");
      return signalPassFailure();
    }
    auto buffer = llvm::MemoryBuffer::getFile(file);
    if (!buffer) {
      module.emitError() << "cannot read dispatch table '" << file
                         << "': " << buffer.getError().message();
      return signalPassFailure();
    }
    StringRef text = (*buffer)->getBuffer();
    // A first check here; the runtime validates every line again.
    if (!text.starts_with(kTableHeader)) {
      module.emitError() << "'" << file
                         << "' is not a multikernel dispatch table (it must "
                            "start with '"
                         << kTableHeader << "<version>')";
      return signalPassFailure();
    }

    MLIRContext *context = &getContext();
    Location loc = module.getLoc();
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    Type ptrType = LLVM::LLVMPointerType::get(context);
    Type i32 = builder.getI32Type();

    auto addString = [&](StringRef name, StringRef value) {
      std::string data = value.str();
      data.push_back('\0');
      auto type = LLVM::LLVMArrayType::get(builder.getI8Type(), data.size());
      return LLVM::GlobalOp::create(builder, loc, type, /*isConstant=*/true,
                                    LLVM::Linkage::Internal, name,
                                    builder.getStringAttr(data));
    };
    LLVM::GlobalOp tableText = addString("__mkrt_embedded_table", text);
    LLVM::GlobalOp origin = addString(
        "__mkrt_embedded_table_origin",
        ("dispatch table embedded from " + llvm::sys::path::filename(file))
            .str());

    auto loadType = LLVM::LLVMFunctionType::get(i32, {ptrType, ptrType});
    auto load = module.lookupSymbol<LLVM::LLVMFuncOp>(kLoadFunction);
    if (!load)
      load = LLVM::LLVMFuncOp::create(builder, loc, kLoadFunction, loadType);

    // The constructor: load the table when the library is loaded.
    auto ctorType =
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context), {});
    auto ctor =
        LLVM::LLVMFuncOp::create(builder, loc, "__mkrt_load_embedded_table",
                                 ctorType, LLVM::Linkage::Internal);
    {
      OpBuilder::InsertionGuard guard(builder);
      builder.createBlock(&ctor.getBody());
      Value textAddress = LLVM::AddressOfOp::create(builder, loc, tableText);
      Value originAddress = LLVM::AddressOfOp::create(builder, loc, origin);
      LLVM::CallOp::create(builder, loc, load,
                           ValueRange{textAddress, originAddress});
      LLVM::ReturnOp::create(builder, loc, ValueRange());
    }
    // After the runtime's own constructors (none today): priority 65535.
    LLVM::GlobalCtorsOp::create(
        builder, loc,
        builder.getArrayAttr(
            {FlatSymbolRefAttr::get(context, ctor.getSymName())}),
        builder.getI32ArrayAttr({65535}),
        builder.getArrayAttr({LLVM::ZeroAttr::get(context)}));
  }
};

} // namespace
