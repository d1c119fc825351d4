//===- GpuCodegen.cpp - GPU kernels for the specialized variants ----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// --multikernel-gpu-codegen: replaces the body of each outlined GPU variant
// (a function whose #multikernel.tiling targets the GPU) by the kernels of
// its group of linalg ops, built as the tiling says: elementwise groups in
// ElementwiseStrategy.cpp, groups around innermost reductions in
// RowReductionStrategy.cpp, matmul in GpuMatmulCodegen.cpp. The helpers they
// share (alignment checks, split-row launches, scratch buffers) are here.
//
//===----------------------------------------------------------------------===//

#include "GpuCodegen.h"

#include "multikernel/Transforms/Passes.h"
#include "multikernel/Transforms/Utils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::multikernel {
#define GEN_PASS_DEF_MULTIKERNELGPUCODEGEN
#include "multikernel/Transforms/Passes.h.inc"
} // namespace mlir::multikernel

using namespace mlir;
using namespace mlir::multikernel;
using namespace mlir::multikernel::gpu_codegen;

InFlightDiagnostic gpu_codegen::emitCodegenError(func::FuncOp func,
                                                 KernelKind kind,
                                                 const Twine &why) {
  return func.emitError() << "GPU code generation for "
                          << stringifyKernelKind(kind) << " variant '"
                          << func.getSymName() << "' failed: " << why;
}

void gpu_codegen::eraseEntryOpsExcept(
    Block &entry, llvm::function_ref<bool(Operation &)> keep) {
  for (Operation &dead :
       llvm::make_early_inc_range(llvm::reverse(entry.getOperations()))) {
    if (&dead == entry.getTerminator() || keep(dead))
      continue;
    dead.dropAllUses();
    dead.erase();
  }
}

Value gpu_codegen::wholeContiguousArgument(func::FuncOp func, Value value) {
  Value root = getViewRoot(value);
  auto argument = dyn_cast<BlockArgument>(root);
  auto type = dyn_cast<MemRefType>(root.getType());
  if (!argument || argument.getOwner() != &func.front() || !type ||
      !type.getLayout().isIdentity())
    return Value();
  return root;
}

llvm::MaybeAlign gpu_codegen::vectorAlignment(VectorType type) {
  return llvm::MaybeAlign(type.getNumElements() *
                          type.getElementTypeBitWidth() / 8);
}

void gpu_codegen::emitVectorizedIfAligned(OpBuilder &builder, Location loc,
                                          ArrayRef<Value> buffers,
                                          Value multipleOf, int64_t width,
                                          function_ref<void(int64_t)> emit) {
  if (width == 1) {
    emit(1);
    return;
  }
  Value zero = indexConstant(builder, loc, 0);
  auto isMultiple = [&](Value value, int64_t factor) -> Value {
    return arith::CmpIOp::create(
        builder, loc, arith::CmpIPredicate::eq,
        arith::RemUIOp::create(builder, loc, value,
                               indexConstant(builder, loc, factor)),
        zero);
  };
  Value aligned = multipleOf ? isMultiple(multipleOf, width) : Value();
  for (Value buffer : buffers) {
    Value pointer =
        memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, buffer);
    Value bufferAligned = isMultiple(pointer, 16);
    aligned = aligned
                  ? arith::AndIOp::create(builder, loc, aligned, bufferAligned)
                        .getResult()
                  : bufferAligned;
  }
  auto choose = scf::IfOp::create(builder, loc, aligned, true);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&choose.getThenRegion().front());
  emit(width);
  builder.setInsertionPointToStart(&choose.getElseRegion().front());
  emit(1);
}

void gpu_codegen::endLaunch(OpBuilder &builder, Location loc,
                            gpu::LaunchOp launch) {
  builder.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(builder, loc);
}

Scratch gpu_codegen::allocateScratch(OpBuilder &builder, Location loc,
                                     Type elementType, ValueRange sizes) {
  SmallVector<int64_t> shape(sizes.size(), ShapedType::kDynamic);
  // Upstream lowers only asynchronous allocations; the runtime's
  // mgpuStreamCreate hands out the current stream, so the allocation is
  // ordered with the launches around it.
  auto tokenType = builder.getType<gpu::AsyncTokenType>();
  Value start = gpu::WaitOp::create(builder, loc, tokenType, ValueRange())
                    .getAsyncToken();
  auto alloc = gpu::AllocOp::create(
      builder, loc, MemRefType::get(shape, elementType), tokenType,
      ValueRange{start}, sizes, /*symbolOperands=*/ValueRange(),
      /*hostShared=*/false);
  return {alloc.getMemref(), alloc.getAsyncToken()};
}

void gpu_codegen::freeScratch(OpBuilder &builder, Location loc,
                              const Scratch &scratch) {
  auto tokenType = builder.getType<gpu::AsyncTokenType>();
  Value freed =
      gpu::DeallocOp::create(builder, loc, tokenType, ValueRange{scratch.ready},
                             scratch.buffer)
          .getAsyncToken();
  gpu::WaitOp::create(builder, loc, Type(), ValueRange{freed});
}

ChunkLaunch gpu_codegen::beginChunkLaunch(OpBuilder &builder, Location loc,
                                          Value rows, Value n, Value split,
                                          int64_t threads, int64_t width) {
  auto c = [&](int64_t value) { return indexConstant(builder, loc, value); };
  Value grid = arith::MulIOp::create(builder, loc, rows, split);
  auto launch = gpu::LaunchOp::create(builder, loc, grid, c(1), c(1),
                                      c(threads), c(1), c(1));
  builder.setInsertionPointToStart(&launch.getBody().front());
  Value block = launch.getBlockIds().x;
  Value row = arith::DivUIOp::create(builder, loc, block, split);
  Value part = arith::RemUIOp::create(builder, loc, block, split);
  Value vectors = arith::CeilDivUIOp::create(builder, loc, n, c(width));
  Value vectorsPerChunk =
      arith::CeilDivUIOp::create(builder, loc, vectors, split);
  Value chunk = arith::MulIOp::create(builder, loc, vectorsPerChunk, c(width));
  Value begin = arith::MinUIOp::create(
      builder, loc, arith::MulIOp::create(builder, loc, part, chunk), n);
  Value end = arith::MinUIOp::create(
      builder, loc, arith::AddIOp::create(builder, loc, begin, chunk), n);
  return {launch, row, part, begin, end};
}

namespace {

/// Lowers the group of linalg ops of the variant `func`: its linalg ops, the
/// allocations of intermediates only they use, their deallocations and
/// side-effect free host code.
LogicalResult lowerGroup(func::FuncOp func, TilingAttr tiling) {
  Block &entry = func.front();
  SmallVector<linalg::LinalgOp> ops;
  for (Operation &op : entry.without_terminator()) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      ops.push_back(linalgOp);
      continue;
    }
    if (isa<memref::AllocOp, memref::DeallocOp>(op) ||
        (isMemoryEffectFree(&op) && op.getNumRegions() == 0))
      continue;
    return emitCodegenError(func, tiling.getKind(),
                            "the variant holds '" +
                                op.getName().getStringRef() +
                                "', which the GPU lowering does not handle");
  }
  auto isInternal = [&](Value buffer) {
    auto alloc = buffer.getDefiningOp<memref::AllocOp>();
    return alloc && alloc->getBlock() == &entry;
  };
  std::string why;
  FailureOr<KernelGroup> group =
      analyzeKernelGroup(ops, isInternal, why, LoopSizes::kProven);
  if (failed(group))
    return emitCodegenError(func, tiling.getKind(), why);
  if (group->hasReduction != (tiling.getKind() == KernelKind::Reduction))
    return emitCodegenError(func, tiling.getKind(),
                            "the tiling is for another kind of kernel");

  OpBuilder builder(entry.getTerminator());
  Location loc = group->root.getLoc();
  SmallVector<Value> loopSizes;
  for (Range range : group->root.createLoopRanges(builder, loc))
    loopSizes.push_back(
        getValueOrCreateConstantIndexOp(builder, loc, range.size));
  LogicalResult lowered =
      !group->hasReduction
          ? lowerElementwiseGroup(func, *group, tiling, builder, loopSizes)
      : group->reducesOuterLoop()
          ? lowerColumnReductionGroup(func, *group, tiling, builder, loopSizes)
          : lowerRowReductionGroup(func, *group, tiling, builder, loopSizes);
  if (failed(lowered))
    return failure();

  // The group's ops and intermediates are gone; dims of the intermediates
  // become their sizes.
  for (linalg::LinalgOp op : llvm::reverse(ops))
    op->erase();
  for (auto alloc : llvm::to_vector(entry.getOps<memref::AllocOp>())) {
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers())) {
      if (isa<memref::DeallocOp>(user)) {
        user->erase();
        continue;
      }
      auto dim = dyn_cast<memref::DimOp>(user);
      std::optional<int64_t> index =
          dim ? dim.getConstantIndex() : std::nullopt;
      if (!index)
        return emitCodegenError(func, tiling.getKind(),
                                "an intermediate buffer is used by '" +
                                    user->getName().getStringRef() + "'");
      OpBuilder sizeBuilder(dim);
      dim.replaceAllUsesWith(getValueOrCreateConstantIndexOp(
          sizeBuilder, dim.getLoc(), alloc.getMixedSizes()[*index]));
      dim.erase();
    }
    alloc.erase();
  }
  // What computed the old ops' sizes and indices and is now unused.
  for (Operation &op :
       llvm::make_early_inc_range(llvm::reverse(entry.getOperations())))
    if (isOpTriviallyDead(&op))
      op.erase();
  return success();
}

/// Host code of the GPU target: the buffers it allocates (what
/// bufferization leaves between two groups, and the results it returns)
/// become device memory, allocated in stream order on the call's stream
/// (the runtime serves them from its per-stream pool, so a warm call
/// allocates nothing new); those it frees are freed in stream order too,
/// and returned ones belong to the caller. Copies between whole buffers
/// (bufferization's copy of a returned argument) become device copies.
/// Host memory must never reach a kernel: any other use of a host
/// allocation, copies of views, stack allocations and globals are errors
/// naming the op.
LogicalResult placeHostBuffersInDeviceMemory(func::FuncOp host) {
  bool failedAny = false;
  auto tokenType = Builder(host.getContext()).getType<gpu::AsyncTokenType>();
  auto startOnStream = [&](OpBuilder &builder, Location loc) -> Value {
    return gpu::WaitOp::create(builder, loc, tokenType, ValueRange())
        .getAsyncToken();
  };
  auto isWholeBuffer = [](Value value) {
    return cast<MemRefType>(value.getType()).getLayout().isIdentity();
  };
  host.walk([&](Operation *op) {
    if (isa<memref::AllocaOp, memref::GetGlobalOp>(op)) {
      op->emitError() << "'" << op->getName()
                      << "' in GPU host code is host memory, which the "
                         "kernels cannot read"
                      << (isa<memref::GetGlobalOp>(op)
                              ? " (constant tensors are not supported on the "
                                "GPU yet: pass the values as an argument)"
                              : "");
      failedAny = true;
      return;
    }
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      if (!isWholeBuffer(copy.getSource()) ||
          !isWholeBuffer(copy.getTarget())) {
        copy.emitError("copies a view in GPU host code, which would touch "
                       "device memory on the host");
        failedAny = true;
        return;
      }
      OpBuilder builder(copy);
      Location loc = copy.getLoc();
      Value copied =
          gpu::MemcpyOp::create(builder, loc, tokenType,
                                ValueRange{startOnStream(builder, loc)},
                                copy.getTarget(), copy.getSource())
              .getAsyncToken();
      gpu::WaitOp::create(builder, loc, Type(), ValueRange{copied});
      copy.erase();
      return;
    }
    auto alloc = dyn_cast<memref::AllocOp>(op);
    if (!alloc)
      return;
    for (Operation *user : alloc->getUsers()) {
      if (isa<DispatchOp, memref::DimOp, memref::DeallocOp, memref::CopyOp,
              func::ReturnOp>(user))
        continue;
      // Linalg left on the host is reported below, with its reason.
      if (isa<linalg::LinalgOp>(user))
        return;
      alloc.emitError() << "allocates host memory that '" << user->getName()
                        << "' uses; on the GPU only dispatch sites, copies "
                           "and returns may use the buffers a function "
                           "allocates";
      failedAny = true;
      return;
    }
    OpBuilder builder(alloc);
    Location loc = alloc.getLoc();
    auto device = gpu::AllocOp::create(
        builder, loc, alloc.getType(), tokenType,
        ValueRange{startOnStream(builder, loc)}, alloc.getDynamicSizes(),
        alloc.getSymbolOperands(), /*hostShared=*/false);
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers())) {
      auto dealloc = dyn_cast<memref::DeallocOp>(user);
      if (!dealloc)
        continue;
      OpBuilder freeBuilder(dealloc);
      Value freed = gpu::DeallocOp::create(freeBuilder, loc, tokenType,
                                           ValueRange{device.getAsyncToken()},
                                           device.getMemref())
                        .getAsyncToken();
      gpu::WaitOp::create(freeBuilder, loc, Type(), ValueRange{freed});
      dealloc.erase();
    }
    alloc.replaceAllUsesWith(device.getMemref());
    alloc.erase();
  });
  return failure(failedAny);
}

struct GpuCodegenPass
    : public multikernel::impl::MultiKernelGpuCodegenBase<GpuCodegenPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool failedAny = false;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      auto tiling = func->getAttrOfType<TilingAttr>(
          MultiKernelDialect::getTilingAttrName());
      if (!tiling || tiling.getTarget() != TilingTarget::Gpu)
        continue;
      if (tiling.getKind() == KernelKind::Matmul) {
        failedAny |= failed(generateMatmul(func, tiling));
        continue;
      }
      failedAny |= failed(lowerGroup(func, tiling));
    }
    for (auto func : module.getOps<func::FuncOp>())
      if (!func->hasAttr(MultiKernelDialect::getTilingAttrName()) &&
          !func.isExternal())
        failedAny |= failed(placeHostBuffersInDeviceMemory(func));
    // Whatever linalg is left would run on the host, on device memory.
    module.walk([&](linalg::LinalgOp op) {
      auto func = op->getParentOfType<func::FuncOp>();
      if (func && func->hasAttr(MultiKernelDialect::getTilingAttrName()))
        return;
      std::string why;
      if (failed(analyzeKernelGroup(
              {op}, [](Value) { return false; }, why)))
        op->emitError() << "cannot be lowered to the GPU, and on the host "
                           "it would run on device memory: "
                        << why;
      else
        op->emitError("was not specialized for the GPU and would run on the "
                      "host; give it size hints of its rank "
                      "(multikernel.hints)");
      failedAny = true;
    });
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
