//===- test/unit/TensorGradTest.cpp - Gradients of the tensor ops ---------===//
//
// Every differentiable op added for issue 4 checked against central
// differences in Float64 (DESIGN §9: eps 1e-6, atol 1e-5, rtol 1e-3), and
// the version counters: in-place writes bump them, and backward refuses a
// saved tensor modified since it was saved, with PyTorch's message.
//
//===----------------------------------------------------------------------===//
#include "EagerTestUtil.h"

#include "gmock/gmock.h"

#include <cmath>
#include <functional>

using nnc::Tensor;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

using Function = std::function<Tensor(const std::vector<Tensor> &)>;

/// Fixed, distinct weights for the outputs, so each output element's
/// gradient path counts differently: loss = sum(f(x) * weights).
double lossOf(const Function &f, const std::vector<Tensor> &inputs) {
  Tensor out = f(inputs).to(nnc::kDouble);
  Tensor weights = (nnc::arange(out.numel()).to(nnc::kDouble) * 0.37 + 0.5)
                       .reshape(out.sizes());
  return (out * weights).sum().item<double>();
}

/// Backward's gradient of each input against central differences.
::testing::AssertionResult gradientsMatch(const Function &f,
                                          const std::vector<Tensor> &inputs) {
  constexpr double kEps = 1e-6, kAtol = 1e-5, kRtol = 1e-3;
  std::vector<Tensor> leaves;
  for (const Tensor &t : inputs) {
    Tensor leaf = t.clone();
    if (leaf.is_floating_point())
      leaf.requires_grad_();
    leaves.push_back(leaf);
  }
  Tensor out = f(leaves);
  Tensor weights = (nnc::arange(out.numel()).to(out.dtype()) * 0.37 + 0.5)
                       .reshape(out.sizes());
  (out * weights).sum().backward();

  nnc::NoGradGuard noGrad;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].is_floating_point())
      continue;
    Tensor grad = leaves[i].grad();
    if (!grad.defined())
      return ::testing::AssertionFailure() << "input " << i << ": no grad";
    if (grad.sizes() != inputs[i].sizes() || grad.dtype() != nnc::kDouble)
      return ::testing::AssertionFailure()
             << "input " << i << ": grad of shape "
             << nnc::shapeToString(grad.sizes()) << " and dtype "
             << grad.dtype();
    Tensor analytic = grad.contiguous();
    for (int64_t j = 0; j < inputs[i].numel(); ++j) {
      std::vector<Tensor> plus = inputs, minus = inputs;
      plus[i] = inputs[i].clone();
      minus[i] = inputs[i].clone();
      plus[i].data_ptr<double>()[j] += kEps;
      minus[i].data_ptr<double>()[j] -= kEps;
      double numeric = (lossOf(f, plus) - lossOf(f, minus)) / (2 * kEps);
      double a = analytic.data_ptr<double>()[j];
      if (!(std::abs(a - numeric) <= kAtol + kRtol * std::abs(numeric)))
        return ::testing::AssertionFailure()
               << "input " << i << " element " << j << ": backward " << a
               << ", central difference " << numeric;
    }
  }
  return ::testing::AssertionSuccess();
}

/// Distinct, non-integer Float64 values of `shape` (no ties, no zeros).
Tensor values(const nnc::IntList &shape, double offset = 0.3) {
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  // A spread that is not sorted: 7 is prime to the sizes used here.
  std::vector<double> spread(n);
  for (int64_t i = 0; i < n; ++i)
    spread[i] = static_cast<double>(i * 7 % n) * 0.25 + offset;
  return nnc::tensor(spread, shape, nnc::kDouble);
}

Tensor longs(std::vector<int64_t> v, const nnc::IntList &shape) {
  return nnc::tensor(v, shape);
}

} // namespace

TEST(TensorGrad, ViewsAndIndexing) {
  Tensor x = values({3, 4});
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return in[0].slice(1, 1, 4, 2); }, {x}));
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return in[0].narrow(0, 1, 2); }, {x}));
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return in[0].select(1, -1); }, {x}));
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) {
        return in[0].index_select(1, longs({2, 0, 2}, {3}));
      },
      {x}));
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) {
        return in[0][longs({1, 1, 0}, {3})];
      },
      {x}));
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) {
        return in[0].gather(1, longs({0, 0, 3, 1, 2, 2}, {3, 2}));
      },
      {x}));
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) {
        return in[0].scatter_add(1, longs({0, 3, 1, 1, 2, 0}, {3, 2}), in[1]);
      },
      {x, values({3, 2}, 1.1)}));
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) { return in[0].masked_fill(in[0] > 1.0, 0.5); }, {x}));
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) {
        return in[0].masked_select(nnc::tensor({1, 0, 0, 1}, {4}, nnc::kBool));
      },
      {x}));
}

TEST(TensorGrad, Joining) {
  Tensor a = values({2, 3}), b = values({1, 3}, 0.7);
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) {
        return nnc::cat({in[0], in[1], in[0]}, 0);
      },
      {a, b}));
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) {
        return nnc::stack({in[0], in[0] * 2.0}, 2);
      },
      {a}));
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) {
        std::vector<Tensor> parts = in[0].split(2, 1);
        return parts[0].sum() * parts[1].sum();
      },
      {a}));
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return in[0].chunk(2, 0)[1] * 3.0; }, {a}));
}

TEST(TensorGrad, ElementwiseOps) {
  Tensor x = values({2, 3}) - 0.9; // both signs, no zeros
  Tensor y = values({2, 3}, 0.6);
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) { return nnc::where(in[0] > 0.0, in[0], in[1]); }, {x, y}));
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return in[0].clamp(-0.5, 0.6); }, {x}));
  EXPECT_TRUE(gradientsMatch([](auto &in) { return in[0].abs(); }, {x}));
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return in[1].pow(in[0]); }, {x, y}));
  EXPECT_TRUE(gradientsMatch([](auto &in) { return in[0].pow(3); }, {x}));
}

TEST(TensorGrad, Reductions) {
  Tensor x = values({3, 4});
  EXPECT_TRUE(gradientsMatch([](auto &in) { return in[0].var({1}); }, {x}));
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) { return in[0].std({0}, false, true); }, {x}));
  EXPECT_TRUE(gradientsMatch([](auto &in) { return in[0].var(); }, {x}));
  EXPECT_TRUE(gradientsMatch([](auto &in) { return in[0].prod(1); }, {x}));
  EXPECT_TRUE(gradientsMatch([](auto &in) { return in[0].prod(); }, {x}));
  // A zero in the product: the other elements' product is the gradient.
  Tensor withZero = x.clone();
  withZero.data_ptr<double>()[5] = 0;
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return in[0].prod(1); }, {withZero}));
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return std::get<0>(in[0].max(1)); }, {x}));
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) { return std::get<0>(in[0].min(0, true)); }, {x}));
  EXPECT_TRUE(gradientsMatch([](auto &in) { return in[0].amin({1}); }, {x}));
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return in[0].logsumexp({1}); }, {x}));
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) {
        return in[0].logsumexp({0, 1}, true);
      },
      {x}));
}

TEST(TensorGrad, MatmulRanksAndBmm) {
  Tensor v = values({3}), w = values({3}, 0.4);
  Tensor m = values({2, 3}), n = values({3, 2}, 0.2);
  Tensor b = values({2, 2, 3}), c = values({2, 3, 2}, 0.1);
  EXPECT_TRUE(gradientsMatch([](auto &in) { return in[0].matmul(in[1]); },
                             {v, w})); // dot
  EXPECT_TRUE(gradientsMatch([](auto &in) { return in[0].matmul(in[1]); },
                             {m, v})); // matrix-vector
  EXPECT_TRUE(gradientsMatch([](auto &in) { return in[0].matmul(in[1]); },
                             {v, n})); // vector-matrix
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return in[0].matmul(in[1]); }, {m, n}));
  EXPECT_TRUE(gradientsMatch([](auto &in) { return in[0].matmul(in[1]); },
                             {b, n})); // batched with broadcast
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return in[0].matmul(in[1]); }, {v, c}));
  EXPECT_TRUE(
      gradientsMatch([](auto &in) { return in[0].bmm(in[1]); }, {b, c}));
}

TEST(TensorGrad, InPlaceOpsRebaseHistory) {
  Tensor x = values({2, 3}), w = values({2, 3}, 0.8);
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) {
        Tensor y = in[0] * 3.0;
        y.mul_(in[1]).add_(in[0], 0.5).sub_(1.0);
        y.masked_fill_(in[1] > 1.5, 0.25).clamp_(std::nullopt, 4.0);
        return y;
      },
      {x, w}));
  // A tensor that did not require grad takes the history of what is
  // written into it.
  EXPECT_TRUE(gradientsMatch(
      [](auto &in) {
        Tensor acc = nnc::zeros({2, 3}, nnc::kDouble);
        acc.add_(in[0]).mul_(in[0]);
        acc.copy_(acc * 2.0);
        return acc;
      },
      {x}));
  Tensor leaf = x.clone().requires_grad_();
  Tensor y = leaf * 2.0;
  y.add_(1.0);
  EXPECT_FALSE(y.is_leaf());
  EXPECT_EQ(y.grad_fn()->name(), "AddBackward0");
  EXPECT_EQ(y._version(), 1);
}

TEST(TensorGrad, InPlaceOnViewsWithHistoryIsRefused) {
  Tensor x = values({2, 3}).requires_grad_();
  Tensor y = x * 2.0;
  {
    Tensor row = y[0];
    EXPECT_THAT([&] { row.add_(1.0); },
                ThrowsMessage<nnc::Error>(HasSubstr("view of a tensor")));
    EXPECT_THAT([&] { y.add_(1.0); },
                ThrowsMessage<nnc::Error>(HasSubstr("has such views")));
  }
  // Once the view is gone the base may be written.
  y.add_(1.0);
  // Under NoGradGuard nothing records history, so views are fine.
  nnc::NoGradGuard noGrad;
  y[0].add_(1.0);
}

TEST(TensorGrad, ToConvertsTheGradientBack) {
  Tensor x = values({3}).requires_grad_();
  Tensor y = (x.to(nnc::kFloat) * 2.0f).sum();
  EXPECT_EQ(y.dtype(), nnc::kFloat);
  y.backward();
  EXPECT_EQ(x.grad().dtype(), nnc::kDouble);
  EXPECT_EQ(x.grad()[1].item<double>(), 2.0);
  EXPECT_EQ(x.to(nnc::kFloat).grad_fn()->name(), "ToCopyBackward0");
}

//===----------------------------------------------------------------------===//
// Version counters
//===----------------------------------------------------------------------===//

TEST(TensorVersion, InPlaceWritesBumpTheStorageVersion) {
  Tensor a = nnc::zeros({2, 3});
  EXPECT_EQ(a._version(), 0);
  a.add_(1);
  EXPECT_EQ(a._version(), 1);
  Tensor row = a[0];
  row.fill_(2); // a view shares its base's counter
  EXPECT_EQ(a._version(), 2);
  EXPECT_EQ(row._version(), 2);
  a.masked_fill_(a > 1, 0).clamp_(0, 1);
  EXPECT_EQ(a._version(), 4);
  EXPECT_EQ(a.clone()._version(), 0);
  EXPECT_EQ(a.add(1)._version(), 0);
}

TEST(TensorVersion, BackwardRefusesAModifiedSavedInput) {
  Tensor a = nnc::ones({3});
  Tensor w = nnc::ones({3}).requires_grad_();
  Tensor loss = (w * a).sum(); // mul saves a
  a.mul_(2);
  // PyTorch 1.13's message, word for word.
  EXPECT_THAT([&] { loss.backward(); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "one of the variables needed for gradient computation has "
                  "been modified by an inplace operation: [torch.FloatTensor "
                  "[3]] is at version 1; expected version 0 instead. Hint: "
                  "enable anomaly detection")));
}

TEST(TensorVersion, InPlaceOnASavedOutputIsCaughtAtBackward) {
  // exp saves its output; modifying it in place (with history) is allowed,
  // and backward refuses, as PyTorch.
  Tensor x = nnc::ones({3}).requires_grad_();
  Tensor y = x.exp();
  y.mul_(2);
  EXPECT_THAT([&] { y.sum().backward(); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "which is output 0 of ExpBackward0, is at version 1; "
                  "expected version 0 instead.")));
}

TEST(TensorVersion, BackwardRefusesAModifiedSavedOutput) {
  Tensor x = nnc::ones({2, 2}, nnc::kDouble).requires_grad_();
  Tensor y = x.exp(); // exp saves its output
  {
    nnc::NoGradGuard noGrad;
    y.add_(1);
    y.add_(1);
  }
  EXPECT_THAT([&] { y.sum().backward(); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("[torch.DoubleTensor [2, 2]], which is output 0 of "
                            "ExpBackward0, is at version 2; expected version 0 "
                            "instead.")));
}

TEST(TensorVersion, UnmodifiedSavedTensorsStillWork) {
  Tensor a = nnc::ones({3});
  Tensor w = nnc::ones({3}).requires_grad_();
  Tensor loss = (w * a).sum();
  Tensor other = nnc::ones({3});
  other.mul_(2); // not saved by the graph
  loss.backward();
  EXPECT_EQ(w.grad()[0].item<float>(), 1.0f);
  // An in-place op on a leaf that requires grad is refused, as PyTorch.
  EXPECT_THAT([&] { w.add_(1); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "a leaf Variable that requires grad is being used in an "
                  "in-place operation.")));
}
