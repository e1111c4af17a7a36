//===- frontend/Autocast.h - Mixed precision, as torch.autocast -*- C++ -*-===//
//
// Automatic mixed precision: while an AutocastGuard is alive on a thread,
// the ops that gain most from 16-bit math (matmul, bmm, linear, conv2d) cast
// their float32 operands to the guard's dtype (BFloat16 or Half), and the
// losses, which need the range, cast 16-bit operands to float32. Everything
// else runs in its inputs' dtype. These are PyTorch 1.13's CPU autocast
// lists for the ops nnc has (torch.autocast("cpu", dtype=torch.bfloat16)).
// Parameters stay float32 ("master weights"): the casts are ordinary
// differentiable ops, so each parameter's gradient arrives in float32.
//
// The casts are traced like any op (nn.convert), so jit::compile and
// jit::compile_step called under a guard compile the mixed-precision graph;
// the compiled code keeps it whatever the autocast state when it runs.
// Backward passes run with autocast off, as PyTorch's: a backward op
// computes in the dtypes its forward op used.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_AUTOCAST_H
#define NNC_FRONTEND_AUTOCAST_H

#include "frontend/Tensor.h"

#include <initializer_list>

namespace nnc {
namespace autocast {

/// A thread's autocast settings, saved to be re-established later:
/// jit::compile and jit::compile_step keep the settings they were called
/// under and trace under them again whenever they recompile.
struct State {
  bool enabled = false;
  ScalarType dtype = kBFloat16;
};

} // namespace autocast

/// As `with torch.autocast(device_type="cpu", dtype=dtype, enabled=enabled)`:
/// sets this thread's autocast state for the guard's lifetime and restores
/// the previous state after. dtype must be kBFloat16 or kHalf.
class AutocastGuard {
public:
  explicit AutocastGuard(ScalarType dtype = kBFloat16, bool enabled = true);
  /// Re-establishes saved settings.
  explicit AutocastGuard(const autocast::State &state)
      : AutocastGuard(state.dtype, state.enabled) {}
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard &) = delete;
  AutocastGuard &operator=(const AutocastGuard &) = delete;

private:
  bool previousEnabled_;
  ScalarType previousDtype_;
};

namespace autocast {

/// Whether autocast is on for this thread (torch.is_autocast_cpu_enabled).
bool is_enabled();
void set_enabled(bool enabled);
/// The 16-bit dtype autocast casts to (default kBFloat16, as PyTorch's CPU
/// autocast); throws nnc::Error for any dtype but kBFloat16 or kHalf.
ScalarType get_autocast_dtype();
void set_autocast_dtype(ScalarType dtype);
/// This thread's settings.
State current_state();

namespace detail {

/// For the ops of the lower-precision list: `t` cast to the autocast dtype
/// when autocast is on and `t` is a float32 or other-16-bit tensor;
/// otherwise (float64, integers, undefined, autocast off) `t` itself.
Tensor toLowerPrecision(const Tensor &t);
/// For the ops of the float32 list: `t` cast to float32 when autocast is on
/// and `t` is Half or BFloat16; otherwise `t` itself.
Tensor toFloat32(const Tensor &t);
/// Whether toLowerPrecision (toFloat32) would cast any of `tensors`: the op
/// calls itself again on the cast operands.
bool castsToLowerPrecision(std::initializer_list<Tensor> tensors);
bool castsToFloat32(std::initializer_list<Tensor> tensors);

} // namespace detail
} // namespace autocast
} // namespace nnc

#endif // NNC_FRONTEND_AUTOCAST_H
