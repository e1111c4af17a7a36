//===- frontend/TensorInPlace.cpp - In-place ops (add_, mul_, copy_, ...) -===//
//
// Each in-place op computes the functional op it equals into a fresh tensor
// and copies the result into this tensor's memory (so `x.mul_(x)` reads
// before it writes). For the tracer it records that functional op (and the
// public ops building its operands, e.g. the Constant and Mul of
// `p.add_(g, -lr)`) with the updated tensor itself as the output, which
// rebinds the tensor to its new value in the graph.
//
// Version counters (issue 4) are what let autograd allow in-place ops on
// graph tensors; until then, while grad mode is on, an in-place op refuses
// tensors that take part in autograd instead of computing wrong gradients.
//
//===----------------------------------------------------------------------===//
#include "frontend/Tensor.h"

#include "frontend/TensorInternal.h"
#include "frontend/kernels/Kernels.h"

namespace nnc {

namespace {

/// Throws unless `self` may be written in place by `op` with `inputs`.
void checkInPlace(const char *op, const Tensor &self,
                  const std::vector<Tensor> &inputs) {
  detail::checkFloatTensor(op, self);
  for (const Tensor &t : inputs)
    detail::checkFloatTensor(op, t);
  if (GradMode::is_enabled()) {
    if (self.is_leaf() && self.requires_grad())
      throw Error(std::string(op) +
                  ": a leaf Variable that requires grad is being used in an "
                  "in-place operation.");
    if (autograd::anyRequiresGrad({self}) || autograd::anyRequiresGrad(inputs))
      throw Error(std::string(op) +
                  ": in-place operations on tensors that take part in "
                  "autograd are not supported yet; use the out-of-place op, "
                  "or run the update under nnc::NoGradGuard");
  }
  for (int64_t d = 0; d < self.dim(); ++d)
    if (self.stride(d) == 0 && self.size(d) > 1)
      throw Error(std::string(op) +
                  ": unsupported operation: more than one element of the "
                  "written-to tensor refers to a single memory location. "
                  "Please clone() the tensor before performing the "
                  "operation.");
}

/// Copies `value` (already of self's shape and dtype) into self's memory.
void writeInto(const Tensor &self, const Tensor &value) {
  if (self.dtype() == kInt64)
    kernels::copy(self.sizes(), value.data_ptr<int64_t>(), value.strides(),
                  self.data_ptr<int64_t>(), self.strides());
  else
    kernels::copy(self.sizes(), value.data_ptr<float>(), value.strides(),
                  self.data_ptr<float>(), self.strides());
}

/// Computes `compute()` (the functional op `kind` on `inputs`) untraced,
/// stores it into `self`, then records `kind` with output `self`.
template <class Compute>
const Tensor &assign(const char *op, const Tensor &self, OpKind kind,
                     const std::vector<Tensor> &inputs, Compute &&compute) {
  Tensor value;
  {
    TraceHookGuard suspend(nullptr);
    NoGradGuard noGrad;
    value = compute();
  }
  if (value.sizes() != self.sizes())
    throw Error(
        std::string(op) + ": output with shape " + shapeToString(self.sizes()) +
        " doesn't match the broadcast shape " + shapeToString(value.sizes()));
  if (TraceHook *hook = activeTraceHook())
    hook->willWrite(self);
  writeInto(self, value);
  if (TraceHook *hook = activeTraceHook())
    hook->recordOp(kind, inputs, self, {});
  return self;
}

/// `t` times `factor`, recorded as public ops (a Constant and a Mul) when
/// factor is not 1.
Tensor scaled(const Tensor &t, float factor) {
  return factor == 1.0f ? t : t.mul(factor);
}

} // namespace

const Tensor &Tensor::add_(const Tensor &other, float alpha) const {
  checkInPlace("add_", *this, {other});
  Tensor update = scaled(other, alpha);
  return assign("add_", *this, OpKind::Add, {*this, update},
                [&] { return add(update); });
}

const Tensor &Tensor::add_(float other) const {
  checkInPlace("add_", *this, {});
  return add_(scalar_tensor(other));
}

const Tensor &Tensor::sub_(const Tensor &other, float alpha) const {
  checkInPlace("sub_", *this, {other});
  Tensor update = scaled(other, alpha);
  return assign("sub_", *this, OpKind::Sub, {*this, update},
                [&] { return sub(update); });
}

const Tensor &Tensor::sub_(float other) const {
  checkInPlace("sub_", *this, {});
  return sub_(scalar_tensor(other));
}

const Tensor &Tensor::mul_(const Tensor &other) const {
  checkInPlace("mul_", *this, {other});
  return assign("mul_", *this, OpKind::Mul, {*this, other},
                [&] { return mul(other); });
}

const Tensor &Tensor::mul_(float other) const {
  checkInPlace("mul_", *this, {});
  return mul_(scalar_tensor(other));
}

const Tensor &Tensor::div_(const Tensor &other) const {
  checkInPlace("div_", *this, {other});
  return assign("div_", *this, OpKind::Div, {*this, other},
                [&] { return div(other); });
}

const Tensor &Tensor::div_(float other) const {
  checkInPlace("div_", *this, {});
  return div_(scalar_tensor(other));
}

const Tensor &Tensor::addcmul_(const Tensor &tensor1, const Tensor &tensor2,
                               float value) const {
  checkInPlace("addcmul_", *this, {tensor1, tensor2});
  Tensor update = scaled(tensor1.mul(tensor2), value);
  return assign("addcmul_", *this, OpKind::Add, {*this, update},
                [&] { return add(update); });
}

const Tensor &Tensor::addcdiv_(const Tensor &tensor1, const Tensor &tensor2,
                               float value) const {
  checkInPlace("addcdiv_", *this, {tensor1, tensor2});
  Tensor update = scaled(tensor1.div(tensor2), value);
  return assign("addcdiv_", *this, OpKind::Add, {*this, update},
                [&] { return add(update); });
}

const Tensor &Tensor::copy_(const Tensor &src) const {
  if (!defined() || !src.defined())
    throw Error("copy_: expected defined tensors");
  if (src.dtype() != dtype())
    throw Error(std::string("copy_: copying a ") + toString(src.dtype()) +
                " tensor into a " + toString(dtype()) +
                " tensor is not supported yet (dtypes must match)");
  if (dtype() == kFloat32)
    checkInPlace("copy_", *this, {src});
  if (src.sizes() == sizes())
    return assign("copy_", *this, OpKind::Alias, {src},
                  [&] { return detail::denseCopy(src); });
  // Broadcasting src to this shape equals adding it to zeros of this shape:
  // the traced form needs no broadcast op.
  if (dtype() != kFloat32)
    throw Error("copy_: broadcasting a " + std::string(toString(dtype())) +
                " tensor of shape " + shapeToString(src.sizes()) + " to " +
                shapeToString(sizes()) + " is not supported");
  Tensor zero = zeros(sizes());
  return assign("copy_", *this, OpKind::Add, {zero, src},
                [&] { return zero.add(src); });
}

const Tensor &Tensor::zero_() const { return fill_(0.0f); }

const Tensor &Tensor::fill_(float value) const {
  checkInPlace("fill_", *this, {});
  // Recorded as a Constant whose values are this tensor's after the fill.
  return assign("fill_", *this, OpKind::Constant, {},
                [&] { return full(sizes(), value); });
}

} // namespace nnc
