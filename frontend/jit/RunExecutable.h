//===- frontend/jit/RunExecutable.h - Executables on tensors ----*- C++ -*-===//
//
// The one place where tensors meet the runtime's Executable: compiled
// functions and compiled training steps both run their code through here.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_JIT_RUNEXECUTABLE_H
#define NNC_FRONTEND_JIT_RUNEXECUTABLE_H

#include "frontend/Tensor.h"
#include "runtime/Executable.h"

#include <vector>

namespace nnc::jit {

/// The runtime's view of `t`'s memory (offset applied, strides as they are).
runtime::BufferView bufferViewOf(const Tensor &t);

/// Runs `executable` on `arguments` (copied first where they are not
/// contiguous: generated code takes dense row-major buffers) and returns its
/// results as new float32 tensors. Donated arguments (runtime::ArgSpec::
/// donated) are updated in their own memory, so they must be contiguous.
std::vector<Tensor> runExecutable(const runtime::Executable &executable,
                                  const std::vector<Tensor> &arguments);

} // namespace nnc::jit

#endif // NNC_FRONTEND_JIT_RUNEXECUTABLE_H
