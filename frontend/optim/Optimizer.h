//===- frontend/optim/Optimizer.h - Optimizers and param groups -*- C++ -*-===//
//
// libtorch's optimizers (SGD, Adam, AdamW, RMSprop, Adagrad) with PyTorch's
// defaults and update rules (the single-tensor paths of torch/optim/*.py,
// PyTorch 1.13), and param groups with their own options. Written so that
// nnc::jit can trace step() into a compiled training step:
//   - the update is made only of traceable tensor ops and in-place ops;
//   - every piece of state is a tensor (momentum buffers, exp_avg,
//     exp_avg_sq, and step counts, 0-d float tensors incremented in place,
//     as with PyTorch's `capturable=True`); bias corrections and Adagrad's
//     decayed lr are computed from them with tensor ops, so no per-step host
//     value is ever baked into a traced constant;
//   - each group's learning rate is read from a 0-d tensor as well (PyTorch's
//     tensor lr), which an LR scheduler updates in place: a compiled step
//     sees a new lr without retracing. The other hyper-parameters become
//     constants of a traced step (a compiled step guards on them);
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

/// Parameters optimized with the same options (libtorch's
/// OptimizerParamGroup). A group made without options takes the
/// optimizer's defaults when it joins an optimizer.
class OptimizerParamGroup {
public:
  OptimizerParamGroup(std::vector<Tensor> params);
  OptimizerParamGroup(std::vector<Tensor> params,
                      std::unique_ptr<OptimizerOptions> options);
  /// A copy is another group: same parameters and options, its own lr
  /// tensor.
  OptimizerParamGroup(const OptimizerParamGroup &other);
  /// Takes `other`'s parameters and options and keeps this group's lr
  /// tensor (a compiled step may be reading it).
  OptimizerParamGroup &operator=(const OptimizerParamGroup &other);
  /// Moves carry the lr tensor along (a vector of groups may reallocate).
  OptimizerParamGroup(OptimizerParamGroup &&) = default;
  OptimizerParamGroup &operator=(OptimizerParamGroup &&) = default;

  std::vector<Tensor> &params() { return params_; }
  const std::vector<Tensor> &params() const { return params_; }
  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions &options();
  const OptimizerOptions &options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options);

  /// The learning rate step() reads: a 0-d Float tensor, the same
  /// TensorImpl for the group's life, holding options().get_lr(). A value
  /// set through options().set_lr() is written into it (in place, never
  /// traced) the next time it is read.
  const Tensor &lr_tensor() const;
  /// Sets options().set_lr(lr) and writes it into lr_tensor() now.
  void set_lr(double lr);

private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
  /// Created on first read; lrValue_ is the value it holds.
  mutable Tensor lr_;
  mutable double lrValue_ = 0;
};

/// One parameter's state: named tensors ("momentum_buffer", "step",
/// "exp_avg", ...), in a fixed order per optimizer.
using ParamState = std::vector<std::pair<std::string, Tensor>>;

/// An optimizer's state_dict in PyTorch's layout, flattened to fit a
/// safetensors file (tensors plus a string map):
///   - `state`: "state.<i>.<name>" for the i-th optimized parameter (groups
///     in order) and each of its state tensors, named as in PyTorch ("step",
///     "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer",
///     "square_avg", "grad_avg", "sum"; SGD with dampening adds nnc's
///     "momentum_initialized"; RMSprop's "step", a Python int in PyTorch,
///     is a 0-d float tensor);
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

  /// Adds a group of parameters, with its own options or (without) a copy
  /// of the defaults. Options of another optimizer, invalid values and a
  /// parameter that another group holds are errors.
  void add_param_group(const OptimizerParamGroup &param_group);
  std::vector<OptimizerParamGroup> &param_groups() { return paramGroups_; }
  const std::vector<OptimizerParamGroup> &param_groups() const {
    return paramGroups_;
  }
  const OptimizerOptions &defaults() const { return *defaults_; }
  /// Every optimized parameter, groups in order.
  std::vector<Tensor> parameters() const;
  /// Every group's hyper-parameters except the learning rate, as text: the
  /// constants a traced step() holds (it reads the lr from the groups' lr
  /// tensors), so a compiled step guards on it. For options of an optimizer
  /// defined outside nnc, just the lr.
  std::string traced_hyperparameters() const;

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
  /// tensors (and lr tensors) are updated in place (a compiled step keeps
  /// seeing them); parameters without saved state start afresh. Mismatched
  /// groups, unknown or missing keys and wrong shapes are an error naming
  /// them, and then nothing changes.
  void load_state_dict(const OptimizerStateDict &state_dict);

protected:
  /// Groups without options get a copy of `defaults`. The derived
  /// constructor checks every group with checkOptions().
  Optimizer(std::vector<OptimizerParamGroup> param_groups,
            std::unique_ptr<OptimizerOptions> defaults);
  /// Throws unless `options` are valid options of this optimizer
  /// (PyTorch's checks and messages).
  virtual void checkOptions(const OptimizerOptions &options) const = 0;
  /// checkOptions() on the defaults and every group.
  void checkAllOptions() const;
  /// The state a new parameter starts with.
  virtual ParamState initialState(const Tensor &param,
                                  const OptimizerOptions &options) const = 0;
  /// The state tensor `name` of `param` (init_state() must have run).
  const Tensor &stateTensor(const Tensor &param, const std::string &name) const;

private:
  /// `paramGroup` checked to join this optimizer (leaf Float parameters
  /// that no group holds), with a copy of the defaults if it has no options.
  OptimizerParamGroup withOptions(const OptimizerParamGroup &paramGroup) const;

  std::vector<OptimizerParamGroup> paramGroups_;
  std::unique_ptr<OptimizerOptions> defaults_;
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
  SGD(std::vector<Tensor> params, const SGDOptions &defaults);
  SGD(std::vector<OptimizerParamGroup> param_groups,
      const SGDOptions &defaults);
  void step() override;

protected:
  void checkOptions(const OptimizerOptions &options) const override;
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
  Adam(std::vector<Tensor> params, const AdamOptions &defaults = {});
  Adam(std::vector<OptimizerParamGroup> param_groups,
       const AdamOptions &defaults = {});
  void step() override;

protected:
  void checkOptions(const OptimizerOptions &options) const override;
  ParamState initialState(const Tensor &param,
                          const OptimizerOptions &options) const override;
};

//===----------------------------------------------------------------------===//
// AdamW
//===----------------------------------------------------------------------===//

class AdamWOptions : public OptimizerOptions {
public:
  AdamWOptions(double lr = 1e-3) : lr_(lr) {}
  AdamWOptions &lr(double v) {
    lr_ = v;
    return *this;
  }
  AdamWOptions &betas(const std::tuple<double, double> &v) {
    betas_ = v;
    return *this;
  }
  AdamWOptions &eps(double v) {
    eps_ = v;
    return *this;
  }
  AdamWOptions &weight_decay(double v) {
    weightDecay_ = v;
    return *this;
  }
  AdamWOptions &amsgrad(bool v) {
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
  double weightDecay_ = 1e-2;
  bool amsgrad_ = false;
};

/// Adam with decoupled weight decay (the parameter is scaled by
/// 1 - lr * weight_decay before the Adam update). State as Adam's.
class AdamW : public Optimizer {
public:
  AdamW(std::vector<Tensor> params, const AdamWOptions &defaults = {});
  AdamW(std::vector<OptimizerParamGroup> param_groups,
        const AdamWOptions &defaults = {});
  void step() override;

protected:
  void checkOptions(const OptimizerOptions &options) const override;
  ParamState initialState(const Tensor &param,
                          const OptimizerOptions &options) const override;
};

//===----------------------------------------------------------------------===//
// RMSprop
//===----------------------------------------------------------------------===//

class RMSpropOptions : public OptimizerOptions {
public:
  RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  RMSpropOptions &lr(double v) {
    lr_ = v;
    return *this;
  }
  RMSpropOptions &alpha(double v) {
    alpha_ = v;
    return *this;
  }
  RMSpropOptions &eps(double v) {
    eps_ = v;
    return *this;
  }
  RMSpropOptions &weight_decay(double v) {
    weightDecay_ = v;
    return *this;
  }
  RMSpropOptions &momentum(double v) {
    momentum_ = v;
    return *this;
  }
  RMSpropOptions &centered(bool v) {
    centered_ = v;
    return *this;
  }
  double lr() const { return lr_; }
  double alpha() const { return alpha_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weightDecay_; }
  double momentum() const { return momentum_; }
  bool centered() const { return centered_; }

  std::unique_ptr<OptimizerOptions> clone() const override;
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }

private:
  double lr_;
  double alpha_ = 0.99;
  double eps_ = 1e-8;
  double weightDecay_ = 0;
  double momentum_ = 0;
  bool centered_ = false;
};

/// RMSprop (PyTorch's form: eps added to the root, L2 weight decay added to
/// the gradient). State per parameter: "step" (0-d float, counted but not
/// used by the update), "square_avg", "momentum_buffer" when momentum > 0,
/// and "grad_avg" when centered.
class RMSprop : public Optimizer {
public:
  RMSprop(std::vector<Tensor> params, const RMSpropOptions &defaults = {});
  RMSprop(std::vector<OptimizerParamGroup> param_groups,
          const RMSpropOptions &defaults = {});
  void step() override;

protected:
  void checkOptions(const OptimizerOptions &options) const override;
  ParamState initialState(const Tensor &param,
                          const OptimizerOptions &options) const override;
};

//===----------------------------------------------------------------------===//
// Adagrad
//===----------------------------------------------------------------------===//

class AdagradOptions : public OptimizerOptions {
public:
  AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  AdagradOptions &lr(double v) {
    lr_ = v;
    return *this;
  }
  AdagradOptions &lr_decay(double v) {
    lrDecay_ = v;
    return *this;
  }
  AdagradOptions &weight_decay(double v) {
    weightDecay_ = v;
    return *this;
  }
  AdagradOptions &initial_accumulator_value(double v) {
    initialAccumulatorValue_ = v;
    return *this;
  }
  AdagradOptions &eps(double v) {
    eps_ = v;
    return *this;
  }
  double lr() const { return lr_; }
  double lr_decay() const { return lrDecay_; }
  double weight_decay() const { return weightDecay_; }
  double initial_accumulator_value() const { return initialAccumulatorValue_; }
  double eps() const { return eps_; }

  std::unique_ptr<OptimizerOptions> clone() const override;
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }

private:
  double lr_;
  double lrDecay_ = 0;
  double weightDecay_ = 0;
  double initialAccumulatorValue_ = 0;
  double eps_ = 1e-10;
};

/// Adagrad (the step's lr is lr / (1 + (step - 1) * lr_decay)). State per
/// parameter: "step" (0-d float) and "sum", which starts at the defaults'
/// initial_accumulator_value (as in PyTorch and libtorch, a group's own
/// value is not used). As in PyTorch, the constructor creates the state of
/// every parameter.
class Adagrad : public Optimizer {
public:
  Adagrad(std::vector<Tensor> params, const AdagradOptions &defaults = {});
  Adagrad(std::vector<OptimizerParamGroup> param_groups,
          const AdagradOptions &defaults = {});
  void step() override;

protected:
  void checkOptions(const OptimizerOptions &options) const override;
  ParamState initialState(const Tensor &param,
                          const OptimizerOptions &options) const override;
};

} // namespace nnc::optim

#endif // NNC_FRONTEND_OPTIM_OPTIMIZER_H
