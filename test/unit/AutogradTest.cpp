//===- test/unit/AutogradTest.cpp - Eager autograd ------------------------===//
//
// Every differentiable op's backward against central differences (the loss
// is a weighted sum of the op's output, accumulated in f64), plus
// hand-computed gradients, broadcasting reduction, accumulation, grad mode,
// detach and the freed-graph error.
//
//===----------------------------------------------------------------------===//
#include "EagerTestUtil.h"

#include "gmock/gmock.h"

#include <functional>
#include <random>

using nnc::Tensor;
using nnc::testing::hasValues;
using nnc::testing::valuesOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

using Function = std::function<Tensor(const std::vector<Tensor> &)>;

/// Values in [low, high) from a fixed seed, as a float tensor of `shape`.
Tensor uniformTensor(const nnc::IntList &shape, float low, float high,
                     unsigned seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> dist(low, high);
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  std::vector<float> values(n);
  for (float &v : values)
    v = dist(engine);
  return nnc::tensor(values, shape);
}

/// sum(f(inputs) * weights) in f64.
double weightedLoss(const Function &f, const std::vector<Tensor> &inputs,
                    const std::vector<float> &weights) {
  nnc::NoGradGuard noGrad;
  std::vector<float> out = valuesOf(f(inputs));
  double loss = 0;
  for (size_t i = 0; i < out.size(); ++i)
    loss += double(out[i]) * weights[i % weights.size()];
  return loss;
}

/// Checks the autograd gradients of sum(f(inputs) * w) for every input
/// that requires grad against central differences of step `h`.
::testing::AssertionResult
gradientsMatchFiniteDifferences(const Function &f, std::vector<Tensor> inputs,
                                double h = 1e-2, double rtol = 2e-2,
                                double atol = 2e-3) {
  for (Tensor &t : inputs)
    if (t.dtype() == nnc::kFloat32)
      t.requires_grad_();
  Tensor out = f(inputs);
  Tensor w = uniformTensor(out.sizes(), -1, 1, 7);
  std::vector<float> weights = valuesOf(w);
  (out * w).sum().backward();

  for (size_t k = 0; k < inputs.size(); ++k) {
    if (inputs[k].dtype() != nnc::kFloat32)
      continue;
    if (!inputs[k].grad().defined())
      return ::testing::AssertionFailure() << "input " << k << " has no grad";
    if (inputs[k].grad().sizes() != inputs[k].sizes())
      return ::testing::AssertionFailure()
             << "input " << k << " grad shape "
             << nnc::shapeToString(inputs[k].grad().sizes());
    std::vector<float> analytic = valuesOf(inputs[k].grad());
    float *data = inputs[k].data_ptr<float>();
    for (int64_t i = 0; i < inputs[k].numel(); ++i) {
      float saved = data[i];
      data[i] = saved + float(h);
      double plus = weightedLoss(f, inputs, weights);
      data[i] = saved - float(h);
      double minus = weightedLoss(f, inputs, weights);
      data[i] = saved;
      double numeric = (plus - minus) / (2 * h);
      if (std::abs(numeric - analytic[i]) > atol + rtol * std::abs(numeric))
        return ::testing::AssertionFailure()
               << "input " << k << " element " << i << ": autograd "
               << analytic[i] << ", finite differences " << numeric;
    }
  }
  return ::testing::AssertionSuccess();
}

Tensor u(const nnc::IntList &shape, unsigned seed, float low = -1,
         float high = 1) {
  return uniformTensor(shape, low, high, seed);
}

} // namespace

//===----------------------------------------------------------------------===//
// The seeds' check and hand-computed gradients
//===----------------------------------------------------------------------===//

TEST(Autograd, SeedsCheckQuadraticAtThreeGivesEight) {
  Tensor x = nnc::tensor({3.0f}).requires_grad_();
  Tensor y = x.pow(2) + 2 * x + 1;
  y.backward();
  EXPECT_TRUE(hasValues(x.grad(), {1}, {8}));
  EXPECT_TRUE(hasValues(y, {1}, {16}));
}

TEST(Autograd, HandComputedMulAddChain) {
  Tensor a = nnc::tensor({1, 2, 3}).requires_grad_();
  Tensor b = nnc::tensor({4, 5, 6}).requires_grad_();
  (a * b + a).sum().backward();
  EXPECT_TRUE(hasValues(a.grad(), {3}, {5, 6, 7})); // b + 1
  EXPECT_TRUE(hasValues(b.grad(), {3}, {1, 2, 3})); // a
}

TEST(Autograd, BroadcastGradientsAreReducedToInputShapes) {
  Tensor m = nnc::ones({2, 3}).requires_grad_();
  Tensor row = nnc::tensor({1, 2, 3}).requires_grad_();
  Tensor col = nnc::tensor({1, 2}, {2, 1}).requires_grad_();
  Tensor s = nnc::scalar_tensor(2).requires_grad_();
  (m * row + col * s).sum().backward();
  EXPECT_TRUE(hasValues(m.grad(), {2, 3}, {1, 2, 3, 1, 2, 3}));
  EXPECT_TRUE(hasValues(row.grad(), {3}, {2, 2, 2}));
  EXPECT_TRUE(hasValues(col.grad(), {2, 1}, {6, 6}));
  EXPECT_TRUE(hasValues(s.grad(), {}, {9})); // 3 * (1 + 2)
}

TEST(Autograd, BackwardWithGradientOnNonScalar) {
  Tensor x = nnc::tensor({1, 2}).requires_grad_();
  Tensor y = x * x;
  y.backward(nnc::tensor({10, 100}));
  EXPECT_TRUE(hasValues(x.grad(), {2}, {20, 400}));
}

TEST(Autograd, AmaxSplitsGradientAmongTies) {
  Tensor x = nnc::tensor({1, 5, 5, 2}).requires_grad_();
  x.amax({0}).backward();
  EXPECT_TRUE(hasValues(x.grad(), {4}, {0, 0.5f, 0.5f, 0}));
}

TEST(Autograd, ReluGradientIsZeroAtAndBelowZero) {
  Tensor x = nnc::tensor({-1, 0, 2}).requires_grad_();
  x.relu().sum().backward();
  EXPECT_TRUE(hasValues(x.grad(), {3}, {0, 0, 1}));
}

//===----------------------------------------------------------------------===//
// Every op against finite differences
//===----------------------------------------------------------------------===//

TEST(AutogradFiniteDifferences, BinaryOpsWithBroadcasting) {
  auto check = [](Function f, Tensor a, Tensor b) {
    EXPECT_TRUE(gradientsMatchFiniteDifferences(f, {a, b}));
  };
  for (auto shapes : std::vector<std::pair<nnc::IntList, nnc::IntList>>{
           {{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{2, 1}, {1, 3}}, {{}, {2, 2}}}) {
    Tensor a = u(shapes.first, 1), b = u(shapes.second, 2);
    check([](auto &in) { return in[0] + in[1]; }, a.clone(), b.clone());
    check([](auto &in) { return in[0] - in[1]; }, a.clone(), b.clone());
    check([](auto &in) { return in[0] * in[1]; }, a.clone(), b.clone());
    check([](auto &in) { return in[0] / in[1]; }, a.clone(),
          u(shapes.second, 3, 0.5f, 2));
  }
}

TEST(AutogradFiniteDifferences, UnaryOps) {
  auto check = [](Function f, Tensor x) {
    EXPECT_TRUE(gradientsMatchFiniteDifferences(f, {x}));
  };
  check([](auto &in) { return -in[0]; }, u({2, 3}, 4));
  check([](auto &in) { return in[0].exp(); }, u({2, 3}, 5));
  check([](auto &in) { return in[0].log(); }, u({2, 3}, 6, 0.5f, 3));
  check([](auto &in) { return in[0].tanh(); }, u({2, 3}, 7));
  check([](auto &in) { return in[0].sigmoid(); }, u({2, 3}, 8));
  // Away from the kink at 0.
  check([](auto &in) { return in[0].relu(); },
        nnc::tensor({-1, -0.5f, 0.3f, 0.7f, 1.5f, -2}, {2, 3}));
  check([](auto &in) { return in[0].pow(3); }, u({2, 3}, 9));
  check([](auto &in) { return in[0].pow(2.5f); }, u({2, 3}, 10, 0.5f, 2));
  check([](auto &in) { return in[0].pow(-1); }, u({2, 3}, 11, 0.5f, 2));
  check([](auto &in) { return in[0].sqrt(); }, u({2, 3}, 12, 0.5f, 2));
}

TEST(AutogradFiniteDifferences, MatmulAllCases) {
  auto check = [](Tensor a, Tensor b) {
    EXPECT_TRUE(gradientsMatchFiniteDifferences(
        [](auto &in) { return in[0].matmul(in[1]); }, {a, b}))
        << nnc::shapeToString(a.sizes()) << " x "
        << nnc::shapeToString(b.sizes());
  };
  check(u({3, 4}, 1), u({4, 2}, 2));          // 2-D
  check(u({2, 3, 4}, 3), u({4, 5}, 4));       // batched x matrix
  check(u({2, 3, 4}, 5), u({2, 4, 2}, 6));    // batched
  check(u({2, 1, 3, 4}, 7), u({3, 4, 2}, 8)); // broadcast batch
  check(u({4}, 9), u({4, 3}, 10));            // vector x matrix
  check(u({3, 4}, 11), u({4}, 12));           // matrix x vector
  check(u({4}, 13), u({4}, 14));              // dot
  check(u({4}, 15), u({2, 4, 3}, 16));        // vector x batched
}

TEST(AutogradFiniteDifferences, ViewsAndShapes) {
  auto check = [](Function f, Tensor x) {
    EXPECT_TRUE(gradientsMatchFiniteDifferences(f, {x}));
  };
  Tensor x = u({2, 3, 4}, 20);
  check([](auto &in) { return in[0].transpose(0, 2) * 1.5f; }, x.clone());
  check(
      [](auto &in) {
        return in[0].reshape({4, 6}).matmul(nnc::ones({6}));
      },
      x.clone());
  check([](auto &in) { return in[0].view({6, 4}); }, x.clone());
  check([](auto &in) { return in[0].permute({2, 0, 1}); }, x.clone());
  check([](auto &in) { return in[0].unsqueeze(1).squeeze(); }, x.clone());
  check([](auto &in) { return in[0].flatten(); }, x.clone());
  check([](auto &in) { return in[0].contiguous() + in[0].clone(); }, x.clone());
  check([](auto &in) { return in[0].t(); }, u({3, 2}, 21));
  check([](auto &in) { return in[0].expand({3, 2, 4}); }, u({2, 1}, 22));
}

TEST(AutogradFiniteDifferences, Reductions) {
  auto check = [](Function f, Tensor x) {
    EXPECT_TRUE(gradientsMatchFiniteDifferences(f, {x}));
  };
  Tensor x = u({2, 3, 4}, 30);
  check([](auto &in) { return in[0].sum(); }, x.clone());
  check([](auto &in) { return in[0].sum({0, 2}); }, x.clone());
  check([](auto &in) { return in[0].sum({1}, true); }, x.clone());
  check([](auto &in) { return in[0].mean(); }, x.clone());
  check([](auto &in) { return in[0].mean({-1}, true); }, x.clone());
  check([](auto &in) { return in[0].mean({0, 1}); }, x.clone());
  // Distinct values: the maximum is unique.
  check([](auto &in) { return in[0].amax({1}); }, x.clone());
  check([](auto &in) { return in[0].amax({0, 2}, true); }, x.clone());
  check([](auto &in) { return in[0].max(); }, x.clone());
}

TEST(AutogradFiniteDifferences, SoftmaxAndLogSoftmax) {
  auto check = [](Function f, Tensor x) {
    EXPECT_TRUE(gradientsMatchFiniteDifferences(f, {x}));
  };
  Tensor x = u({3, 4}, 40, -2, 2);
  check([](auto &in) { return in[0].softmax(1); }, x.clone());
  check([](auto &in) { return in[0].softmax(0); }, x.clone());
  check([](auto &in) { return in[0].log_softmax(-1); }, x.clone());
  check([](auto &in) { return in[0].log_softmax(0); }, x.clone());
}

TEST(AutogradFiniteDifferences, Losses) {
  namespace F = nnc::nn::functional;
  Tensor logits = u({4, 3}, 50, -2, 2);
  Tensor target = nnc::tensor(std::vector<int64_t>{2, 0, 1, 2});
  for (std::string reduction : {"mean", "sum", "none"}) {
    EXPECT_TRUE(gradientsMatchFiniteDifferences(
        [&](auto &in) { return F::cross_entropy(in[0], in[1], reduction); },
        {logits.clone(), target}))
        << reduction;
    EXPECT_TRUE(gradientsMatchFiniteDifferences(
        [&](auto &in) { return F::mse_loss(in[0], in[1], reduction); },
        {u({4, 2}, 51), u({4, 2}, 52)}))
        << reduction;
  }
}

TEST(AutogradFiniteDifferences, SmallMlpEndToEnd) {
  Tensor x = u({5, 4}, 60), w1 = u({3, 4}, 61), b1 = u({3}, 62),
         w2 = u({2, 3}, 63);
  EXPECT_TRUE(gradientsMatchFiniteDifferences(
      [](auto &in) {
        Tensor h = (in[0].matmul(in[1].t()) + in[2]).tanh();
        return h.matmul(in[3].t()).log_softmax(1);
      },
      {x, w1, b1, w2}));
}

//===----------------------------------------------------------------------===//
// Graph mechanics
//===----------------------------------------------------------------------===//

TEST(Autograd, GradientsAccumulateAcrossBackwardCalls) {
  Tensor x = nnc::tensor({1, 2}).requires_grad_();
  (x * 3.0f).sum().backward();
  Tensor first = x.grad();
  (x * 3.0f).sum().backward();
  EXPECT_TRUE(hasValues(x.grad(), {2}, {6, 6}));
  // Accumulation is in place, as in PyTorch.
  EXPECT_EQ(first.unsafeGetTensorImpl(), x.grad().unsafeGetTensorImpl());
}

TEST(Autograd, UseOfOneInputTwiceSumsBothPaths) {
  Tensor x = nnc::tensor({2}).requires_grad_();
  Tensor y = x + x;         // both edges from one node to x's accumulator
  (y * x).sum().backward(); // d(2x^2)/dx = 4x
  EXPECT_TRUE(hasValues(x.grad(), {1}, {8}));
}

TEST(Autograd, LeafFlagsAndGradFn) {
  Tensor x = nnc::ones({2});
  EXPECT_FALSE(x.requires_grad());
  EXPECT_TRUE(x.is_leaf());
  x.requires_grad_();
  EXPECT_TRUE(x.requires_grad());
  EXPECT_TRUE(x.is_leaf());
  EXPECT_EQ(x.grad_fn(), nullptr);
  EXPECT_FALSE(x.grad().defined());
  Tensor y = x * 2.0f;
  EXPECT_TRUE(y.requires_grad());
  EXPECT_FALSE(y.is_leaf());
  ASSERT_NE(y.grad_fn(), nullptr);
  EXPECT_EQ(y.grad_fn()->name(), "MulBackward0");
  EXPECT_EQ(y.grad_fn()->next_functions().size(), 2u);
  EXPECT_THAT([&] { y.requires_grad_(false); },
              ThrowsMessage<nnc::Error>(HasSubstr("leaf variables")));
  EXPECT_THAT([] { nnc::tensor(std::vector<int64_t>{1}).requires_grad_(); },
              ThrowsMessage<nnc::Error>(HasSubstr("floating point")));
}

TEST(Autograd, NoGradGuardRecordsNothingAndRestores) {
  Tensor x = nnc::ones({2}).requires_grad_();
  EXPECT_TRUE(nnc::GradMode::is_enabled());
  {
    nnc::NoGradGuard guard;
    EXPECT_FALSE(nnc::GradMode::is_enabled());
    Tensor y = x * 2.0f;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
    { nnc::NoGradGuard nested; }
    EXPECT_FALSE(nnc::GradMode::is_enabled());
  }
  EXPECT_TRUE(nnc::GradMode::is_enabled());
  EXPECT_TRUE((x * 2.0f).requires_grad());
}

TEST(Autograd, DetachSharesStorageAndStopsGradients) {
  Tensor x = nnc::tensor({1, 2}).requires_grad_();
  Tensor y = x * 2.0f;
  Tensor d = y.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
  EXPECT_TRUE(d.is_same_storage(y));
  (y * d).sum().backward(); // d is a constant: grad = 2 * d = 4x
  EXPECT_TRUE(hasValues(x.grad(), {2}, {4, 8}));
}

TEST(Autograd, SecondBackwardThroughFreedGraphFails) {
  Tensor x = nnc::tensor({1, 2}).requires_grad_();
  Tensor loss = (x * x).sum();
  loss.backward();
  EXPECT_THAT([&] { loss.backward(); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "Trying to backward through the graph a second time")));
}

TEST(Autograd, RetainGraphAllowsASecondBackward) {
  Tensor x = nnc::tensor({1, 2}).requires_grad_();
  Tensor loss = (x * x).sum();
  loss.backward({}, /*retain_graph=*/true);
  loss.backward();
  EXPECT_TRUE(hasValues(x.grad(), {2}, {4, 8}));
}

TEST(Autograd, MisuseIsAClearError) {
  Tensor x = nnc::ones({2}).requires_grad_();
  EXPECT_THAT([&] { (x * 2.0f).backward(); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "grad can be implicitly created only for scalar outputs")));
  EXPECT_THAT([] { nnc::ones({1}).backward(); },
              ThrowsMessage<nnc::Error>(HasSubstr("does not require grad")));
  EXPECT_THAT([&] { (x * 2.0f).backward(nnc::ones({3})); },
              ThrowsMessage<nnc::Error>(HasSubstr("Mismatch in shape")));
  EXPECT_THAT([&] { x.add_(1.0f); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "a leaf Variable that requires grad is being used in an "
                  "in-place operation")));
  Tensor row = (x * 2.0f).unsqueeze(0);
  EXPECT_THAT([&] { row.mul_(2.0f); },
              ThrowsMessage<nnc::Error>(HasSubstr("are not supported")));
}

TEST(Autograd, SetGradAndMutableGrad) {
  Tensor x = nnc::ones({2}).requires_grad_();
  x.set_grad(nnc::tensor({1, 2}));
  EXPECT_TRUE(hasValues(x.grad(), {2}, {1, 2}));
  (x * 1.0f).sum().backward();
  EXPECT_TRUE(hasValues(x.grad(), {2}, {2, 3}));
  x.mutable_grad() = Tensor();
  EXPECT_FALSE(x.grad().defined());
  EXPECT_THAT([&] { x.set_grad(nnc::ones({3})); },
              ThrowsMessage<nnc::Error>(HasSubstr("different type or size")));
}

TEST(Autograd, BackwardIsNeverTraced) {
  Tensor x = nnc::tensor({1, 2}).requires_grad_();
  Tensor loss = (x * x).sum();
  nnc::testing::RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    loss.backward();
  }
  EXPECT_TRUE(hook.ops.empty());
  EXPECT_TRUE(hasValues(x.grad(), {2}, {2, 4}));
}

TEST(Autograd, PrintsRequiresGradAndGradFn) {
  Tensor x = nnc::tensor({1, 2}).requires_grad_();
  std::ostringstream leaf, computed;
  leaf << x;
  computed << x * 2.0f;
  EXPECT_EQ(leaf.str(), "tensor([1., 2.], requires_grad=True)");
  EXPECT_EQ(computed.str(), "tensor([2., 4.], grad_fn=<MulBackward0>)");
}
