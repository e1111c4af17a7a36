//===- frontend/nn/Conv.h - nn::Conv2d --------------------------*- C++ -*-===//
#ifndef NNC_FRONTEND_NN_CONV_H
#define NNC_FRONTEND_NN_CONV_H

#include "frontend/nn/ConvFunctional.h"
#include "frontend/nn/Module.h"

namespace nnc::nn {

/// As torch::nn::Conv2dOptions:
/// `Conv2dOptions(1, 16, 3).stride(2).padding(1).groups(1).bias(false)`.
class Conv2dOptions {
public:
  Conv2dOptions(int64_t in_channels, int64_t out_channels,
                ExpandingArray<2> kernel_size)
      : inChannels_(in_channels), outChannels_(out_channels),
        kernelSize_(kernel_size) {}
  Conv2dOptions &stride(ExpandingArray<2> value) {
    stride_ = value;
    return *this;
  }
  Conv2dOptions &padding(Conv2dPadding value) {
    padding_ = value;
    return *this;
  }
  Conv2dOptions &dilation(ExpandingArray<2> value) {
    dilation_ = value;
    return *this;
  }
  Conv2dOptions &groups(int64_t value) {
    groups_ = value;
    return *this;
  }
  Conv2dOptions &bias(bool with_bias) {
    bias_ = with_bias;
    return *this;
  }
  int64_t in_channels() const { return inChannels_; }
  int64_t out_channels() const { return outChannels_; }
  const ExpandingArray<2> &kernel_size() const { return kernelSize_; }
  const ExpandingArray<2> &stride() const { return stride_; }
  const Conv2dPadding &padding() const { return padding_; }
  const ExpandingArray<2> &dilation() const { return dilation_; }
  int64_t groups() const { return groups_; }
  bool bias() const { return bias_; }

private:
  int64_t inChannels_;
  int64_t outChannels_;
  ExpandingArray<2> kernelSize_;
  ExpandingArray<2> stride_ = 1;
  Conv2dPadding padding_ = 0;
  ExpandingArray<2> dilation_ = 1;
  int64_t groups_ = 1;
  bool bias_ = true;
};

/// 2-D convolution over NCHW input with weight [out, in / groups, kH, kW]
/// and bias [out], initialized as PyTorch does: kaiming_uniform_(a =
/// sqrt(5)) for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the
/// bias, fan_in = in / groups * kH * kW.
class Conv2dImpl : public Module {
public:
  Conv2dImpl(int64_t in_channels, int64_t out_channels,
             ExpandingArray<2> kernel_size)
      : Conv2dImpl(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv2dImpl(const Conv2dOptions &options);

  /// Re-draws weight and bias from the seeded generator.
  void reset_parameters();
  Tensor forward(const Tensor &input);

  Conv2dOptions options;
  Tensor weight;
  /// Undefined when options.bias() is false.
  Tensor bias;
};
NNC_MODULE(Conv2d);

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_CONV_H
