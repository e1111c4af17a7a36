//===- test/unit/AutocastTest.cpp - Mixed precision (AutocastGuard) -------===//
//
// Issue 5's mixed precision: AutocastGuard's casting rules (PyTorch 1.13's
// CPU autocast lists), float32 master weights and gradients, eagerly
// against PyTorch's bf16 autocast on a miniature SmallCNN
// (test/golden/amp/amp.safetensors, written by
// scripts/golden/make_amp_goldens.py), and compiled: jit::compile and
// jit::compile_step traced under a guard against eager, in bf16 and f16.
//
//===----------------------------------------------------------------------===//
#include "frontend/nnc.h"
#include "test/unit/AllClose.h"
#include "test/unit/DataTestUtil.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <map>
#include <string>

using nnc::AutocastGuard;
using nnc::Tensor;
using testing::HasSubstr;
namespace nn = nnc::nn;
namespace F = nnc::nn::functional;

namespace {

using nnc::testing::allClose;
using nnc::testing::loadGolden;

/// allClose for tensors of any floating dtype (compared as float32).
testing::AssertionResult closeAsFloat(const Tensor &actual,
                                      const Tensor &expected, double rtol,
                                      double atol) {
  if (actual.dtype() != expected.dtype())
    return testing::AssertionFailure()
           << "dtype " << nnc::toString(actual.dtype()) << ", expected "
           << nnc::toString(expected.dtype());
  return allClose(actual.to(nnc::kFloat), expected.to(nnc::kFloat), rtol, atol);
}

// BFloat16 keeps 8 bits of mantissa: results that went through several
// bf16 roundings agree with PyTorch's to a few bf16 ulps (2^-8 relative
// each), more loosely than assert_close's single-op 1.6e-2.
constexpr double kBf16Rtol = 3e-2, kBf16Atol = 1e-2;

/// The seeds' SmallCNN in miniature, named as the golden script's model:
/// Sequential(Sequential(Conv2d, ReLU, MaxPool2d, Flatten), Linear).
nn::Sequential tinyCnn() {
  nn::Sequential model;
  model->push_back(
      nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding(1)),
                     nn::ReLU(), nn::MaxPool2d(2), nn::Flatten()));
  model->push_back(nn::Linear(64, 3));
  return model;
}

/// tinyCnn with the golden's initial parameters.
nn::Sequential goldenCnn(const std::map<std::string, Tensor> &golden) {
  nn::Sequential model = tinyCnn();
  nnc::NoGradGuard noGrad;
  for (auto &item : model->named_parameters())
    item.value().copy_(golden.at("init." + item.key()));
  return model;
}

TEST(AutocastTest, CastsAsPyTorchCpuAutocast) {
  Tensor x = nnc::randn({4, 3, 8, 8});
  Tensor w = nnc::randn({5, 3, 3, 3});
  Tensor l = nnc::randn({4, 10});
  Tensor target = nnc::tensor(std::vector<int64_t>{1, 0, 3, 9});
  EXPECT_FALSE(nnc::autocast::is_enabled());
  {
    AutocastGuard guard(nnc::kBFloat16);
    EXPECT_TRUE(nnc::autocast::is_enabled());
    EXPECT_EQ(nnc::autocast::get_autocast_dtype(), nnc::kBFloat16);
    // The lower-precision list: matmul, bmm, linear, conv2d.
    EXPECT_EQ(l.matmul(nnc::randn({10, 3})).dtype(), nnc::kBFloat16);
    EXPECT_EQ(nnc::randn({2, 3, 4}).bmm(nnc::randn({2, 4, 5})).dtype(),
              nnc::kBFloat16);
    EXPECT_EQ(F::linear(l, nnc::randn({6, 10}), nnc::randn({6})).dtype(),
              nnc::kBFloat16);
    Tensor conv = F::conv2d(x, w, nnc::randn({5}));
    EXPECT_EQ(conv.dtype(), nnc::kBFloat16);
    // Everything else runs in its input's dtype (as PyTorch's CPU lists:
    // relu, pooling, softmax stay outside both lists).
    EXPECT_EQ(conv.relu().dtype(), nnc::kBFloat16);
    EXPECT_EQ(F::max_pool2d(conv, 2).dtype(), nnc::kBFloat16);
    EXPECT_EQ(F::avg_pool2d(conv, 2).dtype(), nnc::kBFloat16);
    EXPECT_EQ(F::max_pool2d(x, 2).dtype(), nnc::kFloat);
    EXPECT_EQ(l.to(nnc::kBFloat16).softmax(1).dtype(), nnc::kBFloat16);
    EXPECT_EQ((l.to(nnc::kBFloat16) + l).dtype(), nnc::kFloat);
    // The float32 list: losses.
    Tensor logits = l.to(nnc::kBFloat16);
    EXPECT_EQ(F::cross_entropy(logits, target).dtype(), nnc::kFloat);
    EXPECT_EQ(nn::CrossEntropyLoss()(logits, target).dtype(), nnc::kFloat);
    EXPECT_EQ(F::mse_loss(logits, logits).dtype(), nnc::kFloat);
    EXPECT_EQ(nn::L1Loss()(logits, logits).dtype(), nnc::kFloat);
    EXPECT_EQ(nn::BCEWithLogitsLoss()(logits, logits.sigmoid()).dtype(),
              nnc::kFloat);
    // float64 is never cast.
    EXPECT_EQ(
        l.to(nnc::kDouble).matmul(nnc::randn({10, 3}, nnc::kDouble)).dtype(),
        nnc::kDouble);
    {
      AutocastGuard off(nnc::kBFloat16, /*enabled=*/false);
      EXPECT_EQ(l.matmul(nnc::randn({10, 3})).dtype(), nnc::kFloat);
      AutocastGuard half(nnc::kHalf);
      EXPECT_EQ(l.matmul(nnc::randn({10, 3})).dtype(), nnc::kHalf);
      // Another 16-bit dtype is cast too.
      EXPECT_EQ(logits.matmul(nnc::randn({10, 3})).dtype(), nnc::kHalf);
    }
    EXPECT_EQ(nnc::autocast::get_autocast_dtype(), nnc::kBFloat16);
    EXPECT_TRUE(nnc::autocast::is_enabled());
  }
  EXPECT_FALSE(nnc::autocast::is_enabled());
  EXPECT_EQ(l.matmul(nnc::randn({10, 3})).dtype(), nnc::kFloat);
  EXPECT_THAT([] { AutocastGuard guard(nnc::kDouble); },
              testing::ThrowsMessage<nnc::Error>(
                  HasSubstr("autocast: the dtype must be BFloat16 or Half, "
                            "got Double")));
}

TEST(AutocastTest, SixteenBitConvAndPoolingComputeInFloat32) {
  Tensor x = nnc::randn({2, 3, 7, 7});
  Tensor w = nnc::randn({4, 3, 3, 3});
  for (nnc::ScalarType type : {nnc::kBFloat16, nnc::kHalf}) {
    Tensor x16 = x.to(type), w16 = w.to(type);
    // One rounding of the float32 result of the rounded operands.
    EXPECT_TRUE(closeAsFloat(
        F::conv2d(x16, w16),
        F::conv2d(x16.to(nnc::kFloat), w16.to(nnc::kFloat)).to(type), 0, 0));
    EXPECT_TRUE(closeAsFloat(F::avg_pool2d(x16, 3, 2),
                             F::avg_pool2d(x16.to(nnc::kFloat), 3, 2).to(type),
                             0, 0));
    EXPECT_TRUE(closeAsFloat(
        F::adaptive_avg_pool2d(x16, {3, 2}),
        F::adaptive_avg_pool2d(x16.to(nnc::kFloat), {3, 2}).to(type), 0, 0));
    Tensor leaf = x16.clone().requires_grad_();
    Tensor pooled = F::max_pool2d(leaf, 2);
    EXPECT_TRUE(closeAsFloat(pooled, F::max_pool2d(x, 2).to(type), 0, 0));
    Tensor total = pooled.sum();
    EXPECT_EQ(total.dtype(), type);
    total.backward();
    EXPECT_EQ(leaf.grad().dtype(), type);
    EXPECT_EQ(leaf.grad().sum().item<double>(), double(pooled.numel()));
  }
}

TEST(AutocastTest, NormalizationOfSixteenBitInputComputesInFloat32) {
  Tensor x = nnc::randn({4, 3, 5}) * 3.0 + 1.0;
  nn::BatchNorm1d bn(3);
  nn::LayerNorm ln(nn::LayerNormOptions({5}));
  Tensor x16 = x.to(nnc::kBFloat16);
  Tensor bnOut = bn(x16);
  EXPECT_EQ(bnOut.dtype(), nnc::kBFloat16);
  EXPECT_EQ(bn->running_mean.dtype(), nnc::kFloat);
  nn::BatchNorm1d reference(3);
  EXPECT_TRUE(closeAsFloat(
      bnOut, reference(x16.to(nnc::kFloat)).to(nnc::kBFloat16), 0, 0));
  EXPECT_TRUE(allClose(bn->running_var, reference->running_var, 0, 0));
  EXPECT_TRUE(
      closeAsFloat(ln(x16), ln(x16.to(nnc::kFloat)).to(nnc::kBFloat16), 0, 0));
}

TEST(AutocastTest, BackwardRunsInTheForwardDtypesWithFloat32MasterGrads) {
  nnc::manual_seed(3);
  nn::Linear fc(8, 4);
  Tensor x = nnc::randn({5, 8});
  auto gradsOf = [&](bool backwardUnderGuard) {
    fc->zero_grad();
    AutocastGuard guard(nnc::kBFloat16);
    Tensor loss = fc(x).to(nnc::kFloat).pow(2).sum();
    if (backwardUnderGuard) {
      loss.backward();
    } else {
      AutocastGuard off(nnc::kBFloat16, false);
      loss.backward();
    }
    return std::make_pair(fc->weight.grad().clone(), fc->bias.grad().clone());
  };
  auto [w1, b1] = gradsOf(true);
  auto [w2, b2] = gradsOf(false);
  EXPECT_EQ(w1.dtype(), nnc::kFloat);
  EXPECT_EQ(b1.dtype(), nnc::kFloat);
  EXPECT_TRUE(allClose(w1, w2, 0, 0));
  EXPECT_TRUE(allClose(b1, b2, 0, 0));
  // The weight's gradient came through a bf16 matmul: it holds bf16 values.
  EXPECT_TRUE(allClose(w1, w1.to(nnc::kBFloat16).to(nnc::kFloat), 0, 0));
}

TEST(AutocastTest, EagerMatchesPyTorchBf16Autocast) {
  std::map<std::string, Tensor> golden = loadGolden("amp/amp.safetensors");
  nn::Sequential model = goldenCnn(golden);
  nnc::optim::Adam adam(model->parameters(), nnc::optim::AdamOptions(1e-2));
  const Tensor &x = golden.at("x"), &target = golden.at("target");
  std::vector<float> losses;
  for (int step = 0; step < 3; ++step) {
    adam.zero_grad();
    Tensor input = x.clone().requires_grad_(step == 0);
    Tensor loss;
    {
      AutocastGuard guard(nnc::kBFloat16);
      Tensor features = model->at<nn::SequentialImpl>(0).forward(input);
      Tensor logits = model->at<nn::LinearImpl>(1).forward(features);
      loss = F::cross_entropy(logits, target);
      if (step == 0) {
        EXPECT_TRUE(closeAsFloat(features, golden.at("features"), kBf16Rtol,
                                 kBf16Atol));
        EXPECT_TRUE(
            closeAsFloat(logits, golden.at("logits"), kBf16Rtol, kBf16Atol));
      }
    }
    EXPECT_EQ(loss.dtype(), nnc::kFloat);
    loss.backward();
    if (step == 0) {
      EXPECT_TRUE(
          closeAsFloat(input.grad(), golden.at("grad.x"), kBf16Rtol, 1e-3));
      for (auto &item : model->named_parameters())
        EXPECT_TRUE(closeAsFloat(item.value().grad(),
                                 golden.at("grad." + item.key()), kBf16Rtol,
                                 kBf16Atol))
            << item.key();
    }
    losses.push_back(loss.item<float>());
    adam.step();
  }
  EXPECT_TRUE(
      allClose(nnc::tensor(losses, {3}), golden.at("loss"), 1e-2, 1e-3));
  for (auto &item : model->named_parameters())
    EXPECT_TRUE(closeAsFloat(item.value(), golden.at("after." + item.key()),
                             1e-2, 1e-3))
        << item.key();
}

TEST(AutocastTest, CompiledForwardUnderGuardMatchesEagerAutocast) {
  std::map<std::string, Tensor> golden = loadGolden("amp/amp.safetensors");
  nn::Sequential model = goldenCnn(golden);
  model->eval();
  const Tensor &x = golden.at("x");
  for (nnc::ScalarType type : {nnc::kBFloat16, nnc::kHalf}) {
    nnc::jit::CompiledFunction compiled = [&] {
      AutocastGuard guard(type);
      return nnc::jit::compile(model, x);
    }();
    // Compiled outside the guard: the graph keeps the settings it was
    // traced under.
    Tensor logits = compiled({x})[0];
    Tensor eager;
    {
      AutocastGuard guard(type);
      nnc::NoGradGuard noGrad;
      eager = model(x);
    }
    EXPECT_EQ(logits.dtype(), type);
    EXPECT_TRUE(
        closeAsFloat(logits, eager, type == nnc::kHalf ? 2e-3 : 1e-2, 1e-3));
    if (type == nnc::kBFloat16) {
      EXPECT_TRUE(
          closeAsFloat(logits, golden.at("logits"), kBf16Rtol, kBf16Atol));
    }
    const std::string &graph = compiled.graphText();
    std::string name = type == nnc::kHalf ? "f16" : "bf16";
    EXPECT_THAT(graph, HasSubstr("x" + name + ">"));
    EXPECT_THAT(graph, HasSubstr("nn.matmul"));
    // Outside any guard, an f32 batch of another size recompiles under the
    // settings compile() was called with.
    Tensor larger = nnc::randn({6, 1, 8, 8});
    EXPECT_EQ(compiled({larger})[0].dtype(), type);
  }
}

TEST(AutocastTest, CompiledTrainingStepUnderGuardMatchesEager) {
  std::map<std::string, Tensor> golden = loadGolden("amp/amp.safetensors");
  const Tensor &x = golden.at("x"), &target = golden.at("target");
  for (nnc::ScalarType type : {nnc::kBFloat16, nnc::kHalf}) {
    nn::Sequential eagerModel = goldenCnn(golden);
    nn::Sequential compiledModel = goldenCnn(golden);
    nnc::optim::Adam eagerAdam(eagerModel->parameters(),
                               nnc::optim::AdamOptions(1e-2));
    nnc::optim::Adam compiledAdam(compiledModel->parameters(),
                                  nnc::optim::AdamOptions(1e-2));
    nn::CrossEntropyLoss lossFn;
    nnc::jit::CompiledStep step = [&] {
      AutocastGuard guard(type);
      return nnc::jit::compile_step(compiledModel, lossFn, compiledAdam,
                                    {x, target});
    }();
    for (int i = 0; i < 3; ++i) {
      eagerAdam.zero_grad();
      Tensor eagerLoss;
      {
        AutocastGuard guard(type);
        eagerLoss = lossFn(eagerModel(x), target);
      }
      eagerLoss.backward();
      eagerAdam.step();
      Tensor compiledLoss = step(x, target);
      EXPECT_EQ(compiledLoss.dtype(), nnc::kFloat);
      EXPECT_TRUE(allClose(compiledLoss, eagerLoss,
                           type == nnc::kHalf ? 2e-3 : 1e-2, 1e-3))
          << "step " << i;
    }
    auto compiledParams = compiledModel->named_parameters();
    for (auto &item : eagerModel->named_parameters()) {
      const std::string &name = item.key();
      const Tensor &p = item.value();
      EXPECT_EQ(compiledParams[name].dtype(), nnc::kFloat);
      EXPECT_TRUE(allClose(compiledParams[name], p, 1e-2, 1e-3)) << name;
      if (type == nnc::kBFloat16) {
        EXPECT_TRUE(allClose(compiledParams[name], golden.at("after." + name),
                             1e-2, 1e-3))
            << name;
      }
    }
  }
}

} // namespace
