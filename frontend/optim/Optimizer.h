//===- frontend/optim/Optimizer.h - optim::Optimizer, SGD, Adam -*- C++ -*-===//
//
// libtorch's optimizers with PyTorch's defaults and update rules (the
// single-tensor paths of torch/optim/sgd.py and adam.py). Written so that
// nnc::jit can trace step() into a compiled training step:
//   - the update is made only of traceable tensor ops and in-place ops;
//   - every piece of state is a tensor (momentum buffers, exp_avg,
//     exp_avg_sq, and Adam's step count, a 0-d float tensor incremented in
//     place, as with PyTorch's `capturable=True`); bias corrections are
//     computed from it with tensor ops, so no per-step host value is ever
//     baked into a traced constant;
//   - init_state() creates all state up front (step() calls it too), so a
//     tracer can enumerate state_tensors() before tracing the first step.
// step() runs under NoGradGuard.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_OPTIM_OPTIMIZER_H
#define NNC_FRONTEND_OPTIM_OPTIMIZER_H

#include "frontend/Tensor.h"
#include "frontend/nn/Module.h"

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace nnc::optim {

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

/// Options common to every optimizer (libtorch's OptimizerOptions).
class OptimizerOptions {
public:
  virtual ~OptimizerOptions();
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
};

/// Parameters optimized with the same options.
class OptimizerParamGroup {
public:
  OptimizerParamGroup(std::vector<Tensor> params,
                      std::unique_ptr<OptimizerOptions> options);
  OptimizerParamGroup(const OptimizerParamGroup &other);
  OptimizerParamGroup &operator=(const OptimizerParamGroup &other);

  std::vector<Tensor> &params() { return params_; }
  const std::vector<Tensor> &params() const { return params_; }
  OptimizerOptions &options() { return *options_; }
  const OptimizerOptions &options() const { return *options_; }

private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

/// One parameter's state: named tensors ("momentum_buffer", "step",
/// "exp_avg", ...), in a fixed order per optimizer.
using ParamState = std::vector<std::pair<std::string, Tensor>>;

/// An optimizer's state_dict in PyTorch's layout, flattened to fit a
/// safetensors file (tensors plus a string map):
///   - `state`: "state.<i>.<name>" for the i-th optimized parameter (groups
///     in order) and each of its state tensors ("step", "exp_avg",
///     "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer"; SGD with
///     dampening adds nnc's "momentum_initialized");
///   - `param_groups`: the JSON text of PyTorch's param_groups list, each
///     group's hyper-parameters and "params", its parameters' indices:
///     [{"lr": 0.001, "betas": [0.9, 0.999], ..., "params": [0, 1]}].
struct OptimizerStateDict {
  OrderedDict<std::string, Tensor> state;
  std::string param_groups;
};

class Optimizer {
public:
  virtual ~Optimizer();
  Optimizer(const Optimizer &) = delete;
  Optimizer &operator=(const Optimizer &) = delete;

  /// Updates every parameter that has a gradient, in place.
  virtual void step() = 0;
  /// Resets the gradients of the optimized parameters: to undefined
  /// (set_to_none, PyTorch's default) or to zeros.
  void zero_grad(bool set_to_none = true);

  std::vector<OptimizerParamGroup> &param_groups() { return paramGroups_; }
  const std::vector<OptimizerParamGroup> &param_groups() const {
    return paramGroups_;
  }
  /// Every optimized parameter, groups in order.
  std::vector<Tensor> parameters() const;

  /// Creates the state of every parameter if absent (zeros, step 0); called
  /// by step(), and by a tracer before tracing the first step.
  void init_state();
  /// The state of `param`, or nullptr before init_state().
  const ParamState *state(const Tensor &param) const;
  /// Every state tensor, in a stable order: parameters in group order, each
  /// parameter's tensors in its ParamState order. Their TensorImpls stay
  /// the same for the optimizer's life (updates are in place).
  std::vector<Tensor> state_tensors() const;

  /// The state and hyper-parameters, sharing the state tensors' storage.
  OptimizerStateDict state_dict() const;
  /// Takes over a state_dict as PyTorch does: the groups' hyper-parameters
  /// are replaced by the saved ones, and the saved state of the i-th
  /// parameter becomes the state of this optimizer's i-th parameter. State
  /// tensors are updated in place (a compiled step keeps seeing them);
  /// parameters without saved state start afresh. Mismatched groups,
  /// unknown or missing keys and wrong shapes are an error naming them, and
  /// then nothing changes.
  void load_state_dict(const OptimizerStateDict &state_dict);

protected:
  Optimizer(std::vector<Tensor> params,
            std::unique_ptr<OptimizerOptions> defaults);
  /// The state a new parameter starts with.
  virtual ParamState initialState(const Tensor &param,
                                  const OptimizerOptions &options) const = 0;
  /// The state tensor `name` of `param` (init_state() must have run).
  const Tensor &stateTensor(const Tensor &param, const std::string &name) const;

private:
  std::vector<OptimizerParamGroup> paramGroups_;
  std::map<const void *, ParamState> state_;
};

//===----------------------------------------------------------------------===//
// SGD
//===----------------------------------------------------------------------===//

class SGDOptions : public OptimizerOptions {
public:
  SGDOptions(double lr) : lr_(lr) {}
  SGDOptions &lr(double v) {
    lr_ = v;
    return *this;
  }
  SGDOptions &momentum(double v) {
    momentum_ = v;
    return *this;
  }
  SGDOptions &dampening(double v) {
    dampening_ = v;
    return *this;
  }
  SGDOptions &weight_decay(double v) {
    weightDecay_ = v;
    return *this;
  }
  SGDOptions &nesterov(bool v) {
    nesterov_ = v;
    return *this;
  }
  double lr() const { return lr_; }
  double momentum() const { return momentum_; }
  double dampening() const { return dampening_; }
  double weight_decay() const { return weightDecay_; }
  bool nesterov() const { return nesterov_; }

  std::unique_ptr<OptimizerOptions> clone() const override;
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }

private:
  double lr_;
  double momentum_ = 0;
  double dampening_ = 0;
  double weightDecay_ = 0;
  bool nesterov_ = false;
};

/// Stochastic gradient descent with optional momentum (PyTorch's
/// formulation: buf = momentum * buf + (1 - dampening) * g, buf = g on the
/// first step), Nesterov momentum and weight decay.
///
/// State per parameter when momentum != 0: "momentum_buffer" (zeros until
/// the first step) and "momentum_initialized", a 0-d tensor that is 0
/// before the first step and 1 after; it makes the first step's buf = g
/// part of the traced update instead of a host-side branch.
class SGD : public Optimizer {
public:
  SGD(std::vector<Tensor> params, const SGDOptions &options);
  void step() override;

protected:
  ParamState initialState(const Tensor &param,
                          const OptimizerOptions &options) const override;
};

//===----------------------------------------------------------------------===//
// Adam
//===----------------------------------------------------------------------===//

class AdamOptions : public OptimizerOptions {
public:
  AdamOptions(double lr = 1e-3) : lr_(lr) {}
  AdamOptions &lr(double v) {
    lr_ = v;
    return *this;
  }
  AdamOptions &betas(const std::tuple<double, double> &v) {
    betas_ = v;
    return *this;
  }
  AdamOptions &eps(double v) {
    eps_ = v;
    return *this;
  }
  AdamOptions &weight_decay(double v) {
    weightDecay_ = v;
    return *this;
  }
  AdamOptions &amsgrad(bool v) {
    amsgrad_ = v;
    return *this;
  }
  double lr() const { return lr_; }
  const std::tuple<double, double> &betas() const { return betas_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weightDecay_; }
  bool amsgrad() const { return amsgrad_; }

  std::unique_ptr<OptimizerOptions> clone() const override;
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }

private:
  double lr_;
  std::tuple<double, double> betas_{0.9, 0.999};
  double eps_ = 1e-8;
  double weightDecay_ = 0;
  bool amsgrad_ = false;
};

/// Adam (PyTorch's update, L2 weight decay added to the gradient). State
/// per parameter: "step" (0-d float), "exp_avg", "exp_avg_sq", and
/// "max_exp_avg_sq" with amsgrad.
class Adam : public Optimizer {
public:
  Adam(std::vector<Tensor> params, const AdamOptions &options = {});
  void step() override;

protected:
  ParamState initialState(const Tensor &param,
                          const OptimizerOptions &options) const override;
};

} // namespace nnc::optim

#endif // NNC_FRONTEND_OPTIM_OPTIMIZER_H
