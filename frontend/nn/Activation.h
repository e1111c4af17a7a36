//===- frontend/nn/Activation.h - ReLU, GELU, Softmax, ... ------*- C++ -*-===//
#ifndef NNC_FRONTEND_NN_ACTIVATION_H
#define NNC_FRONTEND_NN_ACTIVATION_H

#include "frontend/nn/Module.h"

#include <string>

namespace nnc::nn {

class ReLUImpl : public Module {
public:
  ReLUImpl() : Module("ReLU") {}
  Tensor forward(const Tensor &input) { return input.relu(); }
};
NNC_MODULE(ReLU);

class TanhImpl : public Module {
public:
  TanhImpl() : Module("Tanh") {}
  Tensor forward(const Tensor &input) { return input.tanh(); }
};
NNC_MODULE(Tanh);

class SigmoidImpl : public Module {
public:
  SigmoidImpl() : Module("Sigmoid") {}
  Tensor forward(const Tensor &input) { return input.sigmoid(); }
};
NNC_MODULE(Sigmoid);

/// As torch::nn::SoftmaxOptions: the dim to normalize over.
class SoftmaxOptions {
public:
  SoftmaxOptions(int64_t dim) : dim_(dim) {}
  int64_t dim() const { return dim_; }

private:
  int64_t dim_;
};
using LogSoftmaxOptions = SoftmaxOptions;

class SoftmaxImpl : public Module {
public:
  explicit SoftmaxImpl(int64_t dim) : SoftmaxImpl(SoftmaxOptions(dim)) {}
  explicit SoftmaxImpl(const SoftmaxOptions &options)
      : Module("Softmax"), options(options) {}
  Tensor forward(const Tensor &input) { return input.softmax(options.dim()); }
  SoftmaxOptions options;
};
NNC_MODULE(Softmax);

class LogSoftmaxImpl : public Module {
public:
  explicit LogSoftmaxImpl(int64_t dim)
      : LogSoftmaxImpl(LogSoftmaxOptions(dim)) {}
  explicit LogSoftmaxImpl(const LogSoftmaxOptions &options)
      : Module("LogSoftmax"), options(options) {}
  Tensor forward(const Tensor &input) {
    return input.log_softmax(options.dim());
  }
  LogSoftmaxOptions options;
};
NNC_MODULE(LogSoftmax);

/// As torch::nn::LeakyReLUOptions (LeakyReLUFuncOptions):
/// `LeakyReLUOptions().negative_slope(0.2)`.
class LeakyReLUOptions {
public:
  LeakyReLUOptions &negative_slope(double value) {
    negativeSlope_ = value;
    return *this;
  }
  double negative_slope() const { return negativeSlope_; }

private:
  double negativeSlope_ = 0.01;
};

/// As torch::nn::GELUOptions (GELUFuncOptions): approximate "none" (the
/// exact x * Phi(x), with erf) or "tanh".
class GELUOptions {
public:
  GELUOptions &approximate(std::string value) {
    approximate_ = std::move(value);
    return *this;
  }
  const std::string &approximate() const { return approximate_; }

private:
  std::string approximate_ = "none";
};

namespace functional {

using LeakyReLUFuncOptions = LeakyReLUOptions;
using GELUFuncOptions = GELUOptions;

/// x where x > 0, else negative_slope * x (composed of where and mul).
inline Tensor leaky_relu(const Tensor &input,
                         const LeakyReLUFuncOptions &options = {}) {
  return where(input > 0, input, input * options.negative_slope());
}

/// Throws unless `approximate` is one of GELU's modes, naming `op`.
inline void checkGELUApproximate(const char *op,
                                 const std::string &approximate) {
  if (approximate != "none" && approximate != "tanh")
    throw Error(std::string(op) +
                ": approximate must be \"none\" or \"tanh\", got \"" +
                approximate + "\"");
}

/// x * Phi(x): 0.5 x (1 + erf(x / sqrt(2))), or with approximate "tanh"
/// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
inline Tensor gelu(const Tensor &input, const GELUFuncOptions &options = {}) {
  checkGELUApproximate("gelu", options.approximate());
  if (options.approximate() == "none") {
    constexpr double kSqrtHalf = 0.7071067811865476;
    return input * 0.5 * (1.0 + (input * kSqrtHalf).erf());
  }
  constexpr double kSqrtTwoOverPi = 0.7978845608028654;
  Tensor inner = (input + input * input * input * 0.044715) * kSqrtTwoOverPi;
  return input * 0.5 * (1.0 + inner.tanh());
}

} // namespace functional

class LeakyReLUImpl : public Module {
public:
  explicit LeakyReLUImpl(const LeakyReLUOptions &options = {})
      : Module("LeakyReLU"), options(options) {}
  Tensor forward(const Tensor &input) {
    return functional::leaky_relu(input, options);
  }
  LeakyReLUOptions options;
};
NNC_MODULE(LeakyReLU);

class GELUImpl : public Module {
public:
  explicit GELUImpl(const GELUOptions &options = {})
      : Module("GELU"), options(options) {
    functional::checkGELUApproximate("GELU", options.approximate());
  }
  Tensor forward(const Tensor &input) {
    return functional::gelu(input, options);
  }
  GELUOptions options;
};
NNC_MODULE(GELU);

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_ACTIVATION_H
