//===- frontend/jit/Interpreter.h - Run nn graphs op by op ------*- C++ -*-===//
//
// The reference semantics of the `nn` dialect: a function is run one op at a
// time on the eager kernels, with no fusion, no codegen and no layout
// decisions. `nnc run --mode=eager` uses it, and tests compare compiled
// graphs against it (a graph loaded from disk has no eager program to
// compare with).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_JIT_INTERPRETER_H
#define NNC_FRONTEND_JIT_INTERPRETER_H

#include "frontend/Tensor.h"

#include <vector>

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace nnc::jit {

/// Runs `function` on `arguments` (one per function argument, of its type;
/// dynamic dims take the tensors' sizes) and returns its results. Throws
/// nnc::Error naming the op and its location for an op the interpreter does
/// not know, and for arguments or results that do not match the types.
std::vector<Tensor> interpret(mlir::func::FuncOp function,
                              const std::vector<Tensor> &arguments);

} // namespace nnc::jit

#endif // NNC_FRONTEND_JIT_INTERPRETER_H
