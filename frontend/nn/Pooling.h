//===- frontend/nn/Pooling.h - Pooling modules ------------------*- C++ -*-===//
//
// nn::MaxPool2d, nn::AvgPool2d and nn::AdaptiveAvgPool2d with libtorch's
// options; each forward is the functional op of ConvFunctional.h.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_POOLING_H
#define NNC_FRONTEND_NN_POOLING_H

#include "frontend/nn/ConvFunctional.h"
#include "frontend/nn/Module.h"

namespace nnc::nn {

/// As torch::nn::MaxPool2dOptions: `MaxPool2dOptions(2).stride(1)`; the
/// stride defaults to the kernel size.
class MaxPool2dOptions {
public:
  MaxPool2dOptions(ExpandingArray<2> kernel_size)
      : kernelSize_(kernel_size), stride_(kernel_size) {}
  MaxPool2dOptions &stride(ExpandingArray<2> value) {
    stride_ = value;
    return *this;
  }
  MaxPool2dOptions &padding(ExpandingArray<2> value) {
    padding_ = value;
    return *this;
  }
  MaxPool2dOptions &dilation(ExpandingArray<2> value) {
    dilation_ = value;
    return *this;
  }
  MaxPool2dOptions &ceil_mode(bool value) {
    ceilMode_ = value;
    return *this;
  }
  const ExpandingArray<2> &kernel_size() const { return kernelSize_; }
  const ExpandingArray<2> &stride() const { return stride_; }
  const ExpandingArray<2> &padding() const { return padding_; }
  const ExpandingArray<2> &dilation() const { return dilation_; }
  bool ceil_mode() const { return ceilMode_; }

private:
  ExpandingArray<2> kernelSize_;
  ExpandingArray<2> stride_;
  ExpandingArray<2> padding_ = 0;
  ExpandingArray<2> dilation_ = 1;
  bool ceilMode_ = false;
};

class MaxPool2dImpl : public Module {
public:
  explicit MaxPool2dImpl(ExpandingArray<2> kernel_size)
      : MaxPool2dImpl(MaxPool2dOptions(kernel_size)) {}
  explicit MaxPool2dImpl(const MaxPool2dOptions &options)
      : Module("MaxPool2d"), options(options) {}
  Tensor forward(const Tensor &input) {
    return functional::max_pool2d(input, options.kernel_size(),
                                  options.stride(), options.padding(),
                                  options.dilation(), options.ceil_mode());
  }
  /// forward() and the maxima's indices (as MaxPool2d with
  /// return_indices=True).
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor &input) {
    return functional::max_pool2d_with_indices(
        input, options.kernel_size(), options.stride(), options.padding(),
        options.dilation(), options.ceil_mode());
  }
  MaxPool2dOptions options;
};
NNC_MODULE(MaxPool2d);

/// As torch::nn::AvgPool2dOptions:
/// `AvgPool2dOptions(3).stride(2).padding(1).count_include_pad(false)`.
class AvgPool2dOptions {
public:
  AvgPool2dOptions(ExpandingArray<2> kernel_size)
      : kernelSize_(kernel_size), stride_(kernel_size) {}
  AvgPool2dOptions &stride(ExpandingArray<2> value) {
    stride_ = value;
    return *this;
  }
  AvgPool2dOptions &padding(ExpandingArray<2> value) {
    padding_ = value;
    return *this;
  }
  AvgPool2dOptions &ceil_mode(bool value) {
    ceilMode_ = value;
    return *this;
  }
  AvgPool2dOptions &count_include_pad(bool value) {
    countIncludePad_ = value;
    return *this;
  }
  const ExpandingArray<2> &kernel_size() const { return kernelSize_; }
  const ExpandingArray<2> &stride() const { return stride_; }
  const ExpandingArray<2> &padding() const { return padding_; }
  bool ceil_mode() const { return ceilMode_; }
  bool count_include_pad() const { return countIncludePad_; }

private:
  ExpandingArray<2> kernelSize_;
  ExpandingArray<2> stride_;
  ExpandingArray<2> padding_ = 0;
  bool ceilMode_ = false;
  bool countIncludePad_ = true;
};

class AvgPool2dImpl : public Module {
public:
  explicit AvgPool2dImpl(ExpandingArray<2> kernel_size)
      : AvgPool2dImpl(AvgPool2dOptions(kernel_size)) {}
  explicit AvgPool2dImpl(const AvgPool2dOptions &options)
      : Module("AvgPool2d"), options(options) {}
  Tensor forward(const Tensor &input) {
    return functional::avg_pool2d(
        input, options.kernel_size(), options.stride(), options.padding(),
        options.ceil_mode(), options.count_include_pad());
  }
  AvgPool2dOptions options;
};
NNC_MODULE(AvgPool2d);

/// As torch::nn::AdaptiveAvgPool2dOptions: the output's {H, W}.
class AdaptiveAvgPool2dOptions {
public:
  AdaptiveAvgPool2dOptions(ExpandingArray<2> output_size)
      : outputSize_(output_size) {}
  const ExpandingArray<2> &output_size() const { return outputSize_; }

private:
  ExpandingArray<2> outputSize_;
};

class AdaptiveAvgPool2dImpl : public Module {
public:
  explicit AdaptiveAvgPool2dImpl(ExpandingArray<2> output_size)
      : AdaptiveAvgPool2dImpl(AdaptiveAvgPool2dOptions(output_size)) {}
  explicit AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions &options)
      : Module("AdaptiveAvgPool2d"), options(options) {}
  Tensor forward(const Tensor &input) {
    return functional::adaptive_avg_pool2d(input, options.output_size());
  }
  AdaptiveAvgPool2dOptions options;
};
NNC_MODULE(AdaptiveAvgPool2d);

/// As torch::nn::FlattenOptions: the dims to merge (1 to -1 by default,
/// keeping the batch dim).
class FlattenOptions {
public:
  FlattenOptions &start_dim(int64_t value) {
    startDim_ = value;
    return *this;
  }
  FlattenOptions &end_dim(int64_t value) {
    endDim_ = value;
    return *this;
  }
  int64_t start_dim() const { return startDim_; }
  int64_t end_dim() const { return endDim_; }

private:
  int64_t startDim_ = 1;
  int64_t endDim_ = -1;
};

/// Merges dims start_dim..end_dim (a reshape; traced as one).
class FlattenImpl : public Module {
public:
  explicit FlattenImpl(const FlattenOptions &options = {})
      : Module("Flatten"), options(options) {}
  Tensor forward(const Tensor &input) {
    return input.flatten(options.start_dim(), options.end_dim());
  }
  FlattenOptions options;
};
NNC_MODULE(Flatten);

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_POOLING_H
