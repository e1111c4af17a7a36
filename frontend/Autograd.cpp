//===- frontend/Autograd.cpp - Grad mode, graph nodes, backward engine ----===//
//
// The engine is Kahn's algorithm over the nodes reachable from the root: a
// node runs once every node that feeds it a gradient has run, so each node
// sees the sum of all its output's uses. Single-threaded, like PyTorch's CPU
// engine for one graph.
//
//===----------------------------------------------------------------------===//
#include "frontend/Autograd.h"

#include "frontend/Autocast.h"
#include "frontend/TensorInternal.h"
#include "frontend/TraceHook.h"

#include <unordered_map>
#include <unordered_set>

namespace nnc {

//===----------------------------------------------------------------------===//
// Grad mode
//===----------------------------------------------------------------------===//

namespace {
thread_local bool gradModeEnabled = true;
} // namespace

bool GradMode::is_enabled() { return gradModeEnabled; }
void GradMode::set_enabled(bool enabled) { gradModeEnabled = enabled; }

AutoGradMode::AutoGradMode(bool enabled) : previous_(gradModeEnabled) {
  gradModeEnabled = enabled;
}
AutoGradMode::~AutoGradMode() { gradModeEnabled = previous_; }

namespace autograd {

namespace {

constexpr const char *kFreedGraphMessage =
    "Trying to backward through the graph a second time (or directly access "
    "saved tensors after they have already been freed). Saved intermediate "
    "values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors "
    "after calling backward.";

AutogradMeta *metaOf(const Tensor &t) {
  return t.defined() ? t.unsafeGetTensorImpl()->autograd.get() : nullptr;
}

/// Adds gradients into a leaf's .grad(). Holds the leaf (as PyTorch's
/// AccumulateGrad does); the leaf holds this node only weakly.
class AccumulateGrad final : public Node {
public:
  explicit AccumulateGrad(Tensor variable)
      : Node("AccumulateGrad", {}), variable_(std::move(variable)) {}

  std::vector<Tensor> apply(const Tensor &gradOutput) override {
    Tensor &grad = variable_.mutable_grad();
    if (!grad.defined())
      // A copy: the incoming gradient may be shared with other inputs
      // (add passes the same tensor to both) or be a broadcast view.
      grad = gradOutput.clone();
    else
      grad.add_(gradOutput);
    return {};
  }

private:
  Tensor variable_;
};

/// What autograd remembers about a saved tensor besides its value, to
/// refuse it once an in-place op has modified it (PyTorch's
/// SavedVariable).
struct SavedVersion {
  uint32_t version;
  /// The node that made the tensor ("" for a leaf): named in the error.
  std::string producer;
};

/// PyTorch's legacy type name in messages: "torch.FloatTensor".
std::string legacyTypeName(ScalarType type) {
  return std::string("torch.") + toString(type) + "Tensor";
}

/// An op's backward: a function of the output gradient and saved tensors.
class FunctionNode final : public Node {
public:
  FunctionNode(const char *name, std::vector<std::shared_ptr<Node>> next,
               std::vector<Tensor> saved, std::vector<SavedVersion> versions,
               BackwardFunction backward)
      : Node(name, std::move(next)), saved_(std::move(saved)),
        versions_(std::move(versions)), backward_(std::move(backward)) {
    for (const std::shared_ptr<Node> &n : next_functions())
      needsGrad_.push_back(n != nullptr);
  }

  std::vector<Tensor> apply(const Tensor &gradOutput) override {
    if (released_)
      throw Error(kFreedGraphMessage);
    checkVersions();
    return backward_(BackwardArgs{gradOutput, saved_, needsGrad_});
  }

  // As in PyTorch, only a node that saved tensors refuses a second
  // backward; one that saved nothing (add, neg) can run again.
  void releaseSavedTensors() override {
    if (saved_.empty())
      return;
    saved_.clear();
    released_ = true;
  }

private:
  void checkVersions() const {
    for (size_t i = 0; i < saved_.size(); ++i) {
      const Tensor &t = saved_[i];
      if (!t.defined() || t._version() == versions_[i].version)
        continue;
      std::string message =
          "one of the variables needed for gradient computation has been "
          "modified by an inplace operation: [" +
          legacyTypeName(t.dtype()) + " " + shapeToString(t.sizes()) + "]";
      if (!versions_[i].producer.empty())
        message += ", which is output 0 of " + versions_[i].producer + ",";
      message += " is at version " + std::to_string(t._version()) +
                 "; expected version " + std::to_string(versions_[i].version) +
                 " instead. Hint: enable anomaly detection to find the "
                 "operation that failed to compute its gradient, with "
                 "torch.autograd.set_detect_anomaly(True).";
      throw Error(message);
    }
  }

  std::vector<Tensor> saved_;
  std::vector<SavedVersion> versions_;
  BackwardFunction backward_;
  std::vector<bool> needsGrad_;
  bool released_ = false;
};

/// The node a gradient for `t` flows into: its grad_fn, a leaf's
/// accumulator, or null when it needs no gradient.
std::shared_ptr<Node> gradientEdge(const Tensor &t) {
  AutogradMeta *meta = metaOf(t);
  if (!meta)
    return nullptr;
  if (meta->gradFn)
    return meta->gradFn;
  if (!meta->requiresGrad)
    return nullptr;
  std::shared_ptr<Node> accumulator = meta->gradAccumulator.lock();
  if (!accumulator) {
    accumulator = std::make_shared<AccumulateGrad>(t);
    meta->gradAccumulator = accumulator;
  }
  return accumulator;
}

} // namespace

Node::Node(std::string name, std::vector<std::shared_ptr<Node>> nextFunctions)
    : name_(std::move(name)), nextFunctions_(std::move(nextFunctions)) {}
Node::~Node() = default;

bool anyRequiresGrad(const std::vector<Tensor> &inputs) {
  if (!GradMode::is_enabled())
    return false;
  for (const Tensor &t : inputs)
    if (t.defined() && t.requires_grad())
      return true;
  return false;
}

void recordGradient(const Tensor &output, const char *name,
                    const std::vector<Tensor> &inputs,
                    const std::vector<Tensor> &saved,
                    BackwardFunction backward) {
  if (!anyRequiresGrad(inputs))
    return;
  std::vector<std::shared_ptr<Node>> next;
  for (const Tensor &t : inputs) {
    // An op that returned its input unchanged (contiguous() of a
    // contiguous tensor) has no history of its own to record.
    if (t.unsafeGetTensorImpl() == output.unsafeGetTensorImpl())
      return;
    next.push_back(gradientEdge(t));
  }
  // Saved tensors are stored detached: a saved output must not hold its
  // own node (a cycle), and backward must not extend the graph. Their
  // versions now are what backward expects to find.
  std::vector<Tensor> detached;
  std::vector<SavedVersion> versions;
  // Detaching is bookkeeping, not part of a traced program: a saved tensor
  // no traced op produced (max_pool2d's indices) must not become an input.
  TraceHookGuard untraced(nullptr);
  for (const Tensor &t : saved) {
    detached.push_back(t.defined() ? t.detach() : t);
    if (!t.defined()) {
      versions.push_back({0, ""});
      continue;
    }
    bool isOutput = t.unsafeGetTensorImpl() == output.unsafeGetTensorImpl();
    std::string producer = isOutput      ? name
                           : t.grad_fn() ? t.grad_fn()->name()
                                         : "";
    versions.push_back(
        {static_cast<uint32_t>(t._version()), std::move(producer)});
  }
  TensorImpl *outputImpl = output.unsafeGetTensorImpl();
  // A view's history goes stale if its storage is written in place.
  for (const Tensor &t : inputs)
    if (t.defined() && t.unsafeGetTensorImpl()->storage == outputImpl->storage)
      outputImpl->viewMark.mark(outputImpl->storage.get());
  auto &meta = outputImpl->autograd;
  if (!meta)
    meta = std::make_shared<AutogradMeta>();
  meta->gradFn =
      std::make_shared<FunctionNode>(name, std::move(next), std::move(detached),
                                     std::move(versions), std::move(backward));
}

void checkInPlaceWithHistory(const char *op, const Tensor &self) {
  if (self.is_leaf() && self.requires_grad())
    throw Error(std::string(op) +
                ": a leaf Variable that requires grad is being used in an "
                "in-place operation.");
  if (self.unsafeGetTensorImpl()->storage->autogradViews() > 0)
    throw Error(std::string(op) +
                ": in-place operations on a view of a tensor that takes part "
                "in autograd, or on a tensor that has such views, are not "
                "supported; use the out-of-place op (or clone() first)");
}

Tensor copyWithHistory(const Tensor &t) {
  Tensor copy = detail::denseCopy(t);
  if (const std::shared_ptr<Node> &gradFn = t.grad_fn()) {
    auto meta = std::make_shared<AutogradMeta>();
    meta->gradFn = gradFn;
    copy.unsafeGetTensorImpl()->autograd = std::move(meta);
  }
  return copy;
}

void rebaseHistory(const Tensor &self, const Tensor &value) {
  auto &meta = self.unsafeGetTensorImpl()->autograd;
  if (!meta)
    meta = std::make_shared<AutogradMeta>();
  meta->gradFn = value.grad_fn();
}

Tensor sumToShape(const Tensor &grad, const IntList &shape) {
  if (grad.sizes() == shape)
    return grad;
  int64_t lead = grad.dim() - static_cast<int64_t>(shape.size());
  IntList dims;
  for (int64_t d = 0; d < grad.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && grad.size(d) != 1))
      dims.push_back(d);
  Tensor summed = dims.empty() ? grad : grad.sum(dims, /*keepdim=*/true);
  return summed.reshape(shape);
}

//===----------------------------------------------------------------------===//
// The engine
//===----------------------------------------------------------------------===//

namespace {

void runBackward(const Tensor &root, const Tensor &gradient, bool retainGraph) {
  // Backward ops compute in their forward ops' dtypes, whatever autocast
  // state backward() is called under (as PyTorch's engine).
  AutocastGuard autocastOff(autocast::get_autocast_dtype(), /*enabled=*/false);
  std::shared_ptr<Node> rootNode = gradientEdge(root);
  // Nodes' dependency counts: how many edges of the reachable graph lead
  // into each.
  std::unordered_map<Node *, int> dependencies;
  std::unordered_set<Node *> seen{rootNode.get()};
  std::vector<Node *> toVisit{rootNode.get()};
  while (!toVisit.empty()) {
    Node *node = toVisit.back();
    toVisit.pop_back();
    for (const std::shared_ptr<Node> &next : node->next_functions()) {
      if (!next)
        continue;
      ++dependencies[next.get()];
      if (seen.insert(next.get()).second)
        toVisit.push_back(next.get());
    }
  }

  std::unordered_map<Node *, Tensor> pending{{rootNode.get(), gradient}};
  std::vector<std::shared_ptr<Node>> ready{rootNode};
  while (!ready.empty()) {
    std::shared_ptr<Node> node = std::move(ready.back());
    ready.pop_back();
    Tensor grad = std::move(pending[node.get()]);
    pending.erase(node.get());
    std::vector<Tensor> inputGrads;
    if (grad.defined())
      inputGrads = node->apply(grad);
    if (!retainGraph)
      node->releaseSavedTensors();
    const auto &next = node->next_functions();
    for (size_t i = 0; i < next.size(); ++i) {
      if (!next[i])
        continue;
      if (i < inputGrads.size() && inputGrads[i].defined()) {
        Tensor &slot = pending[next[i].get()];
        slot = slot.defined() ? slot.add(inputGrads[i]) : inputGrads[i];
      }
      if (--dependencies[next[i].get()] == 0)
        ready.push_back(next[i]);
    }
  }
}

} // namespace
void zeroGrads(const std::vector<Tensor> &tensors, bool setToNone) {
  NoGradGuard noGrad;
  for (const Tensor &t : tensors) {
    if (!t.grad().defined())
      continue;
    if (setToNone)
      t.mutable_grad() = Tensor();
    else
      t.mutable_grad().zero_();
  }
}

} // namespace autograd

//===----------------------------------------------------------------------===//
// Tensor's autograd methods
//===----------------------------------------------------------------------===//

namespace {

autograd::AutogradMeta &ensureMeta(const Tensor &t) {
  auto &meta = t.unsafeGetTensorImpl()->autograd;
  if (!meta)
    meta = std::make_shared<autograd::AutogradMeta>();
  return *meta;
}

} // namespace

const Tensor &Tensor::requires_grad_(bool requires_grad) const {
  if (!defined())
    throw Error("requires_grad_: called on an undefined tensor");
  if (!is_leaf())
    throw Error(requires_grad
                    ? "requires_grad_: you can only change requires_grad "
                      "flags of leaf variables."
                    : "requires_grad_: you can only change requires_grad "
                      "flags of leaf variables. If you want to use a computed "
                      "variable in a subgraph that doesn't require "
                      "differentiation use var_no_grad = var.detach().");
  if (requires_grad && !isFloatingType(dtype()))
    throw Error(std::string("requires_grad_: only Tensors of floating point "
                            "dtype can require gradients (got ") +
                toString(dtype()) + ")");
  ensureMeta(*this).requiresGrad = requires_grad;
  return *this;
}

bool Tensor::requires_grad() const {
  const autograd::AutogradMeta *meta = autograd::metaOf(*this);
  return meta && (meta->requiresGrad || meta->gradFn);
}

const Tensor &Tensor::grad() const {
  static const Tensor undefined;
  const autograd::AutogradMeta *meta = autograd::metaOf(*this);
  return meta ? meta->grad : undefined;
}

Tensor &Tensor::mutable_grad() const {
  if (!defined())
    throw Error("mutable_grad: called on an undefined tensor");
  return ensureMeta(*this).grad;
}

void Tensor::set_grad(const Tensor &grad) const {
  if (grad.defined() && (grad.dtype() != dtype() || grad.sizes() != sizes()))
    throw Error("set_grad: assigned grad has data of a different type or "
                "size: " +
                std::string(toString(grad.dtype())) +
                shapeToString(grad.sizes()) + " for a tensor of " +
                toString(dtype()) + shapeToString(sizes()));
  mutable_grad() = grad;
}

void Tensor::backward(const Tensor &gradient, std::optional<bool> retain_graph,
                      bool create_graph) const {
  if (!defined())
    throw Error("backward: called on an undefined tensor");
  if (create_graph)
    throw Error("backward: create_graph=true (higher-order gradients) is "
                "not supported yet");
  if (!requires_grad())
    throw Error("backward: element 0 of tensors does not require grad and "
                "does not have a grad_fn");
  if (gradient.defined() &&
      (gradient.dtype() != dtype() || gradient.sizes() != sizes()))
    throw Error("backward: Mismatch in shape: grad_output[0] has a shape of " +
                shapeToString(gradient.sizes()) +
                " and output[0] has a shape of " + shapeToString(sizes()));
  if (!gradient.defined() && numel() != 1)
    throw Error("backward: grad can be implicitly created only for scalar "
                "outputs (this tensor has shape " +
                shapeToString(sizes()) + ")");
  NoGradGuard noGrad;
  TraceHookGuard noTrace(nullptr);
  Tensor seed = gradient.defined() ? gradient : ones(sizes(), dtype());
  autograd::runBackward(*this, seed, retain_graph.value_or(create_graph));
}

Tensor Tensor::detach() const {
  const TensorImpl &t = impl("detach");
  return detail::traced(OpKind::Alias, {*this}, {}, [&] {
    return detail::makeView(*this, t.sizes, t.strides, t.storageOffset);
  });
}

bool Tensor::is_leaf() const {
  const autograd::AutogradMeta *meta = autograd::metaOf(*this);
  return !meta || !meta->gradFn;
}

const std::shared_ptr<autograd::Node> &Tensor::grad_fn() const {
  static const std::shared_ptr<autograd::Node> none;
  const autograd::AutogradMeta *meta = autograd::metaOf(*this);
  return meta ? meta->gradFn : none;
}

} // namespace nnc
