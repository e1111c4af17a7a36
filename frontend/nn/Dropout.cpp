//===- frontend/nn/Dropout.cpp - nn::Dropout ------------------------------===//
#include "frontend/nn/Dropout.h"

#include "frontend/Random.h"

#include <string>

namespace nnc::nn {

namespace {

void checkProbability(double p) {
  if (!(p >= 0 && p <= 1))
    throw Error("dropout probability has to be between 0 and 1, but got " +
                std::to_string(p));
}

} // namespace

Tensor functional::dropout(const Tensor &input, double p, bool training) {
  checkProbability(p);
  if (!training || p == 0)
    return input;
  if (!input.is_floating_point())
    throw Error(std::string("dropout: expected a floating-point input, got ") +
                toString(input.dtype()));
  // PyTorch keeps an element with probability 1 - p (bernoulli(1 - p)).
  Tensor keep = detail::drawUniform(input.sizes(), input.dtype()) < (1.0 - p);
  if (p == 1)
    return where(keep, input, 0.0);
  return where(keep, input * (1.0 / (1.0 - p)), 0.0);
}

DropoutImpl::DropoutImpl(const DropoutOptions &options)
    : Module("Dropout"), options(options) {
  checkProbability(options.p());
}

Tensor DropoutImpl::forward(const Tensor &input) {
  return functional::dropout(input, options.p(), is_training());
}

} // namespace nnc::nn
