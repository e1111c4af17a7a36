//===- frontend/nn/Loss.h - CrossEntropyLoss, MSELoss -----------*- C++ -*-===//
#ifndef NNC_FRONTEND_NN_LOSS_H
#define NNC_FRONTEND_NN_LOSS_H

#include "frontend/nn/Functional.h"
#include "frontend/nn/Module.h"

#include <string>

namespace nnc::nn {

/// A loss's options: PyTorch's reduction, "mean" by default.
class LossOptions {
public:
  LossOptions &reduction(std::string reduction) {
    reduction_ = std::move(reduction);
    return *this;
  }
  const std::string &reduction() const { return reduction_; }

private:
  std::string reduction_ = "mean";
};
using CrossEntropyLossOptions = LossOptions;
using MSELossOptions = LossOptions;

/// Cross entropy of logits [N, C] against int64 class indices [N].
class CrossEntropyLossImpl : public Module {
public:
  explicit CrossEntropyLossImpl(const CrossEntropyLossOptions &options = {})
      : Module("CrossEntropyLoss"), options(options) {
    functional::reductionFromString("CrossEntropyLoss", options.reduction());
  }
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::cross_entropy(input, target, options.reduction());
  }
  CrossEntropyLossOptions options;
};
NNC_MODULE(CrossEntropyLoss);

class MSELossImpl : public Module {
public:
  explicit MSELossImpl(const MSELossOptions &options = {})
      : Module("MSELoss"), options(options) {
    functional::reductionFromString("MSELoss", options.reduction());
  }
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::mse_loss(input, target, options.reduction());
  }
  MSELossOptions options;
};
NNC_MODULE(MSELoss);

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_LOSS_H
