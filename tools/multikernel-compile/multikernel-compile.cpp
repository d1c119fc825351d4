//===- multikernel-compile.cpp - linalg module to a shared library --------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// multikernel-compile input.mlir -o libkernels.so --hints=1024x512,4096x2048
//
// Runs the multikernel pipeline in-process, translates the result to LLVM IR,
// optimizes it, emits an object file for the host and links a shared library
// against libmultikernel_runtime. Every public function is exported with its
// `_mlir_ciface_` C interface.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include "multikernel/Conversion/Passes.h"
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelDialect.h"
#include "multikernel/Dialect/MultiKernel/IR/MultiKernelOps.h"
#include "multikernel/Pipelines/Pipelines.h"
#include "multikernel/Transforms/Passes.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory category("multikernel-compile options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.mlir>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                cl::value_desc("file"), cl::Required,
                                cl::cat(category));
cl::opt<std::string>
    target("target",
           cl::desc("Where the kernels run: cpu, or cuda (needs ptxas of the "
                    "CUDA toolkit)"),
           cl::init("cpu"), cl::cat(category));
cl::opt<std::string> hints(
    "hints",
    cl::desc("Size-hint candidates per op loop, e.g. 1024x512,4096x2048: "
             "each op takes those of its rank, one-size ones serve every op; "
             "ops may carry their own in a multikernel.hints attribute"),
    cl::cat(category));
cl::opt<std::string> dimHints(
    "dim-hints",
    cl::desc("Size-hint candidates in each function's terms: one size per "
             "dynamic dimension of its arguments, in order of appearance, "
             "equal ones once (e.g. 64x128,4096x2048 for batch and "
             "sequence); with neither option every dynamic loop gets 64, "
             "256 and 4096"),
    cl::cat(category));
cl::opt<bool> quiet("quiet",
                    cl::desc("Do not print how many dispatch sites and "
                             "variants were made"),
                    cl::init(false), cl::cat(category));
cl::opt<std::string> chip("chip", cl::desc("GPU architecture (cuda target)"),
                          cl::init("sm_90"), cl::cat(category));
cl::opt<int64_t> cublasLtAlgorithms(
    "cublaslt-algorithms",
    cl::desc("cuda target: cuBLASLt variants per matmul site besides the "
             "generated ones, the best algorithms of its heuristic for each "
             "shape (0-8; default 3; 0: generated variants only). cuBLASLt "
             "is loaded at run time; where it is missing the generated "
             "variants serve"),
    cl::init(3), cl::cat(category));
cl::opt<std::string>
    emit("emit",
         cl::desc("What to write: mlir (LLVM dialect), llvm (LLVM IR), obj, "
                  "shared (default)"),
         cl::init("shared"), cl::cat(category));
cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level (0-3)"),
                           cl::init(3), cl::Prefix, cl::cat(category));
cl::opt<std::string> cpu("mcpu",
                         cl::desc("CPU to generate code for (default: this "
                                  "machine's)"),
                         cl::cat(category));
cl::opt<std::string> vectorMath(
    "vector-math",
    cl::desc("Vector math library for CPU loops that call exp, sin and the "
             "like: libmvec (glibc's, used where the target is Linux on "
             "x86-64 or AArch64; default) or none (scalar libm calls, which "
             "keep those loops scalar)"),
    cl::init("libmvec"), cl::cat(category));
cl::opt<std::string> cpuParallel(
    "cpu-parallel",
    cl::desc("How the outer tiles of CPU variants run: auto (the default: "
             "matmul variants whose hint has enough work on OpenMP threads, "
             "where two threads ran up to 2.3x faster; the other variants "
             "choose per call, threads where the call has enough work), "
             "openmp (every variant whose hint has enough work) or none "
             "(one thread). With threads the library needs LLVM's libomp, "
             "e.g. apt-get install libomp-22-dev, wherever it runs; auto "
             "without libomp here runs everything on one thread, with a "
             "warning"),
    cl::init("auto"), cl::cat(category));
cl::opt<std::string> runtimeDir(
    "runtime-dir",
    cl::desc("Directory of libmultikernel_runtime.so (default: ../lib "
             "beside this tool)"),
    cl::cat(category));
cl::opt<std::string> dispatchTable(
    "dispatch-table",
    cl::desc("Embed this saved dispatch table (mkrtSaveTable / "
             "MULTIKERNEL_CACHE_FILE) in the library: covered shapes are not "
             "benchmarked at run time"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<std::string>
    linker("linker",
           cl::desc("Compiler driver used to link the shared library "
                    "(default: $MULTIKERNEL_LINKER, clang-22, clang, cc)"),
           cl::cat(category));

int fail(const llvm::Twine &message) {
  llvm::errs() << "multikernel-compile: error: " << message << "\n";
  return 1;
}

std::string defaultRuntimeDir(const char *argv0) {
  std::string executable =
      llvm::sys::fs::getMainExecutable(argv0, (void *)&defaultRuntimeDir);
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(executable));
  llvm::sys::path::append(dir, "..", "lib");
  llvm::sys::path::remove_dots(dir, /*remove_dot_dot=*/true);
  return std::string(dir);
}

/// The compiler driver that links the library, or an empty string.
std::string findLinker() {
  if (!linker.empty())
    return linker;
  if (const char *fromEnv = std::getenv("MULTIKERNEL_LINKER"))
    return fromEnv;
  for (const char *candidate :
       {"/usr/lib/llvm-22/bin/clang", "clang-22", "clang", "cc", "gcc"}) {
    if (llvm::sys::fs::can_execute(candidate))
      return candidate;
    if (auto found = llvm::sys::findProgramByName(candidate))
      return *found;
  }
  return "";
}

/// The CUDA toolkit that compiles the kernels: MLIR looks for ptxas on PATH
/// and for libdevice under $CUDA_HOME (or CUDA_ROOT/CUDA_PATH). Derives
/// CUDA_HOME from ptxas when none is set; empty string when there is no
/// ptxas.
std::string findCudaToolkit() {
  for (const char *variable : {"CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(variable)) {
      llvm::SmallString<256> ptxas(value);
      llvm::sys::path::append(ptxas, "bin", "ptxas");
      if (llvm::sys::fs::can_execute(ptxas))
        return value;
    }
  std::string ptxas;
  if (auto found = llvm::sys::findProgramByName("ptxas"))
    ptxas = *found;
  else if (llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas"))
    ptxas = "/usr/local/cuda/bin/ptxas";
  if (ptxas.empty())
    return "";
  std::string root(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(ptxas)));
  ::setenv("CUDA_HOME", root.c_str(), /*overwrite=*/1);
  // ptxas must also be found by name.
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", (root + "/bin:" + path).c_str(), 1);
  return root;
}

std::unique_ptr<llvm::TargetMachine> createHostTargetMachine() {
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget) {
    fail("no LLVM target for " + triple.str() + ": " + error);
    return nullptr;
  }
  std::string cpuName =
      cpu.empty() ? std::string(llvm::sys::getHostCPUName()) : cpu.getValue();
  llvm::SubtargetFeatures features;
  if (cpu.empty())
    for (const auto &[feature, enabled] : llvm::sys::getHostCPUFeatures())
      features.AddFeature(feature, enabled);
  return std::unique_ptr<llvm::TargetMachine>(llvmTarget->createTargetMachine(
      triple, cpuName, features.getString(), llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt,
      optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive
                    : llvm::CodeGenOptLevel::Default));
}

/// Whether LLVM may vectorize math calls into glibc's libmvec for `triple`.
bool useLibmvec(const llvm::TargetMachine &machine) {
  const llvm::Triple &triple = machine.getTargetTriple();
  if (target != "cpu" || vectorMath != "libmvec" || !triple.isOSLinux() ||
      !triple.isGNUEnvironment())
    return false;
  if (triple.getArch() == llvm::Triple::aarch64)
    return true;
  // LLVM's libmvec table for x86-64 offers the AVX2 variants (8 floats in a
  // ymm register) whatever the CPU: on one without AVX2 the vectorizer
  // calls them with the operand split over two xmm registers, and the
  // results are garbage (bf16 exp at --mcpu=x86-64-v2). Such CPUs keep
  // libm's scalar calls.
  return triple.getArch() == llvm::Triple::x86_64 &&
         machine.getMCSubtargetInfo()->checkFeatures("+avx2");
}

/// Runs LLVM's -O<optLevel> pipeline on `module`. Unlike MLIR's
/// makeOptimizingTransformer it can name a vector math library: without
/// one, a loop that calls expf or sinf stays scalar.
void optimize(llvm::Module &module, llvm::TargetMachine &machine,
              bool withLibmvec) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(&machine);
  llvm::TargetLibraryInfoImpl libraryInfo(module.getTargetTriple());
  if (withLibmvec)
    libraryInfo.addVectorizableFunctionsFromVecLib(llvm::VectorLibrary::LIBMVEC,
                                                   module.getTargetTriple());
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(libraryInfo); });
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager passes =
      level == llvm::OptimizationLevel::O0
          ? builder.buildO0DefaultPipeline(level)
          : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, mam);
}

/// The dispatch sites and variants of the module once specialized.
struct DispatchCount {
  int64_t sites = 0;
  int64_t variants = 0;
};

/// Counts the dispatch sites after multikernel-specialize (later passes
/// outline and lower them), so that a compile says what it made.
class DispatchCounter : public PassInstrumentation {
public:
  explicit DispatchCounter(DispatchCount &count) : count(count) {}

  void runAfterPass(Pass *pass, Operation *op) override {
    if (pass->getArgument() != "multikernel-specialize")
      return;
    count = DispatchCount();
    op->walk([&](multikernel::DispatchOp dispatch) {
      ++count.sites;
      count.variants += dispatch.getVariants().size();
    });
  }

private:
  DispatchCount &count;
};

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAllPasses();
  multikernel::registerMultiKernelPasses();
  multikernel::registerMultiKernelConversionPasses();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "multikernel-compile: compile a module of linalg kernels with dynamic "
      "shapes into a shared library that dispatches, per call, to the "
      "variant best for the actual sizes\n");

  if (target != "cpu" && target != "cuda")
    return fail("unknown --target '" + target + "' (expected cpu or cuda)");
  if (!llvm::is_contained({"auto", "openmp", "none"}, cpuParallel.getValue()))
    return fail("unknown --cpu-parallel '" + cpuParallel +
                "' (expected auto, openmp or none)");
  if (cpuParallel == "openmp" && target != "cpu")
    return fail("--cpu-parallel=openmp applies to --target=cpu only");
  // LLVM's OpenMP runtime, from the LLVM this tool was built with.
  std::string openmpDir = MULTIKERNEL_LLVM_LIBRARY_DIR;
  llvm::SmallString<256> libomp(openmpDir);
  llvm::sys::path::append(libomp, "libomp.so");
  bool haveOpenMP = emit != "shared" || llvm::sys::fs::exists(libomp);
  if (cpuParallel == "openmp" && !haveOpenMP)
    return fail("--cpu-parallel=openmp needs LLVM's OpenMP runtime, and "
                "libomp.so is not in '" +
                openmpDir + "': install it (apt-get install libomp-22-dev)");
  multikernel::CpuParallelism parallelism =
      cpuParallel == "openmp" ? multikernel::CpuParallelism::OpenMP
      : cpuParallel == "auto" ? multikernel::CpuParallelism::Auto
                              : multikernel::CpuParallelism::None;
  if (parallelism == multikernel::CpuParallelism::Auto && !haveOpenMP) {
    if (target == "cpu" && !quiet)
      llvm::errs() << "multikernel-compile: warning: libomp.so is not in '"
                   << openmpDir
                   << "': every CPU variant runs on one thread (install "
                      "libomp-22-dev for threaded matmul variants)\n";
    parallelism = multikernel::CpuParallelism::None;
  }
  if (vectorMath != "libmvec" && vectorMath != "none")
    return fail("unknown --vector-math '" + vectorMath +
                "' (expected libmvec or none)");
  if (!llvm::is_contained({"mlir", "llvm", "obj", "shared"}, emit.getValue()))
    return fail("unknown --emit '" + emit +
                "' (expected mlir, llvm, obj or shared)");
  if (optLevel > 3)
    return fail("-O must be between 0 and 3");

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<multikernel::MultiKernelDialect>();
  MLIRContext context(registry);
  // Diagnostics point into the input file; the op as the pipeline holds it
  // at that point (often a page of generic IR) would bury them.
  context.printOpOnDiagnostic(false);

  std::string errorMessage;
  auto input = openInputFile(inputFile, &errorMessage);
  if (!input)
    return fail("cannot read '" + inputFile + "': " + errorMessage);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1; // the parser reported why

  SmallVector<std::string> hintList, dimHintList;
  for (auto [option, list] :
       {std::pair(&hints, &hintList), std::pair(&dimHints, &dimHintList)}) {
    if (option->empty())
      continue;
    SmallVector<StringRef> parts;
    StringRef(*option).split(parts, ',', -1, /*KeepEmpty=*/true);
    for (StringRef part : parts) {
      // An empty hint ('1024x512,' or '1,,2') is a typo, as the pass says.
      if (part.trim().empty())
        return fail("--" + option->ArgStr + "='" + *option +
                    "' has an empty size hint: separate hints by single "
                    "commas, e.g. 1024x512,4096x2048");
      list->push_back(part.trim().str());
    }
  }
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::unique_ptr<llvm::TargetMachine> machine = createHostTargetMachine();
  if (!machine)
    return 1;

  PassManager pm(&context);
  std::string pipelineErrors;
  llvm::raw_string_ostream pipelineStream(pipelineErrors);
  LogicalResult built = success();
  if (target == "cuda") {
    if (findCudaToolkit().empty())
      return fail("--target=cuda needs ptxas from the CUDA toolkit to compile "
                  "the kernels, and it is not on PATH or in /usr/local/cuda: "
                  "install the CUDA toolkit or set CUDA_HOME");
    multikernel::GpuPipelineOptions options;
    options.hints = hintList;
    options.dimHints = dimHintList;
    options.chip = chip;
    options.cublasLtAlgorithms = cublasLtAlgorithms;
    built = multikernel::buildGpuPipeline(pm, options, pipelineStream);
  } else {
    multikernel::CpuPipelineOptions options;
    options.hints = hintList;
    options.dimHints = dimHintList;
    options.parallel = parallelism;
    // The CPU's vector registers size the variants' vectors and register
    // tiles (AVX-512: twice as wide, twice as many).
    options.vectorBits =
        machine->getTargetTriple().getArch() == llvm::Triple::x86_64 &&
                machine->getMCSubtargetInfo()->checkFeatures("+avx512f")
            ? 512
            : 256;
    built = multikernel::buildCpuPipeline(pm, options, pipelineStream);
  }
  if (failed(built))
    return fail(pipelineErrors); // an option the pipeline cannot take
  if (!dispatchTable.empty()) {
    multikernel::MultiKernelEmbedDispatchTableOptions embed;
    embed.file = dispatchTable;
    pm.addPass(multikernel::createMultiKernelEmbedDispatchTable(embed));
  }
  DispatchCount dispatches;
  pm.addInstrumentation(std::make_unique<DispatchCounter>(dispatches));
  if (failed(pm.run(*module)))
    return fail("compilation of '" + inputFile + "' failed (see above)");
  if (!quiet)
    llvm::errs() << "multikernel-compile: " << dispatches.sites
                 << " dispatch site" << (dispatches.sites == 1 ? "" : "s")
                 << ", " << dispatches.variants << " variant"
                 << (dispatches.variants == 1 ? "" : "s") << "\n";

  auto output = openOutputFile(outputFile, &errorMessage);
  if (!output)
    return fail("cannot write '" + outputFile + "': " + errorMessage);
  if (emit == "mlir") {
    module->print(output->os());
    output->keep();
    return 0;
  }

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, inputFile);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(machine->getTargetTriple());
  bool withLibmvec = useLibmvec(*machine);
  optimize(*llvmModule, *machine, withLibmvec);
  if (emit == "llvm") {
    llvmModule->print(output->os(), nullptr);
    output->keep();
    return 0;
  }

  // The object: the output itself, or a temporary to link.
  std::string objectPath = outputFile;
  llvm::SmallString<128> temporary;
  if (emit == "shared") {
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("multikernel", "o", temporary))
      return fail("cannot create a temporary object file: " + ec.message());
    objectPath = std::string(temporary);
  }
  {
    std::error_code ec;
    llvm::raw_fd_ostream objectStream(objectPath, ec);
    if (ec)
      return fail("cannot write '" + objectPath + "': " + ec.message());
    llvm::legacy::PassManager codegen;
    if (machine->addPassesToEmitFile(codegen, objectStream, nullptr,
                                     llvm::CodeGenFileType::ObjectFile))
      return fail("the target cannot emit object files");
    codegen.run(*llvmModule);
  }
  if (emit == "obj") {
    output->keep();
    return 0;
  }

  std::string driver = findLinker();
  if (driver.empty())
    return fail("no compiler driver to link with (looked for "
                "/usr/lib/llvm-22/bin/clang, clang-22, clang, cc, gcc): "
                "install one (apt-get install clang-22) or pass --linker");
  std::string libDir =
      runtimeDir.empty() ? defaultRuntimeDir(argv[0]) : runtimeDir.getValue();
  llvm::SmallString<256> runtimeLibrary(libDir);
  llvm::sys::path::append(runtimeLibrary, "libmultikernel_runtime.so");
  if (!llvm::sys::fs::exists(runtimeLibrary))
    return fail("libmultikernel_runtime.so not found in '" + libDir +
                "': pass --runtime-dir");
  // The runtime where it was at link time, or beside the library (how a
  // model is deployed: the library and libmultikernel_runtime together).
  std::string rpath = "-Wl,-rpath," + libDir + ":$ORIGIN";
  std::string openmpFlags[] = {"-L" + openmpDir, "-Wl,-rpath," + openmpDir};
  std::string libFlag = "-L" + libDir;
  SmallVector<StringRef> args = {driver,
                                 "-shared",
                                 "-o",
                                 outputFile,
                                 objectPath,
                                 libFlag,
                                 "-lmultikernel_runtime",
                                 rpath};
  // libomp where a variant forks threads (with auto, only if it has a
  // matmul variant with enough work).
  if (llvmModule->getFunction("__kmpc_fork_call"))
    args.append({openmpFlags[0], openmpFlags[1], "-lomp"});
  if (withLibmvec)
    args.push_back("-lmvec");
  args.push_back("-lm");
  std::string linkError;
  int status = llvm::sys::ExecuteAndWait(driver, args, std::nullopt, {}, 0, 0,
                                         &linkError);
  llvm::sys::fs::remove(objectPath);
  if (status != 0)
    return fail("linking with '" + driver + "' failed" +
                (linkError.empty() ? "" : ": " + linkError));
  output->keep();
  return 0;
}
