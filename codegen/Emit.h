//===- codegen/Emit.h - LLVM IR, assembly, objects for the CPU -*- C++ -*-===//
//
// The last step of the CPU compiler: a module in the LLVM dialect (the output
// of the nnc-cpu pipeline) becomes LLVM IR, optimized for the target CPU, and
// then assembly or a relocatable object file.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_CODEGEN_EMIT_H
#define NNC_CODEGEN_EMIT_H

#include "codegen/Pipelines.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace nnc {

/// A TargetMachine for `options` (the host CPU and its features by default),
/// with position-independent code so objects can go into shared libraries.
/// Initializes LLVM's native target on first use.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createCPUTargetMachine(const CPUCodegenOptions &options);

/// The LLVM optimization pipeline at options.optLevel for `targetMachine`
/// (which must outlive it), new pass manager, after nnc's loop hints: a loop
/// around a loop of more than a few iterations is not unrolled (see
/// Emit.cpp for why).
std::function<llvm::Error(llvm::Module *)>
makeCPUOptimizingTransformer(llvm::TargetMachine &targetMachine,
                             const CPUCodegenOptions &options);

/// Translates `module` (LLVM dialect only) to LLVM IR in `context`, sets the
/// target's triple and data layout, and optimizes it at options.optLevel
/// (makeCPUOptimizingTransformer). Translation errors carry MLIR's diagnostics.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToOptimizedLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                           llvm::TargetMachine &targetMachine,
                           const CPUCodegenOptions &options);

/// Optimized LLVM IR of `module` (LLVM dialect) as text.
llvm::Expected<std::string> emitLLVMIR(mlir::ModuleOp module,
                                       const CPUCodegenOptions &options);
/// Target assembly (AT&T syntax on x86) of `module` (LLVM dialect).
llvm::Expected<std::string> emitAssembly(mlir::ModuleOp module,
                                         const CPUCodegenOptions &options);
/// A relocatable ELF object of `module` (LLVM dialect), as bytes.
llvm::Expected<std::string> emitObject(mlir::ModuleOp module,
                                       const CPUCodegenOptions &options);

} // namespace nnc

#endif // NNC_CODEGEN_EMIT_H
