//===- frontend/optim/Scheduler.cpp - Learning-rate schedulers ------------===//
//
// get_lrs() follow get_lr() of torch/optim/lr_scheduler.py (PyTorch 1.13)
// term for term, so the double results match PyTorch's. state_dict() is
// PyTorch's dict as JSON (nlohmann's doubles round-trip exactly, as
// Python's json does).
//
//===----------------------------------------------------------------------===//
#include "frontend/optim/Scheduler.h"

#include "frontend/Error.h"
#include "frontend/optim/JsonFields.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>
#include <string>

namespace nnc::optim {

namespace {

using detail::integerField;
using nlohmann::ordered_json;

/// A list of lrs of the state_dict: one number per param group.
std::vector<double> lrList(const ordered_json &state, const char *key,
                           size_t numGroups, const std::string &where) {
  const ordered_json &value = state.at(key);
  if (!value.is_array())
    throw Error(where + ": '" + key + "' must be a list of numbers, got " +
                value.dump());
  if (value.size() != numGroups)
    throw Error(where + ": '" + key + "' has " + std::to_string(value.size()) +
                " entries, the optimizer has " + std::to_string(numGroups) +
                " param groups");
  std::vector<double> lrs;
  for (const ordered_json &lr : value) {
    if (!lr.is_number())
      throw Error(where + ": '" + key + "' must be a list of numbers, got " +
                  value.dump());
    lrs.push_back(lr.get<double>());
  }
  return lrs;
}

void checkStepSize(int64_t stepSize) {
  if (stepSize <= 0)
    throw Error("StepLR: step_size must be positive, got " +
                std::to_string(stepSize));
}

void checkTMax(int64_t tMax) {
  if (tMax <= 0)
    throw Error("CosineAnnealingLR: T_max must be positive, got " +
                std::to_string(tMax));
}

} // namespace

LRScheduler::LRScheduler(Optimizer &optimizer)
    : optimizer_(optimizer), baseLrs_(get_current_lrs()), lastLrs_(baseLrs_) {}

LRScheduler::~LRScheduler() = default;

std::vector<double> LRScheduler::get_current_lrs() const {
  std::vector<double> lrs;
  for (const OptimizerParamGroup &group : optimizer_.param_groups())
    lrs.push_back(group.options().get_lr());
  return lrs;
}

void LRScheduler::step() {
  if (optimizer_.param_groups().size() != baseLrs_.size())
    throw Error("LRScheduler::step: the optimizer has " +
                std::to_string(optimizer_.param_groups().size()) +
                " param groups, the scheduler was made for " +
                std::to_string(baseLrs_.size()));
  ++lastEpoch_;
  lastLrs_ = get_lrs();
  for (size_t g = 0; g < lastLrs_.size(); ++g)
    optimizer_.param_groups()[g].set_lr(lastLrs_[g]);
}

LRSchedulerStateDict LRScheduler::state_dict() const {
  ordered_json state = ordered_json::object();
  for (const HyperParameter &hyper : hyperParameters()) {
    if (hyper.isInteger)
      state[hyper.name] = static_cast<int64_t>(hyper.value);
    else
      state[hyper.name] = hyper.value;
  }
  state["base_lrs"] = baseLrs_;
  state["last_epoch"] = lastEpoch_;
  // PyTorch's bookkeeping: its constructor's initial step counts too.
  state["verbose"] = false;
  state["_step_count"] = lastEpoch_ + 1;
  state["_get_lr_called_within_step"] = false;
  state["_last_lr"] = lastLrs_;
  return {state.dump()};
}

void LRScheduler::load_state_dict(const LRSchedulerStateDict &stateDict) {
  const std::string where = std::string(name()) + " load_state_dict";
  ordered_json state =
      detail::parseJsonObject(stateDict.state, where, "the state_dict");

  std::vector<HyperParameter> hypers = hyperParameters();
  std::vector<std::string> required = {"base_lrs", "last_epoch", "_last_lr"};
  for (const HyperParameter &hyper : hypers)
    required.push_back(hyper.name);
  std::set<std::string> known(required.begin(), required.end());
  known.insert({"verbose", "_step_count", "_get_lr_called_within_step"});
  std::string missing, unexpected;
  for (const std::string &key : required)
    if (!state.contains(key))
      missing += (missing.empty() ? "'" : ", '") + key + "'";
  for (const auto &item : state.items())
    if (!known.count(item.key()))
      unexpected += (unexpected.empty() ? "'" : ", '") + item.key() + "'";
  if (!unexpected.empty())
    throw Error(where + ": unexpected key(s) " + unexpected +
                (missing.empty() ? "" : " and missing key(s) " + missing) +
                "; is it the state_dict of another kind of scheduler?");
  if (!missing.empty())
    throw Error(where + ": missing key(s) " + missing);

  size_t numGroups = optimizer_.param_groups().size();
  std::vector<double> baseLrs = lrList(state, "base_lrs", numGroups, where);
  std::vector<double> lastLrs = lrList(state, "_last_lr", numGroups, where);
  int64_t lastEpoch = integerField(state, "last_epoch", where);
  if (lastEpoch < 0)
    throw Error(where + ": 'last_epoch' must be >= 0, got " +
                std::to_string(lastEpoch));
  std::vector<double> values;
  for (const HyperParameter &hyper : hypers) {
    const ordered_json &value = state.at(hyper.name);
    if (hyper.isInteger) {
      values.push_back(double(integerField(state, hyper.name, where)));
      continue;
    }
    if (!value.is_number())
      throw Error(where + ": '" + hyper.name + "' must be a number, got " +
                  value.dump());
    values.push_back(value.get<double>());
  }
  // The last check; everything is taken only after it passed.
  try {
    setHyperParameters(values);
  } catch (const Error &e) {
    throw Error(where + ": " + e.what());
  }
  baseLrs_ = std::move(baseLrs);
  lastLrs_ = std::move(lastLrs);
  lastEpoch_ = lastEpoch;
}

StepLR::StepLR(Optimizer &optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), stepSize_(step_size), gamma_(gamma) {
  checkStepSize(step_size);
}

std::vector<LRScheduler::HyperParameter> StepLR::hyperParameters() const {
  return {{"step_size", double(stepSize_), /*isInteger=*/true},
          {"gamma", gamma_, /*isInteger=*/false}};
}

void StepLR::setHyperParameters(const std::vector<double> &values) {
  checkStepSize(int64_t(values[0]));
  stepSize_ = int64_t(values[0]);
  gamma_ = values[1];
}

std::vector<double> StepLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  if (last_epoch() % stepSize_ == 0)
    for (double &lr : lrs)
      lr *= gamma_;
  return lrs;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer &optimizer, int64_t T_max,
                                     double eta_min)
    : LRScheduler(optimizer), tMax_(T_max), etaMin_(eta_min) {
  checkTMax(T_max);
}

std::vector<LRScheduler::HyperParameter>
CosineAnnealingLR::hyperParameters() const {
  return {{"T_max", double(tMax_), /*isInteger=*/true},
          {"eta_min", etaMin_, /*isInteger=*/false}};
}

void CosineAnnealingLR::setHyperParameters(const std::vector<double> &values) {
  checkTMax(int64_t(values[0]));
  tMax_ = int64_t(values[0]);
  etaMin_ = values[1];
}

std::vector<double> CosineAnnealingLR::get_lrs() {
  const double pi = M_PI;
  int64_t epoch = last_epoch();
  std::vector<double> lrs = get_current_lrs();
  for (size_t g = 0; g < lrs.size(); ++g) {
    double baseLr = base_lrs()[g];
    if ((epoch - 1 - tMax_) % (2 * tMax_) == 0)
      lrs[g] = lrs[g] + (baseLr - etaMin_) * (1 - std::cos(pi / tMax_)) / 2;
    else
      lrs[g] = (1 + std::cos(pi * epoch / tMax_)) /
                   (1 + std::cos(pi * (epoch - 1) / tMax_)) *
                   (lrs[g] - etaMin_) +
               etaMin_;
  }
  return lrs;
}

} // namespace nnc::optim
