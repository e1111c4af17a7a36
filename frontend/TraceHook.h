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
  // Added for training (issue 3):
  // nn.pow (attrs.scalar = the exponent) and nn.sqrt, elementwise.
  Pow,
  Sqrt,
  // nn.softmax / nn.log_softmax along attrs.dims = {dim} (normalized,
  // non-negative); numerically stable (the max is subtracted first).
  Softmax,
  LogSoftmax,
  // nn.cross_entropy: inputs {logits [N, C] f32, target [N] i64 class
  // indices}; attrs.reduction 0 none ([N] result) / 1 mean / 2 sum (0-d).
  CrossEntropy,
  // nn.mse_loss: inputs {input, target} of the same shape; attrs.reduction
  // as for CrossEntropy (none keeps the input's shape).
  MSELoss,
};

/// Attributes of a recorded op; which fields matter depends on the kind.
struct OpAttrs {
  std::vector<int64_t> dims;
  std::vector<int64_t> shape;
  bool keepdim = false;
  /// Pow's exponent.
  double scalar = 0.0;
  /// Losses' reduction: 0 none, 1 mean, 2 sum (PyTorch's Reduction enum).
  int64_t reduction = 1;
};

class TraceHook {
public:
  virtual ~TraceHook();
  /// Called by an eager op after it computed `output` from `inputs`. An
  /// in-place op (add_, mul_, copy_, zero_, ...) records the functional
  /// op(s) it equals, the last one with `output` = the updated tensor
  /// itself (same TensorImpl): the tracer rebinds that tensor to the new
  /// value. A Constant's values are in `output` when it is recorded.
  virtual void recordOp(OpKind kind, const std::vector<Tensor> &inputs,
                        const Tensor &output, const OpAttrs &attrs) = 0;
  /// Called by an in-place op just before it writes into `self`. Tracing
  /// runs the traced code for real; a tracer uses this to save what is
  /// about to be overwritten and put it back when the trace ends, so that
  /// tracing has no side effects.
  virtual void willWrite(const Tensor &self);
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
