//===- codegen/Passes.h - CPU/GPU codegen passes and pipelines --*- C++ -*-===//
#ifndef NNC_CODEGEN_PASSES_H
#define NNC_CODEGEN_PASSES_H

namespace nnc {
/// Registers codegen passes and pipelines with the global registry.
void registerCodegenPasses();
} // namespace nnc

#endif // NNC_CODEGEN_PASSES_H
