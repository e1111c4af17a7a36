//===- test/unit/ConvTest.cpp - Eager conv2d and pooling ------------------===//
//
// conv2d, max/avg/adaptive pooling and their modules, eagerly: outputs and
// gradients against PyTorch's (golden files written by
// scripts/golden/make_conv_goldens.py), gradients in float64 against
// central differences, the recorded trace ops, and PyTorch's errors for bad
// arguments.
//
//===----------------------------------------------------------------------===//
#include "AllClose.h"
#include "EagerTestUtil.h"

#include "frontend/nnc.h"

#include "gmock/gmock.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

namespace F = nnc::nn::functional;
namespace nn = nnc::nn;
using nnc::ExpandingArray;
using nnc::Tensor;
using nnc::testing::allClose;
using nnc::testing::hasValues;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

// PyTorch's assert_close tolerances for float32 (DESIGN.md section 9).
constexpr double kRtol = 1.3e-6, kAtol = 1e-5;

nnc::safetensors::Contents loadGolden(const char *file) {
  return nnc::safetensors::load_file_with_metadata(
      std::string(NNC_CONV_GOLDEN_DIR) + "/" + file);
}

/// A JSON list of two ints (a missing key gives `fallback`).
ExpandingArray<2> pairOf(const nlohmann::json &config, const char *key,
                         ExpandingArray<2> fallback) {
  if (!config.contains(key))
    return fallback;
  return nnc::IntList(config[key].get<std::vector<int64_t>>());
}

/// Runs `forward` on the case's leaves (x, and w, b when present), then
/// backward of sum(out^2) / 2 as the script did, and compares the output
/// and every gradient with PyTorch's.
void checkGoldenCase(const std::map<std::string, Tensor> &golden,
                     const std::string &name,
                     const std::function<Tensor(const Tensor &, const Tensor &,
                                                const Tensor &)> &forward) {
  SCOPED_TRACE(name);
  auto find = [&](const std::string &role) {
    auto it = golden.find(name + "." + role);
    return it == golden.end() ? Tensor() : it->second.clone();
  };
  Tensor x = find("x"), w = find("w"), b = find("b");
  for (Tensor *t : {&x, &w, &b})
    if (t->defined())
      t->requires_grad_();
  Tensor out = forward(x, w, b);
  EXPECT_TRUE(allClose(out, find("out"), kRtol, kAtol)) << "output";
  (out * out).sum().mul(0.5f).backward();
  EXPECT_TRUE(allClose(x.grad(), find("gx"), kRtol, kAtol)) << "input grad";
  if (w.defined()) {
    EXPECT_TRUE(allClose(w.grad(), find("gw"), kRtol, kAtol)) << "weight grad";
  }
  if (b.defined()) {
    EXPECT_TRUE(allClose(b.grad(), find("gb"), kRtol, kAtol)) << "bias grad";
  }
}

//===----------------------------------------------------------------------===//
// Parity with PyTorch
//===----------------------------------------------------------------------===//

TEST(ConvGolden, Conv2dMatchesPyTorch) {
  nnc::safetensors::Contents golden = loadGolden("conv.safetensors");
  ASSERT_GE(golden.metadata.size(), 10u);
  for (const auto &[name, text] : golden.metadata) {
    nlohmann::json config = nlohmann::json::parse(text);
    ExpandingArray<2> stride = pairOf(config, "stride", 1);
    ExpandingArray<2> padding = pairOf(config, "padding", 0);
    ExpandingArray<2> dilation = pairOf(config, "dilation", 1);
    int64_t groups = config["groups"].get<int64_t>();
    bool block = config.value("block", false);
    checkGoldenCase(golden.tensors, name,
                    [&](const Tensor &x, const Tensor &w, const Tensor &b) {
                      Tensor y =
                          F::conv2d(x, w, b, stride, padding, dilation, groups);
                      return block ? F::max_pool2d(y.relu(), 2) : y;
                    });
  }
}

TEST(ConvGolden, PoolingMatchesPyTorch) {
  nnc::safetensors::Contents golden = loadGolden("pool.safetensors");
  ASSERT_GE(golden.metadata.size(), 10u);
  for (const auto &[name, text] : golden.metadata) {
    nlohmann::json config = nlohmann::json::parse(text);
    std::string op = config["op"];
    checkGoldenCase(
        golden.tensors, name,
        [&](const Tensor &x, const Tensor &, const Tensor &) {
          if (op == "adaptive")
            return F::adaptive_avg_pool2d(x, pairOf(config, "output_size", 1));
          ExpandingArray<2> kernel = pairOf(config, "kernel", 1);
          ExpandingArray<2> stride = pairOf(config, "stride", {});
          ExpandingArray<2> padding = pairOf(config, "padding", 0);
          bool ceil = config.value("ceil_mode", false);
          if (op == "max")
            return F::max_pool2d(x, kernel, stride, padding,
                                 pairOf(config, "dilation", 1), ceil);
          return F::avg_pool2d(x, kernel, stride, padding, ceil,
                               config.value("count_include_pad", true));
        });
  }
}

//===----------------------------------------------------------------------===//
// Gradients against central differences, in float64
//===----------------------------------------------------------------------===//

using Function = std::function<Tensor(const std::vector<Tensor> &)>;

/// Checks the autograd gradient of sum(f(inputs) * weights) of every input
/// against central differences (DESIGN.md section 9: eps 1e-6, atol 1e-5,
/// rtol 1e-3), all in float64.
::testing::AssertionResult gradientsMatch(const Function &f,
                                          std::vector<Tensor> inputs) {
  for (Tensor &t : inputs)
    t.requires_grad_();
  Tensor out = f(inputs);
  Tensor weights = nnc::randn(out.sizes(), nnc::kFloat64);
  (out * weights).sum().backward();
  auto loss = [&] {
    nnc::NoGradGuard noGrad;
    return (f(inputs) * weights).sum().item<double>();
  };
  constexpr double eps = 1e-6, atol = 1e-5, rtol = 1e-3;
  for (size_t k = 0; k < inputs.size(); ++k) {
    Tensor grad = inputs[k].grad().contiguous();
    if (grad.sizes() != inputs[k].sizes())
      return ::testing::AssertionFailure() << "input " << k << ": no gradient";
    double *data = inputs[k].data_ptr<double>();
    for (int64_t i = 0; i < inputs[k].numel(); ++i) {
      double saved = data[i];
      data[i] = saved + eps;
      double plus = loss();
      data[i] = saved - eps;
      double minus = loss();
      data[i] = saved;
      double numeric = (plus - minus) / (2 * eps);
      double analytic = grad.data_ptr<double>()[i];
      if (!(std::abs(analytic - numeric) <= atol + rtol * std::abs(numeric)))
        return ::testing::AssertionFailure()
               << "input " << k << " element " << i << ": autograd " << analytic
               << ", central difference " << numeric;
    }
  }
  return ::testing::AssertionSuccess();
}

Tensor randn64(const nnc::IntList &shape) {
  return nnc::randn(shape, nnc::kFloat64);
}

TEST(ConvGrad, Conv2dStridedDilatedGrouped) {
  nnc::manual_seed(1);
  EXPECT_TRUE(gradientsMatch(
      [](const std::vector<Tensor> &in) {
        return F::conv2d(in[0], in[1], in[2], {2, 1}, {1, 2}, {1, 2}, 2);
      },
      {randn64({2, 4, 6, 7}), randn64({4, 2, 3, 2}), randn64({4})}));
}

TEST(ConvGrad, Conv2dUnbatchedSamePadding) {
  nnc::manual_seed(2);
  EXPECT_TRUE(gradientsMatch(
      [](const std::vector<Tensor> &in) {
        return F::conv2d(in[0], in[1], {}, 1, nnc::kSame);
      },
      {randn64({3, 5, 4}), randn64({2, 3, 3, 3})}));
}

TEST(ConvGrad, MaxPool2d) {
  nnc::manual_seed(3);
  EXPECT_TRUE(gradientsMatch(
      [](const std::vector<Tensor> &in) {
        return F::max_pool2d(in[0], 3, 2, 1, 1, /*ceil_mode=*/true);
      },
      {randn64({2, 2, 8, 7})}));
}

TEST(ConvGrad, AvgPool2d) {
  nnc::manual_seed(4);
  for (bool countIncludePad : {true, false})
    EXPECT_TRUE(gradientsMatch(
        [&](const std::vector<Tensor> &in) {
          return F::avg_pool2d(in[0], {3, 2}, 2, 1, /*ceil_mode=*/true,
                               countIncludePad);
        },
        {randn64({2, 2, 8, 7})}))
        << "count_include_pad " << countIncludePad;
}

TEST(ConvGrad, AdaptiveAvgPool2d) {
  nnc::manual_seed(5);
  EXPECT_TRUE(gradientsMatch(
      [](const std::vector<Tensor> &in) {
        return F::adaptive_avg_pool2d(in[0], {3, 2});
      },
      {randn64({2, 2, 7, 5})}));
}

//===----------------------------------------------------------------------===//
// Semantics by hand
//===----------------------------------------------------------------------===//

TEST(ConvOps, Conv2dByHand) {
  // A 2x2 kernel of ones over a 3x3 ramp, plus a bias of 10.
  Tensor x = nnc::tensor({0.f, 1, 2, 3, 4, 5, 6, 7, 8}, {1, 1, 3, 3});
  Tensor w = nnc::ones({1, 1, 2, 2});
  EXPECT_TRUE(hasValues(F::conv2d(x, w, nnc::tensor({10.f})), {1, 1, 2, 2},
                        {18, 22, 30, 34}));
  EXPECT_TRUE(hasValues(F::conv2d(x, w, {}, 1, nnc::kValid), {1, 1, 2, 2},
                        {8, 12, 20, 24}));
  // Padding 1, stride 2: the corners' windows.
  EXPECT_TRUE(
      hasValues(F::conv2d(x, w, {}, 2, 1), {1, 1, 2, 2}, {0, 3, 9, 24}));
}

TEST(ConvOps, MaxPoolIndicesAndNaN) {
  float nan = std::nanf("");
  Tensor x = nnc::tensor({1.f, 5, 2, nan, 3, 3, 0, 4}, {1, 1, 2, 4});
  auto [values, indices] = F::max_pool2d_with_indices(x, 2);
  EXPECT_TRUE(hasValues(values, {1, 1, 1, 2}, {5, nan}));
  EXPECT_EQ(indices.dtype(), nnc::kInt64);
  EXPECT_EQ(indices.data_ptr<int64_t>()[0], 1);
  EXPECT_EQ(indices.data_ptr<int64_t>()[1], 3);
}

TEST(ConvOps, TracedAsOneOpEach) {
  Tensor x = nnc::randn({1, 2, 6, 6});
  Tensor w = nnc::randn({4, 1, 3, 3}), b = nnc::randn({4});
  nnc::testing::RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    Tensor y = F::conv2d(x, w, b, 1, 1, 1, 2);
    y = F::max_pool2d(y, 2, {}, 0, 1, true);
    y = F::avg_pool2d(y, 2, 1, 1, false, false);
    y = F::adaptive_avg_pool2d(y, 1);
    y = nn::Flatten()(y);
  }
  using K = nnc::OpKind;
  ASSERT_EQ(hook.kinds(), (std::vector<K>{K::Conv2d, K::MaxPool2d, K::AvgPool2d,
                                          K::AdaptiveAvgPool2d, K::Reshape}));
  const nnc::OpAttrs &conv = hook.ops[0].attrs;
  EXPECT_EQ(hook.ops[0].inputs.size(), 3u);
  EXPECT_EQ(conv.stride, (nnc::IntList{1, 1}));
  EXPECT_EQ(conv.padding, (nnc::IntList{1, 1}));
  EXPECT_EQ(conv.dilation, (nnc::IntList{1, 1}));
  EXPECT_EQ(conv.groups, 2);
  EXPECT_EQ(hook.ops[1].attrs.kernel, (nnc::IntList{2, 2}));
  EXPECT_EQ(hook.ops[1].attrs.stride, (nnc::IntList{2, 2}));
  EXPECT_TRUE(hook.ops[1].attrs.ceil_mode);
  EXPECT_FALSE(hook.ops[2].attrs.count_include_pad);
  EXPECT_EQ(hook.ops[2].attrs.padding, (nnc::IntList{1, 1}));
  EXPECT_EQ(hook.ops[3].attrs.shape, (nnc::IntList{1, 1}));
  EXPECT_EQ(hook.ops[4].outputShape, (nnc::IntList{1, 4}));
}

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

TEST(ConvModules, Conv2dParametersAndInit) {
  nnc::manual_seed(0);
  nn::Conv2d conv(nn::Conv2dOptions(4, 8, 3).padding(1).groups(2));
  auto params = conv->named_parameters();
  ASSERT_EQ(params.keys(), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(conv->weight.sizes(), (nnc::IntList{8, 2, 3, 3}));
  // kaiming_uniform_(a = sqrt(5)) bounds the weight by 1 / sqrt(fan_in),
  // as the bias; fan_in = 2 * 3 * 3.
  double bound = 1 / std::sqrt(18.0);
  for (const Tensor &t : {conv->weight, conv->bias}) {
    EXPECT_LE(t.abs().max().item<double>(), bound);
    EXPECT_GT(t.abs().max().item<double>(), bound / 2);
  }
  EXPECT_EQ(conv(nnc::randn({2, 4, 5, 5})).sizes(), (nnc::IntList{2, 8, 5, 5}));
  nn::Conv2d noBias(nn::Conv2dOptions(1, 2, {2, 3}).bias(false).stride(2));
  EXPECT_FALSE(noBias->bias.defined());
  EXPECT_EQ(noBias->parameters().size(), 1u);
}

TEST(ConvModules, SmallCnnTrainsAStep) {
  nnc::manual_seed(0);
  nn::Sequential model(nn::Conv2d(nn::Conv2dOptions(1, 16, 3).padding(1)),
                       nn::ReLU(), nn::MaxPool2d(nn::MaxPool2dOptions(2)),
                       nn::Conv2d(nn::Conv2dOptions(16, 32, 3).padding(1)),
                       nn::ReLU(), nn::MaxPool2d(nn::MaxPool2dOptions(2)),
                       nn::Flatten(), nn::Linear(32 * 7 * 7, 10));
  EXPECT_EQ(model->parameters().size(), 6u);
  Tensor x = nnc::rand({8, 1, 28, 28});
  Tensor target = nnc::tensor(std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
  nnc::optim::Adam adam(model->parameters(), nnc::optim::AdamOptions(1e-3));
  double first = 0, last = 0;
  for (int step = 0; step < 5; ++step) {
    adam.zero_grad();
    Tensor loss = F::cross_entropy(model(x), target);
    loss.backward();
    adam.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, first);
}

TEST(ConvModules, PoolingModules) {
  Tensor x = nnc::randn({2, 3, 6, 6});
  EXPECT_EQ(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).ceil_mode(true))(x)
                .sizes(),
            (nnc::IntList{2, 3, 3, 3}));
  EXPECT_EQ(nn::AvgPool2d(nn::AvgPool2dOptions(2).padding(1))(x).sizes(),
            (nnc::IntList{2, 3, 4, 4}));
  nn::AdaptiveAvgPool2d global(nn::AdaptiveAvgPool2dOptions({1, 1}));
  EXPECT_TRUE(allClose(global(x), x.mean({2, 3}, true), 1e-6, 1e-6));
  // Unbatched [C, H, W] input pools as a batch of one.
  Tensor plane = x.select(0, 1);
  EXPECT_TRUE(allClose(F::max_pool2d(plane, 2), F::max_pool2d(x, 2)[1], 0, 0));
  EXPECT_TRUE(allClose(F::avg_pool2d(plane, 3, 1, 1),
                       F::avg_pool2d(x, 3, 1, 1)[1], 0, 0));
  EXPECT_TRUE(allClose(F::adaptive_avg_pool2d(plane, 4),
                       F::adaptive_avg_pool2d(x, 4)[1], 0, 0));
  EXPECT_EQ(nn::Flatten(nn::FlattenOptions().start_dim(2))(x).sizes(),
            (nnc::IntList{2, 3, 36}));
}

//===----------------------------------------------------------------------===//
// Bad arguments
//===----------------------------------------------------------------------===//

TEST(ConvErrors, Conv2dArgumentsAsPyTorch) {
  Tensor x = nnc::randn({2, 3, 5, 5});
  Tensor w = nnc::randn({4, 3, 3, 3});
  auto fails = [](const std::function<void()> &f, const char *message) {
    EXPECT_THAT(f, ThrowsMessage<nnc::Error>(HasSubstr(message)));
  };
  fails(
      [&] {
        F::conv2d(nnc::randn({2, 3}), w);
      },
      "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got "
      "input of size: [2, 3]");
  fails(
      [&] {
        F::conv2d(x, nnc::randn({4, 3, 3}));
      },
      "Expected 4-dimensional weight for 4-dimensional input [2, 3, 5, 5], "
      "but got 3-dimensional weight of size [4, 3, 3] instead");
  fails(
      [&] {
        F::conv2d(x, nnc::randn({4, 2, 3, 3}));
      },
      "Given groups=1, weight of size [4, 2, 3, 3], expected input[2, 3, 5, "
      "5] to have 2 channels, but got 3 channels instead");
  fails(
      [&] {
        F::conv2d(x, nnc::randn({3, 1, 3, 3}), {}, 1, 0, 1, 2);
      },
      "Given groups=2, expected weight to be divisible by 2 at dimension 0");
  fails([&] { F::conv2d(x, w, {}, 1, 0, 1, 0); },
        "non-positive groups is not supported");
  fails([&] { F::conv2d(x, w, nnc::randn({3})); },
        "expected bias to be 1-dimensional with 4 elements, but got bias of "
        "size [3] instead");
  fails(
      [&] {
        F::conv2d(nnc::randn({1, 3, 2, 2}), w);
      },
      "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x "
      "3). Kernel size can't be greater than actual input size");
  fails([&] { F::conv2d(x, w, {}, 0); }, "non-positive stride");
  fails([&] { F::conv2d(x, w, {}, 1, -1); }, "negative padding");
  fails([&] { F::conv2d(x, w, {}, 2, nnc::kSame); },
        "padding='same' is not supported for strided convolutions");
  fails(
      [&] {
        F::conv2d(x, w, {}, {1, 2, 3});
      },
      "expected a single integer value or a list of 2 values, got [1, 2, 3]");
  fails([&] { F::conv2d(x.to(nnc::kFloat64), w); },
        "expected input, weight and bias to have the same dtype");
  fails([&] { nn::Conv2d(nn::Conv2dOptions(3, 4, 3).groups(2)); },
        "in_channels must be divisible by groups");
}

TEST(ConvErrors, PoolingArgumentsAsPyTorch) {
  Tensor x = nnc::randn({1, 2, 4, 4});
  auto fails = [](const std::function<void()> &f, const char *message) {
    EXPECT_THAT(f, ThrowsMessage<nnc::Error>(HasSubstr(message)));
  };
  fails(
      [&] {
        F::max_pool2d(nnc::randn({4, 4}), 2);
      },
      "Expected 3D (unbatched) or 4D (batched) input to max_pool2d");
  fails([&] { F::max_pool2d(x, 2, 2, 2); },
        "pad should be at least zero and at most half of kernel size, but got "
        "padW = 2, padH = 2, kW = 2, kH = 2");
  fails([&] { F::avg_pool2d(x, 5); },
        "Given input size: (2x4x4). Calculated output size: (2x0x0). Output "
        "size is too small");
  fails([&] { F::max_pool2d(x, 0); },
        "kernel size should be greater than zero");
  fails([&] { F::avg_pool2d(x, 2, 0); }, "stride should be greater than zero");
  fails([&] { F::max_pool2d(x, 2, {}, 0, 0); },
        "dilation should be greater than zero");
  fails(
      [&] {
        F::max_pool2d(nnc::randn({1, 2, 4, 4}).to(nnc::kInt64), 2);
      },
      "max_pool2d: expected input to be a floating tensor, got Long");
}

//===----------------------------------------------------------------------===//
// Speed at the SmallCNN's shapes: reported, not asserted, so not part of
// the suite; run it with
//   build/test/unit/ConvTests --gtest_also_run_disabled_tests \
//     --gtest_filter='*Speed*'
//===----------------------------------------------------------------------===//

TEST(ConvSpeed, DISABLED_SmallCnnShapesBatch64) {
  nnc::manual_seed(0);
  auto time = [](const std::string &what, const std::function<void()> &f) {
    f(); // warm up
    constexpr int kRepeats = 5;
    double best = 1e30;
    for (int i = 0; i < kRepeats; ++i) {
      auto start = std::chrono::steady_clock::now();
      f();
      best = std::min(best, std::chrono::duration<double, std::milli>(
                                std::chrono::steady_clock::now() - start)
                                .count());
    }
    std::printf("[ speed    ] %-36s %8.2f ms\n", what.c_str(), best);
  };
  struct Layer {
    const char *name;
    int64_t in, out, size;
  };
  for (Layer layer : {Layer{"conv1", 1, 16, 28}, Layer{"conv2", 16, 32, 14}}) {
    Tensor x = nnc::rand({64, layer.in, layer.size, layer.size});
    Tensor w = nnc::randn({layer.out, layer.in, 3, 3});
    Tensor b = nnc::randn({layer.out});
    std::string name = layer.name;
    time(name + " forward", [&] { F::conv2d(x, w, b, 1, 1); });
    x.requires_grad_();
    time(name + " forward + input grad",
         [&] { F::conv2d(x, w, {}, 1, 1).sum().backward(); });
    x.requires_grad_(false);
    w.requires_grad_();
    time(name + " forward + weight grad",
         [&] { F::conv2d(x, w, {}, 1, 1).sum().backward(); });
  }
  Tensor y = nnc::rand({64, 16, 28, 28});
  time("max_pool2d(2) [64,16,28,28] forward", [&] { F::max_pool2d(y, 2); });
  y.requires_grad_();
  time("max_pool2d(2) [64,16,28,28] f+b",
       [&] { F::max_pool2d(y, 2).sum().backward(); });
  // One eager SmallCNN training step (forward, backward, Adam).
  nn::Sequential model(
      nn::Conv2d(nn::Conv2dOptions(1, 16, 3).padding(1)), nn::ReLU(),
      nn::MaxPool2d(2), nn::Conv2d(nn::Conv2dOptions(16, 32, 3).padding(1)),
      nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(32 * 7 * 7, 10));
  nnc::optim::Adam adam(model->parameters(), nnc::optim::AdamOptions(1e-3));
  Tensor images = nnc::rand({64, 1, 28, 28});
  Tensor labels = nnc::zeros({64}, nnc::kInt64);
  time("SmallCNN train step, batch 64", [&] {
    adam.zero_grad();
    F::cross_entropy(model(images), labels).backward();
    adam.step();
  });
  SUCCEED();
}

} // namespace
