//===- frontend/nn/Loss.h - Loss modules ------------------------*- C++ -*-===//
//
// torch::nn's loss modules: CrossEntropyLoss, NLLLoss, MSELoss, L1Loss,
// SmoothL1Loss, BCELoss and BCEWithLogitsLoss. Each forward is the
// functional loss of LossFunctional.h with the module's options; weights
// given in the options are registered as buffers ("weight", "pos_weight"),
// as libtorch does.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_LOSS_H
#define NNC_FRONTEND_NN_LOSS_H

#include "frontend/nn/Functional.h"
#include "frontend/nn/Module.h"

namespace nnc::nn {

/// A loss module holding `Options`: checks the reduction name up front and
/// registers the options' defined weight tensors as buffers.
template <class Options> class LossModule : public Module {
public:
  LossModule(const char *name, const Options &options)
      : Module(name), options(options) {
    functional::reductionFromString(name, options.reduction());
  }
  Options options;

protected:
  void registerWeight(const char *name, const Tensor &weight) {
    if (weight.defined())
      register_buffer(name, weight);
  }
};

/// Cross entropy of logits against class indices or class probabilities:
/// `CrossEntropyLoss(CrossEntropyLossOptions().label_smoothing(0.1))`.
class CrossEntropyLossImpl : public LossModule<CrossEntropyLossOptions> {
public:
  explicit CrossEntropyLossImpl(const CrossEntropyLossOptions &options = {})
      : LossModule("CrossEntropyLoss", options) {
    registerWeight("weight", options.weight());
  }
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::cross_entropy(input, target, options);
  }
};
NNC_MODULE(CrossEntropyLoss);

/// Negative log likelihood of log-probabilities against class indices.
class NLLLossImpl : public LossModule<NLLLossOptions> {
public:
  explicit NLLLossImpl(const NLLLossOptions &options = {})
      : LossModule("NLLLoss", options) {
    registerWeight("weight", options.weight());
  }
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::nll_loss(input, target, options);
  }
};
NNC_MODULE(NLLLoss);

class MSELossImpl : public LossModule<MSELossOptions> {
public:
  explicit MSELossImpl(const MSELossOptions &options = {})
      : LossModule("MSELoss", options) {}
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::mse_loss(input, target, options);
  }
};
NNC_MODULE(MSELoss);

class L1LossImpl : public LossModule<L1LossOptions> {
public:
  explicit L1LossImpl(const L1LossOptions &options = {})
      : LossModule("L1Loss", options) {}
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::l1_loss(input, target, options);
  }
};
NNC_MODULE(L1Loss);

class SmoothL1LossImpl : public LossModule<SmoothL1LossOptions> {
public:
  explicit SmoothL1LossImpl(const SmoothL1LossOptions &options = {})
      : LossModule("SmoothL1Loss", options) {}
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::smooth_l1_loss(input, target, options);
  }
};
NNC_MODULE(SmoothL1Loss);

/// Binary cross entropy of probabilities in [0, 1].
class BCELossImpl : public LossModule<BCELossOptions> {
public:
  explicit BCELossImpl(const BCELossOptions &options = {})
      : LossModule("BCELoss", options) {
    registerWeight("weight", options.weight());
  }
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::binary_cross_entropy(input, target, options);
  }
};
NNC_MODULE(BCELoss);

/// Binary cross entropy of logits (sigmoid and BCE in one stable formula).
class BCEWithLogitsLossImpl : public LossModule<BCEWithLogitsLossOptions> {
public:
  explicit BCEWithLogitsLossImpl(const BCEWithLogitsLossOptions &options = {})
      : LossModule("BCEWithLogitsLoss", options) {
    registerWeight("weight", options.weight());
    registerWeight("pos_weight", options.pos_weight());
  }
  Tensor forward(const Tensor &input, const Tensor &target) {
    return functional::binary_cross_entropy_with_logits(input, target, options);
  }
};
NNC_MODULE(BCEWithLogitsLoss);

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_LOSS_H
