//===- test/unit/JitOpsTest.cpp - dtype and tensor ops, compiled vs eager -===//
//
// The ops of issue 4 traced and compiled (nn ops of ir/NNTensorOps.td and
// the dtype rules of the lowering), each compared with eager on the same
// inputs: dtypes must agree exactly, integer and bool results exactly,
// float results within DESIGN.md section 9's tolerances.
//
//===----------------------------------------------------------------------===//
#include "frontend/nnc.h"
#include "test/unit/AllClose.h"
#include "test/unit/InterpretTraced.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <functional>
#include <string>
#include <tuple>

using nnc::Tensor;
using nnc::jit::TensorFunction;
using testing::HasSubstr;

namespace {

/// Same dtype and shape, and values within rtol/atol (exactly equal for
/// integer and bool results).
::testing::AssertionResult sameResult(const Tensor &actual,
                                      const Tensor &expected, double rtol,
                                      double atol) {
  if (actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure()
           << "dtype " << actual.dtype() << " vs " << expected.dtype();
  bool exact = !expected.is_floating_point();
  return nnc::testing::allClose(actual.to(nnc::kFloat32),
                                expected.to(nnc::kFloat32), exact ? 0 : rtol,
                                exact ? 0 : atol);
}

/// Compiles `fn`, checks that its traced graph holds each of `ops` (so the
/// op was traced, not folded into a constant), runs it on `inputs`, and
/// compares every output with eager; the graph interpreted op by op must
/// agree with eager too.
void expectCompiledMatchesEager(const TensorFunction &fn,
                                const std::vector<Tensor> &inputs,
                                const std::vector<std::string> &ops,
                                double rtol = 1.3e-6, double atol = 1e-5) {
  std::vector<Tensor> eager = fn(inputs);
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(fn, inputs);
  for (const std::string &op : ops)
    EXPECT_THAT(compiled.graphText(), HasSubstr(op + " "));
  std::vector<Tensor> result = compiled(inputs);
  std::vector<Tensor> reference = nnc::testing::interpretTraced(fn, inputs);
  ASSERT_EQ(result.size(), eager.size());
  ASSERT_EQ(reference.size(), eager.size());
  for (size_t i = 0; i < eager.size(); ++i) {
    EXPECT_TRUE(sameResult(result[i], eager[i], rtol, atol))
        << "output " << i << " of\n"
        << compiled.graphText();
    EXPECT_TRUE(sameResult(reference[i], eager[i], rtol, atol))
        << "interpreted output " << i << " of\n"
        << compiled.graphText();
  }
}

/// A function of its inputs returning several tensors.
class JitOpsTest : public testing::Test {
protected:
  void SetUp() override { nnc::manual_seed(7); }
};

TEST_F(JitOpsTest, ConversionsAndPromotion) {
  Tensor x = nnc::randn({4, 3}) * 3.0;
  Tensor i = nnc::randint(-5, 5, {4, 3});
  expectCompiledMatchesEager(
      [](const std::vector<Tensor> &in) -> std::vector<Tensor> {
        const Tensor &f = in[0], &l = in[1];
        return {f.to(nnc::kDouble), f.to(nnc::kHalf), f.to(nnc::kBFloat16),
                f.to(nnc::kLong), f.to(nnc::kInt), f.to(nnc::kBool),
                l.to(nnc::kFloat), l + l, l * 3, f + l, (f > 0).to(nnc::kFloat),
                // uint8: conversions both ways, and data movement.
                f.abs().to(nnc::kByte), f.abs().to(nnc::kByte).to(nnc::kFloat),
                f.abs().to(nnc::kByte).slice(1, 0, 2)};
      },
      {x, i}, {"nn.convert", "nn.add", "nn.mul", "nn.gt"});
}

TEST_F(JitOpsTest, UInt8ArithmeticWrapsLikePyTorch) {
  Tensor a = (nnc::rand({4, 3}) * 255.0).to(nnc::kByte);
  Tensor b = (nnc::rand({4, 3}) * 255.0).to(nnc::kByte);
  expectCompiledMatchesEager(
      [](const std::vector<Tensor> &in) -> std::vector<Tensor> {
        const Tensor &x = in[0], &y = in[1];
        return {x + y,
                x + 7,
                x - y,
                x * y,
                x > y,
                x.eq(y),
                x.amax({1}),
                x.argmin(0),
                nnc::where(x > y, x, y),
                nnc::cat({x, y}, 0).index_select(
                    0, nnc::tensor(std::vector<int64_t>{7, 0}))};
      },
      {a, b},
      {"nn.add", "nn.sub", "nn.mul", "nn.gt", "nn.max", "nn.argmin", "nn.where",
       "nn.concat", "nn.index_select"});
}

TEST_F(JitOpsTest, HalfPrecisionComputesInFloat) {
  Tensor a = nnc::randn({5, 4}).to(nnc::kHalf);
  Tensor b = nnc::randn({4}).to(nnc::kHalf);
  // One rounding per op, as eager: results agree to the last bit but for
  // exp's libm differences (one f16 ulp is ~1e-3).
  expectCompiledMatchesEager(
      [](const std::vector<Tensor> &in) -> std::vector<Tensor> {
        return {in[0] * in[1] + in[1],
                (in[0] - in[1]).exp(),
                in[0].to(nnc::kBFloat16) * 2.0,
                in[0].sum({0}),
                in[0].mean({1}),
                in[0].softmax(1),
                in[0].log_softmax(0)};
      },
      {a, b},
      {"nn.mul", "nn.exp", "nn.convert", "nn.sum", "nn.mean", "nn.softmax",
       "nn.log_softmax"},
      1e-3, 1e-3);
}

TEST_F(JitOpsTest, ComparisonsWhereClampAbsSignPow) {
  Tensor x = nnc::randn({4, 3});
  Tensor y = nnc::randn({3});
  Tensor positive = nnc::rand({4, 3}) + 0.5;
  expectCompiledMatchesEager(
      [](const std::vector<Tensor> &in) -> std::vector<Tensor> {
        const Tensor &a = in[0], &b = in[1], &p = in[2];
        return {a.eq(b),
                a.ne(b),
                a.lt(b),
                a.le(0.5),
                a.gt(b),
                a.ge(b),
                nnc::where(a > b, a, b),
                a.masked_fill(a < 0, -1.5),
                a.clamp(-0.5, 0.5),
                a.clamp(std::nullopt, 0.25),
                a.abs(),
                a.sign(),
                p.pow(b)};
      },
      {x, y, positive},
      {"nn.eq", "nn.ne", "nn.lt", "nn.le", "nn.gt", "nn.ge", "nn.where",
       "nn.clamp", "nn.abs", "nn.sign", "nn.pow_tensor"});
}

TEST_F(JitOpsTest, ViewsSlicesAndJoins) {
  Tensor x = nnc::randn({4, 6});
  Tensor y = nnc::randn({4, 2});
  expectCompiledMatchesEager(
      [](const std::vector<Tensor> &in) -> std::vector<Tensor> {
        const Tensor &a = in[0], &b = in[1];
        std::vector<Tensor> outputs = {
            a.slice(1, 1, 5, 2), a.narrow(0, 1, 2), a.select(1, 3), a[2],
            nnc::cat({a, b}, 1), nnc::stack({b, b * 2}, 0),
            a.unsqueeze(1).squeeze(1).flatten(), a.transpose(0, 1),
            // A slice inside a fused region.
            (a.slice(1, 1, 5, 2) + 1.0).exp()};
        for (const Tensor &part : a.split(4, 1))
          outputs.push_back(part);
        for (const Tensor &part : a.chunk(2, 0))
          outputs.push_back(part);
        return outputs;
      },
      {x, y}, {"nn.slice", "nn.reshape", "nn.concat", "nn.transpose"});
}

TEST_F(JitOpsTest, PermutationsAndStretchingExpand) {
  Tensor x = nnc::randn({2, 3, 4});
  Tensor row = nnc::randn({1, 4});
  expectCompiledMatchesEager(
      [](const std::vector<Tensor> &in) -> std::vector<Tensor> {
        return {in[0].permute({2, 0, 1}) * 2.0, in[1].expand({3, 4}) + in[0][0],
                in[1].expand({2, 3, 4}).permute({1, 0, 2}).sum({0})};
      },
      {x, row}, {"nn.permute", "nn.broadcast_to"});
}

TEST_F(JitOpsTest, GathersAndScatters) {
  Tensor x = nnc::randn({5, 4});
  Tensor rows = nnc::tensor(std::vector<int64_t>{4, 0, 0, 2});
  Tensor index =
      nnc::tensor(std::vector<int64_t>{0, 3, 1, 1, 2, 0, 3, 3, 2, 1}, {5, 2});
  Tensor src = nnc::randn({5, 2});
  expectCompiledMatchesEager(
      [](const std::vector<Tensor> &in) -> std::vector<Tensor> {
        const Tensor &a = in[0], &r = in[1], &i = in[2], &s = in[3];
        return {a.index_select(0, r), a[r], a.gather(1, i),
                nnc::zeros({5, 4}).scatter_add(1, i, s)};
      },
      {x, rows, index, src},
      {"nn.index_select", "nn.gather", "nn.scatter_add"});
}

TEST_F(JitOpsTest, Reductions) {
  Tensor x = nnc::randn({3, 5});
  Tensor positive = nnc::rand({3, 5}) + 0.5;
  expectCompiledMatchesEager(
      [](const std::vector<Tensor> &in) -> std::vector<Tensor> {
        const Tensor &a = in[0], &p = in[1];
        auto [values, indices] = a.max(1, /*keepdim=*/true);
        auto [minValues, minIndices] = a.min(0);
        return {p.prod(1), p.prod(), a.amin({1}), values, indices, minValues,
                minIndices, a.argmax(1), a.argmin(), (a > 0).any(1),
                (a > -3).all(), a.var({1}),
                a.std({0}, /*unbiased=*/false, /*keepdim=*/true),
                a.logsumexp({1}),
                // Arg- and logical reductions fused with their producer.
                (a * 2.0 - p).argmax(1), (a.exp() > 1.5).all(0)};
      },
      {x, positive},
      {"nn.prod", "nn.min", "nn.max", "nn.argmax", "nn.argmin", "nn.any",
       "nn.all", "nn.var", "nn.sqrt", "nn.where"},
      1e-5, 1e-5);
}

TEST_F(JitOpsTest, MatMulEveryRankCase) {
  Tensor v = nnc::randn({4}), w = nnc::randn({4});
  Tensor m = nnc::randn({4, 3}), n = nnc::randn({2, 4});
  Tensor b = nnc::randn({2, 3, 4}), c = nnc::randn({2, 4, 5});
  // Summation order differs from eager: an f64-referenced bound.
  expectCompiledMatchesEager(
      [](const std::vector<Tensor> &in) -> std::vector<Tensor> {
        return {in[0].matmul(in[1]), in[0].matmul(in[2]), in[3].matmul(in[0]),
                in[4].matmul(in[0]), in[0].matmul(in[5]), in[4].bmm(in[5])};
      },
      {v, w, m, n, b, c}, {"nn.matmul"}, 1e-5, 1e-5);
}

TEST_F(JitOpsTest, SameTensorAsTwoInputsIsNotAnUpdate) {
  Tensor v = nnc::randn({5});
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(
      [](const std::vector<Tensor> &in) -> std::vector<Tensor> {
        return {in[0].matmul(in[1])};
      },
      {v, v});
  std::vector<Tensor> result = compiled({v, v});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_TRUE(sameResult(result[0], v.matmul(v), 1e-5, 1e-5));
}

TEST_F(JitOpsTest, MaskedSelectIsNotCompilable) {
  Tensor x = nnc::randn({4});
  try {
    nnc::jit::compile(
        [](const std::vector<Tensor> &in) -> std::vector<Tensor> {
          return {in[0].masked_select(in[0] > 0)};
        },
        {x});
    FAIL() << "expected compile to fail";
  } catch (const nnc::Error &error) {
    EXPECT_THAT(error.what(),
                HasSubstr("masked_select cannot be compiled: its result size "
                          "depends on the mask's values"));
  }
}

} // namespace
