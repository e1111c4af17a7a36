//===- frontend/nn/Normalization.cpp - LayerNorm, BatchNorm1d/2d ----------===//
#include "frontend/nn/Normalization.h"

#include "frontend/Autograd.h"

#include <initializer_list>
#include <numeric>
#include <string>

namespace nnc::nn {

namespace {

/// A normalized tensor with the mean and biased variance it used (keepdim).
struct Normalized {
  Tensor out, mean, var;
};

/// Normalizes `input` to zero mean and unit (biased) variance over `dims`.
Normalized normalize(const Tensor &input, const IntList &dims, double eps) {
  Tensor mean = input.mean(dims, /*keepdim=*/true);
  Tensor centered = input - mean;
  Tensor var = (centered * centered).mean(dims, /*keepdim=*/true);
  return {centered / (var + eps).sqrt(), mean, var};
}

/// out * weight + bias, each optional.
Tensor affine(Tensor out, const Tensor &weight, const Tensor &bias) {
  if (weight.defined())
    out = out * weight;
  if (bias.defined())
    out = out + bias;
  return out;
}

/// Throws unless `t` is undefined or a 1-D tensor of `size` elements.
void checkPerChannel(const char *op, const char *what, const Tensor &t,
                     int64_t size) {
  if (t.defined() && (t.dim() != 1 || t.size(0) != size))
    throw Error(std::string(op) + ": expected " + what + " of shape [" +
                std::to_string(size) + "], got " + shapeToString(t.sizes()));
}

/// Whether a 16-bit `input` meets float32 statistics or affine parameters
/// (what a BatchNorm or LayerNorm module sees under autocast, which leaves
/// normalization alone): the normalization then computes in float32, as
/// PyTorch's mixed-dtype kernels, and returns the input's dtype.
bool normalizesInFloat32(const Tensor &input,
                         std::initializer_list<Tensor> perChannel) {
  if (!input.defined() || !isReducedFloatingType(input.dtype()))
    return false;
  for (const Tensor &t : perChannel)
    if (t.defined() && t.dtype() == kFloat32)
      return true;
  return false;
}

/// batch_norm with the momentum as a 0-d tensor (needed only to update
/// running statistics), so that the module's cumulative average
/// (1 / num_batches_tracked) traces like a fixed momentum.
Tensor batchNorm(const Tensor &input, const Tensor &runningMean,
                 const Tensor &runningVar, const Tensor &weight,
                 const Tensor &bias, bool training, const Tensor &momentum,
                 double eps) {
  if (normalizesInFloat32(input, {runningMean, runningVar, weight, bias}))
    return batchNorm(input.to(kFloat32), runningMean, runningVar, weight, bias,
                     training, momentum, eps)
        .to(input.dtype());
  if (input.dim() < 2)
    throw Error("batch_norm: expected input with at least 2 dims [N, C, "
                "...], got " +
                shapeToString(input.sizes()));
  int64_t channels = input.size(1);
  checkPerChannel("batch_norm", "running_mean", runningMean, channels);
  checkPerChannel("batch_norm", "running_var", runningVar, channels);
  checkPerChannel("batch_norm", "weight", weight, channels);
  checkPerChannel("batch_norm", "bias", bias, channels);
  if (runningMean.defined() != runningVar.defined())
    throw Error("batch_norm: running_mean and running_var must both be "
                "given or both be absent");
  // Per-channel tensors broadcast as [1, C, 1, ...].
  IntList channelShape(input.dim(), 1);
  channelShape[1] = channels;
  auto perChannel = [&](const Tensor &t) {
    return t.defined() ? t.reshape(channelShape) : t;
  };
  IntList reduced{0};
  for (int64_t d = 2; d < input.dim(); ++d)
    reduced.push_back(d);

  Tensor out;
  // Without running statistics the batch's are used, even in eval mode.
  if (training || !runningMean.defined()) {
    int64_t perChannelCount = channels ? input.numel() / channels : 0;
    if (perChannelCount <= 1)
      throw Error("batch_norm: expected more than 1 value per channel when "
                  "training, got input of shape " +
                  shapeToString(input.sizes()));
    Normalized n = normalize(input, reduced, eps);
    out = n.out;
    if (training && runningMean.defined()) {
      // PyTorch: running = (1 - momentum) * running + momentum * batch,
      // with the unbiased batch variance; no history, as under no_grad.
      // The unbiased variance is its own op (nn.var, correction 1) rather
      // than the biased one times n / (n - 1): n is then counted when the
      // code runs, so one compiled graph serves every batch size.
      NoGradGuard noGrad;
      Tensor keep = 1.0 - momentum;
      runningMean.mul_(keep).add_(n.mean.detach().reshape({channels}) *
                                  momentum);
      runningVar.mul_(keep).add_(
          input.detach().var(reduced, /*unbiased=*/true).reshape({channels}) *
          momentum);
    }
  } else {
    out = (input - perChannel(runningMean)) /
          (perChannel(runningVar) + eps).sqrt();
  }
  return affine(out, perChannel(weight), perChannel(bias));
}

} // namespace

//===----------------------------------------------------------------------===//
// Functional
//===----------------------------------------------------------------------===//

namespace functional {

Tensor layer_norm(const Tensor &input, const LayerNormFuncOptions &options) {
  if (normalizesInFloat32(input, {options.weight(), options.bias()}))
    return layer_norm(input.to(kFloat32), options).to(input.dtype());
  const IntList &shape = options.normalized_shape();
  int64_t k = static_cast<int64_t>(shape.size());
  bool fits = k >= 1 && input.dim() >= k;
  for (int64_t i = 0; fits && i < k; ++i)
    fits = input.size(input.dim() - k + i) == shape[i];
  if (!fits) {
    std::string expected = "[*";
    for (int64_t s : shape)
      expected += ", " + std::to_string(s);
    throw Error("layer_norm: given normalized_shape=" + shapeToString(shape) +
                ", expected input with shape " + expected +
                "], but got input of size " + shapeToString(input.sizes()));
  }
  for (const Tensor *t : {&options.weight(), &options.bias()})
    if (t->defined() && t->sizes() != shape)
      throw Error("layer_norm: expected weight and bias of shape " +
                  shapeToString(shape) + ", got " + shapeToString(t->sizes()));
  IntList dims(k);
  std::iota(dims.begin(), dims.end(), input.dim() - k);
  return affine(normalize(input, dims, options.eps()).out, options.weight(),
                options.bias());
}

Tensor batch_norm(const Tensor &input, const Tensor &running_mean,
                  const Tensor &running_var,
                  const BatchNormFuncOptions &options) {
  bool updatesStats = options.training() && running_mean.defined();
  return batchNorm(input, running_mean, running_var, options.weight(),
                   options.bias(), options.training(),
                   updatesStats ? scalar_tensor(options.momentum()) : Tensor(),
                   options.eps());
}

} // namespace functional

//===----------------------------------------------------------------------===//
// LayerNorm
//===----------------------------------------------------------------------===//

LayerNormImpl::LayerNormImpl(const LayerNormOptions &options)
    : Module("LayerNorm"), options(options) {
  for (int64_t s : options.normalized_shape())
    if (s < 0)
      throw Error("LayerNorm: normalized_shape must not be negative, got " +
                  shapeToString(options.normalized_shape()));
  bool affine = options.elementwise_affine();
  weight = register_parameter(
      "weight", affine ? empty(options.normalized_shape()) : Tensor(), affine);
  bias = register_parameter(
      "bias", affine ? empty(options.normalized_shape()) : Tensor(), affine);
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (!options.elementwise_affine())
    return;
  NoGradGuard noGrad;
  weight.fill_(1);
  bias.zero_();
}

Tensor LayerNormImpl::forward(const Tensor &input) {
  return functional::layer_norm(
      input, functional::LayerNormFuncOptions(options.normalized_shape())
                 .weight(weight)
                 .bias(bias)
                 .eps(options.eps()));
}

//===----------------------------------------------------------------------===//
// BatchNorm
//===----------------------------------------------------------------------===//

BatchNormImplBase::BatchNormImplBase(const char *name,
                                     const BatchNormOptions &options)
    : Module(name), options(options) {
  int64_t c = options.num_features();
  if (c <= 0)
    throw Error(std::string(name) + ": num_features must be positive, got " +
                std::to_string(c));
  bool affine = options.affine();
  weight = register_parameter("weight", affine ? empty({c}) : Tensor(), affine);
  bias = register_parameter("bias", affine ? empty({c}) : Tensor(), affine);
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", zeros({c}));
    running_var = register_buffer("running_var", ones({c}));
    num_batches_tracked =
        register_buffer("num_batches_tracked", zeros({}, kInt64));
  }
  reset_parameters();
}

void BatchNormImplBase::reset_running_stats() {
  if (!options.track_running_stats())
    return;
  NoGradGuard noGrad;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

void BatchNormImplBase::reset_parameters() {
  reset_running_stats();
  if (!options.affine())
    return;
  NoGradGuard noGrad;
  weight.fill_(1);
  bias.zero_();
}

Tensor BatchNormImplBase::forward(const Tensor &input) {
  checkInputDim(input);
  if (input.size(1) != options.num_features())
    throw Error(name() + ": expected " +
                std::to_string(options.num_features()) +
                " channels (dim 1), got input of shape " +
                shapeToString(input.sizes()));
  Tensor momentum;
  if (is_training() && options.track_running_stats()) {
    NoGradGuard noGrad;
    num_batches_tracked.add_(1);
    // No momentum: the cumulative average of every batch seen.
    momentum = options.momentum() ? scalar_tensor(*options.momentum())
                                  : 1.0 / num_batches_tracked;
  }
  return batchNorm(input, running_mean, running_var, weight, bias,
                   is_training(), momentum, options.eps());
}

void BatchNorm1dImpl::checkInputDim(const Tensor &input) const {
  if (input.dim() != 2 && input.dim() != 3)
    throw Error("BatchNorm1d: expected 2D or 3D input, got " +
                std::to_string(input.dim()) + "D input of shape " +
                shapeToString(input.sizes()));
}

void BatchNorm2dImpl::checkInputDim(const Tensor &input) const {
  if (input.dim() != 4)
    throw Error("BatchNorm2d: expected 4D input, got " +
                std::to_string(input.dim()) + "D input of shape " +
                shapeToString(input.sizes()));
}

} // namespace nnc::nn
