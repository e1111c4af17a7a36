//===- test/unit/AllClose.h - assert_close for compiled vs eager -*- C++
//-*-===//
//
// PyTorch's assert_close criterion, |actual - expected| <= atol + rtol *
// |expected| element-wise, shared by the tests that compare compiled code,
// nn-autodiff gradients and compiled training steps against eager.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_TEST_UNIT_ALLCLOSE_H
#define NNC_TEST_UNIT_ALLCLOSE_H

#include "frontend/nnc.h"

#include "gtest/gtest.h"

#include <cmath>

namespace nnc::testing {

inline ::testing::AssertionResult allClose(const Tensor &actual,
                                           const Tensor &expected, double rtol,
                                           double atol) {
  if (actual.sizes() != expected.sizes())
    return ::testing::AssertionFailure()
           << "shapes " << shapeToString(actual.sizes()) << " vs "
           << shapeToString(expected.sizes());
  Tensor a = actual.contiguous(), e = expected.contiguous();
  for (int64_t i = 0; i < a.numel(); ++i) {
    double x = a.data_ptr<float>()[i], y = e.data_ptr<float>()[i];
    if (!(std::abs(x - y) <= atol + rtol * std::abs(y)))
      return ::testing::AssertionFailure()
             << "element " << i << ": actual " << x << " vs expected " << y;
  }
  return ::testing::AssertionSuccess();
}

} // namespace nnc::testing

#endif // NNC_TEST_UNIT_ALLCLOSE_H
