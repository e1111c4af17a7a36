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

#include <string>
#include <vector>

namespace nnc::jit {

/// The runtime's view of `t`'s memory (offset applied, strides as they are).
runtime::BufferView bufferViewOf(const Tensor &t);

/// Runs `executable` on `arguments` (copied first where they are not
/// contiguous: generated code takes dense row-major buffers) and returns its
/// results as new float32 tensors.
std::vector<Tensor> runExecutable(const runtime::Executable &executable,
                                  const std::vector<Tensor> &arguments);

/// Copies `value` into `target`'s memory: how a compiled function's in-place
/// updates reach the tensors they update. `what` names `target` in the
/// error for a non-contiguous target.
void writeBack(const Tensor &target, const Tensor &value,
               const std::string &what);

} // namespace nnc::jit

#endif // NNC_FRONTEND_JIT_RUNEXECUTABLE_H
