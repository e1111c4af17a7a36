//===- test/unit/TileConvolutionsTest.cpp - Channels-last conv kernels ----===//
//
// The channels-last convolution as the NHWC lowering emits it (a
// linalg.generic over wide rows: input rows joined to [N, Hp Wp + KW - 1,
// C], weights [KH, KW, C, F], outputs [N, OH Wp, F]) compiled by jitCompile
// and run, against the sum it defines, on the shapes whose tiling differs:
// a dynamic batch (one task per image), one image split among tasks, a 1x1
// convolution (a matrix product), 16 channels (one vector) and 64 (four,
// in 6-row tiles), and outputs that the register tile's rows do not divide
// (a peeled tile, and a task whose shorter share keeps plain loops). And
// the 1x1 NCHW convolution compiled from nn ops, its three passes against
// direct sums: the forward and input gradient computed straight into the
// caller's buffer (nnc-allocate-reshaped-results), in blocks of outputs,
// and the weight gradient of several images as one matrix product.
//
//===----------------------------------------------------------------------===//
#include "codegen/JIT.h"
#include "ir/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/FormatVariadic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using nnc::runtime::BufferView;

namespace {

/// A channels-last convolution over wide rows: `images` of `width` x
/// `height` (padding included), `kernel` x `kernel` taps, with or without a
/// bias (else the outputs start at 0).
struct ConvShape {
  int64_t images, height, width, channels, filters, kernel;
  bool dynamicBatch, bias;

  int64_t inputRows() const { return height * width + kernel - 1; }
  int64_t outputs() const { return (height - kernel + 1) * width; }
};

std::string tensorType(std::vector<int64_t> shape, bool dynamicFirst) {
  std::string type = "tensor<";
  for (size_t i = 0; i < shape.size(); ++i)
    type += (i == 0 && dynamicFirst ? "?" : std::to_string(shape[i])) + "x";
  return type + "f32>";
}

/// The function @conv(input, weights[, bias]) -> outputs of `s`.
std::string convSource(const ConvShape &s) {
  const std::string input = tensorType({s.images, s.inputRows(), s.channels},
                                       s.dynamicBatch),
                    weights = tensorType(
                        {s.kernel, s.kernel, s.channels, s.filters}, false),
                    output = tensorType({s.images, s.outputs(), s.filters},
                                        s.dynamicBatch);
  std::string source = llvm::formatv(
      R"mlir(
#in = affine_map<(n, p, f, kh, kw, c) -> (n, p + kh * {0} + kw, c)>
#w = affine_map<(n, p, f, kh, kw, c) -> (kh, kw, c, f)>
#out = affine_map<(n, p, f, kh, kw, c) -> (n, p, f)>
#bias = affine_map<(n, p, f) -> (f)>
#all = affine_map<(n, p, f) -> (n, p, f)>
func.func @conv(%x: {1}, %w: {2}{3}) -> {4} {{
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : {1}
  %empty = tensor.empty({5}) : {4}
)mlir",
      s.width, input, weights,
      s.bias ? ", %b: tensor<" + std::to_string(s.filters) + "xf32>" : "",
      output, s.dynamicBatch ? "%n" : "");
  if (s.bias)
    source += llvm::formatv(R"mlir(
  %init = linalg.generic {{indexing_maps = [#bias, #all], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b : tensor<{0}xf32>) outs(%empty : {1}) {{
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> {1}
)mlir",
                            s.filters, output);
  else
    source += llvm::formatv(R"mlir(
  %zero = arith.constant 0.0 : f32
  %init = linalg.fill ins(%zero : f32) outs(%empty : {0}) -> {0}
)mlir",
                            output);
  source += llvm::formatv(R"mlir(
  %y = linalg.generic {{indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : {0}, {1}) outs(%init : {2}) {{
  ^bb0(%xi: f32, %wi: f32, %acc: f32):
    %m = arith.mulf %xi, %wi : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> {2}
  return %y : {2}
}
)mlir",
                          input, weights, output);
  return source;
}

/// Deterministic values in [-1, 1).
std::vector<float> values(int64_t count, int64_t seed) {
  std::vector<float> result(count);
  for (int64_t i = 0; i < count; ++i)
    result[i] = float((i * 7919 + seed * 104729) % 2001) / 1000.0f - 1.0f;
  return result;
}

BufferView view(std::vector<float> &data, std::vector<int64_t> shape) {
  BufferView v;
  v.data = data.data();
  v.strides.assign(shape.size(), 1);
  for (int d = int(shape.size()) - 2; d >= 0; --d)
    v.strides[d] = v.strides[d + 1] * shape[d + 1];
  v.shape = std::move(shape);
  return v;
}

/// Compiles and runs the convolution `s` on deterministic inputs and
/// checks every output (including the wide rows' discarded columns)
/// against the sum it defines, within f32 rounding of that sum's terms.
void expectConvolutionMatches(const ConvShape &s) {
  mlir::MLIRContext context;
  context
      .loadDialect<mlir::func::FuncDialect, mlir::arith::ArithDialect,
                   mlir::linalg::LinalgDialect, mlir::tensor::TensorDialect>();
  std::string source = convSource(s);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  ASSERT_TRUE(module) << source;
  auto conv = nnc::jitCompile(*module, "conv");
  ASSERT_TRUE(static_cast<bool>(conv)) << llvm::toString(conv.takeError());

  const int64_t kk = s.kernel, c = s.channels, f = s.filters;
  std::vector<float> x = values(s.images * s.inputRows() * c, 1),
                     w = values(kk * kk * c * f, 2), b = values(f, 3),
                     y(s.images * s.outputs() * f, NAN);
  std::vector<BufferView> inputs = {view(x, {s.images, s.inputRows(), c}),
                                    view(w, {kk, kk, c, f})};
  if (s.bias)
    inputs.push_back(view(b, {f}));
  conv->run(inputs, {view(y, {s.images, s.outputs(), f})});

  int64_t wrong = 0;
  for (int64_t n = 0; n < s.images; ++n)
    for (int64_t p = 0; p < s.outputs(); ++p)
      for (int64_t o = 0; o < f; ++o) {
        double sum = s.bias ? b[o] : 0.0, magnitude = std::fabs(sum);
        for (int64_t kh = 0; kh < kk; ++kh)
          for (int64_t kw = 0; kw < kk; ++kw)
            for (int64_t i = 0; i < c; ++i) {
              double term =
                  double(
                      x[(n * s.inputRows() + p + kh * s.width + kw) * c + i]) *
                  w[((kh * kk + kw) * c + i) * f + o];
              sum += term;
              magnitude += std::fabs(term);
            }
        float actual = y[(n * s.outputs() + p) * f + o];
        if (!(std::fabs(actual - sum) <= 1e-6 * (magnitude + 1)) && wrong++ < 5)
          ADD_FAILURE() << "output [" << n << ", " << p << ", " << o
                        << "]: " << actual << ", expected " << sum;
      }
  EXPECT_EQ(wrong, 0) << "outputs differ from the sum";
}

TEST(TileConvolutionsTest, SmallCNNConv2WithDynamicBatchAndBias) {
  // 14 x 14 padded to 16 x 16, 16 -> 32 channels: 224 outputs per image.
  expectConvolutionMatches({3, 16, 16, 16, 32, 3, true, true});
}

TEST(TileConvolutionsTest, OneImageSplitAmongTasks) {
  // 28 x 28 padded to 30 x 30, 8 -> 64 channels: 840 outputs in 4 tasks of
  // 35 register tiles of 6 outputs by 64 channels.
  expectConvolutionMatches({1, 30, 30, 8, 64, 3, false, false});
}

TEST(TileConvolutionsTest, OneByOneIsAMatrixProduct) {
  // 20 x 20, 64 -> 256 channels: 400 outputs in 4 tasks of 102 (the last
  // one 94), in tiles of 6 outputs by 64 channels; the 4 outputs left of
  // the last share in plain loops.
  expectConvolutionMatches({1, 20, 20, 64, 256, 1, false, true});
}

TEST(TileConvolutionsTest, PeeledSixOutputTiles) {
  // 7 x 7 padded to 9 x 9, 16 -> 64 channels, a dynamic batch: 63 outputs,
  // 10 tiles of 6 and one of 3.
  expectConvolutionMatches({2, 9, 9, 16, 64, 3, true, true});
}

TEST(TileConvolutionsTest, PeeledOutputsWithOneVectorOfChannels) {
  // 7 x 7 padded to 9 x 9, 8 -> 16 channels: 63 outputs, 7 tiles of 8 and
  // one of 7; a dynamic batch, one task per image.
  expectConvolutionMatches({2, 9, 9, 8, 16, 3, true, false});
}

TEST(TileConvolutionsTest, FewImagesWithAShorterShare) {
  // Two images of 63 outputs, each split in two tasks of 32 and 31 outputs
  // (the shorter share's last 7 outputs in plain loops); 10 channels, a
  // vector of 10 lanes.
  expectConvolutionMatches({2, 9, 9, 4, 10, 3, false, true});
}

/// A 1x1 convolution of `images` images of `positions` pixels (a row of
/// 8), `channels` -> `filters`, no padding, as nn source and direct sums.
struct PointwiseConv {
  int64_t images, channels, filters, positions;
  std::vector<float> x = values(images * channels * positions, 4),
                     w = values(filters * channels, 5),
                     dy = values(images * filters * positions, 6);

  std::vector<int64_t> xShape() const {
    return {images, channels, positions / 8, 8};
  }
  std::vector<int64_t> wShape() const { return {filters, channels, 1, 1}; }
  std::vector<int64_t> yShape() const {
    return {images, filters, positions / 8, 8};
  }
  std::string type(const std::vector<int64_t> &shape) const {
    return tensorType(shape, false);
  }

  /// Compiles `@f` of `source` and runs it on `inputs` into `output`.
  void run(const std::string &source, std::vector<BufferView> inputs,
           BufferView output) const {
    mlir::MLIRContext context;
    context.loadDialect<mlir::nn::NNDialect, mlir::func::FuncDialect>();
    auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    ASSERT_TRUE(module) << source;
    auto f = nnc::jitCompile(*module, "f");
    ASSERT_TRUE(static_cast<bool>(f)) << llvm::toString(f.takeError());
    f->run(inputs, {output});
  }

  /// sum over k < count of a(k) b(k), and whether `actual` is within f32
  /// rounding of it.
  template <class A, class B>
  static bool matches(float actual, int64_t count, A a, B b) {
    double sum = 0, magnitude = 0;
    for (int64_t k = 0; k < count; ++k) {
      double term = double(a(k)) * b(k);
      sum += term;
      magnitude += std::fabs(term);
    }
    return std::fabs(actual - sum) <= 1e-6 * (magnitude + 1);
  }
};

const char *const kPointwiseWindow =
    "stride = [1, 1] padding = [0, 0] dilation = [1, 1] groups = 1";

TEST(TileConvolutionsTest, PointwiseForwardAndInputGradient) {
  // 64 -> 32 channels of 3 images of 112 rows of 8: two blocks of 448
  // outputs (64 channels' rows in 128 KB of L2) per image.
  PointwiseConv s{3, 64, 32, 896};
  std::vector<float> y(s.images * s.filters * s.positions, NAN);
  s.run(llvm::formatv("func.func @f(%x: {0}, %w: {1}) -> {2} {{\n"
                      "  %y = nn.conv2d %x, %w {3} : {0}, {1}\n"
                      "  return %y : {2}\n}",
                      s.type(s.xShape()), s.type(s.wShape()),
                      s.type(s.yShape()), kPointwiseWindow)
            .str(),
        {view(s.x, s.xShape()), view(s.w, s.wShape())}, view(y, s.yShape()));
  int64_t wrong = 0;
  for (int64_t n = 0; n < s.images; ++n)
    for (int64_t o = 0; o < s.filters; ++o)
      for (int64_t p = 0; p < s.positions; ++p)
        if (!PointwiseConv::matches(
                y[(n * s.filters + o) * s.positions + p], s.channels,
                [&](int64_t c) {
                  return s.x[(n * s.channels + c) * s.positions + p];
                },
                [&](int64_t c) { return s.w[o * s.channels + c]; }) &&
            wrong++ < 5)
          ADD_FAILURE() << "y[" << n << ", " << o << ", " << p
                        << "]: " << y[(n * s.filters + o) * s.positions + p];
  EXPECT_EQ(wrong, 0);

  std::vector<float> dx(s.images * s.channels * s.positions, NAN);
  s.run(llvm::formatv("func.func @f(%dy: {2}, %w: {1}) -> {0} {{\n"
                      "  %dx = nn.conv2d_backward_input %dy, %w input_size = "
                      "[{4}, 8] {3} : {2}, {1}\n"
                      "  return %dx : {0}\n}",
                      s.type(s.xShape()), s.type(s.wShape()),
                      s.type(s.yShape()), kPointwiseWindow, s.positions / 8)
            .str(),
        {view(s.dy, s.yShape()), view(s.w, s.wShape())}, view(dx, s.xShape()));
  for (int64_t n = 0; n < s.images; ++n)
    for (int64_t c = 0; c < s.channels; ++c)
      for (int64_t p = 0; p < s.positions; ++p)
        if (!PointwiseConv::matches(
                dx[(n * s.channels + c) * s.positions + p], s.filters,
                [&](int64_t o) {
                  return s.dy[(n * s.filters + o) * s.positions + p];
                },
                [&](int64_t o) { return s.w[o * s.channels + c]; }) &&
            wrong++ < 5)
          ADD_FAILURE() << "dx[" << n << ", " << c << ", " << p
                        << "]: " << dx[(n * s.channels + c) * s.positions + p];
  EXPECT_EQ(wrong, 0);
}

TEST(TileConvolutionsTest, PointwiseWeightGradientOfSeveralImages) {
  // 16 -> 32 channels of 3 images of 64 pixels: a [32, 192] x [192, 16]
  // matrix product.
  PointwiseConv s{3, 16, 32, 64};
  std::vector<float> dw(s.filters * s.channels, NAN);
  s.run(llvm::formatv("func.func @f(%dy: {2}, %x: {0}) -> {1} {{\n"
                      "  %dw = nn.conv2d_backward_weight %dy, %x kernel_size "
                      "= [1, 1] {3} : {2}, {0}\n"
                      "  return %dw : {1}\n}",
                      s.type(s.xShape()), s.type(s.wShape()),
                      s.type(s.yShape()), kPointwiseWindow)
            .str(),
        {view(s.dy, s.yShape()), view(s.x, s.xShape())}, view(dw, s.wShape()));
  int64_t wrong = 0;
  for (int64_t o = 0; o < s.filters; ++o)
    for (int64_t c = 0; c < s.channels; ++c) {
      auto image = [&](int64_t k) { return k / s.positions; };
      auto pixel = [&](int64_t k) { return k % s.positions; };
      if (!PointwiseConv::matches(
              dw[o * s.channels + c], s.images * s.positions,
              [&](int64_t k) {
                return s
                    .dy[(image(k) * s.filters + o) * s.positions + pixel(k)];
              },
              [&](int64_t k) {
                return s
                    .x[(image(k) * s.channels + c) * s.positions + pixel(k)];
              }) &&
          wrong++ < 5)
        ADD_FAILURE() << "dw[" << o << ", " << c
                      << "]: " << dw[o * s.channels + c];
    }
  EXPECT_EQ(wrong, 0);
}

} // namespace
