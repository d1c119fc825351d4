//===- Passes.td - multikernel conversion passes -----------*- tablegen -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_CONVERSION_PASSES_TD
#define MULTIKERNEL_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertMultiKernelToLLVM
    : Pass<"convert-multikernel-to-llvm", "ModuleOp"> {
  let summary = "Lower multikernel.dispatch to a site descriptor and a call "
                "into the multikernel runtime";
  let description = [{
    Each `multikernel.dispatch` (memref form, variants outlined by
    `--multikernel-outline-variants`) becomes:

    - a constant `MkrtSiteDescriptor` (include/multikernel/Runtime/
      MultiKernelRuntime.h, ABI version 2): the site name, the module
      identity (a hash of the module's text, without the compile times
      that GPU serialization records, so that rebuilding the same source
      keeps it), the key rank, the hints, a table of variant entry points,
      the written arguments (from the op's `written`, or every memref
      argument), a zero-initialized state slot and each variant's name
      (`hint 4096x512`, or `cublaslt algorithm 0` for a library
      variant), which the runtime's statistics and logs show;
    - per variant, an entry point `void __mkrt_entry_<variant>(void **args)`
      with the runtime's calling convention: `args[i]` points to argument
      i (a memref's strided descriptor, or a scalar), which it unpacks to
      call the outlined variant;
    - at the op, the key and argument arrays on the stack and a call of
      `mkrtDispatchOrAbort(&site, key, args)`.

    Sites whose `tilings` target the GPU are marked as CUDA sites (timed
    with CUDA events; written arguments restored on the device).

    Runs after the upstream conversions of func, memref and arith to the
    LLVM dialect (the variants must be `llvm.func`s with the default
    memref calling convention), before `--reconcile-unrealized-casts`. The
    tensor form must be bufferized first.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def MultiKernelCheckLowered
    : Pass<"multikernel-check-lowered", "ModuleOp"> {
  let summary = "Fail on any op the lowering to LLVM left behind";
  let description = [{
    The last pass of both pipelines: a pipeline never succeeds with
    half-lowered output. Any op left that the translation to LLVM IR does
    not take (the LLVM and OpenMP dialects, `gpu.binary` holding the
    compiled kernels and `gpu.launch_func`) is an error naming it, where
    otherwise the module would fail later, in `mlir-translate` or a runner
    ("Dialect `vector' not found").
  }];
}

def MultiKernelEmbedDispatchTable
    : Pass<"multikernel-embed-dispatch-table", "ModuleOp"> {
  let summary = "Embed a saved dispatch table into the compiled module";
  let description = [{
    Reads a dispatch table (the text format of mkrtSaveTable) and emits it
    as a constant string with a global constructor that hands it to
    `mkrtLoadTableFromString` when the library is loaded. A deployed model
    then starts with its decisions made: the first call with a covered shape
    runs the chosen variant directly, with no benchmarking. Entries for
    another device or another build of the module are ignored by the runtime
    with a warning; shapes not covered fall back to the runtime policy.

    Runs on the LLVM dialect, after `--convert-multikernel-to-llvm` (whose
    module identity the table's entries must carry).
  }];
  let options = [
    Option<"file", "file", "std::string", /*default=*/"\"\"",
           "The dispatch table to embed">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // MULTIKERNEL_CONVERSION_PASSES_TD
