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

#include <string>
#include <vector>

namespace nnc::detail {

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
