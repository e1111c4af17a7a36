//===- frontend/Autocast.cpp - Mixed precision, as torch.autocast ---------===//
#include "frontend/Autocast.h"

#include "frontend/Error.h"

namespace nnc {
namespace {

thread_local bool autocastEnabled = false;
thread_local ScalarType autocastDtype = kBFloat16;

void checkAutocastDtype(ScalarType dtype) {
  if (dtype != kBFloat16 && dtype != kHalf)
    throw Error(std::string("autocast: the dtype must be BFloat16 or Half, "
                            "got ") +
                toString(dtype));
}

/// PyTorch's autocast eligibility: floating tensors but float64.
bool castsDown(const Tensor &t) {
  return autocastEnabled && t.defined() && isFloatingType(t.dtype()) &&
         t.dtype() != kFloat64 && t.dtype() != autocastDtype;
}

bool castsUp(const Tensor &t) {
  return autocastEnabled && t.defined() && isReducedFloatingType(t.dtype());
}

} // namespace

AutocastGuard::AutocastGuard(ScalarType dtype, bool enabled)
    : previousEnabled_(autocastEnabled), previousDtype_(autocastDtype) {
  checkAutocastDtype(dtype);
  autocastEnabled = enabled;
  autocastDtype = dtype;
}

AutocastGuard::~AutocastGuard() {
  autocastEnabled = previousEnabled_;
  autocastDtype = previousDtype_;
}

namespace autocast {

bool is_enabled() { return autocastEnabled; }
void set_enabled(bool enabled) { autocastEnabled = enabled; }
ScalarType get_autocast_dtype() { return autocastDtype; }

void set_autocast_dtype(ScalarType dtype) {
  checkAutocastDtype(dtype);
  autocastDtype = dtype;
}

State current_state() { return {autocastEnabled, autocastDtype}; }

namespace detail {

Tensor toLowerPrecision(const Tensor &t) {
  return castsDown(t) ? t.to(autocastDtype) : t;
}

Tensor toFloat32(const Tensor &t) { return castsUp(t) ? t.to(kFloat32) : t; }

bool castsToLowerPrecision(std::initializer_list<Tensor> tensors) {
  for (const Tensor &t : tensors)
    if (castsDown(t))
      return true;
  return false;
}

bool castsToFloat32(std::initializer_list<Tensor> tensors) {
  for (const Tensor &t : tensors)
    if (castsUp(t))
      return true;
  return false;
}

} // namespace detail
} // namespace autocast
} // namespace nnc
