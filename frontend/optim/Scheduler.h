//===- frontend/optim/Scheduler.h - Learning-rate schedulers ----*- C++ -*-===//
//
// libtorch's LRScheduler interface with PyTorch 1.13's numbers: the
// constructor is PyTorch's initial step (last_epoch 0, learning rates
// unchanged), and each step() advances last_epoch and sets every param
// group's lr by PyTorch's recursive (chainable) formula, in double. The
// new lr is written into the group's lr tensor in place, so a compiled
// training step uses it without recompiling.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_OPTIM_SCHEDULER_H
#define NNC_FRONTEND_OPTIM_SCHEDULER_H

#include "frontend/optim/Optimizer.h"

#include <cstdint>
#include <vector>

namespace nnc::optim {

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

protected:
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

private:
  int64_t tMax_;
  double etaMin_;
};

} // namespace nnc::optim

#endif // NNC_FRONTEND_OPTIM_SCHEDULER_H
