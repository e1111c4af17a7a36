//===- test/unit/NNBuildersTest.cpp - nn op builders from C++ -------------===//
//
// The tracer builds nn ops from C++ with inferred result types; a shape
// error must come back as a diagnostic and a failing verifier, never abort.
//
//===----------------------------------------------------------------------===//
#include "ir/NNDialect.h"
#include "ir/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mlir;

namespace {

class NNBuilders : public ::testing::Test {
protected:
  NNBuilders() : builder(&context) {
    context.loadDialect<nn::NNDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
    func = func::FuncOp::create(builder, loc(), "f",
                                builder.getFunctionType({}, {}));
    block = func.addEntryBlock();
    builder.setInsertionPointToEnd(block);
  }

  Location loc() { return builder.getUnknownLoc(); }
  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }
  Value arg(RankedTensorType type) { return block->addArgument(type, loc()); }
  void finishFunction() {
    func.setFunctionType(
        builder.getFunctionType(block->getArgumentTypes(), {}));
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
  Block *block = nullptr;
};

TEST_F(NNBuilders, InferResultTypes) {
  Value x = arg(f32({ShapedType::kDynamic, 3}));
  Value bias = arg(f32({3}));
  Value w = arg(f32({4, 3}));

  auto add = nn::AddOp::create(builder, loc(), x, bias);
  EXPECT_EQ(add.getType(), f32({ShapedType::kDynamic, 3}));
  auto wt = nn::TransposeOp::create(builder, loc(), w, 0, 1);
  EXPECT_EQ(wt.getType(), f32({3, 4}));
  auto mm = nn::MatMulOp::create(builder, loc(), add, wt);
  EXPECT_EQ(mm.getType(), f32({ShapedType::kDynamic, 4}));
  auto relu = nn::ReluOp::create(builder, loc(), mm);
  EXPECT_EQ(relu.getType(), mm.getType());
  auto sum = nn::SumOp::create(builder, loc(), relu, {1}, /*keepdim=*/true);
  EXPECT_EQ(sum.getType(), f32({ShapedType::kDynamic, 1}));
  auto mean = nn::MeanOp::create(builder, loc(), relu, {0, 1});
  EXPECT_EQ(mean.getType(), f32({}));
  auto max =
      nn::MaxOp::create(builder, loc(), relu, std::vector<int64_t>{0}, false);
  EXPECT_EQ(max.getType(), f32({4}));
  auto reshape = nn::ReshapeOp::create(builder, loc(), f32({12}), w);
  EXPECT_EQ(reshape.getType(), f32({12}));
  auto constant = nn::ConstantOp::create(
      builder, loc(), DenseElementsAttr::get(f32({2}), ArrayRef<float>{1, 2}));
  EXPECT_EQ(constant.getType(), f32({2}));
  auto exp = nn::ExpOp::create(builder, loc(), constant);
  EXPECT_EQ(exp.getType(), f32({2}));
  func::ReturnOp::create(builder, loc());
  finishFunction();
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(NNBuilders, ShapeErrorIsADiagnosticNotAnAbort) {
  std::vector<std::string> messages;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    messages.push_back(diagnostic.str());
    return success();
  });
  Value a = arg(f32({4, 3}));
  Value b = arg(f32({5, 2}));
  auto mm = nn::MatMulOp::create(builder, loc(), a, b);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("inner dims do not match"), std::string::npos);
  // The failed op takes its lhs type, so typed accessors keep working.
  EXPECT_EQ(mm.getType(), f32({4, 3}));

  nn::TransposeOp::create(builder, loc(), a, 0, 7);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(messages[1].find("dim1 = 7 is out of range"), std::string::npos);

  nn::SumOp::create(builder, loc(), a, {1, 0});
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_NE(messages[2].find("must be sorted and unique"), std::string::npos);

  // Building on the failed op raises no second error; verification fails
  // at the culprit.
  nn::AddOp::create(builder, loc(), mm, a);
  EXPECT_EQ(messages.size(), 3u);
  func::ReturnOp::create(builder, loc());
  finishFunction();
  EXPECT_TRUE(failed(verify(*module)));
  ASSERT_GE(messages.size(), 4u);
  EXPECT_NE(messages[3].find("inner dims do not match"), std::string::npos);
}

TEST_F(NNBuilders, InferTrainingOpTypes) {
  Value x = arg(f32({ShapedType::kDynamic, 10}));
  Value target =
      arg(RankedTensorType::get({ShapedType::kDynamic}, builder.getI64Type()));
  Value y = arg(f32({4, 1}));
  Value t = arg(f32({4, 1}));

  auto pow = nn::PowOp::create(builder, loc(), x, 2.0);
  EXPECT_EQ(pow.getType(), x.getType());
  EXPECT_EQ(pow.getExponent().convertToDouble(), 2.0);
  EXPECT_EQ(nn::SqrtOp::create(builder, loc(), x).getType(), x.getType());
  auto softmax = nn::SoftmaxOp::create(builder, loc(), x, 1);
  EXPECT_EQ(softmax.getType(), x.getType());
  EXPECT_EQ(softmax.getDim(), 1u);
  EXPECT_EQ(nn::LogSoftmaxOp::create(builder, loc(), x, 0).getType(),
            x.getType());

  auto meanLoss = nn::CrossEntropyOp::create(builder, loc(), x, target,
                                             nn::Reduction::Mean);
  EXPECT_EQ(meanLoss.getType(), f32({}));
  EXPECT_EQ(meanLoss.getReduction(), nn::Reduction::Mean);
  auto rowLosses = nn::CrossEntropyOp::create(builder, loc(), x, target,
                                              nn::Reduction::None);
  EXPECT_EQ(rowLosses.getType(), f32({ShapedType::kDynamic}));
  EXPECT_EQ(
      nn::MSELossOp::create(builder, loc(), y, t, nn::Reduction::Sum).getType(),
      f32({}));
  EXPECT_EQ(nn::MSELossOp::create(builder, loc(), y, t, nn::Reduction::None)
                .getType(),
            f32({4, 1}));

  Value row = arg(f32({1, 10}));
  EXPECT_EQ(nn::BroadcastToOp::create(builder, loc(), row, x).getType(),
            x.getType());
  EXPECT_EQ(nn::EqualMaskOp::create(builder, loc(), x, row).getType(),
            x.getType());
  EXPECT_EQ(nn::ReluGradOp::create(builder, loc(), x, x).getType(),
            x.getType());
  EXPECT_EQ(nn::CrossEntropyGradOp::create(builder, loc(), meanLoss, x, target,
                                           nn::Reduction::Mean)
                .getType(),
            x.getType());
  func::ReturnOp::create(builder, loc());
  finishFunction();
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(NNBuilders, TrainingOpShapeErrorsAreDiagnostics) {
  std::vector<std::string> messages;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    messages.push_back(diagnostic.str());
    return success();
  });
  Value logits = arg(f32({4, 10}));
  Value target = arg(RankedTensorType::get({5}, builder.getI64Type()));
  nn::SoftmaxOp::create(builder, loc(), logits, 2);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("dim = 2 is out of range"), std::string::npos);
  nn::CrossEntropyOp::create(builder, loc(), logits, target,
                             nn::Reduction::Mean);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(messages[1].find("have 4 rows but target"), std::string::npos);
  nn::BroadcastToOp::create(builder, loc(), logits, target);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_NE(messages[2].find("cannot broadcast"), std::string::npos);
  func::ReturnOp::create(builder, loc());
  finishFunction();
  EXPECT_TRUE(failed(verify(*module)));
}

TEST_F(NNBuilders, InferTensorOpTypes) {
  Type i1 = builder.getI1Type(), i64 = builder.getI64Type();
  Value x = arg(f32({ShapedType::kDynamic, 8}));
  Value row = arg(f32({8}));
  Value ids = arg(RankedTensorType::get({3}, i64));
  Value v = arg(f32({8}));

  auto half = nn::ConvertOp::create(builder, loc(), x, builder.getF16Type());
  EXPECT_EQ(half.getType(), RankedTensorType::get({ShapedType::kDynamic, 8},
                                                  builder.getF16Type()));
  auto mask = nn::GtOp::create(builder, loc(), x, row);
  EXPECT_EQ(mask.getType(),
            RankedTensorType::get({ShapedType::kDynamic, 8}, i1));
  EXPECT_EQ(nn::WhereOp::create(builder, loc(), mask, row, x).getType(),
            x.getType());
  auto clamp = nn::ClampOp::create(builder, loc(), x, 0.0, std::nullopt);
  EXPECT_EQ(clamp.getType(), x.getType());
  EXPECT_FALSE(clamp.getMax());
  auto slice = nn::SliceOp::create(builder, loc(), x, 1, 1, 8, 3);
  EXPECT_EQ(slice.getType(), f32({ShapedType::kDynamic, 3}));
  EXPECT_EQ(
      nn::SliceGradOp::create(builder, loc(), slice, x, 1, 1, 8, 3).getType(),
      x.getType());
  EXPECT_EQ(
      nn::ConcatOp::create(builder, loc(), ValueRange{x, slice}, 1).getType(),
      f32({ShapedType::kDynamic, 11}));
  EXPECT_EQ(nn::PermuteOp::create(builder, loc(), x, {1, 0}).getType(),
            f32({8, ShapedType::kDynamic}));
  EXPECT_EQ(nn::IndexSelectOp::create(builder, loc(), x, ids, 1).getType(),
            f32({ShapedType::kDynamic, 3}));
  EXPECT_EQ(nn::VarOp::create(builder, loc(), x, {1}, 1, true).getType(),
            f32({ShapedType::kDynamic, 1}));
  EXPECT_EQ(nn::ArgMaxOp::create(builder, loc(), x, 1).getType(),
            RankedTensorType::get({ShapedType::kDynamic}, i64));
  EXPECT_EQ(nn::AnyOp::create(builder, loc(), mask, {0, 1}).getType(),
            RankedTensorType::get({}, i1));
  EXPECT_EQ(nn::MatMulOp::create(builder, loc(), v, v).getType(), f32({}));
  EXPECT_EQ(nn::MatMulOp::create(builder, loc(), x, v).getType(),
            f32({ShapedType::kDynamic}));
  func::ReturnOp::create(builder, loc());
  finishFunction();
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(NNBuilders, TensorOpErrorsAreDiagnostics) {
  std::vector<std::string> messages;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    messages.push_back(diagnostic.str());
    return success();
  });
  Value x = arg(f32({4, 8}));
  nn::ConcatOp::create(builder, loc(), ValueRange{}, 0);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("'nn.concat' op needs an operand"),
            std::string::npos);
  nn::SliceOp::create(builder, loc(), x, 1, 2, 9);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(messages[1].find("[start, end) = [2, 9) is not within [0, 8]"),
            std::string::npos);
  nn::PermuteOp::create(builder, loc(), x, {1});
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_NE(messages[2].find("are not a permutation"), std::string::npos);
  func::ReturnOp::create(builder, loc());
  finishFunction();
  EXPECT_TRUE(failed(verify(*module)));
}

} // namespace
