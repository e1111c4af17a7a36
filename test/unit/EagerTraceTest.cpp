//===- test/unit/EagerTraceTest.cpp - What eager ops tell a TraceHook -----===//
//
// A fake hook records kinds, attributes and tensor identities: every public
// op records itself exactly once, never the ops it is built from.
//
//===----------------------------------------------------------------------===//
#include "EagerTestUtil.h"

#include "frontend/TraceHook.h"

#include "gmock/gmock.h"

using nnc::OpKind;
using nnc::Tensor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

using nnc::testing::RecordingHook;

TEST(EagerTrace, NoHookByDefaultAndGuardRestores) {
  EXPECT_EQ(nnc::activeTraceHook(), nullptr);
  RecordingHook outer, inner;
  {
    nnc::TraceHookGuard g1(&outer);
    EXPECT_EQ(nnc::activeTraceHook(), &outer);
    {
      nnc::TraceHookGuard g2(&inner);
      EXPECT_EQ(nnc::activeTraceHook(), &inner);
    }
    EXPECT_EQ(nnc::activeTraceHook(), &outer);
  }
  EXPECT_EQ(nnc::activeTraceHook(), nullptr);
}

TEST(EagerTrace, SmallProgramRecordsItsPublicOps) {
  Tensor x = nnc::ones({2, 3}), w = nnc::ones({3, 4}), b = nnc::ones({4});
  RecordingHook hook;
  Tensor y;
  {
    nnc::TraceHookGuard guard(&hook);
    y = (x.matmul(w) + b).relu().sum({1});
  }
  EXPECT_THAT(hook.kinds(), ElementsAre(OpKind::MatMul, OpKind::Add,
                                        OpKind::Relu, OpKind::Sum));
  // Inputs and outputs chain by identity.
  const auto &ops = hook.ops;
  EXPECT_THAT(ops[0].inputs,
              ElementsAre(x.unsafeGetTensorImpl(), w.unsafeGetTensorImpl()));
  EXPECT_THAT(ops[1].inputs,
              ElementsAre(ops[0].output, b.unsafeGetTensorImpl()));
  EXPECT_THAT(ops[2].inputs, ElementsAre(ops[1].output));
  EXPECT_THAT(ops[3].inputs, ElementsAre(ops[2].output));
  EXPECT_EQ(ops[3].output, y.unsafeGetTensorImpl());
  EXPECT_THAT(ops[3].attrs.dims, ElementsAre(1));
  EXPECT_FALSE(ops[3].attrs.keepdim);
  EXPECT_TRUE(nnc::testing::hasValues(y, {2}, {16, 16}));
}

TEST(EagerTrace, MeanRecordsOnlyMean) {
  Tensor x = nnc::ones({2, 3, 4});
  RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    x.mean({-1, 0}, true);
    x.mean();
  }
  ASSERT_THAT(hook.kinds(), ElementsAre(OpKind::Mean, OpKind::Mean));
  EXPECT_THAT(hook.ops[0].attrs.dims, ElementsAre(0, 2)); // sorted, normalized
  EXPECT_TRUE(hook.ops[0].attrs.keepdim);
  EXPECT_EQ(hook.ops[0].outputShape, (nnc::IntList{1, 3, 1}));
  EXPECT_THAT(hook.ops[1].attrs.dims, ElementsAre(0, 1, 2)); // all dims
  EXPECT_FALSE(hook.ops[1].attrs.keepdim);
}

TEST(EagerTrace, ReductionsAndUnaryKinds) {
  Tensor x = nnc::ones({2, 3});
  RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    x.amax({0});
    x.max();
    x.sum();
    x.neg();
    x.exp();
    x.log();
    x.tanh();
    x.sigmoid();
    -x;
  }
  EXPECT_THAT(hook.kinds(),
              ElementsAre(OpKind::Max, OpKind::Max, OpKind::Sum, OpKind::Neg,
                          OpKind::Exp, OpKind::Log, OpKind::Tanh,
                          OpKind::Sigmoid, OpKind::Neg));
  EXPECT_THAT(hook.ops[0].attrs.dims, ElementsAre(0));
  EXPECT_THAT(hook.ops[1].attrs.dims, ElementsAre(0, 1));
}

TEST(EagerTrace, ScalarOperandRecordsConstantThenOp) {
  Tensor x = nnc::ones({2});
  RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    x + 2.0f;
    3.0f / x;
  }
  ASSERT_THAT(hook.kinds(), ElementsAre(OpKind::Constant, OpKind::Add,
                                        OpKind::Constant, OpKind::Div));
  EXPECT_TRUE(hook.ops[0].outputShape.empty()); // 0-d scalar tensor
  EXPECT_THAT(hook.ops[1].inputs,
              ElementsAre(x.unsafeGetTensorImpl(), hook.ops[0].output));
  EXPECT_THAT(hook.ops[3].inputs,
              ElementsAre(hook.ops[2].output, x.unsafeGetTensorImpl()));
}

TEST(EagerTrace, CreationRecordsConstant) {
  RecordingHook hook;
  float blob[2] = {1, 2};
  {
    nnc::TraceHookGuard guard(&hook);
    nnc::zeros({2});
    nnc::ones({2});
    nnc::full({2}, 1.0f);
    nnc::randn({2});
    nnc::tensor({1, 2});
    nnc::from_blob(blob, {2});
    nnc::empty({2}); // uninitialized memory is not a constant
  }
  EXPECT_THAT(hook.kinds(), ElementsAre(OpKind::Constant, OpKind::Constant,
                                        OpKind::Constant, OpKind::Constant,
                                        OpKind::Constant, OpKind::Constant));
}

TEST(EagerTrace, ViewsRecordReshapeTransposeOrAlias) {
  Tensor x = nnc::zeros({2, 3});
  RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    x.view({3, -1});                  // Reshape [3, 2]
    x.t().reshape({-1});              // Transpose, Reshape [6]
    x.flatten();                      // Reshape [6]
    x.transpose(-1, 0);               // Transpose {0, 1}
    x.unsqueeze(1);                   // Reshape [2, 1, 3]
    x.unsqueeze(0).squeeze(0);        // Reshape, Reshape
    x.contiguous();                   // Alias
    x.t().contiguous();               // Transpose, Alias
    x.clone();                        // Alias
    x.permute({1, 0});                // Transpose {0, 1}
    x.permute({0, 1});                // Alias
    x.unsqueeze(0).expand({1, 2, 3}); // Reshape, Reshape (no stretching)
  }
  EXPECT_THAT(hook.kinds(),
              ElementsAre(OpKind::Reshape, OpKind::Transpose, OpKind::Reshape,
                          OpKind::Reshape, OpKind::Transpose, OpKind::Reshape,
                          OpKind::Reshape, OpKind::Reshape, OpKind::Alias,
                          OpKind::Transpose, OpKind::Alias, OpKind::Alias,
                          OpKind::Transpose, OpKind::Alias, OpKind::Reshape,
                          OpKind::Reshape));
  EXPECT_EQ(hook.ops[0].attrs.shape, (nnc::IntList{3, 2}));
  EXPECT_EQ(hook.ops[2].attrs.shape, (nnc::IntList{6}));
  EXPECT_EQ(hook.ops[3].attrs.shape, (nnc::IntList{6}));
  EXPECT_THAT(hook.ops[4].attrs.dims, ElementsAre(0, 1));
  EXPECT_EQ(hook.ops[5].attrs.shape, (nnc::IntList{2, 1, 3}));
  EXPECT_EQ(hook.ops[7].attrs.shape, (nnc::IntList{2, 3}));
  EXPECT_THAT(hook.ops[12].attrs.dims, ElementsAre(0, 1));
  EXPECT_EQ(hook.ops[15].attrs.shape, (nnc::IntList{1, 2, 3}));
}

TEST(EagerTrace, ExpandAndPermuteRecordTheirKinds) {
  Tensor x = nnc::zeros({1, 3}), y = nnc::zeros({2, 3, 4});
  RecordingHook hook;
  nnc::TraceHookGuard guard(&hook);
  x.expand({4, 3}); // stretches: Expand to the result's shape
  EXPECT_EQ(hook.ops.back().kind, nnc::OpKind::Expand);
  EXPECT_THAT(hook.ops.back().attrs.shape, ElementsAre(4, 3));
  x.expand({1, 1, 3}); // only a leading 1: a reshape
  EXPECT_EQ(hook.ops.back().kind, nnc::OpKind::Reshape);
  y.permute({2, 0, 1});
  EXPECT_EQ(hook.ops.back().kind, nnc::OpKind::Permute);
  EXPECT_THAT(hook.ops.back().attrs.dims, ElementsAre(2, 0, 1));
  y.permute({2, 1, 0}); // a swap of dims 0 and 2
  EXPECT_EQ(hook.ops.back().kind, nnc::OpKind::Transpose);
  EXPECT_THAT(hook.ops.back().attrs.dims, ElementsAre(0, 2));
}

TEST(EagerTrace, InternalOpsAreNotRecorded) {
  // matmul with a 1-D operand and batch broadcast uses unsqueeze, expand,
  // contiguous and view internally; only the MatMul is recorded.
  Tensor a = nnc::ones({3}), b = nnc::ones({2, 3, 4}).transpose(1, 2);
  RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    b.matmul(nnc::ones({3, 5}).t().contiguous().t());
    a.matmul(nnc::ones({2, 3, 4}));
  }
  EXPECT_THAT(hook.kinds(),
              ElementsAre(OpKind::Constant, OpKind::Transpose, OpKind::Alias,
                          OpKind::Transpose, OpKind::MatMul, OpKind::Constant,
                          OpKind::MatMul));
}

} // namespace

//===----------------------------------------------------------------------===//
// Ops added for dtypes and indexing (issue 4)
//===----------------------------------------------------------------------===//

namespace {

TEST(EagerTrace, PromotionIsRecordedAsCastsBeforeTheOp) {
  Tensor i = nnc::arange(3), f = nnc::ones({3});
  RecordingHook hook;
  Tensor y;
  {
    nnc::TraceHookGuard guard(&hook);
    y = i * f;
  }
  ASSERT_THAT(hook.kinds(), ElementsAre(OpKind::Cast, OpKind::Mul));
  EXPECT_EQ(hook.ops[0].attrs.dtype, nnc::kFloat);
  EXPECT_THAT(hook.ops[0].inputs, ElementsAre(i.unsafeGetTensorImpl()));
  EXPECT_THAT(hook.ops[1].inputs,
              ElementsAre(hook.ops[0].output, f.unsafeGetTensorImpl()));
  EXPECT_EQ(hook.ops[1].output, y.unsafeGetTensorImpl());
}

TEST(EagerTrace, ViewsAndIndexingRecordTheirAttributes) {
  Tensor x = nnc::ones({3, 4});
  Tensor index = nnc::tensor(std::vector<int64_t>{2, 0});
  RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    x.slice(1, -3, std::nullopt, 2);
    x.select(0, -1);
    x.index_select(1, index);
    nnc::cat({x, x}, -1);
    x.max(1);
    (x > 0).any(0, true);
    x.clamp(std::nullopt, 2);
  }
  ASSERT_THAT(hook.kinds(),
              ElementsAre(OpKind::Slice, OpKind::Select, OpKind::IndexSelect,
                          OpKind::Cat, OpKind::Max, OpKind::ArgMax,
                          OpKind::Constant, OpKind::Gt, OpKind::Any,
                          OpKind::Clamp));
  const auto &ops = hook.ops;
  // Normalized: start 1, end 4, step 2 along dim 1.
  EXPECT_THAT(ops[0].attrs.dims, ElementsAre(1));
  EXPECT_EQ(ops[0].attrs.start, 1);
  EXPECT_EQ(ops[0].attrs.end, 4);
  EXPECT_EQ(ops[0].attrs.step, 2);
  EXPECT_EQ(ops[0].outputShape, (nnc::IntList{3, 2}));
  EXPECT_THAT(ops[1].attrs.dims, ElementsAre(0));
  EXPECT_EQ(ops[1].attrs.start, 2);
  EXPECT_THAT(ops[2].inputs, ElementsAre(x.unsafeGetTensorImpl(),
                                         index.unsafeGetTensorImpl()));
  EXPECT_THAT(ops[3].attrs.dims, ElementsAre(1));
  EXPECT_EQ(ops[3].inputs.size(), 2u);
  EXPECT_THAT(ops[5].attrs.dims, ElementsAre(1));
  EXPECT_TRUE(ops[8].attrs.keepdim);
  EXPECT_FALSE(ops[9].attrs.min.has_value());
  EXPECT_EQ(ops[9].attrs.max, 2.0);
}

TEST(EagerTrace, CompositeOpsRecordTheirParts) {
  Tensor x = nnc::ones({2, 3});
  RecordingHook hook;
  {
    nnc::TraceHookGuard guard(&hook);
    x.chunk(3, 1);
    nnc::stack({x, x});
  }
  EXPECT_THAT(hook.kinds(),
              ElementsAre(OpKind::Slice, OpKind::Slice, OpKind::Slice,
                          OpKind::Reshape, OpKind::Reshape, OpKind::Cat));
}

} // namespace

TEST(EagerTrace, OpKindsHaveLibtorchNames) {
  EXPECT_STREQ(nnc::toString(OpKind::IndexSelect), "index_select");
  EXPECT_STREQ(nnc::toString(OpKind::Cast), "to");
  EXPECT_STREQ(nnc::toString(OpKind::LogSoftmax), "log_softmax");
}
