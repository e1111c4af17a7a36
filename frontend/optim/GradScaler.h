//===- frontend/optim/GradScaler.h - Loss scaling for float16 ---*- C++ -*-===//
//
// torch.cuda.amp.GradScaler (PyTorch 1.13's semantics), eagerly: float16
// gradients underflow to zero where float32 ones would not, so the loss is
// multiplied by a large scale before backward() and the float32 gradients
// of the master weights are divided by it again before the optimizer
// step. A step whose gradients hold an inf or NaN (the scale was too
// large) is skipped and the scale backs off; after growth_interval
// successful steps in a row it grows. The usual loop:
//
//   nnc::amp::GradScaler scaler;
//   for (...) {
//     optimizer.zero_grad();
//     Tensor loss;
//     {
//       nnc::AutocastGuard autocast(nnc::kHalf);
//       loss = lossFn(model->forward(x), y);
//     }
//     scaler.scale(loss).backward();
//     scaler.step(optimizer);  // unscales, skips on inf/NaN
//     scaler.update();
//   }
//
// Limitation: this is eager only. A training step compiled with
// nnc::jit::compile_step has no loss scaling yet (the inf check and the
// skipped step would have to be part of the compiled step).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_OPTIM_GRADSCALER_H
#define NNC_FRONTEND_OPTIM_GRADSCALER_H

#include "frontend/Tensor.h"
#include "frontend/optim/Optimizer.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace nnc::amp {

/// GradScaler's constructor arguments, with PyTorch's defaults.
class GradScalerOptions {
public:
  GradScalerOptions &init_scale(double v) {
    initScale_ = v;
    return *this;
  }
  GradScalerOptions &growth_factor(double v) {
    growthFactor_ = v;
    return *this;
  }
  GradScalerOptions &backoff_factor(double v) {
    backoffFactor_ = v;
    return *this;
  }
  GradScalerOptions &growth_interval(int64_t v) {
    growthInterval_ = v;
    return *this;
  }
  GradScalerOptions &enabled(bool v) {
    enabled_ = v;
    return *this;
  }
  double init_scale() const { return initScale_; }
  double growth_factor() const { return growthFactor_; }
  double backoff_factor() const { return backoffFactor_; }
  int64_t growth_interval() const { return growthInterval_; }
  bool enabled() const { return enabled_; }

private:
  double initScale_ = 65536.0;
  double growthFactor_ = 2.0;
  double backoffFactor_ = 0.5;
  int64_t growthInterval_ = 2000;
  bool enabled_ = true;
};

/// A GradScaler's state_dict: PyTorch's scaler.state_dict() as JSON text,
///   {"scale": 32768.0, "growth_factor": 2.0, "backoff_factor": 0.5,
///    "growth_interval": 2000, "_growth_tracker": 17}
/// ("{}" for a disabled scaler, as PyTorch's empty dict), so json.dumps of
/// PyTorch's dict loads as it is, and the other way round. nnc::save and
/// nnc::load write it as a safetensors file's metadata.
struct GradScalerStateDict {
  std::string state;
};

class GradScaler {
public:
  /// Throws unless growth_factor > 1 and backoff_factor < 1 (PyTorch's
  /// checks; a disabled scaler checks nothing).
  explicit GradScaler(const GradScalerOptions &options = {});
  GradScaler(const GradScaler &) = delete;
  GradScaler &operator=(const GradScaler &) = delete;

  /// loss * scale (recorded by autograd like any op); `loss` itself when
  /// disabled.
  Tensor scale(const Tensor &loss) const;
  /// Divides (multiplies by the float32 reciprocal of the scale, as
  /// PyTorch) the .grad() of every parameter of `optimizer` in place, and
  /// records whether any of them held an inf or NaN (checked before the
  /// division). At most once per optimizer between update()s, and not
  /// after step(); float16 gradients are an error (PyTorch's "Attempting
  /// to unscale FP16 gradients"). Nothing when disabled.
  void unscale_(optim::Optimizer &optimizer);
  /// unscale_(optimizer) unless already done since the last update(), then
  /// optimizer.step() unless a gradient held an inf or NaN. Returns whether
  /// the optimizer stepped. At most once per optimizer between update()s.
  /// When disabled, just optimizer.step().
  bool step(optim::Optimizer &optimizer);
  /// Ends the iteration: if any optimizer stepped through this scaler found
  /// an inf or NaN, scale *= backoff_factor and the growth tracker restarts;
  /// otherwise the tracker counts one more successful step, and at
  /// growth_interval the scale grows by growth_factor (unless that would
  /// overflow float32) and the tracker restarts. With `new_scale`, the
  /// scale is set to it instead and the tracker is left alone. Throws if no
  /// step() or unscale_() ran since the last update(). Nothing when
  /// disabled.
  void update(std::optional<double> new_scale = std::nullopt);

  /// The scale (1.0 when disabled).
  double get_scale() const;
  double get_growth_factor() const { return growthFactor_; }
  void set_growth_factor(double growth_factor) {
    growthFactor_ = growth_factor;
  }
  double get_backoff_factor() const { return backoffFactor_; }
  void set_backoff_factor(double backoff_factor) {
    backoffFactor_ = backoff_factor;
  }
  int64_t get_growth_interval() const { return growthInterval_; }
  void set_growth_interval(int64_t growth_interval) {
    growthInterval_ = growth_interval;
  }
  /// Successful steps since the scale last changed (or a backoff).
  int64_t _get_growth_tracker() const { return growthTracker_; }
  bool is_enabled() const { return enabled_; }

  /// See GradScalerStateDict.
  GradScalerStateDict state_dict() const;
  /// Takes over a state_dict: scale, factors, interval and growth tracker.
  /// Nothing when disabled (as PyTorch). Invalid JSON, the empty state of a
  /// disabled scaler, missing or unknown keys, wrong types and invalid
  /// values (those the constructor rejects, a scale that is not a positive
  /// finite float32, a negative tracker) are errors naming them, and then
  /// nothing changes.
  void load_state_dict(const GradScalerStateDict &state_dict);

private:
  /// Where an optimizer is in the current iteration (PyTorch's OptState;
  /// one not in optimizerStates_ is READY).
  enum class Stage { Unscaled, Stepped };
  struct OptimizerState {
    Stage stage;
    /// Whether its gradients held an inf or NaN.
    bool foundInf;
  };

  bool enabled_;
  /// A 0-d Float tensor (undefined when disabled), updated in place.
  Tensor scale_;
  double growthFactor_;
  double backoffFactor_;
  int64_t growthInterval_;
  int64_t growthTracker_ = 0;
  /// The optimizers unscaled since the last update(), by identity.
  std::map<const optim::Optimizer *, OptimizerState> optimizerStates_;
};

} // namespace nnc::amp

#endif // NNC_FRONTEND_OPTIM_GRADSCALER_H
