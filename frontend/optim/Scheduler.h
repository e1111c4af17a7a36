//===- frontend/optim/Scheduler.h - Learning-rate schedulers ----*- C++ -*-===//
//
// libtorch's LRScheduler interface with PyTorch 1.13's numbers: the
// constructor is PyTorch's initial step (last_epoch 0, learning rates
// unchanged), and each step() advances last_epoch and sets every param
// group's lr by PyTorch's recursive (chainable) formula, in double. The
// new lr is written into the group's lr tensor in place, so a compiled
// training step uses it without recompiling. state_dict() and
// load_state_dict() carry PyTorch's scheduler state_dict, which nnc::save
// and nnc::load write as a safetensors file's metadata, as they do an
// optimizer's param_groups.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_OPTIM_SCHEDULER_H
#define NNC_FRONTEND_OPTIM_SCHEDULER_H

#include "frontend/optim/Optimizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nnc::optim {

/// A scheduler's state_dict: PyTorch's scheduler.state_dict() (every
/// attribute but the optimizer) as JSON text, e.g. StepLR's
///   {"step_size": 3, "gamma": 0.5, "base_lrs": [0.1], "last_epoch": 7,
///    "verbose": false, "_step_count": 8,
///    "_get_lr_called_within_step": false, "_last_lr": [0.025]}
/// so json.dumps of PyTorch's dict loads as it is, and the other way round.
struct LRSchedulerStateDict {
  std::string state;
};

class LRScheduler {
public:
  explicit LRScheduler(Optimizer &optimizer);
  virtual ~LRScheduler();
  LRScheduler(const LRScheduler &) = delete;
  LRScheduler &operator=(const LRScheduler &) = delete;

  /// Advances one epoch and sets each group's learning rate.
  void step();
  /// The learning rates the latest step (or the constructor) set.
  const std::vector<double> &get_last_lr() const { return lastLrs_; }
  /// Steps taken; 0 right after construction (PyTorch's last_epoch).
  int64_t last_epoch() const { return lastEpoch_; }

  /// last_epoch, base_lrs, the last lrs and the hyper-parameters, under
  /// PyTorch's names (see LRSchedulerStateDict).
  LRSchedulerStateDict state_dict() const;
  /// Takes over a state_dict as PyTorch does: last_epoch, base_lrs, the
  /// last lrs and the hyper-parameters are replaced (PyTorch's bookkeeping
  /// keys "verbose", "_step_count" and "_get_lr_called_within_step" may be
  /// present and are not used). The optimizer's lrs are left alone: they
  /// come back with the optimizer's state_dict. Invalid JSON, missing keys,
  /// keys of another kind of scheduler, wrong types, invalid values and a
  /// number of lrs other than the optimizer's param groups are errors
  /// naming them, and then nothing changes.
  void load_state_dict(const LRSchedulerStateDict &state_dict);

protected:
  /// One hyper-parameter: its PyTorch name and value (an integer one is
  /// held exactly: it is far below 2^53).
  struct HyperParameter {
    const char *name;
    double value;
    bool isInteger;
  };
  // A scheduler defined outside nnc that overrides only get_lrs() saves and
  // loads the base class's state.
  /// The class name, for messages ("StepLR").
  virtual const char *name() const { return "LRScheduler"; }
  /// The scheduler's own hyper-parameters, in PyTorch's order.
  virtual std::vector<HyperParameter> hyperParameters() const { return {}; }
  /// Checks `values` (one per hyperParameters() entry, in its order) as the
  /// constructor does and takes them; throws and keeps the old ones if one
  /// is invalid.
  virtual void setHyperParameters(const std::vector<double> & /*values*/) {}

  /// The learning rates for epoch last_epoch(), one per group; called by
  /// step() after last_epoch() has advanced (always to 1 or more).
  virtual std::vector<double> get_lrs() = 0;
  /// Each group's current learning rate.
  std::vector<double> get_current_lrs() const;
  /// Each group's learning rate when the scheduler was made.
  const std::vector<double> &base_lrs() const { return baseLrs_; }

private:
  Optimizer &optimizer_;
  std::vector<double> baseLrs_;
  std::vector<double> lastLrs_;
  int64_t lastEpoch_ = 0;
};

/// Multiplies each group's lr by gamma every step_size epochs.
class StepLR : public LRScheduler {
public:
  StepLR(Optimizer &optimizer, int64_t step_size, double gamma = 0.1);

protected:
  std::vector<double> get_lrs() override;
  const char *name() const override { return "StepLR"; }
  std::vector<HyperParameter> hyperParameters() const override;
  void setHyperParameters(const std::vector<double> &values) override;

private:
  int64_t stepSize_;
  double gamma_;
};

/// Anneals each group's lr from its base lr to eta_min along a cosine of
/// period 2 * T_max (and back up after T_max epochs, as PyTorch's recursive
/// form does).
class CosineAnnealingLR : public LRScheduler {
public:
  CosineAnnealingLR(Optimizer &optimizer, int64_t T_max, double eta_min = 0);

protected:
  std::vector<double> get_lrs() override;
  const char *name() const override { return "CosineAnnealingLR"; }
  std::vector<HyperParameter> hyperParameters() const override;
  void setHyperParameters(const std::vector<double> &values) override;

private:
  int64_t tMax_;
  double etaMin_;
};

} // namespace nnc::optim

#endif // NNC_FRONTEND_OPTIM_SCHEDULER_H
