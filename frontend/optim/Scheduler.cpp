//===- frontend/optim/Scheduler.cpp - Learning-rate schedulers ------------===//
//
// get_lrs() follow get_lr() of torch/optim/lr_scheduler.py (PyTorch 1.13)
// term for term, so the double results match PyTorch's.
//
//===----------------------------------------------------------------------===//
#include "frontend/optim/Scheduler.h"

#include "frontend/Error.h"

#include <cmath>
#include <string>

namespace nnc::optim {

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

StepLR::StepLR(Optimizer &optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), stepSize_(step_size), gamma_(gamma) {
  if (step_size <= 0)
    throw Error("StepLR: step_size must be positive, got " +
                std::to_string(step_size));
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
  if (T_max <= 0)
    throw Error("CosineAnnealingLR: T_max must be positive, got " +
                std::to_string(T_max));
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
