//===- test/unit/DataTestUtil.h - Goldens for DataTests ---------*- C++ -*-===//
#ifndef NNC_TEST_UNIT_DATATESTUTIL_H
#define NNC_TEST_UNIT_DATATESTUTIL_H

#include "frontend/nnc.h"
#include "frontend/serialize/Safetensors.h"

#include "gtest/gtest.h"

#include <cmath>
#include <map>
#include <string>

namespace nnc::testing {

/// test/golden/`relative`.
inline std::string goldenPath(const std::string &relative) {
  return std::string(NNC_GOLDEN_DIR) + "/" + relative;
}

/// The tensors of a golden safetensors file.
inline std::map<std::string, Tensor> loadGolden(const std::string &relative) {
  return safetensors::load_file(goldenPath(relative));
}

/// Same shape, same dtype and the same elements (NaN equals NaN; floats
/// within `tol` relative to max(1, |expected|)).
inline ::testing::AssertionResult
sameTensor(const Tensor &actual, const Tensor &expected, double tol = 0) {
  if (actual.sizes() != expected.sizes() || actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure()
           << toString(actual.dtype()) << " " << shapeToString(actual.sizes())
           << ", expected " << toString(expected.dtype()) << " "
           << shapeToString(expected.sizes());
  // Every dtype's values are exact in double, except int64 beyond 2^53,
  // which no golden holds.
  Tensor a = actual.to(kFloat64).contiguous();
  Tensor e = expected.to(kFloat64).contiguous();
  for (int64_t i = 0; i < a.numel(); ++i) {
    double x = a.data_ptr<double>()[i], y = e.data_ptr<double>()[i];
    bool same = (std::isnan(x) && std::isnan(y)) || x == y ||
                std::abs(x - y) <= tol * std::max(1.0, std::abs(y));
    if (!same)
      return ::testing::AssertionFailure()
             << "element " << i << ": " << x << ", expected " << y;
  }
  return ::testing::AssertionSuccess();
}

} // namespace nnc::testing

#endif // NNC_TEST_UNIT_DATATESTUTIL_H
