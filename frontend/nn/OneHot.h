//===- frontend/nn/OneHot.h - one_hot -------------------------*- C++ -*-===//
#ifndef NNC_FRONTEND_NN_ONEHOT_H
#define NNC_FRONTEND_NN_ONEHOT_H

#include "frontend/Tensor.h"

namespace nnc::nn::functional {

/// As torch.nn.functional.one_hot: an int64 tensor of shape [..., C] with 1
/// at each class index of the int64 `tensor` and 0 elsewhere. C is
/// `num_classes`, or max(tensor) + 1 when it is -1.
Tensor one_hot(const Tensor &tensor, int64_t num_classes = -1);

} // namespace nnc::nn::functional

#endif // NNC_FRONTEND_NN_ONEHOT_H
