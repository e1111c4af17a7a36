//===- passes/Pipelines.h - graph-level pass pipelines ----------*- C++ -*-===//
//
// Named sequences of graph-level passes. Each is also registered with MLIR
// (see registerGraphPasses) so nnc-opt and nnc run it by name.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_PASSES_PIPELINES_H
#define NNC_PASSES_PIPELINES_H

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace nnc {

/// Options shared by the graph-level pipelines. Empty for now: the first
/// slice has one way to run each pipeline; training, fusion and layout
/// options arrive with those passes.
struct PipelineOptions {};

/// Takes `func.func`s of nn ops to `func.func`s of linalg/tensor/arith/math
/// on tensors, ready for a codegen pipeline. Works at any anchor (a module or
/// a function). Registered as `nnc-inference`.
void buildInferencePipeline(mlir::OpPassManager &pm,
                            const PipelineOptions &options);

/// Takes a module of nn `func.func`s whose differentiated arguments carry
/// `nn.requires_grad` to linalg/tensor/arith/math on tensors, with a
/// `@<name>_grad` function (nn-autodiff) beside each marked function.
/// Must be anchored on builtin.module (nn-autodiff adds functions).
/// Registered as `nnc-training`.
void buildTrainingPipeline(mlir::OpPassManager &pm,
                           const PipelineOptions &options);

} // namespace nnc

#endif // NNC_PASSES_PIPELINES_H
