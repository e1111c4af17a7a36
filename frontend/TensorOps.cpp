//===- frontend/TensorOps.cpp - Eager math ops ---------------------------===//
//
// Shape logic (broadcasting, reduced dims, torch.matmul's cases) lives here;
// the loops are Halide kernels (frontend/kernels/). Every public op records
// itself, once, when a trace is active (detail::traced).
//
//===----------------------------------------------------------------------===//
#include "frontend/Tensor.h"

#include "frontend/TensorInternal.h"
#include "frontend/kernels/Kernels.h"

#include <algorithm>
#include <sstream>

namespace nnc {

using detail::checkFloatTensor;
using detail::traced;

namespace {

//===----------------------------------------------------------------------===//
// Broadcasting
//===----------------------------------------------------------------------===//

/// PyTorch's broadcast of two shapes (right-aligned; size-1 dims stretch).
/// `what` prefixes the error, e.g. "add: shapes".
IntList broadcastShapes(const std::string &what, const IntList &a,
                        const IntList &b) {
  size_t rank = std::max(a.size(), b.size());
  IntList result(rank);
  for (size_t d = 0; d < rank; ++d) {
    size_t fromEnd = rank - 1 - d;
    int64_t sa = fromEnd < a.size() ? a[a.size() - 1 - fromEnd] : 1;
    int64_t sb = fromEnd < b.size() ? b[b.size() - 1 - fromEnd] : 1;
    if (sa != sb && sa != 1 && sb != 1) {
      std::ostringstream os;
      os << what << " " << shapeToString(a) << " and " << shapeToString(b)
         << " cannot be broadcast (dim " << d << ": " << sa << " vs " << sb
         << ")";
      throw Error(os.str());
    }
    result[d] = sa == 1 ? sb : sa;
  }
  return result;
}

/// `t`'s strides aligned to the broadcast `shape`: 0 for new leading dims
/// and for stretched size-1 dims.
IntList broadcastStrides(const Tensor &t, const IntList &shape) {
  IntList strides(shape.size(), 0);
  size_t lead = shape.size() - t.sizes().size();
  for (size_t d = 0; d < t.sizes().size(); ++d)
    if (t.sizes()[d] == shape[lead + d])
      strides[lead + d] = t.strides()[d];
  return strides;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// a (op) b into a fresh tensor of the broadcast shape. Records nothing.
Tensor computeBinary(const char *name, kernels::BinaryOp op, const Tensor &a,
                     const Tensor &b) {
  IntList shape =
      broadcastShapes(std::string(name) + ": shapes", a.sizes(), b.sizes());
  Tensor out = detail::allocate(shape);
  kernels::binary(op, shape, a.data_ptr<float>(), broadcastStrides(a, shape),
                  b.data_ptr<float>(), broadcastStrides(b, shape),
                  out.data_ptr<float>());
  return out;
}

Tensor binaryOp(const char *name, OpKind kind, kernels::BinaryOp op,
                const Tensor &a, const Tensor &b) {
  checkFloatTensor(name, a);
  checkFloatTensor(name, b);
  // Checks the shapes before anything is recorded.
  broadcastShapes(std::string(name) + ": shapes", a.sizes(), b.sizes());
  return traced(kind, {a, b}, {},
                [&] { return computeBinary(name, op, a, b); });
}

Tensor unaryOp(const char *name, OpKind kind, kernels::UnaryOp op,
               const Tensor &x) {
  checkFloatTensor(name, x);
  return traced(kind, {x}, {}, [&] {
    Tensor out = detail::allocate(x.sizes());
    kernels::unary(op, x.sizes(), x.data_ptr<float>(), x.strides(),
                   out.data_ptr<float>());
    return out;
  });
}

using autograd::BackwardArgs;
using autograd::recordGradient;
using autograd::sumToShape;
using Grads = std::vector<Tensor>;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Normalized, sorted reduced dims; an empty list means every dim.
IntList reducedDims(const char *name, const Tensor &x, const IntList &dims) {
  int64_t rank = x.dim();
  IntList result;
  if (rank == 0) {
    // A 0-d tensor accepts dim 0 / -1 and has nothing to reduce over.
    for (int64_t d : dims)
      detail::normalizeDim(name, d, 1);
    return result;
  }
  if (dims.empty()) {
    for (int64_t d = 0; d < rank; ++d)
      result.push_back(d);
    return result;
  }
  for (int64_t d : dims) {
    int64_t n = detail::normalizeDim(name, d, rank);
    if (std::find(result.begin(), result.end(), n) != result.end())
      throw Error(std::string(name) + ": dim " + std::to_string(n) +
                  " appears multiple times in the list of dims " +
                  shapeToString(dims));
    result.push_back(n);
  }
  std::sort(result.begin(), result.end());
  return result;
}

enum class Reduction { Sum, Mean, Max };

Tensor reduce(const char *name, Reduction reduction, const Tensor &x,
              const IntList &dims, bool keepdim) {
  checkFloatTensor(name, x);
  IntList reduced = reducedDims(name, x, dims);
  int64_t rank = x.dim();
  std::vector<bool> isReduced(rank, false);
  for (int64_t d : reduced)
    isReduced[d] = true;

  // The kernel reduces the inner dim of [rows, cols]: kept dims first.
  IntList permutation, outShape;
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (isReduced[d])
      continue;
    permutation.push_back(d);
    rows *= x.size(d);
  }
  for (int64_t d = 0; d < rank; ++d) {
    if (isReduced[d]) {
      permutation.push_back(d);
      cols *= x.size(d);
    }
    if (!isReduced[d] || keepdim)
      outShape.push_back(isReduced[d] ? 1 : x.size(d));
  }
  if (reduction == Reduction::Max && cols == 0 && rows != 0)
    throw Error(std::string(name) +
                ": cannot reduce over a zero-size "
                "dimension (shape " +
                shapeToString(x.sizes()) + ", dims " + shapeToString(reduced) +
                ")");

  OpAttrs attrs;
  attrs.dims = reduced;
  attrs.keepdim = keepdim;
  OpKind kind = reduction == Reduction::Sum    ? OpKind::Sum
                : reduction == Reduction::Mean ? OpKind::Mean
                                               : OpKind::Max;
  return traced(kind, {x}, attrs, [&] {
    Tensor matrix = x.permute(permutation).reshape({rows, cols});
    Tensor out = detail::allocate(outShape);
    float scale = reduction == Reduction::Mean ? 1.0f / float(cols) : 1.0f;
    kernels::reduceRows(reduction == Reduction::Max ? kernels::ReduceOp::Max
                                                    : kernels::ReduceOp::Sum,
                        rows, cols, matrix.data_ptr<float>(), matrix.stride(0),
                        matrix.stride(1), scale, out.data_ptr<float>());
    return out;
  });
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

Tensor matmulImpl(const Tensor &a, const Tensor &b) {
  checkFloatTensor("matmul", a);
  checkFloatTensor("matmul", b);
  if (a.dim() == 0 || b.dim() == 0)
    throw Error("matmul: both arguments need to be at least 1D, but got "
                "shapes " +
                shapeToString(a.sizes()) + " and " + shapeToString(b.sizes()));
  int64_t innerA = a.size(-1);
  int64_t innerB = b.dim() == 1 ? b.size(0) : b.size(-2);
  if (innerA != innerB)
    throw Error("matmul: shapes " + shapeToString(a.sizes()) + " and " +
                shapeToString(b.sizes()) + ": inner dims " +
                std::to_string(innerA) + " and " + std::to_string(innerB) +
                " differ");
  IntList batchA(a.sizes().begin(),
                 a.sizes().end() - std::min<int64_t>(a.dim(), 2));
  IntList batchB(b.sizes().begin(),
                 b.sizes().end() - std::min<int64_t>(b.dim(), 2));
  IntList batch = broadcastShapes("matmul: batch dims of shapes " +
                                      shapeToString(a.sizes()) + " and " +
                                      shapeToString(b.sizes()) + ":",
                                  batchA, batchB);
  int64_t m = a.dim() == 1 ? 1 : a.size(-2);
  int64_t k = innerA;
  int64_t n = b.dim() == 1 ? 1 : b.size(-1);

  // torch.matmul: a 1-D left operand is a row, a 1-D right one a column;
  // their unit dims are dropped from the result.
  IntList resultShape = batch;
  if (a.dim() > 1)
    resultShape.push_back(m);
  if (b.dim() > 1)
    resultShape.push_back(n);

  return traced(OpKind::MatMul, {a, b}, {}, [&] {
    IntList aShape = batch, bShape = batch, outShape = batch;
    aShape.insert(aShape.end(), {m, k});
    bShape.insert(bShape.end(), {k, n});
    outShape.insert(outShape.end(), {m, n});
    Tensor lhs = (a.dim() == 1 ? a.unsqueeze(0) : a).expand(aShape);
    Tensor rhs = (b.dim() == 1 ? b.unsqueeze(-1) : b).expand(bShape);
    // The kernel wants unit stride along N (vector loads of B's rows).
    if (rhs.stride(-1) != 1 && n > 1)
      rhs = rhs.contiguous();
    Tensor out = detail::allocate(outShape);

    int64_t batchRank = static_cast<int64_t>(batch.size());
    int64_t batches = detail::numelOf(batch);
    const float *aBase = lhs.data_ptr<float>();
    const float *bBase = rhs.data_ptr<float>();
    float *outBase = out.data_ptr<float>();
    IntList index(batchRank, 0);
    for (int64_t i = 0; i < batches; ++i) {
      int64_t aOffset = 0, bOffset = 0;
      for (int64_t d = 0; d < batchRank; ++d) {
        aOffset += index[d] * lhs.stride(d);
        bOffset += index[d] * rhs.stride(d);
      }
      kernels::matmul(m, k, n, aBase + aOffset, lhs.stride(-2), lhs.stride(-1),
                      bBase + bOffset, rhs.stride(-2), outBase + i * m * n);
      for (int64_t d = batchRank - 1; d >= 0; --d) {
        if (++index[d] < batch[d])
          break;
        index[d] = 0;
      }
    }
    return out.view(resultShape);
  });
}

//===----------------------------------------------------------------------===//
// Backward helpers
//===----------------------------------------------------------------------===//

/// A reduction's output gradient with the reduced dims back as size 1, so
/// it broadcasts against the input of shape `inputShape`.
Tensor keptDims(const Tensor &grad, const IntList &reduced, bool keepdim,
                const IntList &inputShape) {
  if (keepdim)
    return grad;
  IntList shape = inputShape;
  for (int64_t d : reduced)
    shape[d] = 1;
  return grad.reshape(shape);
}

/// amax's gradient, as PyTorch: split evenly among the elements equal to
/// the maximum. saved = {input, output}.
Tensor maxBackward(const autograd::BackwardArgs &g, const IntList &reduced,
                   bool keepdim) {
  const Tensor &x = g.saved[0];
  Tensor maxima = keptDims(g.saved[1], reduced, keepdim, x.sizes());
  Tensor mask = computeBinary("amax backward", kernels::BinaryOp::Equal, x,
                              maxima.expand(x.sizes()));
  Tensor count = mask.sum(reduced, /*keepdim=*/true);
  return mask * (keptDims(g.grad, reduced, keepdim, x.sizes()) / count);
}

/// torch.matmul's gradient for every case of matmulImpl: 1-D operands are
/// lifted to matrices, batch dims broadcast, and the gradients are summed
/// back to the operands' shapes. saved = {a, b}.
std::vector<Tensor> matmulBackward(const autograd::BackwardArgs &g) {
  const Tensor &a = g.saved[0], &b = g.saved[1];
  Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
  Tensor b2 = b.dim() == 1 ? b.unsqueeze(-1) : b;
  Tensor grad = g.grad;
  if (a.dim() == 1)
    grad = grad.unsqueeze(grad.dim() - (b.dim() == 1 ? 0 : 1));
  if (b.dim() == 1)
    grad = grad.unsqueeze(-1);
  std::vector<Tensor> grads(2);
  if (g.needsGrad[0]) {
    Tensor ga = grad.matmul(b2.transpose(-1, -2));
    grads[0] = autograd::sumToShape(ga, a2.sizes()).reshape(a.sizes());
  }
  if (g.needsGrad[1]) {
    Tensor gb = a2.transpose(-1, -2).matmul(grad);
    grads[1] = autograd::sumToShape(gb, b2.sizes()).reshape(b.sizes());
  }
  return grads;
}

} // namespace

//===----------------------------------------------------------------------===//
// Tensor methods
//===----------------------------------------------------------------------===//

Tensor Tensor::add(const Tensor &other) const {
  Tensor out =
      binaryOp("add", OpKind::Add, kernels::BinaryOp::Add, *this, other);
  recordGradient(out, "AddBackward0", {*this, other}, {},
                 [a = sizes(), b = other.sizes()](const BackwardArgs &g) {
                   return Grads{sumToShape(g.grad, a), sumToShape(g.grad, b)};
                 });
  return out;
}
Tensor Tensor::sub(const Tensor &other) const {
  Tensor out =
      binaryOp("sub", OpKind::Sub, kernels::BinaryOp::Sub, *this, other);
  recordGradient(out, "SubBackward0", {*this, other}, {},
                 [a = sizes(), b = other.sizes()](const BackwardArgs &g) {
                   return Grads{sumToShape(g.grad, a),
                                g.needsGrad[1] ? sumToShape(-g.grad, b)
                                               : Tensor()};
                 });
  return out;
}
Tensor Tensor::mul(const Tensor &other) const {
  Tensor out =
      binaryOp("mul", OpKind::Mul, kernels::BinaryOp::Mul, *this, other);
  recordGradient(
      out, "MulBackward0", {*this, other}, {*this, other},
      [](const BackwardArgs &g) {
        const Tensor &a = g.saved[0], &b = g.saved[1];
        return Grads{
            g.needsGrad[0] ? sumToShape(g.grad * b, a.sizes()) : Tensor(),
            g.needsGrad[1] ? sumToShape(g.grad * a, b.sizes()) : Tensor()};
      });
  return out;
}
Tensor Tensor::div(const Tensor &other) const {
  Tensor out =
      binaryOp("div", OpKind::Div, kernels::BinaryOp::Div, *this, other);
  // PyTorch's div backward: grad / b and -grad * a / (b * b).
  recordGradient(
      out, "DivBackward0", {*this, other}, {*this, other},
      [](const BackwardArgs &g) {
        const Tensor &a = g.saved[0], &b = g.saved[1];
        return Grads{
            g.needsGrad[0] ? sumToShape(g.grad / b, a.sizes()) : Tensor(),
            g.needsGrad[1] ? sumToShape(-g.grad * a / (b * b), b.sizes())
                           : Tensor()};
      });
  return out;
}
// A scalar operand becomes a 0-d constant tensor (recorded as a Constant
// while tracing), then the op sees two tensors.
Tensor Tensor::add(float other) const { return add(scalar_tensor(other)); }
Tensor Tensor::sub(float other) const { return sub(scalar_tensor(other)); }
Tensor Tensor::mul(float other) const { return mul(scalar_tensor(other)); }
Tensor Tensor::div(float other) const { return div(scalar_tensor(other)); }

Tensor Tensor::neg() const {
  Tensor out = unaryOp("neg", OpKind::Neg, kernels::UnaryOp::Neg, *this);
  recordGradient(out, "NegBackward0", {*this}, {},
                 [](const BackwardArgs &g) { return Grads{-g.grad}; });
  return out;
}
Tensor Tensor::exp() const {
  Tensor out = unaryOp("exp", OpKind::Exp, kernels::UnaryOp::Exp, *this);
  recordGradient(
      out, "ExpBackward0", {*this}, {out},
      [](const BackwardArgs &g) { return Grads{g.grad * g.saved[0]}; });
  return out;
}
Tensor Tensor::log() const {
  Tensor out = unaryOp("log", OpKind::Log, kernels::UnaryOp::Log, *this);
  recordGradient(
      out, "LogBackward0", {*this}, {*this},
      [](const BackwardArgs &g) { return Grads{g.grad / g.saved[0]}; });
  return out;
}
Tensor Tensor::tanh() const {
  Tensor out = unaryOp("tanh", OpKind::Tanh, kernels::UnaryOp::Tanh, *this);
  recordGradient(out, "TanhBackward0", {*this}, {out},
                 [](const BackwardArgs &g) {
                   const Tensor &y = g.saved[0];
                   return Grads{g.grad * (1.0f - y * y)};
                 });
  return out;
}
Tensor Tensor::sigmoid() const {
  Tensor out =
      unaryOp("sigmoid", OpKind::Sigmoid, kernels::UnaryOp::Sigmoid, *this);
  recordGradient(out, "SigmoidBackward0", {*this}, {out},
                 [](const BackwardArgs &g) {
                   const Tensor &y = g.saved[0];
                   return Grads{g.grad * (y * (1.0f - y))};
                 });
  return out;
}
Tensor Tensor::relu() const {
  Tensor out = unaryOp("relu", OpKind::Relu, kernels::UnaryOp::Relu, *this);
  // PyTorch's threshold_backward on the result: no gradient where y <= 0.
  recordGradient(
      out, "ReluBackward0", {*this}, {out}, [](const BackwardArgs &g) {
        return Grads{computeBinary("relu backward", kernels::BinaryOp::ReluGrad,
                                   g.grad, g.saved[0])};
      });
  return out;
}

Tensor Tensor::pow(float exponent) const {
  checkFloatTensor("pow", *this);
  OpAttrs attrs;
  attrs.scalar = exponent;
  Tensor out = traced(OpKind::Pow, {*this}, attrs, [&] {
    Tensor result = detail::allocate(sizes());
    kernels::power(sizes(), data_ptr<float>(), strides(), exponent,
                   result.data_ptr<float>());
    return result;
  });
  // PyTorch's pow_backward: exponent * x ** (exponent - 1), zero for a
  // zero exponent.
  recordGradient(out, "PowBackward0", {*this}, {*this},
                 [exponent](const BackwardArgs &g) {
                   const Tensor &x = g.saved[0];
                   if (exponent == 0.0f)
                     return Grads{zeros(x.sizes())};
                   return Grads{g.grad * (x.pow(exponent - 1.0f) * exponent)};
                 });
  return out;
}
Tensor Tensor::sqrt() const {
  Tensor out = unaryOp("sqrt", OpKind::Sqrt, kernels::UnaryOp::Sqrt, *this);
  recordGradient(out, "SqrtBackward0", {*this}, {out},
                 [](const BackwardArgs &g) {
                   return Grads{g.grad / (2.0f * g.saved[0])};
                 });
  return out;
}

Tensor Tensor::softmax(int64_t dim) const {
  checkFloatTensor("softmax", *this);
  int64_t d =
      detail::normalizeDim("softmax", dim, std::max<int64_t>(1, this->dim()));
  OpAttrs attrs;
  attrs.dims = {d};
  Tensor out = traced(OpKind::Softmax, {*this}, attrs, [&] {
    if (numel() == 0)
      return detail::allocate(sizes());
    Tensor shifted = *this - amax({d}, /*keepdim=*/true);
    Tensor e = shifted.exp();
    return e / e.sum({d}, /*keepdim=*/true);
  });
  // dx = y * (g - sum(g * y)).
  recordGradient(
      out, "SoftmaxBackward0", {*this}, {out}, [d](const BackwardArgs &g) {
        const Tensor &y = g.saved[0];
        return Grads{y * (g.grad - (g.grad * y).sum({d}, /*keepdim=*/true))};
      });
  return out;
}
Tensor Tensor::log_softmax(int64_t dim) const {
  checkFloatTensor("log_softmax", *this);
  int64_t d = detail::normalizeDim("log_softmax", dim,
                                   std::max<int64_t>(1, this->dim()));
  OpAttrs attrs;
  attrs.dims = {d};
  Tensor out = traced(OpKind::LogSoftmax, {*this}, attrs, [&] {
    if (numel() == 0)
      return detail::allocate(sizes());
    Tensor shifted = *this - amax({d}, /*keepdim=*/true);
    return shifted - shifted.exp().sum({d}, /*keepdim=*/true).log();
  });
  // dx = g - exp(y) * sum(g).
  recordGradient(out, "LogSoftmaxBackward0", {*this}, {out},
                 [d](const BackwardArgs &g) {
                   const Tensor &y = g.saved[0];
                   return Grads{g.grad - y.exp() * g.grad.sum({d}, true)};
                 });
  return out;
}

Tensor Tensor::matmul(const Tensor &other) const {
  Tensor out = matmulImpl(*this, other);
  recordGradient(out, "MmBackward0", {*this, other}, {*this, other},
                 matmulBackward);
  return out;
}

Tensor Tensor::sum() const { return sum({}, false); }
Tensor Tensor::sum(const IntList &dims, bool keepdim) const {
  Tensor out = reduce("sum", Reduction::Sum, *this, dims, keepdim);
  recordGradient(out, "SumBackward1", {*this}, {},
                 [shape = sizes(), dims = reducedDims("sum", *this, dims),
                  keepdim](const BackwardArgs &g) {
                   return Grads{
                       keptDims(g.grad, dims, keepdim, shape).expand(shape)};
                 });
  return out;
}
Tensor Tensor::mean() const { return mean({}, false); }
Tensor Tensor::mean(const IntList &dims, bool keepdim) const {
  Tensor out = reduce("mean", Reduction::Mean, *this, dims, keepdim);
  IntList reduced = reducedDims("mean", *this, dims);
  int64_t count = 1;
  for (int64_t d : reduced)
    count *= size(d);
  recordGradient(
      out, "MeanBackward1", {*this}, {},
      [shape = sizes(), reduced, keepdim, count](const BackwardArgs &g) {
        Tensor kept = keptDims(g.grad, reduced, keepdim, shape);
        return Grads{(kept / float(count)).expand(shape)};
      });
  return out;
}
Tensor Tensor::amax(const IntList &dims, bool keepdim) const {
  Tensor out = reduce("amax", Reduction::Max, *this, dims, keepdim);
  recordGradient(out, "AmaxBackward0", {*this}, {*this, out},
                 [dims = reducedDims("amax", *this, dims),
                  keepdim](const BackwardArgs &g) {
                   return Grads{maxBackward(g, dims, keepdim)};
                 });
  return out;
}
Tensor Tensor::max() const {
  Tensor out = reduce("max", Reduction::Max, *this, {}, false);
  recordGradient(out, "MaxBackward1", {*this}, {*this, out},
                 [dims = reducedDims("max", *this, {})](const BackwardArgs &g) {
                   return Grads{maxBackward(g, dims, false)};
                 });
  return out;
}

//===----------------------------------------------------------------------===//
// Free functions and operators
//===----------------------------------------------------------------------===//

Tensor add(const Tensor &a, const Tensor &b) { return a.add(b); }
Tensor sub(const Tensor &a, const Tensor &b) { return a.sub(b); }
Tensor mul(const Tensor &a, const Tensor &b) { return a.mul(b); }
Tensor div(const Tensor &a, const Tensor &b) { return a.div(b); }
Tensor neg(const Tensor &x) { return x.neg(); }
Tensor exp(const Tensor &x) { return x.exp(); }
Tensor log(const Tensor &x) { return x.log(); }
Tensor tanh(const Tensor &x) { return x.tanh(); }
Tensor sigmoid(const Tensor &x) { return x.sigmoid(); }
Tensor relu(const Tensor &x) { return x.relu(); }
Tensor matmul(const Tensor &a, const Tensor &b) { return a.matmul(b); }
Tensor transpose(const Tensor &x, int64_t dim0, int64_t dim1) {
  return x.transpose(dim0, dim1);
}
Tensor reshape(const Tensor &x, const IntList &shape) {
  return x.reshape(shape);
}
Tensor sum(const Tensor &x) { return x.sum(); }
Tensor sum(const Tensor &x, const IntList &dims, bool keepdim) {
  return x.sum(dims, keepdim);
}
Tensor mean(const Tensor &x) { return x.mean(); }
Tensor mean(const Tensor &x, const IntList &dims, bool keepdim) {
  return x.mean(dims, keepdim);
}
Tensor amax(const Tensor &x, const IntList &dims, bool keepdim) {
  return x.amax(dims, keepdim);
}
Tensor max(const Tensor &x) { return x.max(); }
Tensor pow(const Tensor &x, float exponent) { return x.pow(exponent); }
Tensor sqrt(const Tensor &x) { return x.sqrt(); }
Tensor softmax(const Tensor &x, int64_t dim) { return x.softmax(dim); }
Tensor log_softmax(const Tensor &x, int64_t dim) { return x.log_softmax(dim); }

Tensor operator+(const Tensor &a, const Tensor &b) { return a.add(b); }
Tensor operator+(const Tensor &a, float b) { return a.add(b); }
Tensor operator+(float a, const Tensor &b) { return scalar_tensor(a).add(b); }
Tensor operator-(const Tensor &a, const Tensor &b) { return a.sub(b); }
Tensor operator-(const Tensor &a, float b) { return a.sub(b); }
Tensor operator-(float a, const Tensor &b) { return scalar_tensor(a).sub(b); }
Tensor operator*(const Tensor &a, const Tensor &b) { return a.mul(b); }
Tensor operator*(const Tensor &a, float b) { return a.mul(b); }
Tensor operator*(float a, const Tensor &b) { return scalar_tensor(a).mul(b); }
Tensor operator/(const Tensor &a, const Tensor &b) { return a.div(b); }
Tensor operator/(const Tensor &a, float b) { return a.div(b); }
Tensor operator/(float a, const Tensor &b) { return scalar_tensor(a).div(b); }
Tensor operator-(const Tensor &x) { return x.neg(); }

} // namespace nnc
