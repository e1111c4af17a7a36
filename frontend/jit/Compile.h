//===- frontend/jit/Compile.h - Trace, compile and run a function -*- C++ -*-===//
//
// `nnc::jit::compile(fn, example)` traces `fn`, lowers the `nn` graph through
// the CPU pipeline, JIT-compiles it with ORC and returns a callable that
// runs the generated code through the runtime's Executable. Captured tensors
// (parameters) are bound by reference: the compiled function reads their
// values at call time.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_JIT_COMPILE_H
#define NNC_FRONTEND_JIT_COMPILE_H

#include "frontend/jit/Trace.h"

#include <memory>
#include <vector>

namespace nnc::jit {

/// Options for nnc::jit::compile.
struct CompileOptions {
  /// Keep the traced `nn` graph text on the compiled function (for
  /// inspection and tests).
  bool keepGraphText = true;
};

/// A compiled function of tensors. Cheap to copy; copies share the code.
class CompiledFunction {
public:
  /// Runs the compiled code. Inputs must have the shapes and dtypes of the
  /// example inputs it was traced with; otherwise throws nnc::Error naming
  /// the input and both shapes.
  std::vector<Tensor> operator()(const std::vector<Tensor> &inputs) const;

  /// The `nn` graph it was compiled from (empty unless keepGraphText).
  const std::string &graphText() const;

  struct State;

private:
  friend CompiledFunction compile(const TensorFunction &,
                                  const std::vector<Tensor> &,
                                  const CompileOptions &);
  explicit CompiledFunction(std::shared_ptr<const State> state);
  std::shared_ptr<const State> state_;
};

/// Traces `fn` on `exampleInputs` and compiles the graph for the CPU.
/// Throws nnc::Error with the compiler's diagnostics if compilation fails.
CompiledFunction compile(const TensorFunction &fn,
                         const std::vector<Tensor> &exampleInputs,
                         const CompileOptions &options = {});

} // namespace nnc::jit

#endif // NNC_FRONTEND_JIT_COMPILE_H
