//===- codegen/Passes.h - CPU codegen passes and pipelines ------*- C++ -*-===//
//
// nnc's own codegen passes (declared in codegen/Passes.td) and the one call
// that registers them, with the codegen pipelines, for nnc-opt and nnc.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_CODEGEN_PASSES_H
#define NNC_CODEGEN_PASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace nnc {

#define GEN_PASS_DECL
#include "codegen/Passes.h.inc"

/// Registers the codegen passes and the pipelines `nnc-cpu-codegen` (linalg
/// on tensors -> LLVM dialect) and `nnc-cpu` (nn -> LLVM dialect) with the
/// global registry, so `--pass-pipeline=builtin.module(nnc-cpu)` works.
void registerCodegenPasses();

} // namespace nnc

#endif // NNC_CODEGEN_PASSES_H
