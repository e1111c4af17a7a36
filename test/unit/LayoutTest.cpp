//===- test/unit/LayoutTest.cpp - channels-last convolutions compiled -----===//
//
// nn-layout (passes/Layout.cpp; in the CPU pipeline with NNC_LAYOUT=1) runs
// every stride-1 convolution with a static batch and at least 16 input and
// output channels channels-last, and `CompileOptions::freeze`
// folds the parameters into constants so the weights are packed at compile
// time. These tests compile a ResNet-style block (conv, BatchNorm, ReLU,
// conv, BatchNorm, residual add, ReLU) and 1x1 convolutions with the pass
// on and off (NNC_LAYOUT), frozen and not, static and with a dynamic batch, and
// check each against eager; and check freeze's semantics (a snapshot of
// what the function only reads; what it updates in place stays live). The
// IR the pass produces is checked by test/passes/layout.mlir.
//
//===----------------------------------------------------------------------===//
#include "examples/ResidualBlock.h"
#include "frontend/nnc.h"
#include "test/unit/AllClose.h"

#include "gtest/gtest.h"

#include <cstdlib>

using nnc::Tensor;
namespace nn = nnc::nn;

namespace {

using nnc::testing::allClose;

/// Sums of C kH kW products in another order than eager (DESIGN.md §9).
constexpr double kRtol = 1e-5, kAtol = 1e-5;

using nnc::examples::ResidualBlock;

/// Sets NNC_LAYOUT for the compilations in its scope.
class LayoutSetting {
public:
  explicit LayoutSetting(bool enabled) {
    setenv("NNC_LAYOUT", enabled ? "1" : "0", /*overwrite=*/1);
  }
  ~LayoutSetting() { unsetenv("NNC_LAYOUT"); }
};

/// A block whose batch norms have non-trivial statistics, in eval mode.
ResidualBlock trainedBlock(int64_t channels) {
  ResidualBlock block(channels);
  block->train();
  for (int step = 0; step < 3; ++step)
    block(nnc::randn({4, channels, 8, 8}));
  block->eval();
  return block;
}

class LayoutTest : public testing::TestWithParam<std::tuple<bool, bool>> {
protected:
  void SetUp() override { nnc::manual_seed(11); }
};

TEST_P(LayoutTest, ResidualBlockMatchesEager) {
  auto [layout, freeze] = GetParam();
  ResidualBlock block = trainedBlock(16);
  Tensor x = nnc::randn({2, 16, 8, 8});
  LayoutSetting setting(layout);
  auto compiled =
      nnc::jit::compile(block, x, nnc::jit::CompileOptions().frozen(freeze));
  EXPECT_TRUE(allClose(compiled({x})[0], block(x), kRtol, kAtol));
  // A dynamic batch (which nn-layout leaves NCHW) still agrees.
  auto dynamic = nnc::jit::compile(
      block, x, nnc::jit::CompileOptions().dynamic_batch(true).frozen(freeze));
  for (int64_t batch : {2, 3}) {
    Tensor input = nnc::randn({batch, 16, 8, 8});
    EXPECT_TRUE(allClose(dynamic({input})[0], block(input), kRtol, kAtol))
        << "batch " << batch;
  }
  EXPECT_EQ(dynamic.numCompilations(), 1);
}

TEST_P(LayoutTest, PointwiseConvolutionMatchesEager) {
  auto [layout, freeze] = GetParam();
  nn::Conv2d conv(nn::Conv2dOptions(16, 32, 1));
  Tensor x = nnc::randn({3, 16, 7, 5});
  LayoutSetting setting(layout);
  auto compiled =
      nnc::jit::compile(conv, x, nnc::jit::CompileOptions().frozen(freeze));
  EXPECT_TRUE(allClose(compiled({x})[0], conv(x), kRtol, kAtol));
}

INSTANTIATE_TEST_SUITE_P(
    LayoutAndFreeze, LayoutTest,
    testing::Combine(testing::Bool(), testing::Bool()),
    [](const testing::TestParamInfo<std::tuple<bool, bool>> &info) {
      return std::string(std::get<0>(info.param) ? "ChannelsLast" : "NCHW") +
             (std::get<1>(info.param) ? "Frozen" : "Live");
    });

TEST(Freeze, FrozenWeightsAreASnapshotLiveOnesAreNot) {
  nnc::manual_seed(3);
  nn::Conv2d conv(nn::Conv2dOptions(16, 16, 3).padding(1));
  Tensor x = nnc::randn({1, 16, 6, 6});
  auto frozen =
      nnc::jit::compile(conv, x, nnc::jit::CompileOptions().frozen(true));
  auto live = nnc::jit::compile(conv, x);
  Tensor before = conv(x);
  {
    nnc::NoGradGuard noGrad;
    conv->weight.mul_(2.0);
  }
  Tensor after = conv(x);
  EXPECT_TRUE(allClose(frozen({x})[0], before, kRtol, kAtol));
  EXPECT_TRUE(allClose(live({x})[0], after, kRtol, kAtol));
  EXPECT_FALSE(allClose(before, after, kRtol, kAtol));
}

TEST(Freeze, WhatTheFunctionUpdatesInPlaceStaysLive) {
  // BatchNorm in train mode updates its running statistics in place: with
  // freeze they stay arguments (and its weight and bias become constants),
  // so the compiled calls move them exactly as eager calls do.
  nnc::manual_seed(4);
  nn::BatchNorm2d eager(16), compiledBn(16);
  Tensor x = nnc::randn({4, 16, 5, 5});
  auto compiled =
      nnc::jit::compile(compiledBn, x, nnc::jit::CompileOptions().frozen(true));
  for (int step = 0; step < 2; ++step) {
    Tensor input = nnc::randn({4, 16, 5, 5});
    EXPECT_TRUE(allClose(compiled({input})[0], eager(input), kRtol, kAtol));
  }
  EXPECT_TRUE(
      allClose(compiledBn->running_mean, eager->running_mean, kRtol, kAtol));
  EXPECT_TRUE(
      allClose(compiledBn->running_var, eager->running_var, kRtol, kAtol));
}

} // namespace
