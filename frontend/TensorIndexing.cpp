//===- frontend/TensorIndexing.cpp - Slicing and indexing -----------------===//
//
// Views that pick part of a dim (slice, narrow, select) and copies that
// pick by index tensors (index_select, gather, scatter_add, masked_select,
// indexing with a tensor), with libtorch's bounds and dtype errors. The
// index loops are plain C++ over detail::forEachIndex; index_select is a
// gather with the index broadcast over the other dims.
//
//===----------------------------------------------------------------------===//
#include "frontend/Tensor.h"

#include "frontend/TensorInternal.h"

#include <string>

namespace nnc {

using detail::checkDefined;
using detail::normalizeDim;
using detail::traced;

namespace {

using autograd::BackwardArgs;
using autograd::recordGradient;
using Grads = std::vector<Tensor>;

/// A gradient of `shape` and `dtype` that is `grad` in the part `view`
/// picks and zero elsewhere (the backward of every view op here).
template <class View>
Tensor scatterIntoZeros(const IntList &shape, ScalarType dtype,
                        const Tensor &grad, View &&view) {
  Tensor result = zeros(shape, dtype);
  view(result).copy_(grad);
  return result;
}

void checkIndexTensor(const char *op, const Tensor &index) {
  checkDefined(op, index);
  if (index.dtype() != kInt64 && index.dtype() != kInt32)
    throw Error(std::string(op) + ": Expected dtype int64 for index, got " +
                toString(index.dtype()));
}

/// Element i of an int64 or int32 index tensor's memory.
int64_t indexAt(const Tensor &index, int64_t offset) {
  if (index.dtype() == kInt32)
    return index.data_ptr<int32_t>()[offset];
  return index.data_ptr<int64_t>()[offset];
}

/// `index`'s value made non-negative and checked against `size`.
int64_t checkedIndex(const char *op, int64_t value, int64_t dim, int64_t size) {
  if (value < -size || value >= size)
    throw Error(std::string(op) + ": index " + std::to_string(value) +
                " is out of bounds for dimension " + std::to_string(dim) +
                " with size " + std::to_string(size));
  return value < 0 ? value + size : value;
}

/// Checks gather/scatter's index against self (same rank, no larger
/// outside `dim`).
void checkGatherShapes(const char *op, const Tensor &self, int64_t dim,
                       const Tensor &index) {
  if (index.dim() != self.dim() && !(index.dim() <= 1 && self.dim() <= 1))
    throw Error(std::string(op) +
                ": Index tensor must have the same number of dimensions as "
                "input tensor (got " +
                std::to_string(index.dim()) + " and " +
                std::to_string(self.dim()) + ")");
  for (int64_t d = 0; d < index.dim(); ++d)
    if (d != dim && index.size(d) > self.size(d))
      throw Error(std::string(op) + ": Size does not match at dimension " +
                  std::to_string(d) + " expected index " +
                  shapeToString(index.sizes()) + " to be smaller than self " +
                  shapeToString(self.sizes()) + " apart from dimension " +
                  std::to_string(dim));
}

/// `self`'s strides over index's shape with `dim`'s stride zeroed (the
/// index supplies that coordinate).
IntList stridesWithout(const Tensor &self, int64_t dim, int64_t rank) {
  IntList strides(rank, 0);
  for (int64_t d = 0; d < rank && d < self.dim(); ++d)
    strides[d] = d == dim ? 0 : self.stride(d);
  return strides;
}

/// out[p] = self[p with p[dim] = index[p]] over index's shape.
Tensor computeGather(const char *op, const Tensor &self, int64_t dim,
                     const Tensor &index) {
  Tensor out = detail::allocate(index.sizes(), self.dtype());
  int64_t rank = index.dim();
  int64_t size = self.dim() == 0 ? 1 : self.size(dim);
  int64_t stride = self.dim() == 0 ? 0 : self.stride(dim);
  detail::dispatch(self.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T *in = static_cast<const T *>(self.data_ptr());
    T *o = static_cast<T *>(out.data_ptr());
    detail::forEachIndex<3>(index.sizes(),
                            {index.strides(), stridesWithout(self, dim, rank),
                             detail::contiguousStrides(index.sizes())},
                            [&](const std::array<int64_t, 3> &i) {
                              int64_t at = checkedIndex(
                                  op, indexAt(index, i[0]), dim, size);
                              o[i[2]] = in[i[1] + at * stride];
                            });
  });
  return out;
}

/// self[p with p[dim] = index[p]] += src[p] over index's shape, in place on
/// a fresh copy of self.
Tensor computeScatterAdd(const Tensor &self, int64_t dim, const Tensor &index,
                         const Tensor &src) {
  Tensor out = detail::denseCopy(self);
  int64_t rank = index.dim();
  int64_t size = out.dim() == 0 ? 1 : out.size(dim);
  int64_t stride = out.dim() == 0 ? 0 : out.stride(dim);
  detail::dispatch(self.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T *in = static_cast<const T *>(src.data_ptr());
    T *o = static_cast<T *>(out.data_ptr());
    IntList srcStrides(rank, 0);
    for (int64_t d = 0; d < rank && d < src.dim(); ++d)
      srcStrides[d] = src.stride(d);
    detail::forEachIndex<3>(
        index.sizes(),
        {index.strides(), stridesWithout(out, dim, rank), srcStrides},
        [&](const std::array<int64_t, 3> &i) {
          int64_t at =
              checkedIndex("scatter_add", indexAt(index, i[0]), dim, size);
          T &target = o[i[1] + at * stride];
          if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>)
            target =
                T(static_cast<float>(target) + static_cast<float>(in[i[2]]));
          else
            target = static_cast<T>(target + in[i[2]]);
        });
  });
  return out;
}

/// `index` (1-D) shaped to broadcast along `dim` of `shape`, expanded to
/// it: index_select as a gather.
Tensor indexAlongDim(const Tensor &index, int64_t dim, const IntList &shape) {
  IntList viewShape(shape.size(), 1);
  viewShape[dim] = index.numel();
  return index.reshape(viewShape).expand(shape);
}

} // namespace

//===----------------------------------------------------------------------===//
// Views
//===----------------------------------------------------------------------===//

Tensor Tensor::slice(int64_t dim, std::optional<int64_t> start,
                     std::optional<int64_t> end, int64_t step) const {
  checkDefined("slice", *this);
  if (this->dim() == 0)
    throw Error("slice: slice() cannot be applied to a 0-dim tensor.");
  int64_t d = normalizeDim("slice", dim, this->dim());
  if (step <= 0)
    throw Error("slice: slice step must be positive, got " +
                std::to_string(step));
  // PyTorch's clamping: negative values count from the end, then both
  // ends are clamped into [0, size] with end >= start.
  int64_t size = this->size(d);
  int64_t first = start.value_or(0), last = end.value_or(size);
  if (first < 0)
    first += size;
  if (last < 0)
    last += size;
  first = std::min(std::max<int64_t>(first, 0), size);
  last = std::min(std::max(last, first), size);
  IntList sizes = this->sizes(), strides = this->strides();
  int64_t offset = storage_offset() + first * strides[d];
  sizes[d] = (last - first + step - 1) / step;
  strides[d] *= step;
  OpAttrs attrs;
  attrs.dims = {d};
  attrs.start = first;
  attrs.end = last;
  attrs.step = step;
  Tensor out = traced(OpKind::Slice, {*this}, attrs, [&] {
    return detail::makeView(*this, sizes, strides, offset);
  });
  recordGradient(
      out, "SliceBackward0", {*this}, {},
      [shape = this->sizes(), d, first, last, step](const BackwardArgs &g) {
        return Grads{scatterIntoZeros(
            shape, g.grad.dtype(), g.grad,
            [&](const Tensor &t) { return t.slice(d, first, last, step); })};
      });
  return out;
}

Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  checkDefined("narrow", *this);
  if (this->dim() == 0)
    throw Error("narrow: narrow() cannot be applied to a 0-dim tensor.");
  int64_t d = normalizeDim("narrow", dim, this->dim());
  int64_t size = this->size(d);
  if (start < -size || start > size)
    throw Error("narrow: start out of range (expected to be in range of [" +
                std::to_string(-size) + ", " + std::to_string(size) +
                "], but got " + std::to_string(start) + ")");
  if (start < 0)
    start += size;
  if (length < 0 || start + length > size)
    throw Error("narrow: start (" + std::to_string(start) + ") + length (" +
                std::to_string(length) + ") exceeds dimension size (" +
                std::to_string(size) + ").");
  return slice(d, start, start + length, 1);
}

Tensor Tensor::select(int64_t dim, int64_t index) const {
  checkDefined("select", *this);
  if (this->dim() == 0)
    throw Error("select: select() cannot be applied to a 0-dim tensor.");
  int64_t d = normalizeDim("select", dim, this->dim());
  int64_t size = this->size(d);
  if (index < -size || index >= size)
    throw Error("select: index " + std::to_string(index) +
                " out of range for tensor of size " +
                shapeToString(this->sizes()) + " at dimension " +
                std::to_string(d));
  if (index < 0)
    index += size;
  IntList sizes = this->sizes(), strides = this->strides();
  int64_t offset = storage_offset() + index * strides[d];
  sizes.erase(sizes.begin() + d);
  strides.erase(strides.begin() + d);
  OpAttrs attrs;
  attrs.dims = {d};
  attrs.start = index;
  Tensor out = traced(OpKind::Select, {*this}, attrs, [&] {
    return detail::makeView(*this, sizes, strides, offset);
  });
  recordGradient(out, "SelectBackward0", {*this}, {},
                 [shape = this->sizes(), d, index](const BackwardArgs &g) {
                   return Grads{scatterIntoZeros(
                       shape, g.grad.dtype(), g.grad,
                       [&](const Tensor &t) { return t.select(d, index); })};
                 });
  return out;
}

Tensor Tensor::operator[](int64_t index) const { return select(0, index); }

//===----------------------------------------------------------------------===//
// Indexing by tensors
//===----------------------------------------------------------------------===//

Tensor Tensor::index_select(int64_t dim, const Tensor &index) const {
  checkDefined("index_select", *this);
  checkIndexTensor("index_select", index);
  if (index.dim() > 1)
    throw Error("index_select: Index is supposed to be a vector, got shape " +
                shapeToString(index.sizes()));
  int64_t d =
      normalizeDim("index_select", dim, std::max<int64_t>(1, this->dim()));
  IntList shape = sizes();
  if (shape.empty())
    shape = {1};
  shape[d] = index.numel();
  OpAttrs attrs;
  attrs.dims = {d};
  Tensor out = traced(OpKind::IndexSelect, {*this, index}, attrs, [&] {
    Tensor self = this->dim() == 0 ? reshape({1}) : *this;
    Tensor result =
        computeGather("index_select", self, d, indexAlongDim(index, d, shape));
    return this->dim() == 0 ? result.reshape(index.sizes()) : result;
  });
  recordGradient(
      out, "IndexSelectBackward0", {*this, index}, {index},
      [shape = sizes(), d](const BackwardArgs &g) {
        Tensor grad = g.grad.reshape(shape.empty() ? IntList{g.grad.numel()}
                                                   : g.grad.sizes());
        IntList inShape = shape.empty() ? IntList{1} : shape;
        Tensor result =
            zeros(inShape, grad.dtype())
                .scatter_add(d, indexAlongDim(g.saved[0], d, grad.sizes()),
                             grad);
        return Grads{result.reshape(shape), Tensor()};
      });
  return out;
}

Tensor Tensor::gather(int64_t dim, const Tensor &index) const {
  checkDefined("gather", *this);
  checkIndexTensor("gather", index);
  int64_t d = normalizeDim("gather", dim, std::max<int64_t>(1, this->dim()));
  checkGatherShapes("gather", *this, d, index);
  OpAttrs attrs;
  attrs.dims = {d};
  Tensor out = traced(OpKind::Gather, {*this, index}, attrs,
                      [&] { return computeGather("gather", *this, d, index); });
  recordGradient(
      out, "GatherBackward0", {*this, index}, {index},
      [shape = sizes(), d](const BackwardArgs &g) {
        return Grads{
            zeros(shape, g.grad.dtype()).scatter_add(d, g.saved[0], g.grad),
            Tensor()};
      });
  return out;
}

Tensor Tensor::scatter_add(int64_t dim, const Tensor &index,
                           const Tensor &src) const {
  checkDefined("scatter_add", *this);
  checkDefined("scatter_add", src);
  checkIndexTensor("scatter_add", index);
  if (src.dtype() != dtype())
    throw Error(std::string("scatter_add: Expected self.dtype to be equal to "
                            "src.dtype, got ") +
                toString(dtype()) + " and " + toString(src.dtype()));
  int64_t d =
      normalizeDim("scatter_add", dim, std::max<int64_t>(1, this->dim()));
  checkGatherShapes("scatter_add", *this, d, index);
  for (int64_t k = 0; k < index.dim(); ++k)
    if (k >= src.dim() || index.size(k) > src.size(k))
      throw Error("scatter_add: Expected index " +
                  shapeToString(index.sizes()) + " to be smaller than src " +
                  shapeToString(src.sizes()));
  OpAttrs attrs;
  attrs.dims = {d};
  Tensor out = traced(OpKind::ScatterAdd, {*this, index, src}, attrs,
                      [&] { return computeScatterAdd(*this, d, index, src); });
  recordGradient(out, "ScatterAddBackward0", {*this, index, src}, {index},
                 [d, srcShape = src.sizes()](const BackwardArgs &g) {
                   Grads grads(3);
                   grads[0] = g.grad;
                   if (g.needsGrad[2]) {
                     // The gathered part has index's shape; src may be larger.
                     Tensor picked = g.grad.gather(d, g.saved[0]);
                     grads[2] =
                         picked.sizes() == srcShape
                             ? picked
                             : scatterIntoZeros(
                                   srcShape, picked.dtype(), picked,
                                   [&](const Tensor &t) {
                                     Tensor v = t;
                                     for (int64_t k = 0; k < picked.dim(); ++k)
                                       v = v.narrow(k, 0, picked.size(k));
                                     return v;
                                   });
                   }
                   return grads;
                 });
  return out;
}

Tensor Tensor::masked_select(const Tensor &mask) const {
  checkDefined("masked_select", *this);
  checkDefined("masked_select", mask);
  if (mask.dtype() != kBool)
    throw Error(std::string("masked_select: expected BoolTensor for mask, "
                            "got ") +
                toString(mask.dtype()));
  IntList shape =
      detail::broadcastShapes("masked_select: shapes", sizes(), mask.sizes());
  IntList selfStrides = detail::broadcastStrides(*this, shape);
  IntList maskStrides = detail::broadcastStrides(mask, shape);
  Tensor out = traced(OpKind::MaskedSelect, {*this, mask}, {}, [&] {
    int64_t count = 0;
    const bool *m = mask.data_ptr<bool>();
    detail::forEachIndex<1>(
        shape, {maskStrides},
        [&](const std::array<int64_t, 1> &i) { count += m[i[0]]; });
    Tensor result = detail::allocate({count}, dtype());
    detail::dispatch(dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *in = static_cast<const T *>(data_ptr());
      T *o = static_cast<T *>(result.data_ptr());
      int64_t next = 0;
      detail::forEachIndex<2>(shape, {selfStrides, maskStrides},
                              [&](const std::array<int64_t, 2> &i) {
                                if (m[i[1]])
                                  o[next++] = in[i[0]];
                              });
    });
    return result;
  });
  // The gradient goes back to the selected positions, then is summed over
  // what broadcasting stretched.
  recordGradient(
      out, "MaskedSelectBackward0", {*this, mask}, {mask},
      [shape, selfShape = sizes()](const BackwardArgs &g) {
        const Tensor &m = g.saved[0];
        Tensor grad = g.grad.contiguous();
        Tensor result = zeros(shape, grad.dtype());
        detail::dispatch(grad.dtype(), [&](auto tag) {
          using T = typename decltype(tag)::type;
          const T *in = static_cast<const T *>(grad.data_ptr());
          T *o = static_cast<T *>(result.data_ptr());
          const bool *mp = m.data_ptr<bool>();
          int64_t next = 0;
          detail::forEachIndex<2>(shape,
                                  {detail::broadcastStrides(m, shape),
                                   detail::contiguousStrides(shape)},
                                  [&](const std::array<int64_t, 2> &i) {
                                    if (mp[i[0]])
                                      o[i[1]] = in[next++];
                                  });
        });
        return Grads{autograd::sumToShape(result, selfShape), Tensor()};
      });
  return out;
}

Tensor Tensor::masked_fill(const Tensor &mask, const Scalar &value) const {
  checkDefined("masked_fill", *this);
  checkDefined("masked_fill", mask);
  if (mask.dtype() != kBool)
    throw Error(std::string("masked_fill: masked_fill_ only supports boolean "
                            "masks, but got mask with dtype ") +
                toString(mask.dtype()));
  IntList shape =
      detail::broadcastShapes("masked_fill: shapes", sizes(), mask.sizes());
  if (shape != sizes())
    throw Error("masked_fill: mask of shape " + shapeToString(mask.sizes()) +
                " cannot be broadcast to the tensor's shape " +
                shapeToString(sizes()));
  // The value takes this tensor's dtype, as PyTorch's masked_fill.
  return where(mask, scalar_tensor(value, dtype()), *this);
}

Tensor Tensor::index(const Tensor &indices) const {
  checkDefined("index", *this);
  checkDefined("index", indices);
  if (indices.dtype() == kBool) {
    if (indices.sizes() != sizes())
      throw Error(
          "index: a boolean mask of shape " + shapeToString(indices.sizes()) +
          " must have the indexed tensor's shape " + shapeToString(sizes()));
    return masked_select(indices);
  }
  if (indices.dtype() != kInt64 && indices.dtype() != kInt32)
    throw Error(std::string("index: tensors used as indices must be long, "
                            "int or bool tensors, got ") +
                toString(indices.dtype()));
  if (dim() == 0)
    throw Error("index: cannot index a 0-dim tensor with a tensor");
  IntList shape = indices.sizes();
  shape.insert(shape.end(), sizes().begin() + 1, sizes().end());
  return index_select(0, indices.reshape({-1})).reshape(shape);
}

Tensor Tensor::operator[](const Tensor &indices) const {
  return index(indices);
}

//===----------------------------------------------------------------------===//
// Free functions
//===----------------------------------------------------------------------===//

Tensor index_select(const Tensor &x, int64_t dim, const Tensor &index) {
  return x.index_select(dim, index);
}
Tensor gather(const Tensor &x, int64_t dim, const Tensor &index) {
  return x.gather(dim, index);
}
Tensor scatter_add(const Tensor &x, int64_t dim, const Tensor &index,
                   const Tensor &src) {
  return x.scatter_add(dim, index, src);
}
Tensor masked_select(const Tensor &x, const Tensor &mask) {
  return x.masked_select(mask);
}
Tensor masked_fill(const Tensor &x, const Tensor &mask, const Scalar &value) {
  return x.masked_fill(mask, value);
}

} // namespace nnc
