//===- frontend/TensorReduce.cpp - Reductions -----------------------------===//
//
// Every reduction moves its reduced dims innermost and sees the input as a
// [rows, cols] matrix reduced along cols. Sum, mean, amax and amin of Float
// and Double run the Halide kernels (Half and BFloat16 through Float);
// integer reductions, products, max/min with indices and any/all are plain
// C++ over the rows. var, std and logsumexp are built from public ops, so
// their gradients and traces come from those ops.
//
//===----------------------------------------------------------------------===//
#include "frontend/Tensor.h"

#include "frontend/TensorInternal.h"
#include "frontend/kernels/Kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace nnc {

using detail::checkDefined;
using detail::traced;

namespace {

using autograd::BackwardArgs;
using autograd::recordGradient;
using Grads = std::vector<Tensor>;

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

/// How a reduction sees its input: kept dims first, reduced dims last.
struct RowsLayout {
  IntList permutation; // kept dims, then reduced dims
  IntList outShape;    // with keepdim's size-1 dims when asked
  IntList reduced;
  int64_t rows = 1, cols = 1;
};

RowsLayout rowsLayout(const char *name, const Tensor &x, const IntList &dims,
                      bool keepdim) {
  RowsLayout layout;
  layout.reduced = reducedDims(name, x, dims);
  int64_t rank = x.dim();
  std::vector<bool> isReduced(rank, false);
  for (int64_t d : layout.reduced)
    isReduced[d] = true;
  for (int64_t d = 0; d < rank; ++d) {
    if (isReduced[d])
      continue;
    layout.permutation.push_back(d);
    layout.rows *= x.size(d);
  }
  for (int64_t d = 0; d < rank; ++d) {
    if (isReduced[d]) {
      layout.permutation.push_back(d);
      layout.cols *= x.size(d);
    }
    if (!isReduced[d] || keepdim)
      layout.outShape.push_back(isReduced[d] ? 1 : x.size(d));
  }
  return layout;
}

/// x as the [rows, cols] matrix of `layout` (a view when the strides
/// allow, else a copy). Records nothing.
Tensor asRows(const Tensor &x, const RowsLayout &layout) {
  return x.permute(layout.permutation).reshape({layout.rows, layout.cols});
}

/// Calls f(row, rowData, colStride) per row of the [rows, cols] view m,
/// with rowData pointing at the row's first element (of type T).
template <class T, class F> void forEachRow(const Tensor &m, F f) {
  const T *base = static_cast<const T *>(m.data_ptr());
  for (int64_t r = 0; r < m.size(0); ++r)
    f(r, base + r * m.stride(0), m.stride(1));
}

void checkNonEmpty(const char *name, const Tensor &x, const RowsLayout &l) {
  if (l.cols == 0 && l.rows != 0)
    throw Error(std::string(name) +
                ": cannot reduce over a zero-size dimension (shape " +
                shapeToString(x.sizes()) + ", dims " +
                shapeToString(l.reduced) + ")");
}

OpAttrs reduceAttrs(const RowsLayout &layout, bool keepdim) {
  OpAttrs attrs;
  attrs.dims = layout.reduced;
  attrs.keepdim = keepdim;
  return attrs;
}

enum class Reduction { Sum, Mean, Max, Min };

/// Sum, mean, amax or amin of `x` (already checked) into a fresh tensor.
/// Records nothing.
Tensor computeReduce(Reduction reduction, const Tensor &x,
                     const RowsLayout &layout) {
  ScalarType type = x.dtype();
  if (type == kFloat16 || type == kBFloat16)
    return detail::convert(
        computeReduce(reduction, detail::convert(x, kFloat32), layout), type);
  Tensor matrix = asRows(x, layout);
  if (type == kFloat32 || type == kFloat64) {
    Tensor out = detail::allocate(layout.outShape, type);
    double cols = static_cast<double>(layout.cols);
    // Float's mean scale is rounded as float arithmetic would round it.
    double scale = reduction != Reduction::Mean ? 1.0
                   : type == kFloat32 ? double(1.0f / float(layout.cols))
                                      : 1.0 / cols;
    kernels::ReduceOp op = reduction == Reduction::Max ? kernels::ReduceOp::Max
                           : reduction == Reduction::Min
                               ? kernels::ReduceOp::Min
                               : kernels::ReduceOp::Sum;
    kernels::reduceRows(op, type, layout.rows, layout.cols, matrix.data_ptr(),
                        matrix.stride(0), matrix.stride(1), scale,
                        out.data_ptr());
    return out;
  }
  // Integers and Bool: sums are Long, max and min keep the dtype.
  ScalarType outType = reduction == Reduction::Sum ? kInt64 : type;
  Tensor out = detail::allocate(layout.outShape, outType);
  detail::dispatch(type, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T>) {
      forEachRow<T>(matrix, [&](int64_t r, const T *row, int64_t stride) {
        if (reduction == Reduction::Sum) {
          int64_t total = 0;
          for (int64_t c = 0; c < layout.cols; ++c)
            total += static_cast<int64_t>(row[c * stride]);
          out.data_ptr<int64_t>()[r] = total;
          return;
        }
        T best = row[0];
        for (int64_t c = 1; c < layout.cols; ++c) {
          T v = row[c * stride];
          if (reduction == Reduction::Max ? v > best : v < best)
            best = v;
        }
        static_cast<T *>(out.data_ptr())[r] = best;
      });
    }
  });
  return out;
}

Tensor reduce(const char *name, OpKind kind, Reduction reduction,
              const Tensor &x, const IntList &dims, bool keepdim) {
  checkDefined(name, x);
  if (reduction == Reduction::Mean && !x.is_floating_point())
    throw Error(std::string(name) +
                ": could not infer output dtype. Input dtype must be either "
                "a floating point or complex dtype. Got: " +
                toString(x.dtype()));
  RowsLayout layout = rowsLayout(name, x, dims, keepdim);
  if (reduction == Reduction::Max || reduction == Reduction::Min)
    checkNonEmpty(name, x, layout);
  return traced(kind, {x}, reduceAttrs(layout, keepdim),
                [&] { return computeReduce(reduction, x, layout); });
}

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

/// amax's and amin's gradient, as PyTorch: split evenly among the
/// elements equal to the extremum. saved = {input, output}.
Tensor extremumBackward(const BackwardArgs &g, const IntList &reduced,
                        bool keepdim) {
  const Tensor &x = g.saved[0];
  Tensor extrema = keptDims(g.saved[1], reduced, keepdim, x.sizes());
  Tensor mask = (x == extrema).to(x.dtype());
  Tensor count = mask.sum(reduced, /*keepdim=*/true);
  return mask * (keptDims(g.grad, reduced, keepdim, x.sizes()) / count);
}

/// Values and first indices of the maximum (or minimum) along one dim;
/// NaN counts as the extremum, as in PyTorch.
std::tuple<Tensor, Tensor> computeArgExtremum(bool isMax, const Tensor &x,
                                              const RowsLayout &layout) {
  Tensor matrix = asRows(x, layout);
  Tensor values = detail::allocate(layout.outShape, x.dtype());
  Tensor indices = detail::allocate(layout.outShape, kInt64);
  int64_t *index = indices.data_ptr<int64_t>();
  detail::dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T *out = static_cast<T *>(values.data_ptr());
    forEachRow<T>(matrix, [&](int64_t r, const T *row, int64_t stride) {
      int64_t best = 0;
      double bestValue = convertElement<double>(row[0]);
      for (int64_t c = 1; c < layout.cols && !std::isnan(bestValue); ++c) {
        double v = convertElement<double>(row[c * stride]);
        if (std::isnan(v) || (isMax ? v > bestValue : v < bestValue)) {
          best = c;
          bestValue = v;
        }
      }
      index[r] = best;
      out[r] = row[best * stride];
    });
  });
  return {values, indices};
}

std::tuple<Tensor, Tensor> maxMinWithIndices(const char *name, bool isMax,
                                             const Tensor &x, int64_t dim,
                                             bool keepdim) {
  checkDefined(name, x);
  RowsLayout layout = rowsLayout(name, x, {dim}, keepdim);
  checkNonEmpty(name, x, layout);
  OpAttrs attrs = reduceAttrs(layout, keepdim);
  std::tuple<Tensor, Tensor> result;
  // Recorded as two ops: the values (Max/Min) and the indices (ArgMax/Min).
  Tensor values = traced(isMax ? OpKind::Max : OpKind::Min, {x}, attrs, [&] {
    result = computeArgExtremum(isMax, x, layout);
    return std::get<0>(result);
  });
  Tensor indices = traced(isMax ? OpKind::ArgMax : OpKind::ArgMin, {x}, attrs,
                          [&] { return std::get<1>(result); });
  // The gradient goes to the selected element (PyTorch's
  // value_selecting_reduction_backward).
  int64_t d = layout.reduced.empty() ? 0 : layout.reduced[0];
  recordGradient(
      values, isMax ? "MaxBackward0" : "MinBackward0", {x}, {indices},
      [d, keepdim, shape = x.sizes()](const BackwardArgs &g) {
        Tensor index = g.saved[0], grad = g.grad;
        if (shape.empty())
          return Grads{grad};
        if (!keepdim) {
          index = index.unsqueeze(d);
          grad = grad.unsqueeze(d);
        }
        return Grads{zeros(shape, grad.dtype()).scatter_add(d, index, grad)};
      });
  return {values, indices};
}

Tensor argExtremum(const char *name, bool isMax, const Tensor &x,
                   std::optional<int64_t> dim, bool keepdim) {
  checkDefined(name, x);
  if (!dim) {
    // Over the flattened tensor; keepdim keeps every dim as size 1.
    Tensor flat = x.reshape({-1});
    Tensor index =
        std::get<1>(maxMinWithIndices(name, isMax, flat, 0, /*keepdim=*/false));
    if (keepdim)
      return index.reshape(IntList(x.dim(), 1));
    return index;
  }
  return std::get<1>(maxMinWithIndices(name, isMax, x, *dim, keepdim));
}

/// Product of each row; for backward, also each element's product of the
/// other elements of its row (exact with zeros).
Tensor computeProd(const Tensor &x, const RowsLayout &layout) {
  Tensor matrix = asRows(x, layout);
  bool integral = !x.is_floating_point();
  ScalarType outType = integral ? kInt64 : x.dtype();
  Tensor out = detail::allocate(layout.outShape, outType);
  detail::dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    forEachRow<T>(matrix, [&](int64_t r, const T *row, int64_t stride) {
      if (integral) {
        int64_t product = 1;
        for (int64_t c = 0; c < layout.cols; ++c)
          product *= convertElement<int64_t>(row[c * stride]);
        out.data_ptr<int64_t>()[r] = product;
        return;
      }
      // Accumulates in the dtype's math type, as PyTorch.
      using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;
      Acc product = 1;
      for (int64_t c = 0; c < layout.cols; ++c)
        product *= convertElement<Acc>(row[c * stride]);
      static_cast<T *>(out.data_ptr())[r] = convertElement<T>(product);
    });
  });
  return out;
}

/// For each element of x, the product of the other elements reduced with
/// it (prefix times suffix products), in x's shape and dtype.
Tensor productOfOthers(const Tensor &x, const IntList &reduced) {
  RowsLayout layout = rowsLayout("prod backward", x, reduced, false);
  Tensor matrix = asRows(x, layout).contiguous();
  Tensor others = detail::allocate({layout.rows, layout.cols}, kFloat64);
  Tensor values = detail::convert(matrix, kFloat64);
  const double *in = values.data_ptr<double>();
  double *out = others.data_ptr<double>();
  for (int64_t r = 0; r < layout.rows; ++r) {
    const double *row = in + r * layout.cols;
    double *result = out + r * layout.cols;
    double prefix = 1;
    for (int64_t c = 0; c < layout.cols; ++c) {
      result[c] = prefix;
      prefix *= row[c];
    }
    double suffix = 1;
    for (int64_t c = layout.cols; c-- > 0;) {
      result[c] *= suffix;
      suffix *= row[c];
    }
  }
  IntList permutedShape;
  for (int64_t d : layout.permutation)
    permutedShape.push_back(x.size(d));
  IntList inverse(layout.permutation.size());
  for (size_t i = 0; i < layout.permutation.size(); ++i)
    inverse[layout.permutation[i]] = static_cast<int64_t>(i);
  return detail::convert(
      others.reshape(permutedShape).permute(inverse).contiguous(), x.dtype());
}

Tensor prodImpl(const Tensor &x, const IntList &dims, bool keepdim) {
  checkDefined("prod", x);
  RowsLayout layout = rowsLayout("prod", x, dims, keepdim);
  Tensor out = traced(OpKind::Prod, {x}, reduceAttrs(layout, keepdim),
                      [&] { return computeProd(x, layout); });
  recordGradient(out, "ProdBackward1", {x}, {x},
                 [reduced = layout.reduced, keepdim](const BackwardArgs &g) {
                   const Tensor &in = g.saved[0];
                   Tensor grad = keptDims(g.grad, reduced, keepdim, in.sizes());
                   return Grads{grad * productOfOthers(in, reduced)};
                 });
  return out;
}

Tensor anyAll(const char *name, OpKind kind, bool isAny, const Tensor &x,
              const IntList &dims, bool keepdim) {
  checkDefined(name, x);
  RowsLayout layout = rowsLayout(name, x, dims, keepdim);
  return traced(kind, {x}, reduceAttrs(layout, keepdim), [&] {
    Tensor matrix = asRows(x, layout);
    Tensor out = detail::allocate(layout.outShape, kBool);
    bool *result = out.data_ptr<bool>();
    detail::dispatch(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      forEachRow<T>(matrix, [&](int64_t r, const T *row, int64_t stride) {
        // any looks for a true element, all for a false one.
        bool found = false;
        for (int64_t c = 0; c < layout.cols && !found; ++c)
          found = convertElement<bool>(row[c * stride]) == isAny;
        result[r] = isAny ? found : !found;
      });
    });
    return out;
  });
}

} // namespace

//===----------------------------------------------------------------------===//
// Tensor methods
//===----------------------------------------------------------------------===//

Tensor Tensor::sum() const { return sum({}, false); }
Tensor Tensor::sum(const IntList &dims, bool keepdim) const {
  Tensor out = reduce("sum", OpKind::Sum, Reduction::Sum, *this, dims, keepdim);
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
  Tensor out =
      reduce("mean", OpKind::Mean, Reduction::Mean, *this, dims, keepdim);
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
  Tensor out =
      reduce("amax", OpKind::Max, Reduction::Max, *this, dims, keepdim);
  recordGradient(out, "AmaxBackward0", {*this}, {*this, out},
                 [dims = reducedDims("amax", *this, dims),
                  keepdim](const BackwardArgs &g) {
                   return Grads{extremumBackward(g, dims, keepdim)};
                 });
  return out;
}
Tensor Tensor::amin(const IntList &dims, bool keepdim) const {
  Tensor out =
      reduce("amin", OpKind::Min, Reduction::Min, *this, dims, keepdim);
  recordGradient(out, "AminBackward0", {*this}, {*this, out},
                 [dims = reducedDims("amin", *this, dims),
                  keepdim](const BackwardArgs &g) {
                   return Grads{extremumBackward(g, dims, keepdim)};
                 });
  return out;
}
Tensor Tensor::max() const {
  Tensor out = reduce("max", OpKind::Max, Reduction::Max, *this, {}, false);
  recordGradient(out, "MaxBackward1", {*this}, {*this, out},
                 [dims = reducedDims("max", *this, {})](const BackwardArgs &g) {
                   return Grads{extremumBackward(g, dims, false)};
                 });
  return out;
}
Tensor Tensor::min() const {
  Tensor out = reduce("min", OpKind::Min, Reduction::Min, *this, {}, false);
  recordGradient(out, "MinBackward1", {*this}, {*this, out},
                 [dims = reducedDims("min", *this, {})](const BackwardArgs &g) {
                   return Grads{extremumBackward(g, dims, false)};
                 });
  return out;
}
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return maxMinWithIndices("max", true, *this, dim, keepdim);
}
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  return maxMinWithIndices("min", false, *this, dim, keepdim);
}
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const {
  return argExtremum("argmax", true, *this, dim, keepdim);
}
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const {
  return argExtremum("argmin", false, *this, dim, keepdim);
}

Tensor Tensor::prod() const { return prodImpl(*this, {}, false); }
Tensor Tensor::prod(int64_t dim, bool keepdim) const {
  checkDefined("prod", *this);
  detail::normalizeDim("prod", dim, std::max<int64_t>(1, this->dim()));
  return prodImpl(*this, {dim}, keepdim);
}

Tensor Tensor::var(const IntList &dims, bool unbiased, bool keepdim) const {
  checkDefined("var", *this);
  if (!is_floating_point())
    throw Error(std::string("var: expected a floating tensor, got ") +
                toString(dtype()));
  IntList reduced = reducedDims("var", *this, dims);
  int64_t count = 1;
  for (int64_t d : reduced)
    count *= size(d);
  OpAttrs attrs;
  attrs.dims = reduced;
  attrs.keepdim = keepdim;
  attrs.correction = unbiased ? 1 : 0;
  // sum((x - mean)^2) / (N - 1): NaN for a single element, as PyTorch.
  double divisor = static_cast<double>(count - attrs.correction);
  Tensor out = traced(OpKind::Var, {*this}, attrs, [&] {
    Tensor centered = *this - mean(reduced, /*keepdim=*/true);
    return (centered * centered).sum(reduced, keepdim) / divisor;
  });
  // d var / dx = 2 (x - mean) / (N - correction).
  recordGradient(out, "VarBackward0", {*this}, {*this},
                 [reduced, keepdim, divisor](const BackwardArgs &g) {
                   const Tensor &x = g.saved[0];
                   Tensor centered = x - x.mean(reduced, /*keepdim=*/true);
                   return Grads{centered *
                                (keptDims(g.grad, reduced, keepdim, x.sizes()) *
                                 (2.0 / divisor))};
                 });
  return out;
}
Tensor Tensor::std(const IntList &dims, bool unbiased, bool keepdim) const {
  return var(dims, unbiased, keepdim).sqrt();
}

Tensor Tensor::logsumexp(const IntList &dims, bool keepdim) const {
  checkDefined("logsumexp", *this);
  Tensor x = is_floating_point() ? *this : to(kFloat32);
  IntList reduced = reducedDims("logsumexp", x, dims);
  if (x.numel() == 0)
    return x.exp().sum(reduced, keepdim).log();
  // The maximum is subtracted for stability; an infinite maximum is
  // replaced by 0 (as PyTorch), so all -inf gives -inf, not NaN.
  Tensor maxima = x.amax(reduced, /*keepdim=*/true).detach();
  maxima = where(maxima.abs() == std::numeric_limits<double>::infinity(),
                 zeros_like(maxima), maxima);
  Tensor sums = (x - maxima).exp().sum(reduced, keepdim);
  return sums.log() + (keepdim ? maxima : maxima.reshape(sums.sizes()));
}

Tensor Tensor::any() const {
  return anyAll("any", OpKind::Any, true, *this, {}, false);
}
Tensor Tensor::any(int64_t dim, bool keepdim) const {
  checkDefined("any", *this);
  detail::normalizeDim("any", dim, std::max<int64_t>(1, this->dim()));
  return anyAll("any", OpKind::Any, true, *this, {dim}, keepdim);
}
Tensor Tensor::all() const {
  return anyAll("all", OpKind::All, false, *this, {}, false);
}
Tensor Tensor::all(int64_t dim, bool keepdim) const {
  checkDefined("all", *this);
  detail::normalizeDim("all", dim, std::max<int64_t>(1, this->dim()));
  return anyAll("all", OpKind::All, false, *this, {dim}, keepdim);
}

//===----------------------------------------------------------------------===//
// Free functions
//===----------------------------------------------------------------------===//

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
Tensor logsumexp(const Tensor &x, const IntList &dims, bool keepdim) {
  return x.logsumexp(dims, keepdim);
}

} // namespace nnc
