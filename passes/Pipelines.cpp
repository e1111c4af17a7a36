//===- passes/Pipelines.cpp - graph-level pipelines and registration ------===//
//
// The pipelines are plain functions so that C++ callers (nnc::jit::compile)
// and the textual --pass-pipeline run exactly the same passes.
//
//===----------------------------------------------------------------------===//
#include "passes/Pipelines.h"
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace nnc {

void buildInferencePipeline(mlir::OpPassManager &pm,
                            const PipelineOptions & /*options*/) {
  // Fold identity/chained reshapes and transposes and constant arithmetic
  // while the graph is still small, high-level nn ops.
  pm.addPass(mlir::createCanonicalizerPass());
  // Traced graphs repeat work (the same transpose of a weight, the same
  // constant); merge identical pure nn ops before they multiply into loops.
  pm.addPass(mlir::createCSEPass());
  // nn -> linalg/tensor/arith/math on tensors.
  pm.addPass(createNNLowerToLinalg());
  // Clean up what the lowering leaves: tensor.dim of static sizes, back to
  // back collapse/expand reshapes, unused constants.
  pm.addPass(mlir::createCanonicalizerPass());
}

void buildTrainingPipeline(mlir::OpPassManager &pm,
                           const PipelineOptions & /*options*/) {
  // Simplify the traced forward graph first, so the backward graph is built
  // from (and mirrors) the smallest forward graph.
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
  // Add @<name>_grad for every function with nn.requires_grad arguments.
  pm.addPass(createNNAutodiff());
  // VJPs emit local, unshared ops: fold constant scalars, identity reshapes
  // and transposes (e.g. transpose of a transpose in matmul's VJP) ...
  pm.addPass(mlir::createCanonicalizerPass());
  // ... and merge what the backward graph recomputes (the same transpose
  // of a weight, the same exp of a log-softmax).
  pm.addPass(mlir::createCSEPass());
  // nn -> linalg/tensor/arith/math on tensors, forward and backward alike.
  pm.addPass(createNNLowerToLinalg());
  // Clean up what the lowering leaves, as in the inference pipeline.
  pm.addPass(mlir::createCanonicalizerPass());
}

void registerGraphPasses() {
  // The registry rejects a second registration under the same name.
  static const bool registered = [] {
    registerNNCGraphPasses();
    mlir::PassPipelineRegistration<>(
        "nnc-inference",
        "nn graph to linalg/tensor/arith/math on tensors (canonicalize, "
        "cse, nn-lower-to-linalg, canonicalize)",
        [](mlir::OpPassManager &pm) {
          buildInferencePipeline(pm, PipelineOptions{});
        });
    mlir::PassPipelineRegistration<>(
        "nnc-training",
        "nn graph with nn.requires_grad arguments to linalg/tensor/arith/math "
        "on tensors plus gradient functions (canonicalize, cse, "
        "nn-autodiff, canonicalize, cse, nn-lower-to-linalg, canonicalize)",
        [](mlir::OpPassManager &pm) {
          buildTrainingPipeline(pm, PipelineOptions{});
        });
    return true;
  }();
  (void)registered;
}

} // namespace nnc
