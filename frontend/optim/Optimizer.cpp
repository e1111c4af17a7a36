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

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
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

//===----------------------------------------------------------------------===//
// param_groups as JSON (PyTorch's state_dict()["param_groups"])
//===----------------------------------------------------------------------===//

using nlohmann::ordered_json;

/// A group's hyper-parameters under PyTorch's names, in its order.
ordered_json hyperParameters(const OptimizerOptions &options) {
  if (const auto *sgd = dynamic_cast<const SGDOptions *>(&options))
    return {{"lr", sgd->lr()},
            {"momentum", sgd->momentum()},
            {"dampening", sgd->dampening()},
            {"weight_decay", sgd->weight_decay()},
            {"nesterov", sgd->nesterov()}};
  if (const auto *adam = dynamic_cast<const AdamOptions *>(&options)) {
    auto [beta1, beta2] = adam->betas();
    return {{"lr", adam->lr()},
            {"betas", {beta1, beta2}},
            {"eps", adam->eps()},
            {"weight_decay", adam->weight_decay()},
            {"amsgrad", adam->amsgrad()}};
  }
  throw Error("optimizer state_dict: options of an optimizer nnc cannot "
              "save");
}

const ordered_json &field(const ordered_json &group, const char *key,
                          const std::string &where) {
  auto it = group.find(key);
  if (it == group.end())
    throw Error(where + ": missing '" + key + "'");
  return *it;
}

double numberField(const ordered_json &group, const char *key,
                   const std::string &where) {
  const ordered_json &value = field(group, key, where);
  if (!value.is_number())
    throw Error(where + ": '" + key + "' must be a number, got " +
                value.dump());
  return value.get<double>();
}

bool boolField(const ordered_json &group, const char *key,
               const std::string &where) {
  const ordered_json &value = field(group, key, where);
  if (!value.is_boolean())
    throw Error(where + ": '" + key + "' must be true or false, got " +
                value.dump());
  return value.get<bool>();
}

/// Options of the same optimizer as `current` with the hyper-parameters of
/// a saved group. PyTorch-only keys (foreach, capturable, ...) are ignored,
/// except a maximize nnc cannot do.
std::unique_ptr<OptimizerOptions>
optionsFromJson(const OptimizerOptions &current, const ordered_json &group,
                const std::string &where) {
  if (group.contains("maximize") && group["maximize"] != false)
    throw Error(where + ": maximize=" + group["maximize"].dump() +
                " is not supported by nnc");
  if (dynamic_cast<const SGDOptions *>(&current))
    return SGDOptions(numberField(group, "lr", where))
        .momentum(numberField(group, "momentum", where))
        .dampening(numberField(group, "dampening", where))
        .weight_decay(numberField(group, "weight_decay", where))
        .nesterov(boolField(group, "nesterov", where))
        .clone();
  if (dynamic_cast<const AdamOptions *>(&current)) {
    const ordered_json &betas = field(group, "betas", where);
    if (!betas.is_array() || betas.size() != 2 || !betas[0].is_number() ||
        !betas[1].is_number())
      throw Error(where + ": 'betas' must be a list of two numbers, got " +
                  betas.dump());
    return AdamOptions(numberField(group, "lr", where))
        .betas({betas[0].get<double>(), betas[1].get<double>()})
        .eps(numberField(group, "eps", where))
        .weight_decay(numberField(group, "weight_decay", where))
        .amsgrad(boolField(group, "amsgrad", where))
        .clone();
  }
  throw Error(where + ": options of an optimizer nnc cannot load");
}

/// Splits "state.<index>.<name>"; false if `key` has another form.
bool parseStateKey(const std::string &key, int64_t &index, std::string &name) {
  const std::string prefix = "state.";
  if (key.compare(0, prefix.size(), prefix) != 0)
    return false;
  size_t dot = key.find('.', prefix.size());
  std::string digits = key.substr(prefix.size(), dot - prefix.size());
  if (dot == std::string::npos || dot + 1 == key.size() || digits.empty() ||
      digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  index = std::stoll(digits);
  name = key.substr(dot + 1);
  return true;
}

bool sameNames(const ParamState &a, const ParamState &b) {
  return std::equal(
      a.begin(), a.end(), b.begin(), b.end(),
      [](const auto &x, const auto &y) { return x.first == y.first; });
}

/// What a saved param_groups list says: each group's new options and the
/// saved index of each parameter, in Optimizer::parameters() order.
struct SavedGroups {
  std::vector<std::unique_ptr<OptimizerOptions>> options;
  std::vector<int64_t> indexAt;
  std::map<int64_t, size_t> positionOf;
};

SavedGroups parseParamGroups(const std::string &text,
                             const std::vector<OptimizerParamGroup> &current,
                             const std::string &where) {
  ordered_json groups;
  try {
    groups = ordered_json::parse(text);
  } catch (const ordered_json::parse_error &e) {
    throw Error(where + ": param_groups is not valid JSON: " + e.what());
  }
  if (!groups.is_array())
    throw Error(where + ": param_groups must be a JSON list, got " +
                groups.dump());
  // PyTorch's checks and messages (torch/optim/optimizer.py).
  if (groups.size() != current.size())
    throw Error(where +
                ": loaded state dict has a different number of "
                "parameter groups (" +
                std::to_string(groups.size()) + ", the optimizer has " +
                std::to_string(current.size()) + ")");
  SavedGroups saved;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::string groupWhere =
        where + ": param_groups[" + std::to_string(g) + "]";
    const ordered_json &group = groups[g];
    if (!group.is_object())
      throw Error(groupWhere + " must be an object, got " + group.dump());
    const ordered_json &params = field(group, "params", groupWhere);
    if (!params.is_array())
      throw Error(groupWhere + ": 'params' must be a list of indices, got " +
                  params.dump());
    if (params.size() != current[g].params().size())
      throw Error(groupWhere +
                  ": loaded state dict contains a parameter "
                  "group that doesn't match the size of "
                  "optimizer's group (" +
                  std::to_string(params.size()) + " parameters, not " +
                  std::to_string(current[g].params().size()) + ")");
    for (const ordered_json &index : params) {
      if (!index.is_number_integer() ||
          !saved.positionOf.emplace(index.get<int64_t>(), saved.indexAt.size())
               .second)
        throw Error(groupWhere + ": 'params' must be distinct integers, got " +
                    params.dump());
      saved.indexAt.push_back(index.get<int64_t>());
    }
    saved.options.push_back(
        optionsFromJson(current[g].options(), group, groupWhere));
  }
  return saved;
}

/// The saved state tensors by parameter position and name.
std::vector<std::map<std::string, Tensor>>
savedStateByPosition(const OrderedDict<std::string, Tensor> &state,
                     const SavedGroups &groups, size_t numParams,
                     const std::string &where) {
  std::vector<std::map<std::string, Tensor>> saved(numParams);
  for (const auto &item : state) {
    int64_t index;
    std::string name;
    if (!parseStateKey(item.key(), index, name))
      throw Error(where + ": unexpected key '" + item.key() +
                  "' (expected state.<parameter index>.<name>)");
    auto it = groups.positionOf.find(index);
    if (it == groups.positionOf.end())
      throw Error(where + ": '" + item.key() + "' is the state of parameter " +
                  std::to_string(index) + ", which no param group lists");
    saved[it->second][name] = item.value();
  }
  return saved;
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

OptimizerStateDict Optimizer::state_dict() const {
  OptimizerStateDict result;
  ordered_json groups = ordered_json::array();
  int64_t index = 0;
  for (const OptimizerParamGroup &group : paramGroups_) {
    ordered_json entry = hyperParameters(group.options());
    ordered_json params = ordered_json::array();
    for (const Tensor &p : group.params()) {
      if (const ParamState *s = state(p))
        for (const auto &[name, tensor] : *s)
          result.state.insert("state." + std::to_string(index) + "." + name,
                              tensor);
      params.push_back(index++);
    }
    entry["params"] = std::move(params);
    groups.push_back(std::move(entry));
  }
  result.param_groups = groups.dump();
  return result;
}

void Optimizer::load_state_dict(const OptimizerStateDict &stateDict) {
  const std::string where = "optimizer load_state_dict";
  SavedGroups groups =
      parseParamGroups(stateDict.param_groups, paramGroups_, where);
  std::vector<Tensor> params = parameters();
  std::vector<std::map<std::string, Tensor>> saved =
      savedStateByPosition(stateDict.state, groups, params.size(), where);

  // Every parameter's new state, checked before anything changes. Existing
  // state tensors are kept when the layout is unchanged.
  NoGradGuard noGrad;
  TraceHookGuard noTrace(nullptr);
  std::vector<std::optional<ParamState>> newState(params.size());
  size_t position = 0;
  for (size_t g = 0; g < paramGroups_.size(); ++g) {
    for (const Tensor &p : paramGroups_[g].params()) {
      const ParamState *existing = state(p);
      std::string keyPrefix =
          "state." + std::to_string(groups.indexAt[position]) + ".";
      const std::map<std::string, Tensor> &values = saved[position];
      ParamState fresh = initialState(p, *groups.options[g]);
      ParamState &target = newState[position++].emplace(
          existing && sameNames(*existing, fresh) ? *existing : fresh);
      if (values.empty())
        continue;
      for (const auto &[name, tensor] : target) {
        auto it = values.find(name);
        if (it == values.end())
          throw Error(where + ": missing '" + keyPrefix + name + "'");
        if (it->second.sizes() != tensor.sizes())
          throw Error(where + ": size mismatch for " + keyPrefix + name +
                      ": copying a tensor with shape " +
                      shapeToString(it->second.sizes()) +
                      " from checkpoint, the shape in the optimizer is " +
                      shapeToString(tensor.sizes()) + ".");
      }
      for (const auto &[name, tensor] : values)
        if (!std::any_of(target.begin(), target.end(), [&](const auto &entry) {
              return entry.first == name;
            }))
          throw Error(where + ": unexpected key '" + keyPrefix + name + "'");
    }
  }

  for (size_t g = 0; g < paramGroups_.size(); ++g)
    paramGroups_[g] = OptimizerParamGroup(paramGroups_[g].params(),
                                          std::move(groups.options[g]));
  for (size_t i = 0; i < params.size(); ++i) {
    // A parameter without saved state starts afresh, as in PyTorch; state
    // it had is zeroed in place rather than dropped.
    if (saved[i].empty() && !state(params[i]))
      continue;
    ParamState &target = state_[params[i].unsafeGetTensorImpl()];
    target = std::move(*newState[i]);
    for (const auto &[name, tensor] : target) {
      if (saved[i].empty())
        tensor.zero_();
      else
        tensor.copy_(saved[i].at(name));
    }
  }
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
