//===- frontend/nn/Functional.h - Losses and activations --------*- C++ -*-===//
//
// As torch::nn::functional (usually aliased F): stateless functions behind
// the nn modules. Losses take PyTorch's reduction names, "none", "mean"
// (the default) or "sum".
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_FUNCTIONAL_H
#define NNC_FRONTEND_NN_FUNCTIONAL_H

#include "frontend/Tensor.h"
#include "frontend/nn/ConvFunctional.h"
#include "frontend/nn/LossFunctional.h"

#include <string>

namespace nnc::nn::functional {

/// Cross entropy of logits `input` [N, C] (float) against class indices
/// `target` [N] (int64, each in [0, C)): the mean (or sum, or per-row
/// values for "none") of -log_softmax(input, 1)[i, target[i]].
Tensor cross_entropy(const Tensor &input, const Tensor &target,
                     const std::string &reduction = "mean");

/// (input - target)^2, reduced; input and target have the same shape.
Tensor mse_loss(const Tensor &input, const Tensor &target,
                const std::string &reduction = "mean");

/// input.matmul(weight.t()) + bias, as torch::nn::functional::linear: input
/// [..., in_features], weight [out_features, in_features], bias
/// [out_features] or undefined. Under autocast all three are cast (one of
/// the lower-precision ops).
Tensor linear(const Tensor &input, const Tensor &weight,
              const Tensor &bias = {});

Tensor softmax(const Tensor &input, int64_t dim);
Tensor log_softmax(const Tensor &input, int64_t dim);
Tensor relu(const Tensor &input);
Tensor tanh(const Tensor &input);
Tensor sigmoid(const Tensor &input);

/// PyTorch's reduction enum value of a reduction name (0 none, 1 mean,
/// 2 sum); throws naming `op` for any other name.
int64_t reductionFromString(const char *op, const std::string &reduction);

} // namespace nnc::nn::functional

#endif // NNC_FRONTEND_NN_FUNCTIONAL_H
