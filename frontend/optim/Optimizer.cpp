//===- frontend/optim/Optimizer.cpp - Optimizer state, SGD and Adam -------===//
//
// The updates follow torch/optim/sgd.py and adam.py (single-tensor paths)
// op for op, with in-place ops on parameters and state, so that eager and
// traced steps compute the same values in the same order.
//
//===----------------------------------------------------------------------===//
#include "frontend/optim/Optimizer.h"

#include "frontend/Autograd.h"
#include "frontend/TraceHook.h"

#include <cmath>
#include <sstream>

namespace nnc::optim {

namespace {

void checkNonNegative(const char *what, double value) {
  if (!(value >= 0.0)) {
    std::ostringstream os;
    os << "Invalid " << what << ": " << value;
    throw Error(os.str());
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

OptimizerOptions::~OptimizerOptions() = default;

OptimizerParamGroup::OptimizerParamGroup(
    std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options)
    : params_(std::move(params)), options_(std::move(options)) {}

OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup &other)
    : params_(other.params_), options_(other.options_->clone()) {}

OptimizerParamGroup &
OptimizerParamGroup::operator=(const OptimizerParamGroup &other) {
  params_ = other.params_;
  options_ = other.options_->clone();
  return *this;
}

Optimizer::Optimizer(std::vector<Tensor> params,
                     std::unique_ptr<OptimizerOptions> defaults) {
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor &p = params[i];
    if (!p.defined() || p.dtype() != kFloat32)
      throw Error("optimizer: parameter " + std::to_string(i) +
                  " must be a defined Float tensor");
    if (!p.is_leaf())
      throw Error("optimizer: can't optimize a non-leaf Tensor (parameter " +
                  std::to_string(i) + ")");
  }
  paramGroups_.emplace_back(std::move(params), std::move(defaults));
}

Optimizer::~Optimizer() = default;

void Optimizer::zero_grad(bool set_to_none) {
  autograd::zeroGrads(parameters(), set_to_none);
}

std::vector<Tensor> Optimizer::parameters() const {
  std::vector<Tensor> params;
  for (const OptimizerParamGroup &group : paramGroups_)
    params.insert(params.end(), group.params().begin(), group.params().end());
  return params;
}

void Optimizer::init_state() {
  NoGradGuard noGrad;
  // Fresh state tensors are values of the optimizer, not of a traced
  // program: a tracer reads them as captured state.
  TraceHookGuard noTrace(nullptr);
  for (const OptimizerParamGroup &group : paramGroups_)
    for (const Tensor &p : group.params())
      if (!state_.count(p.unsafeGetTensorImpl()))
        state_[p.unsafeGetTensorImpl()] = initialState(p, group.options());
}

const ParamState *Optimizer::state(const Tensor &param) const {
  auto it = state_.find(param.unsafeGetTensorImpl());
  return it == state_.end() ? nullptr : &it->second;
}

std::vector<Tensor> Optimizer::state_tensors() const {
  std::vector<Tensor> tensors;
  for (const Tensor &p : parameters())
    if (const ParamState *s = state(p))
      for (const auto &[name, tensor] : *s)
        tensors.push_back(tensor);
  return tensors;
}

const Tensor &Optimizer::stateTensor(const Tensor &param,
                                     const std::string &name) const {
  if (const ParamState *s = state(param))
    for (const auto &[key, tensor] : *s)
      if (key == name)
        return tensor;
  throw Error("optimizer: no state '" + name + "' for a parameter");
}

//===----------------------------------------------------------------------===//
// SGD
//===----------------------------------------------------------------------===//

std::unique_ptr<OptimizerOptions> SGDOptions::clone() const {
  return std::make_unique<SGDOptions>(*this);
}

SGD::SGD(std::vector<Tensor> params, const SGDOptions &options)
    : Optimizer(std::move(params), options.clone()) {
  checkNonNegative("learning rate", options.lr());
  checkNonNegative("momentum value", options.momentum());
  checkNonNegative("weight_decay value", options.weight_decay());
  if (options.nesterov() &&
      (options.momentum() <= 0 || options.dampening() != 0))
    throw Error("SGD: Nesterov momentum requires a momentum and zero "
                "dampening");
}

ParamState SGD::initialState(const Tensor &param,
                             const OptimizerOptions &groupOptions) const {
  const auto &options = static_cast<const SGDOptions &>(groupOptions);
  if (options.momentum() == 0)
    return {};
  ParamState state{{"momentum_buffer", zeros(param.sizes())}};
  if (options.dampening() != 0)
    state.emplace_back("momentum_initialized", scalar_tensor(0));
  return state;
}

void SGD::step() {
  NoGradGuard noGrad;
  init_state();
  for (OptimizerParamGroup &group : param_groups()) {
    const auto &options = static_cast<const SGDOptions &>(group.options());
    float lr = float(options.lr()), momentum = float(options.momentum()),
          dampening = float(options.dampening()),
          weightDecay = float(options.weight_decay());
    for (const Tensor &p : group.params()) {
      if (!p.grad().defined())
        continue;
      Tensor update = p.grad();
      if (weightDecay != 0)
        update = update + p * weightDecay;
      if (momentum != 0) {
        const Tensor &buf = stateTensor(p, "momentum_buffer");
        buf.mul_(momentum);
        if (dampening == 0) {
          // The buffer starts at zeros, so the first step gives buf = g.
          buf.add_(update);
        } else {
          // (1 - dampening) after the first step, 1 on it (buf = g).
          const Tensor &initialized = stateTensor(p, "momentum_initialized");
          buf.add_(update * (1.0f - initialized * dampening));
          initialized.fill_(1.0f);
        }
        update = options.nesterov() ? update + buf * momentum : buf;
      }
      p.add_(update, -lr);
    }
  }
}

//===----------------------------------------------------------------------===//
// Adam
//===----------------------------------------------------------------------===//

std::unique_ptr<OptimizerOptions> AdamOptions::clone() const {
  return std::make_unique<AdamOptions>(*this);
}

Adam::Adam(std::vector<Tensor> params, const AdamOptions &options)
    : Optimizer(std::move(params), options.clone()) {
  checkNonNegative("learning rate", options.lr());
  checkNonNegative("epsilon value", options.eps());
  checkNonNegative("weight_decay value", options.weight_decay());
  auto [beta1, beta2] = options.betas();
  if (!(beta1 >= 0 && beta1 < 1))
    throw Error("Invalid beta parameter at index 0: " + std::to_string(beta1));
  if (!(beta2 >= 0 && beta2 < 1))
    throw Error("Invalid beta parameter at index 1: " + std::to_string(beta2));
}

ParamState Adam::initialState(const Tensor &param,
                              const OptimizerOptions &groupOptions) const {
  const auto &options = static_cast<const AdamOptions &>(groupOptions);
  ParamState state{{"step", scalar_tensor(0)},
                   {"exp_avg", zeros(param.sizes())},
                   {"exp_avg_sq", zeros(param.sizes())}};
  if (options.amsgrad())
    state.emplace_back("max_exp_avg_sq", zeros(param.sizes()));
  return state;
}

void Adam::step() {
  NoGradGuard noGrad;
  init_state();
  for (OptimizerParamGroup &group : param_groups()) {
    const auto &options = static_cast<const AdamOptions &>(group.options());
    auto [beta1, beta2] = options.betas();
    float lr = float(options.lr()), eps = float(options.eps()),
          weightDecay = float(options.weight_decay());
    // beta ** step as exp(step * log(beta)): step stays a tensor.
    float logBeta1 = float(std::log(beta1)), logBeta2 = float(std::log(beta2));
    for (const Tensor &p : group.params()) {
      if (!p.grad().defined())
        continue;
      const Tensor &step = stateTensor(p, "step");
      const Tensor &expAvg = stateTensor(p, "exp_avg");
      const Tensor &expAvgSq = stateTensor(p, "exp_avg_sq");
      step.add_(1.0f);
      Tensor grad = p.grad();
      if (weightDecay != 0)
        grad = grad + p * weightDecay;
      expAvg.mul_(float(beta1)).add_(grad, float(1 - beta1));
      expAvgSq.mul_(float(beta2)).addcmul_(grad, grad, float(1 - beta2));

      Tensor biasCorrection1 = 1.0f - (step * logBeta1).exp();
      Tensor biasCorrection2 = 1.0f - (step * logBeta2).exp();
      Tensor stepSize = lr / biasCorrection1;
      Tensor biasCorrection2Sqrt = biasCorrection2.sqrt();
      Tensor secondMoment = expAvgSq;
      if (options.amsgrad()) {
        // max(m, v) as v + relu(m - v): traceable with existing ops.
        const Tensor &maxExpAvgSq = stateTensor(p, "max_exp_avg_sq");
        maxExpAvgSq.copy_(expAvgSq + (maxExpAvgSq - expAvgSq).relu());
        secondMoment = maxExpAvgSq;
      }
      Tensor denom = secondMoment.sqrt() / biasCorrection2Sqrt + eps;
      p.sub_(expAvg / denom * stepSize);
    }
  }
}

} // namespace nnc::optim
