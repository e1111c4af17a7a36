//===- frontend/Autograd.h - Eager reverse-mode autograd --------*- C++ -*-===//
//
// As in libtorch: a tensor that requires grad, when used by an op while grad
// mode is on, gives the op's output a grad_fn (a Node) whose next functions
// lead to the inputs' nodes; leaves end in an accumulator that adds into
// `.grad()`. `backward()` walks the nodes in dependency order. Backward runs
// with grad mode off and tracing suspended, so it never builds a graph and
// never appears in a trace (the compiler differentiates traced graphs itself,
// with nn-autodiff).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_AUTOGRAD_H
#define NNC_FRONTEND_AUTOGRAD_H

#include "frontend/Tensor.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nnc {

//===----------------------------------------------------------------------===//
// Grad mode
//===----------------------------------------------------------------------===//

/// Whether ops record autograd history on this thread (torch's GradMode).
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

/// Sets grad mode for its lifetime on this thread and restores the previous
/// mode after, as torch::AutoGradMode.
class AutoGradMode {
public:
  explicit AutoGradMode(bool enabled);
  ~AutoGradMode();
  AutoGradMode(const AutoGradMode &) = delete;
  AutoGradMode &operator=(const AutoGradMode &) = delete;

private:
  bool previous_;
};

/// Turns grad mode off for its lifetime on this thread, as
/// torch::NoGradGuard: ops inside record no graph.
class NoGradGuard : public AutoGradMode {
public:
  NoGradGuard() : AutoGradMode(false) {}
};

namespace autograd {

//===----------------------------------------------------------------------===//
// The graph
//===----------------------------------------------------------------------===//

/// One backward step: the gradient of an op's inputs from its output's.
class Node {
public:
  Node(std::string name, std::vector<std::shared_ptr<Node>> nextFunctions);
  virtual ~Node();
  Node(const Node &) = delete;
  Node &operator=(const Node &) = delete;

  /// PyTorch's class name of the node ("MulBackward0", "AccumulateGrad").
  const std::string &name() const { return name_; }
  /// One entry per op input: the node its gradient flows to, or null when
  /// the input needs no gradient.
  const std::vector<std::shared_ptr<Node>> &next_functions() const {
    return nextFunctions_;
  }

  /// Gradients for the inputs (one per next function; undefined where
  /// none flows), given the output's gradient.
  virtual std::vector<Tensor> apply(const Tensor &gradOutput) = 0;
  /// Frees the tensors saved for backward (backward without retain_graph).
  virtual void releaseSavedTensors() {}

private:
  std::string name_;
  std::vector<std::shared_ptr<Node>> nextFunctions_;
};

/// The autograd state of one tensor (TensorImpl::autograd).
struct AutogradMeta {
  /// Set by requires_grad_ on a leaf.
  bool requiresGrad = false;
  /// Accumulated gradient of a leaf; undefined until backward reaches it.
  Tensor grad;
  /// The node that made this tensor; null for a leaf.
  std::shared_ptr<Node> gradFn;
  /// A leaf's accumulator, shared by every node that uses the leaf.
  std::weak_ptr<Node> gradAccumulator;
};

/// What an op's backward function receives.
struct BackwardArgs {
  /// Gradient of the op's output.
  const Tensor &grad;
  /// The tensors the op saved (detached), in the order it gave them.
  const std::vector<Tensor> &saved;
  /// needsGrad[i]: whether input i needs a gradient (skip the others).
  const std::vector<bool> &needsGrad;
};
using BackwardFunction =
    std::function<std::vector<Tensor>(const BackwardArgs &)>;

/// Called by each differentiable op after computing `output`: if grad mode
/// is on and some input requires grad, gives `output` a node named `name`
/// that runs `backward` (one gradient per input) with `saved` (stored
/// detached, freed after a backward without retain_graph).
void recordGradient(const Tensor &output, const char *name,
                    const std::vector<Tensor> &inputs,
                    const std::vector<Tensor> &saved,
                    BackwardFunction backward);

/// Whether an op on `inputs` would record history now.
bool anyRequiresGrad(const std::vector<Tensor> &inputs);

// In-place ops that record history (PyTorch's rebase_history): the
// functional op runs on a copy of the tensor that carries its history, and
// the tensor then takes the result's history.

/// Throws unless `self` may be written in place by `op` while recording
/// history: not a leaf that requires grad, and no view with history shares
/// its storage (nnc does not regenerate views' history, as PyTorch does).
void checkInPlaceWithHistory(const char *op, const Tensor &self);
/// A dense copy of `t` with t's grad_fn: the functional op's input.
Tensor copyWithHistory(const Tensor &t);
/// Gives `self` the history of `value`, the result now in self's memory.
void rebaseHistory(const Tensor &self, const Tensor &value);

/// Resets the .grad() of each tensor that has one: to undefined
/// (`setToNone`, PyTorch's default) or to zeros. What Module::zero_grad and
/// Optimizer::zero_grad both do, over their own parameters.
void zeroGrads(const std::vector<Tensor> &tensors, bool setToNone);

/// `grad` summed over the dims that broadcasting added or stretched, so it
/// has `shape` (an input's shape).
Tensor sumToShape(const Tensor &grad, const IntList &shape);

} // namespace autograd
} // namespace nnc

#endif // NNC_FRONTEND_AUTOGRAD_H
