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

Tensor binaryOp(const char *name, OpKind kind, kernels::BinaryOp op,
                const Tensor &a, const Tensor &b) {
  checkFloatTensor(name, a);
  checkFloatTensor(name, b);
  IntList shape =
      broadcastShapes(std::string(name) + ": shapes", a.sizes(), b.sizes());
  return traced(kind, {a, b}, {}, [&] {
    Tensor out = detail::allocate(shape);
    kernels::binary(op, shape, a.data_ptr<float>(), broadcastStrides(a, shape),
                    b.data_ptr<float>(), broadcastStrides(b, shape),
                    out.data_ptr<float>());
    return out;
  });
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

} // namespace

//===----------------------------------------------------------------------===//
// Tensor methods
//===----------------------------------------------------------------------===//

Tensor Tensor::add(const Tensor &other) const {
  return binaryOp("add", OpKind::Add, kernels::BinaryOp::Add, *this, other);
}
Tensor Tensor::sub(const Tensor &other) const {
  return binaryOp("sub", OpKind::Sub, kernels::BinaryOp::Sub, *this, other);
}
Tensor Tensor::mul(const Tensor &other) const {
  return binaryOp("mul", OpKind::Mul, kernels::BinaryOp::Mul, *this, other);
}
Tensor Tensor::div(const Tensor &other) const {
  return binaryOp("div", OpKind::Div, kernels::BinaryOp::Div, *this, other);
}
// A scalar operand becomes a 0-d constant tensor (recorded as a Constant
// while tracing), then the op sees two tensors.
Tensor Tensor::add(float other) const { return add(scalar_tensor(other)); }
Tensor Tensor::sub(float other) const { return sub(scalar_tensor(other)); }
Tensor Tensor::mul(float other) const { return mul(scalar_tensor(other)); }
Tensor Tensor::div(float other) const { return div(scalar_tensor(other)); }

Tensor Tensor::neg() const {
  return unaryOp("neg", OpKind::Neg, kernels::UnaryOp::Neg, *this);
}
Tensor Tensor::exp() const {
  return unaryOp("exp", OpKind::Exp, kernels::UnaryOp::Exp, *this);
}
Tensor Tensor::log() const {
  return unaryOp("log", OpKind::Log, kernels::UnaryOp::Log, *this);
}
Tensor Tensor::tanh() const {
  return unaryOp("tanh", OpKind::Tanh, kernels::UnaryOp::Tanh, *this);
}
Tensor Tensor::sigmoid() const {
  return unaryOp("sigmoid", OpKind::Sigmoid, kernels::UnaryOp::Sigmoid, *this);
}
Tensor Tensor::relu() const {
  return unaryOp("relu", OpKind::Relu, kernels::UnaryOp::Relu, *this);
}

Tensor Tensor::matmul(const Tensor &other) const {
  return matmulImpl(*this, other);
}

Tensor Tensor::sum() const { return sum({}, false); }
Tensor Tensor::sum(const IntList &dims, bool keepdim) const {
  return reduce("sum", Reduction::Sum, *this, dims, keepdim);
}
Tensor Tensor::mean() const { return mean({}, false); }
Tensor Tensor::mean(const IntList &dims, bool keepdim) const {
  return reduce("mean", Reduction::Mean, *this, dims, keepdim);
}
Tensor Tensor::amax(const IntList &dims, bool keepdim) const {
  return reduce("amax", Reduction::Max, *this, dims, keepdim);
}
Tensor Tensor::max() const {
  return reduce("max", Reduction::Max, *this, {}, false);
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
