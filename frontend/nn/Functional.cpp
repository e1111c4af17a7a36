//===- frontend/nn/Functional.cpp - Losses and activation functions -------===//
//
// Losses are single traced ops (nn.cross_entropy, nn.mse_loss) with their
// own backward; their forward math runs on the eager kernels.
//
//===----------------------------------------------------------------------===//
#include "frontend/nn/Functional.h"

#include "frontend/Autocast.h"
#include "frontend/TensorInternal.h"

namespace nnc::nn::functional {

namespace {

using autograd::BackwardArgs;
using Grads = std::vector<Tensor>;

enum Reduction : int64_t { kNone = 0, kMean = 1, kSum = 2 };

Tensor reduceLoss(const Tensor &perElement, int64_t reduction) {
  if (reduction == kMean)
    return perElement.mean();
  if (reduction == kSum)
    return perElement.sum();
  return perElement;
}

/// The loss gradient's scale for each element: g / count for mean, g for
/// sum, and g (shaped like the per-element losses) for none.
Tensor elementGradient(const Tensor &grad, int64_t reduction, int64_t count) {
  return reduction == kMean ? grad / float(count) : grad;
}

/// One-hot rows of `target`'s class indices, checked against `classes`.
Tensor oneHot(const Tensor &target, int64_t classes) {
  Tensor indices = target.contiguous();
  const int64_t *index = indices.data_ptr<int64_t>();
  int64_t rows = indices.numel();
  for (int64_t i = 0; i < rows; ++i)
    if (index[i] < 0 || index[i] >= classes)
      throw Error(
          "cross_entropy: target class index " + std::to_string(index[i]) +
          " (at position " + std::to_string(i) +
          ") is out of bounds for C = " + std::to_string(classes) + " classes");
  Tensor hot = zeros({rows, classes});
  float *data = hot.data_ptr<float>();
  for (int64_t i = 0; i < rows; ++i)
    data[i * classes + index[i]] = 1.0f;
  return hot;
}

} // namespace

int64_t reductionFromString(const char *op, const std::string &reduction) {
  if (reduction == "none")
    return kNone;
  if (reduction == "mean")
    return kMean;
  if (reduction == "sum")
    return kSum;
  throw Error(std::string(op) + ": " + reduction +
              " is not a valid value for reduction (expected \"none\", "
              "\"mean\" or \"sum\")");
}

Tensor cross_entropy(const Tensor &input, const Tensor &target,
                     const std::string &reduction) {
  // Autocast's float32 list: losses need float32's range.
  if (autocast::detail::castsToFloat32({input}))
    return cross_entropy(autocast::detail::toFloat32(input), target, reduction);
  detail::checkFloatTensor("cross_entropy", input);
  if (!target.defined() || target.dtype() != kInt64)
    throw Error(std::string("cross_entropy: expected target to be a Long "
                            "tensor of class indices, got ") +
                (target.defined() ? toString(target.dtype()) : "undefined"));
  if (input.dim() != 2 || target.dim() != 1 || target.size(0) != input.size(0))
    throw Error("cross_entropy: expected input [N, C] and target [N], got "
                "input " +
                shapeToString(input.sizes()) + " and target " +
                shapeToString(target.sizes()));
  OpAttrs attrs;
  attrs.reduction = reductionFromString("cross_entropy", reduction);
  Tensor hot;
  {
    TraceHookGuard suspend(nullptr);
    NoGradGuard noGrad;
    hot = oneHot(target, input.size(1));
  }
  Tensor logProbs;
  Tensor out =
      detail::traced(OpKind::CrossEntropy, {input, target}, attrs, [&] {
        logProbs = input.log_softmax(1);
        return reduceLoss(-(logProbs * hot).sum({1}), attrs.reduction);
      });
  // d/dinput = (softmax(input) - onehot) * the row's gradient.
  autograd::recordGradient(
      out, "NllLossBackward0", {input, target}, {logProbs, hot},
      [reduction = attrs.reduction](const BackwardArgs &g) {
        const Tensor &logp = g.saved[0], &hot = g.saved[1];
        Tensor rowGrad = reduction == kNone
                             ? g.grad.unsqueeze(1)
                             : elementGradient(g.grad, reduction, logp.size(0));
        return Grads{(logp.exp() - hot) * rowGrad, Tensor()};
      });
  return out;
}

Tensor mse_loss(const Tensor &input, const Tensor &target,
                const std::string &reduction) {
  if (autocast::detail::castsToFloat32({input, target}))
    return mse_loss(autocast::detail::toFloat32(input),
                    autocast::detail::toFloat32(target), reduction);
  detail::checkFloatTensor("mse_loss", input);
  detail::checkFloatTensor("mse_loss", target);
  if (input.sizes() != target.sizes())
    throw Error("mse_loss: input " + shapeToString(input.sizes()) +
                " and target " + shapeToString(target.sizes()) +
                " must have the same shape");
  OpAttrs attrs;
  attrs.reduction = reductionFromString("mse_loss", reduction);
  Tensor out = detail::traced(OpKind::MSELoss, {input, target}, attrs, [&] {
    Tensor diff = input - target;
    return reduceLoss(diff * diff, attrs.reduction);
  });
  autograd::recordGradient(
      out, "MseLossBackward0", {input, target}, {input, target},
      [reduction = attrs.reduction](const BackwardArgs &g) {
        const Tensor &x = g.saved[0], &y = g.saved[1];
        Tensor dx =
            (x - y) * (2.0f * elementGradient(g.grad, reduction, x.numel()));
        return Grads{dx, g.needsGrad[1] ? -dx : Tensor()};
      });
  return out;
}

Tensor linear(const Tensor &input, const Tensor &weight, const Tensor &bias) {
  if (autocast::detail::castsToLowerPrecision({input, weight, bias}))
    return linear(autocast::detail::toLowerPrecision(input),
                  autocast::detail::toLowerPrecision(weight),
                  autocast::detail::toLowerPrecision(bias));
  if (!input.defined() || !weight.defined() || weight.dim() != 2 ||
      input.dim() == 0 || input.size(-1) != weight.size(1))
    throw Error("linear: expected input [..., in_features] and weight "
                "[out_features, in_features], got " +
                (input.defined() ? shapeToString(input.sizes())
                                 : std::string("undefined")) +
                " and " +
                (weight.defined() ? shapeToString(weight.sizes())
                                  : std::string("undefined")));
  Tensor output = input.matmul(weight.t());
  return bias.defined() ? output + bias : output;
}

Tensor softmax(const Tensor &input, int64_t dim) { return input.softmax(dim); }
Tensor log_softmax(const Tensor &input, int64_t dim) {
  return input.log_softmax(dim);
}
Tensor relu(const Tensor &input) { return input.relu(); }
Tensor tanh(const Tensor &input) { return input.tanh(); }
Tensor sigmoid(const Tensor &input) { return input.sigmoid(); }

} // namespace nnc::nn::functional
