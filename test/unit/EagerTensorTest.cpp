//===- test/unit/EagerTensorTest.cpp - Tensor semantics -------------------===//
//
// Geometry (sizes, strides, offset), views sharing storage, contiguous
// copies, view vs reshape, creation, randn determinism and printing.
//
//===----------------------------------------------------------------------===//
#include "EagerTestUtil.h"

#include "gmock/gmock.h"

#include <cstdint>
#include <sstream>

using nnc::Tensor;
using nnc::testing::hasValues;
using nnc::testing::valuesOf;
using ::testing::HasSubstr;

namespace {

std::string printed(const Tensor &t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

/// A 2x3 tensor 0..5.
Tensor iota23() { return nnc::tensor({0, 1, 2, 3, 4, 5}, {2, 3}); }

//===----------------------------------------------------------------------===//
// Metadata
//===----------------------------------------------------------------------===//

TEST(EagerTensor, MetadataOfAFreshTensor) {
  Tensor t = nnc::zeros({2, 3, 4});
  EXPECT_TRUE(t.defined());
  EXPECT_EQ(t.dim(), 3);
  EXPECT_EQ(t.sizes(), (nnc::IntList{2, 3, 4}));
  EXPECT_EQ(t.strides(), (nnc::IntList{12, 4, 1}));
  EXPECT_EQ(t.size(-1), 4);
  EXPECT_EQ(t.size(0), 2);
  EXPECT_EQ(t.stride(-3), 12);
  EXPECT_EQ(t.storage_offset(), 0);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.dtype(), nnc::kFloat32);
  EXPECT_TRUE(t.is_contiguous());
  // Storage is 64-byte aligned for vector loads.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data_ptr<float>()) % 64, 0u);
}

TEST(EagerTensor, UndefinedTensorThrows) {
  Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_THROW(t.sizes(), nnc::Error);
  EXPECT_THAT(printed(t), HasSubstr("undefined"));
}

TEST(EagerTensor, SizeOutOfRangeNamesTheDim) {
  Tensor t = nnc::zeros({2, 3});
  try {
    t.size(2);
    FAIL() << "expected nnc::Error";
  } catch (const nnc::Error &e) {
    EXPECT_THAT(e.what(), HasSubstr("dimension 2 is out of range"));
    EXPECT_THAT(e.what(), HasSubstr("[-2, 1]"));
  }
}

TEST(EagerTensor, RankZeroTensor) {
  Tensor s = nnc::scalar_tensor(3.5f);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_TRUE(s.sizes().empty());
  EXPECT_EQ(s.item<float>(), 3.5f);
  EXPECT_EQ(nnc::full({}, 2.0f).item<float>(), 2.0f);
  EXPECT_EQ((s * 2.0f).item<float>(), 7.0f);
}

TEST(EagerTensor, ItemNeedsOneElement) {
  EXPECT_EQ(nnc::ones({1, 1}).item<float>(), 1.0f);
  EXPECT_THAT([] { nnc::ones({2}).item<float>(); },
              ::testing::ThrowsMessage<nnc::Error>(
                  HasSubstr("a Tensor with 2 elements cannot be converted")));
}

//===----------------------------------------------------------------------===//
// Views
//===----------------------------------------------------------------------===//

TEST(EagerTensor, TransposeIsAViewSharingStorage) {
  Tensor a = iota23();
  Tensor t = a.transpose(0, 1);
  EXPECT_EQ(t.sizes(), (nnc::IntList{3, 2}));
  EXPECT_EQ(t.strides(), (nnc::IntList{1, 3}));
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_TRUE(t.is_same_storage(a));
  EXPECT_EQ(t.data_ptr<float>(), a.data_ptr<float>());
  EXPECT_TRUE(hasValues(t, {3, 2}, {0, 3, 1, 4, 2, 5}));
  // Writing through the base is visible in the view.
  a.data_ptr<float>()[1] = 42.0f;
  EXPECT_EQ(valuesOf(t)[2], 42.0f);
  EXPECT_TRUE(hasValues(a.t(), {3, 2}, {0, 3, 42, 4, 2, 5}));
  EXPECT_TRUE(
      hasValues(nnc::transpose(a, -1, -2), {3, 2}, {0, 3, 42, 4, 2, 5}));
}

TEST(EagerTensor, TOnLowRankAndHighRank) {
  Tensor v = nnc::tensor({1, 2, 3});
  EXPECT_EQ(v.t().sizes(), (nnc::IntList{3}));
  EXPECT_THAT(
      [] {
        nnc::zeros({2, 2, 2}).t();
      },
      ::testing::ThrowsMessage<nnc::Error>(
          HasSubstr("<= 2 dimensions, but self is 3D")));
}

TEST(EagerTensor, ContiguousCopiesOnlyWhenNeeded) {
  Tensor a = iota23();
  Tensor same = a.contiguous();
  EXPECT_EQ(same.data_ptr<float>(), a.data_ptr<float>());
  Tensor t = a.t().contiguous();
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_FALSE(t.is_same_storage(a));
  EXPECT_EQ(t.strides(), (nnc::IntList{2, 1}));
  EXPECT_TRUE(hasValues(t, {3, 2}, {0, 3, 1, 4, 2, 5}));
}

TEST(EagerTensor, CloneIsADeepCopy) {
  Tensor a = iota23();
  Tensor c = a.clone();
  EXPECT_FALSE(c.is_same_storage(a));
  a.data_ptr<float>()[0] = 9.0f;
  EXPECT_TRUE(hasValues(c, {2, 3}, {0, 1, 2, 3, 4, 5}));
}

TEST(EagerTensor, ViewSharesStorageAndInfersMinusOne) {
  Tensor a = iota23();
  Tensor v = a.view({3, -1});
  EXPECT_EQ(v.sizes(), (nnc::IntList{3, 2}));
  EXPECT_TRUE(v.is_same_storage(a));
  EXPECT_TRUE(hasValues(v, {3, 2}, {0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(a.view({-1}).sizes(), (nnc::IntList{6}));
  EXPECT_EQ(a.view({1, 2, 1, 3}).strides(), (nnc::IntList{6, 3, 3, 1}));
}

TEST(EagerTensor, ViewOfNonContiguousFailsButReshapeCopies) {
  Tensor t = iota23().t(); // [3, 2], strides [1, 3]
  EXPECT_THAT([&] { t.view({6}); },
              ::testing::ThrowsMessage<nnc::Error>(
                  HasSubstr("Use .reshape(...) instead")));
  Tensor r = t.reshape({6});
  EXPECT_FALSE(r.is_same_storage(t));
  EXPECT_TRUE(hasValues(r, {6}, {0, 3, 1, 4, 2, 5}));
  // Splitting a dim of a transposed tensor is still a view.
  Tensor split = t.reshape({3, 2, 1});
  EXPECT_TRUE(split.is_same_storage(t));
  EXPECT_TRUE(hasValues(t.flatten(), {6}, {0, 3, 1, 4, 2, 5}));
}

TEST(EagerTensor, ReshapeShapeErrors) {
  Tensor a = iota23();
  EXPECT_THAT(
      [&] {
        a.reshape({4, -1});
      },
      ::testing::ThrowsMessage<nnc::Error>(
          HasSubstr("shape [4, -1] is invalid for input of size 6")));
  EXPECT_THAT(
      [&] {
        a.view({-1, -1});
      },
      ::testing::ThrowsMessage<nnc::Error>(
          HasSubstr("only one dimension can be inferred")));
  EXPECT_THAT([&] { a.reshape({5}); },
              ::testing::ThrowsMessage<nnc::Error>(
                  HasSubstr("invalid for input of size 6")));
}

TEST(EagerTensor, UnsqueezeSqueeze) {
  Tensor a = iota23();
  EXPECT_EQ(a.unsqueeze(0).sizes(), (nnc::IntList{1, 2, 3}));
  EXPECT_EQ(a.unsqueeze(-1).sizes(), (nnc::IntList{2, 3, 1}));
  EXPECT_EQ(a.unsqueeze(1).sizes(), (nnc::IntList{2, 1, 3}));
  EXPECT_TRUE(a.unsqueeze(1).is_same_storage(a));
  EXPECT_EQ(a.unsqueeze(1).squeeze(1).sizes(), (nnc::IntList{2, 3}));
  EXPECT_EQ(a.squeeze(0).sizes(), (nnc::IntList{2, 3})); // size 2: kept
  EXPECT_EQ(nnc::zeros({1, 2, 1}).squeeze().sizes(), (nnc::IntList{2}));
  EXPECT_THROW(a.unsqueeze(3), nnc::Error);
}

TEST(EagerTensor, ExpandUsesStrideZero) {
  Tensor row = nnc::tensor({1, 2, 3}, {1, 3});
  Tensor e = row.expand({4, 3});
  EXPECT_EQ(e.strides(), (nnc::IntList{0, 1}));
  EXPECT_TRUE(e.is_same_storage(row));
  EXPECT_TRUE(hasValues(e, {4, 3}, {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}));
  Tensor lead = nnc::tensor({1, 2}).expand({2, -1});
  EXPECT_EQ(lead.strides(), (nnc::IntList{0, 1}));
  EXPECT_THAT(
      [&] {
        row.expand({4, 2});
      },
      ::testing::ThrowsMessage<nnc::Error>(
          HasSubstr("must match the existing size (3)")));
}

TEST(EagerTensor, Permute) {
  Tensor a = nnc::zeros({2, 3, 4});
  Tensor p = a.permute({2, 0, 1});
  EXPECT_EQ(p.sizes(), (nnc::IntList{4, 2, 3}));
  EXPECT_EQ(p.strides(), (nnc::IntList{1, 12, 4}));
  EXPECT_THAT(
      [&] {
        a.permute({0, 0, 1});
      },
      ::testing::ThrowsMessage<nnc::Error>(HasSubstr("repeats")));
}

TEST(EagerTensor, FromBlobDoesNotCopy) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  Tensor t = nnc::from_blob(data, {2, 3});
  EXPECT_EQ(t.data_ptr<float>(), data);
  data[5] = 60;
  EXPECT_TRUE(hasValues(t, {2, 3}, {1, 2, 3, 4, 5, 60}));
}

TEST(EagerTensor, CreationFunctions) {
  EXPECT_TRUE(hasValues(nnc::zeros({2}), {2}, {0, 0}));
  EXPECT_TRUE(hasValues(nnc::ones({2, 1}), {2, 1}, {1, 1}));
  EXPECT_TRUE(hasValues(nnc::full({3}, -1.5f), {3}, {-1.5f, -1.5f, -1.5f}));
  EXPECT_EQ(nnc::empty({4, 5}).numel(), 20);
  EXPECT_EQ(nnc::zeros({0, 3}).numel(), 0);
  EXPECT_THAT(
      [] {
        nnc::tensor({1, 2, 3}, {2, 2});
      },
      ::testing::ThrowsMessage<nnc::Error>(
          HasSubstr("3 values do not fill shape [2, 2]")));
  EXPECT_THAT(
      [] {
        nnc::zeros({2, -3});
      },
      ::testing::ThrowsMessage<nnc::Error>(HasSubstr("negative dimension -3")));
}

//===----------------------------------------------------------------------===//
// randn
//===----------------------------------------------------------------------===//

TEST(EagerTensor, RandnIsDeterministicUnderManualSeed) {
  nnc::manual_seed(123);
  std::vector<float> first = valuesOf(nnc::randn({1001}));
  std::vector<float> next = valuesOf(nnc::randn({5}));
  nnc::manual_seed(123);
  EXPECT_EQ(valuesOf(nnc::randn({1001})), first);
  EXPECT_EQ(valuesOf(nnc::randn({5})), next);
  nnc::manual_seed(124);
  EXPECT_NE(valuesOf(nnc::randn({1001})), first);
}

TEST(EagerTensor, RandnLooksStandardNormal) {
  nnc::manual_seed(7);
  std::vector<float> v = valuesOf(nnc::randn({100000}));
  double mean = 0, square = 0;
  for (float x : v) {
    mean += x;
    square += double(x) * x;
  }
  mean /= v.size();
  double variance = square / v.size() - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.02);
  EXPECT_NEAR(variance, 1.0, 0.02);
}

//===----------------------------------------------------------------------===//
// Printing (expected strings are PyTorch's)
//===----------------------------------------------------------------------===//

TEST(EagerTensorPrint, IntegerValuedMatrix) {
  EXPECT_EQ(printed(nnc::tensor({1, 2, 3, 4}, {2, 2})),
            "tensor([[1., 2.],\n        [3., 4.]])");
}

TEST(EagerTensorPrint, FractionsAndNegativesArePadded) {
  EXPECT_EQ(printed(nnc::tensor({0.5f, -1.25f, 3})),
            "tensor([ 0.5000, -1.2500,  3.0000])");
}

TEST(EagerTensorPrint, ScalarAndEmpty) {
  EXPECT_EQ(printed(nnc::scalar_tensor(3)), "tensor(3.)");
  EXPECT_EQ(printed(nnc::scalar_tensor(0.25f)), "tensor(0.2500)");
  EXPECT_EQ(printed(nnc::zeros({0})), "tensor([])");
  EXPECT_EQ(printed(nnc::zeros({0, 3})), "tensor([], size=(0, 3))");
}

TEST(EagerTensorPrint, ScientificWhenRangeIsWide) {
  EXPECT_EQ(printed(nnc::tensor({1e-5f, 1.0f})),
            "tensor([1.0000e-05, 1.0000e+00])");
}

TEST(EagerTensorPrint, ThreeDimsSeparatedByBlankLine) {
  EXPECT_EQ(printed(nnc::tensor({1, 2, 3, 4}, {2, 1, 2})),
            "tensor([[[1., 2.]],\n\n        [[3., 4.]]])");
}

TEST(EagerTensorPrint, NonContiguousViewPrintsLogicalOrder) {
  EXPECT_EQ(printed(iota23().t()),
            "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])");
}

TEST(EagerTensorPrint, LongTensorsAreSummarized) {
  std::vector<float> values(2000);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = float(1000 + i);
  EXPECT_EQ(printed(nnc::tensor(values)),
            "tensor([1000., 1001., 1002.,  ..., 2997., 2998., 2999.])");
  // The format comes from the printed edges only: 1 .. 1999 spans more
  // than three decades, so PyTorch switches to scientific notation.
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = float(i);
  EXPECT_EQ(printed(nnc::tensor(values)),
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, "
            "1.9980e+03,\n        1.9990e+03])");
}

TEST(EagerTensorPrint, LongRowsWrapAtEightyColumns) {
  std::vector<float> values(12, 0.5f);
  EXPECT_EQ(printed(nnc::tensor(values)),
            "tensor([0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, "
            "0.5000, 0.5000,\n        0.5000, 0.5000, 0.5000])");
}

TEST(EagerTensorPrint, NanAndInf) {
  EXPECT_EQ(printed(nnc::tensor({1, NAN, INFINITY, -INFINITY})),
            "tensor([1., nan, inf, -inf])");
}

} // namespace
