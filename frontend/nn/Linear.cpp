//===- frontend/nn/Linear.cpp - nn::Linear --------------------------------===//
#include "frontend/nn/Linear.h"

#include "frontend/nn/Functional.h"
#include "frontend/nn/Init.h"

#include <cmath>

namespace nnc::nn {

LinearImpl::LinearImpl(const LinearOptions &options)
    : Module("Linear"), options(options) {
  if (options.in_features() < 0 || options.out_features() < 0)
    throw Error("Linear: in_features and out_features must be >= 0, got " +
                std::to_string(options.in_features()) + " and " +
                std::to_string(options.out_features()));
  weight = register_parameter(
      "weight", empty({options.out_features(), options.in_features()}));
  bias = register_parameter(
      "bias", options.bias() ? empty({options.out_features()}) : Tensor(),
      /*requires_grad=*/options.bias());
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  // PyTorch's Linear.reset_parameters: kaiming_uniform_(a = sqrt(5)) for
  // the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias.
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    int64_t fanIn = options.in_features();
    double bound = fanIn > 0 ? 1.0 / std::sqrt(double(fanIn)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor LinearImpl::forward(const Tensor &input) {
  if (input.dim() == 0 || input.size(-1) != options.in_features())
    throw Error("Linear: expected input with last dim " +
                std::to_string(options.in_features()) + ", got shape " +
                shapeToString(input.sizes()));
  return functional::linear(input, weight, bias);
}

} // namespace nnc::nn
