//===- frontend/nn/OneHot.cpp - one_hot -----------------------------------===//
#include "frontend/nn/OneHot.h"

#include "frontend/Error.h"

#include <algorithm>
#include <string>

namespace nnc::nn::functional {

Tensor one_hot(const Tensor &tensor, int64_t num_classes) {
  if (!tensor.defined() || tensor.dtype() != kInt64)
    throw Error("one_hot: is only applicable to index tensor of type Long, "
                "got " +
                std::string(tensor.defined() ? toString(tensor.dtype())
                                             : "an undefined tensor"));
  Tensor indices = tensor.contiguous();
  const int64_t *values = indices.data_ptr<int64_t>();
  int64_t n = indices.numel();
  if (num_classes == -1) {
    if (n == 0)
      throw Error("one_hot: can not infer total number of classes from empty "
                  "tensor");
    num_classes = *std::max_element(values, values + n) + 1;
  }
  if (num_classes < 0)
    throw Error("one_hot: num_classes should be -1 or non-negative, got " +
                std::to_string(num_classes));
  IntList shape = tensor.sizes();
  shape.push_back(num_classes);
  Tensor out = empty(shape, kInt64);
  int64_t *rows = out.data_ptr<int64_t>();
  std::fill(rows, rows + n * num_classes, 0);
  for (int64_t i = 0; i < n; ++i) {
    if (values[i] < 0)
      throw Error("one_hot: class values must be non-negative, got " +
                  std::to_string(values[i]) + " at index " + std::to_string(i));
    if (values[i] >= num_classes)
      throw Error("one_hot: class values must be smaller than num_classes (" +
                  std::to_string(num_classes) + "), got " +
                  std::to_string(values[i]) + " at index " + std::to_string(i));
    rows[i * num_classes + values[i]] = 1;
  }
  return out;
}

} // namespace nnc::nn::functional
