//===- frontend/nn/Normalization.h - LayerNorm, BatchNorm1d/2d --*- C++ -*-===//
//
// As torch::nn::LayerNorm and BatchNorm1d/2d, and their functional forms
// F::layer_norm and F::batch_norm. Both are composed of traceable tensor
// ops (mean, sub, mul, sqrt, div), so they trace, compile and run inside
// compiled training steps with no op of their own; BatchNorm's running
// statistics are updated in place, which traces as updated buffers.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_NORMALIZATION_H
#define NNC_FRONTEND_NN_NORMALIZATION_H

#include "frontend/nn/Module.h"

#include <optional>

namespace nnc::nn {

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

/// As torch::nn::LayerNormOptions: `LayerNormOptions({5}).eps(1e-6)
/// .elementwise_affine(false)`.
class LayerNormOptions {
public:
  LayerNormOptions(IntList normalized_shape)
      : normalizedShape_(std::move(normalized_shape)) {}
  LayerNormOptions &eps(double value) {
    eps_ = value;
    return *this;
  }
  LayerNormOptions &elementwise_affine(bool value) {
    elementwiseAffine_ = value;
    return *this;
  }
  const IntList &normalized_shape() const { return normalizedShape_; }
  double eps() const { return eps_; }
  bool elementwise_affine() const { return elementwiseAffine_; }

private:
  IntList normalizedShape_;
  double eps_ = 1e-5;
  bool elementwiseAffine_ = true;
};

/// As torch::nn::BatchNormOptions (BatchNorm1dOptions, BatchNorm2dOptions):
/// `BatchNorm2dOptions(16).momentum(0.01).affine(false)`. A momentum of
/// std::nullopt gives the cumulative average of all batches seen.
class BatchNormOptions {
public:
  BatchNormOptions(int64_t num_features) : numFeatures_(num_features) {}
  BatchNormOptions &eps(double value) {
    eps_ = value;
    return *this;
  }
  BatchNormOptions &momentum(std::optional<double> value) {
    momentum_ = value;
    return *this;
  }
  BatchNormOptions &affine(bool value) {
    affine_ = value;
    return *this;
  }
  BatchNormOptions &track_running_stats(bool value) {
    trackRunningStats_ = value;
    return *this;
  }
  int64_t num_features() const { return numFeatures_; }
  double eps() const { return eps_; }
  std::optional<double> momentum() const { return momentum_; }
  bool affine() const { return affine_; }
  bool track_running_stats() const { return trackRunningStats_; }

private:
  int64_t numFeatures_;
  double eps_ = 1e-5;
  std::optional<double> momentum_ = 0.1;
  bool affine_ = true;
  bool trackRunningStats_ = true;
};
using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;

namespace functional {

/// As torch::nn::functional::LayerNormFuncOptions.
class LayerNormFuncOptions {
public:
  LayerNormFuncOptions(IntList normalized_shape)
      : normalizedShape_(std::move(normalized_shape)) {}
  LayerNormFuncOptions &weight(const Tensor &value) {
    weight_ = value;
    return *this;
  }
  LayerNormFuncOptions &bias(const Tensor &value) {
    bias_ = value;
    return *this;
  }
  LayerNormFuncOptions &eps(double value) {
    eps_ = value;
    return *this;
  }
  const IntList &normalized_shape() const { return normalizedShape_; }
  const Tensor &weight() const { return weight_; }
  const Tensor &bias() const { return bias_; }
  double eps() const { return eps_; }

private:
  IntList normalizedShape_;
  Tensor weight_, bias_;
  double eps_ = 1e-5;
};

/// As torch::nn::functional::BatchNormFuncOptions (momentum as in
/// BatchNormOptions, but a plain double: F::batch_norm has no cumulative
/// mode).
class BatchNormFuncOptions {
public:
  BatchNormFuncOptions &weight(const Tensor &value) {
    weight_ = value;
    return *this;
  }
  BatchNormFuncOptions &bias(const Tensor &value) {
    bias_ = value;
    return *this;
  }
  BatchNormFuncOptions &training(bool value) {
    training_ = value;
    return *this;
  }
  BatchNormFuncOptions &momentum(double value) {
    momentum_ = value;
    return *this;
  }
  BatchNormFuncOptions &eps(double value) {
    eps_ = value;
    return *this;
  }
  const Tensor &weight() const { return weight_; }
  const Tensor &bias() const { return bias_; }
  bool training() const { return training_; }
  double momentum() const { return momentum_; }
  double eps() const { return eps_; }

private:
  Tensor weight_, bias_;
  bool training_ = false;
  double momentum_ = 0.1;
  double eps_ = 1e-5;
};

/// Normalizes over the last normalized_shape.size() dims (which must equal
/// normalized_shape) with the biased variance, then scales by weight and
/// adds bias (each of normalized_shape, when given).
Tensor layer_norm(const Tensor &input, const LayerNormFuncOptions &options);

/// Normalizes input [N, C, ...] per channel C. With training(true) (or no
/// running statistics) it uses the batch's mean and biased variance, and
/// then, when running_mean/running_var ([C]) are given, moves them towards
/// the batch's mean and unbiased variance by momentum, in place and
/// without autograd history; otherwise it uses the running statistics.
/// weight and bias ([C]) are optional.
Tensor batch_norm(const Tensor &input, const Tensor &running_mean,
                  const Tensor &running_var,
                  const BatchNormFuncOptions &options = {});

} // namespace functional

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

/// Layer normalization over the trailing normalized_shape dims, with
/// weight (ones) and bias (zeros) of normalized_shape when
/// elementwise_affine, as PyTorch initializes them.
class LayerNormImpl : public Module {
public:
  LayerNormImpl(IntList normalized_shape)
      : LayerNormImpl(LayerNormOptions(std::move(normalized_shape))) {}
  explicit LayerNormImpl(const LayerNormOptions &options);

  /// weight to ones, bias to zeros.
  void reset_parameters();
  Tensor forward(const Tensor &input);

  LayerNormOptions options;
  /// Undefined without elementwise_affine.
  Tensor weight, bias;
};
NNC_MODULE(LayerNorm);

/// What BatchNorm1d and BatchNorm2d share (libtorch's BatchNormImplBase):
/// weight (ones) and bias (zeros) [C] when affine; running_mean (zeros),
/// running_var (ones) [C] and num_batches_tracked (0-d Long) buffers when
/// track_running_stats.
class BatchNormImplBase : public Module {
public:
  /// running_mean to zeros, running_var to ones, num_batches_tracked to 0.
  void reset_running_stats();
  /// reset_running_stats(), weight to ones and bias to zeros.
  void reset_parameters();
  /// Normalizes with the batch's statistics in training mode (updating the
  /// running ones) and with the running statistics in eval mode (the
  /// batch's when track_running_stats is false).
  Tensor forward(const Tensor &input);

  BatchNormOptions options;
  /// Undefined without affine.
  Tensor weight, bias;
  /// Undefined without track_running_stats.
  Tensor running_mean, running_var, num_batches_tracked;

protected:
  BatchNormImplBase(const char *name, const BatchNormOptions &options);
  /// Throws unless `input` has a rank this module accepts.
  virtual void checkInputDim(const Tensor &input) const = 0;
};

/// Batch normalization of [N, C] or [N, C, L] input.
class BatchNorm1dImpl : public BatchNormImplBase {
public:
  explicit BatchNorm1dImpl(int64_t num_features)
      : BatchNorm1dImpl(BatchNormOptions(num_features)) {}
  explicit BatchNorm1dImpl(const BatchNormOptions &options)
      : BatchNormImplBase("BatchNorm1d", options) {}

private:
  void checkInputDim(const Tensor &input) const override;
};
NNC_MODULE(BatchNorm1d);

/// Batch normalization of [N, C, H, W] input.
class BatchNorm2dImpl : public BatchNormImplBase {
public:
  explicit BatchNorm2dImpl(int64_t num_features)
      : BatchNorm2dImpl(BatchNormOptions(num_features)) {}
  explicit BatchNorm2dImpl(const BatchNormOptions &options)
      : BatchNormImplBase("BatchNorm2d", options) {}

private:
  void checkInputDim(const Tensor &input) const override;
};
NNC_MODULE(BatchNorm2d);

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_NORMALIZATION_H
