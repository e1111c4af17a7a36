//===- frontend/nn/Linear.h - nn::Linear ------------------------*- C++ -*-===//
#ifndef NNC_FRONTEND_NN_LINEAR_H
#define NNC_FRONTEND_NN_LINEAR_H

#include "frontend/nn/Module.h"

namespace nnc::nn {

/// As torch::nn::LinearOptions: `LinearOptions(9, 16).bias(false)`.
class LinearOptions {
public:
  LinearOptions(int64_t in_features, int64_t out_features)
      : inFeatures_(in_features), outFeatures_(out_features) {}
  LinearOptions &bias(bool with_bias) {
    bias_ = with_bias;
    return *this;
  }
  int64_t in_features() const { return inFeatures_; }
  int64_t out_features() const { return outFeatures_; }
  bool bias() const { return bias_; }

private:
  int64_t inFeatures_;
  int64_t outFeatures_;
  bool bias_ = true;
};

/// y = x W^T + b, with W [out, in] and b [out] initialized as PyTorch does:
/// U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform_ with a = sqrt(5)).
class LinearImpl : public Module {
public:
  LinearImpl(int64_t in_features, int64_t out_features)
      : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions &options);

  /// Re-draws weight and bias from the seeded generator.
  void reset_parameters();
  Tensor forward(const Tensor &input);

  LinearOptions options;
  Tensor weight;
  /// Undefined when options.bias() is false.
  Tensor bias;
};
NNC_MODULE(Linear);

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_LINEAR_H
