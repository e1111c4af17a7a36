//===- test/unit/TrainStepTest.cpp - compile_step against eager steps -----===//
//
// Issue 3's parity: 20 compiled training steps equal 20 eager steps (losses
// and parameters) for the MLP classifier (784-128-10, cross-entropy) and the
// tabular regressor (9-16-8-1, MSE), with SGD and Adam; eager and compiled
// steps alternate on one model; guards retrace.
//
//===----------------------------------------------------------------------===//
#include "frontend/jit/CompileStep.h"
#include "frontend/nnc.h"
#include "test/unit/AllClose.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <cmath>
#include <functional>
#include <memory>

using nnc::Tensor;
using testing::HasSubstr;
namespace nn = nnc::nn;
namespace optim = nnc::optim;

namespace {

/// Fused kernels sum in another order than eager: an f32 bound that 20
/// steps of drift stay well inside (DESIGN.md §9 allows an f64-referenced
/// bound for reductions, matmul and fused kernels).
constexpr double kRtol = 1e-4, kAtol = 1e-5;

testing::AssertionResult allClose(const Tensor &actual, const Tensor &expected,
                                  double rtol = kRtol, double atol = kAtol) {
  return nnc::testing::allClose(actual, expected, rtol, atol);
}

nn::Sequential classifier() {
  return nn::Sequential(nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 10));
}

nn::Sequential regressor() {
  return nn::Sequential(nn::Linear(9, 16), nn::ReLU(), nn::Linear(16, 8),
                        nn::ReLU(), nn::Linear(8, 1));
}

using OptimizerFactory =
    std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>;

OptimizerFactory sgd() {
  return [](std::vector<Tensor> params) {
    return std::make_unique<optim::SGD>(
        params, optim::SGDOptions(0.05).momentum(0.9).weight_decay(1e-4));
  };
}

OptimizerFactory nesterov() {
  return [](std::vector<Tensor> params) {
    return std::make_unique<optim::SGD>(
        params, optim::SGDOptions(0.05).momentum(0.9).nesterov(true));
  };
}

OptimizerFactory adam() {
  return [](std::vector<Tensor> params) {
    return std::make_unique<optim::Adam>(params, optim::AdamOptions(1e-3));
  };
}

/// One eager step, as the seeds write it.
template <class LossFn>
Tensor eagerStep(nn::Sequential &model, LossFn &lossFn,
                 optim::Optimizer &optimizer, const Tensor &x,
                 const Tensor &y) {
  optimizer.zero_grad();
  Tensor loss = lossFn(model(x), y);
  loss.backward();
  optimizer.step();
  return loss;
}

/// Trains two identically initialized models for `steps` steps on the same
/// batches, one eagerly and one with compile_step, and compares losses
/// every step and parameters at the end.
template <class LossFn>
void expectParity(std::function<nn::Sequential()> makeModel, LossFn lossFn,
                  OptimizerFactory makeOptimizer,
                  std::function<std::pair<Tensor, Tensor>(int)> batch,
                  int steps = 20) {
  nnc::manual_seed(7);
  nn::Sequential eagerModel = makeModel();
  nnc::manual_seed(7);
  nn::Sequential compiledModel = makeModel();
  auto eagerOpt = makeOptimizer(eagerModel->parameters());
  auto compiledOpt = makeOptimizer(compiledModel->parameters());

  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(compiledModel, lossFn, *compiledOpt, batch(0));
  for (int i = 0; i < steps; ++i) {
    auto [x, y] = batch(i);
    Tensor eagerLoss = eagerStep(eagerModel, lossFn, *eagerOpt, x, y);
    Tensor compiledLoss = step(x, y);
    ASSERT_TRUE(allClose(compiledLoss, eagerLoss)) << "loss at step " << i;
  }
  EXPECT_EQ(step.numCompilations(), 1);
  std::vector<Tensor> a = compiledModel->parameters(),
                      e = eagerModel->parameters();
  ASSERT_EQ(a.size(), e.size());
  for (size_t p = 0; p < a.size(); ++p)
    EXPECT_TRUE(allClose(a[p], e[p])) << "parameter " << p;
  std::vector<Tensor> sa = compiledOpt->state_tensors(),
                      se = eagerOpt->state_tensors();
  ASSERT_EQ(sa.size(), se.size());
  for (size_t s = 0; s < sa.size(); ++s)
    EXPECT_TRUE(allClose(sa[s], se[s])) << "optimizer state " << s;
}

std::pair<Tensor, Tensor> classificationBatch(int i) {
  nnc::manual_seed(1000 + i);
  Tensor x = nnc::randn({32, 784});
  std::vector<int64_t> labels;
  for (int k = 0; k < 32; ++k)
    labels.push_back((k * 7 + i * 3) % 10);
  return {x, nnc::tensor(labels, {32})};
}

std::pair<Tensor, Tensor> regressionBatch(int i) {
  nnc::manual_seed(2000 + i);
  Tensor x = nnc::randn({64, 9});
  return {x, x.sum({1}, true) * 0.3f + 1.0f};
}

TEST(TrainStepParity, ClassifierCrossEntropySGD) {
  expectParity(classifier, nn::CrossEntropyLoss(), sgd(), classificationBatch);
}

TEST(TrainStepParity, ClassifierCrossEntropyAdam) {
  expectParity(classifier, nn::CrossEntropyLoss(), adam(), classificationBatch);
}

TEST(TrainStepParity, RegressorMSESGDNesterov) {
  expectParity(regressor, nn::MSELoss(), nesterov(), regressionBatch);
}

TEST(TrainStepParity, RegressorMSEAdam) {
  expectParity(regressor, nn::MSELoss(), adam(), regressionBatch);
}

TEST(TrainStep, EagerAndCompiledStepsAlternate) {
  nnc::manual_seed(3);
  nn::Sequential reference = regressor();
  nnc::manual_seed(3);
  nn::Sequential mixed = regressor();
  auto refOpt = adam()(reference->parameters());
  auto mixedOpt = adam()(mixed->parameters());
  nn::MSELoss loss;
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(mixed, loss, *mixedOpt, regressionBatch(0));
  for (int i = 0; i < 10; ++i) {
    auto [x, y] = regressionBatch(i);
    eagerStep(reference, loss, *refOpt, x, y);
    if (i % 2)
      step(x, y);
    else
      eagerStep(mixed, loss, *mixedOpt, x, y);
  }
  std::vector<Tensor> a = mixed->parameters(), e = reference->parameters();
  for (size_t p = 0; p < a.size(); ++p)
    EXPECT_TRUE(allClose(a[p], e[p])) << "parameter " << p;
}

TEST(TrainStep, GuardsRetraceOnBatchShapeAndMode) {
  nnc::manual_seed(4);
  nn::Sequential model = regressor();
  optim::SGD opt(model->parameters(), optim::SGDOptions(0.01));
  nn::MSELoss loss;
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(model, loss, opt, regressionBatch(0));
  step(regressionBatch(1).first, regressionBatch(1).second);
  EXPECT_EQ(step.numCompilations(), 1);
  step(nnc::randn({8, 9}), nnc::randn({8, 1}));
  EXPECT_EQ(step.numCompilations(), 2);
  model->eval();
  step(nnc::randn({8, 9}), nnc::randn({8, 1}));
  EXPECT_EQ(step.numCompilations(), 3);
}

// With a dynamic batch one compilation serves every batch size (an epoch's
// smaller last batch included), and the steps stay at parity with eager.
TEST(TrainStep, DynamicBatchCompilesOnceForEveryBatchSize) {
  nnc::manual_seed(9);
  nn::Sequential eagerModel = classifier();
  nnc::manual_seed(9);
  nn::Sequential compiledModel = classifier();
  optim::Adam eagerOpt(eagerModel->parameters());
  optim::Adam compiledOpt(compiledModel->parameters());
  nn::CrossEntropyLoss loss;
  nnc::jit::CompiledStep step = nnc::jit::compile_step(
      compiledModel, loss, compiledOpt, classificationBatch(0),
      nnc::jit::CompileOptions().dynamic_batch(true));
  EXPECT_THAT(step.graphText(), HasSubstr("tensor<?x784xf32>"));
  for (int64_t n : {32, 16, 7, 32}) {
    auto [x, y] = classificationBatch(static_cast<int>(n));
    x = x.narrow(0, 0, n).contiguous();
    y = y.narrow(0, 0, n).contiguous();
    Tensor expected = eagerStep(eagerModel, loss, eagerOpt, x, y);
    EXPECT_TRUE(allClose(step(x, y), expected)) << "batch " << n;
  }
  EXPECT_EQ(step.numCompilations(), 1);
  std::vector<Tensor> a = eagerModel->parameters(),
                      b = compiledModel->parameters();
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(allClose(b[i], a[i])) << "parameter " << i;
}

TEST(TrainStep, GraphHoldsForwardBackwardAndUpdate) {
  nnc::manual_seed(5);
  nn::Sequential model = regressor();
  optim::Adam opt(model->parameters());
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(model, nn::MSELoss(), opt, regressionBatch(0));
  std::string text = step.graphText();
  EXPECT_THAT(text, HasSubstr("func.func @step"));
  EXPECT_THAT(text, HasSubstr("nn.mse_loss"));
  EXPECT_THAT(text, HasSubstr("nn.sqrt")); // Adam's denominator
  EXPECT_THAT(text, testing::Not(HasSubstr("call @")));
}

// Parameters and optimizer state are donated: the executable updates them
// in their own memory and returns only the loss.
TEST(TrainStep, ParametersAndOptimizerStateAreUpdatedInTheirOwnMemory) {
  nnc::manual_seed(5);
  nn::Sequential model = regressor();
  optim::Adam opt(model->parameters());
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(model, nn::MSELoss(), opt, regressionBatch(0));
  const nnc::runtime::Signature &signature = step.signature();
  EXPECT_EQ(signature.outputs.size(), 1u);
  size_t donated = 0;
  for (const nnc::runtime::ArgSpec &input : signature.inputs)
    donated += input.donated;
  EXPECT_EQ(donated, model->parameters().size() + opt.state_tensors().size());

  std::vector<const void *> memory;
  std::vector<Tensor> before;
  for (const Tensor &p : model->parameters()) {
    memory.push_back(p.data_ptr<float>());
    before.push_back(p.clone());
  }
  auto [x, y] = regressionBatch(1);
  step(x, y);
  std::vector<Tensor> after = model->parameters();
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].data_ptr<float>(), memory[i]);
    EXPECT_FALSE(allClose(after[i], before[i], 0, 0)) << "parameter " << i;
  }
}

TEST(CompileModule, BindsParametersByReferenceAndGuardsMode) {
  nnc::manual_seed(6);
  nn::Sequential model = classifier();
  Tensor x = nnc::randn({4, 784});
  nnc::jit::CompiledFunction fast = nnc::jit::compile(model, x);
  EXPECT_TRUE(allClose(fast({x})[0], model(x)));
  // An eager training step changes the parameters: the compiled forward
  // sees them without recompiling.
  optim::SGD opt(model->parameters(), optim::SGDOptions(0.5));
  nn::CrossEntropyLoss loss;
  eagerStep(model, loss, opt, x,
            nnc::tensor(std::vector<int64_t>{1, 2, 3, 4}, {4}));
  EXPECT_TRUE(allClose(fast({x})[0], model(x)));
  EXPECT_EQ(fast.numCompilations(), 1);
  model->eval();
  fast({x});
  EXPECT_EQ(fast.numCompilations(), 2);
}

} // namespace
