//===- frontend/TensorOps.cpp - Eager elementwise math and matmul ---------===//
//
// Shape logic (broadcasting, torch.matmul's cases) and dtype logic (type
// promotion, recorded as Casts through the public to(); Half and BFloat16
// computing in float) live here; Float32 and Float64 loops are Halide
// kernels (frontend/kernels/), integer and comparison loops plain C++ over
// detail::forEachIndex. Every public op records itself, once, when a trace
// is active (detail::traced). Reductions are in TensorReduce.cpp.
//
//===----------------------------------------------------------------------===//
#include "frontend/Tensor.h"

#include "frontend/Autocast.h"
#include "frontend/TensorInternal.h"
#include "frontend/kernels/Kernels.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace nnc {

using detail::broadcastShapes;
using detail::broadcastStrides;
using detail::checkDefined;
using detail::traced;

//===----------------------------------------------------------------------===//
// Broadcasting and promotion
//===----------------------------------------------------------------------===//

IntList detail::broadcastShapes(const std::string &what, const IntList &a,
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

IntList detail::broadcastStrides(const Tensor &t, const IntList &shape) {
  IntList strides(shape.size(), 0);
  size_t lead = shape.size() - t.sizes().size();
  for (size_t d = 0; d < t.sizes().size(); ++d)
    if (t.sizes()[d] == shape[lead + d])
      strides[lead + d] = t.strides()[d];
  return strides;
}

ScalarType result_type(const Tensor &a, const Tensor &b) {
  checkDefined("result_type", a);
  checkDefined("result_type", b);
  // As PyTorch's ResultTypeState: tensors with dims, then 0-d tensors;
  // the lower priority only counts when it is of a higher category.
  auto combineCategories = [](ScalarType higher, ScalarType lower) {
    if (isFloatingType(higher))
      return higher;
    if (higher == kBool || isFloatingType(lower))
      return promote_types(higher, lower);
    return higher;
  };
  bool aDims = a.dim() > 0, bDims = b.dim() > 0;
  if (aDims == bDims)
    return promote_types(a.dtype(), b.dtype());
  return aDims ? combineCategories(a.dtype(), b.dtype())
               : combineCategories(b.dtype(), a.dtype());
}

ScalarType result_type(const Tensor &a, const Scalar &b) {
  checkDefined("result_type", a);
  return detail::resultTypeWithScalar(a.dtype(), b);
}

ScalarType detail::resultTypeWithScalar(ScalarType type, const Scalar &s) {
  if (s.isFloatingPoint() && !isFloatingType(type))
    return kFloat32; // the default dtype
  if (s.isIntegral(false) && type == kBool)
    return kInt64;
  return type;
}

namespace {

using autograd::BackwardArgs;
using autograd::recordGradient;
using autograd::sumToShape;
using Grads = std::vector<Tensor>;

//===----------------------------------------------------------------------===//
// Elementwise kernels (record nothing)
//===----------------------------------------------------------------------===//

/// out = f(a, b) over the broadcast shape of same-dtype a and b, with
/// a plain C++ loop; `f` takes and returns elements of type T (or Out).
template <class T, class Out = T, class F>
Tensor mapBinary(const char *name, const Tensor &a, const Tensor &b,
                 ScalarType outType, F f) {
  IntList shape =
      broadcastShapes(std::string(name) + ": shapes", a.sizes(), b.sizes());
  Tensor out = detail::allocate(shape, outType);
  const T *x = static_cast<const T *>(a.data_ptr());
  const T *y = static_cast<const T *>(b.data_ptr());
  Out *o = static_cast<Out *>(out.data_ptr());
  detail::forEachIndex<3>(
      shape,
      {broadcastStrides(a, shape), broadcastStrides(b, shape),
       detail::contiguousStrides(shape)},
      [&](const std::array<int64_t, 3> &i) { o[i[2]] = f(x[i[0]], y[i[1]]); });
  return out;
}

/// out = f(x) elementwise into a dense tensor of `outType`, plain C++.
template <class T, class Out = T, class F>
Tensor mapUnary(const Tensor &x, ScalarType outType, F f) {
  Tensor out = detail::allocate(x.sizes(), outType);
  const T *in = static_cast<const T *>(x.data_ptr());
  Out *o = static_cast<Out *>(out.data_ptr());
  detail::forEachIndex<2>(
      x.sizes(), {x.strides(), detail::contiguousStrides(x.sizes())},
      [&](const std::array<int64_t, 2> &i) { o[i[1]] = f(in[i[0]]); });
  return out;
}

/// a (op) b into a fresh tensor of the broadcast shape; a and b share a
/// dtype. Float and Double run the Halide kernels; Half and BFloat16 go
/// through Float; integers and Bool (add, sub, mul, eq) run plain loops.
Tensor computeBinary(const char *name, kernels::BinaryOp op, const Tensor &a,
                     const Tensor &b) {
  ScalarType type = a.dtype();
  if (isReducedFloatingType(type))
    return detail::convert(computeBinary(name, op, detail::convert(a, kFloat32),
                                         detail::convert(b, kFloat32)),
                           type);
  if (type == kFloat32 || type == kFloat64) {
    IntList shape =
        broadcastShapes(std::string(name) + ": shapes", a.sizes(), b.sizes());
    Tensor out = detail::allocate(shape, type);
    kernels::binary(op, type, shape, a.data_ptr(), broadcastStrides(a, shape),
                    b.data_ptr(), broadcastStrides(b, shape), out.data_ptr());
    return out;
  }
  return detail::dispatch(type, [&](auto tag) -> Tensor {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T>) {
      switch (op) {
      case kernels::BinaryOp::Add:
        return mapBinary<T>(name, a, b, type,
                            [](T x, T y) { return static_cast<T>(x + y); });
      case kernels::BinaryOp::Sub:
        return mapBinary<T>(name, a, b, type,
                            [](T x, T y) { return static_cast<T>(x - y); });
      case kernels::BinaryOp::Mul:
        return mapBinary<T>(name, a, b, type,
                            [](T x, T y) { return static_cast<T>(x * y); });
      case kernels::BinaryOp::Equal:
        return mapBinary<T>(name, a, b, type,
                            [](T x, T y) { return static_cast<T>(x == y); });
      default:
        break;
      }
    }
    throw Error(std::string("internal error: ") + name + " has no " +
                toString(type) + " kernel");
  });
}

/// op(x) into a fresh dense tensor of x's dtype (Float, Double, or Half
/// and BFloat16 through Float; integer neg and relu as plain loops).
Tensor computeUnary(const char *name, kernels::UnaryOp op, const Tensor &x) {
  ScalarType type = x.dtype();
  if (isReducedFloatingType(type))
    return detail::convert(computeUnary(name, op, detail::convert(x, kFloat32)),
                           type);
  if (type == kFloat32 || type == kFloat64) {
    Tensor out = detail::allocate(x.sizes(), type);
    kernels::unary(op, type, x.sizes(), x.data_ptr(), x.strides(),
                   out.data_ptr());
    return out;
  }
  return detail::dispatch(type, [&](auto tag) -> Tensor {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (op == kernels::UnaryOp::Neg)
        return mapUnary<T>(x, type, [](T v) { return static_cast<T>(-v); });
      if (op == kernels::UnaryOp::Relu)
        return mapUnary<T>(x, type, [](T v) { return v < 0 ? T(0) : v; });
    }
    throw Error(std::string("internal error: ") + name + " has no " +
                toString(type) + " kernel");
  });
}

//===----------------------------------------------------------------------===//
// Recording ops
//===----------------------------------------------------------------------===//

/// A binary op's output and its operands converted to the type it
/// computes in (autograd records against these).
struct BinaryResult {
  Tensor out, a, b;
};

/// Promotes a and b to `type` through the public to() (so a trace sees
/// Casts and autograd converts gradients back), then records `kind`.
BinaryResult binaryOp(const char *name, OpKind kind, kernels::BinaryOp op,
                      const Tensor &a, const Tensor &b, ScalarType type) {
  // Checks the shapes before anything is recorded.
  broadcastShapes(std::string(name) + ": shapes", a.sizes(), b.sizes());
  Tensor x = a.to(type), y = b.to(type);
  Tensor out =
      traced(kind, {x, y}, {}, [&] { return computeBinary(name, op, x, y); });
  return {out, x, y};
}

BinaryResult binaryOp(const char *name, OpKind kind, kernels::BinaryOp op,
                      const Tensor &a, const Tensor &b) {
  checkDefined(name, a);
  checkDefined(name, b);
  return binaryOp(name, kind, op, a, b, result_type(a, b));
}

/// A unary math op (exp, log, ...): integer inputs compute in Float, as
/// PyTorch's; returns the output and the (converted) input.
BinaryResult unaryFloatOp(const char *name, OpKind kind, kernels::UnaryOp op,
                          const Tensor &x) {
  checkDefined(name, x);
  Tensor in = isFloatingType(x.dtype()) ? x : x.to(kFloat32);
  Tensor out =
      traced(kind, {in}, {}, [&] { return computeUnary(name, op, in); });
  return {out, in, Tensor()};
}

/// A comparison: promote, then a Bool result.
template <class Compare>
Tensor compareOp(const char *name, OpKind kind, const Tensor &a,
                 const Tensor &b, Compare compare) {
  checkDefined(name, a);
  checkDefined(name, b);
  broadcastShapes(std::string(name) + ": shapes", a.sizes(), b.sizes());
  ScalarType type = result_type(a, b);
  Tensor x = a.to(type), y = b.to(type);
  return traced(kind, {x, y}, {}, [&] {
    return detail::dispatch(type, [&](auto tag) {
      using T = typename decltype(tag)::type;
      return mapBinary<T, bool>(name, x, y, kBool, [&](T u, T v) {
        if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>)
          return compare(static_cast<float>(u), static_cast<float>(v));
        else
          return compare(u, v);
      });
    });
  });
}

/// {a, b}, each kept only when the other needs a gradient (a product's
/// backward needs each operand only for the other's gradient).
std::vector<Tensor> savedForOther(const Tensor &a, const Tensor &b) {
  return {autograd::anyRequiresGrad({b}) ? a : Tensor(),
          autograd::anyRequiresGrad({a}) ? b : Tensor()};
}

/// `s` as a 0-d constant of the dtype an op of `t` and `s` computes in.
Tensor scalarOperand(const Tensor &t, const Scalar &s) {
  return scalar_tensor(s, detail::resultTypeWithScalar(t.dtype(), s));
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

/// Runs the matmul kernel on lhs [batch..., m, k] and rhs [batch..., k, n]
/// (rhs with unit stride along n) into a dense [batch..., m, n] tensor;
/// Half and BFloat16 multiply in Float.
Tensor batchedMatmul(const Tensor &lhs, const Tensor &rhs, const IntList &batch,
                     int64_t m, int64_t k, int64_t n) {
  ScalarType type = lhs.dtype();
  if (isReducedFloatingType(type))
    return detail::convert(batchedMatmul(detail::convert(lhs, kFloat32),
                                         detail::convert(rhs, kFloat32), batch,
                                         m, k, n),
                           type);
  IntList outShape = batch;
  outShape.insert(outShape.end(), {m, n});
  Tensor out = detail::allocate(outShape, type);
  int64_t bytes = lhs.element_size();
  int64_t batchRank = static_cast<int64_t>(batch.size());
  int64_t batches = detail::numelOf(batch);
  const char *aBase = static_cast<const char *>(lhs.data_ptr());
  const char *bBase = static_cast<const char *>(rhs.data_ptr());
  char *outBase = static_cast<char *>(out.data_ptr());
  IntList index(batchRank, 0);
  for (int64_t i = 0; i < batches; ++i) {
    int64_t aOffset = 0, bOffset = 0;
    for (int64_t d = 0; d < batchRank; ++d) {
      aOffset += index[d] * lhs.stride(d);
      bOffset += index[d] * rhs.stride(d);
    }
    kernels::matmul(type, m, k, n, aBase + aOffset * bytes, lhs.stride(-2),
                    lhs.stride(-1), bBase + bOffset * bytes, rhs.stride(-2),
                    outBase + i * m * n * bytes);
    for (int64_t d = batchRank - 1; d >= 0; --d) {
      if (++index[d] < batch[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

Tensor matmulImpl(const Tensor &a, const Tensor &b) {
  checkDefined("matmul", a);
  checkDefined("matmul", b);
  if (!isFloatingType(a.dtype()) || a.dtype() != b.dtype())
    throw Error(std::string("matmul: expected both operands to have the "
                            "same floating dtype, got ") +
                toString(a.dtype()) + " and " + toString(b.dtype()));
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
    IntList aShape = batch, bShape = batch;
    aShape.insert(aShape.end(), {m, k});
    bShape.insert(bShape.end(), {k, n});
    Tensor lhs = (a.dim() == 1 ? a.unsqueeze(0) : a).expand(aShape);
    Tensor rhs = (b.dim() == 1 ? b.unsqueeze(-1) : b).expand(bShape);
    // The kernel wants unit stride along N (vector loads of B's rows).
    if (rhs.stride(-1) != 1 && n > 1)
      rhs = rhs.contiguous();
    Tensor out = batchedMatmul(lhs, rhs, batch, m, k, n);
    return out.view(resultShape);
  });
}

//===----------------------------------------------------------------------===//
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
// Arithmetic
//===----------------------------------------------------------------------===//

Tensor Tensor::add(const Tensor &other) const {
  BinaryResult r =
      binaryOp("add", OpKind::Add, kernels::BinaryOp::Add, *this, other);
  recordGradient(r.out, "AddBackward0", {r.a, r.b}, {},
                 [a = sizes(), b = other.sizes()](const BackwardArgs &g) {
                   return Grads{sumToShape(g.grad, a), sumToShape(g.grad, b)};
                 });
  return r.out;
}
Tensor Tensor::sub(const Tensor &other) const {
  checkDefined("sub", *this);
  checkDefined("sub", other);
  ScalarType type = result_type(*this, other);
  if (type == kBool)
    throw Error("sub: Subtraction, the `-` operator, with two bool tensors is "
                "not supported. Use the `^` or `logical_xor()` operator "
                "instead.");
  BinaryResult r =
      binaryOp("sub", OpKind::Sub, kernels::BinaryOp::Sub, *this, other, type);
  recordGradient(r.out, "SubBackward0", {r.a, r.b}, {},
                 [a = sizes(), b = other.sizes()](const BackwardArgs &g) {
                   return Grads{sumToShape(g.grad, a),
                                g.needsGrad[1] ? sumToShape(-g.grad, b)
                                               : Tensor()};
                 });
  return r.out;
}
Tensor Tensor::mul(const Tensor &other) const {
  BinaryResult r =
      binaryOp("mul", OpKind::Mul, kernels::BinaryOp::Mul, *this, other);
  // As PyTorch, each operand is saved only for the other's gradient, so
  // an in-place write to an operand that needs none is no error.
  recordGradient(
      r.out, "MulBackward0", {r.a, r.b}, savedForOther(r.a, r.b),
      [aShape = r.a.sizes(), bShape = r.b.sizes()](const BackwardArgs &g) {
        const Tensor &a = g.saved[0], &b = g.saved[1];
        return Grads{g.needsGrad[0] ? sumToShape(g.grad * b, aShape) : Tensor(),
                     g.needsGrad[1] ? sumToShape(g.grad * a, bShape)
                                    : Tensor()};
      });
  return r.out;
}
Tensor Tensor::div(const Tensor &other) const {
  checkDefined("div", *this);
  checkDefined("div", other);
  // True division: integers divide as Float.
  ScalarType type = result_type(*this, other);
  if (!isFloatingType(type))
    type = kFloat32;
  BinaryResult r =
      binaryOp("div", OpKind::Div, kernels::BinaryOp::Div, *this, other, type);
  // PyTorch's div backward: grad / b and -grad * a / (b * b).
  recordGradient(
      r.out, "DivBackward0", {r.a, r.b},
      {autograd::anyRequiresGrad({r.b}) ? r.a : Tensor(), r.b},
      [aShape = r.a.sizes()](const BackwardArgs &g) {
        const Tensor &a = g.saved[0], &b = g.saved[1];
        return Grads{g.needsGrad[0] ? sumToShape(g.grad / b, aShape) : Tensor(),
                     g.needsGrad[1]
                         ? sumToShape(-g.grad * a / (b * b), b.sizes())
                         : Tensor()};
      });
  return r.out;
}
// A scalar operand becomes a 0-d constant tensor of the result's dtype
// (recorded as a Constant while tracing), then the op sees two tensors.
Tensor Tensor::add(const Scalar &other) const {
  return add(scalarOperand(*this, other));
}
Tensor Tensor::sub(const Scalar &other) const {
  return sub(scalarOperand(*this, other));
}
Tensor Tensor::mul(const Scalar &other) const {
  return mul(scalarOperand(*this, other));
}
Tensor Tensor::div(const Scalar &other) const {
  return div(scalarOperand(*this, other));
}

Tensor Tensor::neg() const {
  checkDefined("neg", *this);
  if (dtype() == kBool)
    throw Error("neg: Negation, the `-` operator, on a bool tensor is not "
                "supported. If you are trying to invert a mask, use the `~` "
                "or `logical_not()` operator instead.");
  Tensor out = traced(OpKind::Neg, {*this}, {}, [&] {
    return computeUnary("neg", kernels::UnaryOp::Neg, *this);
  });
  recordGradient(out, "NegBackward0", {*this}, {},
                 [](const BackwardArgs &g) { return Grads{-g.grad}; });
  return out;
}
Tensor Tensor::exp() const {
  BinaryResult r =
      unaryFloatOp("exp", OpKind::Exp, kernels::UnaryOp::Exp, *this);
  recordGradient(
      r.out, "ExpBackward0", {r.a}, {r.out},
      [](const BackwardArgs &g) { return Grads{g.grad * g.saved[0]}; });
  return r.out;
}
Tensor Tensor::log() const {
  BinaryResult r =
      unaryFloatOp("log", OpKind::Log, kernels::UnaryOp::Log, *this);
  recordGradient(
      r.out, "LogBackward0", {r.a}, {r.a},
      [](const BackwardArgs &g) { return Grads{g.grad / g.saved[0]}; });
  return r.out;
}
Tensor Tensor::tanh() const {
  BinaryResult r =
      unaryFloatOp("tanh", OpKind::Tanh, kernels::UnaryOp::Tanh, *this);
  recordGradient(r.out, "TanhBackward0", {r.a}, {r.out},
                 [](const BackwardArgs &g) {
                   const Tensor &y = g.saved[0];
                   return Grads{g.grad * (1.0f - y * y)};
                 });
  return r.out;
}
Tensor Tensor::sigmoid() const {
  BinaryResult r = unaryFloatOp("sigmoid", OpKind::Sigmoid,
                                kernels::UnaryOp::Sigmoid, *this);
  recordGradient(r.out, "SigmoidBackward0", {r.a}, {r.out},
                 [](const BackwardArgs &g) {
                   const Tensor &y = g.saved[0];
                   return Grads{g.grad * (y * (1.0f - y))};
                 });
  return r.out;
}
Tensor Tensor::relu() const {
  checkDefined("relu", *this);
  Tensor out = traced(OpKind::Relu, {*this}, {}, [&] {
    return computeUnary("relu", kernels::UnaryOp::Relu, *this);
  });
  // PyTorch's threshold_backward on the result: no gradient where y <= 0.
  recordGradient(
      out, "ReluBackward0", {*this}, {out}, [](const BackwardArgs &g) {
        return Grads{computeBinary("relu backward", kernels::BinaryOp::ReluGrad,
                                   g.grad, g.saved[0])};
      });
  return out;
}
Tensor Tensor::sqrt() const {
  BinaryResult r =
      unaryFloatOp("sqrt", OpKind::Sqrt, kernels::UnaryOp::Sqrt, *this);
  recordGradient(r.out, "SqrtBackward0", {r.a}, {r.out},
                 [](const BackwardArgs &g) {
                   return Grads{g.grad / (2.0f * g.saved[0])};
                 });
  return r.out;
}

Tensor Tensor::erf() const {
  checkDefined("erf", *this);
  Tensor in = isFloatingType(dtype()) ? *this : to(kFloat32);
  // A plain loop over libm's erf: Halide's erf is float32-only, and erf is
  // rare enough (GELU) that vectorizing it eagerly is not worth a kernel.
  Tensor out = traced(OpKind::Erf, {in}, {}, [&] {
    if (in.dtype() == kFloat64)
      return mapUnary<double>(in, kFloat64,
                              [](double v) { return std::erf(v); });
    // Half and BFloat16 compute in Float.
    Tensor x = detail::convert(in, kFloat32);
    return detail::convert(
        mapUnary<float>(x, kFloat32, [](float v) { return std::erf(v); }),
        in.dtype());
  });
  // d/dx erf(x) = 2 / sqrt(pi) * exp(-x^2).
  recordGradient(out, "ErfBackward0", {in}, {in}, [](const BackwardArgs &g) {
    constexpr double kTwoOverSqrtPi = 1.1283791670955126;
    const Tensor &x = g.saved[0];
    return Grads{g.grad * ((x * x).neg().exp() * kTwoOverSqrtPi)};
  });
  return out;
}

Tensor Tensor::abs() const {
  checkDefined("abs", *this);
  Tensor out = traced(OpKind::Abs, {*this}, {}, [&] {
    return detail::dispatch(dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      return mapUnary<T>(*this, dtype(), [](T v) -> T {
        if constexpr (std::is_same_v<T, bool> || std::is_unsigned_v<T>)
          return v;
        else if constexpr (std::is_integral_v<T>)
          return v < 0 ? static_cast<T>(-v) : v;
        else
          return convertElement<T>(std::fabs(convertElement<double>(v)));
      });
    });
  });
  recordGradient(
      out, "AbsBackward0", {*this}, {*this},
      [](const BackwardArgs &g) { return Grads{g.grad * g.saved[0].sign()}; });
  return out;
}

Tensor Tensor::sign() const {
  checkDefined("sign", *this);
  Tensor out = traced(OpKind::Sign, {*this}, {}, [&] {
    return detail::dispatch(dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      return mapUnary<T>(*this, dtype(), [](T v) -> T {
        if constexpr (std::is_same_v<T, bool>)
          return v;
        else {
          double x = convertElement<double>(v);
          if (std::isnan(x))
            return v;
          return convertElement<T>(static_cast<double>((x > 0) - (x < 0)));
        }
      });
    });
  });
  // sign is flat: no gradient flows (PyTorch gives zeros).
  recordGradient(out, "SignBackward0", {*this}, {}, [](const BackwardArgs &g) {
    return Grads{zeros_like(g.grad)};
  });
  return out;
}

Tensor Tensor::pow(const Scalar &exponent) const {
  checkDefined("pow", *this);
  ScalarType type = detail::resultTypeWithScalar(dtype(), exponent);
  Tensor x = to(type);
  OpAttrs attrs;
  attrs.scalar = exponent.toDouble();
  Tensor out = traced(OpKind::Pow, {x}, attrs, [&] {
    ScalarType math = isReducedFloatingType(type) ? kFloat32 : type;
    Tensor in = detail::convert(x, math);
    if (math == kFloat32 || math == kFloat64) {
      Tensor result = detail::allocate(sizes(), math);
      kernels::power(math, sizes(), in.data_ptr(), in.strides(),
                     exponent.toDouble(), result.data_ptr());
      return detail::convert(result, type);
    }
    if (exponent.toLong() < 0)
      throw Error("pow: Integers to negative integer powers are not allowed.");
    return detail::dispatch(type, [&](auto tag) {
      using T = typename decltype(tag)::type;
      int64_t e = exponent.toLong();
      return mapUnary<T>(in, type, [e](T v) {
        int64_t result = 1, base = static_cast<int64_t>(v);
        for (int64_t i = 0; i < e; ++i)
          result *= base;
        return convertElement<T>(result);
      });
    });
  });
  // PyTorch's pow_backward: exponent * x ** (exponent - 1), zero for a
  // zero exponent.
  double e = exponent.toDouble();
  recordGradient(out, "PowBackward0", {x}, {x}, [e](const BackwardArgs &g) {
    const Tensor &base = g.saved[0];
    if (e == 0.0)
      return Grads{zeros_like(base)};
    return Grads{g.grad * (base.pow(e - 1.0) * e)};
  });
  return out;
}

Tensor Tensor::pow(const Tensor &exponent) const {
  checkDefined("pow", *this);
  checkDefined("pow", exponent);
  broadcastShapes("pow: shapes", sizes(), exponent.sizes());
  ScalarType type = result_type(*this, exponent);
  Tensor a = to(type), b = exponent.to(type);
  Tensor out = traced(OpKind::PowTensor, {a, b}, {}, [&] {
    return detail::dispatch(type, [&](auto tag) {
      using T = typename decltype(tag)::type;
      return mapBinary<T>("pow", a, b, type, [](T x, T y) {
        if constexpr (std::is_integral_v<T>)
          return convertElement<T>(
              std::llround(std::pow(static_cast<double>(x), double(y))));
        else
          return convertElement<T>(
              std::pow(convertElement<double>(x), convertElement<double>(y)));
      });
    });
  });
  // d/da = b * a ** (b - 1); d/db = a ** b * log(a), zero where a == 0 and
  // b >= 0 (PyTorch's pow_backward_exponent).
  recordGradient(
      out, "PowBackward1", {a, b}, {a, b, out}, [](const BackwardArgs &g) {
        const Tensor &x = g.saved[0], &y = g.saved[1], &result = g.saved[2];
        Grads grads(2);
        if (g.needsGrad[0])
          grads[0] = sumToShape(g.grad * y * x.pow(y - 1.0), x.sizes());
        if (g.needsGrad[1]) {
          Tensor flat = (x == 0) * (y >= 0);
          Tensor d = where(flat, zeros_like(result), result * x.log());
          grads[1] = sumToShape(g.grad * d, y.sizes());
        }
        return grads;
      });
  return out;
}

Tensor Tensor::softmax(int64_t dim) const {
  if (!defined() || !is_floating_point())
    throw Error(std::string("softmax: expected a floating tensor") +
                (defined() ? std::string(", got ") + toString(dtype()) : ""));
  int64_t d =
      detail::normalizeDim("softmax", dim, std::max<int64_t>(1, this->dim()));
  OpAttrs attrs;
  attrs.dims = {d};
  Tensor out = traced(OpKind::Softmax, {*this}, attrs, [&] {
    if (numel() == 0)
      return detail::allocate(sizes(), dtype());
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
  if (!defined() || !is_floating_point())
    throw Error(std::string("log_softmax: expected a floating tensor") +
                (defined() ? std::string(", got ") + toString(dtype()) : ""));
  int64_t d = detail::normalizeDim("log_softmax", dim,
                                   std::max<int64_t>(1, this->dim()));
  OpAttrs attrs;
  attrs.dims = {d};
  Tensor out = traced(OpKind::LogSoftmax, {*this}, attrs, [&] {
    if (numel() == 0)
      return detail::allocate(sizes(), dtype());
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
  // Autocast's lower-precision list: operands cast first, as own ops.
  if (autocast::detail::castsToLowerPrecision({*this, other}))
    return autocast::detail::toLowerPrecision(*this).matmul(
        autocast::detail::toLowerPrecision(other));
  Tensor out = matmulImpl(*this, other);
  recordGradient(out, "MmBackward0", {*this, other}, {*this, other},
                 matmulBackward);
  return out;
}

Tensor Tensor::bmm(const Tensor &other) const {
  checkDefined("bmm", *this);
  checkDefined("bmm", other);
  if (dim() != 3 || other.dim() != 3)
    throw Error("bmm: batch1 must be a 3D tensor and batch2 must be a 3D "
                "tensor, got shapes " +
                shapeToString(sizes()) + " and " +
                shapeToString(other.sizes()));
  if (size(0) != other.size(0) || size(2) != other.size(1))
    throw Error("bmm: shapes " + shapeToString(sizes()) + " and " +
                shapeToString(other.sizes()) +
                " do not multiply (expected [B, N, M] and [B, M, P])");
  return matmul(other);
}

//===----------------------------------------------------------------------===//
// Comparisons, where, clamp
//===----------------------------------------------------------------------===//

#define NNC_COMPARISON(method, kind, expr)                                     \
  Tensor Tensor::method(const Tensor &other) const {                           \
    return compareOp(#method, OpKind::kind, *this, other,                      \
                     [](auto u, auto v) { return expr; });                     \
  }                                                                            \
  Tensor Tensor::method(const Scalar &other) const {                           \
    checkDefined(#method, *this);                                              \
    return method(scalarOperand(*this, other));                                \
  }
NNC_COMPARISON(eq, Eq, u == v)
NNC_COMPARISON(ne, Ne, u != v)
NNC_COMPARISON(lt, Lt, u < v)
NNC_COMPARISON(le, Le, u <= v)
NNC_COMPARISON(gt, Gt, u > v)
NNC_COMPARISON(ge, Ge, u >= v)
#undef NNC_COMPARISON

Tensor where(const Tensor &condition, const Tensor &a, const Tensor &b) {
  checkDefined("where", condition);
  checkDefined("where", a);
  checkDefined("where", b);
  if (condition.dtype() != kBool)
    throw Error(std::string("where: expected condition to be a boolean "
                            "tensor, but got a tensor with dtype ") +
                toString(condition.dtype()));
  IntList shape = broadcastShapes(
      "where: shapes",
      broadcastShapes("where: shapes", condition.sizes(), a.sizes()),
      b.sizes());
  ScalarType type = result_type(a, b);
  Tensor x = a.to(type), y = b.to(type);
  Tensor out = traced(OpKind::Where, {condition, x, y}, {}, [&] {
    Tensor result = detail::allocate(shape, type);
    detail::dispatch(type, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const bool *c = condition.data_ptr<bool>();
      const T *u = static_cast<const T *>(x.data_ptr());
      const T *v = static_cast<const T *>(y.data_ptr());
      T *o = static_cast<T *>(result.data_ptr());
      detail::forEachIndex<4>(
          shape,
          {broadcastStrides(condition, shape), broadcastStrides(x, shape),
           broadcastStrides(y, shape), detail::contiguousStrides(shape)},
          [&](const std::array<int64_t, 4> &i) {
            o[i[3]] = c[i[0]] ? u[i[1]] : v[i[2]];
          });
    });
    return result;
  });
  recordGradient(out, "WhereBackward0", {condition, x, y}, {condition},
                 [a = x.sizes(), b = y.sizes()](const BackwardArgs &g) {
                   const Tensor &c = g.saved[0];
                   Tensor zero = zeros_like(g.grad);
                   Grads grads(3);
                   if (g.needsGrad[1])
                     grads[1] = sumToShape(where(c, g.grad, zero), a);
                   if (g.needsGrad[2])
                     grads[2] = sumToShape(where(c, zero, g.grad), b);
                   return grads;
                 });
  return out;
}

Tensor where(const Tensor &condition, const Tensor &a, const Scalar &b) {
  checkDefined("where", a);
  return where(condition, a, scalarOperand(a, b));
}

Tensor where(const Tensor &condition, const Scalar &a, const Tensor &b) {
  checkDefined("where", b);
  return where(condition, scalarOperand(b, a), b);
}

Tensor Tensor::clamp(std::optional<Scalar> min,
                     std::optional<Scalar> max) const {
  checkDefined("clamp", *this);
  if (!min && !max)
    throw Error("clamp: At least one of 'min' or 'max' must not be None");
  ScalarType type = dtype();
  for (const std::optional<Scalar> &bound : {min, max})
    if (bound)
      type = detail::resultTypeWithScalar(type, *bound);
  Tensor x = to(type);
  OpAttrs attrs;
  if (min)
    attrs.min = min->toDouble();
  if (max)
    attrs.max = max->toDouble();
  Tensor out = traced(OpKind::Clamp, {x}, attrs, [&] {
    return detail::dispatch(type, [&](auto tag) {
      using T = typename decltype(tag)::type;
      // In double, then converted: exact for every dtype but huge int64s.
      std::optional<double> lo = attrs.min, hi = attrs.max;
      return mapUnary<T>(x, type, [lo, hi](T v) {
        double r = convertElement<double>(v);
        if (lo && r < *lo)
          r = *lo;
        if (hi && r > *hi)
          r = *hi;
        return convertElement<T>(r);
      });
    });
  });
  // The gradient passes where min <= x <= max.
  recordGradient(out, "ClampBackward1", {x}, {x},
                 [lo = attrs.min, hi = attrs.max](const BackwardArgs &g) {
                   const Tensor &in = g.saved[0];
                   Tensor inside = ones_like(in, kBool);
                   if (lo)
                     inside = inside * (in >= *lo);
                   if (hi)
                     inside = inside * (in <= *hi);
                   return Grads{where(inside, g.grad, zeros_like(g.grad))};
                 });
  return out;
}

Tensor Tensor::clamp_min(const Scalar &min) const {
  return clamp(min, std::nullopt);
}
Tensor Tensor::clamp_max(const Scalar &max) const {
  return clamp(std::nullopt, max);
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
Tensor bmm(const Tensor &a, const Tensor &b) { return a.bmm(b); }
Tensor transpose(const Tensor &x, int64_t dim0, int64_t dim1) {
  return x.transpose(dim0, dim1);
}
Tensor reshape(const Tensor &x, const IntList &shape) {
  return x.reshape(shape);
}
Tensor pow(const Tensor &x, const Scalar &exponent) { return x.pow(exponent); }
Tensor pow(const Tensor &x, const Tensor &exponent) { return x.pow(exponent); }
Tensor sqrt(const Tensor &x) { return x.sqrt(); }
Tensor erf(const Tensor &x) { return x.erf(); }
Tensor abs(const Tensor &x) { return x.abs(); }
Tensor sign(const Tensor &x) { return x.sign(); }
Tensor clamp(const Tensor &x, std::optional<Scalar> min,
             std::optional<Scalar> max) {
  return x.clamp(min, max);
}
Tensor softmax(const Tensor &x, int64_t dim) { return x.softmax(dim); }
Tensor log_softmax(const Tensor &x, int64_t dim) { return x.log_softmax(dim); }

Tensor operator+(const Tensor &a, const Tensor &b) { return a.add(b); }
Tensor operator+(const Tensor &a, const Scalar &b) { return a.add(b); }
Tensor operator+(const Scalar &a, const Tensor &b) {
  return scalarOperand(b, a).add(b);
}
Tensor operator-(const Tensor &a, const Tensor &b) { return a.sub(b); }
Tensor operator-(const Tensor &a, const Scalar &b) { return a.sub(b); }
Tensor operator-(const Scalar &a, const Tensor &b) {
  return scalarOperand(b, a).sub(b);
}
Tensor operator*(const Tensor &a, const Tensor &b) { return a.mul(b); }
Tensor operator*(const Tensor &a, const Scalar &b) { return a.mul(b); }
Tensor operator*(const Scalar &a, const Tensor &b) {
  return scalarOperand(b, a).mul(b);
}
Tensor operator/(const Tensor &a, const Tensor &b) { return a.div(b); }
Tensor operator/(const Tensor &a, const Scalar &b) { return a.div(b); }
Tensor operator/(const Scalar &a, const Tensor &b) {
  return scalarOperand(b, a).div(b);
}
Tensor operator-(const Tensor &x) { return x.neg(); }
Tensor operator==(const Tensor &a, const Tensor &b) { return a.eq(b); }
Tensor operator==(const Tensor &a, const Scalar &b) { return a.eq(b); }
Tensor operator!=(const Tensor &a, const Tensor &b) { return a.ne(b); }
Tensor operator!=(const Tensor &a, const Scalar &b) { return a.ne(b); }
Tensor operator<(const Tensor &a, const Tensor &b) { return a.lt(b); }
Tensor operator<(const Tensor &a, const Scalar &b) { return a.lt(b); }
Tensor operator<=(const Tensor &a, const Tensor &b) { return a.le(b); }
Tensor operator<=(const Tensor &a, const Scalar &b) { return a.le(b); }
Tensor operator>(const Tensor &a, const Tensor &b) { return a.gt(b); }
Tensor operator>(const Tensor &a, const Scalar &b) { return a.gt(b); }
Tensor operator>=(const Tensor &a, const Tensor &b) { return a.ge(b); }
Tensor operator>=(const Tensor &a, const Scalar &b) { return a.ge(b); }

} // namespace nnc
