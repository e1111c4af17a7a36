//===- codegen/Pipelines.h - CPU codegen pipelines --------------*- C++ -*-===//
//
// From `func.func` on tensors (linalg/tensor/arith/math, what
// nnc::buildInferencePipeline produces) to the LLVM dialect, in the calling
// convention runtime::Executable expects: every result becomes a
// caller-provided output buffer, and every public function gets a
// `_mlir_ciface_<name>` wrapper taking one descriptor pointer per memref.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_CODEGEN_PIPELINES_H
#define NNC_CODEGEN_PIPELINES_H

#include <string>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace nnc {

/// How CPU code is generated. The defaults target the machine nnc runs on.
struct CPUCodegenOptions {
  /// LLVM optimization level (0-3) for the IR optimizer and the backend.
  unsigned optLevel = 3;
  /// Target CPU, e.g. "skylake-avx512"; empty means the host CPU.
  std::string targetCPU;
  /// Target features, e.g. "+avx512f,+fma"; empty means the host's features
  /// when targetCPU is empty too, and the CPU's defaults otherwise.
  std::string targetFeatures;
};

/// Appends the steps from linalg on tensors to the LLVM dialect to `pm`
/// (anchored on builtin.module). Registered as `nnc-cpu-codegen`. No MLIR
/// step depends on `options` yet: the level and target apply where LLVM IR
/// is optimized and compiled (codegen/Emit.h, codegen/JIT.h).
void buildCPUCodegenPipeline(mlir::OpPassManager &pm,
                             const CPUCodegenOptions &options);

/// The whole CPU compiler: the graph pipeline (nn -> linalg on tensors,
/// nnc::buildInferencePipeline) followed by buildCPUCodegenPipeline.
/// Registered as `nnc-cpu`. Input that is already linalg on tensors passes
/// through the graph pipeline unchanged.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUCodegenOptions &options);

/// Registers the dialects the CPU pipelines produce and the external
/// interface models they rely on (bufferization, deallocation, tiling,
/// LLVM IR translation). A context that runs the pipelines must have these:
/// jitCompile appends them to the module's context itself.
void registerCPUCodegenDialects(mlir::DialectRegistry &registry);

} // namespace nnc

#endif // NNC_CODEGEN_PIPELINES_H
