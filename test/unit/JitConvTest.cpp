//===- test/unit/JitConvTest.cpp - conv and pooling compiled vs eager -----===//
//
// Issue 5's compiler side: Conv2d, MaxPool2d, AvgPool2d and
// AdaptiveAvgPool2d traced and compiled, each alone and in the seeds'
// SmallCNN (Conv 1->16, ReLU, MaxPool, Conv 16->32, ReLU, MaxPool, Flatten,
// Linear 1568->10): the compiled forward against eager, and compile_step
// with Adam and cross-entropy against eager training steps. Adaptive
// pooling with uneven windows (traced as two nn.matmul) is checked against
// eager, with a dynamic batch and in training. Every case of PyTorch's
// goldens (test/golden/conv/: outputs and input, weight and bias gradients)
// is checked compiled: the forward with jit::compile, the gradients with
// compile_step.
//
//===----------------------------------------------------------------------===//
#include "frontend/nnc.h"
#include "test/unit/AllClose.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
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
/// PyTorch's assert_close tolerances for float32 (DESIGN.md §9), which the
/// eager ops meet against the same goldens (ConvTest).
constexpr double kGoldenRtol = 1.3e-6, kGoldenAtol = 1e-5;

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

/// Windows that tile the input (stride = kernel, no padding) take
/// nnc-tile-pooling-windows' vector rows: NaN propagates as in eager, and a
/// fused ReLU and 3-wide windows give eager's values.
TEST_F(JitConvTest, MaxPoolOverWindowsThatTileTheInputMatchesEager) {
  Tensor x = nnc::randn({2, 3, 8, 12});
  float *data = x.data_ptr<float>();
  data[5] = std::numeric_limits<float>::quiet_NaN();
  data[3 * 96 + 40] = std::numeric_limits<float>::quiet_NaN();
  std::vector<TensorFunction> pools = {
      unary([](const Tensor &t) { return F::max_pool2d(t, 2); }),
      unary([](const Tensor &t) { return F::max_pool2d(t.relu(), 2); }),
      unary([](const Tensor &t) {
        return F::max_pool2d(t, {2, 3});
      })};
  for (const TensorFunction &pool : pools) {
    Tensor eager = pool({x})[0];
    Tensor compiled = nnc::jit::compile(pool, {x})({x})[0].contiguous();
    ASSERT_EQ(compiled.sizes(), eager.sizes());
    const float *want = eager.data_ptr<float>();
    const float *got = compiled.data_ptr<float>();
    for (int64_t i = 0; i < eager.numel(); ++i) {
      if (std::isnan(want[i]))
        EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
      else
        EXPECT_EQ(got[i], want[i]) << "at " << i;
    }
  }
  // Both NaNs reach the plain pool's result.
  Tensor pooled = pools[0]({x})[0];
  EXPECT_EQ(std::count_if(pooled.data_ptr<float>(),
                          pooled.data_ptr<float>() + pooled.numel(),
                          [](float v) { return std::isnan(v); }),
            2);
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

/// A function of several tensors, differentiated for each of them.
using TensorsFunction = std::function<Tensor(const std::vector<Tensor> &)>;

/// Tensors held as parameters: compile_step's gradient for each is the one
/// `fn` passes back to that argument.
struct HeldTensorsImpl : nn::Module {
  HeldTensorsImpl(const std::vector<Tensor> &initial, TensorsFunction fn)
      : nn::Module("HeldTensors"), fn(std::move(fn)) {
    for (size_t i = 0; i < initial.size(); ++i)
      tensors.push_back(
          register_parameter(std::to_string(i), initial[i].clone()));
  }
  // `zeros`, shaped as the first tensor, gives the step an input batch.
  Tensor forward(const Tensor &zeros) {
    std::vector<Tensor> args = tensors;
    args[0] = args[0] + zeros;
    return fn(args);
  }
  std::vector<Tensor> tensors;
  TensorsFunction fn;
};
NNC_MODULE(HeldTensors);

/// The gradients of sum(fn(tensors) * weights) for each of `tensors`,
/// computed by one compiled SGD step with lr 1 (before - after).
std::vector<Tensor> compiledGradients(const std::vector<Tensor> &tensors,
                                      const TensorsFunction &fn,
                                      const Tensor &weights) {
  HeldTensors held(tensors, fn);
  nnc::optim::SGD sgd(held->parameters(), nnc::optim::SGDOptions(1.0));
  auto weightedSum = [](const Tensor &out, const Tensor &w) {
    return (out * w).sum();
  };
  Tensor zeros = nnc::zeros(tensors[0].sizes());
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(held, weightedSum, sgd, {zeros, weights});
  step(zeros, weights);
  std::vector<Tensor> grads;
  for (size_t i = 0; i < tensors.size(); ++i)
    grads.push_back(tensors[i] - held->tensors[i]);
  return grads;
}

TensorsFunction adaptivePool(nnc::IntList outputSize) {
  return [outputSize](const std::vector<Tensor> &in) {
    return F::adaptive_avg_pool2d(in[0], outputSize);
  };
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
    EXPECT_TRUE(
        allClose(compiledGradients({x}, adaptivePool(c.outputSize), weights)[0],
                 eagerPoolingGradient(x, c.outputSize, weights), kRtol, kAtol))
        << "input gradient";
  }
}

/// Max pooling's gradient over windows that tile the input (three vector
/// ops from nnc-tile-pooling-windows) goes where eager sends it: ties to
/// the first tap; in a window with NaN, to its last NaN. The NaNs come
/// from a constant added to the leaf, so every gradient is finite.
TEST_F(JitConvTest, MaxPoolGradientOverWindowsThatTileTheInputMatchesEager) {
  for (nnc::IntList kernel : {nnc::IntList{2, 2}, nnc::IntList{2, 3}}) {
    SCOPED_TRACE(nnc::shapeToString(kernel));
    Tensor x = nnc::randn({2, 3, 8, 12});
    float *data = x.data_ptr<float>();
    // Ties: a window of equal values and a ReLU-like window of zeros.
    for (int64_t i : {0, 1, 12, 13})
      data[i] = 0.5f;
    for (int64_t i : {96 + 6, 96 + 7, 96 + 18, 96 + 19})
      data[i] = 0.0f;
    // Two NaNs in the window at rows 2-3, columns 6-7 of plane 2.
    Tensor nans = nnc::zeros(x.sizes());
    nans.data_ptr<float>()[2 * 96 + 2 * 12 + 6] =
        std::numeric_limits<float>::quiet_NaN();
    nans.data_ptr<float>()[2 * 96 + 3 * 12 + 6] =
        std::numeric_limits<float>::quiet_NaN();
    TensorsFunction pool = [kernel, nans](const std::vector<Tensor> &in) {
      return F::max_pool2d(in[0] + nans, kernel);
    };
    Tensor weights = nnc::randn(pool({x}).sizes());
    Tensor compiled = compiledGradients({x}, pool, weights)[0];
    Tensor leaf = x.clone().requires_grad_();
    (F::max_pool2d(leaf + nans, kernel) * weights).sum().backward();
    Tensor eager = leaf.grad();
    EXPECT_NE(eager.data_ptr<float>()[2 * 96 + 3 * 12 + 6], 0.0f);
    EXPECT_TRUE(allClose(compiled, eager, kRtol, kAtol));
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

//===----------------------------------------------------------------------===//
// Every case of PyTorch's conv and pooling goldens, compiled
//===----------------------------------------------------------------------===//

/// One case of test/golden/conv/ (scripts/golden/make_conv_goldens.py):
/// its leaves (x, then w and b where the case has them), the op as a
/// function of them, and PyTorch's output and the leaves' gradients of
/// sum(out^2) / 2.
struct GoldenCase {
  std::string name;
  std::vector<std::string> roles;
  std::vector<Tensor> leaves;
  TensorsFunction forward;
  Tensor out;
  std::vector<Tensor> grads;
};

/// A JSON list of two ints (a missing key gives `fallback`).
nnc::ExpandingArray<2> pairOf(const nlohmann::json &config, const char *key,
                              nnc::ExpandingArray<2> fallback) {
  if (!config.contains(key))
    return fallback;
  return nnc::IntList(config[key].get<std::vector<int64_t>>());
}

using GoldenOp = std::function<TensorsFunction(const nlohmann::json &)>;

/// The cases of `file` whose JSON config `selects`, each op made from the
/// config by `makeOp`.
std::vector<GoldenCase>
loadGoldenCases(const std::string &file, const GoldenOp &makeOp,
                const std::function<bool(const nlohmann::json &)> &selects) {
  nnc::safetensors::Contents golden = nnc::safetensors::load_file_with_metadata(
      std::string(NNC_CONV_GOLDEN_DIR) + "/" + file);
  std::vector<GoldenCase> cases;
  for (const auto &[name, text] : golden.metadata) {
    nlohmann::json config = nlohmann::json::parse(text);
    if (!selects(config))
      continue;
    GoldenCase c{name, {}, {}, makeOp(config), golden.tensors.at(name + ".out"),
                 {}};
    for (const char *role : {"x", "w", "b"}) {
      auto leaf = golden.tensors.find(name + "." + role);
      if (leaf == golden.tensors.end())
        continue;
      c.roles.push_back(role);
      c.leaves.push_back(leaf->second);
      c.grads.push_back(golden.tensors.at(name + ".g" + role));
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

/// conv.safetensors' op: conv2d, or a SmallCNN block (conv2d, relu,
/// max_pool2d(2)).
TensorsFunction convOp(const nlohmann::json &config) {
  nnc::ExpandingArray<2> stride = pairOf(config, "stride", 1);
  nnc::ExpandingArray<2> padding = pairOf(config, "padding", 0);
  nnc::ExpandingArray<2> dilation = pairOf(config, "dilation", 1);
  int64_t groups = config["groups"].get<int64_t>();
  bool block = config.value("block", false);
  return [=](const std::vector<Tensor> &in) {
    Tensor y = F::conv2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), stride,
                         padding, dilation, groups);
    return block ? F::max_pool2d(y.relu(), 2) : y;
  };
}

/// pool.safetensors' op: max_pool2d, avg_pool2d or adaptive_avg_pool2d.
TensorsFunction poolOp(const nlohmann::json &config) {
  std::string op = config["op"];
  if (op == "adaptive")
    return adaptivePool(pairOf(config, "output_size", 1).vec());
  nnc::ExpandingArray<2> kernel = pairOf(config, "kernel", 1);
  nnc::ExpandingArray<2> stride = pairOf(config, "stride", {});
  nnc::ExpandingArray<2> padding = pairOf(config, "padding", 0);
  nnc::ExpandingArray<2> dilation = pairOf(config, "dilation", 1);
  bool ceil = config.value("ceil_mode", false);
  bool countIncludePad = config.value("count_include_pad", true);
  if (op == "max")
    return [=](const std::vector<Tensor> &in) {
      return F::max_pool2d(in[0], kernel, stride, padding, dilation, ceil);
    };
  return [=](const std::vector<Tensor> &in) {
    return F::avg_pool2d(in[0], kernel, stride, padding, ceil, countIncludePad);
  };
}

/// Checks every case compiled against PyTorch's output and gradients. One
/// compiled function runs all the cases' forwards and one compiled step
/// takes all their gradients (each case's leaves only get its own), so a
/// group of cases costs two compilations. The step's loss weights
/// each output with PyTorch's: the script's sum(out^2) / 2 passes out back.
/// Convolution and pooling behave the same in training and evaluation mode,
/// so the step's (training) mode is the only one checked.
void expectCompiledMatchesGolden(const std::vector<GoldenCase> &cases,
                                 double rtol, double atol) {
  std::vector<Tensor> leaves, goldenOuts;
  for (const GoldenCase &c : cases) {
    leaves.insert(leaves.end(), c.leaves.begin(), c.leaves.end());
    goldenOuts.push_back(c.out.reshape({-1}));
  }
  TensorFunction forwardAll = [&cases](const std::vector<Tensor> &in) {
    std::vector<Tensor> outs;
    auto next = in.begin();
    for (const GoldenCase &c : cases) {
      outs.push_back(c.forward({next, next + c.leaves.size()}));
      next += c.leaves.size();
    }
    return outs;
  };
  std::vector<Tensor> outs = nnc::jit::compile(forwardAll, leaves)(leaves);
  ASSERT_EQ(outs.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i)
    EXPECT_TRUE(allClose(outs[i], cases[i].out, rtol, atol))
        << cases[i].name << " output";

  TensorsFunction flatOutputs = [&forwardAll](const std::vector<Tensor> &in) {
    std::vector<Tensor> flat;
    for (const Tensor &out : forwardAll(in))
      flat.push_back(out.reshape({-1}));
    return nnc::cat(flat);
  };
  std::vector<Tensor> grads =
      compiledGradients(leaves, flatOutputs, nnc::cat(goldenOuts));
  auto grad = grads.begin();
  for (const GoldenCase &c : cases)
    for (size_t k = 0; k < c.leaves.size(); ++k, ++grad)
      EXPECT_TRUE(allClose(*grad, c.grads[k], rtol, atol))
          << c.name << " gradient of " << c.roles[k];
}

// The golden files' cases in four groups, each one compiled forward and one
// compiled step. Compiling dominates these tests' time (about 0.7 s a case,
// 2-3 s a SmallCNN block at 28x28) and grows with the code compiled, so
// grouping saves little; four tests run in parallel under ctest -j.

TEST_F(JitConvTest, ConvGoldenCasesCompiledMatchPyTorch) {
  std::vector<GoldenCase> cases =
      loadGoldenCases("conv.safetensors", convOp, [](const auto &config) {
        return !config.value("block", false);
      });
  EXPECT_EQ(cases.size(), 8u);
  expectCompiledMatchesGolden(cases, kGoldenRtol, kGoldenAtol);
}

TEST_F(JitConvTest, SmallCNNBlockGoldenCasesCompiledMatchPyTorch) {
  std::vector<GoldenCase> cases =
      loadGoldenCases("conv.safetensors", convOp, [](const auto &config) {
        return config.value("block", false);
      });
  EXPECT_EQ(cases.size(), 2u);
  expectCompiledMatchesGolden(cases, kGoldenRtol, kGoldenAtol);
}

TEST_F(JitConvTest, MaxPoolGoldenCasesCompiledMatchPyTorch) {
  std::vector<GoldenCase> cases =
      loadGoldenCases("pool.safetensors", poolOp,
                      [](const auto &config) { return config["op"] == "max"; });
  EXPECT_EQ(cases.size(), 5u);
  expectCompiledMatchesGolden(cases, kGoldenRtol, kGoldenAtol);
}

TEST_F(JitConvTest, AvgAndAdaptivePoolGoldenCasesCompiledMatchPyTorch) {
  std::vector<GoldenCase> cases =
      loadGoldenCases("pool.safetensors", poolOp,
                      [](const auto &config) { return config["op"] != "max"; });
  EXPECT_EQ(cases.size(), 8u);
  expectCompiledMatchesGolden(cases, kGoldenRtol, kGoldenAtol);
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
  // The compiled convolutions fuse each product into its sum (FMA) where
  // eager rounds products first: 1-ulp differences that Adam's m / sqrt(v)
  // amplifies for near-zero gradients, up to a few percent of lr (1e-3)
  // after 5 steps. Each op alone matches PyTorch at 1.3e-6 (the golden
  // tests above).
  for (size_t p = 0; p < eagerParams.size(); ++p)
    EXPECT_TRUE(allClose(compiledParams[p], eagerParams[p], 1e-4, 5e-5))
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
  // The compiled convolutions fuse each product into its sum (FMA) where
  // eager rounds products first: 1-ulp differences that Adam's m / sqrt(v)
  // amplifies for near-zero gradients, up to a few percent of lr (1e-3)
  // after 5 steps. Each op alone matches PyTorch at 1.3e-6 (the golden
  // tests above).
  for (size_t p = 0; p < eagerParams.size(); ++p)
    EXPECT_TRUE(allClose(compiledParams[p], eagerParams[p], 1e-4, 5e-5))
        << "parameter " << p;
}

} // namespace
