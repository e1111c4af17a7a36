//===- tools/nnc/nnc.cpp - The nnc compiler driver ------------------------===//
//
// nnc model.mlir --emit=mlir|llvm|asm|obj -o out [--nn-fuse-report]
// nnc run model.mlir --weights w.safetensors --input x=x.safetensors ...
//                                                 (tools/nnc/RunCommand.cpp)
//
// Reads a module (nn ops, or anything a pipeline accepts), lowers it with
// the default CPU pipeline `nnc-cpu` or the one given by --pass-pipeline,
// and writes the result as MLIR, optimized LLVM IR, assembly or an object
// file. MLIR's own flags (--mlir-print-ir-after-all, --mlir-timing, ...)
// work as in mlir-opt.
//
//===----------------------------------------------------------------------===//
#include "codegen/Emit.h"
#include "codegen/Passes.h"
#include "codegen/Pipelines.h"
#include "ir/NNDialect.h"
#include "passes/Passes.h"
#include "tools/nnc/RunCommand.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Support/ToolUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

namespace {

enum class EmitKind { MLIR, LLVMIR, Assembly, Object };

llvm::cl::opt<std::string> inputFilename(llvm::cl::Positional,
                                         llvm::cl::desc("<input .mlir file>"),
                                         llvm::cl::init("-"));

llvm::cl::opt<std::string> outputFilename("o",
                                          llvm::cl::desc("Output filename"),
                                          llvm::cl::value_desc("filename"),
                                          llvm::cl::init("-"));

llvm::cl::opt<EmitKind> emitKind(
    "emit", llvm::cl::desc("What to write"), llvm::cl::init(EmitKind::MLIR),
    llvm::cl::values(
        clEnumValN(EmitKind::MLIR, "mlir", "the module after the pipeline"),
        clEnumValN(EmitKind::LLVMIR, "llvm", "optimized LLVM IR"),
        clEnumValN(EmitKind::Assembly, "asm", "target assembly"),
        clEnumValN(EmitKind::Object, "obj", "a relocatable object file")));

llvm::cl::opt<std::string> passPipeline(
    "pass-pipeline",
    llvm::cl::desc("Run this pipeline instead of the default nnc-cpu, e.g. "
                   "'builtin.module(nnc-inference)'"),
    llvm::cl::value_desc("pipeline"), llvm::cl::init(""));

llvm::cl::opt<std::string>
    targetCPU("mcpu",
              llvm::cl::desc("Target CPU for llvm/asm/obj (default: host)"),
              llvm::cl::value_desc("cpu"), llvm::cl::init(""));

llvm::cl::opt<std::string> targetFeatures(
    "mattr",
    llvm::cl::desc("Target features for llvm/asm/obj, e.g. +avx512f "
                   "(default: the host's, when --mcpu is not given)"),
    llvm::cl::value_desc("features"), llvm::cl::init(""));

llvm::cl::opt<bool> fuse(
    "fuse",
    llvm::cl::desc("Form nn.fusion regions, one kernel each (default nnc-cpu "
                   "pipeline; --fuse=false for one loop nest per op)"),
    llvm::cl::init(true));

llvm::cl::opt<bool> fuseReport(
    "nn-fuse-report",
    llvm::cl::desc("Print every candidate producer->consumer edge of nn-fuse, "
                   "fused or not, and why, to stderr"),
    llvm::cl::init(false));

llvm::cl::opt<int64_t> minParallelWork(
    "min-parallel-work",
    llvm::cl::desc("Run loop nests with fewer iterations in all "
                   "sequentially instead of on the thread pool"),
    llvm::cl::init(nnc::CPUCodegenOptions().minParallelWork));

llvm::cl::opt<unsigned> optLevel("O", llvm::cl::desc("LLVM optimization level"),
                                 llvm::cl::Prefix, llvm::cl::init(3));

/// Prints "nnc: error: <message>" and returns the failing exit code.
int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "nnc") << message << "\n";
  return 1;
}

/// The input's name for messages: "<stdin>" for "-".
std::string inputName() {
  return inputFilename == "-" ? std::string("<stdin>") : inputFilename;
}

mlir::DialectRegistry makeRegistry() {
  mlir::DialectRegistry registry;
  registry.insert<mlir::nn::NNDialect>();
  nnc::registerCPUCodegenDialects(registry);
  return registry;
}

/// Writes `text` to outputFilename.
int writeOutput(llvm::StringRef text) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFilename, &error);
  if (!output)
    return fail("cannot open '" + outputFilename + "': " + error);
  output->os() << text;
  output->keep();
  return 0;
}

/// The pipeline to run: --pass-pipeline, which must be anchored on
/// builtin.module as in mlir-opt, or else nnc-cpu.
mlir::FailureOr<mlir::OpPassManager> selectPipeline() {
  if (passPipeline.empty()) {
    mlir::OpPassManager pm(mlir::ModuleOp::getOperationName());
    nnc::CPUCodegenOptions options;
    options.optLevel = optLevel;
    options.fuse = fuse;
    options.reportFusion = fuseReport;
    options.minParallelWork = minParallelWork;
    nnc::buildCPUPipeline(pm, options);
    return pm;
  }
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  auto parsed = mlir::parsePassPipeline(passPipeline, errorStream);
  if (mlir::failed(parsed)) {
    fail("invalid --pass-pipeline: " + error);
    return mlir::failure();
  }
  if (parsed->getOpAnchorName() != mlir::ModuleOp::getOperationName()) {
    fail("--pass-pipeline must be anchored on builtin.module, e.g. "
         "'builtin.module(nnc-cpu)'; got '" +
         passPipeline + "'");
    return mlir::failure();
  }
  return parsed;
}

/// Lowers `module` with the selected pipeline. Diagnostics go to the source
/// manager handler, so they carry file locations.
mlir::LogicalResult lower(mlir::ModuleOp module, mlir::TimingScope &timing) {
  mlir::FailureOr<mlir::OpPassManager> pipeline = selectPipeline();
  if (mlir::failed(pipeline))
    return mlir::failure();
  mlir::PassManager pm(module->getContext(),
                       mlir::ModuleOp::getOperationName());
  static_cast<mlir::OpPassManager &>(pm) = std::move(*pipeline);
  if (mlir::failed(mlir::applyPassManagerCLOptions(pm)))
    return mlir::failure();
  pm.enableTiming(timing);
  if (mlir::failed(pm.run(module))) {
    fail("lowering '" + inputName() + "' failed");
    return mlir::failure();
  }
  return mlir::success();
}

int emit(mlir::ModuleOp module) {
  if (emitKind == EmitKind::MLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os, mlir::OpPrintingFlags());
    os << "\n";
    return writeOutput(text);
  }
  if (emitKind == EmitKind::Object && outputFilename == "-" &&
      llvm::sys::Process::StandardOutIsDisplayed())
    return fail("not writing an object file to a terminal; use -o <file>");
  nnc::CPUCodegenOptions options;
  options.optLevel = optLevel;
  options.targetCPU = targetCPU;
  options.targetFeatures = targetFeatures;
  llvm::Expected<std::string> code =
      emitKind == EmitKind::LLVMIR     ? nnc::emitLLVMIR(module, options)
      : emitKind == EmitKind::Assembly ? nnc::emitAssembly(module, options)
                                       : nnc::emitObject(module, options);
  if (!code)
    return fail(llvm::toString(code.takeError()));
  return writeOutput(*code);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  mlir::registerAllPasses();
  nnc::registerGraphPasses();
  nnc::registerCodegenPasses();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "nnc: compile an nn-dialect module to MLIR, LLVM IR, assembly or an "
      "object file; `nnc run` runs a saved graph\n");
  if (nnc::tools::runCommandSelected())
    return nnc::tools::runCommandMain();

  mlir::DefaultTimingManager timingManager;
  mlir::applyDefaultTimingManagerCLOptions(timingManager);
  mlir::TimingScope timing = timingManager.getRootScope();

  auto input = llvm::MemoryBuffer::getFileOrSTDIN(inputFilename);
  if (std::error_code error = input.getError())
    return fail("cannot open '" + inputFilename + "': " + error.message());

  mlir::MLIRContext context(makeRegistry());
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*input), llvm::SMLoc());
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  mlir::OwningOpRef<mlir::ModuleOp> module;
  {
    mlir::TimingScope parseTiming = timing.nest("Parse");
    module = mlir::parseSourceFile<mlir::ModuleOp>(
        sourceMgr, mlir::ParserConfig(&context));
  }
  if (!module)
    return fail("cannot parse '" + inputName() + "'");
  if (mlir::failed(lower(*module, timing)))
    return 1;
  mlir::TimingScope emitTiming = timing.nest("Emit");
  return emit(*module);
}
