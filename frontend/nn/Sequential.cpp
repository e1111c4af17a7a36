//===- frontend/nn/Sequential.cpp - nn::Sequential ------------------------===//
#include "frontend/nn/Sequential.h"

namespace nnc::nn {

Tensor SequentialImpl::forward(const Tensor &input) {
  Tensor x = input;
  for (const Entry &entry : modules_)
    x = entry.forward(x);
  return x;
}

std::shared_ptr<Module> SequentialImpl::ptr(size_t index) const {
  if (index >= modules_.size())
    throw Error("Sequential: index " + std::to_string(index) +
                " is out of range (size " + std::to_string(modules_.size()) +
                ")");
  return modules_[index].module;
}

} // namespace nnc::nn
