//===- examples/Training.h - Eager or compiled steps, timed -----*- C++ -*-===//
//
// What the examples share to train one model twice, eagerly and with
// compile_step, on the same batches, and to compare the two: a step runner
// that times steps apart from compilation, and the model's forward for
// evaluation, eager or compiled once for every batch size.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_EXAMPLES_TRAINING_H
#define NNC_EXAMPLES_TRAINING_H

#include "frontend/nnc.h"

#include <chrono>
#include <functional>
#include <optional>

namespace nnc::examples {

inline double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// Runs training steps of `model` under `criterion` and `optimizer`, either
/// eagerly (zero_grad, forward, loss, backward, step, as in PyTorch) or
/// through one compile_step made at the first batch (dynamic batch, so the
/// smaller last batch of an epoch does not recompile). A step that compiled
/// counts as compile time, not step time, so msPerStep() compares the
/// steady state of both modes.
template <class Model, class LossFn> class TimedTrainer {
public:
  TimedTrainer(Model model, LossFn criterion, optim::Optimizer &optimizer,
               bool compiled)
      : model_(model), criterion_(criterion), optimizer_(optimizer),
        compiled_(compiled) {}

  /// One step on the batch (x, y); returns the loss.
  float step(const Tensor &x, const Tensor &y) {
    auto start = std::chrono::steady_clock::now();
    int compilationsBefore = compilations();
    Tensor loss;
    if (compiled_) {
      if (!step_)
        step_ = jit::compile_step(model_, criterion_, optimizer_, {x, y},
                                  jit::CompileOptions().dynamic_batch(true));
      loss = (*step_)(x, y);
    } else {
      optimizer_.zero_grad();
      loss = criterion_(model_(x), y);
      loss.backward();
      optimizer_.step();
    }
    // item() waits for the step's result, so the clock sees all of it.
    float lossValue = loss.item<float>();
    double seconds = secondsSince(start);
    if (compilations() != compilationsBefore) {
      compileSeconds_ += seconds;
    } else {
      stepSeconds_ += seconds;
      ++timedSteps_;
    }
    return lossValue;
  }

  /// Mean time of the steps that compiled nothing, in ms.
  double msPerStep() const {
    return timedSteps_ ? stepSeconds_ * 1e3 / timedSteps_ : 0;
  }
  /// Time of the steps that traced and compiled, in s.
  double compileSeconds() const { return compileSeconds_; }
  int compilations() const { return step_ ? step_->numCompilations() : 0; }

private:
  Model model_;
  LossFn criterion_;
  optim::Optimizer &optimizer_;
  bool compiled_;
  std::optional<jit::CompiledStep> step_;
  double stepSeconds_ = 0;
  double compileSeconds_ = 0;
  int64_t timedSteps_ = 0;
};
template <class Model, class LossFn>
TimedTrainer(Model, LossFn, optim::Optimizer &, bool)
    -> TimedTrainer<Model, LossFn>;

/// `model`'s forward for evaluation: the module itself, or compiled now (so
/// that timing its calls leaves compilation out) with a dynamic batch for
/// batches of `example` (one example, without the batch dimension).
template <class Model>
std::function<Tensor(const Tensor &)>
evaluationForward(Model model, bool compiled, const Tensor &example) {
  if (!compiled)
    return [model](const Tensor &x) mutable { return model(x); };
  jit::CompiledFunction forward = jit::compile(
      model, example.unsqueeze(0), jit::CompileOptions().dynamic_batch(true));
  return [forward](const Tensor &x) { return forward({x})[0]; };
}

} // namespace nnc::examples

#endif // NNC_EXAMPLES_TRAINING_H
