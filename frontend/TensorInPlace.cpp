//===- frontend/TensorInPlace.cpp - In-place ops (add_, mul_, copy_, ...) -===//
//
// Each in-place op computes the functional op it equals into a fresh tensor
// and copies the result into this tensor's memory (so `x.mul_(x)` reads
// before it writes). For the tracer it records that functional op (and the
// public ops building its operands, e.g. the Constant and Mul of
// `p.add_(g, -lr)`) with the updated tensor itself as the output, which
// rebinds the tensor to its new value in the graph.
//
// Every write bumps the storage's version counter, so autograd refuses to
// backward through a tensor it saved and that was modified since (as
// PyTorch). While grad mode is on and the op involves tensors that require
// grad, the functional op runs on a copy carrying the tensor's history and
// the tensor takes the result's history (PyTorch's rebase_history); views
// with history are refused (autograd::checkInPlaceWithHistory).
//
//===----------------------------------------------------------------------===//
#include "frontend/Tensor.h"

#include "frontend/TensorInternal.h"

namespace nnc {

namespace {

/// Throws unless `self` may be written in place by `op` with `inputs`.
void checkInPlace(const char *op, const Tensor &self,
                  const std::vector<Tensor> &inputs) {
  detail::checkDefined(op, self);
  for (const Tensor &t : inputs)
    detail::checkDefined(op, t);
  if (GradMode::is_enabled() && self.is_leaf() && self.requires_grad())
    throw Error(std::string(op) +
                ": a leaf Variable that requires grad is being used in an "
                "in-place operation.");
  for (int64_t d = 0; d < self.dim(); ++d)
    if (self.stride(d) == 0 && self.size(d) > 1)
      throw Error(std::string(op) +
                  ": unsupported operation: more than one element of the "
                  "written-to tensor refers to a single memory location. "
                  "Please clone() the tensor before performing the "
                  "operation.");
}

/// PyTorch's canCast: an in-place op may not store a floating result in
/// an integral tensor, nor a non-bool result in a bool tensor.
void checkCanCast(const char *op, ScalarType from, ScalarType to) {
  if ((isFloatingType(from) && !isFloatingType(to)) ||
      (from != kBool && to == kBool))
    throw Error(std::string(op) + ": result type " + toString(from) +
                " can't be cast to the desired output type " + toString(to));
}

/// Computes `compute(current)` (the functional op `kind` on `inputs`, with
/// `current` standing for self's value) untraced, stores it into `self`,
/// then records `kind` with output `self`.
template <class Compute>
const Tensor &assign(const char *op, const Tensor &self, OpKind kind,
                     const std::vector<Tensor> &inputs, Compute &&compute) {
  bool recordsHistory =
      autograd::anyRequiresGrad({self}) || autograd::anyRequiresGrad(inputs);
  Tensor value;
  {
    TraceHookGuard suspend(nullptr);
    if (recordsHistory) {
      autograd::checkInPlaceWithHistory(op, self);
      value = compute(autograd::copyWithHistory(self));
    } else {
      NoGradGuard noGrad;
      value = compute(self);
    }
    if (value.sizes() != self.sizes())
      throw Error(std::string(op) + ": output with shape " +
                  shapeToString(self.sizes()) +
                  " doesn't match the broadcast shape " +
                  shapeToString(value.sizes()));
    checkCanCast(op, value.dtype(), self.dtype());
    // The history self takes must produce self's dtype.
    if (recordsHistory)
      value = value.to(self.dtype());
  }
  if (TraceHook *hook = activeTraceHook())
    hook->willWrite(self);
  detail::convertInto(value, self);
  detail::bumpVersion(self);
  if (recordsHistory)
    autograd::rebaseHistory(self, value);
  if (TraceHook *hook = activeTraceHook())
    hook->recordOp(kind, inputs, self, {});
  return self;
}

/// The operand standing for self's value in an in-place op built from
/// public ops: self, or, when the op records history, a copy carrying
/// self's history (so what the op saves for backward is not overwritten),
/// recorded as an alias of self while tracing.
Tensor currentValue(const char *op, const Tensor &self) {
  if (!autograd::anyRequiresGrad({self}))
    return self;
  autograd::checkInPlaceWithHistory(op, self);
  Tensor copy = autograd::copyWithHistory(self);
  if (TraceHook *hook = activeTraceHook())
    hook->recordOp(OpKind::Alias, {self}, copy, {});
  return copy;
}

/// `t` times `factor`, recorded as public ops (a Constant and a Mul) when
/// factor is not 1.
Tensor scaled(const Tensor &t, const Scalar &factor) {
  return factor.toDouble() == 1.0 ? t : t.mul(factor);
}

} // namespace

const Tensor &Tensor::add_(const Tensor &other, const Scalar &alpha) const {
  checkInPlace("add_", *this, {other});
  Tensor update = scaled(other, alpha);
  return assign("add_", *this, OpKind::Add, {*this, update},
                [&](const Tensor &current) { return current.add(update); });
}

const Tensor &Tensor::add_(const Scalar &other) const {
  checkInPlace("add_", *this, {});
  return add_(scalar_tensor(other, result_type(*this, other)));
}

const Tensor &Tensor::sub_(const Tensor &other, const Scalar &alpha) const {
  checkInPlace("sub_", *this, {other});
  Tensor update = scaled(other, alpha);
  return assign("sub_", *this, OpKind::Sub, {*this, update},
                [&](const Tensor &current) { return current.sub(update); });
}

const Tensor &Tensor::sub_(const Scalar &other) const {
  checkInPlace("sub_", *this, {});
  return sub_(scalar_tensor(other, result_type(*this, other)));
}

const Tensor &Tensor::mul_(const Tensor &other) const {
  checkInPlace("mul_", *this, {other});
  return assign("mul_", *this, OpKind::Mul, {*this, other},
                [&](const Tensor &current) { return current.mul(other); });
}

const Tensor &Tensor::mul_(const Scalar &other) const {
  checkInPlace("mul_", *this, {});
  return mul_(scalar_tensor(other, result_type(*this, other)));
}

const Tensor &Tensor::div_(const Tensor &other) const {
  checkInPlace("div_", *this, {other});
  return assign("div_", *this, OpKind::Div, {*this, other},
                [&](const Tensor &current) { return current.div(other); });
}

const Tensor &Tensor::div_(const Scalar &other) const {
  checkInPlace("div_", *this, {});
  return div_(scalar_tensor(other, result_type(*this, other)));
}

const Tensor &Tensor::addcmul_(const Tensor &tensor1, const Tensor &tensor2,
                               float value) const {
  checkInPlace("addcmul_", *this, {tensor1, tensor2});
  Tensor update = scaled(tensor1.mul(tensor2), value);
  return assign("addcmul_", *this, OpKind::Add, {*this, update},
                [&](const Tensor &current) { return current.add(update); });
}

const Tensor &Tensor::addcdiv_(const Tensor &tensor1, const Tensor &tensor2,
                               float value) const {
  checkInPlace("addcdiv_", *this, {tensor1, tensor2});
  Tensor update = scaled(tensor1.div(tensor2), value);
  return assign("addcdiv_", *this, OpKind::Add, {*this, update},
                [&](const Tensor &current) { return current.add(update); });
}

const Tensor &Tensor::copy_(const Tensor &src) const {
  checkInPlace("copy_", *this, {src});
  // copy_ converts to this tensor's dtype, whatever src's.
  Tensor value = src.to(dtype());
  if (value.sizes() == sizes())
    return assign("copy_", *this, OpKind::Alias, {value},
                  [&](const Tensor &) { return value.clone(); });
  // Broadcasting src to this shape equals adding it to zeros of this shape:
  // the traced form needs no broadcast op.
  Tensor zero = zeros(sizes(), dtype());
  return assign("copy_", *this, OpKind::Add, {zero, value},
                [&](const Tensor &) { return zero.add(value); });
}

const Tensor &Tensor::zero_() const { return fill_(0); }

const Tensor &Tensor::fill_(const Scalar &value) const {
  checkInPlace("fill_", *this, {});
  // Recorded as a Constant whose values are this tensor's after the fill.
  return assign("fill_", *this, OpKind::Constant, {},
                [&](const Tensor &) { return full(sizes(), value, dtype()); });
}

const Tensor &Tensor::masked_fill_(const Tensor &mask,
                                   const Scalar &value) const {
  checkInPlace("masked_fill_", *this, {mask});
  Tensor filled = currentValue("masked_fill_", *this).masked_fill(mask, value);
  return assign("masked_fill_", *this, OpKind::Alias, {filled},
                [&](const Tensor &) { return filled; });
}

const Tensor &Tensor::clamp_(std::optional<Scalar> min,
                             std::optional<Scalar> max) const {
  checkInPlace("clamp_", *this, {});
  Tensor clamped = currentValue("clamp_", *this).clamp(min, max);
  return assign("clamp_", *this, OpKind::Alias, {clamped},
                [&](const Tensor &) { return clamped; });
}

} // namespace nnc
