//===- frontend/jit/Compile.h - Trace, compile and run a function -*- C++
//-*-===//
//
// `nnc::jit::compile(fn, example)` traces `fn`, lowers the `nn` graph through
// the CPU pipeline, JIT-compiles it with ORC and returns a callable that
// runs the generated code through the runtime's Executable. Captured tensors
// (parameters) are bound by reference: the compiled function reads their
// values at call time. Each compiled specialization is guarded by the input
// shapes and dtypes (and a mode, e.g. train/eval); a call that misses every
// guard retraces and recompiles, and repeated recompiles are reported.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_JIT_COMPILE_H
#define NNC_FRONTEND_JIT_COMPILE_H

#include "frontend/jit/Trace.h"
#include "frontend/nn/Module.h"

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace nnc::jit {

/// Options for nnc::jit::compile.
struct CompileOptions {
  /// Name used in messages (recompile warnings, errors).
  std::string name = "function";
  /// Part of the guard besides input shapes and dtypes: the compiled code is
  /// reused only while it returns the value it had at trace time (e.g. a
  /// module's "train"/"eval"). Empty: no mode guard.
  std::function<std::string()> mode;
  /// Past this many recompiles, each further one is reported on stderr with
  /// the guard that failed (PyTorch's dynamo reports the same way).
  int recompileWarningLimit = 8;
  /// Keep the traced `nn` graph text (for inspection and tests).
  bool keepGraphText = true;
  /// Compile once for every batch size: the leading dim of the inputs whose
  /// leading size is the first input's becomes dynamic (frontend/jit/
  /// DynamicBatch.h), and a call with another batch size reuses the code.
  bool dynamicBatch = false;
  /// torch.jit.freeze: the tensors the function reads but does not receive
  /// (a module's parameters and buffers) become constants of their values
  /// at compile time, so the compiler folds what depends only on them (a
  /// weight packed for the convolution kernel). Later changes to those
  /// tensors are not seen: for inference with trained, frozen weights.
  /// Tensors the function updates in place stay arguments.
  bool freeze = false;

  CompileOptions &dynamic_batch(bool enabled) {
    dynamicBatch = enabled;
    return *this;
  }
  CompileOptions &frozen(bool enabled) {
    freeze = enabled;
    return *this;
  }
};

/// A compiled function of tensors. Cheap to copy; copies share the code and
/// the cache of specializations.
class CompiledFunction {
public:
  /// Runs the specialization whose guards `inputs` pass, compiling one first
  /// if none does. Tensors the function updated in place while traced are
  /// updated in place by the compiled code too.
  std::vector<Tensor> operator()(const std::vector<Tensor> &inputs) const;

  /// The `nn` graph of the most recently compiled specialization.
  const std::string &graphText() const;
  /// How many times the function has been traced and compiled.
  int numCompilations() const;

  struct State;

private:
  friend CompiledFunction compile(const TensorFunction &,
                                  const std::vector<Tensor> &,
                                  const CompileOptions &);
  explicit CompiledFunction(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

/// Traces `fn` on `exampleInputs` and compiles the graph for the CPU.
/// Throws nnc::Error with the compiler's diagnostics if compilation fails.
CompiledFunction compile(const TensorFunction &fn,
                         const std::vector<Tensor> &exampleInputs,
                         const CompileOptions &options = {});

/// compile(model, example): a module's forward, compiled. `model` is an
/// NNC_MODULE holder taking one tensor; its parameters are bound by
/// reference and its train/eval mode is part of the guard. Call it as
/// `compiled({x})[0]`.
template <class Model, class = std::enable_if_t<nn::isModuleHolder<Model>>>
CompiledFunction compile(Model model, const Tensor &example,
                         CompileOptions options = {}) {
  if (!options.mode)
    options.mode = [model] { return model->is_training() ? "train" : "eval"; };
  if (options.name == CompileOptions().name)
    options.name = "module forward";
  return compile(
      [model](const std::vector<Tensor> &in) mutable {
        return std::vector<Tensor>{model(in.at(0))};
      },
      {example}, options);
}

} // namespace nnc::jit

#endif // NNC_FRONTEND_JIT_COMPILE_H
