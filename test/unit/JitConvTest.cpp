//===- test/unit/JitConvTest.cpp - conv and pooling compiled vs eager -----===//
//
// Issue 5's compiler side: Conv2d, MaxPool2d, AvgPool2d and
// AdaptiveAvgPool2d traced and compiled, each alone and in the seeds'
// SmallCNN (Conv 1->16, ReLU, MaxPool, Conv 16->32, ReLU, MaxPool, Flatten,
// Linear 1568->10): the compiled forward against eager, and compile_step
// with Adam and cross-entropy against eager training steps. Adaptive
// pooling with uneven windows (traced as two nn.matmul) is checked against
// eager and PyTorch's golden outputs and input gradients
// (test/golden/conv/pool.safetensors), with a dynamic batch and in training.
//
//===----------------------------------------------------------------------===//
#include "frontend/nnc.h"
#include "test/unit/AllClose.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <functional>
#include <memory>

using nnc::Tensor;
using nnc::jit::TensorFunction;
using testing::HasSubstr;
using testing::Not;
namespace nn = nnc::nn;
namespace F = nnc::nn::functional;

namespace {

using nnc::testing::allClose;

/// A convolution sums C kH kW products in another order than eager: an
/// f32 bound referenced to the sum's size (DESIGN.md §9).
constexpr double kRtol = 1e-5, kAtol = 1e-5;

/// Compiles `fn`, runs it on `inputs` and compares with eager; returns the
/// compiled graph's text.
std::string expectCompiledMatchesEager(const TensorFunction &fn,
                                       const std::vector<Tensor> &inputs) {
  std::vector<Tensor> eager = fn(inputs);
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(fn, inputs);
  std::vector<Tensor> result = compiled(inputs);
  EXPECT_EQ(result.size(), eager.size());
  for (size_t i = 0; i < eager.size() && i < result.size(); ++i)
    EXPECT_TRUE(allClose(result[i], eager[i], kRtol, kAtol))
        << "output " << i << " of\n"
        << compiled.graphText();
  return compiled.graphText();
}

TensorFunction unary(std::function<Tensor(const Tensor &)> op) {
  return [op](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{op(in[0])};
  };
}

class JitConvTest : public testing::Test {
protected:
  void SetUp() override { nnc::manual_seed(5); }
};

TEST_F(JitConvTest, Conv2dWithStridePaddingDilationGroupsAndBias) {
  Tensor x = nnc::randn({2, 4, 9, 8});
  Tensor w = nnc::randn({6, 2, 3, 2}), b = nnc::randn({6});
  std::string graph = expectCompiledMatchesEager(
      [&](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{
            F::conv2d(in[0], w, b, {2, 1}, {1, 0}, {2, 1}, 2)};
      },
      {x});
  EXPECT_THAT(graph, HasSubstr("nn.conv2d"));
  EXPECT_THAT(graph, HasSubstr("groups = 2"));
  // Stride 1 (over wide rows), grouped and dilated, with bias.
  Tensor grouped = nnc::randn({6, 2, 3, 3});
  expectCompiledMatchesEager(
      unary([&](const Tensor &t) {
        return F::conv2d(t, grouped, b, 1, {2, 1}, {2, 1}, 2);
      }),
      {x});
  // No bias, and a depthwise convolution.
  Tensor square = nnc::randn({4, 4, 3, 3});
  expectCompiledMatchesEager(
      unary([&](const Tensor &t) { return F::conv2d(t, square, {}, 1, 1); }),
      {x});
  Tensor depthwise = nnc::randn({4, 1, 3, 3});
  expectCompiledMatchesEager(unary([&](const Tensor &t) {
                               return F::conv2d(t, depthwise, b.slice(0, 0, 4),
                                                2, 1, 1, 4);
                             }),
                             {x});
}

TEST_F(JitConvTest, Pooling) {
  Tensor x = nnc::randn({2, 3, 9, 7});
  std::string graph = expectCompiledMatchesEager(
      unary([](const Tensor &t) { return F::max_pool2d(t, 3, 2, 1, 1, true); }),
      {x});
  EXPECT_THAT(graph, HasSubstr("nn.max_pool2d"));
  expectCompiledMatchesEager(
      unary([](const Tensor &t) { return F::max_pool2d(t, 2, 1, 1, 2); }), {x});
  graph = expectCompiledMatchesEager(unary([](const Tensor &t) {
                                       return F::avg_pool2d(t, 3, 2, 1, true,
                                                            false);
                                     }),
                                     {x});
  EXPECT_THAT(graph, HasSubstr("nn.avg_pool2d"));
  expectCompiledMatchesEager(unary([](const Tensor &t) {
                               return F::avg_pool2d(t, {2, 3});
                             }),
                             {x});
}

TEST_F(JitConvTest, AdaptiveAvgPoolIsAnAvgPoolWhenTheSizesDivide) {
  Tensor x = nnc::randn({2, 3, 8, 6});
  std::string graph =
      expectCompiledMatchesEager(unary([](const Tensor &t) {
                                   return F::adaptive_avg_pool2d(t, {4, 1});
                                 }),
                                 {x});
  EXPECT_THAT(graph, HasSubstr("nn.avg_pool2d %arg0 kernel = [2, 6] "
                               "stride = [2, 6] padding = [0, 0]"));
  EXPECT_THAT(graph, Not(HasSubstr("nn.matmul")));
}

/// An image held as a parameter: compile_step's gradient for it is the
/// gradient adaptive pooling passes back to its input.
struct PooledImageImpl : nn::Module {
  PooledImageImpl(const Tensor &initial, nnc::IntList outputSize)
      : nn::Module("PooledImage"), outputSize(outputSize) {
    image = register_parameter("image", initial.clone());
  }
  // `zeros` gives the step an input with the image's batch.
  Tensor forward(const Tensor &zeros) {
    return F::adaptive_avg_pool2d(image + zeros, outputSize);
  }
  Tensor image;
  nnc::IntList outputSize;
};
NNC_MODULE(PooledImage);

/// The gradient of sum(adaptive_avg_pool2d(x, outputSize) * weights) for x,
/// computed by one compiled SGD step with lr 1 (x - step(x)).
Tensor compiledPoolingGradient(const Tensor &x, nnc::IntList outputSize,
                               const Tensor &weights) {
  PooledImage model(x, outputSize);
  nnc::optim::SGD sgd(model->parameters(), nnc::optim::SGDOptions(1.0));
  auto weightedSum = [](const Tensor &out, const Tensor &w) {
    return (out * w).sum();
  };
  Tensor zeros = nnc::zeros(x.sizes());
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(model, weightedSum, sgd, {zeros, weights});
  step(zeros, weights);
  return x - model->image;
}

/// The eager gradient of sum(adaptive_avg_pool2d(x, outputSize) * weights).
Tensor eagerPoolingGradient(const Tensor &x, nnc::IntList outputSize,
                            const Tensor &weights) {
  Tensor leaf = x.clone().requires_grad_();
  (F::adaptive_avg_pool2d(leaf, outputSize) * weights).sum().backward();
  return leaf.grad();
}

TEST_F(JitConvTest, AdaptiveAvgPoolWithUnevenWindowsMatchesEager) {
  struct Case {
    nnc::IntList input, outputSize;
  };
  // Overlapping windows of 2 and 3 rows, windows of 2 or 3 in a 10x10
  // plane, upsampling (a row or column in several windows), and one even
  // dim beside an uneven one.
  for (const Case &c :
       {Case{{2, 3, 7, 5}, {3, 2}}, Case{{1, 2, 10, 10}, {4, 4}},
        Case{{2, 2, 5, 5}, {7, 7}}, Case{{2, 3, 8, 6}, {3, 3}}}) {
    SCOPED_TRACE(nnc::shapeToString(c.input) + " -> " +
                 nnc::shapeToString(c.outputSize));
    Tensor x = nnc::randn(c.input);
    std::string graph = expectCompiledMatchesEager(
        unary([&](const Tensor &t) {
          return F::adaptive_avg_pool2d(t, c.outputSize);
        }),
        {x});
    EXPECT_THAT(graph, HasSubstr("nn.matmul"));
    EXPECT_THAT(graph, Not(HasSubstr("nn.avg_pool2d")));
    Tensor weights =
        nnc::randn({c.input[0], c.input[1], c.outputSize[0], c.outputSize[1]});
    EXPECT_TRUE(allClose(compiledPoolingGradient(x, c.outputSize, weights),
                         eagerPoolingGradient(x, c.outputSize, weights), kRtol,
                         kAtol))
        << "input gradient";
  }
}

TEST_F(JitConvTest, AdaptiveAvgPoolWithUnevenWindowsTakesAnyBatchSize) {
  TensorFunction pool = unary([](const Tensor &t) {
    return F::adaptive_avg_pool2d(t, {3, 2});
  });
  nnc::jit::CompiledFunction compiled =
      nnc::jit::compile(pool, {nnc::randn({4, 3, 7, 5})},
                        nnc::jit::CompileOptions().dynamic_batch(true));
  EXPECT_THAT(compiled.graphText(), HasSubstr("tensor<?x3x3x2xf32>"));
  for (int64_t batch : {4, 1, 6}) {
    Tensor x = nnc::randn({batch, 3, 7, 5});
    EXPECT_TRUE(allClose(compiled({x})[0], pool({x})[0], kRtol, kAtol))
        << "batch " << batch;
  }
  EXPECT_EQ(compiled.numCompilations(), 1);
}

TEST_F(JitConvTest, AdaptiveAvgPoolMatchesPyTorchCompiled) {
  nnc::safetensors::Contents golden = nnc::safetensors::load_file_with_metadata(
      std::string(NNC_CONV_GOLDEN_DIR) + "/pool.safetensors");
  int cases = 0;
  for (const auto &[name, config] : golden.metadata) {
    if (name.rfind("adaptive", 0) != 0)
      continue;
    SCOPED_TRACE(name);
    ++cases;
    Tensor x = golden.tensors.at(name + ".x");
    Tensor expected = golden.tensors.at(name + ".out");
    nnc::IntList outputSize = {expected.size(2), expected.size(3)};
    TensorFunction pool = unary(
        [&](const Tensor &t) { return F::adaptive_avg_pool2d(t, outputSize); });
    EXPECT_TRUE(
        allClose(nnc::jit::compile(pool, {x})({x})[0], expected, kRtol, kAtol))
        << "output";
    // The script's loss is sum(out^2) / 2: out is the output's gradient.
    EXPECT_TRUE(allClose(compiledPoolingGradient(x, outputSize, expected),
                         golden.tensors.at(name + ".gx"), kRtol, kAtol))
        << "input gradient";
  }
  EXPECT_EQ(cases, 3);
}

// The gradient reaches the convolution through both window matrices'
// transposes, with the batch dynamic: one compilation for batches of 6
// and 4.
TEST_F(JitConvTest, CNNWithUnevenAdaptivePoolCompiledStepsMatchEager) {
  auto model = [] {
    nnc::manual_seed(7);
    return nn::Sequential(
        nn::Conv2d(nn::Conv2dOptions(2, 4, 3)), nn::ReLU(),
        nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({3, 2})),
        nn::Flatten(), nn::Linear(4 * 3 * 2, 5));
  };
  auto batch = [](int i, int64_t size) {
    nnc::manual_seed(200 + i);
    std::vector<int64_t> labels;
    for (int64_t n = 0; n < size; ++n)
      labels.push_back((n + i) % 5);
    return std::make_pair(nnc::randn({size, 2, 9, 7}), nnc::tensor(labels));
  };
  nn::Sequential eagerModel = model(), compiledModel = model();
  nn::CrossEntropyLoss lossFn;
  nnc::optim::Adam eagerOpt(eagerModel->parameters(),
                            nnc::optim::AdamOptions(1e-2));
  nnc::optim::Adam compiledOpt(compiledModel->parameters(),
                               nnc::optim::AdamOptions(1e-2));
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(compiledModel, lossFn, compiledOpt, batch(0, 6),
                             nnc::jit::CompileOptions().dynamic_batch(true));
  EXPECT_THAT(step.graphText(), HasSubstr("nn.matmul"));
  EXPECT_THAT(step.graphText(), HasSubstr("tensor<?x4x3x2xf32>"));
  int i = 0;
  for (int64_t size : {6, 4, 6}) {
    auto [x, y] = batch(i, size);
    eagerOpt.zero_grad();
    Tensor eagerLoss = lossFn(eagerModel(x), y);
    eagerLoss.backward();
    eagerOpt.step();
    ASSERT_TRUE(allClose(step(x, y), eagerLoss, 1e-4, 1e-5))
        << "loss at step " << i;
    ++i;
  }
  EXPECT_EQ(step.numCompilations(), 1);
  std::vector<Tensor> compiledParams = compiledModel->parameters();
  std::vector<Tensor> eagerParams = eagerModel->parameters();
  for (size_t p = 0; p < eagerParams.size(); ++p)
    EXPECT_TRUE(allClose(compiledParams[p], eagerParams[p], 1e-4, 1e-5))
        << "parameter " << p;
}

/// The seeds' SmallCNN for 28x28 grayscale images.
nn::Sequential smallCNN() {
  return nn::Sequential(
      nn::Conv2d(nn::Conv2dOptions(1, 16, 3).padding(1)), nn::ReLU(),
      nn::MaxPool2d(2), nn::Conv2d(nn::Conv2dOptions(16, 32, 3).padding(1)),
      nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(32 * 7 * 7, 10));
}

TEST_F(JitConvTest, SmallCNNForwardMatchesEagerForEveryBatchSize) {
  nn::Sequential model = smallCNN();
  nnc::jit::CompiledFunction compiled =
      nnc::jit::compile(model, nnc::randn({8, 1, 28, 28}),
                        nnc::jit::CompileOptions().dynamic_batch(true));
  EXPECT_THAT(compiled.graphText(), HasSubstr("tensor<?x1x28x28xf32>"));
  EXPECT_THAT(compiled.graphText(), HasSubstr("nn.conv2d"));
  EXPECT_THAT(compiled.graphText(), HasSubstr("nn.max_pool2d"));
  for (int64_t batch : {8, 3}) {
    Tensor x = nnc::randn({batch, 1, 28, 28});
    Tensor logits = compiled({x})[0];
    EXPECT_EQ(logits.sizes(), (nnc::IntList{batch, 10}));
    EXPECT_TRUE(allClose(logits, model(x), kRtol, kAtol)) << "batch " << batch;
  }
  EXPECT_EQ(compiled.numCompilations(), 1);
}

TEST_F(JitConvTest, SmallCNNCompiledStepsMatchEagerStepsWithAdam) {
  auto batch = [](int i) {
    nnc::manual_seed(100 + i);
    std::vector<int64_t> labels;
    for (int n = 0; n < 16; ++n)
      labels.push_back((n * 7 + i) % 10);
    return std::make_pair(nnc::rand({16, 1, 28, 28}), nnc::tensor(labels));
  };
  nnc::manual_seed(3);
  nn::Sequential eagerModel = smallCNN();
  nnc::manual_seed(3);
  nn::Sequential compiledModel = smallCNN();
  nn::CrossEntropyLoss lossFn;
  nnc::optim::Adam eagerOpt(eagerModel->parameters(),
                            nnc::optim::AdamOptions(1e-3));
  nnc::optim::Adam compiledOpt(compiledModel->parameters(),
                               nnc::optim::AdamOptions(1e-3));
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(compiledModel, lossFn, compiledOpt, batch(0));
  EXPECT_THAT(step.graphText(), HasSubstr("nn.conv2d_backward_weight"));
  EXPECT_THAT(step.graphText(), HasSubstr("nn.max_pool2d_backward"));
  for (int i = 0; i < 5; ++i) {
    auto [x, y] = batch(i);
    eagerOpt.zero_grad();
    Tensor eagerLoss = lossFn(eagerModel(x), y);
    eagerLoss.backward();
    eagerOpt.step();
    Tensor compiledLoss = step(x, y);
    ASSERT_TRUE(allClose(compiledLoss, eagerLoss, 1e-4, 1e-5))
        << "loss at step " << i;
  }
  EXPECT_EQ(step.numCompilations(), 1);
  std::vector<Tensor> compiledParams = compiledModel->parameters();
  std::vector<Tensor> eagerParams = eagerModel->parameters();
  ASSERT_EQ(compiledParams.size(), eagerParams.size());
  for (size_t p = 0; p < eagerParams.size(); ++p)
    EXPECT_TRUE(allClose(compiledParams[p], eagerParams[p], 1e-4, 1e-5))
        << "parameter " << p;
}

} // namespace
