//===- frontend/nn/Conv.cpp - nn::Conv2d ----------------------------------===//
#include "frontend/nn/Conv.h"

#include "frontend/nn/Init.h"

#include <cmath>

namespace nnc::nn {

Conv2dImpl::Conv2dImpl(const Conv2dOptions &options)
    : Module("Conv2d"), options(options) {
  const ExpandingArray<2> &kernel = options.kernel_size();
  if (options.in_channels() <= 0 || options.out_channels() <= 0 ||
      options.groups() <= 0 || kernel.empty() || kernel[0] <= 0 ||
      kernel[1] <= 0)
    throw Error(
        "Conv2d: in_channels, out_channels, groups and kernel_size "
        "must be positive, got in_channels=" +
        std::to_string(options.in_channels()) +
        ", out_channels=" + std::to_string(options.out_channels()) +
        ", groups=" + std::to_string(options.groups()) + ", kernel_size=" +
        (kernel.empty() ? std::string("[]") : shapeToString(kernel.vec())));
  if (options.in_channels() % options.groups() != 0)
    throw Error("Conv2d: in_channels must be divisible by groups (" +
                std::to_string(options.in_channels()) + " vs " +
                std::to_string(options.groups()) + ")");
  if (options.out_channels() % options.groups() != 0)
    throw Error("Conv2d: out_channels must be divisible by groups (" +
                std::to_string(options.out_channels()) + " vs " +
                std::to_string(options.groups()) + ")");
  weight = register_parameter(
      "weight",
      empty({options.out_channels(), options.in_channels() / options.groups(),
             kernel[0], kernel[1]}));
  bias = register_parameter(
      "bias", options.bias() ? empty({options.out_channels()}) : Tensor(),
      /*requires_grad=*/options.bias());
  reset_parameters();
}

void Conv2dImpl::reset_parameters() {
  // PyTorch's _ConvNd.reset_parameters.
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    double bound = 1.0 / std::sqrt(double(init::fanIn(weight)));
    init::uniform_(bias, -bound, bound);
  }
}

Tensor Conv2dImpl::forward(const Tensor &input) {
  return functional::conv2d(input, weight, bias, options.stride(),
                            options.padding(), options.dilation(),
                            options.groups());
}

} // namespace nnc::nn
