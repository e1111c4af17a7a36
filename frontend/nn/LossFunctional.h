//===- frontend/nn/LossFunctional.h - Loss functions ------------*- C++ -*-===//
//
// torch::nn's loss options (CrossEntropyLossOptions, NLLLossOptions, ...)
// and the functional losses behind the loss modules, with PyTorch's names,
// defaults and semantics. Reductions are PyTorch's names: "none", "mean"
// (the default) or "sum".
//
// Every loss here is composed of traceable eager ops, so it traces,
// compiles and differentiates inside compiled training steps like any other
// function. Cross entropy against class indices of [N, C] float32 logits
// keeps the fused nn.cross_entropy op for the per-row losses and adds only
// the masking and weighting of ignore_index and class weights on top.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_LOSSFUNCTIONAL_H
#define NNC_FRONTEND_NN_LOSSFUNCTIONAL_H

#include "frontend/Tensor.h"

#include <string>

namespace nnc::nn {

/// The reduction option every loss has, chainable on the options class
/// `Options`.
template <class Options> class LossReduction {
public:
  Options &reduction(std::string reduction) {
    reduction_ = std::move(reduction);
    return static_cast<Options &>(*this);
  }
  const std::string &reduction() const { return reduction_; }

private:
  std::string reduction_ = "mean";
};

/// A manual rescaling weight: per class for cross entropy and NLL,
/// broadcast against the input for the binary cross entropies.
template <class Options> class LossWeight {
public:
  Options &weight(Tensor weight) {
    weight_ = std::move(weight);
    return static_cast<Options &>(*this);
  }
  const Tensor &weight() const { return weight_; }

private:
  Tensor weight_;
};

/// As torch::nn::CrossEntropyLossOptions:
/// `CrossEntropyLossOptions().ignore_index(0).label_smoothing(0.1)`.
class CrossEntropyLossOptions : public LossReduction<CrossEntropyLossOptions>,
                                public LossWeight<CrossEntropyLossOptions> {
public:
  CrossEntropyLossOptions &ignore_index(int64_t ignore_index) {
    ignoreIndex_ = ignore_index;
    return *this;
  }
  int64_t ignore_index() const { return ignoreIndex_; }
  CrossEntropyLossOptions &label_smoothing(double label_smoothing) {
    labelSmoothing_ = label_smoothing;
    return *this;
  }
  double label_smoothing() const { return labelSmoothing_; }

private:
  int64_t ignoreIndex_ = -100;
  double labelSmoothing_ = 0.0;
};

/// As torch::nn::NLLLossOptions: weight, ignore_index (-100), reduction.
class NLLLossOptions : public LossReduction<NLLLossOptions>,
                       public LossWeight<NLLLossOptions> {
public:
  NLLLossOptions &ignore_index(int64_t ignore_index) {
    ignoreIndex_ = ignore_index;
    return *this;
  }
  int64_t ignore_index() const { return ignoreIndex_; }

private:
  int64_t ignoreIndex_ = -100;
};

class MSELossOptions : public LossReduction<MSELossOptions> {};
class L1LossOptions : public LossReduction<L1LossOptions> {};

/// As torch::nn::SmoothL1LossOptions: reduction and beta (1.0), where the
/// loss turns from quadratic to linear.
class SmoothL1LossOptions : public LossReduction<SmoothL1LossOptions> {
public:
  SmoothL1LossOptions &beta(double beta) {
    beta_ = beta;
    return *this;
  }
  double beta() const { return beta_; }

private:
  double beta_ = 1.0;
};

/// As torch::nn::BCELossOptions: weight (broadcast against the input) and
/// reduction.
class BCELossOptions : public LossReduction<BCELossOptions>,
                       public LossWeight<BCELossOptions> {};

/// As torch::nn::BCEWithLogitsLossOptions: weight, reduction and pos_weight
/// (the positive class's weight, broadcast against the input's last dim).
class BCEWithLogitsLossOptions : public LossReduction<BCEWithLogitsLossOptions>,
                                 public LossWeight<BCEWithLogitsLossOptions> {
public:
  BCEWithLogitsLossOptions &pos_weight(Tensor pos_weight) {
    posWeight_ = std::move(pos_weight);
    return *this;
  }
  const Tensor &pos_weight() const { return posWeight_; }

private:
  Tensor posWeight_;
};

namespace functional {

using CrossEntropyFuncOptions = CrossEntropyLossOptions;
using NLLLossFuncOptions = NLLLossOptions;
using MSELossFuncOptions = MSELossOptions;
using L1LossFuncOptions = L1LossOptions;
using SmoothL1LossFuncOptions = SmoothL1LossOptions;
using BinaryCrossEntropyFuncOptions = BCELossOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsLossOptions;

/// torch.nn.functional.cross_entropy of logits `input` ([C], [N, C] or
/// [N, C, d1, ...]) against either class indices (int64, the input's shape
/// without the class dim) or class probabilities (float, the input's
/// shape). With class indices, targets equal to ignore_index add nothing,
/// and "mean" divides by the summed weights of the other targets.
Tensor cross_entropy(const Tensor &input, const Tensor &target,
                     const CrossEntropyFuncOptions &options);

/// torch.nn.functional.nll_loss of log-probabilities `input` against class
/// indices, shaped as for cross_entropy.
Tensor nll_loss(const Tensor &input, const Tensor &target,
                const NLLLossFuncOptions &options = {});

Tensor mse_loss(const Tensor &input, const Tensor &target,
                const MSELossFuncOptions &options);

/// |input - target|, reduced; input and target have the same shape.
Tensor l1_loss(const Tensor &input, const Tensor &target,
               const L1LossFuncOptions &options = {});

/// 0.5 (input - target)^2 / beta where |input - target| < beta, else
/// |input - target| - 0.5 beta; reduced. beta 0 is the L1 loss.
Tensor smooth_l1_loss(const Tensor &input, const Tensor &target,
                      const SmoothL1LossFuncOptions &options = {});

/// -weight (target log(input) + (1 - target) log(1 - input)) with each log
/// clamped to >= -100 as PyTorch does; input holds probabilities in [0, 1].
/// Where input is exactly 0 or 1 the gradient is that of the clamped
/// forward (finite), where PyTorch divides by max(x (1 - x), 1e-12).
Tensor binary_cross_entropy(const Tensor &input, const Tensor &target,
                            const BinaryCrossEntropyFuncOptions &options = {});

/// Binary cross entropy of sigmoid(input), in PyTorch's numerically stable
/// form: (1 - t) x + (1 + (pos_weight - 1) t) log(1 + exp(-x)).
Tensor binary_cross_entropy_with_logits(
    const Tensor &input, const Tensor &target,
    const BinaryCrossEntropyWithLogitsFuncOptions &options = {});

} // namespace functional
} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_LOSSFUNCTIONAL_H
