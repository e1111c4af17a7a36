//===- test/unit/TensorIndexingTest.cpp - Slicing, indexing, joining ------===//
//
// slice/narrow/select views sharing storage, indexing by tensors
// (index_select, gather, scatter_add, masked_select/masked_fill, x[idx]),
// cat/stack/split/chunk, with values from PyTorch 1.13 and libtorch's
// error messages.
//
//===----------------------------------------------------------------------===//
#include "EagerTestUtil.h"

#include "gmock/gmock.h"

using nnc::Tensor;
using nnc::testing::hasValues;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

/// [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]] as Float.
Tensor grid() { return nnc::arange(12).reshape({3, 4}).to(nnc::kFloat); }

Tensor longs(std::vector<int64_t> values, const nnc::IntList &shape) {
  return nnc::tensor(values, shape);
}

} // namespace

TEST(TensorIndexing, SliceNarrowSelectAreViews) {
  Tensor x = grid();
  Tensor s = x.slice(1, 1, 4, 2);
  EXPECT_TRUE(s.is_same_storage(x));
  EXPECT_TRUE(hasValues(s, {3, 2}, {1, 3, 5, 7, 9, 11}));
  EXPECT_EQ(s.strides(), (nnc::IntList{4, 2}));
  EXPECT_TRUE(hasValues(x.narrow(1, 1, 2), {3, 2}, {1, 2, 5, 6, 9, 10}));
  EXPECT_TRUE(hasValues(x.select(1, 2), {3}, {2, 6, 10}));
  EXPECT_TRUE(hasValues(x[1], {4}, {4, 5, 6, 7}));
  EXPECT_TRUE(hasValues(x[-1], {4}, {8, 9, 10, 11}));
  // Out-of-range slice bounds clamp, as Python's.
  EXPECT_TRUE(
      hasValues(x.slice(0, -2, 100), {2, 4}, {4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(x.slice(0, 3, 1).sizes(), (nnc::IntList{0, 4}));
  // Writing through a view changes the base.
  x.select(0, 0).fill_(-1);
  EXPECT_EQ(x[0][3].item<float>(), -1.0f);
}

TEST(TensorIndexing, ViewErrors) {
  Tensor x = grid();
  EXPECT_THAT([&] { x.select(0, 3); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("index 3 out of range for tensor of size [3, 4] at "
                            "dimension 0")));
  EXPECT_THAT([&] { x.narrow(1, 2, 3); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("start (2) + length (3) exceeds dimension size "
                            "(4).")));
  EXPECT_THAT([&] { x.slice(0, 0, 2, 0); },
              ThrowsMessage<nnc::Error>(HasSubstr("slice step must be "
                                                  "positive")));
  EXPECT_THAT([] { nnc::scalar_tensor(1).select(0, 0); },
              ThrowsMessage<nnc::Error>(HasSubstr("0-dim tensor")));
}

TEST(TensorIndexing, IndexSelectAndTensorIndex) {
  Tensor x = grid();
  Tensor idx = longs({2, 0}, {2});
  EXPECT_TRUE(hasValues(x.index_select(1, idx), {3, 2}, {2, 0, 6, 4, 10, 8}));
  EXPECT_TRUE(hasValues(x[idx], {2, 4}, {8, 9, 10, 11, 0, 1, 2, 3}));
  EXPECT_EQ(x.index(longs({0, 2, 1, 1}, {2, 2})).sizes(),
            (nnc::IntList{2, 2, 4}));
  EXPECT_TRUE(hasValues(x.index_select(0, idx.to(nnc::kInt)), {2, 4},
                        {8, 9, 10, 11, 0, 1, 2, 3}));
  EXPECT_THAT([&] { x.index_select(0, longs({3}, {1})); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("index 3 is out of bounds for dimension 0 with "
                            "size 3")));
  EXPECT_THAT([&] { x.index_select(0, nnc::zeros({1})); },
              ThrowsMessage<nnc::Error>(HasSubstr("Expected dtype int64")));
  // A bool mask of the tensor's shape selects like masked_select.
  EXPECT_TRUE(hasValues(x[x > 8], {3}, {9, 10, 11}));
}

TEST(TensorIndexing, GatherAndScatterAdd) {
  Tensor x = grid();
  EXPECT_TRUE(hasValues(x.gather(1, longs({0, 0, 1, 0, 3, 2}, {3, 2})), {3, 2},
                        {0, 0, 5, 4, 11, 10}));
  Tensor added = nnc::zeros({3, 5}).scatter_add(
      1, longs({0, 1, 0, 2, 2, 4, 1, 1, 1}, {3, 3}), nnc::ones({3, 3}));
  EXPECT_TRUE(
      hasValues(added, {3, 5}, {2, 1, 0, 0, 0, 0, 0, 2, 0, 1, 0, 3, 0, 0, 0}));
  EXPECT_THAT([&] { x.gather(1, longs({0}, {1})); },
              ThrowsMessage<nnc::Error>(HasSubstr("same number of "
                                                  "dimensions")));
  EXPECT_THAT(
      [&] {
        x.gather(1, longs({4}, {1, 1}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("index 4 is out of bounds for dimension 1")));
  EXPECT_THAT(
      [&] {
        x.scatter_add(0, longs({0}, {1, 1}), nnc::ones({1, 1}, nnc::kDouble));
      },
      ThrowsMessage<nnc::Error>(HasSubstr("self.dtype to be equal to "
                                          "src.dtype")));
}

TEST(TensorIndexing, MaskedSelectAndFill) {
  Tensor x = grid();
  EXPECT_TRUE(hasValues(x.masked_select(x > 5), {6}, {6, 7, 8, 9, 10, 11}));
  // The mask broadcasts.
  Tensor rowMask = nnc::tensor({1, 0, 0, 1}, {4}, nnc::kBool);
  EXPECT_TRUE(hasValues(x.masked_select(rowMask), {6}, {0, 3, 4, 7, 8, 11}));
  EXPECT_TRUE(hasValues(x.masked_fill(x < 3, -1), {3, 4},
                        {-1, -1, -1, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  Tensor ints = nnc::arange(4);
  EXPECT_EQ(ints.masked_fill(ints > 1, 2.7).dtype(), nnc::kLong);
  x.masked_fill_(x > 9, 0);
  EXPECT_TRUE(hasValues(x[2], {4}, {8, 9, 0, 0}));
  EXPECT_THAT([&] { x.masked_fill(x, 0); },
              ThrowsMessage<nnc::Error>(HasSubstr("only supports boolean "
                                                  "masks")));
}

TEST(TensorIndexing, CatAndStack) {
  Tensor x = grid();
  Tensor c = nnc::cat({x, x.slice(0, 0, 1)}, 0);
  EXPECT_EQ(c.sizes(), (nnc::IntList{4, 4}));
  EXPECT_TRUE(hasValues(c[3], {4}, {0, 1, 2, 3}));
  Tensor side = nnc::cat({x.narrow(1, 0, 1), x.narrow(1, 3, 1)}, -1);
  EXPECT_TRUE(hasValues(side, {3, 2}, {0, 3, 4, 7, 8, 11}));
  // Dtypes promote; 1-D empty tensors are skipped.
  Tensor mixed =
      nnc::cat({nnc::arange(2), nnc::ones({2}, nnc::kDouble), nnc::zeros({0})});
  EXPECT_EQ(mixed.dtype(), nnc::kDouble);
  EXPECT_TRUE(hasValues(mixed.to(nnc::kFloat), {4}, {0, 1, 1, 1}));
  Tensor s = nnc::stack({x, x}, 1);
  EXPECT_EQ(s.sizes(), (nnc::IntList{3, 2, 4}));
  EXPECT_TRUE(hasValues(s[1][1], {4}, {4, 5, 6, 7}));
  EXPECT_THAT(
      [&] {
        nnc::cat({x, nnc::zeros({3, 3})}, 0);
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("Sizes of tensors must match except in dimension 0. "
                    "Expected size 4 but got size 3 for tensor number 1")));
  EXPECT_THAT(
      [] {
        nnc::stack({nnc::zeros({2}), nnc::zeros({3})});
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("stack expects each tensor to be equal size, but got [2] "
                    "at entry 0 and [3] at entry 1")));
}

TEST(TensorIndexing, SplitAndChunk) {
  Tensor x = grid();
  std::vector<Tensor> pieces = x.split(3, 1);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].sizes(), (nnc::IntList{3, 3}));
  EXPECT_TRUE(hasValues(pieces[1], {3, 1}, {3, 7, 11}));
  EXPECT_TRUE(pieces[1].is_same_storage(x));
  std::vector<Tensor> sized = x.split({1, 2}, 0);
  ASSERT_EQ(sized.size(), 2u);
  EXPECT_EQ(sized[1].sizes(), (nnc::IntList{2, 4}));
  std::vector<Tensor> chunks = x.chunk(2, 0);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].sizes(), (nnc::IntList{2, 4}));
  EXPECT_EQ(chunks[1].sizes(), (nnc::IntList{1, 4}));
  EXPECT_THAT(
      [&] {
        x.split({1, 1}, 0);
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("expects split_sizes to sum exactly to 3")));
  EXPECT_EQ(nnc::zeros({0, 3}).chunk(2).size(), 2u);
  EXPECT_EQ(x.split(5, 1)[0].sizes(), (nnc::IntList{3, 4}));
  EXPECT_THAT([&] { x.chunk(0); },
              ThrowsMessage<nnc::Error>(HasSubstr("greater than 0")));
}

TEST(TensorIndexing, FlattenRangeOfDims) {
  Tensor x = nnc::zeros({2, 3, 4, 5});
  EXPECT_EQ(x.flatten(1).sizes(), (nnc::IntList{2, 60}));
  EXPECT_EQ(x.flatten(1, 2).sizes(), (nnc::IntList{2, 12, 5}));
  EXPECT_EQ(x.flatten(0, -1).sizes(), (nnc::IntList{120}));
  EXPECT_EQ(nnc::scalar_tensor(1).flatten(0).sizes(), (nnc::IntList{1}));
  EXPECT_THAT([&] { x.flatten(2, 1); },
              ThrowsMessage<nnc::Error>(HasSubstr("start_dim cannot come "
                                                  "after end_dim")));
}
