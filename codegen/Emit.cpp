//===- codegen/Emit.cpp - LLVM IR, assembly and objects for the CPU -------===//
#include "codegen/Emit.h"

#include "codegen/DiagnosticCapture.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/Analysis/AssumptionCache.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/ScalarEvolutionExpressions.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

namespace nnc {

static void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

/// "+avx512f,-amx-tile,..." for the features this machine has and lacks.
static std::string hostFeatureString() {
  std::string features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures()) {
    if (!features.empty())
      features += ',';
    features += (feature.second ? '+' : '-');
    features += feature.first().str();
  }
  return features;
}

static llvm::CodeGenOptLevel codeGenOptLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createCPUTargetMachine(const CPUCodegenOptions &options) {
  initializeNativeTarget();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no LLVM target for '" + triple.str() +
                                       "': " + lookupError);
  bool host = options.targetCPU.empty();
  std::string cpu =
      host ? llvm::sys::getHostCPUName().str() : options.targetCPU;
  std::string features = options.targetFeatures;
  if (host && features.empty())
    features = hostFeatureString();
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, codeGenOptLevel(options.optLevel)));
  if (!machine)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot create a target machine for '" +
                                       triple.str() + "', CPU '" + cpu + "'");
  return machine;
}

/// Loops that run their body fewer times than this (the taps of a 3x3
/// kernel around a register tile's vector FMAs) may still be unrolled
/// together with the loops around them.
constexpr unsigned kFewIterations = 4;

/// Marks every loop that contains a loop of kFewIterations or more
/// iterations (or of unknown length) as not to be unrolled. LLVM's full
/// unroller otherwise copies an outer loop with a small constant trip count
/// (a convolution's taps, the rows of a padded copy or of a 10-row matrix)
/// around its inner loop, and the loop vectorizer then emits each copy's
/// vector body, epilogue and runtime checks: code, and compile time, in
/// proportion to the trip counts (so to image sizes), for no speedup, since
/// the inner loop does the work either way.
static void keepOuterLoopsRolled(llvm::Module &module) {
  llvm::TargetLibraryInfoImpl libraryInfo(module.getTargetTriple());
  for (llvm::Function &function : module) {
    if (function.isDeclaration())
      continue;
    llvm::DominatorTree dominators(function);
    llvm::LoopInfo loops(dominators);
    llvm::TargetLibraryInfo library(libraryInfo, &function);
    llvm::AssumptionCache assumptions(function);
    llvm::ScalarEvolution evolution(function, library, assumptions, dominators,
                                    loops);
    // The loops as MLIR emits them exit from their header, so the body runs
    // once per back edge taken.
    auto runsFewTimes = [&](llvm::Loop *loop) {
      auto *backEdges = llvm::dyn_cast<llvm::SCEVConstant>(
          evolution.getBackedgeTakenCount(loop));
      return backEdges && backEdges->getAPInt().ult(kFewIterations);
    };
    for (llvm::Loop *loop : loops.getLoopsInPreorder()) {
      llvm::SmallVector<llvm::Loop *> nest = loop->getLoopsInPreorder();
      // nest[0] is `loop` itself.
      if (llvm::any_of(llvm::drop_begin(nest),
                       [&](llvm::Loop *inner) { return !runsFewTimes(inner); }))
        loop->setLoopAlreadyUnrolled();
    }
  }
}

std::function<llvm::Error(llvm::Module *)>
makeCPUOptimizingTransformer(llvm::TargetMachine &targetMachine,
                             const CPUCodegenOptions &options) {
  auto optimize =
      mlir::makeOptimizingTransformer(std::min(options.optLevel, 3u),
                                      /*sizeLevel=*/0, &targetMachine);
  return [optimize](llvm::Module *module) {
    keepOuterLoopsRolled(*module);
    return optimize(module);
  };
}

llvm::Expected<std::unique_ptr<llvm::Module>>
translateToOptimizedLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                           llvm::TargetMachine &targetMachine,
                           const CPUCodegenOptions &options) {
  mlir::registerBuiltinDialectTranslation(*module->getContext());
  mlir::registerLLVMDialectTranslation(*module->getContext());
  DiagnosticCapture diagnostics(module->getContext());
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return diagnostics.makeError(
        "cannot translate the module to LLVM IR (is it all in the LLVM "
        "dialect? run the nnc-cpu pipeline first)");
  llvmModule->setTargetTriple(targetMachine.getTargetTriple());
  llvmModule->setDataLayout(targetMachine.createDataLayout());
  if (llvm::Error error = makeCPUOptimizingTransformer(targetMachine, options)(
          llvmModule.get()))
    return error;
  return llvmModule;
}

/// Runs `emit` on the optimized LLVM IR of `module` for the target machine.
static llvm::Expected<std::string>
emitWith(mlir::ModuleOp module, const CPUCodegenOptions &options,
         llvm::function_ref<llvm::Expected<std::string>(llvm::Module &,
                                                        llvm::TargetMachine &)>
             emit) {
  auto targetMachine = createCPUTargetMachine(options);
  if (!targetMachine)
    return targetMachine.takeError();
  llvm::LLVMContext context;
  auto llvmModule =
      translateToOptimizedLLVMIR(module, context, **targetMachine, options);
  if (!llvmModule)
    return llvmModule.takeError();
  return emit(**llvmModule, **targetMachine);
}

static llvm::Expected<std::string>
emitMachineCode(mlir::ModuleOp module, const CPUCodegenOptions &options,
                llvm::CodeGenFileType fileType) {
  return emitWith(
      module, options,
      [&](llvm::Module &llvmModule,
          llvm::TargetMachine &targetMachine) -> llvm::Expected<std::string> {
        llvm::SmallString<0> buffer;
        llvm::raw_svector_ostream os(buffer);
        llvm::legacy::PassManager codegen;
        if (targetMachine.addPassesToEmitFile(codegen, os, nullptr, fileType))
          return llvm::createStringError(
              llvm::inconvertibleErrorCode(),
              "the target machine cannot emit this file type");
        codegen.run(llvmModule);
        return std::string(buffer.str());
      });
}

llvm::Expected<std::string> emitLLVMIR(mlir::ModuleOp module,
                                       const CPUCodegenOptions &options) {
  return emitWith(module, options,
                  [](llvm::Module &llvmModule,
                     llvm::TargetMachine &) -> llvm::Expected<std::string> {
                    std::string text;
                    llvm::raw_string_ostream os(text);
                    llvmModule.print(os, nullptr);
                    return text;
                  });
}

llvm::Expected<std::string> emitAssembly(mlir::ModuleOp module,
                                         const CPUCodegenOptions &options) {
  return emitMachineCode(module, options, llvm::CodeGenFileType::AssemblyFile);
}

llvm::Expected<std::string> emitObject(mlir::ModuleOp module,
                                       const CPUCodegenOptions &options) {
  return emitMachineCode(module, options, llvm::CodeGenFileType::ObjectFile);
}

} // namespace nnc
