//===- codegen/JIT.cpp - Compile a module and run it in-process -----------===//
#include "codegen/JIT.h"

#include "codegen/DiagnosticCapture.h"
#include "codegen/Emit.h"
#include "codegen/Passes.h"
#include "runtime/Memory.h"
#include "runtime/ThreadPool.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>

namespace nnc {

static llvm::Error errorf(const std::string &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static std::string typeString(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

static std::optional<runtime::ElementType> runtimeElementType(mlir::Type type) {
  if (type.isF32())
    return runtime::ElementType::F32;
  if (type.isF64())
    return runtime::ElementType::F64;
  if (type.isF16())
    return runtime::ElementType::F16;
  if (type.isBF16())
    return runtime::ElementType::BF16;
  if (type.isSignlessInteger(64))
    return runtime::ElementType::I64;
  if (type.isSignlessInteger(32))
    return runtime::ElementType::I32;
  if (type.isUnsignedInteger(8))
    return runtime::ElementType::U8;
  if (type.isSignlessInteger(1))
    return runtime::ElementType::I1;
  return std::nullopt;
}

/// The ArgSpec of one argument or result, or an error naming it.
static llvm::Expected<runtime::ArgSpec> argSpec(llvm::StringRef entry,
                                                llvm::StringRef role,
                                                size_t index, mlir::Type type) {
  auto fail = [&](llvm::StringRef why) {
    return errorf(llvm::formatv("entry '@{0}': {1} {2} has type {3}: {4}",
                                entry, role, index, typeString(type), why)
                      .str());
  };
  auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(type);
  if (!tensor)
    return fail("only ranked tensors are supported");
  std::optional<runtime::ElementType> element =
      runtimeElementType(tensor.getElementType());
  if (!element)
    return fail("the element type is not one of f32, f64, f16, bf16, i64, "
                "i32, ui8, i1");
  runtime::ArgSpec spec;
  spec.type = *element;
  for (int64_t size : tensor.getShape())
    spec.shape.push_back(mlir::ShapedType::isDynamic(size) ? -1 : size);
  return spec;
}

llvm::Expected<runtime::Signature> entrySignature(mlir::ModuleOp module,
                                                  llvm::StringRef entry) {
  auto func = module.lookupSymbol<mlir::func::FuncOp>(entry);
  if (!func)
    return errorf(("no func.func '@" + entry + "' in the module").str());
  if (func.isExternal())
    return errorf(("entry '@" + entry + "' has no body").str());
  if (!func.isPublic())
    return errorf(("entry '@" + entry +
                   "' is private; only public functions are "
                   "exported")
                      .str());
  runtime::Signature signature;
  mlir::FunctionType type = func.getFunctionType();
  for (auto [index, input] : llvm::enumerate(type.getInputs())) {
    auto spec = argSpec(entry, "argument", index, input);
    if (!spec)
      return spec.takeError();
    signature.inputs.push_back(std::move(*spec));
  }
  // A donated result is written into its argument, not into an output.
  for (auto [index, result] : llvm::enumerate(type.getResults())) {
    if (auto donated = func.getResultAttrOfType<mlir::IntegerAttr>(
            index, kDonatedArgumentAttr)) {
      uint64_t argument = donated.getValue().getZExtValue();
      if (argument >= signature.inputs.size())
        return errorf(llvm::formatv("entry '@{0}': result {1} is donated to "
                                    "argument {2}, which does not exist",
                                    entry, index, argument)
                          .str());
      signature.inputs[argument].donated = true;
      continue;
    }
    auto spec = argSpec(entry, "result", index, result);
    if (!spec)
      return spec.takeError();
    signature.outputs.push_back(std::move(*spec));
  }
  return signature;
}

/// The runtime's C ABI that generated code calls (parallel loops, heap
/// buffers). The
/// process's executable does not export it (it is linked statically, with
/// no -rdynamic), so the JIT gets its address directly.
static void registerRuntimeSymbols(mlir::ExecutionEngine &engine) {
  engine.registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("nnc_runtime_parallel_for")] = {
        llvm::orc::ExecutorAddr::fromPtr(&nnc_runtime_parallel_for),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("nnc_runtime_num_threads")] = {
        llvm::orc::ExecutorAddr::fromPtr(&nnc_runtime_num_threads),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("_mlir_memref_to_llvm_alloc")] = {
        llvm::orc::ExecutorAddr::fromPtr(&_mlir_memref_to_llvm_alloc),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("_mlir_memref_to_llvm_aligned_alloc")] = {
        llvm::orc::ExecutorAddr::fromPtr(&_mlir_memref_to_llvm_aligned_alloc),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("_mlir_memref_to_llvm_free")] = {
        llvm::orc::ExecutorAddr::fromPtr(&_mlir_memref_to_llvm_free),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
}

/// `options`, with nn-fuse's report switched on when NNC_FUSE_REPORT is set
/// (to anything but "0"): the decisions for graphs that a program traces
/// and compiles itself, which no command line reaches. NNC_TILE=0 turns
/// the register-tiling passes off, and NNC_LAYOUT=1 (0) turns nn-layout on
/// (off), to measure what they gain in a program.
static CPUCodegenOptions withEnvironment(CPUCodegenOptions options) {
  const char *report = std::getenv("NNC_FUSE_REPORT");
  if (report && *report && llvm::StringRef(report) != "0")
    options.reportFusion = true;
  const char *tile = std::getenv("NNC_TILE");
  if (tile && llvm::StringRef(tile) == "0")
    options.tileContractions = false;
  const char *layout = std::getenv("NNC_LAYOUT");
  if (layout && *layout)
    options.layout = llvm::StringRef(layout) != "0";
  return options;
}

/// Lowers a clone of `module` to the LLVM dialect with the nnc-cpu pipeline.
static llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
lowerForCPU(mlir::ModuleOp module, llvm::StringRef entry,
            const CPUCodegenOptions &options) {
  mlir::MLIRContext *context = module->getContext();
  mlir::DialectRegistry registry;
  registerCPUCodegenDialects(registry);
  context->appendDialectRegistry(registry);

  DiagnosticCapture diagnostics(context);
  if (mlir::failed(mlir::verify(module)))
    return diagnostics.makeError("the module to compile is invalid");
  mlir::OwningOpRef<mlir::ModuleOp> lowered(module.clone());
  mlir::PassManager pm(context, mlir::ModuleOp::getOperationName());
  buildCPUPipeline(pm, withEnvironment(options));
  if (mlir::failed(pm.run(*lowered)))
    return diagnostics.makeError(
        ("lowering '@" + entry + "' for the CPU failed").str());
  return lowered;
}

llvm::Expected<runtime::Executable>
jitCompile(mlir::ModuleOp module, llvm::StringRef entry,
           const CPUCodegenOptions &options) {
  // The signature speaks of tensors, so it is read before lowering.
  auto signature = entrySignature(module, entry);
  if (!signature)
    return signature.takeError();
  auto lowered = lowerForCPU(module, entry, options);
  if (!lowered)
    return lowered.takeError();

  auto targetMachine = createCPUTargetMachine(options);
  if (!targetMachine)
    return targetMachine.takeError();
  // The options only refer to the transformer (a function_ref).
  auto optimize = makeCPUOptimizingTransformer(**targetMachine, options);
  mlir::ExecutionEngineOptions engineOptions;
  engineOptions.transformer = optimize;
  engineOptions.jitCodeGenOptLevel = (*targetMachine)->getOptLevel();
  // Keeping the JIT'd code out of debuggers' and profilers' registries
  // avoids global listeners that outlive the engine; NNC_PERF=1 registers
  // it with perf's jitdump, to profile the generated kernels by name
  // (`perf record -k 1 ...; perf inject --jit -i perf.data -o jit.data`).
  engineOptions.enableGDBNotificationListener = false;
  const char *perf = std::getenv("NNC_PERF");
  engineOptions.enablePerfNotificationListener =
      perf && std::string(perf) == "1";

  DiagnosticCapture diagnostics((*lowered)->getContext());
  auto engine = mlir::ExecutionEngine::create(**lowered, engineOptions,
                                              std::move(*targetMachine));
  if (!engine)
    return diagnostics.makeError(
        "JIT compilation of '@" + entry.str() +
        "' failed: " + llvm::toString(engine.takeError()));
  registerRuntimeSymbols(**engine);
  (*engine)->initialize();
  std::string wrapper = "_mlir_ciface_" + entry.str();
  auto packed = (*engine)->lookupPacked(wrapper);
  if (!packed)
    return errorf("JIT: cannot find the packed wrapper of '" + wrapper +
                  "': " + llvm::toString(packed.takeError()));
  std::shared_ptr<mlir::ExecutionEngine> session(std::move(*engine));
  return runtime::Executable(entry.str(), *packed, std::move(*signature),
                             std::move(session));
}

} // namespace nnc
