//===- test/unit/AutodiffTests.cpp - every VJP against finite differences -===//
//
// For every differentiable nn op: a small f64 function of it, its gradient
// function from nn-autodiff, both JIT-compiled; the compiled gradients must
// match central differences of the compiled forward function (DESIGN.md
// section 9). Each op's output is weighted by a non-uniform seed argument
// before summing, so every output element gets a different gradient and a
// VJP that mixes elements up fails.
//
//===----------------------------------------------------------------------===//
#include "AutodiffHarness.h"

#include "ir/NNDialect.h"
#include "passes/Autodiff.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using nnc::testing::GradientChecker;
using nnc::testing::gradientsMatchFiniteDifferences;
using nnc::testing::HostTensor;

namespace {

/// `func.func @f(<args>, %seed: <yType>) -> tensor<f64>`: runs `body`,
/// which defines `%y : <yType>`, and returns sum(%y * %seed).
std::string weightedLoss(const std::string &args, const std::string &body,
                         const std::string &yType, int yRank) {
  std::string dims;
  for (int d = 0; d < yRank; ++d)
    dims += (d ? ", " : "") + std::to_string(d);
  std::string source = "func.func @f(" + args + ", %seed: " + yType +
                       ") -> tensor<f64> {\n" + body + "\n";
  source += "  %weighted = nn.mul %y, %seed : " + yType + ", " + yType + "\n";
  if (yRank == 0)
    return source + "  return %weighted : tensor<f64>\n}\n";
  source +=
      "  %loss = nn.sum %weighted dims = [" + dims + "] : " + yType + "\n";
  return source + "  return %loss : tensor<f64>\n}\n";
}

/// Compiles `source`'s @f and its gradient and compares the gradients with
/// central differences on inputs spread over [low, high).
void expectGradientsMatch(const std::string &source, double low, double high,
                          int64_t classes = 1) {
  GradientChecker checker(source, "f");
  ASSERT_FALSE(checker.wrtArgs().empty()) << "no argument is differentiated";
  EXPECT_TRUE(gradientsMatchFiniteDifferences(
      checker, checker.makeInputs(low, high, classes)));
}

const std::string kMatrix = "tensor<2x3xf64>";

std::string unaryCase(const std::string &op) {
  return weightedLoss("%x: tensor<2x3xf64> {nn.requires_grad}",
                      "  %y = nn." + op + " %x : tensor<2x3xf64>", kMatrix, 2);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

TEST(Autodiff, AddBroadcastReducesToEachOperand) {
  expectGradientsMatch(
      weightedLoss("%a: tensor<2x3xf64> {nn.requires_grad}, "
                   "%b: tensor<3xf64> {nn.requires_grad}",
                   "  %y = nn.add %a, %b : tensor<2x3xf64>, tensor<3xf64>",
                   kMatrix, 2),
      -1.0, 1.0);
}

TEST(Autodiff, SubBroadcastStretchedAndMissingDims) {
  expectGradientsMatch(
      weightedLoss("%a: tensor<2x1x3xf64> {nn.requires_grad}, "
                   "%b: tensor<4x1xf64> {nn.requires_grad}",
                   "  %y = nn.sub %a, %b : tensor<2x1x3xf64>, tensor<4x1xf64>",
                   "tensor<2x4x3xf64>", 3),
      -1.0, 1.0);
}

TEST(Autodiff, MulBroadcast) {
  expectGradientsMatch(
      weightedLoss("%a: tensor<2x3xf64> {nn.requires_grad}, "
                   "%b: tensor<2x1xf64> {nn.requires_grad}",
                   "  %y = nn.mul %a, %b : tensor<2x3xf64>, tensor<2x1xf64>",
                   kMatrix, 2),
      -1.0, 1.0);
}

TEST(Autodiff, DivBroadcast) {
  expectGradientsMatch(
      weightedLoss("%a: tensor<2x3xf64> {nn.requires_grad}, "
                   "%b: tensor<3xf64> {nn.requires_grad}",
                   "  %y = nn.div %a, %b : tensor<2x3xf64>, tensor<3xf64>",
                   kMatrix, 2),
      0.5, 2.0);
}

TEST(Autodiff, Neg) { expectGradientsMatch(unaryCase("neg"), -1.0, 1.0); }
TEST(Autodiff, Exp) { expectGradientsMatch(unaryCase("exp"), -1.0, 1.0); }
TEST(Autodiff, Log) { expectGradientsMatch(unaryCase("log"), 0.5, 2.0); }
TEST(Autodiff, Tanh) { expectGradientsMatch(unaryCase("tanh"), -1.5, 1.5); }
TEST(Autodiff, Sigmoid) {
  expectGradientsMatch(unaryCase("sigmoid"), -2.0, 2.0);
}
TEST(Autodiff, Relu) {
  // The generated inputs avoid 0, where relu has no derivative.
  expectGradientsMatch(unaryCase("relu"), -1.0, 1.0);
}
TEST(Autodiff, Sqrt) { expectGradientsMatch(unaryCase("sqrt"), 0.5, 2.0); }
TEST(Autodiff, Erf) { expectGradientsMatch(unaryCase("erf"), -2.0, 2.0); }

TEST(Autodiff, PowSpecialAndGeneralExponents) {
  for (const char *exponent : {"2.0", "3.0", "0.5", "-1.5", "1.0"}) {
    SCOPED_TRACE(std::string("exponent ") + exponent);
    expectGradientsMatch(
        weightedLoss("%x: tensor<2x3xf64> {nn.requires_grad}",
                     std::string("  %y = nn.pow %x, exponent = ") + exponent +
                         " : tensor<2x3xf64>",
                     kMatrix, 2),
        0.5, 2.0);
  }
}

TEST(Autodiff, PowZeroExponentHasZeroGradient) {
  GradientChecker checker(
      weightedLoss("%x: tensor<2x3xf64> {nn.requires_grad}",
                   "  %y = nn.pow %x, exponent = 0.0 : tensor<2x3xf64>",
                   kMatrix, 2),
      "f");
  std::vector<HostTensor> inputs = checker.makeInputs(0.5, 2.0);
  std::vector<HostTensor> grads = checker.runGradients(inputs);
  EXPECT_EQ(grads.front().f64, std::vector<double>(6, 0.0));
  EXPECT_TRUE(gradientsMatchFiniteDifferences(checker, inputs));
}

TEST(Autodiff, ValueUsedTwiceAccumulates) {
  // y = x * x + x: d/dx = 2x + 1, from three uses of x.
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3xf64> {nn.requires_grad}",
                   "  %sq = nn.mul %x, %x : tensor<2x3xf64>, tensor<2x3xf64>\n"
                   "  %y = nn.add %sq, %x : tensor<2x3xf64>, tensor<2x3xf64>",
                   kMatrix, 2),
      -1.0, 1.0);
}

//===----------------------------------------------------------------------===//
// Matmul and shape ops
//===----------------------------------------------------------------------===//

TEST(Autodiff, MatMul) {
  expectGradientsMatch(
      weightedLoss("%a: tensor<2x4xf64> {nn.requires_grad}, "
                   "%b: tensor<4x3xf64> {nn.requires_grad}",
                   "  %y = nn.matmul %a, %b : tensor<2x4xf64>, tensor<4x3xf64>",
                   kMatrix, 2),
      -1.0, 1.0);
}

TEST(Autodiff, MatMulBatchedLhsSharedWeight) {
  expectGradientsMatch(
      weightedLoss(
          "%a: tensor<2x3x4xf64> {nn.requires_grad}, "
          "%b: tensor<4x2xf64> {nn.requires_grad}",
          "  %y = nn.matmul %a, %b : tensor<2x3x4xf64>, tensor<4x2xf64>",
          "tensor<2x3x2xf64>", 3),
      -1.0, 1.0);
}

TEST(Autodiff, MatMulBroadcastBatchDims) {
  expectGradientsMatch(
      weightedLoss(
          "%a: tensor<2x1x3x4xf64> {nn.requires_grad}, "
          "%b: tensor<3x4x2xf64> {nn.requires_grad}",
          "  %y = nn.matmul %a, %b : tensor<2x1x3x4xf64>, tensor<3x4x2xf64>",
          "tensor<2x3x3x2xf64>", 4),
      -1.0, 1.0);
}

TEST(Autodiff, Transpose) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3x4xf64> {nn.requires_grad}",
                   "  %y = nn.transpose %x, dim0 = 0, dim1 = 2 : "
                   "tensor<2x3x4xf64>",
                   "tensor<4x3x2xf64>", 3),
      -1.0, 1.0);
}

TEST(Autodiff, Reshape) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3xf64> {nn.requires_grad}",
                   "  %y = nn.reshape %x : tensor<2x3xf64> -> tensor<3x2xf64>",
                   "tensor<3x2xf64>", 2),
      -1.0, 1.0);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

TEST(Autodiff, SumWithAndWithoutKeepdim) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3x4xf64> {nn.requires_grad}",
                   "  %y = nn.sum %x dims = [0, 2] : tensor<2x3x4xf64>",
                   "tensor<3xf64>", 1),
      -1.0, 1.0);
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3x4xf64> {nn.requires_grad}",
                   "  %y = nn.sum %x dims = [1] keepdim : tensor<2x3x4xf64>",
                   "tensor<2x1x4xf64>", 3),
      -1.0, 1.0);
}

TEST(Autodiff, MeanWithAndWithoutKeepdim) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3x4xf64> {nn.requires_grad}",
                   "  %y = nn.mean %x dims = [1, 2] : tensor<2x3x4xf64>",
                   "tensor<2xf64>", 1),
      -1.0, 1.0);
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3xf64> {nn.requires_grad}",
                   "  %y = nn.mean %x dims = [0, 1] keepdim : tensor<2x3xf64>",
                   "tensor<1x1xf64>", 2),
      -1.0, 1.0);
}

TEST(Autodiff, MaxWithAndWithoutKeepdim) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3x4xf64> {nn.requires_grad}",
                   "  %y = nn.max %x dims = [2] : tensor<2x3x4xf64>",
                   "tensor<2x3xf64>", 2),
      -1.0, 1.0);
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3xf64> {nn.requires_grad}",
                   "  %y = nn.max %x dims = [0] keepdim : tensor<2x3xf64>",
                   "tensor<1x3xf64>", 2),
      -1.0, 1.0);
}

TEST(Autodiff, MaxSharesTheGradientAmongTies) {
  // torch.amax: each of the k tied maxima gets 1/k of the gradient.
  GradientChecker checker(
      weightedLoss("%x: tensor<1x4xf64> {nn.requires_grad}",
                   "  %y = nn.max %x dims = [1] : tensor<1x4xf64>",
                   "tensor<1xf64>", 1),
      "f");
  std::vector<HostTensor> inputs = {
      HostTensor::ofF64({1, 4}, {2.0, 5.0, -1.0, 5.0}),
      HostTensor::ofF64({1}, {3.0})};
  std::vector<HostTensor> grads = checker.runGradients(inputs);
  EXPECT_EQ(grads.front().f64, (std::vector<double>{0.0, 1.5, 0.0, 1.5}));
}

//===----------------------------------------------------------------------===//
// Softmax and losses
//===----------------------------------------------------------------------===//

TEST(Autodiff, SoftmaxAlongEachDim) {
  for (const char *dim : {"0", "1"}) {
    SCOPED_TRACE(std::string("dim ") + dim);
    expectGradientsMatch(
        weightedLoss("%x: tensor<3x4xf64> {nn.requires_grad}",
                     std::string("  %y = nn.softmax %x dim = ") + dim +
                         " : tensor<3x4xf64>",
                     "tensor<3x4xf64>", 2),
        -2.0, 2.0);
  }
}

TEST(Autodiff, LogSoftmaxAlongEachDim) {
  for (const char *dim : {"0", "1"}) {
    SCOPED_TRACE(std::string("dim ") + dim);
    expectGradientsMatch(
        weightedLoss("%x: tensor<3x4xf64> {nn.requires_grad}",
                     std::string("  %y = nn.log_softmax %x dim = ") + dim +
                         " : tensor<3x4xf64>",
                     "tensor<3x4xf64>", 2),
        -2.0, 2.0);
  }
}

TEST(Autodiff, CrossEntropyEachReduction) {
  for (const char *reduction : {"mean", "sum"}) {
    SCOPED_TRACE(reduction);
    expectGradientsMatch(
        weightedLoss("%logits: tensor<4x5xf64> {nn.requires_grad}, "
                     "%target: tensor<4xi64>",
                     std::string("  %y = nn.cross_entropy %logits, %target "
                                 "reduction = ") +
                         reduction + " : tensor<4x5xf64>, tensor<4xi64>",
                     "tensor<f64>", 0),
        -2.0, 2.0, /*classes=*/5);
  }
  expectGradientsMatch(
      weightedLoss("%logits: tensor<4x5xf64> {nn.requires_grad}, "
                   "%target: tensor<4xi64>",
                   "  %y = nn.cross_entropy %logits, %target reduction = none "
                   ": tensor<4x5xf64>, tensor<4xi64>",
                   "tensor<4xf64>", 1),
      -2.0, 2.0, /*classes=*/5);
}

TEST(Autodiff, MSELossEachReductionBothOperands) {
  for (const char *reduction : {"mean", "sum"}) {
    SCOPED_TRACE(reduction);
    expectGradientsMatch(
        weightedLoss("%input: tensor<3x2xf64> {nn.requires_grad}, "
                     "%target: tensor<3x2xf64> {nn.requires_grad}",
                     std::string("  %y = nn.mse_loss %input, %target "
                                 "reduction = ") +
                         reduction + " : tensor<3x2xf64>, tensor<3x2xf64>",
                     "tensor<f64>", 0),
        -1.0, 1.0);
  }
  expectGradientsMatch(
      weightedLoss("%input: tensor<3x2xf64> {nn.requires_grad}, "
                   "%target: tensor<3x2xf64> {nn.requires_grad}",
                   "  %y = nn.mse_loss %input, %target reduction = none : "
                   "tensor<3x2xf64>, tensor<3x2xf64>",
                   "tensor<3x2xf64>", 2),
      -1.0, 1.0);
}

TEST(Autodiff, BroadcastToSecondOrderOp) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<1x3xf64> {nn.requires_grad}, "
                   "%like: tensor<2x3xf64>",
                   "  %y = nn.broadcast_to %x like %like : tensor<1x3xf64>, "
                   "tensor<2x3xf64>",
                   kMatrix, 2),
      -1.0, 1.0);
}

TEST(Autodiff, LossForwardValuesMatchReference) {
  // The checks above compare gradients with the compiled forward function;
  // this pins the forward functions themselves to hand-computed values.
  GradientChecker checker(R"mlir(
func.func @f(%logits: tensor<2x3xf64> {nn.requires_grad}, %target: tensor<2xi64>,
             %a: tensor<2x3xf64>, %b: tensor<2x3xf64>)
    -> (tensor<f64>, tensor<2xf64>, tensor<f64>, tensor<2x3xf64>) {
  %ce = nn.cross_entropy %logits, %target reduction = mean : tensor<2x3xf64>, tensor<2xi64>
  %rows = nn.cross_entropy %logits, %target reduction = none : tensor<2x3xf64>, tensor<2xi64>
  %mse = nn.mse_loss %a, %b reduction = mean : tensor<2x3xf64>, tensor<2x3xf64>
  %p = nn.softmax %logits dim = 1 : tensor<2x3xf64>
  return %ce, %rows, %mse, %p : tensor<f64>, tensor<2xf64>, tensor<f64>, tensor<2x3xf64>
})mlir",
                          "f");
  std::vector<double> logits = {1.0, 2.0, 3.0, -1.0, 0.5, 1000.0};
  std::vector<HostTensor> inputs = {
      HostTensor::ofF64({2, 3}, logits), HostTensor::ofI64({2}, {0, 2}),
      HostTensor::ofF64({2, 3}, {1, 2, 3, 4, 5, 6}),
      HostTensor::ofF64({2, 3}, {1, 0, 3, 4, 8, 6})};
  std::vector<HostTensor> results = checker.runForward(inputs);
  // Row 0: logsumexp(1, 2, 3) - 1. Row 1: a large logit stays finite
  // (max subtraction): logsumexp = 1000 + log(1 + e^-1001 + e^-999.5).
  double row0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 1.0;
  double row1 =
      1000.0 + std::log1p(std::exp(-1001.0) + std::exp(-999.5)) - 1000.0;
  EXPECT_NEAR(results[1].f64[0], row0, 1e-12);
  EXPECT_NEAR(results[1].f64[1], row1, 1e-12);
  EXPECT_NEAR(results[0].f64[0], (row0 + row1) / 2, 1e-12);
  EXPECT_NEAR(results[2].f64[0], (4.0 + 9.0) / 6.0, 1e-12);
  double sum0 = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(results[3].f64[2], std::exp(3.0) / sum0, 1e-12);
  EXPECT_NEAR(results[3].f64[5], 1.0, 1e-12);

  // A class index outside [0, C) makes that row's loss (and the mean) NaN
  // instead of reading out of bounds.
  inputs[1] = HostTensor::ofI64({2}, {0, 3});
  results = checker.runForward(inputs);
  EXPECT_FALSE(std::isnan(results[1].f64[0]));
  EXPECT_TRUE(std::isnan(results[1].f64[1]));
  EXPECT_TRUE(std::isnan(results[0].f64[0]));
  EXPECT_TRUE(std::isnan(checker.runGradients(inputs).front().f64[3]));
}

//===----------------------------------------------------------------------===//
// Whole models
//===----------------------------------------------------------------------===//

// A two-layer classifier as nn::Linear traces it (x @ W^T + b), trained
// with cross-entropy: every parameter's gradient at once.
constexpr const char *kMLPClassifier = R"mlir(
func.func @f(%x: tensor<6x4xf64>, %target: tensor<6xi64>,
             %w1: tensor<5x4xf64> {nn.requires_grad},
             %b1: tensor<5xf64> {nn.requires_grad},
             %w2: tensor<3x5xf64> {nn.requires_grad},
             %b2: tensor<3xf64> {nn.requires_grad}) -> (tensor<f64>, tensor<6x3xf64>) {
  %w1t = nn.transpose %w1, dim0 = 0, dim1 = 1 : tensor<5x4xf64>
  %h = nn.matmul %x, %w1t : tensor<6x4xf64>, tensor<4x5xf64>
  %hb = nn.add %h, %b1 : tensor<6x5xf64>, tensor<5xf64>
  %a = nn.tanh %hb : tensor<6x5xf64>
  %w2t = nn.transpose %w2, dim0 = 0, dim1 = 1 : tensor<3x5xf64>
  %o = nn.matmul %a, %w2t : tensor<6x5xf64>, tensor<5x3xf64>
  %logits = nn.add %o, %b2 : tensor<6x3xf64>, tensor<3xf64>
  %loss = nn.cross_entropy %logits, %target reduction = mean : tensor<6x3xf64>, tensor<6xi64>
  return %loss, %logits : tensor<f64>, tensor<6x3xf64>
}
)mlir";

TEST(Autodiff, MLPClassifierWithCrossEntropy) {
  GradientChecker checker(kMLPClassifier, "f");
  EXPECT_EQ(checker.wrtArgs(), (std::vector<unsigned>{2, 3, 4, 5}));
  EXPECT_TRUE(gradientsMatchFiniteDifferences(
      checker, checker.makeInputs(-1.0, 1.0, /*classes=*/3)));
}

// A regressor with relu, a squared error and a parameter the loss does not
// depend on (its gradient is zeros).
constexpr const char *kMLPRegressor = R"mlir(
func.func @f(%x: tensor<4x3xf64>, %y: tensor<4x1xf64>,
             %w1: tensor<3x5xf64> {nn.requires_grad},
             %b1: tensor<5xf64> {nn.requires_grad},
             %w2: tensor<5x1xf64> {nn.requires_grad},
             %unused: tensor<2xf64> {nn.requires_grad}) -> tensor<f64> {
  %h = nn.matmul %x, %w1 : tensor<4x3xf64>, tensor<3x5xf64>
  %hb = nn.add %h, %b1 : tensor<4x5xf64>, tensor<5xf64>
  %a = nn.relu %hb : tensor<4x5xf64>
  %p = nn.matmul %a, %w2 : tensor<4x5xf64>, tensor<5x1xf64>
  %loss = nn.mse_loss %p, %y reduction = mean : tensor<4x1xf64>, tensor<4x1xf64>
  return %loss : tensor<f64>
}
)mlir";

TEST(Autodiff, MLPRegressorWithMSEAndAnUnusedParameter) {
  GradientChecker checker(kMLPRegressor, "f");
  std::vector<HostTensor> inputs = checker.makeInputs(-1.0, 1.0);
  EXPECT_TRUE(gradientsMatchFiniteDifferences(checker, inputs));
  EXPECT_EQ(checker.runGradients(inputs).back().f64,
            (std::vector<double>{0.0, 0.0}));
}

//===----------------------------------------------------------------------===//
// Dtype, selection, slicing and gather ops
//===----------------------------------------------------------------------===//

TEST(Autodiff, Abs) { expectGradientsMatch(unaryCase("abs"), -1.0, 1.0); }

TEST(Autodiff, ClampPassesGradientInsideTheBounds) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3xf64> {nn.requires_grad}",
                   "  %y = nn.clamp %x min = -0.45 max = 0.55 : "
                   "tensor<2x3xf64>",
                   kMatrix, 2),
      -1.0, 1.0);
}

TEST(Autodiff, PowTensorBaseAndExponent) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3xf64> {nn.requires_grad}, "
                   "%e: tensor<3xf64> {nn.requires_grad}",
                   "  %y = nn.pow_tensor %x, %e : tensor<2x3xf64>, "
                   "tensor<3xf64>",
                   kMatrix, 2),
      0.5, 2.0);
}

TEST(Autodiff, WhereOfAComparison) {
  // max(a, b) spelled as where(a > b, a, b), with b broadcast.
  expectGradientsMatch(
      weightedLoss(
          "%a: tensor<2x3xf64> {nn.requires_grad}, "
          "%b: tensor<3xf64> {nn.requires_grad}",
          "  %c = nn.gt %a, %b : tensor<2x3xf64>, tensor<3xf64>\n"
          "  %y = nn.where %c, %a, %b : tensor<2x3xi1>, tensor<2x3xf64>, "
          "tensor<3xf64>",
          kMatrix, 2),
      -1.0, 1.0);
}

TEST(Autodiff, ConvertRoundTripPassesTheGradientConverted) {
  // f64 -> f32 -> f64: the gradient is the seed, rounded to f32 on the way
  // back (finite differences of a rounding function are useless here).
  GradientChecker checker(
      weightedLoss("%x: tensor<2x3xf64> {nn.requires_grad}",
                   "  %h = nn.convert %x : tensor<2x3xf64> -> tensor<2x3xf32>\n"
                   "  %y = nn.convert %h : tensor<2x3xf32> -> tensor<2x3xf64>",
                   kMatrix, 2),
      "f");
  std::vector<HostTensor> inputs = checker.makeInputs(-1.0, 1.0);
  std::vector<double> seed = inputs.back().f64;
  std::vector<double> grad = checker.runGradients(inputs).front().f64;
  ASSERT_EQ(grad.size(), seed.size());
  for (size_t i = 0; i < seed.size(); ++i)
    EXPECT_EQ(grad[i], double(float(seed[i]))) << "element " << i;
}

TEST(Autodiff, SliceWithStep) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x7xf64> {nn.requires_grad}",
                   "  %y = nn.slice %x dim = 1 start = 1 end = 6 step = 2 : "
                   "tensor<2x7xf64>",
                   kMatrix, 2),
      -1.0, 1.0);
}

TEST(Autodiff, ConcatOfAValueWithItself) {
  expectGradientsMatch(
      weightedLoss("%a: tensor<2x1xf64> {nn.requires_grad}, "
                   "%b: tensor<2x2xf64> {nn.requires_grad}",
                   "  %y = nn.concat %b, %a, %b dim = 1 : tensor<2x2xf64>, "
                   "tensor<2x1xf64>, tensor<2x2xf64>",
                   "tensor<2x5xf64>", 2),
      -1.0, 1.0);
}

TEST(Autodiff, Permute) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x3x4xf64> {nn.requires_grad}",
                   "  %y = nn.permute %x dims = [2, 0, 1] : tensor<2x3x4xf64>",
                   "tensor<4x2x3xf64>", 3),
      -1.0, 1.0);
}

TEST(Autodiff, IndexSelectWithRepeatedIndices) {
  // Five indices into four rows: some rows are picked twice, some never.
  expectGradientsMatch(
      weightedLoss("%x: tensor<4x3xf64> {nn.requires_grad}, "
                   "%i: tensor<5xi64>",
                   "  %y = nn.index_select %x, %i dim = 0 : tensor<4x3xf64>, "
                   "tensor<5xi64>",
                   "tensor<5x3xf64>", 2),
      -1.0, 1.0, /*classes=*/4);
}

TEST(Autodiff, Gather) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x4xf64> {nn.requires_grad}, "
                   "%i: tensor<2x3xi64>",
                   "  %y = nn.gather %x, %i dim = 1 : tensor<2x4xf64>, "
                   "tensor<2x3xi64>",
                   kMatrix, 2),
      -1.0, 1.0, /*classes=*/4);
}

TEST(Autodiff, ScatterAdd) {
  expectGradientsMatch(
      weightedLoss("%x: tensor<2x4xf64> {nn.requires_grad}, "
                   "%i: tensor<2x3xi64>, "
                   "%s: tensor<2x3xf64> {nn.requires_grad}",
                   "  %y = nn.scatter_add %x, %i, %s dim = 1 : "
                   "tensor<2x4xf64>, tensor<2x3xi64>, tensor<2x3xf64>",
                   "tensor<2x4xf64>", 2),
      -1.0, 1.0, /*classes=*/4);
}

TEST(Autodiff, MatMulVectorCases) {
  struct Case {
    const char *lhs, *rhs, *result;
    int rank;
  };
  for (const Case &c :
       {Case{"tensor<4xf64>", "tensor<4xf64>", "tensor<f64>", 0},
        Case{"tensor<4xf64>", "tensor<4x3xf64>", "tensor<3xf64>", 1},
        Case{"tensor<3x4xf64>", "tensor<4xf64>", "tensor<3xf64>", 1},
        Case{"tensor<2x3x4xf64>", "tensor<4xf64>", "tensor<2x3xf64>", 2}}) {
    SCOPED_TRACE(std::string(c.lhs) + " x " + c.rhs);
    expectGradientsMatch(
        weightedLoss(
            std::string("%a: ") + c.lhs + " {nn.requires_grad}, %b: " + c.rhs +
                " {nn.requires_grad}",
            std::string("  %y = nn.matmul %a, %b : ") + c.lhs + ", " + c.rhs,
            c.result, c.rank),
        -1.0, 1.0);
  }
}

//===----------------------------------------------------------------------===//
// More reductions
//===----------------------------------------------------------------------===//

/// `nn.<op> %x dims = [1] <extra> : tensor<2x3xf64>` with or without
/// keepdim, weighted and summed.
std::string reductionCase(const std::string &op, const std::string &extra,
                          bool keepdim) {
  return weightedLoss("%x: tensor<2x3xf64> {nn.requires_grad}",
                      "  %y = nn." + op + " %x dims = [1] " + extra +
                          (keepdim ? " keepdim" : "") + " : tensor<2x3xf64>",
                      keepdim ? "tensor<2x1xf64>" : "tensor<2xf64>",
                      keepdim ? 2 : 1);
}

TEST(Autodiff, MinProdLogSumExp) {
  for (bool keepdim : {false, true}) {
    SCOPED_TRACE(keepdim ? "keepdim" : "no keepdim");
    expectGradientsMatch(reductionCase("min", "", keepdim), -1.0, 1.0);
    expectGradientsMatch(reductionCase("prod", "", keepdim), 0.5, 2.0);
    expectGradientsMatch(reductionCase("logsumexp", "", keepdim), -2.0, 2.0);
  }
}

TEST(Autodiff, VarAndStdWithCorrections) {
  for (bool keepdim : {false, true})
    for (const char *correction : {"correction = 0", "correction = 1"}) {
      SCOPED_TRACE(std::string(correction) + (keepdim ? ", keepdim" : ""));
      expectGradientsMatch(reductionCase("var", correction, keepdim), -1.0,
                           1.0);
      expectGradientsMatch(reductionCase("std", correction, keepdim), -1.0,
                           1.0);
    }
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

class AutodiffErrors : public ::testing::Test {
protected:
  AutodiffErrors() {
    context.loadDialect<mlir::nn::NNDialect, mlir::func::FuncDialect>();
  }

  /// The diagnostics of buildGradientFunction on @f of `source` with
  /// respect to `wrtArgs`; fails the test if it succeeds.
  std::string gradientError(const char *source, std::vector<unsigned> wrtArgs) {
    std::string messages;
    mlir::ScopedDiagnosticHandler handler(&context,
                                          [&](mlir::Diagnostic &diagnostic) {
                                            messages += diagnostic.str() + "\n";
                                            return mlir::success();
                                          });
    auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    if (!module) {
      ADD_FAILURE() << "test input does not parse: " << messages;
      return "";
    }
    auto forward = module->lookupSymbol<mlir::func::FuncOp>("f");
    if (succeeded(nnc::buildGradientFunction(forward, wrtArgs)))
      ADD_FAILURE() << "expected buildGradientFunction to fail";
    // Nothing is left behind on failure.
    EXPECT_FALSE(module->lookupSymbol("f_grad"));
    return messages;
  }

  mlir::MLIRContext context;
};

TEST_F(AutodiffErrors, LossMustBeRankZeroFloat) {
  std::string error = gradientError(R"mlir(
func.func @f(%x: tensor<3xf64>) -> tensor<3xf64> {
  return %x : tensor<3xf64>
})mlir",
                                    {0});
  EXPECT_NE(error.find("first result must be the loss, a rank-0 float "
                       "tensor, got 'tensor<3xf64>'"),
            std::string::npos)
      << error;
}

TEST_F(AutodiffErrors, ArgumentMustExistAndBeFloat) {
  const char *source = R"mlir(
func.func @f(%x: tensor<3xf64>, %t: tensor<3xi64>) -> tensor<f64> {
  %s = nn.sum %x dims = [0] : tensor<3xf64>
  return %s : tensor<f64>
})mlir";
  EXPECT_NE(gradientError(source, {5}).find("has no argument #5"),
            std::string::npos);
  EXPECT_NE(gradientError(source, {1})
                .find("argument #1 cannot be differentiated: it is "
                      "'tensor<3xi64>', not a ranked float tensor"),
            std::string::npos);
  EXPECT_NE(gradientError(source, {0, 0}).find("listed twice"),
            std::string::npos);
}

TEST_F(AutodiffErrors, NonDifferentiableOpOnThePathIsNamed) {
  std::string error = gradientError(R"mlir(
func.func private @opaque(tensor<3xf64>) -> tensor<3xf64>
func.func @f(%x: tensor<3xf64>) -> tensor<f64> {
  %y = func.call @opaque(%x) : (tensor<3xf64>) -> tensor<3xf64>
  %s = nn.sum %y dims = [0] : tensor<3xf64>
  return %s : tensor<f64>
})mlir",
                                    {0});
  EXPECT_NE(error.find("'func.call' op is not differentiable"),
            std::string::npos)
      << error;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling (ir/NNConvOps.td)
//===----------------------------------------------------------------------===//

/// One conv or pooling case: the weighted loss of `body` (defining %y of
/// `yType`, rank 4) over `args`, and the loss PyTorch 1.13 computes on the
/// harness's inputs in [-1, 1) (the same low-discrepancy values, the same
/// op through torch.nn.functional, in float64). Shapes stay small: central
/// differences run the function twice per input element.
struct ConvCase {
  const char *name;
  std::string args;
  std::string body;
  std::string yType;
  double torchLoss;
};

/// Compiles each case and checks its forward value against PyTorch and its
/// gradients against central differences.
void expectCasesMatchPyTorchAndFiniteDifferences(
    const std::vector<ConvCase> &cases) {
  for (const ConvCase &c : cases) {
    GradientChecker checker(weightedLoss(c.args, c.body, c.yType, 4), "f");
    std::vector<HostTensor> inputs = checker.makeInputs(-1.0, 1.0);
    EXPECT_NEAR(checker.runForward(inputs).front().f64[0], c.torchLoss, 1e-12)
        << c.name;
    EXPECT_TRUE(gradientsMatchFiniteDifferences(checker, inputs)) << c.name;
  }
}

TEST(Autodiff, Conv2dMatchesPyTorchAndFiniteDifferences) {
  expectCasesMatchPyTorchAndFiniteDifferences({
      {"bias, padding 1",
       "%x: tensor<1x3x5x5xf64> {nn.requires_grad}, "
       "%w: tensor<2x3x3x3xf64> {nn.requires_grad}, "
       "%b: tensor<2xf64> {nn.requires_grad}",
       "  %y = nn.conv2d %x, %w, %b stride = [1, 1] padding = [1, 1] "
       "dilation = [1, 1] groups = 1 : tensor<1x3x5x5xf64>, "
       "tensor<2x3x3x3xf64>, tensor<2xf64>",
       "tensor<1x2x5x5xf64>", 26.037466073344536},
      {"stride, dilation and groups differing along H and W",
       "%x: tensor<1x4x6x5xf64> {nn.requires_grad}, "
       "%w: tensor<4x2x3x2xf64> {nn.requires_grad}, "
       "%b: tensor<4xf64> {nn.requires_grad}",
       "  %y = nn.conv2d %x, %w, %b stride = [2, 1] padding = [1, 0] "
       "dilation = [2, 1] groups = 2 : tensor<1x4x6x5xf64>, "
       "tensor<4x2x3x2xf64>, tensor<4xf64>",
       "tensor<1x4x2x4xf64>", 1.9762830392438941},
      {"depthwise, the stride leaving the last row unread",
       "%x: tensor<1x3x6x6xf64> {nn.requires_grad}, "
       "%w: tensor<3x1x3x3xf64> {nn.requires_grad}",
       "  %y = nn.conv2d %x, %w stride = [2, 2] padding = [0, 0] "
       "dilation = [1, 1] groups = 3 : tensor<1x3x6x6xf64>, "
       "tensor<3x1x3x3xf64>",
       "tensor<1x3x2x2xf64>", 3.8549453600392525},
      {"1x1, padded beyond the kernel's reach",
       "%x: tensor<1x2x4x4xf64> {nn.requires_grad}, "
       "%w: tensor<3x2x1x1xf64> {nn.requires_grad}",
       "  %y = nn.conv2d %x, %w stride = [2, 2] padding = [1, 1] "
       "dilation = [1, 1] groups = 1 : tensor<1x2x4x4xf64>, "
       "tensor<3x2x1x1xf64>",
       "tensor<1x3x3x3xf64>", -0.367430044389107},
      {"stride 1 (wide rows), grouped, dilated, with bias",
       "%x: tensor<1x4x5x6xf64> {nn.requires_grad}, "
       "%w: tensor<4x2x3x3xf64> {nn.requires_grad}, "
       "%b: tensor<4xf64> {nn.requires_grad}",
       "  %y = nn.conv2d %x, %w, %b stride = [1, 1] padding = [2, 1] "
       "dilation = [2, 1] groups = 2 : tensor<1x4x5x6xf64>, "
       "tensor<4x2x3x3xf64>, tensor<4xf64>",
       "tensor<1x4x5x6xf64>", 8.220113765995745},
  });
}

TEST(Autodiff, PoolingMatchesPyTorchAndFiniteDifferences) {
  expectCasesMatchPyTorchAndFiniteDifferences({
      {"max_pool2d 2x2 leaving the last row out",
       "%x: tensor<1x2x5x4xf64> {nn.requires_grad}",
       "  %y = nn.max_pool2d %x kernel = [2, 2] stride = [2, 2] "
       "padding = [0, 0] dilation = [1, 1] : tensor<1x2x5x4xf64>",
       "tensor<1x2x2x2xf64>", -0.25655496934333627},
      {"max_pool2d whose windows tile the input",
       "%x: tensor<1x2x4x6xf64> {nn.requires_grad}",
       "  %y = nn.max_pool2d %x kernel = [2, 2] stride = [2, 2] "
       "padding = [0, 0] dilation = [1, 1] : tensor<1x2x4x6xf64>",
       "tensor<1x2x2x3xf64>", -0.19996153360949465},
      {"max_pool2d with overlapping windows, padding and ceil_mode",
       "%x: tensor<1x2x6x5xf64> {nn.requires_grad}",
       "  %y = nn.max_pool2d %x kernel = [3, 3] stride = [2, 2] "
       "padding = [1, 1] dilation = [1, 1] ceil_mode : tensor<1x2x6x5xf64>",
       "tensor<1x2x4x3xf64>", 0.6094947894292038},
      {"max_pool2d with dilation", "%x: tensor<1x2x7x5xf64> {nn.requires_grad}",
       "  %y = nn.max_pool2d %x kernel = [2, 2] stride = [1, 1] "
       "padding = [1, 1] dilation = [2, 2] : tensor<1x2x7x5xf64>",
       "tensor<1x2x7x5xf64>", 8.099164083106967},
      {"avg_pool2d counting padding, ceil_mode",
       "%x: tensor<1x2x6x5xf64> {nn.requires_grad}",
       "  %y = nn.avg_pool2d %x kernel = [3, 3] stride = [2, 2] "
       "padding = [1, 1] ceil_mode count_include_pad : tensor<1x2x6x5xf64>",
       "tensor<1x2x4x3xf64>", 0.5877028219901721},
      {"avg_pool2d not counting padding",
       "%x: tensor<1x2x5x4xf64> {nn.requires_grad}",
       "  %y = nn.avg_pool2d %x kernel = [3, 3] stride = [2, 2] "
       "padding = [1, 1] : tensor<1x2x5x4xf64>",
       "tensor<1x2x3x2xf64>", 0.23060777962503576},
  });
}

TEST(Autodiff, MaxPoolGradientGoesToTheFirstMaximumOfAWindow) {
  // PyTorch routes a window's gradient to its first maximum: here the four
  // equal elements of each 2x2 window; only the first gets it.
  GradientChecker checker(
      weightedLoss("%x: tensor<1x1x2x4xf64> {nn.requires_grad}",
                   "  %y = nn.max_pool2d %x kernel = [2, 2] stride = [2, 2] "
                   "padding = [0, 0] dilation = [1, 1] : tensor<1x1x2x4xf64>",
                   "tensor<1x1x1x2xf64>", 4),
      "f");
  std::vector<HostTensor> gradients = checker.runGradients(
      {HostTensor::ofF64({1, 1, 2, 4}, {1, 1, 2, 5, 1, 1, 5, 3}),
       HostTensor::ofF64({1, 1, 1, 2}, {10, 20})});
  EXPECT_EQ(gradients.front().f64,
            (std::vector<double>{10, 0, 0, 20, 0, 0, 0, 0}));
}

} // namespace
