//===- frontend/nn/Init.h - Parameter initialization (nn::init) -*- C++ -*-===//
//
// As torch::nn::init: in-place fills from the generator seeded by
// nnc::manual_seed, run without recording autograd history.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_INIT_H
#define NNC_FRONTEND_NN_INIT_H

#include "frontend/Tensor.h"

#include <string>

namespace nnc::nn::init {

/// Fills `tensor` with U(low, high).
Tensor uniform_(Tensor tensor, double low = 0, double high = 1);
/// Fills `tensor` with U(-bound, bound), bound = gain * sqrt(3 / fan_in),
/// gain = sqrt(2 / (1 + a^2)) (PyTorch's leaky_relu gain, mode fan_in).
Tensor kaiming_uniform_(Tensor tensor, double a = 0);
/// fan_in of a weight: size(1) times the receptive field (1 for Linear).
int64_t fanIn(const Tensor &weight);

} // namespace nnc::nn::init

#endif // NNC_FRONTEND_NN_INIT_H
