//===- test/unit/TensorDTypeTest.cpp - Dtypes, promotion, creation, print -===//
//
// The eight dtypes with libtorch's names, 16-bit float rounding, PyTorch's
// type promotion (torch.result_type's answers, checked with PyTorch 1.13),
// to(dtype), item and data_ptr, the creation functions with dtypes, and
// printing each dtype exactly as PyTorch prints it.
//
//===----------------------------------------------------------------------===//
#include "EagerTestUtil.h"

#include "gmock/gmock.h"

#include <algorithm>
#include <cmath>
#include <sstream>

using nnc::Tensor;
using nnc::testing::hasValues;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

std::string printed(const Tensor &t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

/// The values of any dtype, read as doubles.
std::vector<double> doublesOf(const Tensor &t) {
  Tensor d = t.to(nnc::kDouble).contiguous();
  return std::vector<double>(d.data_ptr<double>(),
                             d.data_ptr<double>() + d.numel());
}

} // namespace

TEST(TensorDType, NamesAndSizesAsLibtorch) {
  EXPECT_EQ(nnc::kFloat, nnc::kFloat32);
  EXPECT_EQ(nnc::kDouble, nnc::kFloat64);
  EXPECT_EQ(nnc::kHalf, nnc::kFloat16);
  EXPECT_EQ(nnc::kLong, nnc::kInt64);
  EXPECT_EQ(nnc::kInt, nnc::kInt32);
  EXPECT_EQ(nnc::kByte, nnc::kUInt8);
  EXPECT_STREQ(nnc::toString(nnc::kDouble), "Double");
  EXPECT_STREQ(nnc::toString(nnc::kHalf), "Half");
  EXPECT_STREQ(nnc::toString(nnc::kBFloat16), "BFloat16");
  EXPECT_STREQ(nnc::toString(nnc::kInt), "Int");
  EXPECT_STREQ(nnc::toString(nnc::kByte), "Byte");
  EXPECT_STREQ(nnc::toString(nnc::kBool), "Bool");
  EXPECT_EQ(nnc::elementSize(nnc::kBFloat16), 2u);
  EXPECT_EQ(nnc::elementSize(nnc::kBool), 1u);
  EXPECT_EQ(nnc::zeros({2}, nnc::kDouble).element_size(), 8);
}

TEST(TensorDType, HalfAndBFloat16RoundToNearestEven) {
  // Values from PyTorch's .half() / .bfloat16().
  EXPECT_EQ(float(nnc::Half(1.0f / 3.0f)), 0.333251953125f);
  EXPECT_EQ(float(nnc::Half(65520.0f)), INFINITY); // past the largest half
  EXPECT_EQ(float(nnc::Half(65504.0f)), 65504.0f);
  EXPECT_EQ(float(nnc::Half(1e-7f)), 1.1920928955078125e-07f); // subnormal
  EXPECT_TRUE(std::isnan(float(nnc::Half(NAN))));
  EXPECT_EQ(float(nnc::BFloat16(1.00390625f)), 1.0f); // tie to even
  EXPECT_EQ(float(nnc::BFloat16(0.1f)), 0.10009765625f);
  EXPECT_TRUE(std::isnan(float(nnc::BFloat16(NAN))));
}

TEST(TensorDType, PromoteTypesAndResultTypeAsPyTorch) {
  using nnc::promote_types;
  EXPECT_EQ(promote_types(nnc::kHalf, nnc::kBFloat16), nnc::kFloat);
  EXPECT_EQ(promote_types(nnc::kByte, nnc::kInt), nnc::kInt);
  EXPECT_EQ(promote_types(nnc::kBool, nnc::kByte), nnc::kByte);
  EXPECT_EQ(promote_types(nnc::kLong, nnc::kHalf), nnc::kHalf);
  EXPECT_EQ(promote_types(nnc::kFloat, nnc::kDouble), nnc::kDouble);

  Tensor i32 = nnc::ones({1}, nnc::kInt);
  Tensor u8 = nnc::ones({1}, nnc::kByte);
  Tensor f16 = nnc::ones({1}, nnc::kHalf);
  // A 0-d tensor only counts when it is of a higher category.
  EXPECT_EQ(nnc::result_type(i32, nnc::scalar_tensor(1, nnc::kDouble)),
            nnc::kDouble);
  EXPECT_EQ(nnc::result_type(f16, nnc::scalar_tensor(1, nnc::kDouble)),
            nnc::kHalf);
  EXPECT_EQ(nnc::result_type(u8, nnc::scalar_tensor(1, nnc::kLong)),
            nnc::kByte);
  EXPECT_EQ(nnc::result_type(u8, i32), nnc::kInt);
  // Python numbers: a float with integers gives the default Float.
  EXPECT_EQ(nnc::result_type(nnc::ones({1}, nnc::kBool), 2), nnc::kLong);
  EXPECT_EQ(nnc::result_type(nnc::scalar_tensor(1, nnc::kInt), 2.5),
            nnc::kFloat);
  EXPECT_EQ(nnc::result_type(f16, 2.5), nnc::kHalf);
}

TEST(TensorDType, ArithmeticPromotes) {
  Tensor a = nnc::tensor(std::vector<int64_t>{1, 2, 3});
  Tensor b = nnc::tensor(std::vector<int64_t>{2, 2, 2});
  Tensor sum = a + b;
  EXPECT_EQ(sum.dtype(), nnc::kLong);
  EXPECT_EQ(doublesOf(sum), (std::vector<double>{3, 4, 5}));
  // True division of integers gives Float.
  Tensor quotient = a / b;
  EXPECT_EQ(quotient.dtype(), nnc::kFloat);
  EXPECT_TRUE(hasValues(quotient, {3}, {0.5f, 1.0f, 1.5f}));
  EXPECT_EQ((a + 2.5).dtype(), nnc::kFloat);
  EXPECT_EQ((a.to(nnc::kInt) * 2).dtype(), nnc::kInt);
  // uint8 arithmetic wraps, as PyTorch's (300 becomes 44).
  Tensor bytes = nnc::tensor({1, 2}, {2}, nnc::kByte) + 300;
  EXPECT_EQ(bytes.dtype(), nnc::kByte);
  EXPECT_EQ(doublesOf(bytes), (std::vector<double>{45, 46}));
  Tensor mixed = nnc::ones({2}, nnc::kDouble) * nnc::ones({2});
  EXPECT_EQ(mixed.dtype(), nnc::kDouble);
  Tensor half = nnc::full({2}, 1.5, nnc::kHalf) * 2;
  EXPECT_EQ(half.dtype(), nnc::kHalf);
  EXPECT_EQ(doublesOf(half), (std::vector<double>{3, 3}));
  EXPECT_EQ(doublesOf(nnc::full({1}, 2.0, nnc::kBFloat16).exp()),
            (std::vector<double>{7.375})); // exp(2) rounded to bfloat16
  EXPECT_THAT([] { nnc::ones({1}, nnc::kBool) - nnc::ones({1}, nnc::kBool); },
              ThrowsMessage<nnc::Error>(HasSubstr("with two bool tensors")));
}

TEST(TensorDType, ToConvertsAsPyTorch) {
  Tensor x = nnc::tensor({-1.7f, 0.0f, 2.5f, 300.0f});
  EXPECT_EQ(x.to(nnc::kFloat).unsafeGetTensorImpl(), x.unsafeGetTensorImpl());
  EXPECT_EQ(doublesOf(x.to(nnc::kLong)), (std::vector<double>{-1, 0, 2, 300}));
  EXPECT_EQ(doublesOf(x.to(nnc::kBool)), (std::vector<double>{1, 0, 1, 1}));
  EXPECT_EQ(doublesOf(x.to(nnc::kHalf)),
            (std::vector<double>{-1.7001953125, 0, 2.5, 300}));
  Tensor strided = nnc::arange(6).reshape({2, 3}).t().to(nnc::kDouble);
  EXPECT_EQ(doublesOf(strided), (std::vector<double>{0, 3, 1, 4, 2, 5}));
}

TEST(TensorDType, ItemAndDataPtrForEveryDtype) {
  EXPECT_EQ(nnc::scalar_tensor(2.5, nnc::kDouble).item<double>(), 2.5);
  EXPECT_EQ(nnc::scalar_tensor(2.5, nnc::kDouble).item<int64_t>(), 2);
  EXPECT_EQ(nnc::scalar_tensor(7, nnc::kByte).item<float>(), 7.0f);
  EXPECT_EQ(nnc::scalar_tensor(true, nnc::kBool).item<bool>(), true);
  EXPECT_EQ(float(nnc::scalar_tensor(0.5, nnc::kHalf).item<nnc::Half>()), 0.5f);
  // Overflow is an error, as libtorch's checked item<T>().
  EXPECT_THAT([] { nnc::scalar_tensor(300, nnc::kLong).item<uint8_t>(); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "cannot be converted to type Byte without overflow")));
  EXPECT_THAT([] { nnc::scalar_tensor(1e300, nnc::kDouble).item<float>(); },
              ThrowsMessage<nnc::Error>(HasSubstr("without overflow")));
  EXPECT_EQ(nnc::scalar_tensor(INFINITY).item<double>(), INFINITY);
  EXPECT_EQ(nnc::scalar_tensor(-1, nnc::kInt).item<int32_t>(), -1);
  nnc::Scalar s = nnc::scalar_tensor(-3, nnc::kInt).item();
  EXPECT_TRUE(s.isIntegral(false));
  EXPECT_EQ(s.toLong(), -3);
  Tensor i32 = nnc::zeros({3}, nnc::kInt);
  i32.data_ptr<int32_t>()[1] = 5;
  EXPECT_EQ(i32[1].item<int32_t>(), 5);
  EXPECT_NE(nnc::zeros({1}, nnc::kBFloat16).data_ptr<nnc::BFloat16>(), nullptr);
  EXPECT_THAT(
      [] { nnc::zeros({1}, nnc::kInt).data_ptr<int64_t>(); },
      ThrowsMessage<nnc::Error>(HasSubstr("dtype Int, got one for Long")));
}

TEST(TensorDType, CreationWithDtypes) {
  EXPECT_EQ(nnc::zeros({2, 3}, nnc::kFloat64).dtype(), nnc::kDouble);
  EXPECT_EQ(nnc::ones({2}, nnc::kInt).dtype(), nnc::kInt);
  EXPECT_EQ(nnc::empty({2}, nnc::kBool).dtype(), nnc::kBool);
  // full infers the dtype from the value, as libtorch.
  EXPECT_EQ(nnc::full({2}, 1).dtype(), nnc::kLong);
  EXPECT_EQ(nnc::full({2}, true).dtype(), nnc::kBool);
  EXPECT_EQ(nnc::full({2}, 1.5f).dtype(), nnc::kFloat);
  EXPECT_EQ(nnc::full({2}, 1, nnc::kDouble).dtype(), nnc::kDouble);
  EXPECT_EQ(nnc::scalar_tensor(1).dtype(), nnc::kFloat);
  EXPECT_EQ(nnc::zeros_like(nnc::ones({2}, nnc::kInt)).dtype(), nnc::kInt);
  EXPECT_EQ(nnc::ones_like(nnc::ones({2}), nnc::kLong).dtype(), nnc::kLong);
}

TEST(TensorDType, RangesAndEye) {
  Tensor a = nnc::arange(5);
  EXPECT_EQ(a.dtype(), nnc::kLong);
  EXPECT_EQ(doublesOf(a), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(doublesOf(nnc::arange(5, 0, -2)), (std::vector<double>{5, 3, 1}));
  Tensor f = nnc::arange(0, 1, 0.3);
  EXPECT_EQ(f.dtype(), nnc::kFloat);
  EXPECT_TRUE(hasValues(f, {4}, {0.0f, 0.3f, 0.6f, 0.9f}));
  EXPECT_TRUE(
      hasValues(nnc::linspace(0, 1, 5), {5}, {0.0f, 0.25f, 0.5f, 0.75f, 1.0f}));
  EXPECT_TRUE(hasValues(nnc::linspace(2, 5, 1), {1}, {2.0f}));
  EXPECT_EQ(nnc::linspace(2, 5, 0).numel(), 0);
  EXPECT_TRUE(hasValues(nnc::eye(2, 3), {2, 3}, {1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(nnc::eye(2, 0).sizes(), (nnc::IntList{2, 0}));
  EXPECT_EQ(nnc::eye(3, std::nullopt, nnc::kLong).dtype(), nnc::kLong);
  EXPECT_THAT([] { nnc::arange(0, 1, 0); },
              ThrowsMessage<nnc::Error>(HasSubstr("step must be nonzero")));
}

TEST(TensorDType, RandomCreationIsSeeded) {
  nnc::manual_seed(7);
  Tensor a = nnc::randint(3, 9, {100});
  Tensor p = nnc::randperm(10);
  Tensor r = nnc::rand({4}, nnc::kDouble);
  nnc::manual_seed(7);
  EXPECT_EQ(doublesOf(nnc::randint(3, 9, {100})), doublesOf(a));
  EXPECT_EQ(doublesOf(nnc::randperm(10)), doublesOf(p));
  EXPECT_EQ(doublesOf(nnc::rand({4}, nnc::kDouble)), doublesOf(r));
  EXPECT_EQ(a.dtype(), nnc::kLong);
  for (double v : doublesOf(a))
    EXPECT_TRUE(v >= 3 && v < 9) << v;
  std::vector<double> perm = doublesOf(p);
  std::sort(perm.begin(), perm.end());
  EXPECT_EQ(perm, doublesOf(nnc::arange(10)));
  EXPECT_EQ(nnc::randn({2}, nnc::kHalf).dtype(), nnc::kHalf);
  EXPECT_THAT([] { nnc::randn({2}, nnc::kLong); },
              ThrowsMessage<nnc::Error>(HasSubstr("expected a floating")));
}

TEST(TensorDType, FromBlobWithDtype) {
  double values[4] = {1, 2, 3, 4};
  Tensor t = nnc::from_blob(values, {2, 2}, nnc::kDouble);
  EXPECT_EQ(t.dtype(), nnc::kDouble);
  EXPECT_EQ(t.data_ptr<double>(), values);
  EXPECT_EQ(t[1][0].item<double>(), 3.0);
}

TEST(TensorDType, PrintsEachDtypeAsPyTorch) {
  // Expected text from PyTorch 1.13's str(tensor).
  EXPECT_EQ(
      printed(nnc::tensor({1.5, -2.25, 3.0, 4.125}, {2, 2}, nnc::kDouble)),
      "tensor([[ 1.5000, -2.2500],\n        [ 3.0000,  4.1250]], "
      "dtype=torch.float64)");
  EXPECT_EQ(printed(nnc::tensor({0.1, 2.0, -3.5}, {3}, nnc::kHalf)),
            "tensor([ 0.1000,  2.0000, -3.5000], dtype=torch.float16)");
  EXPECT_EQ(printed(nnc::tensor({0.1, 2.0, -3.5}, {3}, nnc::kBFloat16)),
            "tensor([ 0.1001,  2.0000, -3.5000], dtype=torch.bfloat16)");
  EXPECT_EQ(printed(nnc::tensor({1, -20, 300, 4}, {2, 2}, nnc::kInt)),
            "tensor([[  1, -20],\n        [300,   4]], dtype=torch.int32)");
  EXPECT_EQ(printed(nnc::tensor({0, 255, 7}, {3}, nnc::kByte)),
            "tensor([  0, 255,   7], dtype=torch.uint8)");
  EXPECT_EQ(printed(nnc::tensor({1, 0, 0, 1}, {2, 2}, nnc::kBool)),
            "tensor([[ True, False],\n        [False,  True]])");
  EXPECT_EQ(printed(nnc::arange(6).reshape({2, 3})),
            "tensor([[0, 1, 2],\n        [3, 4, 5]])");
  EXPECT_EQ(printed(nnc::tensor({1, 2}, {2}, nnc::kDouble)),
            "tensor([1., 2.], dtype=torch.float64)");
  EXPECT_EQ(printed(nnc::zeros({0, 3}, nnc::kDouble)),
            "tensor([], size=(0, 3), dtype=torch.float64)");
  EXPECT_EQ(printed(nnc::zeros({0}, nnc::kInt)),
            "tensor([], dtype=torch.int32)");
  EXPECT_EQ(printed(nnc::scalar_tensor(2.5, nnc::kBFloat16)),
            "tensor(2.5000, dtype=torch.bfloat16)");
  EXPECT_EQ(printed(nnc::scalar_tensor(true, nnc::kBool)), "tensor(True)");
  EXPECT_EQ(printed(nnc::tensor({1e-5, 1.0}, {2}, nnc::kDouble)),
            "tensor([1.0000e-05, 1.0000e+00], dtype=torch.float64)");
}

TEST(TensorDType, OnlyFloatingTensorsRequireGrad) {
  EXPECT_TRUE(nnc::zeros({1}, nnc::kDouble).requires_grad_().requires_grad());
  EXPECT_THAT([] { nnc::zeros({1}, nnc::kInt).requires_grad_(); },
              ThrowsMessage<nnc::Error>(HasSubstr("floating point dtype")));
}
