//===- test/unit/TensorMathTest.cpp - Comparisons, clamp, reductions ------===//
//
// Comparisons, where, clamp, abs, sign, pow, the new reductions (var/std,
// prod, max/min with indices, argmax/argmin, logsumexp, any/all), integer
// reductions, bmm and matmul in Float64, with values from PyTorch 1.13.
//
//===----------------------------------------------------------------------===//
#include "EagerTestUtil.h"

#include "gmock/gmock.h"

#include <cmath>

using nnc::Tensor;
using nnc::testing::hasValues;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

Tensor grid() { return nnc::arange(12).reshape({3, 4}).to(nnc::kFloat); }

std::vector<double> doublesOf(const Tensor &t) {
  Tensor d = t.to(nnc::kDouble).contiguous();
  return std::vector<double>(d.data_ptr<double>(),
                             d.data_ptr<double>() + d.numel());
}

} // namespace

TEST(TensorMath, ComparisonsGiveBool) {
  Tensor a = nnc::tensor(std::vector<int64_t>{1, 2, 3});
  Tensor eq = a.eq(2);
  EXPECT_EQ(eq.dtype(), nnc::kBool);
  EXPECT_EQ(doublesOf(eq), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(doublesOf(nnc::tensor({1.0f, 2.0f}) < nnc::arange(2, 4)),
            (std::vector<double>{1, 1}));
  EXPECT_EQ(doublesOf(a >= 2), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(doublesOf(a != a), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(doublesOf(nnc::tensor({NAN, 1.0f}) == nnc::tensor({NAN, 1.0f})),
            (std::vector<double>{0, 1}));
  EXPECT_EQ(doublesOf(a.le(2.5)), (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(doublesOf(a.gt(nnc::scalar_tensor(1, nnc::kDouble))),
            (std::vector<double>{0, 1, 1}));
}

TEST(TensorMath, WhereClampAbsSign) {
  Tensor c = nnc::tensor({1, 0}, {2}, nnc::kBool);
  Tensor w = nnc::where(c, nnc::tensor(std::vector<int64_t>{1, 2}),
                        nnc::tensor({1.5f, 2.5f}));
  EXPECT_EQ(w.dtype(), nnc::kFloat);
  EXPECT_TRUE(hasValues(w, {2}, {1.0f, 2.5f}));
  EXPECT_TRUE(hasValues(nnc::where(c.reshape({2, 1}), nnc::ones({1, 3}), 0.0),
                        {2, 3}, {1, 1, 1, 0, 0, 0}));
  EXPECT_THAT(
      [] { nnc::where(nnc::ones({1}), nnc::ones({1}), nnc::ones({1})); },
      ThrowsMessage<nnc::Error>(HasSubstr("boolean tensor")));

  EXPECT_TRUE(hasValues(nnc::tensor({-2.0f, 0.5f, 3.0f, NAN}).clamp(0, 1), {4},
                        {0.0f, 0.5f, 1.0f, NAN}));
  EXPECT_TRUE(
      hasValues(grid().clamp_max(2.5), {3, 4},
                {0, 1, 2, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5}));
  Tensor ints = nnc::arange(4);
  EXPECT_EQ(ints.clamp(1, 2).dtype(), nnc::kLong);
  EXPECT_EQ(ints.clamp(0.5).dtype(), nnc::kFloat); // promotes, as 1.13
  EXPECT_THAT([&] { ints.clamp(std::nullopt, std::nullopt); },
              ThrowsMessage<nnc::Error>(HasSubstr("At least one of 'min' or "
                                                  "'max'")));
  Tensor x = nnc::tensor({-2.0f, 0.0f, 3.0f});
  x.clamp_(-1, 1);
  EXPECT_TRUE(hasValues(x, {3}, {-1, 0, 1}));

  EXPECT_EQ(doublesOf(nnc::tensor(std::vector<int64_t>{-3, 4}).abs()),
            (std::vector<double>{3, 4}));
  EXPECT_TRUE(hasValues(nnc::tensor({-2.0f, 0.0f, 3.0f, NAN}).sign(), {4},
                        {-1, 0, 1, NAN}));
  EXPECT_TRUE(hasValues(nnc::tensor({-2.5f, 1.0f}).abs(), {2}, {2.5f, 1.0f}));
}

TEST(TensorMath, PowWithTensorAndIntegerExponents) {
  EXPECT_TRUE(
      hasValues(nnc::tensor({2.0f, 3.0f}).pow(nnc::tensor({3.0f, 0.5f})), {2},
                {8.0f, 1.7320508f}));
  Tensor squares = nnc::tensor(std::vector<int64_t>{2, 3}).pow(2);
  EXPECT_EQ(squares.dtype(), nnc::kLong);
  EXPECT_EQ(doublesOf(squares), (std::vector<double>{4, 9}));
  EXPECT_EQ(nnc::arange(3).pow(0.5).dtype(), nnc::kFloat);
  EXPECT_EQ(doublesOf(nnc::tensor({2, 3}, {2}, nnc::kDouble).pow(2)),
            (std::vector<double>{4, 9}));
}

TEST(TensorMath, VarStdLogsumexpProd) {
  Tensor x = grid();
  EXPECT_TRUE(hasValues(x.var({1}), {3}, {1.6666666f, 1.6666666f, 1.6666666f}));
  EXPECT_TRUE(hasValues(x.std({0}), {4}, {4, 4, 4, 4}));
  EXPECT_TRUE(hasValues(x.var(false), {}, {11.916667f}));
  EXPECT_TRUE(hasValues(x.var({1}, true, true), {3, 1},
                        {1.6666666f, 1.6666666f, 1.6666666f}));
  EXPECT_TRUE(hasValues(x.logsumexp({1}), {3},
                        {3.4401897f, 7.4401897f, 11.4401897f}, 1e-6));
  EXPECT_TRUE(
      hasValues(nnc::full({2}, -INFINITY).logsumexp({0}), {}, {-INFINITY}));
  EXPECT_TRUE(hasValues(x.prod(1), {3}, {0, 840, 7920}));
  EXPECT_TRUE(
      hasValues(nnc::tensor({1.0f, 5, 3, 7, 2, 7}, {2, 3}).prod(), {}, {1470}));
  Tensor ints = nnc::arange(1, 5);
  EXPECT_EQ(ints.prod().dtype(), nnc::kLong);
  EXPECT_EQ(ints.prod().item<int64_t>(), 24);
  EXPECT_THAT([&] { ints.var(); },
              ThrowsMessage<nnc::Error>(HasSubstr("floating")));
}

TEST(TensorMath, MaxMinWithIndicesAndArgmax) {
  Tensor x = nnc::tensor({1.0f, 5, 3, 7, 2, 7}, {2, 3});
  auto [values, indices] = x.max(1);
  EXPECT_TRUE(hasValues(values, {2}, {5, 7}));
  EXPECT_EQ(indices.dtype(), nnc::kLong);
  EXPECT_EQ(doublesOf(indices), (std::vector<double>{1, 0}));
  auto [minValues, minIndices] = x.min(0, /*keepdim=*/true);
  EXPECT_TRUE(hasValues(minValues, {1, 3}, {1, 2, 3}));
  EXPECT_EQ(doublesOf(minIndices), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(x.argmax().item<int64_t>(), 3);
  EXPECT_EQ(doublesOf(x.argmin(1)), (std::vector<double>{0, 1}));
  EXPECT_EQ(x.argmax(std::nullopt, true).sizes(), (nnc::IntList{1, 1}));
  // NaN is the maximum, as in PyTorch.
  auto [nanValues, nanIndices] = nnc::tensor({1.0f, NAN, 7, 2}, {2, 2}).max(1);
  EXPECT_TRUE(hasValues(nanValues, {2}, {NAN, 7}));
  EXPECT_EQ(doublesOf(nanIndices), (std::vector<double>{1, 0}));
  EXPECT_EQ(x.min().item<float>(), 1.0f);
  EXPECT_TRUE(hasValues(x.amin({1}), {2}, {1, 2}));
  auto [intValues, intIndices] = nnc::arange(4).reshape({2, 2}).max(1);
  EXPECT_EQ(intValues.dtype(), nnc::kLong);
  EXPECT_EQ(doublesOf(intValues), (std::vector<double>{1, 3}));
  EXPECT_THAT(
      [] {
        nnc::zeros({2, 0}).max(1);
      },
      ThrowsMessage<nnc::Error>(HasSubstr("zero-size dimension")));
}

TEST(TensorMath, AnyAllAndIntegerSums) {
  Tensor x = grid();
  EXPECT_TRUE(x.any().item<bool>());
  EXPECT_EQ(doublesOf((x > 100).any(1)), (std::vector<double>{0, 0, 0}));
  EXPECT_TRUE((x >= 0).all().item<bool>());
  EXPECT_EQ(doublesOf(x.all(1)), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(x.any(0, true).sizes(), (nnc::IntList{1, 4}));
  Tensor sum = nnc::tensor({1, 0}, {1, 2}, nnc::kBool).sum();
  EXPECT_EQ(sum.dtype(), nnc::kLong);
  EXPECT_EQ(sum.item<int64_t>(), 1);
  EXPECT_EQ(nnc::arange(5).to(nnc::kInt).sum().item<int64_t>(), 10);
  EXPECT_EQ(doublesOf(nnc::arange(6).reshape({2, 3}).amax({1})),
            (std::vector<double>{2, 5}));
  EXPECT_THAT([] { nnc::arange(3).mean(); },
              ThrowsMessage<nnc::Error>(HasSubstr("could not infer output "
                                                  "dtype")));
}

TEST(TensorMath, Float64MathAndMatmul) {
  Tensor a = nnc::arange(24).reshape({2, 3, 4}).to(nnc::kDouble);
  Tensor b = nnc::arange(8).reshape({2, 4, 1}).to(nnc::kDouble);
  Tensor c = a.bmm(b);
  EXPECT_EQ(c.dtype(), nnc::kDouble);
  EXPECT_EQ(doublesOf(c), (std::vector<double>{14, 38, 62, 302, 390, 478}));
  EXPECT_EQ(doublesOf(a[0].matmul(b[0].squeeze())),
            (std::vector<double>{14, 38, 62}));
  // Double keeps precision Float would lose.
  Tensor fine = nnc::full({2}, 1.0, nnc::kDouble) + 1e-12;
  EXPECT_EQ(doublesOf(fine)[0], 1.0 + 1e-12);
  EXPECT_EQ(doublesOf(nnc::full({1}, 2.0, nnc::kDouble).exp())[0],
            std::exp(2.0));
  EXPECT_EQ(doublesOf(a.sum())[0], 276.0);
  EXPECT_EQ(doublesOf(a.mean({2}))[0], 1.5);
  EXPECT_EQ(doublesOf(a.softmax(2).sum({2}))[1], 1.0);
  EXPECT_THAT([&] { a.bmm(b.to(nnc::kFloat)); },
              ThrowsMessage<nnc::Error>(HasSubstr("same floating dtype")));
  EXPECT_THAT([&] { a.bmm(a); },
              ThrowsMessage<nnc::Error>(HasSubstr("do not multiply")));
  // Half multiplies in float and rounds back.
  Tensor h =
      nnc::ones({2, 2}, nnc::kHalf).matmul(nnc::ones({2, 2}, nnc::kHalf));
  EXPECT_EQ(h.dtype(), nnc::kHalf);
  EXPECT_EQ(doublesOf(h), (std::vector<double>{2, 2, 2, 2}));
}
