//===- test/unit/CodegenTests.cpp - JIT and emission end to end -----------===//
//
// Every test compiles a module with jitCompile, runs it through
// runtime::Executable on real buffers and compares with values computed
// here, so a wrong pipeline step, calling convention or signature fails.
//
//===----------------------------------------------------------------------===//
#include "codegen/Emit.h"
#include "codegen/JIT.h"
#include "codegen/Pipelines.h"
#include "ir/NNDialect.h"
#include "runtime/ThreadPool.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <malloc.h>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

using nnc::runtime::BufferView;
using nnc::runtime::ElementType;
using nnc::runtime::Executable;

namespace {

/// A dense row-major f32 buffer with its shape.
struct Buffer {
  std::vector<int64_t> shape;
  std::vector<float> data;

  explicit Buffer(std::vector<int64_t> shape, float fill = 0.0f)
      : shape(std::move(shape)) {
    data.assign(numElements(), fill);
  }
  Buffer(std::vector<int64_t> shape, std::vector<float> values)
      : shape(std::move(shape)), data(std::move(values)) {
    EXPECT_EQ(static_cast<int64_t>(data.size()), numElements());
  }

  int64_t numElements() const {
    return std::accumulate(shape.begin(), shape.end(), int64_t(1),
                           std::multiplies<int64_t>());
  }

  BufferView view() {
    BufferView view;
    view.data = data.data();
    view.shape = shape;
    view.strides.assign(shape.size(), 1);
    for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d)
      view.strides[d] = view.strides[d + 1] * shape[d + 1];
    view.type = ElementType::F32;
    return view;
  }
};

/// Deterministic, varied values in [-2, 2).
std::vector<float> ramp(int64_t count, float phase = 0.0f) {
  std::vector<float> values(count);
  for (int64_t i = 0; i < count; ++i)
    values[i] = std::fmod(0.37f * static_cast<float>(i) + phase, 4.0f) - 2.0f;
  return values;
}

/// The dialects a tracer's context has: just enough to build and parse the
/// input. jitCompile must add everything the pipeline needs by itself.
class CodegenTest : public ::testing::Test {
protected:
  CodegenTest() {
    context.loadDialect<mlir::nn::NNDialect, mlir::func::FuncDialect,
                        mlir::arith::ArithDialect, mlir::linalg::LinalgDialect,
                        mlir::math::MathDialect, mlir::tensor::TensorDialect>();
  }

  mlir::OwningOpRef<mlir::ModuleOp> parse(llvm::StringRef source) {
    auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    EXPECT_TRUE(module) << "test input does not parse:\n" << source.str();
    return module;
  }

  Executable compile(llvm::StringRef source, llvm::StringRef entry) {
    auto module = parse(source);
    if (!module)
      throw std::runtime_error("parse failed");
    auto executable = nnc::jitCompile(*module, entry);
    if (!executable)
      throw std::runtime_error(llvm::toString(executable.takeError()));
    return std::move(*executable);
  }

  /// The error text jitCompile returns for `source`; fails if it succeeds.
  std::string compileError(mlir::ModuleOp module, llvm::StringRef entry) {
    auto executable = nnc::jitCompile(module, entry);
    if (executable) {
      ADD_FAILURE() << "expected jitCompile to fail";
      return "";
    }
    return llvm::toString(executable.takeError());
  }

  static void run(const Executable &executable, std::vector<Buffer *> inputs,
                  std::vector<Buffer *> outputs) {
    std::vector<BufferView> in, out;
    for (Buffer *b : inputs)
      in.push_back(b->view());
    for (Buffer *b : outputs)
      out.push_back(b->view());
    executable.run(in, out);
  }

  mlir::MLIRContext context;
};

void expectNear(const std::vector<float> &actual,
                const std::vector<float> &expected, float atol = 1e-5f,
                float rtol = 1.3e-6f) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], atol + rtol * std::fabs(expected[i]))
        << "at element " << i;
}

/// out[M,N] = a[M,K] * b[K,N] (+ bias[N]), accumulated in double.
std::vector<float> matmul(const std::vector<float> &a,
                          const std::vector<float> &b, int64_t m, int64_t k,
                          int64_t n, const std::vector<float> *bias = nullptr) {
  std::vector<float> out(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = bias ? (*bias)[j] : 0.0;
      for (int64_t p = 0; p < k; ++p)
        acc += double(a[i * k + p]) * double(b[p * n + j]);
      out[i * n + j] = static_cast<float>(acc);
    }
  return out;
}

//===----------------------------------------------------------------------===//
// linalg on tensors (the codegen pipeline's own input)
//===----------------------------------------------------------------------===//

constexpr llvm::StringLiteral kLinalgDense = R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @dense(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>,
                 %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<4x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<4x16xf32>)
      -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>)
                      outs(%acc : tensor<4x16xf32>) -> tensor<4x16xf32>
  %out = tensor.empty() : tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%mm, %b : tensor<4x16xf32>, tensor<16xf32>)
      outs(%out : tensor<4x16xf32>) {
  ^bb0(%v: f32, %bias: f32, %o: f32):
    %s = arith.addf %v, %bias : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
)mlir";

TEST_F(CodegenTest, LinalgDenseLayerMatchesReference) {
  Executable dense = compile(kLinalgDense, "dense");
  EXPECT_EQ(dense.name(), "dense");
  ASSERT_EQ(dense.signature().inputs.size(), 3u);
  ASSERT_EQ(dense.signature().outputs.size(), 1u);
  EXPECT_EQ(dense.signature().outputs[0].shape, (std::vector<int64_t>{4, 16}));

  Buffer x({4, 8}, ramp(32)), w({8, 16}, ramp(128, 0.5f)),
      b({16}, ramp(16, 1.0f)), y({4, 16}, -99.0f);
  run(dense, {&x, &w, &b}, {&y});

  std::vector<float> expected = matmul(x.data, w.data, 4, 8, 16, &b.data);
  for (float &v : expected)
    v = std::tanh(v);
  expectNear(y.data, expected);
}

TEST_F(CodegenTest, CopiesShareTheCompiledCode) {
  std::optional<Executable> copy;
  {
    Executable original = compile(kLinalgDense, "dense");
    copy = original;
  }
  // The original (and the module) are gone; the copy keeps the JIT alive.
  Buffer x({4, 8}, 1.0f), w({8, 16}, 0.5f), b({16}, 0.0f), y({4, 16});
  run(*copy, {&x, &w, &b}, {&y});
  for (float v : y.data)
    EXPECT_NEAR(v, std::tanh(4.0f), 1e-6f);
}

TEST_F(CodegenTest, JitCompileLeavesTheInputModuleUnchanged) {
  auto module = parse(kLinalgDense);
  std::string before;
  llvm::raw_string_ostream(before) << *module;
  ASSERT_TRUE(static_cast<bool>(nnc::jitCompile(*module, "dense")));
  std::string after;
  llvm::raw_string_ostream(after) << *module;
  EXPECT_EQ(before, after);
}

//===----------------------------------------------------------------------===//
// nn ops through the whole nnc-cpu pipeline
//===----------------------------------------------------------------------===//

TEST_F(CodegenTest, NNElementwiseWithBroadcasting) {
  Executable f = compile(R"mlir(
func.func @f(%x: tensor<4x3xf32>, %b: tensor<3xf32>, %s: tensor<4x1xf32>)
    -> tensor<4x3xf32> {
  %0 = nn.add %x, %b : tensor<4x3xf32>, tensor<3xf32>
  %1 = nn.mul %0, %s : tensor<4x3xf32>, tensor<4x1xf32>
  %2 = nn.sigmoid %1 : tensor<4x3xf32>
  %3 = nn.sub %2, %x : tensor<4x3xf32>, tensor<4x3xf32>
  %4 = nn.relu %3 : tensor<4x3xf32>
  return %4 : tensor<4x3xf32>
}
)mlir",
                         "f");
  Buffer x({4, 3}, ramp(12)), b({3}, ramp(3, 0.7f)), s({4, 1}, ramp(4, 1.3f)),
      y({4, 3}, -99.0f);
  run(f, {&x, &b, &s}, {&y});
  std::vector<float> expected(12);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) {
      float v = (x.data[i * 3 + j] + b.data[j]) * s.data[i];
      v = 1.0f / (1.0f + std::exp(-v)) - x.data[i * 3 + j];
      expected[i * 3 + j] = std::max(v, 0.0f);
    }
  expectNear(y.data, expected);
}

TEST_F(CodegenTest, NNUnaryMath) {
  Executable f = compile(R"mlir(
func.func @f(%x: tensor<2x5xf32>) -> (tensor<2x5xf32>, tensor<2x5xf32>) {
  %e = nn.exp %x : tensor<2x5xf32>
  %l = nn.log %e : tensor<2x5xf32>
  %n = nn.neg %l : tensor<2x5xf32>
  %t = nn.tanh %x : tensor<2x5xf32>
  %d = nn.div %n, %e : tensor<2x5xf32>, tensor<2x5xf32>
  return %d, %t : tensor<2x5xf32>, tensor<2x5xf32>
}
)mlir",
                         "f");
  ASSERT_EQ(f.signature().outputs.size(), 2u);
  Buffer x({2, 5}, ramp(10)), d({2, 5}), t({2, 5});
  run(f, {&x}, {&d, &t});
  std::vector<float> expectedD(10), expectedT(10);
  for (int i = 0; i < 10; ++i) {
    float e = std::exp(x.data[i]);
    expectedD[i] = -std::log(e) / e;
    expectedT[i] = std::tanh(x.data[i]);
  }
  expectNear(d.data, expectedD);
  expectNear(t.data, expectedT);
}

TEST_F(CodegenTest, NNMatmulAndTranspose) {
  Executable f = compile(R"mlir(
func.func @f(%a: tensor<5x7xf32>, %bt: tensor<3x7xf32>) -> tensor<5x3xf32> {
  %b = nn.transpose %bt, dim0 = 0, dim1 = 1 : tensor<3x7xf32>
  %c = nn.matmul %a, %b : tensor<5x7xf32>, tensor<7x3xf32>
  return %c : tensor<5x3xf32>
}
)mlir",
                         "f");
  Buffer a({5, 7}, ramp(35)), bt({3, 7}, ramp(21, 0.9f)), c({5, 3}, -99.0f);
  run(f, {&a, &bt}, {&c});
  std::vector<float> b(21);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 7; ++j)
      b[j * 3 + i] = bt.data[i * 7 + j];
  expectNear(c.data, matmul(a.data, b, 5, 7, 3), 1e-5f, 1e-5f);
}

TEST_F(CodegenTest, NNReductions) {
  Executable f = compile(R"mlir(
func.func @f(%x: tensor<4x6xf32>)
    -> (tensor<4x1xf32>, tensor<6xf32>, tensor<f32>) {
  %s = nn.sum %x dims = [1] keepdim : tensor<4x6xf32>
  %m = nn.max %x dims = [0] : tensor<4x6xf32>
  %a = nn.mean %x dims = [0, 1] : tensor<4x6xf32>
  return %s, %m, %a : tensor<4x1xf32>, tensor<6xf32>, tensor<f32>
}
)mlir",
                         "f");
  Buffer x({4, 6}, ramp(24, 0.2f)), s({4, 1}), m({6}), a({}, -99.0f);
  run(f, {&x}, {&s, &m, &a});
  std::vector<float> sums(4, 0.0f), maxes(6, -INFINITY);
  double total = 0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 6; ++j) {
      float v = x.data[i * 6 + j];
      sums[i] += v;
      maxes[j] = std::max(maxes[j], v);
      total += v;
    }
  expectNear(s.data, sums);
  expectNear(m.data, maxes);
  expectNear(a.data, {static_cast<float>(total / 24)});
}

TEST_F(CodegenTest, ReturnedArgumentsAndViewsAreCopiedIntoOutputs) {
  Executable f = compile(R"mlir(
func.func @f(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<3x2xf32>) {
  %r = nn.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>
  return %x, %r : tensor<2x3xf32>, tensor<3x2xf32>
}
)mlir",
                         "f");
  Buffer x({2, 3}, ramp(6)), same({2, 3}, -99.0f), reshaped({3, 2}, -99.0f);
  run(f, {&x}, {&same, &reshaped});
  EXPECT_EQ(same.data, x.data);
  EXPECT_EQ(reshaped.data, x.data);
}

//===----------------------------------------------------------------------===//
// Donated arguments (nn.donated_argument)
//===----------------------------------------------------------------------===//

// An SGD step on one weight: the update reads the old weight and a later
// output reads it again, so one weight is updated in place and the other
// only after its last read. Both must end up holding the new values, and
// the read must see the old ones.
constexpr llvm::StringLiteral kDonatedStep = R"mlir(
func.func @step(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>, %v: tensor<4xf32>)
    -> (tensor<2x4xf32>, tensor<3x4xf32> {nn.donated_argument = 1 : i64},
        tensor<4xf32> {nn.donated_argument = 2 : i64}) {
  %y = nn.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32>
  %lr = nn.constant dense<0.5> : tensor<f32>
  %g = nn.mul %w, %lr : tensor<3x4xf32>, tensor<f32>
  %w2 = nn.sub %w, %g : tensor<3x4xf32>, tensor<3x4xf32>
  %v2 = nn.exp %v : tensor<4xf32>
  %out = nn.add %y, %v : tensor<2x4xf32>, tensor<4xf32>
  return %out, %w2, %v2 : tensor<2x4xf32>, tensor<3x4xf32>, tensor<4xf32>
}
)mlir";

TEST_F(CodegenTest, DonatedResultsAreWrittenIntoTheirArguments) {
  Executable step = compile(kDonatedStep, "step");
  const nnc::runtime::Signature &signature = step.signature();
  ASSERT_EQ(signature.inputs.size(), 3u);
  EXPECT_FALSE(signature.inputs[0].donated);
  EXPECT_TRUE(signature.inputs[1].donated);
  EXPECT_TRUE(signature.inputs[2].donated);
  ASSERT_EQ(signature.outputs.size(), 1u); // only %out

  Buffer x({2, 3}, ramp(6)), w({3, 4}, ramp(12, 0.3f)), v({4}, ramp(4, 0.7f));
  std::vector<float> w0 = w.data, v0 = v.data;
  Buffer out({2, 4}, -99.0f);
  run(step, {&x, &w, &v}, {&out});

  std::vector<float> expected = matmul(x.data, w0, 2, 3, 4, &v0);
  expectNear(out.data, expected); // read the old w and v
  std::vector<float> w1(w0.size()), v1(v0.size());
  for (size_t i = 0; i < w0.size(); ++i)
    w1[i] = w0[i] - w0[i] * 0.5f;
  for (size_t i = 0; i < v0.size(); ++i)
    v1[i] = std::exp(v0[i]);
  expectNear(w.data, w1);
  expectNear(v.data, v1);
}

// One value donated to two arguments (two optimizer flags set to the same
// constant, merged by CSE): each argument receives it.
TEST_F(CodegenTest, OneValueDonatedToTwoArguments) {
  Executable f = compile(R"mlir(
func.func @f(%a: tensor<2xf32>, %b: tensor<2xf32>, %x: tensor<2xf32>)
    -> (tensor<2xf32>, tensor<2xf32> {nn.donated_argument = 0 : i64},
        tensor<2xf32> {nn.donated_argument = 1 : i64}) {
  %c = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %y = nn.add %x, %c : tensor<2xf32>, tensor<2xf32>
  return %y, %c, %c : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}
)mlir",
                         "f");
  Buffer a({2}, 0.0f), b({2}, 0.0f), x({2}, 10.0f), y({2}, -1.0f);
  run(f, {&a, &b, &x}, {&y});
  expectNear(a.data, {1.0f, 2.0f});
  expectNear(b.data, {1.0f, 2.0f});
  expectNear(y.data, {11.0f, 12.0f});
}

TEST_F(CodegenTest, DonatedInputMayNotOverlapAnotherArgument) {
  Executable step = compile(kDonatedStep, "step");
  Buffer x({2, 3}, ramp(6)), w({3, 4}, ramp(12)), out({2, 4});
  // v views the first four elements of w's memory.
  BufferView v{w.data.data(), {4}, {1}, ElementType::F32};
  try {
    step.run({x.view(), w.view(), v}, {out.view()});
    FAIL() << "expected an overlap error";
  } catch (const std::invalid_argument &e) {
    EXPECT_NE(std::string(e.what()).find("input 1 is donated (updated in "
                                         "place) but its buffer overlaps "
                                         "input 2"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(CodegenTest, NNTwoLayerMLP) {
  Executable mlp = compile(R"mlir(
func.func @mlp(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>,
               %b1: tensor<32xf32>, %w2: tensor<32x4xf32>,
               %b2: tensor<4xf32>) -> tensor<8x4xf32> {
  %0 = nn.matmul %x, %w1 : tensor<8x16xf32>, tensor<16x32xf32>
  %1 = nn.add %0, %b1 : tensor<8x32xf32>, tensor<32xf32>
  %2 = nn.relu %1 : tensor<8x32xf32>
  %3 = nn.matmul %2, %w2 : tensor<8x32xf32>, tensor<32x4xf32>
  %4 = nn.add %3, %b2 : tensor<8x4xf32>, tensor<4xf32>
  return %4 : tensor<8x4xf32>
}
)mlir",
                           "mlp");
  Buffer x({8, 16}, ramp(128)), w1({16, 32}, ramp(512, 0.3f)),
      b1({32}, ramp(32, 0.1f)), w2({32, 4}, ramp(128, 0.6f)),
      b2({4}, ramp(4, 0.2f)), y({8, 4}, -99.0f);
  run(mlp, {&x, &w1, &b1, &w2, &b2}, {&y});
  std::vector<float> hidden = matmul(x.data, w1.data, 8, 16, 32, &b1.data);
  for (float &v : hidden)
    v = std::max(v, 0.0f);
  expectNear(y.data, matmul(hidden, w2.data, 8, 32, 4, &b2.data), 1e-4f, 1e-5f);
}

TEST_F(CodegenTest, DynamicBatchDimension) {
  Executable f = compile(R"mlir(
func.func @f(%x: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = nn.add %x, %b : tensor<?x4xf32>, tensor<4xf32>
  %1 = nn.relu %0 : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
)mlir",
                         "f");
  EXPECT_EQ(f.signature().inputs[0].shape, (std::vector<int64_t>{-1, 4}));
  EXPECT_EQ(f.signature().outputs[0].shape, (std::vector<int64_t>{-1, 4}));
  for (int64_t batch : {1, 3, 7}) {
    Buffer x({batch, 4}, ramp(batch * 4)), b({4}, ramp(4, 1.1f)),
        y({batch, 4}, -99.0f);
    run(f, {&x, &b}, {&y});
    std::vector<float> expected(batch * 4);
    for (int64_t i = 0; i < batch * 4; ++i)
      expected[i] = std::max(x.data[i] + b.data[i % 4], 0.0f);
    expectNear(y.data, expected);
  }
}

/// Bytes the C heap holds right now, mmap'ed blocks included.
size_t heapBytesInUse() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

TEST_F(CodegenTest, InternalTemporariesAreFreedOnEveryCall) {
  // Two 128x128 intermediates (512 KiB together) per call.
  Executable f = compile(R"mlir(
func.func @f(%x: tensor<128x128xf32>) -> tensor<128x1xf32> {
  %0 = nn.matmul %x, %x : tensor<128x128xf32>, tensor<128x128xf32>
  %1 = nn.exp %0 : tensor<128x128xf32>
  %2 = nn.matmul %1, %x : tensor<128x128xf32>, tensor<128x128xf32>
  %3 = nn.sum %2 dims = [1] keepdim : tensor<128x128xf32>
  return %3 : tensor<128x1xf32>
}
)mlir",
                         "f");
  Buffer x({128, 128}, 0.001f), y({128, 1});
  run(f, {&x}, {&y}); // warm-up: lazy JIT state, first allocations
  size_t before = heapBytesInUse();
  for (int i = 0; i < 50; ++i)
    run(f, {&x}, {&y});
  size_t after = heapBytesInUse();
  // 50 leaked calls would hold 25 MiB; allow noise from the test itself.
  EXPECT_LT(after, before + (1u << 20))
      << "heap grew from " << before << " to " << after << " bytes";
  // Every entry of x@x is 128e-6; each row of exp(.)@x sums 128 entries.
  double expectedRowSum = 128.0 * 128.0 * 0.001 * std::exp(128e-6);
  for (float v : y.data)
    EXPECT_NEAR(v, expectedRowSum, 1e-4);
}

//===----------------------------------------------------------------------===//
// Fused kernels (nn-fuse regions, one kernel each) and parallel loops
//===----------------------------------------------------------------------===//

/// softmax (or log_softmax) of every row of a [rows, cols] matrix, in double.
std::vector<double> softmaxRows(const std::vector<float> &x, int64_t rows,
                                int64_t cols, bool log) {
  std::vector<double> out(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double max = -INFINITY, sum = 0;
    for (int64_t c = 0; c < cols; ++c)
      max = std::max(max, double(x[r * cols + c]));
    for (int64_t c = 0; c < cols; ++c)
      sum += std::exp(double(x[r * cols + c]) - max);
    for (int64_t c = 0; c < cols; ++c) {
      double shifted = double(x[r * cols + c]) - max;
      out[r * cols + c] =
          log ? shifted - std::log(sum) : std::exp(shifted) / sum;
    }
  }
  return out;
}

std::vector<float> toFloat(const std::vector<double> &values) {
  return std::vector<float>(values.begin(), values.end());
}

/// An i64 tensor for class-index targets.
BufferView int64View(std::vector<int64_t> &data) {
  BufferView view;
  view.data = data.data();
  view.shape = {static_cast<int64_t>(data.size())};
  view.strides = {1};
  view.type = ElementType::I64;
  return view;
}

TEST_F(CodegenTest, FusedSoftmaxMatchesReference) {
  // nn.softmax and the same softmax spelled out in five ops: both are one
  // region (reductions with their prologues and epilogues), one kernel.
  Executable f = compile(R"mlir(
func.func @f(%x: tensor<64x128xf32>) -> (tensor<64x128xf32>, tensor<64x128xf32>) {
  %s = nn.softmax %x dim = 1 : tensor<64x128xf32>
  %0 = nn.max %x dims = [1] keepdim : tensor<64x128xf32>
  %1 = nn.sub %x, %0 : tensor<64x128xf32>, tensor<64x1xf32>
  %2 = nn.exp %1 : tensor<64x128xf32>
  %3 = nn.sum %2 dims = [1] keepdim : tensor<64x128xf32>
  %4 = nn.div %2, %3 : tensor<64x128xf32>, tensor<64x1xf32>
  return %s, %4 : tensor<64x128xf32>, tensor<64x128xf32>
}
)mlir",
                         "f");
  Buffer x({64, 128}, ramp(64 * 128)), op({64, 128}), spelled({64, 128});
  for (float &v : x.data)
    v *= 4.0f; // logits in [-8, 8): exp would lose digits without the max
  run(f, {&x}, {&op, &spelled});
  std::vector<float> expected = toFloat(softmaxRows(x.data, 64, 128, false));
  expectNear(op.data, expected, 1e-6f, 1e-5f);
  expectNear(spelled.data, expected, 1e-6f, 1e-5f);
}

TEST_F(CodegenTest, FusedLogSoftmaxNLLMatchesReference) {
  // log_softmax + NLL against class indices (nn.cross_entropy) and against
  // one-hot targets (log_softmax, mul, sum, neg, div: one region).
  Executable f = compile(R"mlir(
func.func @f(%logits: tensor<32x10xf32>, %target: tensor<32xi64>,
             %onehot: tensor<32x10xf32>) -> (tensor<f32>, tensor<f32>) {
  %ce = nn.cross_entropy %logits, %target reduction = mean
      : tensor<32x10xf32>, tensor<32xi64>
  %n = nn.constant dense<32.0> : tensor<f32>
  %0 = nn.log_softmax %logits dim = 1 : tensor<32x10xf32>
  %1 = nn.mul %0, %onehot : tensor<32x10xf32>, tensor<32x10xf32>
  %2 = nn.sum %1 dims = [0, 1] : tensor<32x10xf32>
  %3 = nn.neg %2 : tensor<f32>
  %4 = nn.div %3, %n : tensor<f32>, tensor<f32>
  return %ce, %4 : tensor<f32>, tensor<f32>
}
)mlir",
                         "f");
  Buffer logits({32, 10}, ramp(320, 0.3f)), onehot({32, 10}), ce({}), nll({});
  std::vector<int64_t> target(32);
  for (int64_t r = 0; r < 32; ++r) {
    target[r] = (r * 7) % 10;
    onehot.data[r * 10 + target[r]] = 1.0f;
  }
  std::vector<BufferView> in = {logits.view(), int64View(target),
                                onehot.view()};
  std::vector<BufferView> out = {ce.view(), nll.view()};
  f.run(in, out);
  std::vector<double> logp = softmaxRows(logits.data, 32, 10, true);
  double loss = 0;
  for (int64_t r = 0; r < 32; ++r)
    loss -= logp[r * 10 + target[r]];
  loss /= 32;
  EXPECT_NEAR(ce.data[0], loss, 1e-5 + 1e-5 * std::fabs(loss));
  EXPECT_NEAR(nll.data[0], loss, 1e-5 + 1e-5 * std::fabs(loss));
}

constexpr llvm::StringLiteral kClassifier = R"mlir(
func.func @classifier(%x: tensor<256x64xf32>, %w1: tensor<64x128xf32>,
                      %b1: tensor<128xf32>, %w2: tensor<128x16xf32>,
                      %b2: tensor<16xf32>) -> tensor<256x16xf32> {
  %0 = nn.matmul %x, %w1 : tensor<256x64xf32>, tensor<64x128xf32>
  %1 = nn.add %0, %b1 : tensor<256x128xf32>, tensor<128xf32>
  %2 = nn.relu %1 : tensor<256x128xf32>
  %3 = nn.matmul %2, %w2 : tensor<256x128xf32>, tensor<128x16xf32>
  %4 = nn.add %3, %b2 : tensor<256x16xf32>, tensor<16xf32>
  %5 = nn.log_softmax %4 dim = 1 : tensor<256x16xf32>
  return %5 : tensor<256x16xf32>
}
)mlir";

/// The classifier's inputs, with values that exercise relu's both sides.
struct ClassifierInputs {
  Buffer x{{256, 64}, ramp(256 * 64, 0.1f)};
  Buffer w1{{64, 128}, ramp(64 * 128, 0.7f)};
  Buffer b1{{128}, ramp(128, 1.3f)};
  Buffer w2{{128, 16}, ramp(128 * 16, 0.2f)};
  Buffer b2{{16}, ramp(16, 0.9f)};
  ClassifierInputs() {
    for (float &v : w1.data)
      v *= 0.05f;
    for (float &v : w2.data)
      v *= 0.05f;
  }
  std::vector<Buffer *> all() { return {&x, &w1, &b1, &w2, &b2}; }
};

TEST_F(CodegenTest, FusedMLPClassifierMatchesReference) {
  Executable f = compile(kClassifier, "classifier");
  ClassifierInputs in;
  Buffer y({256, 16});
  run(f, in.all(), {&y});
  std::vector<float> hidden =
      matmul(in.x.data, in.w1.data, 256, 64, 128, &in.b1.data);
  for (float &v : hidden)
    v = std::max(v, 0.0f);
  std::vector<float> logits =
      matmul(hidden, in.w2.data, 256, 128, 16, &in.b2.data);
  // Two matmuls in f32: an f64-referenced bound (DESIGN.md section 9).
  expectNear(y.data, toFloat(softmaxRows(logits, 256, 16, true)), 1e-4f, 1e-4f);
}

/// Whether lowering `source` with the CPU pipeline calls the thread pool.
bool callsThreadPool(mlir::MLIRContext &context, llvm::StringRef source) {
  mlir::DialectRegistry registry;
  nnc::registerCPUCodegenDialects(registry);
  context.appendDialectRegistry(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  mlir::PassManager pm(&context, mlir::ModuleOp::getOperationName());
  nnc::buildCPUPipeline(pm, nnc::CPUCodegenOptions());
  if (!module || mlir::failed(pm.run(*module)))
    return false;
  bool calls = false;
  module->walk([&](mlir::LLVM::CallOp call) {
    calls |= call.getCallee() == llvm::StringRef("nnc_runtime_parallel_for");
  });
  return calls;
}

TEST_F(CodegenTest, ParallelKernelsGiveIdenticalResultsWithOneAndTwoThreads) {
  ASSERT_TRUE(callsThreadPool(context, kClassifier))
      << "the classifier's kernels should run on the thread pool";
  Executable f = compile(kClassifier, "classifier");
  ClassifierInputs in;
  Buffer one({256, 16}), two({256, 16});
  int threads = nnc::runtime::numThreads();
  nnc::runtime::setNumThreads(1);
  run(f, in.all(), {&one});
  nnc::runtime::setNumThreads(2);
  for (int repeat = 0; repeat < 5; ++repeat) {
    std::fill(two.data.begin(), two.data.end(), -99.0f);
    run(f, in.all(), {&two});
    // Every row is computed by one task, in the same order: bit-identical.
    ASSERT_EQ(one.data, two.data) << "run " << repeat;
  }
  nnc::runtime::setNumThreads(threads);
}

TEST_F(CodegenTest, KernelWithDynamicBatchInputAndStaticResult) {
  // The region's result is static, so it becomes a kernel taking a
  // dynamically shaped argument (exp fuses into the reduction's loop nest,
  // whose trip count is the batch read from the descriptor).
  Executable f = compile(R"mlir(
func.func @f(%x: tensor<?x4xf32>) -> tensor<f32> {
  %0 = nn.exp %x : tensor<?x4xf32>
  %1 = nn.sum %0 dims = [0, 1] : tensor<?x4xf32>
  return %1 : tensor<f32>
}
)mlir",
                         "f");
  for (int64_t batch : {1, 3, 37}) {
    Buffer x({batch, 4}, ramp(batch * 4)), y({});
    run(f, {&x}, {&y});
    double expected = 0;
    for (float v : x.data)
      expected += std::exp(double(v));
    EXPECT_NEAR(y.data[0], expected, 1e-5 * expected) << "batch " << batch;
  }
}

TEST_F(CodegenTest, FusedMSELossMatchesReference) {
  // A regressor's head: matmul + bias (one kernel), then the loss.
  Executable f = compile(R"mlir(
func.func @f(%h: tensor<64x8xf32>, %w: tensor<8x1xf32>, %b: tensor<1xf32>,
             %y: tensor<64x1xf32>) -> tensor<f32> {
  %0 = nn.matmul %h, %w : tensor<64x8xf32>, tensor<8x1xf32>
  %1 = nn.add %0, %b : tensor<64x1xf32>, tensor<1xf32>
  %2 = nn.mse_loss %1, %y reduction = mean : tensor<64x1xf32>, tensor<64x1xf32>
  return %2 : tensor<f32>
}
)mlir",
                         "f");
  Buffer h({64, 8}, ramp(512)), w({8, 1}, ramp(8, 0.5f)), b({1}, {0.25f}),
      y({64, 1}, ramp(64, 1.5f)), loss({});
  run(f, {&h, &w, &b, &y}, {&loss});
  std::vector<float> prediction = matmul(h.data, w.data, 64, 8, 1, &b.data);
  double expected = 0;
  for (int64_t i = 0; i < 64; ++i)
    expected += std::pow(double(prediction[i]) - double(y.data[i]), 2);
  expected /= 64;
  EXPECT_NEAR(loss.data[0], expected, 1e-5 + 1e-5 * expected);
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST_F(CodegenTest, MissingEntryIsAnError) {
  auto module = parse(kLinalgDense);
  EXPECT_NE(compileError(*module, "nope").find("no func.func '@nope'"),
            std::string::npos);
}

TEST_F(CodegenTest, UnsupportedArgumentTypeIsNamed) {
  auto module = parse(R"mlir(
func.func @f(%x: tensor<4xi8>) -> tensor<4xi8> {
  return %x : tensor<4xi8>
}
)mlir");
  std::string error = compileError(*module, "f");
  EXPECT_NE(error.find("argument 0 has type tensor<4xi8>"), std::string::npos)
      << error;
}

TEST_F(CodegenTest, InvalidModuleReportsTheVerifierDiagnostic) {
  mlir::ParserConfig config(&context, /*verifyAfterParse=*/false);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(R"mlir(
func.func @f(%x: tensor<4x3xf32>, %y: tensor<5x3xf32>) -> tensor<4x3xf32> {
  %0 = "nn.add"(%x, %y) : (tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
)mlir",
                                                        config);
  ASSERT_TRUE(module);
  std::string error = compileError(*module, "f");
  EXPECT_NE(error.find("the module to compile is invalid"), std::string::npos)
      << error;
  EXPECT_NE(error.find("error: 'nn.add' op"), std::string::npos) << error;
}

TEST_F(CodegenTest, LoweringFailureCarriesDiagnostics) {
  context.allowUnregisteredDialects();
  auto module = parse(R"mlir(
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "mystery.op"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
)mlir");
  std::string error = compileError(*module, "f");
  EXPECT_NE(error.find("lowering '@f' for the CPU failed"), std::string::npos)
      << error;
  EXPECT_NE(error.find("mystery.op"), std::string::npos) << error;
}

TEST_F(CodegenTest, RunChecksBuffersAgainstTheSignature) {
  Executable dense = compile(kLinalgDense, "dense");
  Buffer x({4, 9}), w({8, 16}), b({16}), y({4, 16});
  EXPECT_THROW(run(dense, {&x, &w, &b}, {&y}), std::invalid_argument);
}

//===----------------------------------------------------------------------===//
// Emission
//===----------------------------------------------------------------------===//

TEST_F(CodegenTest, EmitsLLVMIRAssemblyAndObject) {
  auto module = parse(kLinalgDense);
  mlir::PassManager pm(&context, mlir::ModuleOp::getOperationName());
  mlir::DialectRegistry registry;
  nnc::registerCPUCodegenDialects(registry);
  context.appendDialectRegistry(registry);
  nnc::buildCPUPipeline(pm, nnc::CPUCodegenOptions());
  ASSERT_TRUE(mlir::succeeded(pm.run(*module)));

  nnc::CPUCodegenOptions options;
  auto ir = nnc::emitLLVMIR(*module, options);
  ASSERT_TRUE(static_cast<bool>(ir)) << llvm::toString(ir.takeError());
  EXPECT_NE(ir->find("define void @_mlir_ciface_dense(ptr"), std::string::npos)
      << *ir;
  EXPECT_NE(ir->find("target triple = \"x86_64"), std::string::npos);

  auto assembly = nnc::emitAssembly(*module, options);
  ASSERT_TRUE(static_cast<bool>(assembly))
      << llvm::toString(assembly.takeError());
  EXPECT_NE(assembly->find("_mlir_ciface_dense:"), std::string::npos);

  auto object = nnc::emitObject(*module, options);
  ASSERT_TRUE(static_cast<bool>(object)) << llvm::toString(object.takeError());
  EXPECT_EQ(object->substr(0, 4), "\x7f"
                                  "ELF");
}

TEST_F(CodegenTest, EmittingUnloweredIRIsAnError) {
  auto module = parse(kLinalgDense);
  auto ir = nnc::emitLLVMIR(*module, nnc::CPUCodegenOptions());
  ASSERT_FALSE(static_cast<bool>(ir));
  std::string error = llvm::toString(ir.takeError());
  EXPECT_NE(error.find("cannot translate the module to LLVM IR"),
            std::string::npos)
      << error;
}

} // namespace
