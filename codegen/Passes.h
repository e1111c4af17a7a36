//===- codegen/Passes.h - CPU codegen passes and pipelines ------*- C++ -*-===//
//
// nnc's own codegen passes (declared in codegen/Passes.td) and the one call
// that registers them, with the codegen pipelines, for nnc-opt and nnc.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_CODEGEN_PASSES_H
#define NNC_CODEGEN_PASSES_H

#include "mlir/Pass/Pass.h"
#include "llvm/ADT/StringRef.h"

#include <memory>

namespace nnc {

#define GEN_PASS_DECL
#include "codegen/Passes.h.inc"

/// Result attribute: this result is the new value of the argument whose index
/// it holds, and is written into that argument's buffer (donation).
inline constexpr llvm::StringLiteral kDonatedArgumentAttr =
    "nn.donated_argument";
/// Argument attribute set when a donated result was dropped: the call
/// overwrites this argument with its new value.
inline constexpr llvm::StringLiteral kDonatedAttr = "nn.donated";

/// Registers the codegen passes and the pipelines `nnc-cpu-codegen` (linalg
/// on tensors -> LLVM dialect) and `nnc-cpu` (nn -> LLVM dialect) with the
/// global registry, so `--pass-pipeline=builtin.module(nnc-cpu)` works.
void registerCodegenPasses();

} // namespace nnc

#endif // NNC_CODEGEN_PASSES_H
