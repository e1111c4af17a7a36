//===- frontend/optim/GradScaler.cpp - Loss scaling for float16 -----------===//
//
// The numbers follow PyTorch 1.13's kernels: unscaling multiplies by the
// float32 reciprocal of the scale computed in double
// (_amp_foreach_non_finite_check_and_unscale_), and update() is
// _amp_update_scale_'s rule, with the scale a float32 and the factors
// doubles. The inf/NaN check reads the gradients on the host: eager
// tensors live in host memory, and the result decides on the host whether
// the optimizer steps.
//
//===----------------------------------------------------------------------===//
#include "frontend/optim/GradScaler.h"

#include "frontend/Autograd.h"
#include "frontend/Error.h"
#include "frontend/optim/JsonFields.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace nnc::amp {

namespace {

using nlohmann::ordered_json;
using optim::detail::integerField;
using optim::detail::numberField;

void checkFactors(double growthFactor, double backoffFactor,
                  const std::string &where) {
  if (!(growthFactor > 1.0))
    throw Error(where + ": the growth factor must be > 1.0, got " +
                std::to_string(growthFactor));
  if (!(backoffFactor < 1.0))
    throw Error(where + ": the backoff factor must be < 1.0, got " +
                std::to_string(backoffFactor));
}

/// Whether `grad` holds an inf or NaN.
bool hasNonFinite(const Tensor &grad) {
  Tensor values = grad.to(kFloat32).contiguous();
  const float *data = values.data_ptr<float>();
  return !std::all_of(data, data + values.numel(),
                      [](float v) { return std::isfinite(v); });
}

} // namespace

GradScaler::GradScaler(const GradScalerOptions &options)
    : enabled_(options.enabled()), growthFactor_(options.growth_factor()),
      backoffFactor_(options.backoff_factor()),
      growthInterval_(options.growth_interval()) {
  if (!enabled_)
    return;
  checkFactors(growthFactor_, backoffFactor_, "GradScaler");
  scale_ = scalar_tensor(options.init_scale(), kFloat32);
}

Tensor GradScaler::scale(const Tensor &loss) const {
  if (!enabled_)
    return loss;
  return loss.mul(scale_);
}

void GradScaler::unscale_(optim::Optimizer &optimizer) {
  if (!enabled_)
    return;
  auto existing = optimizerStates_.find(&optimizer);
  if (existing != optimizerStates_.end())
    throw Error(existing->second.stage == Stage::Unscaled
                    ? "GradScaler::unscale_: unscale_() has already been "
                      "called on this optimizer since the last update()"
                    : "GradScaler::unscale_: unscale_() is being called "
                      "after step()");
  float invScale = float(1.0 / double(scale_.item<float>()));
  std::vector<Tensor> params = optimizer.parameters();
  // Check every gradient before changing any: an error leaves all as they
  // were.
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].grad().defined() && params[i].grad().dtype() == kHalf)
      throw Error("GradScaler::unscale_: attempting to unscale FP16 "
                  "gradients (parameter " +
                  std::to_string(i) +
                  "); the parameters the optimizer updates should be "
                  "float32");
  NoGradGuard noGrad;
  bool foundInf = false;
  for (const Tensor &param : params) {
    const Tensor &grad = param.grad();
    if (!grad.defined())
      continue;
    foundInf = foundInf || hasNonFinite(grad);
    grad.mul_(double(invScale));
  }
  optimizerStates_[&optimizer] = {Stage::Unscaled, foundInf};
}

bool GradScaler::step(optim::Optimizer &optimizer) {
  if (!enabled_) {
    optimizer.step();
    return true;
  }
  auto existing = optimizerStates_.find(&optimizer);
  if (existing != optimizerStates_.end() &&
      existing->second.stage == Stage::Stepped)
    throw Error("GradScaler::step: step() has already been called since the "
                "last update()");
  if (existing == optimizerStates_.end())
    unscale_(optimizer);
  OptimizerState &state = optimizerStates_.at(&optimizer);
  bool steps = !state.foundInf;
  if (steps)
    optimizer.step();
  state.stage = Stage::Stepped;
  return steps;
}

void GradScaler::update(std::optional<double> new_scale) {
  if (!enabled_)
    return;
  if (new_scale) {
    scale_.fill_(float(*new_scale));
  } else {
    if (optimizerStates_.empty())
      throw Error("GradScaler::update: no inf checks were recorded prior to "
                  "update(); call step() or unscale_() first");
    bool foundInf =
        std::any_of(optimizerStates_.begin(), optimizerStates_.end(),
                    [](const auto &item) { return item.second.foundInf; });
    float scale = scale_.item<float>();
    if (foundInf) {
      scale_.fill_(float(scale * backoffFactor_));
      growthTracker_ = 0;
    } else if (growthTracker_ + 1 == growthInterval_) {
      // Never grow the scale past float32's range to inf.
      float grown = float(scale * growthFactor_);
      if (std::isfinite(grown))
        scale_.fill_(grown);
      growthTracker_ = 0;
    } else {
      ++growthTracker_;
    }
  }
  optimizerStates_.clear();
}

double GradScaler::get_scale() const {
  return enabled_ ? double(scale_.item<float>()) : 1.0;
}

GradScalerStateDict GradScaler::state_dict() const {
  ordered_json state = ordered_json::object();
  if (enabled_) {
    state["scale"] = get_scale();
    state["growth_factor"] = growthFactor_;
    state["backoff_factor"] = backoffFactor_;
    state["growth_interval"] = growthInterval_;
    state["_growth_tracker"] = growthTracker_;
  }
  return {state.dump()};
}

void GradScaler::load_state_dict(const GradScalerStateDict &stateDict) {
  if (!enabled_)
    return;
  const std::string where = "GradScaler load_state_dict";
  ordered_json state =
      optim::detail::parseJsonObject(stateDict.state, where, "the state_dict");
  if (state.empty())
    throw Error(where + ": the state_dict is empty, possibly because it was "
                        "saved from a disabled GradScaler");

  const std::vector<std::string> keys = {"scale", "growth_factor",
                                         "backoff_factor", "growth_interval",
                                         "_growth_tracker"};
  std::set<std::string> known(keys.begin(), keys.end());
  std::string missing, unexpected;
  for (const std::string &key : keys)
    if (!state.contains(key))
      missing += (missing.empty() ? "'" : ", '") + key + "'";
  for (const auto &item : state.items())
    if (!known.count(item.key()))
      unexpected += (unexpected.empty() ? "'" : ", '") + item.key() + "'";
  if (!unexpected.empty())
    throw Error(where + ": unexpected key(s) " + unexpected +
                (missing.empty() ? "" : " and missing key(s) " + missing));
  if (!missing.empty())
    throw Error(where + ": missing key(s) " + missing);

  double scale = numberField(state, "scale", where);
  double growthFactor = numberField(state, "growth_factor", where);
  double backoffFactor = numberField(state, "backoff_factor", where);
  int64_t growthInterval = integerField(state, "growth_interval", where);
  int64_t growthTracker = integerField(state, "_growth_tracker", where);
  if (!(scale > 0 && scale <= std::numeric_limits<float>::max()))
    throw Error(where + ": 'scale' must be a positive finite float32, got " +
                state.at("scale").dump());
  if (growthTracker < 0)
    throw Error(where + ": '_growth_tracker' must be >= 0, got " +
                std::to_string(growthTracker));
  checkFactors(growthFactor, backoffFactor, where);

  scale_.fill_(float(scale));
  growthFactor_ = growthFactor;
  backoffFactor_ = backoffFactor;
  growthInterval_ = growthInterval;
  growthTracker_ = growthTracker;
}

} // namespace nnc::amp
