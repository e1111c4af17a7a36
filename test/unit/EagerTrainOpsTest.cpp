//===- test/unit/EagerTrainOpsTest.cpp - Ops added for training -----------===//
//
// pow, sqrt, softmax, log_softmax, the losses, int64 tensors and in-place
// ops: values against hand-computed ones, errors, and what they record for
// a tracer.
//
//===----------------------------------------------------------------------===//
#include "EagerTestUtil.h"

#include "gmock/gmock.h"

#include <cmath>
#include <sstream>

using nnc::OpKind;
using nnc::Tensor;
using nnc::testing::hasValues;
using nnc::testing::RecordingHook;
using nnc::testing::valuesOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
namespace F = nnc::nn::functional;

namespace {
Tensor longs(std::vector<int64_t> values) { return nnc::tensor(values); }
} // namespace

//===----------------------------------------------------------------------===//
// New math ops
//===----------------------------------------------------------------------===//

TEST(EagerTrainOps, PowAndSqrt) {
  Tensor x = nnc::tensor({-2, 0, 1.5f, 4});
  EXPECT_TRUE(hasValues(x.pow(2), {4}, {4, 0, 2.25f, 16}));
  EXPECT_TRUE(hasValues(x.pow(3), {4}, {-8, 0, 3.375f, 64}));
  EXPECT_TRUE(hasValues(nnc::pow(x, 0.5f), {4}, {NAN, 0, std::sqrt(1.5f), 2}));
  EXPECT_TRUE(hasValues(x.pow(0), {4}, {1, 1, 1, 1}));
  EXPECT_TRUE(hasValues(x.sqrt(), {4}, {NAN, 0, std::sqrt(1.5f), 2}));
  EXPECT_TRUE(hasValues(nnc::sqrt(x.t()), {4}, {NAN, 0, std::sqrt(1.5f), 2}));
}

TEST(EagerTrainOps, SoftmaxIsStableAndNormalized) {
  // Logits of 1000 overflow exp() unless the maximum is subtracted first.
  Tensor x = nnc::tensor({1000, 1001, 1002, 0, 0, 0}, {2, 3});
  double e = std::exp(1.0), z = 1 + e + e * e;
  EXPECT_TRUE(hasValues(x.softmax(1), {2, 3},
                        {float(1 / z), float(e / z), float(e * e / z), 1 / 3.0f,
                         1 / 3.0f, 1 / 3.0f}));
  EXPECT_TRUE(hasValues(nnc::log_softmax(x, -1), {2, 3},
                        {float(-std::log(z)), float(1 - std::log(z)),
                         float(2 - std::log(z)), -std::log(3.0f),
                         -std::log(3.0f), -std::log(3.0f)},
                        1e-6));
  Tensor columns = x.softmax(0);
  std::vector<float> v = valuesOf(columns);
  EXPECT_NEAR(v[0] + v[3], 1.0, 1e-6);
  EXPECT_THAT([&] { x.softmax(2); },
              ThrowsMessage<nnc::Error>(HasSubstr("softmax: dimension 2")));
}

TEST(EagerTrainOps, CrossEntropyValues) {
  Tensor logits = nnc::tensor({1, 2, 3, 1, 1, 1}, {2, 3});
  Tensor target = longs({2, 0});
  double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  double l0 = std::log(z) - 3, l1 = std::log(3.0);
  EXPECT_TRUE(
      hasValues(F::cross_entropy(logits, target), {}, {float((l0 + l1) / 2)}));
  EXPECT_TRUE(
      hasValues(F::cross_entropy(logits, target, "sum"), {}, {float(l0 + l1)}));
  EXPECT_TRUE(hasValues(F::cross_entropy(logits, target, "none"), {2},
                        {float(l0), float(l1)}));
}

TEST(EagerTrainOps, CrossEntropyErrors) {
  Tensor logits = nnc::zeros({2, 5});
  EXPECT_THAT(
      [&] {
        F::cross_entropy(logits, longs({1, 7}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("target class index 7 (at position 1) is out of "
                    "bounds for C = 5")));
  EXPECT_THAT(
      [&] {
        F::cross_entropy(logits, longs({-1, 0}));
      },
      ThrowsMessage<nnc::Error>(HasSubstr("index -1")));
  EXPECT_THAT([&] { F::cross_entropy(logits, nnc::zeros({2})); },
              ThrowsMessage<nnc::Error>(HasSubstr("Long tensor")));
  EXPECT_THAT([&] { F::cross_entropy(logits, longs({1})); },
              ThrowsMessage<nnc::Error>(HasSubstr("input [N, C] and target")));
  EXPECT_THAT(
      [&] {
        F::cross_entropy(logits, longs({1, 1}), "avg");
      },
      ThrowsMessage<nnc::Error>(HasSubstr("not a valid value")));
}

TEST(EagerTrainOps, MseLossValues) {
  Tensor a = nnc::tensor({1, 2, 3, 4}, {2, 2}),
         b = nnc::tensor({0, 2, 5, 1}, {2, 2});
  EXPECT_TRUE(hasValues(F::mse_loss(a, b), {}, {(1 + 0 + 4 + 9) / 4.0f}));
  EXPECT_TRUE(hasValues(F::mse_loss(a, b, "sum"), {}, {14}));
  EXPECT_TRUE(hasValues(F::mse_loss(a, b, "none"), {2, 2}, {1, 0, 4, 9}));
  EXPECT_THAT([&] { F::mse_loss(a, nnc::ones({4})); },
              ThrowsMessage<nnc::Error>(HasSubstr("same shape")));
}

//===----------------------------------------------------------------------===//
// int64 tensors
//===----------------------------------------------------------------------===//

TEST(EagerTrainOps, Int64Tensors) {
  Tensor t = nnc::tensor(std::vector<int64_t>{3, -1, 40, 7}, {2, 2});
  EXPECT_EQ(t.dtype(), nnc::kLong);
  EXPECT_EQ(t.dtype(), nnc::kInt64);
  EXPECT_EQ(t.data_ptr<int64_t>()[2], 40);
  EXPECT_THAT([&] { t.data_ptr<float>(); },
              ThrowsMessage<nnc::Error>(HasSubstr("dtype Long")));
  Tensor c = t.t().contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(
      std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + 4),
      (std::vector<int64_t>{3, 40, -1, 7}));
  EXPECT_EQ(t.t().clone().dtype(), nnc::kLong);
  std::ostringstream os;
  os << t;
  EXPECT_EQ(os.str(), "tensor([[ 3, -1],\n        [40,  7]])");
  // A braced list of numbers still makes a float tensor.
  EXPECT_EQ(nnc::tensor({1.f, 2.f}).dtype(), nnc::kFloat);
  EXPECT_EQ(nnc::tensor({1, 2}).dtype(), nnc::kFloat);
  EXPECT_EQ(nnc::tensor(std::vector<int64_t>{5}).item<int64_t>(), 5);
}

TEST(EagerTrainOps, Int64OpsPromoteAsPyTorch) {
  Tensor t = longs({1, 2});
  // Float math on integers computes in Float; sums of integers are Long.
  EXPECT_EQ(t.exp().dtype(), nnc::kFloat);
  EXPECT_EQ((t + nnc::ones({2})).dtype(), nnc::kFloat);
  EXPECT_EQ(t.sum().dtype(), nnc::kLong);
  EXPECT_EQ(t.sum().item<int64_t>(), 3);
  EXPECT_THAT([&] { t.softmax(0); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("softmax: expected a floating tensor, got Long")));
}

//===----------------------------------------------------------------------===//
// In-place ops
//===----------------------------------------------------------------------===//

TEST(EagerTrainOps, InPlaceArithmetic) {
  Tensor x = nnc::tensor({1, 2, 3});
  const Tensor &same = x.add_(nnc::tensor({1, 1, 1}), 2);
  EXPECT_EQ(&same, &x);
  EXPECT_TRUE(hasValues(x, {3}, {3, 4, 5}));
  x.sub_(1).mul_(2).div_(nnc::tensor({2, 4, 8}));
  EXPECT_TRUE(hasValues(x, {3}, {2, 1.5f, 1}));
  x.add_(1.0f).sub_(nnc::ones({1}), 0.5f).mul_(nnc::scalar_tensor(2)).div_(2);
  EXPECT_TRUE(hasValues(x, {3}, {2.5f, 2, 1.5f}));
  x.addcmul_(nnc::tensor({1, 2, 3}), nnc::tensor({2, 2, 2}), 0.5f);
  EXPECT_TRUE(hasValues(x, {3}, {3.5f, 4, 4.5f}));
  x.addcdiv_(nnc::tensor({1, 2, 3}), nnc::tensor({2, 2, 2}));
  EXPECT_TRUE(hasValues(x, {3}, {4, 5, 6}));
  x.mul_(x); // reads before it writes
  EXPECT_TRUE(hasValues(x, {3}, {16, 25, 36}));
  x.zero_();
  EXPECT_TRUE(hasValues(x, {3}, {0, 0, 0}));
  x.fill_(7);
  EXPECT_TRUE(hasValues(x, {3}, {7, 7, 7}));
}

TEST(EagerTrainOps, InPlaceThroughViewsAndCopy) {
  Tensor m = nnc::zeros({2, 3});
  m.t().add_(nnc::tensor({1, 2})); // broadcasts over the view's rows
  EXPECT_TRUE(hasValues(m, {2, 3}, {1, 1, 1, 2, 2, 2}));
  m.copy_(nnc::tensor({5, 6, 7})); // broadcast copy
  EXPECT_TRUE(hasValues(m, {2, 3}, {5, 6, 7, 5, 6, 7}));
  m.copy_(nnc::tensor({1, 2, 3, 4, 5, 6}, {2, 3}));
  EXPECT_TRUE(hasValues(m, {2, 3}, {1, 2, 3, 4, 5, 6}));
  Tensor l = nnc::tensor(std::vector<int64_t>{0, 0});
  l.copy_(longs({4, 9}));
  EXPECT_EQ(l.data_ptr<int64_t>()[1], 9);
  EXPECT_THAT(
      [&] {
        m.add_(nnc::ones({2, 2, 3}));
      },
      ThrowsMessage<nnc::Error>(HasSubstr("doesn't match the broadcast "
                                          "shape")));
  EXPECT_THAT([&] { nnc::ones({1}).expand({3}).add_(1.0f); },
              ThrowsMessage<nnc::Error>(HasSubstr("single memory location")));
  // copy_ converts to the destination's dtype and broadcasts.
  m.copy_(longs({1, 2, 3}));
  EXPECT_TRUE(hasValues(m, {2, 3}, {1, 2, 3, 1, 2, 3}));
  EXPECT_THAT([&] { l.add_(0.5); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "result type Float can't be cast to the desired output "
                  "type Long")));
}

//===----------------------------------------------------------------------===//
// Tracing
//===----------------------------------------------------------------------===//

TEST(EagerTrainOps, NewOpsRecordTheirKinds) {
  Tensor x = nnc::ones({2, 3});
  Tensor target = longs({0, 2});
  RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    x.pow(2.5f);
    x.sqrt();
    x.softmax(-1);
    x.log_softmax(0);
    F::cross_entropy(x, target, "sum");
    F::mse_loss(x, x, "none");
  }
  ASSERT_THAT(hook.kinds(), ElementsAre(OpKind::Pow, OpKind::Sqrt,
                                        OpKind::Softmax, OpKind::LogSoftmax,
                                        OpKind::CrossEntropy, OpKind::MSELoss));
  EXPECT_EQ(hook.ops[0].attrs.scalar, 2.5);
  EXPECT_THAT(hook.ops[2].attrs.dims, ElementsAre(1));
  EXPECT_THAT(hook.ops[3].attrs.dims, ElementsAre(0));
  EXPECT_THAT(hook.ops[4].inputs, ElementsAre(x.unsafeGetTensorImpl(),
                                              target.unsafeGetTensorImpl()));
  EXPECT_EQ(hook.ops[4].attrs.reduction, 2);
  EXPECT_TRUE(hook.ops[4].outputShape.empty());
  EXPECT_EQ(hook.ops[5].attrs.reduction, 0);
}

TEST(EagerTrainOps, InPlaceOpsRecordFunctionalOpsIntoTheSameTensor) {
  Tensor p = nnc::ones({3}), g = nnc::ones({3});
  RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    p.add_(g, -0.1f);
  }
  ASSERT_THAT(hook.kinds(),
              ElementsAre(OpKind::Constant, OpKind::Mul, OpKind::Add));
  const void *pImpl = p.unsafeGetTensorImpl();
  EXPECT_THAT(hook.ops[1].inputs,
              ElementsAre(g.unsafeGetTensorImpl(), hook.ops[0].output));
  EXPECT_THAT(hook.ops[2].inputs, ElementsAre(pImpl, hook.ops[1].output));
  EXPECT_EQ(hook.ops[2].output, pImpl);

  hook.ops.clear();
  {
    nnc::TraceHookGuard guard(&hook);
    p.mul_(g);
    p.copy_(g);
    p.zero_();
    p.addcdiv_(g, g, 2);
  }
  EXPECT_THAT(hook.kinds(),
              ElementsAre(OpKind::Mul, OpKind::Alias, OpKind::Constant,
                          OpKind::Div, OpKind::Constant, OpKind::Mul,
                          OpKind::Add));
  EXPECT_EQ(hook.ops[0].output, pImpl);
  EXPECT_THAT(hook.ops[1].inputs, ElementsAre(g.unsafeGetTensorImpl()));
  EXPECT_EQ(hook.ops[1].output, pImpl);
  EXPECT_EQ(hook.ops[2].output, pImpl);
  EXPECT_EQ(hook.ops[6].output, pImpl);
}
