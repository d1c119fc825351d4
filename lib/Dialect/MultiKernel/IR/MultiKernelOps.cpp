//===- MultiKernelOps.cpp - multikernel dialect ops -------------*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOps.h"
#include "multikernel/Runtime/MultiKernelRuntime.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace mlir::multikernel;

//===----------------------------------------------------------------------===//
// Custom directive: hints
//===----------------------------------------------------------------------===//

/// Parses `[[1024, 512], [4096, 2048]]` into an array of `array<i64>`.
static ParseResult parseHints(OpAsmParser &parser, ArrayAttr &hints) {
  SmallVector<Attribute> hintAttrs;
  auto parseOneHint = [&]() -> ParseResult {
    SmallVector<int64_t> sizes;
    if (parser.parseCommaSeparatedList(
            OpAsmParser::Delimiter::Square, [&]() -> ParseResult {
              return parser.parseInteger(sizes.emplace_back());
            }))
      return failure();
    hintAttrs.push_back(parser.getBuilder().getDenseI64ArrayAttr(sizes));
    return success();
  };
  if (parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Square,
                                     parseOneHint))
    return failure();
  hints = parser.getBuilder().getArrayAttr(hintAttrs);
  return success();
}

static void printHints(OpAsmPrinter &printer, Operation *, ArrayAttr hints) {
  printer << '[';
  llvm::interleaveComma(hints, printer, [&](Attribute hintAttr) {
    printer << '[';
    llvm::interleaveComma(cast<DenseI64ArrayAttr>(hintAttr).asArrayRef(),
                          printer);
    printer << ']';
  });
  printer << ']';
}

#define GET_OP_CLASSES
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOps.cpp.inc"

//===----------------------------------------------------------------------===//
// DispatchOp
//===----------------------------------------------------------------------===//

void DispatchOp::build(OpBuilder &builder, OperationState &state,
                       TypeRange resultTypes, StringRef symName,
                       ValueRange keys, ArrayRef<SmallVector<int64_t>> hints,
                       ValueRange args) {
  SmallVector<Attribute> hintAttrs = llvm::map_to_vector(
      hints, [&](const SmallVector<int64_t> &hint) -> Attribute {
        return builder.getDenseI64ArrayAttr(hint);
      });
  build(builder, state, resultTypes, builder.getStringAttr(symName),
        builder.getArrayAttr(hintAttrs), /*tilings=*/nullptr,
        /*written=*/nullptr, keys, args,
        /*variantsCount=*/hints.size());

  SmallVector<Location> argLocs =
      llvm::map_to_vector(args, [](Value v) { return v.getLoc(); });
  OpBuilder::InsertionGuard guard(builder);
  for (std::unique_ptr<Region> &region : state.regions)
    builder.createBlock(region.get(), region->end(), args.getTypes(), argLocs);
}

ArrayRef<int64_t> DispatchOp::getHint(unsigned index) {
  return cast<DenseI64ArrayAttr>(getHints()[index]).asArrayRef();
}

LogicalResult DispatchOp::verify() {
  if (getSymName().empty())
    return emitOpError("requires a non-empty site name");

  unsigned numVariants = getNumVariants();
  if (numVariants == 0)
    return emitOpError("requires at least one variant region");
  if (numVariants != getHints().size())
    return emitOpError("requires one hint per variant region, but has ")
           << numVariants << " regions and " << getHints().size() << " hints";
  // The runtime's limits (MultiKernelRuntime.h): a site beyond them would
  // abort the program on its first call.
  if (numVariants > MKRT_MAX_VARIANTS)
    return emitOpError("has ")
           << numVariants << " variants; the runtime takes at most "
           << MKRT_MAX_VARIANTS << " per site";
  if (getKeys().size() > MKRT_MAX_KEY_RANK)
    return emitOpError("has a key of ")
           << getKeys().size() << " sizes; the runtime takes at most "
           << MKRT_MAX_KEY_RANK;

  if (std::optional<ArrayAttr> tilings = getTilings();
      tilings && tilings->size() != numVariants)
    return emitOpError("requires one tiling per variant region, but has ")
           << numVariants << " regions and " << tilings->size() << " tilings";

  if (std::optional<ArrayRef<int64_t>> written = getWritten()) {
    int64_t numArgs = getArgs().size();
    for (int64_t index : *written)
      if (index < 0 || index >= numArgs)
        return emitOpError("written argument index ")
               << index << " is out of range for " << numArgs << " args";
  }

  size_t numKeys = getKeys().size();
  for (unsigned i = 0; i < numVariants; ++i) {
    ArrayRef<int64_t> hint = getHint(i);
    if (hint.size() != numKeys)
      return emitOpError("hint #")
             << i << " has " << hint.size() << " sizes, but the key has "
             << numKeys << " operands";
    for (auto [dim, size] : llvm::enumerate(hint))
      if (size <= 0)
        return emitOpError("hint #") << i << " has a non-positive size " << size
                                     << " at position " << dim;
  }

  return success();
}

/// Calls `callback` on the dispatch sites of `symbolTable` in walk order,
/// without entering nested symbol tables (their sites form namespaces of
/// their own), until it returns `WalkResult::interrupt()`.
static void walkSites(Operation *symbolTable,
                      function_ref<WalkResult(DispatchOp)> callback) {
  symbolTable->walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (op != symbolTable && op->hasTrait<OpTrait::SymbolTable>())
      return WalkResult::skip();
    if (auto site = dyn_cast<DispatchOp>(op))
      return callback(site);
    return WalkResult::advance();
  });
}

// Site names key the run-time cache, the statistics and saved dispatch
// tables, so two sites of one symbol table must never share a name. The check
// looks at sibling functions, so it cannot live in verify(): the pass manager
// verifies a function after a nested pass while other threads transform its
// siblings. The symbol table's verifier calls this for every site instead,
// from one thread; the first site checks them all (once per table, linear),
// and reports every later duplicate.
LogicalResult DispatchOp::verifySymbolUses(SymbolTableCollection &) {
  Operation *symbolTable =
      SymbolTable::getNearestSymbolTable((*this)->getParentOp());
  if (!symbolTable)
    return success();
  DispatchOp firstSite;
  walkSites(symbolTable, [&](DispatchOp site) {
    firstSite = site;
    return WalkResult::interrupt();
  });
  if (firstSite != *this)
    return success();

  llvm::StringMap<DispatchOp> firstByName;
  bool unique = true;
  walkSites(symbolTable, [&](DispatchOp site) {
    auto [it, inserted] = firstByName.try_emplace(site.getSymName(), site);
    if (!inserted) {
      InFlightDiagnostic diag =
          site.emitOpError("site name @")
          << site.getSymName()
          << " is not unique in the enclosing symbol table";
      diag.attachNote(it->second.getLoc()) << "first site with this name";
      unique = false;
    }
    return WalkResult::advance();
  });
  return success(unique);
}

LogicalResult DispatchOp::verifyRegions() {
  TypeRange argTypes = getArgs().getTypes();
  TypeRange resultTypes = getResultTypes();
  for (auto [index, region] : llvm::enumerate(getVariants())) {
    Block &entry = region.front();
    if (entry.getNumArguments() != argTypes.size())
      return emitOpError("variant #")
             << index << " has " << entry.getNumArguments()
             << " block arguments, but the op has " << argTypes.size()
             << " args";
    for (auto [argIndex, blockArg, argType] :
         llvm::enumerate(entry.getArguments(), argTypes))
      if (blockArg.getType() != argType)
        return emitOpError("variant #")
               << index << " block argument #" << argIndex << " has type "
               << blockArg.getType() << ", but arg #" << argIndex
               << " has type " << argType;

    auto yield = dyn_cast<YieldOp>(entry.getTerminator());
    if (!yield)
      return emitOpError("variant #")
             << index << " must end with 'multikernel.yield'";
    if (yield.getValues().size() != resultTypes.size())
      return yield.emitOpError("yields ")
             << yield.getValues().size() << " values, but the dispatch has "
             << resultTypes.size() << " results";
    for (auto [resultIndex, yielded, resultType] :
         llvm::enumerate(yield.getValues().getTypes(), resultTypes))
      if (yielded != resultType)
        return yield.emitOpError("value #")
               << resultIndex << " has type " << yielded
               << ", but dispatch result #" << resultIndex << " has type "
               << resultType;
  }
  return success();
}
