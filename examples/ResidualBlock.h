//===- examples/ResidualBlock.h - A ResNet basic block ----------*- C++ -*-===//
//
// torchvision's BasicBlock without downsampling: conv 3x3, BatchNorm, ReLU,
// conv 3x3, BatchNorm, residual add, ReLU. The model nn-layout is measured
// on (bench/nnc_bench.cpp) and tested with (test/unit/LayoutTest.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_EXAMPLES_RESIDUALBLOCK_H
#define NNC_EXAMPLES_RESIDUALBLOCK_H

#include "frontend/nnc.h"

namespace nnc::examples {

struct ResidualBlockImpl : nn::Module {
  explicit ResidualBlockImpl(int64_t channels) : nn::Module("ResidualBlock") {
    auto conv = [&] {
      return nn::Conv2d(
          nn::Conv2dOptions(channels, channels, 3).padding(1).bias(false));
    };
    conv1 = register_module("conv1", conv());
    bn1 = register_module("bn1", nn::BatchNorm2d(channels));
    conv2 = register_module("conv2", conv());
    bn2 = register_module("bn2", nn::BatchNorm2d(channels));
  }
  Tensor forward(const Tensor &x) {
    Tensor y = bn1(conv1(x)).relu();
    return (bn2(conv2(y)) + x).relu();
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
};
NNC_MODULE(ResidualBlock);

} // namespace nnc::examples

#endif // NNC_EXAMPLES_RESIDUALBLOCK_H
