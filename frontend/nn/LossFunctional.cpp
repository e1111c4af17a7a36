//===- frontend/nn/LossFunctional.cpp - Losses composed of tensor ops -----===//
//
// Each loss is PyTorch 1.13's formula (aten/src/ATen/native/Loss*.cpp)
// written with traceable eager ops, so eager autograd, tracing and the
// compiler's nn-autodiff all see the same composition. Data-dependent
// choices are made with where() rather than by reading values, so a traced
// loss stays right for every batch of the same shape.
//
//===----------------------------------------------------------------------===//
#include "frontend/nn/LossFunctional.h"

#include "frontend/Autocast.h"
#include "frontend/Autograd.h"
#include "frontend/TraceHook.h"
#include "frontend/nn/Functional.h"

namespace nnc::nn::functional {

namespace {

Tensor reduce(const Tensor &loss, const std::string &reduction) {
  if (reduction == "mean")
    return loss.mean();
  if (reduction == "sum")
    return loss.sum();
  return loss;
}

void checkFloating(const char *op, const char *what, const Tensor &t) {
  if (!t.defined() || !t.is_floating_point())
    throw Error(std::string(op) + ": expected " + what +
                " to be a floating point tensor, got " +
                (t.defined() ? toString(t.dtype()) : "undefined"));
}

void checkSameShape(const char *op, const Tensor &input, const Tensor &target) {
  if (input.sizes() != target.sizes())
    throw Error(std::string(op) + ": target " + shapeToString(target.sizes()) +
                " and input " + shapeToString(input.sizes()) +
                " must have the same shape");
}

/// Reads values of `t` without recording them in a trace or on the tape
/// (argument checks only; the result never feeds the loss).
template <class Read> auto inspect(const Tensor &t, Read &&read) {
  TraceHookGuard suspend(nullptr);
  NoGradGuard noGrad;
  return read(t.contiguous());
}

/// The class dim of a loss's input: 0 for a single sample [C], else 1.
int64_t classDimOf(const char *op, const Tensor &input) {
  if (input.dim() < 1)
    throw Error(std::string(op) +
                ": expected input with a class dim, got a 0-d input");
  int64_t classDim = input.dim() == 1 ? 0 : 1;
  if (input.size(classDim) == 0)
    throw Error(std::string(op) + ": expected at least one class, got input " +
                shapeToString(input.sizes()));
  return classDim;
}

/// Checks optional class weights: a floating tensor [classes].
void checkClassWeight(const char *op, const Tensor &weight, int64_t classes) {
  if (!weight.defined())
    return;
  checkFloating(op, "weight", weight);
  if (weight.dim() != 1 || weight.size(0) != classes)
    throw Error(std::string(op) +
                ": weight tensor should be defined either for all " +
                std::to_string(classes) +
                " classes or no classes but got weight tensor of shape: " +
                shapeToString(weight.sizes()));
}

/// Class-index targets of a loss over class dim `classDim` of `input`,
/// with what ignore_index and class weights make of them.
struct ClassTargets {
  int64_t classDim;
  int64_t classes;
  /// Whether any target is ignore_index (in the values seen now; a traced
  /// graph must not depend on it).
  bool anyIgnored = false;
  /// Bool, target's shape: the target is not ignore_index.
  Tensor valid;
  /// The targets with ignore_index replaced by class 0, so that gathers
  /// stay in range; rows that were ignored are masked out afterwards.
  Tensor safe;
  /// weight[target] (target's shape), undefined without class weights.
  Tensor weight;
};

/// Checks class-index targets and class weights; the masks are left to
/// maskIgnored.
ClassTargets checkClassTargets(const char *op, const Tensor &input,
                               const Tensor &target, const Tensor &weight,
                               int64_t ignoreIndex) {
  if (!target.defined() || target.dtype() != kInt64)
    throw Error(std::string(op) +
                ": expected target to be a Long tensor "
                "of class indices, got " +
                (target.defined() ? toString(target.dtype()) : "undefined"));
  ClassTargets t;
  t.classDim = classDimOf(op, input);
  t.classes = input.size(t.classDim);
  IntList expected = input.sizes();
  expected.erase(expected.begin() + t.classDim);
  if (target.sizes() != expected)
    throw Error(std::string(op) + ": expected target " +
                shapeToString(expected) + " for input " +
                shapeToString(input.sizes()) + ", got target " +
                shapeToString(target.sizes()));
  inspect(target, [&](const Tensor &indices) {
    const int64_t *index = indices.data_ptr<int64_t>();
    for (int64_t i = 0, n = indices.numel(); i < n; ++i)
      if (index[i] == ignoreIndex)
        t.anyIgnored = true;
      else if (index[i] < 0 || index[i] >= t.classes)
        throw Error(std::string(op) + ": target " + std::to_string(index[i]) +
                    " (at position " + std::to_string(i) +
                    ") is out of bounds for " + std::to_string(t.classes) +
                    " classes");
  });
  checkClassWeight(op, weight, t.classes);
  return t;
}

/// Fills `t`'s masks and per-target weights, in traceable ops.
void maskIgnored(ClassTargets &t, const Tensor &target, const Tensor &weight,
                 int64_t ignoreIndex) {
  t.valid = target != ignoreIndex;
  t.safe = where(t.valid, target, 0);
  if (weight.defined())
    t.weight =
        weight.index_select(0, t.safe.reshape({-1})).reshape(target.sizes());
}

/// What nll_loss's "mean" divides by: the summed weights of the targets
/// not ignored (their count without class weights).
Tensor meanDivisor(const ClassTargets &t, ScalarType dtype) {
  return t.weight.defined() ? where(t.valid, t.weight, 0.0).sum()
                            : t.valid.to(dtype).sum();
}

/// `perTarget` (target's shape; computed on the safe targets) weighted by
/// the class weights, zero where the target is ignored, then reduced as
/// nll_loss does.
Tensor reduceClassLoss(const Tensor &perTarget, const ClassTargets &t,
                       const std::string &reduction) {
  Tensor weighted = t.weight.defined() ? perTarget * t.weight : perTarget;
  Tensor loss = where(t.valid, weighted, 0.0);
  if (reduction != "mean")
    return reduce(loss, reduction);
  return loss.sum() / meanDivisor(t, loss.dtype());
}

/// The class weights shaped to broadcast along `classDim` of a rank-`rank`
/// tensor.
Tensor classWeightsAlong(const Tensor &weight, int64_t classDim, int64_t rank) {
  IntList shape(rank, 1);
  shape[classDim] = weight.size(0);
  return weight.reshape(shape);
}

/// -log_softmax(input)[target] per target, through the fused
/// nn.cross_entropy where it applies ([N, C] float32 logits), else from
/// log_softmax and gather.
Tensor crossEntropyPerTarget(const Tensor &input, const ClassTargets &t) {
  if (input.dim() == 2 && input.dtype() == kFloat32)
    return cross_entropy(input, t.safe, "none");
  Tensor logProbs = input.log_softmax(t.classDim);
  return -logProbs.gather(t.classDim, t.safe.unsqueeze(t.classDim))
              .squeeze(t.classDim);
}

Tensor crossEntropyWithProbabilities(const Tensor &input, const Tensor &target,
                                     const CrossEntropyFuncOptions &options) {
  checkFloating("cross_entropy", "target with class probabilities", target);
  if (options.ignore_index() >= 0)
    throw Error("cross_entropy: ignore_index is not supported for floating "
                "point target");
  int64_t classDim = classDimOf("cross_entropy", input);
  int64_t classes = input.size(classDim);
  checkClassWeight("cross_entropy", options.weight(), classes);
  double smoothing = options.label_smoothing();
  Tensor probs =
      smoothing > 0 ? target * (1.0 - smoothing) + smoothing / classes : target;
  Tensor terms = input.log_softmax(classDim) * probs;
  if (options.weight().defined())
    terms = terms * classWeightsAlong(options.weight(), classDim, input.dim());
  const std::string &reduction = options.reduction();
  if (reduction == "none")
    return -terms.sum({classDim});
  if (reduction == "sum")
    return -terms.sum();
  // The mean is over the batch (and extra) positions, not over classes.
  return -terms.sum() / double(input.numel() / classes);
}

} // namespace

Tensor cross_entropy(const Tensor &input, const Tensor &target,
                     const CrossEntropyFuncOptions &options) {
  // Autocast's float32 list (every loss): 16-bit operands cast first.
  if (autocast::detail::castsToFloat32({input, target}))
    return cross_entropy(autocast::detail::toFloat32(input),
                         autocast::detail::toFloat32(target), options);
  checkFloating("cross_entropy", "input", input);
  reductionFromString("cross_entropy", options.reduction());
  double smoothing = options.label_smoothing();
  if (smoothing < 0 || smoothing > 1)
    throw Error("cross_entropy: label_smoothing must be between 0.0 and 1.0, "
                "got " +
                std::to_string(smoothing));
  if (target.defined() && input.sizes() == target.sizes())
    return crossEntropyWithProbabilities(input, target, options);

  const Tensor &weight = options.weight();
  ClassTargets t = checkClassTargets("cross_entropy", input, target, weight,
                                     options.ignore_index());
  // The plain case run eagerly is exactly the fused op. A trace always
  // takes the masked form: later batches may hold ignored targets.
  if (smoothing == 0 && !weight.defined() && !t.anyIgnored &&
      !activeTraceHook() && input.dim() == 2 && input.dtype() == kFloat32)
    return cross_entropy(input, target, options.reduction());
  maskIgnored(t, target, weight, options.ignore_index());
  if (smoothing == 0)
    return reduceClassLoss(crossEntropyPerTarget(input, t), t,
                           options.reduction());

  // Label smoothing mixes the NLL with the uniform distribution's cross
  // entropy, -sum_c weight[c] log p[c] / C, reduced like the NLL.
  Tensor logProbs = input.log_softmax(t.classDim);
  Tensor nll = -logProbs.gather(t.classDim, t.safe.unsqueeze(t.classDim))
                    .squeeze(t.classDim);
  Tensor uniformTerms =
      weight.defined()
          ? logProbs * classWeightsAlong(weight, t.classDim, input.dim())
          : logProbs;
  Tensor uniform = where(t.valid, -uniformTerms.sum({t.classDim}), 0.0);
  const std::string &reduction = options.reduction();
  Tensor uniformLoss = reduction == "mean"
                           ? uniform.sum() / meanDivisor(t, uniform.dtype())
                           : reduce(uniform, reduction);
  return (1.0 - smoothing) * reduceClassLoss(nll, t, reduction) +
         uniformLoss * (smoothing / double(t.classes));
}

Tensor nll_loss(const Tensor &input, const Tensor &target,
                const NLLLossFuncOptions &options) {
  if (autocast::detail::castsToFloat32({input, target}))
    return nll_loss(autocast::detail::toFloat32(input),
                    autocast::detail::toFloat32(target), options);
  checkFloating("nll_loss", "input", input);
  reductionFromString("nll_loss", options.reduction());
  ClassTargets t = checkClassTargets("nll_loss", input, target,
                                     options.weight(), options.ignore_index());
  maskIgnored(t, target, options.weight(), options.ignore_index());
  Tensor picked = -input.gather(t.classDim, t.safe.unsqueeze(t.classDim))
                       .squeeze(t.classDim);
  return reduceClassLoss(picked, t, options.reduction());
}

Tensor mse_loss(const Tensor &input, const Tensor &target,
                const MSELossFuncOptions &options) {
  if (autocast::detail::castsToFloat32({input, target}))
    return mse_loss(autocast::detail::toFloat32(input),
                    autocast::detail::toFloat32(target), options);
  // The fused nn.mse_loss is float32 only; other dtypes compose it.
  if (input.defined() && target.defined() && input.dtype() == kFloat32 &&
      target.dtype() == kFloat32)
    return mse_loss(input, target, options.reduction());
  checkFloating("mse_loss", "input", input);
  checkFloating("mse_loss", "target", target);
  checkSameShape("mse_loss", input, target);
  reductionFromString("mse_loss", options.reduction());
  Tensor diff = input - target;
  return reduce(diff * diff, options.reduction());
}

Tensor l1_loss(const Tensor &input, const Tensor &target,
               const L1LossFuncOptions &options) {
  if (autocast::detail::castsToFloat32({input, target}))
    return l1_loss(autocast::detail::toFloat32(input),
                   autocast::detail::toFloat32(target), options);
  checkFloating("l1_loss", "input", input);
  checkFloating("l1_loss", "target", target);
  checkSameShape("l1_loss", input, target);
  reductionFromString("l1_loss", options.reduction());
  return reduce((input - target).abs(), options.reduction());
}

Tensor smooth_l1_loss(const Tensor &input, const Tensor &target,
                      const SmoothL1LossFuncOptions &options) {
  if (autocast::detail::castsToFloat32({input, target}))
    return smooth_l1_loss(autocast::detail::toFloat32(input),
                          autocast::detail::toFloat32(target), options);
  checkFloating("smooth_l1_loss", "input", input);
  checkFloating("smooth_l1_loss", "target", target);
  checkSameShape("smooth_l1_loss", input, target);
  reductionFromString("smooth_l1_loss", options.reduction());
  double beta = options.beta();
  if (beta < 0)
    throw Error("smooth_l1_loss: smooth_l1_loss does not support negative "
                "values for beta, got " +
                std::to_string(beta));
  // beta 0 would divide by zero in the quadratic branch (NaN gradients
  // through where); PyTorch takes the L1 loss too.
  if (beta == 0)
    return l1_loss(input, target,
                   L1LossOptions().reduction(options.reduction()));
  Tensor diff = input - target;
  Tensor distance = diff.abs();
  Tensor loss =
      where(distance < beta, diff * diff * (0.5 / beta), distance - 0.5 * beta);
  return reduce(loss, options.reduction());
}

Tensor binary_cross_entropy(const Tensor &input, const Tensor &target,
                            const BinaryCrossEntropyFuncOptions &options) {
  if (autocast::detail::castsToFloat32({input, target}))
    return binary_cross_entropy(autocast::detail::toFloat32(input),
                                autocast::detail::toFloat32(target), options);
  checkFloating("binary_cross_entropy", "input", input);
  checkFloating("binary_cross_entropy", "target", target);
  checkSameShape("binary_cross_entropy", input, target);
  reductionFromString("binary_cross_entropy", options.reduction());
  bool inRange = inspect(input, [](const Tensor &x) {
    return x.ge(0).all().item<bool>() && x.le(1).all().item<bool>();
  });
  if (!inRange)
    throw Error("binary_cross_entropy: all elements of input should be "
                "between 0 and 1");
  // log(u) clamped to >= -100; at u = 0 the log's argument is swapped for 1
  // so that neither the value nor the gradient (0 / u) becomes NaN.
  auto clampedLog = [](const Tensor &u) {
    Tensor positive = u > 0.0;
    return where(positive, where(positive, u, 1.0).log().clamp_min(-100.0),
                 -100.0);
  };
  Tensor loss =
      -(target * clampedLog(input) + (1.0 - target) * clampedLog(1.0 - input));
  if (options.weight().defined())
    loss = loss * options.weight();
  return reduce(loss, options.reduction());
}

Tensor binary_cross_entropy_with_logits(
    const Tensor &input, const Tensor &target,
    const BinaryCrossEntropyWithLogitsFuncOptions &options) {
  if (autocast::detail::castsToFloat32({input, target}))
    return binary_cross_entropy_with_logits(autocast::detail::toFloat32(input),
                                            autocast::detail::toFloat32(target),
                                            options);
  const char *op = "binary_cross_entropy_with_logits";
  checkFloating(op, "input", input);
  checkFloating(op, "target", target);
  checkSameShape(op, input, target);
  reductionFromString(op, options.reduction());
  // log(1 + exp(-x)) = log(exp(-m) + exp(-x - m)) + m with m = max(-x, 0):
  // neither exponential overflows.
  Tensor shift = (-input).clamp_min(0.0);
  Tensor softplus = ((-shift).exp() + (-input - shift).exp()).log() + shift;
  const Tensor &posWeight = options.pos_weight();
  if (posWeight.defined())
    softplus = ((posWeight - 1.0) * target + 1.0) * softplus;
  Tensor loss = (1.0 - target) * input + softplus;
  if (options.weight().defined())
    loss = loss * options.weight();
  return reduce(loss, options.reduction());
}

} // namespace nnc::nn::functional
