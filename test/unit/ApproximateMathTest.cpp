//===- test/unit/ApproximateMathTest.cpp - compiled exp, tanh accuracy ----===//
//
// nnc-approximate-math replaces f32 exp by a short polynomial with a
// hand-made 2^n (codegen/ApproximateMath.cpp); these tests hold it to a
// bound in ulp against exp in double over the whole f32 range, and to
// libm's answers at the edges (overflow, underflow, infinities, NaN); and
// tanh (MLIR's approximation) to its measured error.
//
//===----------------------------------------------------------------------===//
#include "frontend/jit/Compile.h"
#include "frontend/nnc.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <vector>

namespace {

/// exp (or tanh) of `values`, compiled by nnc.
std::vector<float> compiled(std::vector<float> values, bool tanh = false) {
  int64_t count = static_cast<int64_t>(values.size());
  nnc::Tensor x = nnc::tensor(std::move(values), {count});
  auto fn = [tanh](const std::vector<nnc::Tensor> &in) {
    return std::vector<nnc::Tensor>{tanh ? in[0].tanh() : in[0].exp()};
  };
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(fn, {x});
  nnc::Tensor y = compiled({x})[0].contiguous();
  const float *data = y.data_ptr<float>();
  return std::vector<float>(data, data + count);
}

/// |actual - expected| in units of the last place of `expected` (a float).
double ulpError(float actual, double expected) {
  float rounded = static_cast<float>(expected);
  double ulp = std::nextafter(rounded, std::numeric_limits<float>::infinity()) -
               static_cast<double>(rounded);
  return std::abs(static_cast<double>(actual) - expected) / ulp;
}

TEST(ApproximateMathTest, ExpIsWithinThreeUlpOverTheNormalRange) {
  // From where results fall under 2^-125.5 (and flush to zero) up to
  // ln(FLT_MAX): 100001 points, so every range-reduction interval is hit.
  const double low = -86.98, high = 88.72;
  const int count = 100001;
  std::vector<float> x(count);
  for (int i = 0; i < count; ++i)
    x[i] = static_cast<float>(low + (high - low) * i / (count - 1));
  std::vector<float> y = compiled(x);
  double worst = 0;
  float worstAt = 0;
  for (int i = 0; i < count; ++i) {
    double error = ulpError(y[i], std::exp(static_cast<double>(x[i])));
    if (error > worst) {
      worst = error;
      worstAt = x[i];
    }
  }
  EXPECT_LE(worst, 3.0) << "at x = " << worstAt;
}

TEST(ApproximateMathTest, ExpAtTheEdgesMatchesLibm) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {
      0.0f,  -0.0f, 1.0f,    -1.0f,
      -inf,  inf,   -100.0f, 100.0f,
      88.7f, 89.0f, -86.9f,  std::numeric_limits<float>::quiet_NaN()};
  std::vector<float> y = compiled(x);
  EXPECT_EQ(y[0], 1.0f);
  EXPECT_EQ(y[1], 1.0f);
  EXPECT_NEAR(y[2] / std::exp(1.0f), 1.0f, 3e-7f);
  EXPECT_NEAR(y[3] / std::exp(-1.0f), 1.0f, 3e-7f);
  EXPECT_EQ(y[4], 0.0f); // masked logits in a softmax
  EXPECT_EQ(y[5], inf);
  EXPECT_EQ(y[6], 0.0f);                            // underflow
  EXPECT_EQ(y[7], inf);                             // overflow
  EXPECT_NEAR(y[8] / std::exp(88.7f), 1.0f, 3e-7f); // finite, near FLT_MAX
  EXPECT_EQ(y[9], inf);
  EXPECT_NEAR(y[10] / std::exp(-86.9f), 1.0f, 3e-7f);
  EXPECT_TRUE(std::isnan(y[11]));
}

TEST(ApproximateMathTest, TanhIsAccurateOverItsWholeRange) {
  // MLIR's rational approximation, over the whole range where tanh is not
  // yet +-1 in f32, 100001 points: at most 2.6e-7 off (4.3 ulp of values
  // near 1).
  const int count = 100001;
  std::vector<float> x(count);
  for (int i = 0; i < count; ++i)
    x[i] = static_cast<float>(-10.0 + 20.0 * i / (count - 1));
  std::vector<float> y = compiled(x, /*tanh=*/true);
  double worst = 0;
  float worstAt = 0;
  for (int i = 0; i < count; ++i) {
    double error = std::abs(y[i] - std::tanh(static_cast<double>(x[i])));
    if (error > worst) {
      worst = error;
      worstAt = x[i];
    }
  }
  EXPECT_LE(worst, 4e-7) << "at x = " << worstAt;
}

} // namespace
