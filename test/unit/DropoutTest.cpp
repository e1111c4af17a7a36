//===- test/unit/DropoutTest.cpp - Dropout, eager and compiled ------------===//
//
// The counter-based generator behind Dropout: the masks' statistics, seeds,
// eval mode, and compiled functions and training steps drawing exactly the
// masks eager code draws.
//
//===----------------------------------------------------------------------===//
#include "frontend/Random.h"
#include "frontend/nnc.h"
#include "test/unit/AllClose.h"
#include "test/unit/InterpretTraced.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

using nnc::Tensor;
using nnc::testing::allClose;
using testing::HasSubstr;
namespace nn = nnc::nn;
namespace F = nnc::nn::functional;

namespace {

TEST(Dropout, KeepsOneMinusPAndScalesWhatItKeeps) {
  nnc::manual_seed(1);
  Tensor x = nnc::ones({200, 500});
  Tensor y = F::dropout(x, 0.3);
  double kept = (y != 0.0).to(nnc::kFloat64).mean().item<double>();
  EXPECT_NEAR(kept, 0.7, 0.005); // 100000 draws: 5 standard deviations
  Tensor nonzero = y.masked_select(y != 0.0);
  EXPECT_TRUE(
      allClose(nonzero, nnc::full(nonzero.sizes(), 1.0f / 0.7f), 0, 1e-6));
  // Fresh masks every call; the same ones after the same seed.
  Tensor again = F::dropout(x, 0.3);
  EXPECT_FALSE(allClose(again, y, 0, 0));
  nnc::manual_seed(1);
  EXPECT_TRUE(allClose(F::dropout(x, 0.3), y, 0, 0));
}

TEST(Dropout, ModuleIsTheIdentityInEvalModeAndChecksP) {
  nn::Dropout dropout(nn::DropoutOptions(0.5));
  Tensor x = nnc::randn({4, 8});
  dropout->eval();
  EXPECT_TRUE(allClose(dropout(x), x, 0, 0));
  dropout->train();
  EXPECT_FALSE(allClose(dropout(x), x, 0, 0));
  EXPECT_TRUE(allClose(F::dropout(x, 1.0), nnc::zeros({4, 8}), 0, 0));
  EXPECT_THAT([] { nn::Dropout(nn::DropoutOptions(1.5)); },
              testing::ThrowsMessage<nnc::Error>(
                  HasSubstr("dropout probability has to be between 0 and 1, "
                            "but got 1.5")));
}

TEST(Dropout, GradientFlowsThroughTheKeptElements) {
  nnc::manual_seed(2);
  Tensor x = nnc::randn({6, 7}).requires_grad_();
  Tensor y = F::dropout(x, 0.4);
  y.sum().backward();
  Tensor expected = (y != 0.0).to(nnc::kFloat32) * (1.0f / 0.6f);
  EXPECT_TRUE(allClose(x.grad(), expected, 1e-6, 1e-6));
}

// The compiled function draws the masks eager code draws, a new one each
// call (the generator state is a donated argument), and so does the
// reference interpreter.
TEST(Dropout, CompiledFunctionsDrawTheEagerMasks) {
  nnc::jit::TensorFunction fn = [](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{F::dropout(in[0], 0.25) * 2.0};
  };
  Tensor x = nnc::randn({16, 32});
  nnc::manual_seed(3);
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(fn, {x});
  EXPECT_THAT(compiled.graphText(), HasSubstr("nn.random_uniform"));
  nnc::manual_seed(3);
  std::vector<Tensor> eager{fn({x})[0], fn({x})[0]};
  nnc::manual_seed(3);
  std::vector<Tensor> result{compiled({x})[0], compiled({x})[0]};
  for (int i = 0; i < 2; ++i)
    EXPECT_TRUE(allClose(result[i], eager[i], 0, 0)) << "call " << i;
  EXPECT_FALSE(allClose(result[0], result[1], 0, 0));
  nnc::manual_seed(3);
  EXPECT_TRUE(
      allClose(nnc::testing::interpretTraced(fn, {x})[0], eager[0], 0, 0));
}

TEST(Dropout, CompiledTrainingStepsMatchEagerSteps) {
  auto model = [] {
    return nn::Sequential(nn::Linear(20, 32), nn::ReLU(),
                          nn::Dropout(nn::DropoutOptions(0.3)),
                          nn::Linear(32, 4));
  };
  nnc::manual_seed(4);
  nn::Sequential eagerModel = model();
  nnc::manual_seed(4);
  nn::Sequential compiledModel = model();
  nnc::optim::SGD eagerOpt(eagerModel->parameters(),
                           nnc::optim::SGDOptions(0.1));
  nnc::optim::SGD compiledOpt(compiledModel->parameters(),
                              nnc::optim::SGDOptions(0.1));
  nn::CrossEntropyLoss loss;
  Tensor x = nnc::randn({16, 20});
  Tensor y = nnc::tensor(std::vector<int64_t>(16, 2));
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(compiledModel, loss, compiledOpt, {x, y});
  std::vector<Tensor> eagerLosses, compiledLosses;
  nnc::manual_seed(5);
  for (int i = 0; i < 3; ++i) {
    eagerOpt.zero_grad();
    Tensor l = loss(eagerModel(x), y);
    l.backward();
    eagerOpt.step();
    eagerLosses.push_back(l);
  }
  nnc::manual_seed(5);
  for (int i = 0; i < 3; ++i)
    compiledLosses.push_back(step(x, y));
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(allClose(compiledLosses[i], eagerLosses[i], 1e-4, 1e-5))
        << "step " << i;
  std::vector<Tensor> a = eagerModel->parameters(),
                      b = compiledModel->parameters();
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(allClose(b[i], a[i], 1e-4, 1e-5)) << "parameter " << i;
}

} // namespace
