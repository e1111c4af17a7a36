//===- frontend/nn/Activation.h - ReLU, Tanh, Sigmoid, Softmax --*- C++ -*-===//
#ifndef NNC_FRONTEND_NN_ACTIVATION_H
#define NNC_FRONTEND_NN_ACTIVATION_H

#include "frontend/nn/Module.h"

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

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_ACTIVATION_H
