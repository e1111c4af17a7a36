//===- passes/Passes.h - graph-level passes on nn ops -----------*- C++ -*-===//
//
// Pass constructors (nnc::createNNLowerToLinalg(), ...) and registration.
// Pipelines built from these passes are in passes/Pipelines.h.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_PASSES_PASSES_H
#define NNC_PASSES_PASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace nnc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Registers every graph-level pass and the named pipelines (nnc-inference,
/// nnc-training) with MLIR's global registry, so `--nn-lower-to-linalg` and
/// `--pass-pipeline='builtin.module(nnc-inference)'` parse. Safe to call more
/// than once.
void registerGraphPasses();

} // namespace nnc

#endif // NNC_PASSES_PASSES_H
