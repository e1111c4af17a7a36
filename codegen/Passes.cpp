//===- codegen/Passes.cpp - Register codegen passes and pipelines ---------===//
#include "codegen/Passes.h"

#include "codegen/Pipelines.h"

#include "mlir/Pass/PassRegistry.h"

namespace nnc {
namespace {
#define GEN_PASS_REGISTRATION
#include "codegen/Passes.h.inc"
} // namespace

void registerCodegenPasses() {
  registerNNCCodegenPasses();
  mlir::PassPipelineRegistration<>(
      "nnc-cpu-codegen",
      "Lower linalg on tensors to the LLVM dialect for the host CPU, results "
      "as caller-provided output buffers, with _mlir_ciface_ wrappers",
      [](mlir::OpPassManager &pm) {
        buildCPUCodegenPipeline(pm, CPUCodegenOptions());
      });
  mlir::PassPipelineRegistration<>(
      "nnc-cpu",
      "Lower nn ops to the LLVM dialect for the host CPU: the graph pipeline "
      "(nnc-inference) followed by nnc-cpu-codegen",
      [](mlir::OpPassManager &pm) {
        buildCPUPipeline(pm, CPUCodegenOptions());
      });
}

} // namespace nnc
