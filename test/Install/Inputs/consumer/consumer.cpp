// Builds a multikernel.dispatch with the C++ API of an installed multikernel
// and prints it.
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOps.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

int main() {
  MLIRContext context;
  context.loadDialect<func::FuncDialect, multikernel::MultiKernelDialect>();
  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  auto module = ModuleOp::create(builder, loc);
  builder.setInsertionPointToEnd(module.getBody());

  auto funcType = builder.getFunctionType({builder.getIndexType()}, {});
  auto func = func::FuncOp::create(builder, loc, "f", funcType);
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);
  auto dispatch = multikernel::DispatchOp::create(
      builder, loc, TypeRange(), "site0", ValueRange(entry->getArgument(0)),
      {{1024}, {4096}}, ValueRange());
  for (Region &region : dispatch.getVariants()) {
    builder.setInsertionPointToEnd(&region.front());
    multikernel::YieldOp::create(builder, loc);
  }
  builder.setInsertionPointToEnd(entry);
  func::ReturnOp::create(builder, loc);

  if (failed(verify(module)))
    return 1;
  module->print(llvm::outs());
  module->erase();
  return 0;
}
