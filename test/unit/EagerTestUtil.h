//===- test/unit/EagerTestUtil.h - Helpers for the eager tests --*- C++ -*-===//
#ifndef NNC_TEST_UNIT_EAGERTESTUTIL_H
#define NNC_TEST_UNIT_EAGERTESTUTIL_H

#include "frontend/nnc.h"

#include "gtest/gtest.h"

#include <cmath>
#include <vector>

namespace nnc::testing {

/// The elements of `t` in row-major order, read through its strides.
inline std::vector<float> valuesOf(const Tensor &t) {
  Tensor dense = t.contiguous();
  const float *data = dense.data_ptr<float>();
  return std::vector<float>(data, data + dense.numel());
}

/// `t` has `shape` and, element by element, `expected` (within `tol`
/// relative to max(1, |expected|); NaN matches NaN).
inline ::testing::AssertionResult hasValues(const Tensor &t,
                                            const IntList &shape,
                                            const std::vector<float> &expected,
                                            double tol = 1e-6) {
  if (t.sizes() != shape)
    return ::testing::AssertionFailure()
           << "shape " << shapeToString(t.sizes()) << ", expected "
           << shapeToString(shape);
  std::vector<float> actual = valuesOf(t);
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure()
           << actual.size() << " values, expected " << expected.size();
  for (size_t i = 0; i < actual.size(); ++i) {
    double a = actual[i], e = expected[i];
    bool same = (std::isnan(a) && std::isnan(e)) || a == e ||
                std::abs(a - e) <= tol * std::max(1.0, std::abs(e));
    if (!same)
      return ::testing::AssertionFailure()
             << "element " << i << ": " << a << ", expected " << e;
  }
  return ::testing::AssertionSuccess();
}

} // namespace nnc::testing

#endif // NNC_TEST_UNIT_EAGERTESTUTIL_H
