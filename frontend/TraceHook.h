//===- frontend/TraceHook.h - What eager ops tell a tracer ------*- C++ -*-===//
//
// The eager core knows nothing of MLIR. While `nnc::jit::trace` runs, it
// installs a TraceHook; every eager op that produced a tensor calls
// `recordOp` with its kind, inputs, output and attributes. frontend/jit/
// implements the hook by appending the matching `nn.*` op, so tracing is a
// table from OpKind to op builder, not a translation.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_TRACEHOOK_H
#define NNC_FRONTEND_TRACEHOOK_H

#include <cstdint>
#include <vector>

namespace nnc {

class Tensor;

/// One entry per traceable eager op; each maps to one `nn` op.
enum class OpKind {
  // Elementwise binary with broadcasting: nn.add, nn.sub, nn.mul, nn.div.
  Add,
  Sub,
  Mul,
  Div,
  // Elementwise unary: nn.neg, nn.exp, nn.log, nn.tanh, nn.sigmoid, nn.relu.
  Neg,
  Exp,
  Log,
  Tanh,
  Sigmoid,
  Relu,
  // nn.matmul.
  MatMul,
  // nn.transpose (attrs.dims = {dim0, dim1}, normalized non-negative).
  Transpose,
  // nn.reshape (attrs.shape = result shape, fully resolved, no -1); also used
  // for view().
  Reshape,
  // nn.sum / nn.mean / nn.max (attrs.dims = reduced dims, sorted, normalized;
  // attrs.keepdim).
  Sum,
  Mean,
  Max,
  // The output holds the same values as inputs[0] (contiguous(), clone()):
  // no op is emitted; the tracer maps the output to the input's value.
  Alias,
  // A tensor whose value is fixed at trace time (zeros, ones, randn, tensor
  // from values, or a scalar operand): nn.constant with the output's values.
  Constant,
};

/// Attributes of a recorded op; which fields matter depends on the kind.
struct OpAttrs {
  std::vector<int64_t> dims;
  std::vector<int64_t> shape;
  bool keepdim = false;
};

class TraceHook {
public:
  virtual ~TraceHook();
  /// Called by an eager op after it computed `output` from `inputs`.
  virtual void recordOp(OpKind kind, const std::vector<Tensor> &inputs,
                        const Tensor &output, const OpAttrs &attrs) = 0;
};

/// The active hook, or nullptr when no trace is running (the common case:
/// eager ops test this pointer and move on).
TraceHook *activeTraceHook();

/// Installs `hook` for the current thread while alive; restores the previous
/// hook on destruction. Used by nnc::jit::trace.
class TraceHookGuard {
public:
  explicit TraceHookGuard(TraceHook *hook);
  ~TraceHookGuard();
  TraceHookGuard(const TraceHookGuard &) = delete;
  TraceHookGuard &operator=(const TraceHookGuard &) = delete;

private:
  TraceHook *previous_;
};

} // namespace nnc

#endif // NNC_FRONTEND_TRACEHOOK_H
