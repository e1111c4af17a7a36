//===- frontend/TensorInternal.h - Helpers shared by tensor ops -*- C++ -*-===//
//
// Private to the eager library: shape arithmetic, allocation and the tracing
// protocol every public op follows.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_TENSORINTERNAL_H
#define NNC_FRONTEND_TENSORINTERNAL_H

#include "frontend/Autograd.h"
#include "frontend/Tensor.h"
#include "frontend/TraceHook.h"

#include <array>
#include <string>
#include <vector>

namespace nnc::detail {

//===----------------------------------------------------------------------===//
// Dtype dispatch and strided loops (the plain C++ kernels)
//===----------------------------------------------------------------------===//

/// Stands for element type T in a generic lambda: `[](auto tag) { using T =
/// typename decltype(tag)::type; ... }`.
template <class T> struct TypeTag { using type = T; };

/// Calls `f(TypeTag<T>{})` with the C++ element type T of `type`.
template <class F> decltype(auto) dispatch(ScalarType type, F &&f) {
  switch (type) {
  case ScalarType::Float32:
    return f(TypeTag<float>{});
  case ScalarType::Float64:
    return f(TypeTag<double>{});
  case ScalarType::Float16:
    return f(TypeTag<Half>{});
  case ScalarType::BFloat16:
    return f(TypeTag<BFloat16>{});
  case ScalarType::Int64:
    return f(TypeTag<int64_t>{});
  case ScalarType::Int32:
    return f(TypeTag<int32_t>{});
  case ScalarType::UInt8:
    return f(TypeTag<uint8_t>{});
  case ScalarType::Bool:
    return f(TypeTag<bool>{});
  }
  throw Error("internal error: unknown dtype");
}

/// Calls `f(offsets)` for every index of `shape` in row-major order, where
/// offsets[i] is the element offset of that index in operand i (strides[i]
/// has one entry per dim of `shape`; 0 broadcasts). The one loop nest the
/// C++ kernels (conversions, comparisons, indexing, integer math) share.
template <size_t N, class F>
void forEachIndex(const IntList &shape, const std::array<IntList, N> &strides,
                  F &&f) {
  for (int64_t s : shape)
    if (s == 0)
      return;
  std::array<int64_t, N> offsets{};
  size_t rank = shape.size();
  if (rank == 0) {
    f(offsets);
    return;
  }
  IntList index(rank, 0);
  int64_t inner = shape[rank - 1];
  while (true) {
    for (int64_t i = 0; i < inner; ++i) {
      f(offsets);
      for (size_t o = 0; o < N; ++o)
        offsets[o] += strides[o][rank - 1];
    }
    for (size_t o = 0; o < N; ++o)
      offsets[o] -= strides[o][rank - 1] * inner;
    size_t d = rank - 1;
    while (true) {
      if (d == 0)
        return;
      --d;
      for (size_t o = 0; o < N; ++o)
        offsets[o] += strides[o][d];
      if (++index[d] < shape[d])
        break;
      for (size_t o = 0; o < N; ++o)
        offsets[o] -= strides[o][d] * shape[d];
      index[d] = 0;
    }
  }
}

/// PyTorch's broadcast of two shapes (right-aligned; size-1 dims stretch).
/// `what` prefixes the error, e.g. "add: shapes".
IntList broadcastShapes(const std::string &what, const IntList &a,
                        const IntList &b);
/// `t`'s strides aligned to the broadcast `shape`: 0 for new leading dims
/// and for stretched size-1 dims.
IntList broadcastStrides(const Tensor &t, const IntList &shape);

/// `t` converted to `dtype` (a dense copy; `t` itself when it already has
/// that dtype). Records nothing.
Tensor convert(const Tensor &t, ScalarType dtype);
/// Writes `src`'s values, converted, into `dst` (any strides, same shape).
void convertInto(const Tensor &src, const Tensor &dst);

/// torch.result_type of a tensor of `type` and a Python number: a floating
/// number with an integral or bool tensor gives Float32, an integer with a
/// bool tensor Int64; otherwise the tensor's dtype.
ScalarType resultTypeWithScalar(ScalarType type, const Scalar &s);

/// Bumps the version counter of `t`'s storage (every in-place write does).
inline void bumpVersion(const Tensor &t) {
  t.unsafeGetTensorImpl()->storage->bumpVersion();
}

/// Product of `shape`.
int64_t numelOf(const IntList &shape);
/// Row-major strides of a dense tensor of `shape`.
IntList contiguousStrides(const IntList &shape);
/// Maps `dim` in [-rank, rank) to [0, rank); throws naming `op` otherwise.
int64_t normalizeDim(const char *op, int64_t dim, int64_t rank);
/// Checks `shape` has no negative sizes; throws naming `op` otherwise.
void checkShape(const char *op, const IntList &shape);
/// A dense, uninitialized tensor. Records nothing.
Tensor allocate(const IntList &shape, ScalarType dtype = kFloat32);
/// A view of `base`'s storage with new geometry. Records nothing.
Tensor makeView(const Tensor &base, IntList sizes, IntList strides,
                int64_t storageOffset);
/// Throws unless `t` is a defined float32 tensor.
void checkFloatTensor(const char *op, const Tensor &t);
/// Throws unless `t` is defined.
void checkDefined(const char *op, const Tensor &t);

/// A dense copy of `t` (any dtype). Records nothing.
Tensor denseCopy(const Tensor &t);

/// Runs an op's computation with tracing and grad mode suspended, then
/// records the op itself (and nothing it was built from) if a trace is
/// active. The op attaches its own autograd node afterwards.
template <class Compute>
Tensor traced(OpKind kind, const std::vector<Tensor> &inputs,
              const OpAttrs &attrs, Compute &&compute) {
  TraceHook *hook = activeTraceHook();
  Tensor output;
  {
    TraceHookGuard suspend(nullptr);
    NoGradGuard noGrad;
    output = compute();
  }
  if (hook)
    hook->recordOp(kind, inputs, output, attrs);
  return output;
}

} // namespace nnc::detail

#endif // NNC_FRONTEND_TENSORINTERNAL_H
