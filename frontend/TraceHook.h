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

#include "frontend/ScalarType.h"

#include <cstdint>
#include <optional>
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
  // nn.permute (attrs.dims = the permutation, normalized non-negative).
  Permute,
  // nn.broadcast_to the output's shape (Tensor::expand stretching size-1
  // dims; attrs.shape = the result shape).
  Expand,
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
  // Added for dtypes and tensor ops (issue 4). Operands of elementwise ops
  // always share a dtype: promotion is recorded as Casts before the op.
  // Conversion to attrs.dtype (Tensor::to).
  Cast,
  // Elementwise unary, same dtype out: |x|, and -1/0/1 (sign).
  Abs,
  Sign,
  // Elementwise comparisons with broadcasting; the result is Bool.
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  // inputs {condition (Bool), a, b}: condition ? a : b, broadcast.
  Where,
  // Elementwise clamp to [attrs.min, attrs.max] (either may be absent).
  Clamp,
  // Elementwise a ** b with broadcasting (Pow has a scalar exponent).
  PowTensor,
  // A strided view along attrs.dims = {dim}: elements attrs.start,
  // start + step, ... below attrs.end (all normalized, in range).
  Slice,
  // The view at index attrs.start of dim attrs.dims = {dim}, which is
  // removed from the shape.
  Select,
  // inputs {x, index (1-D, Long or Int)}: x's entries `index` along
  // attrs.dims = {dim}.
  IndexSelect,
  // inputs {x, index (Long or Int, x's rank)}: torch.gather along
  // attrs.dims.
  Gather,
  // inputs {self, index, src}: torch.scatter_add along attrs.dims.
  ScatterAdd,
  // inputs {x, mask (Bool)}: the 1-D selected elements (data-dependent
  // size: the output's shape is what this trace saw).
  MaskedSelect,
  // inputs: the joined tensors (same dtype); along attrs.dims = {dim}.
  Cat,
  // Reductions like Sum (attrs.dims, attrs.keepdim): product, minimum
  // (amin; Max is amax), any and all (Bool results).
  Prod,
  Min,
  Any,
  All,
  // Index (Long) of the maximum / minimum along attrs.dims = {dim}
  // (attrs.keepdim); the values of max(dim)/min(dim) are recorded as
  // Max/Min.
  ArgMax,
  ArgMin,
  // Added for the CNN layers (issue 5), on NCHW tensors. nn.conv2d: inputs
  // {input, weight} or {input, weight, bias}; attrs.stride, padding,
  // dilation ({h, w}) and groups.
  Conv2d,
  // nn.max_pool2d / nn.avg_pool2d: inputs {input}; attrs.kernel, stride,
  // padding ({h, w}), ceil_mode; max: dilation; avg: count_include_pad.
  MaxPool2d,
  AvgPool2d,
  // nn.adaptive_avg_pool2d: inputs {input}; attrs.shape = the output's
  // {h, w}.
  AdaptiveAvgPool2d,
  // nn.erf, elementwise (GELU's exact form).
  Erf,
  // nn.random_uniform: inputs {the generator state [seed, offset]}; the
  // output's shape and dtype are the samples' (frontend/Random.h).
  RandomUniform,
  // nn.var over attrs.dims (attrs.keepdim) dividing by N - attrs.correction:
  // one op, so N is counted when the code runs (a dynamic batch included).
  Var,
};

/// The op's libtorch name ("add", "index_select", "to"), for messages such
/// as a tracer's "op <name> is not traceable yet".
const char *toString(OpKind kind);

/// Attributes of a recorded op; which fields matter depends on the kind.
struct OpAttrs {
  std::vector<int64_t> dims;
  std::vector<int64_t> shape;
  bool keepdim = false;
  /// Pow's exponent.
  double scalar = 0.0;
  /// Var's Bessel correction (1 unbiased, 0 biased).
  int64_t correction = 1;
  /// Losses' reduction: 0 none, 1 mean, 2 sum (PyTorch's Reduction enum).
  int64_t reduction = 1;
  /// Slice's range and step; Select's index (start).
  int64_t start = 0, end = 0, step = 1;
  /// Cast's target dtype.
  ScalarType dtype = kFloat32;
  /// Clamp's bounds.
  std::optional<double> min, max;
  /// Conv2d's and the pooling ops' window, each {along h, along w}.
  std::vector<int64_t> kernel, stride, padding, dilation;
  int64_t groups = 1;
  bool ceil_mode = false;
  bool count_include_pad = true;
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
