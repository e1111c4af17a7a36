//===- test/unit/EagerTestUtil.h - Helpers for the eager tests --*- C++ -*-===//
#ifndef NNC_TEST_UNIT_EAGERTESTUTIL_H
#define NNC_TEST_UNIT_EAGERTESTUTIL_H

#include "frontend/TraceHook.h"
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

/// A fake tracer: records kinds, attributes and tensor identities.
struct Recorded {
  nnc::OpKind kind;
  std::vector<const void *> inputs;
  const void *output;
  nnc::IntList outputShape;
  nnc::OpAttrs attrs;
};

class RecordingHook : public nnc::TraceHook {
public:
  void recordOp(nnc::OpKind kind, const std::vector<nnc::Tensor> &inputs,
                const nnc::Tensor &output, const nnc::OpAttrs &attrs) override {
    Recorded r{kind, {}, output.unsafeGetTensorImpl(), output.sizes(), attrs};
    for (const nnc::Tensor &t : inputs)
      r.inputs.push_back(t.unsafeGetTensorImpl());
    ops.push_back(r);
    alive.push_back(output); // keep impl addresses unique, as a tracer does
  }
  std::vector<nnc::OpKind> kinds() const {
    std::vector<nnc::OpKind> result;
    for (const Recorded &r : ops)
      result.push_back(r.kind);
    return result;
  }
  std::vector<Recorded> ops;
  std::vector<nnc::Tensor> alive;
};

} // namespace nnc::testing

#endif // NNC_TEST_UNIT_EAGERTESTUTIL_H
