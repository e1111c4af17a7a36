//===- test/unit/BF16GemmTest.cpp - Packed matrix products, compiled ------===//
//
// nnc-tile-contractions steps bf16 products by k pairs with vdpbf16ps where
// the target has AVX512-BF16 (B packed into k pairs, an odd k padded with a
// zero) and widens to f32 FMAs where it has not. Both are checked against
// an f64 reference of the bf16 operands, and the instruction against the
// assembly of each target. Large f32 products go through the same packed
// panels of B (one k per lane, FMAs), checked the same way.
//
//===----------------------------------------------------------------------===//
#include "codegen/Emit.h"
#include "codegen/JIT.h"
#include "codegen/Pipelines.h"
#include "frontend/ScalarType.h"
#include "ir/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/FormatVariadic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

using nnc::runtime::BufferView;
using nnc::runtime::ElementType;
using nnc::runtime::Executable;

namespace {

struct GemmShape {
  int64_t m, n, k;
};

std::string shapeName(const GemmShape &s) {
  return std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
         std::to_string(s.k);
}

/// C[m, n] = A[m, k] . B[k, n] on `element` (bf16 or f32) operands, the
/// sum in f32, from a zero fill (the product nn.matmul lowers to, with an
/// f32 result: no rounding to bf16 after it, so the check can be tight) or,
/// with `accumulate`, from a third argument. With `dynamicRows`, m is `?`.
std::string productModule(const GemmShape &s, bool dynamicRows,
                          llvm::StringRef element = "bf16",
                          bool accumulate = false) {
  std::string m = dynamicRows ? "?" : std::to_string(s.m);
  std::string product = element == "bf16" ? R"mlir(
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32)mlir"
                                          : R"mlir(
    %p = arith.mulf %x, %y : f32)mlir";
  std::string init = accumulate ? ""
                                : llvm::formatv(R"mlir(
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %rows = tensor.dim %a, %c0 : tensor<{0}x{1}x{2}>
  %empty = tensor.empty({3}) : tensor<{0}x{4}xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<{0}x{4}xf32>)
      -> tensor<{0}x{4}xf32>)mlir",
                                                m, s.k, element,
                                                dynamicRows ? "%rows" : "", s.n)
                                      .str();
  return llvm::formatv(R"mlir(
#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
func.func @f(%a: tensor<{0}x{2}x{3}>, %b: tensor<{2}x{1}x{3}>{4})
    -> tensor<{0}x{1}xf32> {{{5}
  %c = linalg.generic {{indexing_maps = [#mk, #kn, #mn],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<{0}x{2}x{3}>, tensor<{2}x{1}x{3}>)
      outs(%init : tensor<{0}x{1}xf32>) {{
  ^bb0(%x: {3}, %y: {3}, %acc: f32):{6}
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<{0}x{1}xf32>
  return %c : tensor<{0}x{1}xf32>
}
)mlir",
                       m, s.n, s.k, element,
                       accumulate ? ", %init: tensor<" + m + "x" +
                                        std::to_string(s.n) + "xf32>"
                                  : std::string(),
                       init, product)
      .str();
}

/// nn.matmul of `element` tensors: for bf16 the f32 sum is rounded to bf16.
std::string matmulModule(const GemmShape &s, llvm::StringRef element) {
  return llvm::formatv(R"mlir(
func.func @f(%a: tensor<{0}x{2}x{3}>, %b: tensor<{2}x{1}x{3}>)
    -> tensor<{0}x{1}x{3}> {{
  %c = nn.matmul %a, %b : tensor<{0}x{2}x{3}>, tensor<{2}x{1}x{3}>
  return %c : tensor<{0}x{1}x{3}>
}
)mlir",
                       s.m, s.n, s.k, element)
      .str();
}

/// Deterministic, varied bf16 values in [-2, 2), as `T` (bf16 or f32:
/// values with 8 significant bits, whose products are exact in f32).
template <typename T = nnc::BFloat16>
std::vector<T> values(int64_t count, float phase) {
  std::vector<T> out;
  for (int64_t i = 0; i < count; ++i)
    out.push_back(T(float(nnc::BFloat16(
        std::fmod(0.37f * static_cast<float>(i) + phase, 4.0f) - 2.0f))));
  return out;
}

/// Entry (i, j) of a[m, k] . b[k, n] in f64, and the sum of its products'
/// magnitudes (what the f32 error bound scales with).
template <typename T>
std::pair<double, double>
referenceEntry(const std::vector<T> &a, const std::vector<T> &b,
               const GemmShape &s, int64_t i, int64_t j) {
  double sum = 0, magnitude = 0;
  for (int64_t p = 0; p < s.k; ++p) {
    double product =
        double(float(a[i * s.k + p])) * double(float(b[p * s.n + j]));
    sum += product;
    magnitude += std::fabs(product);
  }
  return {sum, magnitude};
}

BufferView view(void *data, std::vector<int64_t> shape, ElementType type) {
  BufferView view;
  view.data = data;
  view.shape = shape;
  view.strides = {shape[1], 1};
  view.type = type;
  return view;
}

class BF16GemmTest : public ::testing::Test {
protected:
  BF16GemmTest() {
    context.loadDialect<mlir::nn::NNDialect, mlir::func::FuncDialect,
                        mlir::arith::ArithDialect, mlir::linalg::LinalgDialect,
                        mlir::tensor::TensorDialect>();
  }

  mlir::OwningOpRef<mlir::ModuleOp> parse(const std::string &source) {
    auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    EXPECT_TRUE(module) << "test input does not parse:\n" << source;
    return module;
  }

  /// Compiles the product of shape `s` for `options`' target, runs it and
  /// checks it against the f64 sum of the same bf16 operands: the products
  /// of bf16 values are exact in f32, so only the order of the f32 sums
  /// may differ (bounded by k f32 roundings of the sum of |products|).
  void expectProductMatches(const GemmShape &s,
                            const nnc::CPUCodegenOptions &options,
                            bool dynamicRows = false) {
    SCOPED_TRACE(shapeName(s) + (dynamicRows ? ", rows dynamic" : ""));
    auto module = parse(productModule(s, dynamicRows));
    ASSERT_TRUE(module);
    auto executable = nnc::jitCompile(*module, "f", options);
    ASSERT_TRUE(static_cast<bool>(executable))
        << llvm::toString(executable.takeError());
    std::vector<nnc::BFloat16> a = values(s.m * s.k, 0.0f),
                               b = values(s.k * s.n, 0.9f);
    std::vector<float> c(s.m * s.n, -99.0f);
    executable->run({view(a.data(), {s.m, s.k}, ElementType::BF16),
                     view(b.data(), {s.k, s.n}, ElementType::BF16)},
                    {view(c.data(), {s.m, s.n}, ElementType::F32)});
    for (int64_t i = 0; i < s.m; ++i)
      for (int64_t j = 0; j < s.n; ++j) {
        auto [sum, magnitude] = referenceEntry(a, b, s, i, j);
        double bound = s.k * 0x1p-24 * magnitude + 1e-6;
        ASSERT_NEAR(c[i * s.n + j], sum, bound)
            << "at (" << i << ", " << j << ")";
      }
  }

  /// The assembly of the product of shape `s` compiled for `options`.
  std::string assembly(const GemmShape &s,
                       const nnc::CPUCodegenOptions &options) {
    auto module = parse(productModule(s, /*dynamicRows=*/false));
    mlir::DialectRegistry registry;
    nnc::registerCPUCodegenDialects(registry);
    context.appendDialectRegistry(registry);
    mlir::PassManager pm(&context, mlir::ModuleOp::getOperationName());
    nnc::buildCPUPipeline(pm, options);
    EXPECT_TRUE(mlir::succeeded(pm.run(*module)));
    auto text = nnc::emitAssembly(*module, options);
    EXPECT_TRUE(static_cast<bool>(text)) << llvm::toString(text.takeError());
    return text ? *text : "";
  }

  mlir::MLIRContext context;
};

/// Odd k (a zero pads the last pair), rows in register tiles of 4 and 8,
/// columns in panels of 8 (ymm), 16 and 32 (two zmm) lanes, several k
/// blocks.
const GemmShape kShapes[] = {
    {20, 48, 37}, {16, 40, 9}, {64, 96, 130}, {8, 32, 5}, {32, 64, 601}};

TEST_F(BF16GemmTest, HostProductsMatchF64Reference) {
  for (const GemmShape &s : kShapes)
    expectProductMatches(s, nnc::CPUCodegenOptions());
}

/// A batch of rows known only at run time: tasks of 16 rows (the last one
/// short), full register tiles and then single rows.
TEST_F(BF16GemmTest, DynamicRowsMatchF64Reference) {
  for (const GemmShape &s :
       {GemmShape{37, 64, 33}, GemmShape{5, 32, 64}, GemmShape{64, 48, 130}})
    expectProductMatches(s, nnc::CPUCodegenOptions(), /*dynamicRows=*/true);
}

/// nn.matmul on bf16 tensors: the f32 sum rounded to bf16 at the end, by
/// the last pass over k (k in one block and even: the only pass, straight
/// from zeroed registers; odd k; several blocks).
TEST_F(BF16GemmTest, NNMatmulRoundsTheF32SumToBF16) {
  for (const GemmShape &s :
       {GemmShape{16, 32, 64}, GemmShape{24, 64, 75}, GemmShape{8, 64, 1030}}) {
    SCOPED_TRACE(shapeName(s));
    auto module = parse(matmulModule(s, "bf16"));
    ASSERT_TRUE(module);
    auto executable = nnc::jitCompile(*module, "f");
    ASSERT_TRUE(static_cast<bool>(executable))
        << llvm::toString(executable.takeError());
    std::vector<nnc::BFloat16> a = values(s.m * s.k, 0.3f),
                               b = values(s.k * s.n, 1.7f), c(s.m * s.n);
    executable->run({view(a.data(), {s.m, s.k}, ElementType::BF16),
                     view(b.data(), {s.k, s.n}, ElementType::BF16)},
                    {view(c.data(), {s.m, s.n}, ElementType::BF16)});
    for (int64_t i = 0; i < s.m; ++i)
      for (int64_t j = 0; j < s.n; ++j) {
        auto [sum, magnitude] = referenceEntry(a, b, s, i, j);
        // Rounding to bf16 (8 significant bits): half a unit in the last
        // place, at most 2^-8 of the value, plus the f32 sums' error.
        ASSERT_NEAR(float(c[i * s.n + j]), sum,
                    std::fabs(sum) * 0x1p-8 + s.k * 0x1p-24 * magnitude)
            << "at (" << i << ", " << j << ")";
      }
  }
}

TEST_F(BF16GemmTest, Vdpbf16psOnlyWhereTheTargetHasIt) {
  const GemmShape s = {64, 96, 130};
  nnc::CPUCodegenOptions withBF16;
  withBF16.targetCPU = "znver4";
  EXPECT_NE(assembly(s, withBF16).find("vdpbf16ps"), std::string::npos);
  // AVX-512 without AVX512-BF16: bf16 widened to f32 FMAs.
  nnc::CPUCodegenOptions withoutBF16;
  withoutBF16.targetCPU = "skylake-avx512";
  std::string fallback = assembly(s, withoutBF16);
  EXPECT_EQ(fallback.find("vdpbf16ps"), std::string::npos);
  EXPECT_NE(fallback.find("vfmadd"), std::string::npos);
}

TEST_F(BF16GemmTest, ProductsWithoutAVX512BF16MatchF64Reference) {
  if (!__builtin_cpu_supports("avx512f"))
    GTEST_SKIP() << "this CPU cannot run skylake-avx512 code";
  nnc::CPUCodegenOptions withoutBF16;
  withoutBF16.targetCPU = "skylake-avx512";
  for (const GemmShape &s : kShapes)
    expectProductMatches(s, withoutBF16);
}

//===----------------------------------------------------------------------===//
// f32 products over packed panels
//===----------------------------------------------------------------------===//

/// f32 products with k, n >= 1024 and at least 512 rows (the pass's
/// pack-f32-min-size): B packed into panels of 32 columns, at run time or,
/// for a constant B (a frozen weight), at compile time. Too large for a
/// full f64 reference in a fast test, so a grid of entries (every 17th row
/// and column, and the last ones) is checked.
class PackedF32GemmTest : public BF16GemmTest {
protected:
  /// Runs `executable` on `inputs` (A, then B unless it is a constant,
  /// then C's initial values if it accumulates) and checks C = init + A B.
  void expectMatches(Executable &executable, const GemmShape &s, bool constantB,
                     bool accumulate) {
    std::vector<float> a = values<float>(s.m * s.k, 0.1f),
                       b = values<float>(s.k * s.n, 1.3f),
                       init = values<float>(s.m * s.n, 0.5f),
                       c(s.m * s.n, -99.0f);
    // The kernel may sum into its init argument in place (bufferization
    // writes into function arguments): the reference reads a copy.
    const std::vector<float> start = init;
    std::vector<BufferView> inputs = {
        view(a.data(), {s.m, s.k}, ElementType::F32)};
    if (!constantB)
      inputs.push_back(view(b.data(), {s.k, s.n}, ElementType::F32));
    if (accumulate)
      inputs.push_back(view(init.data(), {s.m, s.n}, ElementType::F32));
    executable.run(inputs, {view(c.data(), {s.m, s.n}, ElementType::F32)});
    auto checked = [](int64_t size) {
      std::vector<int64_t> at;
      for (int64_t i = 0; i < size; i += 17)
        at.push_back(i);
      at.push_back(size - 1);
      return at;
    };
    for (int64_t i : checked(s.m))
      for (int64_t j : checked(s.n)) {
        auto [sum, magnitude] = referenceEntry(a, b, s, i, j);
        double initial = accumulate ? start[i * s.n + j] : 0.0;
        double bound = (s.k + 1) * 0x1p-24 * (magnitude + std::fabs(initial));
        ASSERT_NEAR(c[i * s.n + j], initial + sum, bound)
            << "at (" << i << ", " << j << ")";
      }
  }
};

/// Sizes that are no powers of two: tasks of 40 rows and 96 columns, k in
/// blocks of 208 (five passes over k).
const GemmShape kPackedShape = {520, 1056, 1040};

TEST_F(PackedF32GemmTest, NNMatmulMatchesF64Reference) {
  for (const GemmShape &s : {kPackedShape, GemmShape{1024, 1024, 1024}}) {
    SCOPED_TRACE(shapeName(s));
    auto module = parse(matmulModule(s, "f32"));
    ASSERT_TRUE(module);
    auto executable = nnc::jitCompile(*module, "f");
    ASSERT_TRUE(static_cast<bool>(executable))
        << llvm::toString(executable.takeError());
    expectMatches(*executable, s, /*constantB=*/false, /*accumulate=*/false);
  }
}

TEST_F(PackedF32GemmTest, AccumulatingProductMatchesF64Reference) {
  auto module = parse(productModule(kPackedShape, /*dynamicRows=*/false, "f32",
                                    /*accumulate=*/true));
  ASSERT_TRUE(module);
  auto executable = nnc::jitCompile(*module, "f");
  ASSERT_TRUE(static_cast<bool>(executable))
      << llvm::toString(executable.takeError());
  expectMatches(*executable, kPackedShape, /*constantB=*/false,
                /*accumulate=*/true);
}

/// B a constant, as CompileOptions().frozen(true) makes a weight: packed
/// when compiling, the same result.
TEST_F(PackedF32GemmTest, ConstantBMatchesF64Reference) {
  const GemmShape &s = kPackedShape;
  auto module = parse(matmulModule(s, "f32"));
  ASSERT_TRUE(module);
  auto function = module->lookupSymbol<mlir::func::FuncOp>("f");
  mlir::OpBuilder builder(function.getBody());
  std::vector<float> b = values<float>(s.k * s.n, 1.3f);
  auto type = mlir::RankedTensorType::get({s.k, s.n}, builder.getF32Type());
  mlir::Value constant = mlir::arith::ConstantOp::create(
      builder, function.getLoc(),
      mlir::DenseElementsAttr::get(type, llvm::ArrayRef<float>(b)));
  function.getArgument(1).replaceAllUsesWith(constant);
  ASSERT_TRUE(mlir::succeeded(function.eraseArgument(1)));
  auto executable = nnc::jitCompile(*module, "f");
  ASSERT_TRUE(static_cast<bool>(executable))
      << llvm::toString(executable.takeError());
  expectMatches(*executable, s, /*constantB=*/true, /*accumulate=*/false);
}

} // namespace
