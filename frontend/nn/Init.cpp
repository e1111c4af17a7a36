//===- frontend/nn/Init.cpp - Parameter initialization --------------------===//
#include "frontend/nn/Init.h"

#include "frontend/Autograd.h"

#include <cmath>

namespace nnc::nn::init {

Tensor uniform_(Tensor tensor, double low, double high) {
  NoGradGuard noGrad;
  Tensor samples = rand(tensor.sizes());
  tensor.copy_(samples * float(high - low) + float(low));
  return tensor;
}

int64_t fanIn(const Tensor &weight) {
  if (weight.dim() < 2)
    throw Error("kaiming_uniform_: fan in can not be computed for a tensor "
                "with fewer than 2 dimensions (shape " +
                shapeToString(weight.sizes()) + ")");
  int64_t receptiveField = 1;
  for (int64_t d = 2; d < weight.dim(); ++d)
    receptiveField *= weight.size(d);
  return weight.size(1) * receptiveField;
}

Tensor kaiming_uniform_(Tensor tensor, double a) {
  double gain = std::sqrt(2.0 / (1.0 + a * a));
  double bound = gain * std::sqrt(3.0 / double(fanIn(tensor)));
  return uniform_(tensor, -bound, bound);
}

} // namespace nnc::nn::init
