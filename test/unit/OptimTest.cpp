//===- test/unit/OptimTest.cpp - SGD and Adam against PyTorch's rules -----===//
//
// Each optimizer runs 3 steps on a parameter with fixed gradients; the
// expected values come from PyTorch's update rules written out in double.
//
//===----------------------------------------------------------------------===//
#include "EagerTestUtil.h"

#include "gmock/gmock.h"

#include <cmath>

using nnc::Tensor;
using nnc::testing::hasValues;
using nnc::testing::valuesOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
namespace optim = nnc::optim;

namespace {

const std::vector<float> kInitial = {0.5f, -1.0f, 2.0f};
/// The gradient of step k for element i.
double gradAt(int k, size_t i) {
  return 0.1 * (k + 1) * (double(i) - 1.0) + 0.3;
}

Tensor makeParam() { return nnc::tensor(kInitial).requires_grad_(); }
void setGrad(const Tensor &p, int k) {
  std::vector<float> g;
  for (size_t i = 0; i < kInitial.size(); ++i)
    g.push_back(float(gradAt(k, i)));
  p.mutable_grad() = nnc::tensor(g);
}

struct SGDConfig {
  double lr, momentum, dampening, weightDecay;
  bool nesterov;
};

std::vector<float> referenceSGD(const SGDConfig &c, int steps) {
  std::vector<double> p(kInitial.begin(), kInitial.end()), buf(p.size());
  for (int k = 0; k < steps; ++k)
    for (size_t i = 0; i < p.size(); ++i) {
      double d = gradAt(k, i) + c.weightDecay * p[i];
      if (c.momentum != 0) {
        buf[i] = k == 0 ? d : c.momentum * buf[i] + (1 - c.dampening) * d;
        d = c.nesterov ? d + c.momentum * buf[i] : buf[i];
      }
      p[i] -= c.lr * d;
    }
  return std::vector<float>(p.begin(), p.end());
}

void checkSGD(const SGDConfig &c) {
  Tensor p = makeParam();
  optim::SGD sgd({p}, optim::SGDOptions(c.lr)
                          .momentum(c.momentum)
                          .dampening(c.dampening)
                          .weight_decay(c.weightDecay)
                          .nesterov(c.nesterov));
  for (int k = 0; k < 3; ++k) {
    setGrad(p, k);
    sgd.step();
    EXPECT_TRUE(hasValues(p, {3}, referenceSGD(c, k + 1), 1e-6))
        << "step " << k + 1;
  }
}

struct AdamConfig {
  double lr, beta1, beta2, eps, weightDecay;
  bool amsgrad;
};

std::vector<float> referenceAdam(const AdamConfig &c, int steps) {
  size_t n = kInitial.size();
  std::vector<double> p(kInitial.begin(), kInitial.end()), m(n), v(n), vmax(n);
  for (int k = 0; k < steps; ++k) {
    int step = k + 1;
    double bc1 = 1 - std::pow(c.beta1, step), bc2 = 1 - std::pow(c.beta2, step);
    for (size_t i = 0; i < n; ++i) {
      double g = gradAt(k, i) + c.weightDecay * p[i];
      m[i] = c.beta1 * m[i] + (1 - c.beta1) * g;
      v[i] = c.beta2 * v[i] + (1 - c.beta2) * g * g;
      vmax[i] = std::max(vmax[i], v[i]);
      double second = c.amsgrad ? vmax[i] : v[i];
      double denom = std::sqrt(second) / std::sqrt(bc2) + c.eps;
      p[i] -= c.lr / bc1 * m[i] / denom;
    }
  }
  return std::vector<float>(p.begin(), p.end());
}

void checkAdam(const AdamConfig &c) {
  Tensor p = makeParam();
  optim::Adam adam({p}, optim::AdamOptions(c.lr)
                            .betas({c.beta1, c.beta2})
                            .eps(c.eps)
                            .weight_decay(c.weightDecay)
                            .amsgrad(c.amsgrad));
  for (int k = 0; k < 3; ++k) {
    // Gradients that shrink make amsgrad's maximum matter.
    setGrad(p, c.amsgrad ? 2 - k : k);
    adam.step();
  }
  std::vector<float> expected;
  if (c.amsgrad) {
    // Replay with the reversed gradient order.
    size_t n = kInitial.size();
    std::vector<double> q(kInitial.begin(), kInitial.end()), m(n), v(n),
        vmax(n);
    for (int k = 0; k < 3; ++k) {
      int step = k + 1;
      double bc1 = 1 - std::pow(c.beta1, step),
             bc2 = 1 - std::pow(c.beta2, step);
      for (size_t i = 0; i < n; ++i) {
        double g = gradAt(2 - k, i) + c.weightDecay * q[i];
        m[i] = c.beta1 * m[i] + (1 - c.beta1) * g;
        v[i] = c.beta2 * v[i] + (1 - c.beta2) * g * g;
        vmax[i] = std::max(vmax[i], v[i]);
        q[i] -=
            c.lr / bc1 * m[i] / (std::sqrt(vmax[i]) / std::sqrt(bc2) + c.eps);
      }
    }
    expected.assign(q.begin(), q.end());
  } else {
    expected = referenceAdam(c, 3);
  }
  EXPECT_TRUE(hasValues(p, {3}, expected, 2e-6));
}

} // namespace

TEST(OptimSGD, Plain) { checkSGD({0.1, 0, 0, 0, false}); }
TEST(OptimSGD, Momentum) { checkSGD({0.1, 0.9, 0, 0, false}); }
TEST(OptimSGD, MomentumWithDampening) { checkSGD({0.1, 0.9, 0.5, 0, false}); }
TEST(OptimSGD, Nesterov) { checkSGD({0.05, 0.8, 0, 0, true}); }
TEST(OptimSGD, WeightDecay) { checkSGD({0.1, 0.9, 0, 0.01, false}); }

TEST(OptimAdam, Defaults) { checkAdam({1e-3, 0.9, 0.999, 1e-8, 0, false}); }
TEST(OptimAdam, LargeStepAndWeightDecay) {
  checkAdam({0.1, 0.8, 0.99, 1e-6, 0.1, false});
}
TEST(OptimAdam, Amsgrad) { checkAdam({0.1, 0.9, 0.999, 1e-8, 0, true}); }

TEST(Optim, AdamOptionsDefaultsArePyTorchs) {
  optim::AdamOptions o;
  EXPECT_EQ(o.lr(), 1e-3);
  EXPECT_EQ(std::get<0>(o.betas()), 0.9);
  EXPECT_EQ(std::get<1>(o.betas()), 0.999);
  EXPECT_EQ(o.eps(), 1e-8);
  EXPECT_EQ(o.weight_decay(), 0);
  EXPECT_FALSE(o.amsgrad());
  optim::SGDOptions s(0.1);
  EXPECT_EQ(s.momentum(), 0);
  EXPECT_EQ(s.dampening(), 0);
  EXPECT_FALSE(s.nesterov());
}

TEST(Optim, SkipsParametersWithoutGradient) {
  Tensor p = makeParam(), q = makeParam();
  optim::SGD sgd({p, q}, optim::SGDOptions(1));
  setGrad(p, 0);
  sgd.step();
  EXPECT_TRUE(hasValues(q, {3}, kInitial));
  EXPECT_FALSE(hasValues(p, {3}, kInitial));
}

TEST(Optim, ZeroGradAndParamGroups) {
  Tensor p = makeParam();
  optim::Adam adam({p});
  setGrad(p, 0);
  adam.zero_grad(/*set_to_none=*/false);
  EXPECT_TRUE(hasValues(p.grad(), {3}, {0, 0, 0}));
  adam.zero_grad();
  EXPECT_FALSE(p.grad().defined());
  ASSERT_EQ(adam.param_groups().size(), 1u);
  EXPECT_EQ(adam.param_groups()[0].params().size(), 1u);
  adam.param_groups()[0].options().set_lr(0.5);
  EXPECT_EQ(adam.param_groups()[0].options().get_lr(), 0.5);
}

TEST(Optim, StateIsTensorsInAStableOrder) {
  Tensor p = makeParam(), q = nnc::ones({2, 2}).requires_grad_();
  optim::Adam adam({p, q}, optim::AdamOptions().amsgrad(true));
  EXPECT_TRUE(adam.state_tensors().empty());
  adam.init_state();
  std::vector<Tensor> state = adam.state_tensors();
  ASSERT_EQ(state.size(), 8u); // step, exp_avg, exp_avg_sq, max_exp_avg_sq
  EXPECT_EQ(state[0].dim(), 0);
  EXPECT_EQ(state[5].sizes(), (nnc::IntList{2, 2}));
  setGrad(p, 0);
  adam.step();
  std::vector<Tensor> after = adam.state_tensors();
  for (size_t i = 0; i < state.size(); ++i)
    EXPECT_EQ(state[i].unsafeGetTensorImpl(), after[i].unsafeGetTensorImpl());
  EXPECT_EQ(state[0].item<float>(), 1.0f);
  EXPECT_EQ(state[4].item<float>(), 0.0f); // q had no gradient: step stays 0
  optim::SGD sgd({p}, optim::SGDOptions(0.1).momentum(0.9).dampening(0.1));
  sgd.init_state();
  EXPECT_EQ(sgd.state_tensors().size(), 2u);
  EXPECT_EQ((*sgd.state(p))[1].first, "momentum_initialized");
}

TEST(Optim, InvalidOptionsAreErrors) {
  Tensor p = makeParam();
  EXPECT_THAT([&] { optim::SGD({p}, optim::SGDOptions(-1)); },
              ThrowsMessage<nnc::Error>(HasSubstr("Invalid learning rate")));
  EXPECT_THAT(
      [&] { optim::SGD({p}, optim::SGDOptions(0.1).nesterov(true)); },
      ThrowsMessage<nnc::Error>(HasSubstr("Nesterov momentum requires")));
  EXPECT_THAT(
      [&] {
        optim::Adam({p}, optim::AdamOptions().betas({1.0, 0.9}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("Invalid beta parameter at index 0")));
  EXPECT_THAT([&] { optim::Adam({p * 2.0f}); },
              ThrowsMessage<nnc::Error>(HasSubstr("non-leaf")));
}

TEST(Optim, TracedStepRecordsInPlaceUpdatesOfParamAndState) {
  Tensor p = makeParam();
  optim::Adam adam({p}, optim::AdamOptions(0.1));
  adam.init_state();
  std::vector<Tensor> state = adam.state_tensors();
  setGrad(p, 0);
  nnc::testing::RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    adam.step();
  }
  std::vector<const void *> updated;
  for (const auto &op : hook.ops)
    for (const Tensor &t : {p, state[0], state[1], state[2]})
      if (op.output == t.unsafeGetTensorImpl())
        updated.push_back(op.output);
  // step += 1; exp_avg *= b1, += ...; exp_avg_sq *= b2, += ...; p -= ...
  EXPECT_THAT(updated, ElementsAre(state[0].unsafeGetTensorImpl(),
                                   state[1].unsafeGetTensorImpl(),
                                   state[1].unsafeGetTensorImpl(),
                                   state[2].unsafeGetTensorImpl(),
                                   state[2].unsafeGetTensorImpl(),
                                   p.unsafeGetTensorImpl()));
  // Only hyperparameters become constants: every Constant is 0-d.
  for (const auto &op : hook.ops) {
    if (op.kind == nnc::OpKind::Constant) {
      EXPECT_TRUE(op.outputShape.empty());
    }
  }
}

TEST(Optim, TrainsASmallRegressor) {
  nnc::manual_seed(0);
  nnc::nn::Sequential model(nnc::nn::Linear(2, 8), nnc::nn::Tanh(),
                            nnc::nn::Linear(8, 1));
  optim::Adam adam(model->parameters(), optim::AdamOptions(0.05));
  Tensor x = nnc::tensor({0, 0, 0, 1, 1, 0, 1, 1}, {4, 2});
  Tensor y = nnc::tensor({0, 1, 1, 0}, {4, 1});
  float first = 0, last = 0;
  for (int i = 0; i < 200; ++i) {
    adam.zero_grad();
    Tensor loss = nnc::nn::functional::mse_loss(model(x), y);
    loss.backward();
    adam.step();
    (i == 0 ? first : last) = loss.item<float>();
  }
  EXPECT_LT(last, 0.05f * first);
}
