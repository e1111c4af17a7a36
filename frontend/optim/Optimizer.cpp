//===- frontend/optim/Optimizer.cpp - Optimizer state and updates ---------===//
//
// The updates follow torch/optim/{sgd,adam,adamw,rmsprop,adagrad}.py
// (single-tensor paths, PyTorch 1.13) op for op, with in-place ops on
// parameters and state, so that eager and traced steps compute the same
// values in the same order. Where PyTorch multiplies by a Python float lr,
// these multiply by the group's lr tensor.
//
//===----------------------------------------------------------------------===//
#include "frontend/optim/Optimizer.h"

#include "frontend/Autograd.h"
#include "frontend/TraceHook.h"
#include "frontend/optim/JsonFields.h"

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

void checkBetas(const std::tuple<double, double> &betas) {
  auto [beta1, beta2] = betas;
  if (!(beta1 >= 0 && beta1 < 1))
    throw Error("Invalid beta parameter at index 0: " + std::to_string(beta1));
  if (!(beta2 >= 0 && beta2 < 1))
    throw Error("Invalid beta parameter at index 1: " + std::to_string(beta2));
}

/// `options` as the options of `optimizer`, or an error: a group's options
/// must be its optimizer's.
template <class Options>
const Options &optionsOf(const OptimizerOptions &options,
                         const char *optimizer) {
  if (const auto *typed = dynamic_cast<const Options *>(&options))
    return *typed;
  throw Error(std::string(optimizer) +
              ": a param group has the options of another optimizer");
}

/// Elementwise max(a, b) (torch.maximum), from traceable ops.
Tensor maximum(const Tensor &a, const Tensor &b) { return where(a > b, a, b); }

//===----------------------------------------------------------------------===//
// param_groups as JSON (PyTorch's state_dict()["param_groups"])
//===----------------------------------------------------------------------===//

using detail::boolField;
using detail::field;
using detail::numberField;
using nlohmann::ordered_json;

/// A group's hyper-parameters under PyTorch's names, in its order; null
/// for options of an optimizer nnc does not define.
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
  if (const auto *adamw = dynamic_cast<const AdamWOptions *>(&options)) {
    auto [beta1, beta2] = adamw->betas();
    return {{"lr", adamw->lr()},
            {"betas", {beta1, beta2}},
            {"eps", adamw->eps()},
            {"weight_decay", adamw->weight_decay()},
            {"amsgrad", adamw->amsgrad()}};
  }
  if (const auto *rmsprop = dynamic_cast<const RMSpropOptions *>(&options))
    return {{"lr", rmsprop->lr()},
            {"momentum", rmsprop->momentum()},
            {"alpha", rmsprop->alpha()},
            {"eps", rmsprop->eps()},
            {"centered", rmsprop->centered()},
            {"weight_decay", rmsprop->weight_decay()}};
  if (const auto *adagrad = dynamic_cast<const AdagradOptions *>(&options))
    return {
        {"lr", adagrad->lr()},
        {"lr_decay", adagrad->lr_decay()},
        {"eps", adagrad->eps()},
        {"weight_decay", adagrad->weight_decay()},
        {"initial_accumulator_value", adagrad->initial_accumulator_value()}};
  return nullptr;
}

std::tuple<double, double> betasField(const ordered_json &group,
                                      const std::string &where) {
  const ordered_json &betas = field(group, "betas", where);
  if (!betas.is_array() || betas.size() != 2 || !betas[0].is_number() ||
      !betas[1].is_number())
    throw Error(where + ": 'betas' must be a list of two numbers, got " +
                betas.dump());
  return {betas[0].get<double>(), betas[1].get<double>()};
}

/// Options of the same optimizer as `current` with the hyper-parameters of
/// a saved group. PyTorch-only keys (foreach, capturable, initial_lr, ...)
/// are ignored, except a maximize nnc cannot do.
std::unique_ptr<OptimizerOptions>
optionsFromJson(const OptimizerOptions &current, const ordered_json &group,
                const std::string &where) {
  if (group.contains("maximize") && group["maximize"] != false)
    throw Error(where + ": maximize=" + group["maximize"].dump() +
                " is not supported by nnc");
  double lr = numberField(group, "lr", where);
  if (dynamic_cast<const SGDOptions *>(&current))
    return SGDOptions(lr)
        .momentum(numberField(group, "momentum", where))
        .dampening(numberField(group, "dampening", where))
        .weight_decay(numberField(group, "weight_decay", where))
        .nesterov(boolField(group, "nesterov", where))
        .clone();
  if (dynamic_cast<const AdamOptions *>(&current))
    return AdamOptions(lr)
        .betas(betasField(group, where))
        .eps(numberField(group, "eps", where))
        .weight_decay(numberField(group, "weight_decay", where))
        .amsgrad(boolField(group, "amsgrad", where))
        .clone();
  if (dynamic_cast<const AdamWOptions *>(&current))
    return AdamWOptions(lr)
        .betas(betasField(group, where))
        .eps(numberField(group, "eps", where))
        .weight_decay(numberField(group, "weight_decay", where))
        .amsgrad(boolField(group, "amsgrad", where))
        .clone();
  if (dynamic_cast<const RMSpropOptions *>(&current))
    return RMSpropOptions(lr)
        .momentum(numberField(group, "momentum", where))
        .alpha(numberField(group, "alpha", where))
        .eps(numberField(group, "eps", where))
        .centered(boolField(group, "centered", where))
        .weight_decay(numberField(group, "weight_decay", where))
        .clone();
  if (dynamic_cast<const AdagradOptions *>(&current))
    return AdagradOptions(lr)
        .lr_decay(numberField(group, "lr_decay", where))
        .eps(numberField(group, "eps", where))
        .weight_decay(numberField(group, "weight_decay", where))
        .initial_accumulator_value(
            numberField(group, "initial_accumulator_value", where))
        .clone();
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

/// Whether nnc-only state `name` may be absent from saved state `values`
/// (a PyTorch state_dict lacks it): SGD's "momentum_initialized", which is
/// 1 once PyTorch has a momentum_buffer.
bool impliedByPyTorchState(const std::string &name,
                           const std::map<std::string, Tensor> &values) {
  return name == "momentum_initialized" && values.count("momentum_buffer");
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

OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params)
    : params_(std::move(params)) {}

OptimizerParamGroup::OptimizerParamGroup(
    std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options)
    : params_(std::move(params)), options_(std::move(options)) {}

OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup &other)
    : params_(other.params_),
      options_(other.options_ ? other.options_->clone() : nullptr) {}

OptimizerParamGroup &
OptimizerParamGroup::operator=(const OptimizerParamGroup &other) {
  params_ = other.params_;
  options_ = other.options_ ? other.options_->clone() : nullptr;
  return *this;
}

namespace {
const char *const kNoOptions = "optimizer: a param group without options (it "
                               "takes the optimizer's defaults when added to "
                               "one)";
} // namespace

OptimizerOptions &OptimizerParamGroup::options() {
  if (!options_)
    throw Error(kNoOptions);
  return *options_;
}

const OptimizerOptions &OptimizerParamGroup::options() const {
  if (!options_)
    throw Error(kNoOptions);
  return *options_;
}

void OptimizerParamGroup::set_options(
    std::unique_ptr<OptimizerOptions> options) {
  options_ = std::move(options);
}

const Tensor &OptimizerParamGroup::lr_tensor() const {
  double lr = options().get_lr();
  if (lr_.defined() && lr == lrValue_)
    return lr_;
  // Written outside any trace and autograd: the tensor is state a traced
  // step reads, never a value it computes.
  NoGradGuard noGrad;
  TraceHookGuard noTrace(nullptr);
  if (lr_.defined())
    lr_.fill_(lr);
  else
    lr_ = scalar_tensor(lr);
  lrValue_ = lr;
  return lr_;
}

void OptimizerParamGroup::set_lr(double lr) {
  options().set_lr(lr);
  lr_tensor();
}

Optimizer::Optimizer(std::vector<OptimizerParamGroup> paramGroups,
                     std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  // checkOptions() is the derived class's, so its constructor checks the
  // groups' options (checkAllOptions()).
  for (const OptimizerParamGroup &group : paramGroups)
    paramGroups_.push_back(withOptions(group));
}

Optimizer::~Optimizer() = default;

OptimizerParamGroup
Optimizer::withOptions(const OptimizerParamGroup &paramGroup) const {
  // PyTorch's checks (torch/optim/optimizer.py), parameters numbered across
  // the optimizer's groups.
  std::vector<Tensor> existing = parameters();
  for (size_t i = 0; i < paramGroup.params().size(); ++i) {
    const Tensor &p = paramGroup.params()[i];
    std::string which = "parameter " + std::to_string(existing.size() + i);
    if (!p.defined() || p.dtype() != kFloat32)
      throw Error("optimizer: " + which + " must be a defined Float tensor");
    if (!p.is_leaf())
      throw Error("optimizer: can't optimize a non-leaf Tensor (" + which +
                  ")");
    auto same = [&](const Tensor &q) {
      return q.unsafeGetTensorImpl() == p.unsafeGetTensorImpl();
    };
    if (std::any_of(existing.begin(), existing.end(), same) ||
        std::any_of(paramGroup.params().begin(),
                    paramGroup.params().begin() + i, same))
      throw Error("optimizer: some parameters appear in more than one "
                  "parameter group (" +
                  which + ")");
  }
  return OptimizerParamGroup(paramGroup.params(),
                             paramGroup.has_options()
                                 ? paramGroup.options().clone()
                                 : defaults_->clone());
}

void Optimizer::add_param_group(const OptimizerParamGroup &paramGroup) {
  OptimizerParamGroup group = withOptions(paramGroup);
  checkOptions(group.options());
  paramGroups_.push_back(std::move(group));
}

void Optimizer::checkAllOptions() const {
  checkOptions(*defaults_);
  for (const OptimizerParamGroup &group : paramGroups_)
    checkOptions(group.options());
}

void Optimizer::zero_grad(bool set_to_none) {
  autograd::zeroGrads(parameters(), set_to_none);
}

std::vector<Tensor> Optimizer::parameters() const {
  std::vector<Tensor> params;
  for (const OptimizerParamGroup &group : paramGroups_)
    params.insert(params.end(), group.params().begin(), group.params().end());
  return params;
}

std::string Optimizer::traced_hyperparameters() const {
  ordered_json groups = ordered_json::array();
  for (const OptimizerParamGroup &group : paramGroups_) {
    ordered_json entry = hyperParameters(group.options());
    if (entry.is_null()) {
      // Another optimizer's step() may hold its lr as a constant.
      entry = {{"lr", group.options().get_lr()}};
    } else {
      entry.erase("lr");
    }
    groups.push_back(std::move(entry));
  }
  return groups.dump();
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
    if (entry.is_null())
      throw Error("optimizer state_dict: options of an optimizer nnc cannot "
                  "save");
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
  for (size_t g = 0; g < groups.options.size(); ++g) {
    try {
      checkOptions(*groups.options[g]);
    } catch (const Error &e) {
      throw Error(where + ": param_groups[" + std::to_string(g) +
                  "]: " + e.what());
    }
  }

  // Every parameter's new state, checked before anything changes. Existing
  // state tensors are kept when the layout is unchanged.
  NoGradGuard noGrad;
  TraceHookGuard noTrace(nullptr);
  std::vector<std::optional<ParamState>> newState(params.size());
  std::vector<ParamState> freshState(params.size());
  size_t position = 0;
  for (size_t g = 0; g < paramGroups_.size(); ++g) {
    for (const Tensor &p : paramGroups_[g].params()) {
      const ParamState *existing = state(p);
      std::string keyPrefix =
          "state." + std::to_string(groups.indexAt[position]) + ".";
      const std::map<std::string, Tensor> &values = saved[position];
      const ParamState &fresh = freshState[position] =
          initialState(p, *groups.options[g]);
      ParamState &target = newState[position++].emplace(
          existing && sameNames(*existing, fresh) ? *existing : fresh);
      if (values.empty())
        continue;
      for (const auto &[name, tensor] : target) {
        auto it = values.find(name);
        if (it == values.end() && !impliedByPyTorchState(name, values))
          throw Error(where + ": missing '" + keyPrefix + name + "'");
        if (it == values.end())
          continue;
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

  // set_options keeps each group's lr tensor; lr_tensor() writes the new
  // lr into it.
  for (size_t g = 0; g < paramGroups_.size(); ++g) {
    paramGroups_[g].set_options(std::move(groups.options[g]));
    paramGroups_[g].lr_tensor();
  }
  for (size_t i = 0; i < params.size(); ++i) {
    // A parameter without saved state starts afresh, as in PyTorch; state
    // it had is reset in place rather than dropped.
    if (saved[i].empty() && !state(params[i]))
      continue;
    ParamState &target = state_[params[i].unsafeGetTensorImpl()];
    target = std::move(*newState[i]);
    for (size_t k = 0; k < target.size(); ++k) {
      const auto &[name, tensor] = target[k];
      if (saved[i].empty())
        tensor.copy_(freshState[i][k].second);
      else if (saved[i].count(name))
        tensor.copy_(saved[i].at(name));
      else // impliedByPyTorchState
        tensor.fill_(1.0f);
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

SGD::SGD(std::vector<Tensor> params, const SGDOptions &defaults)
    : SGD({OptimizerParamGroup(std::move(params))}, defaults) {}

SGD::SGD(std::vector<OptimizerParamGroup> paramGroups,
         const SGDOptions &defaults)
    : Optimizer(std::move(paramGroups), defaults.clone()) {
  checkAllOptions();
}

void SGD::checkOptions(const OptimizerOptions &groupOptions) const {
  const auto &options = optionsOf<SGDOptions>(groupOptions, "SGD");
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
    const Tensor &lr = group.lr_tensor();
    float momentum = float(options.momentum()),
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
      p.sub_(update * lr);
    }
  }
}

//===----------------------------------------------------------------------===//
// Adam and AdamW
//===----------------------------------------------------------------------===//

namespace {

ParamState adamState(const Tensor &param, bool amsgrad) {
  ParamState state{{"step", scalar_tensor(0)},
                   {"exp_avg", zeros(param.sizes())},
                   {"exp_avg_sq", zeros(param.sizes())}};
  if (amsgrad)
    state.emplace_back("max_exp_avg_sq", zeros(param.sizes()));
  return state;
}

/// Adam's update of `p` from `grad` (weight decay, L2 or decoupled, is the
/// caller's), with `lr` a 0-d tensor.
void adamUpdate(const Tensor &p, const Tensor &grad, const ParamState &state,
                const Tensor &lr, const std::tuple<double, double> &betas,
                double eps, bool amsgrad) {
  auto [beta1, beta2] = betas;
  const Tensor &step = state[0].second;
  const Tensor &expAvg = state[1].second;
  const Tensor &expAvgSq = state[2].second;
  step.add_(1.0f);
  expAvg.mul_(float(beta1)).add_(grad, float(1 - beta1));
  // PyTorch's addcmul_ rounds (value * t1) * t2; nnc's addcmul_ rounds
  // t1 * t2 first, so the product is written out in PyTorch's order.
  expAvgSq.mul_(float(beta2)).add_(grad * float(1 - beta2) * grad);

  // beta ** step as exp(step * log(beta)): step stays a tensor. In double,
  // as PyTorch computes them from a Python step: in float, 1 - beta2 ** step
  // would lose most of its digits to cancellation.
  Tensor step64 = step.to(kFloat64);
  Tensor biasCorrection1 = 1.0 - (step64 * std::log(beta1)).exp();
  Tensor biasCorrection2 = 1.0 - (step64 * std::log(beta2)).exp();
  Tensor stepSize = (lr.to(kFloat64) / biasCorrection1).to(kFloat32);
  Tensor biasCorrection2Sqrt = biasCorrection2.sqrt().to(kFloat32);
  Tensor secondMoment = expAvgSq;
  if (amsgrad) {
    const Tensor &maxExpAvgSq = state[3].second;
    maxExpAvgSq.copy_(maximum(maxExpAvgSq, expAvgSq));
    secondMoment = maxExpAvgSq;
  }
  Tensor denom = secondMoment.sqrt() / biasCorrection2Sqrt + float(eps);
  p.sub_(expAvg / denom * stepSize);
}

} // namespace

std::unique_ptr<OptimizerOptions> AdamOptions::clone() const {
  return std::make_unique<AdamOptions>(*this);
}

Adam::Adam(std::vector<Tensor> params, const AdamOptions &defaults)
    : Adam({OptimizerParamGroup(std::move(params))}, defaults) {}

Adam::Adam(std::vector<OptimizerParamGroup> paramGroups,
           const AdamOptions &defaults)
    : Optimizer(std::move(paramGroups), defaults.clone()) {
  checkAllOptions();
}

void Adam::checkOptions(const OptimizerOptions &groupOptions) const {
  const auto &options = optionsOf<AdamOptions>(groupOptions, "Adam");
  checkNonNegative("learning rate", options.lr());
  checkNonNegative("epsilon value", options.eps());
  checkBetas(options.betas());
  checkNonNegative("weight_decay value", options.weight_decay());
}

ParamState Adam::initialState(const Tensor &param,
                              const OptimizerOptions &groupOptions) const {
  return adamState(param,
                   static_cast<const AdamOptions &>(groupOptions).amsgrad());
}

void Adam::step() {
  NoGradGuard noGrad;
  init_state();
  for (OptimizerParamGroup &group : param_groups()) {
    const auto &options = static_cast<const AdamOptions &>(group.options());
    const Tensor &lr = group.lr_tensor();
    float weightDecay = float(options.weight_decay());
    for (const Tensor &p : group.params()) {
      if (!p.grad().defined())
        continue;
      Tensor grad = p.grad();
      if (weightDecay != 0)
        grad = grad + p * weightDecay;
      adamUpdate(p, grad, *state(p), lr, options.betas(), options.eps(),
                 options.amsgrad());
    }
  }
}

std::unique_ptr<OptimizerOptions> AdamWOptions::clone() const {
  return std::make_unique<AdamWOptions>(*this);
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions &defaults)
    : AdamW({OptimizerParamGroup(std::move(params))}, defaults) {}

AdamW::AdamW(std::vector<OptimizerParamGroup> paramGroups,
             const AdamWOptions &defaults)
    : Optimizer(std::move(paramGroups), defaults.clone()) {
  checkAllOptions();
}

void AdamW::checkOptions(const OptimizerOptions &groupOptions) const {
  const auto &options = optionsOf<AdamWOptions>(groupOptions, "AdamW");
  checkNonNegative("learning rate", options.lr());
  checkNonNegative("epsilon value", options.eps());
  checkBetas(options.betas());
  checkNonNegative("weight_decay value", options.weight_decay());
}

ParamState AdamW::initialState(const Tensor &param,
                               const OptimizerOptions &groupOptions) const {
  return adamState(param,
                   static_cast<const AdamWOptions &>(groupOptions).amsgrad());
}

void AdamW::step() {
  NoGradGuard noGrad;
  init_state();
  for (OptimizerParamGroup &group : param_groups()) {
    const auto &options = static_cast<const AdamWOptions &>(group.options());
    const Tensor &lr = group.lr_tensor();
    float weightDecay = float(options.weight_decay());
    for (const Tensor &p : group.params()) {
      if (!p.grad().defined())
        continue;
      // PyTorch scales the parameter even when weight_decay is 0.
      p.mul_(1.0f - lr * weightDecay);
      adamUpdate(p, p.grad(), *state(p), lr, options.betas(), options.eps(),
                 options.amsgrad());
    }
  }
}

//===----------------------------------------------------------------------===//
// RMSprop
//===----------------------------------------------------------------------===//

std::unique_ptr<OptimizerOptions> RMSpropOptions::clone() const {
  return std::make_unique<RMSpropOptions>(*this);
}

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions &defaults)
    : RMSprop({OptimizerParamGroup(std::move(params))}, defaults) {}

RMSprop::RMSprop(std::vector<OptimizerParamGroup> paramGroups,
                 const RMSpropOptions &defaults)
    : Optimizer(std::move(paramGroups), defaults.clone()) {
  checkAllOptions();
}

void RMSprop::checkOptions(const OptimizerOptions &groupOptions) const {
  const auto &options = optionsOf<RMSpropOptions>(groupOptions, "RMSprop");
  checkNonNegative("learning rate", options.lr());
  checkNonNegative("epsilon value", options.eps());
  checkNonNegative("momentum value", options.momentum());
  checkNonNegative("weight_decay value", options.weight_decay());
  checkNonNegative("alpha value", options.alpha());
}

ParamState RMSprop::initialState(const Tensor &param,
                                 const OptimizerOptions &groupOptions) const {
  const auto &options = static_cast<const RMSpropOptions &>(groupOptions);
  ParamState state{{"step", scalar_tensor(0)},
                   {"square_avg", zeros(param.sizes())}};
  if (options.momentum() > 0)
    state.emplace_back("momentum_buffer", zeros(param.sizes()));
  if (options.centered())
    state.emplace_back("grad_avg", zeros(param.sizes()));
  return state;
}

void RMSprop::step() {
  NoGradGuard noGrad;
  init_state();
  for (OptimizerParamGroup &group : param_groups()) {
    const auto &options = static_cast<const RMSpropOptions &>(group.options());
    const Tensor &lr = group.lr_tensor();
    float alpha = float(options.alpha()), eps = float(options.eps()),
          weightDecay = float(options.weight_decay()),
          momentum = float(options.momentum());
    for (const Tensor &p : group.params()) {
      if (!p.grad().defined())
        continue;
      stateTensor(p, "step").add_(1.0f);
      Tensor grad = p.grad();
      if (weightDecay != 0)
        grad = grad + p * weightDecay;
      const Tensor &squareAvg = stateTensor(p, "square_avg");
      // addcmul_(grad, grad, 1 - alpha) in PyTorch's order (see Adam).
      squareAvg.mul_(alpha).add_(grad * float(1 - options.alpha()) * grad);
      Tensor avg;
      if (options.centered()) {
        const Tensor &gradAvg = stateTensor(p, "grad_avg");
        gradAvg.mul_(alpha).add_(grad, float(1 - options.alpha()));
        avg = (squareAvg - gradAvg * gradAvg).sqrt();
      } else {
        avg = squareAvg.sqrt();
      }
      avg = avg + eps;
      if (options.momentum() > 0) {
        const Tensor &buf = stateTensor(p, "momentum_buffer");
        buf.mul_(momentum).addcdiv_(grad, avg);
        p.sub_(buf * lr);
      } else {
        p.sub_(grad / avg * lr);
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// Adagrad
//===----------------------------------------------------------------------===//

std::unique_ptr<OptimizerOptions> AdagradOptions::clone() const {
  return std::make_unique<AdagradOptions>(*this);
}

Adagrad::Adagrad(std::vector<Tensor> params, const AdagradOptions &defaults)
    : Adagrad({OptimizerParamGroup(std::move(params))}, defaults) {}

Adagrad::Adagrad(std::vector<OptimizerParamGroup> paramGroups,
                 const AdagradOptions &defaults)
    : Optimizer(std::move(paramGroups), defaults.clone()) {
  checkAllOptions();
  init_state();
}

void Adagrad::checkOptions(const OptimizerOptions &groupOptions) const {
  const auto &options = optionsOf<AdagradOptions>(groupOptions, "Adagrad");
  checkNonNegative("learning rate", options.lr());
  checkNonNegative("lr_decay value", options.lr_decay());
  checkNonNegative("weight_decay value", options.weight_decay());
  checkNonNegative("initial_accumulator_value value",
                   options.initial_accumulator_value());
  checkNonNegative("epsilon value", options.eps());
}

ParamState Adagrad::initialState(const Tensor &param,
                                 const OptimizerOptions &) const {
  // PyTorch and libtorch start every sum at the defaults' value, whatever a
  // group's own initial_accumulator_value.
  const auto &options = static_cast<const AdagradOptions &>(defaults());
  return {{"step", scalar_tensor(0)},
          {"sum", full(param.sizes(),
                       float(options.initial_accumulator_value()), kFloat32)}};
}

void Adagrad::step() {
  NoGradGuard noGrad;
  init_state();
  for (OptimizerParamGroup &group : param_groups()) {
    const auto &options = static_cast<const AdagradOptions &>(group.options());
    const Tensor &lr = group.lr_tensor();
    float lrDecay = float(options.lr_decay()), eps = float(options.eps()),
          weightDecay = float(options.weight_decay());
    for (const Tensor &p : group.params()) {
      if (!p.grad().defined())
        continue;
      const Tensor &step = stateTensor(p, "step");
      const Tensor &sum = stateTensor(p, "sum");
      step.add_(1.0f);
      Tensor grad = p.grad();
      if (weightDecay != 0)
        grad = grad + p * weightDecay;
      // clr = lr / (1 + (step - 1) * lr_decay), from the step tensor.
      Tensor clr = lrDecay != 0 ? lr / ((step - 1.0f) * lrDecay + 1.0f) : lr;
      sum.addcmul_(grad, grad, 1.0f);
      Tensor root = sum.sqrt() + eps;
      p.sub_(grad / root * clr);
    }
  }
}

} // namespace nnc::optim
