//===- frontend/Tensor.cpp - Tensor metadata, views and creation ----------===//
//
// Everything about a tensor except its math (TensorOps.cpp) and printing
// (TensorPrint.cpp): storage, geometry, views with libtorch's rules for
// view() vs reshape(), and the creation functions.
//
//===----------------------------------------------------------------------===//
#include "frontend/Tensor.h"
#include "frontend/Random.h"

#include "frontend/TensorInternal.h"
#include "frontend/kernels/Kernels.h"
#include "runtime/Memory.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>

namespace nnc {

using detail::normalizeDim;
using detail::traced;

//===----------------------------------------------------------------------===//
// Storage
//===----------------------------------------------------------------------===//

Storage::Storage(std::size_t nbytes)
    : data_(runtime::allocateAligned(nbytes)), nbytes_(nbytes),
      deleter_(runtime::freeAligned) {}

Storage::Storage(void *data, std::size_t nbytes,
                 std::function<void(void *)> deleter)
    : data_(data), nbytes_(nbytes), deleter_(std::move(deleter)) {}

Storage::~Storage() {
  if (deleter_)
    deleter_(data_);
}

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

std::string shapeToString(const IntList &shape) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

namespace detail {

int64_t numelOf(const IntList &shape) {
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  return n;
}

IntList contiguousStrides(const IntList &shape) {
  IntList strides(shape.size());
  int64_t stride = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= std::max<int64_t>(shape[d], 1);
  }
  return strides;
}

int64_t normalizeDim(const char *op, int64_t dim, int64_t rank) {
  if (dim < -rank || dim >= rank) {
    std::ostringstream os;
    os << op << ": dimension " << dim << " is out of range for a tensor of "
       << rank << " dims (expected to be in range of [" << -rank << ", "
       << rank - 1 << "])";
    throw Error(os.str());
  }
  return dim < 0 ? dim + rank : dim;
}

void checkShape(const char *op, const IntList &shape) {
  for (int64_t s : shape)
    if (s < 0)
      throw Error(std::string(op) + ": negative dimension " +
                  std::to_string(s) + " in shape " + shapeToString(shape));
}

Tensor allocate(const IntList &shape, ScalarType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(
      static_cast<std::size_t>(numelOf(shape)) * elementSize(dtype));
  impl->dtype = dtype;
  impl->sizes = shape;
  impl->strides = contiguousStrides(shape);
  return Tensor(std::move(impl));
}

Tensor makeView(const Tensor &base, IntList sizes, IntList strides,
                int64_t storageOffset) {
  auto impl = std::make_shared<TensorImpl>(*base.unsafeGetTensorImpl());
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->storageOffset = storageOffset;
  // A view is a new tensor for autograd: the viewing op records its own
  // history.
  impl->autograd = nullptr;
  return Tensor(std::move(impl));
}

Tensor denseCopy(const Tensor &t) {
  Tensor out = allocate(t.sizes(), t.dtype());
  kernels::copy(t.dtype(), t.sizes(), t.data_ptr(), t.strides(), out.data_ptr(),
                out.strides());
  return out;
}

void convertInto(const Tensor &src, const Tensor &dst) {
  if (src.dtype() == dst.dtype()) {
    kernels::copy(src.dtype(), src.sizes(), src.data_ptr(), src.strides(),
                  dst.data_ptr(), dst.strides());
    return;
  }
  dispatch(src.dtype(), [&](auto srcTag) {
    using From = typename decltype(srcTag)::type;
    dispatch(dst.dtype(), [&](auto dstTag) {
      using To = typename decltype(dstTag)::type;
      const From *in = static_cast<const From *>(src.data_ptr());
      To *out = static_cast<To *>(dst.data_ptr());
      forEachIndex<2>(src.sizes(), {src.strides(), dst.strides()},
                      [&](const std::array<int64_t, 2> &o) {
                        out[o[1]] = convertElement<To>(in[o[0]]);
                      });
    });
  });
}

Tensor convert(const Tensor &t, ScalarType dtype) {
  if (t.dtype() == dtype)
    return t;
  Tensor out = allocate(t.sizes(), dtype);
  convertInto(t, out);
  return out;
}

void checkDefined(const char *op, const Tensor &t) {
  if (!t.defined())
    throw Error(std::string(op) + ": expected a defined tensor");
}

void checkFloatTensor(const char *op, const Tensor &t) {
  checkDefined(op, t);
  if (t.dtype() != kFloat32)
    throw Error(std::string(op) + ": expected a Float tensor, got " +
                toString(t.dtype()));
}

} // namespace detail

namespace {

/// Resolves one -1 in `shape` against `numel` elements (libtorch's
/// infer_size).
IntList inferSize(const char *op, const IntList &shape, int64_t numel) {
  IntList result = shape;
  int64_t known = 1;
  std::optional<size_t> inferred;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == -1) {
      if (inferred)
        throw Error(std::string(op) + ": shape " + shapeToString(shape) +
                    ": only one dimension can be inferred");
      inferred = d;
    } else if (shape[d] < 0) {
      throw Error(std::string(op) + ": invalid shape dimension " +
                  std::to_string(shape[d]) + " in " + shapeToString(shape));
    } else {
      known *= shape[d];
    }
  }
  bool fits = inferred ? (known != 0 && numel % known == 0) : known == numel;
  if (!fits)
    throw Error(std::string(op) + ": shape " + shapeToString(shape) +
                " is invalid for input of size " + std::to_string(numel));
  if (inferred)
    result[*inferred] = numel / known;
  return result;
}

/// Strides that view (oldSizes, oldStrides) as newSizes without copying,
/// or nothing if the memory layout does not allow it (libtorch's
/// computeStride).
std::optional<IntList> viewStrides(const IntList &oldSizes,
                                   const IntList &oldStrides,
                                   const IntList &newSizes) {
  if (oldSizes.empty())
    return IntList(newSizes.size(), 1);
  int64_t numel = detail::numelOf(oldSizes);
  if (numel == 0)
    return detail::contiguousStrides(newSizes);

  IntList newStrides(newSizes.size());
  int64_t viewD = static_cast<int64_t>(newSizes.size()) - 1;
  int64_t chunkBaseStride = oldStrides.back();
  int64_t tensorNumel = 1, viewNumel = 1;
  for (int64_t tensorD = static_cast<int64_t>(oldSizes.size()) - 1;
       tensorD >= 0; --tensorD) {
    tensorNumel *= oldSizes[tensorD];
    // A chunk ends where the next outer dim is not laid out right after it.
    bool chunkEnds = tensorD == 0 ||
                     (oldSizes[tensorD - 1] != 1 &&
                      oldStrides[tensorD - 1] != tensorNumel * chunkBaseStride);
    if (!chunkEnds)
      continue;
    while (viewD >= 0 && (viewNumel < tensorNumel || newSizes[viewD] == 1)) {
      newStrides[viewD] = viewNumel * chunkBaseStride;
      viewNumel *= newSizes[viewD];
      --viewD;
    }
    if (viewNumel != tensorNumel)
      return std::nullopt;
    if (tensorD > 0) {
      chunkBaseStride = oldStrides[tensorD - 1];
      tensorNumel = 1;
      viewNumel = 1;
    }
  }
  if (viewD != -1)
    return std::nullopt;
  return newStrides;
}

OpAttrs shapeAttrs(const IntList &shape) {
  OpAttrs attrs;
  attrs.shape = shape;
  return attrs;
}

} // namespace

//===----------------------------------------------------------------------===//
// Metadata
//===----------------------------------------------------------------------===//

Tensor::Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

const TensorImpl &Tensor::impl(const char *op) const {
  if (!impl_)
    throw Error(std::string(op) + ": called on an undefined tensor");
  return *impl_;
}

int64_t Tensor::dim() const {
  return static_cast<int64_t>(impl("dim").sizes.size());
}
const IntList &Tensor::sizes() const { return impl("sizes").sizes; }
const IntList &Tensor::strides() const { return impl("strides").strides; }
int64_t Tensor::storage_offset() const {
  return impl("storage_offset").storageOffset;
}
ScalarType Tensor::dtype() const { return impl("dtype").dtype; }
int64_t Tensor::numel() const { return detail::numelOf(impl("numel").sizes); }

int64_t Tensor::size(int64_t d) const {
  return sizes()[normalizeDim("size", d, dim())];
}

int64_t Tensor::stride(int64_t d) const {
  return strides()[normalizeDim("stride", d, dim())];
}

bool Tensor::is_contiguous() const {
  const TensorImpl &t = impl("is_contiguous");
  int64_t expected = 1;
  for (size_t d = t.sizes.size(); d-- > 0;) {
    if (t.sizes[d] == 0)
      return true;
    if (t.sizes[d] == 1)
      continue;
    if (t.strides[d] != expected)
      return false;
    expected *= t.sizes[d];
  }
  return true;
}

bool Tensor::is_same_storage(const Tensor &other) const {
  return impl("is_same_storage").storage ==
         other.impl("is_same_storage").storage;
}

void *Tensor::data_ptr() const {
  const TensorImpl &t = impl("data_ptr");
  return static_cast<char *>(t.storage->data()) +
         t.storageOffset * static_cast<int64_t>(elementSize(t.dtype));
}

int64_t Tensor::element_size() const {
  return static_cast<int64_t>(elementSize(dtype()));
}

bool Tensor::is_floating_point() const { return isFloatingType(dtype()); }

int64_t Tensor::_version() const { return impl("_version").storage->version(); }

void Tensor::checkDataType(ScalarType requested) const {
  const TensorImpl &t = impl("data_ptr");
  if (requested != t.dtype)
    throw Error(std::string("data_ptr: expected a pointer type matching the "
                            "tensor's dtype ") +
                toString(t.dtype) + ", got one for " + toString(requested));
}

void Tensor::throwItemOverflow(const Scalar &value, ScalarType type) {
  std::ostringstream os;
  os << "item: value cannot be converted to type " << toString(type)
     << " without overflow: " << value;
  throw Error(os.str());
}

Scalar Tensor::item() const {
  if (numel() != 1)
    throw Error("item: a Tensor with " + std::to_string(numel()) +
                " elements cannot be converted to a scalar");
  return detail::dispatch(dtype(), [&](auto tag) -> Scalar {
    using T = typename decltype(tag)::type;
    return Scalar(*static_cast<const T *>(data_ptr()));
  });
}

//===----------------------------------------------------------------------===//
// Copies and views
//===----------------------------------------------------------------------===//

namespace {
/// Views and copies pass the gradient through unchanged.
std::vector<Tensor> identityBackward(const autograd::BackwardArgs &args) {
  return {args.grad};
}

/// Records a view op's node: its gradient is the output gradient in the
/// input's shape.
void recordReshapeGradient(const Tensor &out, const char *name,
                           const Tensor &in) {
  autograd::recordGradient(
      out, name, {in}, {},
      [shape = in.sizes()](const autograd::BackwardArgs &a)
          -> std::vector<Tensor> { return {a.grad.reshape(shape)}; });
}
} // namespace

Tensor Tensor::contiguous() const {
  impl("contiguous");
  Tensor out = traced(OpKind::Alias, {*this}, {}, [&] {
    return is_contiguous() ? *this : detail::denseCopy(*this);
  });
  autograd::recordGradient(out, "CloneBackward0", {*this}, {},
                           identityBackward);
  return out;
}

Tensor Tensor::to(ScalarType dtype) const {
  impl("to");
  if (dtype == this->dtype())
    return *this;
  OpAttrs attrs;
  attrs.dtype = dtype;
  Tensor out = traced(OpKind::Cast, {*this}, attrs,
                      [&] { return detail::convert(*this, dtype); });
  // Only floating tensors take part in autograd: the gradient goes back
  // in the input's dtype.
  if (isFloatingType(dtype))
    autograd::recordGradient(
        out, "ToCopyBackward0", {*this}, {},
        [from = this->dtype()](const autograd::BackwardArgs &a)
            -> std::vector<Tensor> { return {a.grad.to(from)}; });
  return out;
}

Tensor Tensor::clone() const {
  impl("clone");
  Tensor out = traced(OpKind::Alias, {*this}, {},
                      [&] { return detail::denseCopy(*this); });
  autograd::recordGradient(out, "CloneBackward0", {*this}, {},
                           identityBackward);
  return out;
}

Tensor Tensor::view(const IntList &shape) const {
  const TensorImpl &t = impl("view");
  IntList resolved = inferSize("view", shape, numel());
  std::optional<IntList> strides = viewStrides(t.sizes, t.strides, resolved);
  if (!strides)
    throw Error("view: size " + shapeToString(shape) +
                " is not compatible with input tensor's size " +
                shapeToString(t.sizes) + " and stride " +
                shapeToString(t.strides) +
                " (at least one dimension spans across two contiguous "
                "subspaces). Use .reshape(...) instead.");
  Tensor out = traced(OpKind::Reshape, {*this}, shapeAttrs(resolved), [&] {
    return detail::makeView(*this, resolved, *strides, t.storageOffset);
  });
  recordReshapeGradient(out, "ViewBackward0", *this);
  return out;
}

Tensor Tensor::reshape(const IntList &shape) const {
  const TensorImpl &t = impl("reshape");
  IntList resolved = inferSize("reshape", shape, numel());
  Tensor out = traced(OpKind::Reshape, {*this}, shapeAttrs(resolved), [&] {
    if (std::optional<IntList> strides =
            viewStrides(t.sizes, t.strides, resolved))
      return detail::makeView(*this, resolved, *strides, t.storageOffset);
    Tensor dense = detail::denseCopy(*this);
    return detail::makeView(dense, resolved,
                            detail::contiguousStrides(resolved), 0);
  });
  recordReshapeGradient(out, "ReshapeAliasBackward0", *this);
  return out;
}

Tensor Tensor::flatten() const { return reshape({-1}); }

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  impl("flatten");
  if (dim() == 0)
    return reshape({1});
  int64_t start = normalizeDim("flatten", start_dim, dim());
  int64_t end = normalizeDim("flatten", end_dim, dim());
  if (start > end)
    throw Error("flatten: flatten() has invalid args: start_dim cannot come "
                "after end_dim");
  IntList shape(sizes().begin(), sizes().begin() + start);
  int64_t merged = 1;
  for (int64_t d = start; d <= end; ++d)
    merged *= size(d);
  shape.push_back(merged);
  shape.insert(shape.end(), sizes().begin() + end + 1, sizes().end());
  return reshape(shape);
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  const TensorImpl &t = impl("transpose");
  int64_t rank = dim();
  int64_t d0 = normalizeDim("transpose", dim0, rank);
  int64_t d1 = normalizeDim("transpose", dim1, rank);
  OpAttrs attrs;
  attrs.dims = {std::min(d0, d1), std::max(d0, d1)};
  // Swapping a dim with itself changes nothing: record no transpose.
  OpKind kind = d0 == d1 ? OpKind::Alias : OpKind::Transpose;
  Tensor out = traced(kind, {*this}, attrs, [&] {
    IntList sizes = t.sizes, strides = t.strides;
    std::swap(sizes[d0], sizes[d1]);
    std::swap(strides[d0], strides[d1]);
    return detail::makeView(*this, sizes, strides, t.storageOffset);
  });
  autograd::recordGradient(
      out, "TransposeBackward0", {*this}, {},
      [d0, d1](const autograd::BackwardArgs &a) -> std::vector<Tensor> {
        return {a.grad.transpose(d0, d1)};
      });
  return out;
}

Tensor Tensor::t() const {
  const TensorImpl &self = impl("t");
  if (dim() > 2)
    throw Error("t: expects a tensor with <= 2 dimensions, but self is " +
                std::to_string(dim()) + "D");
  if (dim() == 2)
    return transpose(0, 1);
  Tensor out = traced(OpKind::Alias, {*this}, {}, [&] {
    return detail::makeView(*this, self.sizes, self.strides,
                            self.storageOffset);
  });
  autograd::recordGradient(out, "TBackward0", {*this}, {}, identityBackward);
  return out;
}

Tensor Tensor::unsqueeze(int64_t dim) const {
  const TensorImpl &t = impl("unsqueeze");
  int64_t d = normalizeDim("unsqueeze", dim, this->dim() + 1);
  IntList sizes = t.sizes, strides = t.strides;
  int64_t newStride =
      d < this->dim() ? sizes[d] * strides[d] : 1; // any value is valid
  sizes.insert(sizes.begin() + d, 1);
  strides.insert(strides.begin() + d, newStride);
  Tensor out = traced(OpKind::Reshape, {*this}, shapeAttrs(sizes), [&] {
    return detail::makeView(*this, sizes, strides, t.storageOffset);
  });
  recordReshapeGradient(out, "UnsqueezeBackward0", *this);
  return out;
}

Tensor Tensor::squeeze(int64_t dim) const {
  const TensorImpl &t = impl("squeeze");
  IntList sizes = t.sizes, strides = t.strides;
  // A 0-d tensor accepts dim 0 / -1, as in PyTorch.
  if (this->dim() > 0) {
    int64_t d = normalizeDim("squeeze", dim, this->dim());
    if (sizes[d] == 1) {
      sizes.erase(sizes.begin() + d);
      strides.erase(strides.begin() + d);
    }
  } else {
    normalizeDim("squeeze", dim, 1);
  }
  Tensor out = traced(OpKind::Reshape, {*this}, shapeAttrs(sizes), [&] {
    return detail::makeView(*this, sizes, strides, t.storageOffset);
  });
  recordReshapeGradient(out, "SqueezeBackward1", *this);
  return out;
}

Tensor Tensor::squeeze() const {
  const TensorImpl &t = impl("squeeze");
  IntList sizes, strides;
  for (size_t d = 0; d < t.sizes.size(); ++d) {
    if (t.sizes[d] == 1)
      continue;
    sizes.push_back(t.sizes[d]);
    strides.push_back(t.strides[d]);
  }
  Tensor out = traced(OpKind::Reshape, {*this}, shapeAttrs(sizes), [&] {
    return detail::makeView(*this, sizes, strides, t.storageOffset);
  });
  recordReshapeGradient(out, "SqueezeBackward0", *this);
  return out;
}

Tensor Tensor::expand(const IntList &shape) const {
  const TensorImpl &t = impl("expand");
  int64_t rank = dim(), newRank = static_cast<int64_t>(shape.size());
  if (newRank < rank)
    throw Error("expand: the number of sizes provided (" +
                std::to_string(newRank) +
                ") must be greater or equal to the number of dimensions in "
                "the tensor (" +
                std::to_string(rank) + ")");
  IntList sizes(newRank), strides(newRank);
  for (int64_t d = newRank - 1; d >= 0; --d) {
    int64_t offset = newRank - 1 - d;
    int64_t oldD = rank - 1 - offset;
    int64_t oldSize = oldD >= 0 ? t.sizes[oldD] : 1;
    int64_t oldStride = oldD >= 0 ? t.strides[oldD] : 0;
    int64_t want = shape[d];
    if (want == -1) {
      if (oldD < 0)
        throw Error("expand: -1 is not allowed for the new leading dim " +
                    std::to_string(d) + " in " + shapeToString(shape));
      want = oldSize;
    }
    if (want < 0)
      throw Error("expand: invalid size " + std::to_string(want) + " in " +
                  shapeToString(shape));
    if (oldSize == want) {
      sizes[d] = want;
      strides[d] = oldStride;
    } else if (oldSize == 1) {
      sizes[d] = want;
      strides[d] = 0;
    } else {
      throw Error("expand: the expanded size of the tensor (" +
                  std::to_string(want) + ") must match the existing size (" +
                  std::to_string(oldSize) + ") at non-singleton dimension " +
                  std::to_string(d) +
                  ".  Target sizes: " + shapeToString(shape) +
                  ".  Tensor sizes: " + shapeToString(t.sizes));
    }
  }
  // Without stretching, expand only adds leading 1s: a reshape.
  bool stretches = detail::numelOf(sizes) != numel();
  Tensor out = traced(
      stretches ? OpKind::Expand : OpKind::Reshape, {*this}, shapeAttrs(sizes),
      [&] { return detail::makeView(*this, sizes, strides, t.storageOffset); });
  autograd::recordGradient(out, "ExpandBackward0", {*this}, {},
                           [shape = t.sizes](const autograd::BackwardArgs &a)
                               -> std::vector<Tensor> {
                             return {autograd::sumToShape(a.grad, shape)};
                           });
  return out;
}

Tensor Tensor::permute(const IntList &dims) const {
  const TensorImpl &t = impl("permute");
  int64_t rank = dim();
  if (static_cast<int64_t>(dims.size()) != rank)
    throw Error("permute: number of dims in " + shapeToString(dims) +
                " does not match the tensor's " + std::to_string(rank) +
                " dims");
  IntList normalized(rank), sizes(rank), strides(rank);
  std::vector<bool> seen(rank, false);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = normalizeDim("permute", dims[i], rank);
    if (seen[d])
      throw Error("permute: dim " + std::to_string(d) + " repeats in " +
                  shapeToString(dims));
    seen[d] = true;
    normalized[i] = d;
    sizes[i] = t.sizes[d];
    strides[i] = t.strides[d];
  }
  // Recorded as the identity, a swap of two dims or a general permutation.
  IntList moved;
  for (int64_t i = 0; i < rank; ++i)
    if (normalized[i] != i)
      moved.push_back(i);
  bool isSwap = moved.size() == 2 && normalized[moved[0]] == moved[1];
  OpAttrs attrs;
  attrs.dims = isSwap ? moved : normalized;
  OpKind kind = moved.empty() ? OpKind::Alias
                : isSwap      ? OpKind::Transpose
                              : OpKind::Permute;
  Tensor out = traced(kind, {*this}, attrs, [&] {
    return detail::makeView(*this, sizes, strides, t.storageOffset);
  });
  IntList inverse(rank);
  for (int64_t i = 0; i < rank; ++i)
    inverse[normalized[i]] = i;
  autograd::recordGradient(
      out, "PermuteBackward0", {*this}, {},
      [inverse](const autograd::BackwardArgs &a) -> std::vector<Tensor> {
        return {a.grad.permute(inverse)};
      });
  return out;
}

//===----------------------------------------------------------------------===//
// Creation
//===----------------------------------------------------------------------===//

namespace {

/// A fresh dense tensor of floating `dtype` whose values `fill(data,
/// numel)` writes (data is float* or double*; 16-bit floats are filled as
/// float, then rounded), recorded as a Constant.
template <class Fill>
Tensor createConstant(const char *op, const IntList &shape, ScalarType dtype,
                      Fill &&fill) {
  detail::checkShape(op, shape);
  return traced(OpKind::Constant, {}, {}, [&] {
    Tensor out = detail::allocate(shape, dtype);
    if (dtype == kFloat64) {
      fill(out.data_ptr<double>(), out.numel());
      return out;
    }
    Tensor values = dtype == kFloat32 ? out : detail::allocate(shape, kFloat32);
    fill(values.data_ptr<float>(), values.numel());
    if (dtype != kFloat32)
      detail::convertInto(values, out);
    return out;
  });
}

/// A fresh dense tensor of `dtype` whose element i is `value(i)` (a
/// Scalar, converted), recorded as a Constant.
template <class Value>
Tensor createFromIndex(const char *op, const IntList &shape, ScalarType dtype,
                       Value &&value) {
  detail::checkShape(op, shape);
  return traced(OpKind::Constant, {}, {}, [&] {
    Tensor out = detail::allocate(shape, dtype);
    detail::dispatch(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T *data = out.data_ptr<T>();
      for (int64_t i = 0, n = out.numel(); i < n; ++i)
        data[i] = value(i).template to<T>();
    });
    return out;
  });
}

/// The generator behind randn, rand, randint and randperm: the standard
/// fully specifies std::mt19937_64's output, and the samples come from
/// formulas written here (Box-Muller, top bits, Fisher-Yates), so a seed
/// gives the same tensors everywhere.
struct RandomGenerator {
  std::mutex mutex;
  std::mt19937_64 engine{67280421310721ull}; // PyTorch's default seed

  /// Uniform in (0, 1], from the top 53 bits.
  double uniformOpenZero() {
    return (static_cast<double>(engine() >> 11) + 1.0) * 0x1.0p-53;
  }
  /// Uniform values in [0, 1) from the top 24 (float) or 53 (double) bits,
  /// so every value is exact.
  void fillUniform(float *data, int64_t n) {
    std::lock_guard<std::mutex> lock(mutex);
    for (int64_t i = 0; i < n; ++i)
      data[i] = static_cast<float>(engine() >> 40) * 0x1.0p-24f;
  }
  void fillUniform(double *data, int64_t n) {
    std::lock_guard<std::mutex> lock(mutex);
    for (int64_t i = 0; i < n; ++i)
      data[i] = static_cast<double>(engine() >> 11) * 0x1.0p-53;
  }
  template <class T> void fillNormal(T *data, int64_t n) {
    std::lock_guard<std::mutex> lock(mutex);
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    for (int64_t i = 0; i < n; i += 2) {
      double radius = std::sqrt(-2.0 * std::log(uniformOpenZero()));
      double angle = kTwoPi * uniformOpenZero();
      data[i] = static_cast<T>(radius * std::cos(angle));
      if (i + 1 < n)
        data[i + 1] = static_cast<T>(radius * std::sin(angle));
    }
  }
  /// Uniform in [0, range), without modulo bias (rejection).
  uint64_t below(uint64_t range) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    uint64_t draw;
    do
      draw = engine();
    while (draw >= limit);
    return draw % range;
  }
};

RandomGenerator &randomGenerator() {
  static RandomGenerator generator;
  return generator;
}

void checkValueCount(const IntList &shape, size_t count) {
  detail::checkShape("tensor", shape);
  if (detail::numelOf(shape) != static_cast<int64_t>(count))
    throw Error("tensor: " + std::to_string(count) +
                " values do not fill shape " + shapeToString(shape) + " (" +
                std::to_string(detail::numelOf(shape)) + " elements)");
}

} // namespace

void manual_seed(uint64_t seed) {
  RandomGenerator &generator = randomGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex);
  generator.engine.seed(seed);
  detail::seedCounterGenerator(seed);
}

Tensor empty(const IntList &shape, ScalarType dtype) {
  detail::checkShape("empty", shape);
  return detail::allocate(shape, dtype);
}

Tensor full(const IntList &shape, const Scalar &value,
            std::optional<ScalarType> dtype) {
  ScalarType type =
      dtype.value_or(value.isFloatingPoint() ? kFloat32 : value.type());
  detail::checkShape("full", shape);
  return traced(OpKind::Constant, {}, {}, [&] {
    Tensor out = detail::allocate(shape, type);
    detail::dispatch(type, [&](auto tag) {
      using T = typename decltype(tag)::type;
      std::fill_n(out.data_ptr<T>(), out.numel(), value.to<T>());
    });
    return out;
  });
}

Tensor zeros(const IntList &shape, ScalarType dtype) {
  return full(shape, 0, dtype);
}

Tensor ones(const IntList &shape, ScalarType dtype) {
  return full(shape, 1, dtype);
}

Tensor empty_like(const Tensor &like, std::optional<ScalarType> dtype) {
  return empty(like.sizes(), dtype.value_or(like.dtype()));
}
Tensor zeros_like(const Tensor &like, std::optional<ScalarType> dtype) {
  return zeros(like.sizes(), dtype.value_or(like.dtype()));
}
Tensor ones_like(const Tensor &like, std::optional<ScalarType> dtype) {
  return ones(like.sizes(), dtype.value_or(like.dtype()));
}
Tensor full_like(const Tensor &like, const Scalar &value,
                 std::optional<ScalarType> dtype) {
  return full(like.sizes(), value, dtype.value_or(like.dtype()));
}

Tensor scalar_tensor(const Scalar &value, ScalarType dtype) {
  return full({}, value, dtype);
}

Tensor arange(const Scalar &end, std::optional<ScalarType> dtype) {
  return arange(0, end, 1, dtype);
}

Tensor arange(const Scalar &start, const Scalar &end, const Scalar &step,
              std::optional<ScalarType> dtype) {
  bool integral =
      start.isIntegral(true) && end.isIntegral(true) && step.isIntegral(true);
  ScalarType type = dtype.value_or(integral ? kInt64 : kFloat32);
  double first = start.toDouble(), last = end.toDouble(),
         increment = step.toDouble();
  if (increment == 0)
    throw Error("arange: step must be nonzero");
  if ((increment > 0 && last < first) || (increment < 0 && last > first))
    throw Error("arange: upper bound and larger bound inconsistent with "
                "step sign");
  int64_t count =
      integral ? (end.toLong() - start.toLong() + step.toLong() -
                  (step.toLong() > 0 ? 1 : -1)) /
                     step.toLong()
               : static_cast<int64_t>(std::ceil((last - first) / increment));
  return createFromIndex("arange", {count}, type, [&](int64_t i) {
    if (integral)
      return Scalar(start.toLong() + i * step.toLong());
    return Scalar(first + static_cast<double>(i) * increment);
  });
}

Tensor linspace(const Scalar &start, const Scalar &end, int64_t steps,
                ScalarType dtype) {
  if (steps < 0)
    throw Error("linspace: number of steps must be non-negative, got " +
                std::to_string(steps));
  double first = start.toDouble(), last = end.toDouble();
  double step = steps > 1 ? (last - first) / static_cast<double>(steps - 1) : 0;
  // As PyTorch: the first half counts up from start, the second half down
  // from end, so both ends are exact (one step is just start).
  int64_t half = steps == 1 ? 1 : steps / 2;
  return createFromIndex("linspace", {steps}, dtype, [&](int64_t i) {
    return Scalar(i < half ? first + step * static_cast<double>(i)
                           : last - step * static_cast<double>(steps - i - 1));
  });
}

Tensor eye(int64_t n, std::optional<int64_t> m, ScalarType dtype) {
  int64_t cols = m.value_or(n);
  if (n < 0 || cols < 0)
    throw Error("eye: n and m must be non-negative, got " + std::to_string(n) +
                " and " + std::to_string(cols));
  return createFromIndex("eye", {n, cols}, dtype, [&](int64_t i) {
    return Scalar(i / cols == i % cols ? 1 : 0);
  });
}

Tensor randn(const IntList &shape, ScalarType dtype) {
  if (!isFloatingType(dtype))
    throw Error(std::string("randn: expected a floating dtype, got ") +
                toString(dtype));
  return createConstant("randn", shape, dtype, [](auto *data, int64_t n) {
    randomGenerator().fillNormal(data, n);
  });
}

Tensor rand(const IntList &shape, ScalarType dtype) {
  if (!isFloatingType(dtype))
    throw Error(std::string("rand: expected a floating dtype, got ") +
                toString(dtype));
  return createConstant("rand", shape, dtype, [](auto *data, int64_t n) {
    randomGenerator().fillUniform(data, n);
  });
}

Tensor randint(int64_t low, int64_t high, const IntList &shape,
               ScalarType dtype) {
  if (low >= high)
    throw Error("randint: random_ expects 'from' to be less than 'to', but "
                "got from=" +
                std::to_string(low) + " >= to=" + std::to_string(high));
  RandomGenerator &generator = randomGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex);
  uint64_t range = static_cast<uint64_t>(high - low);
  return createFromIndex("randint", shape, dtype, [&](int64_t) {
    return Scalar(low + static_cast<int64_t>(generator.below(range)));
  });
}

Tensor randint(int64_t high, const IntList &shape, ScalarType dtype) {
  return randint(0, high, shape, dtype);
}

Tensor randperm(int64_t n, ScalarType dtype) {
  if (n < 0)
    throw Error("randperm: n must be non-negative, got " + std::to_string(n));
  std::vector<int64_t> permutation(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    permutation[i] = i;
  {
    RandomGenerator &generator = randomGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex);
    for (int64_t i = n - 1; i > 0; --i)
      std::swap(permutation[i],
                permutation[generator.below(static_cast<uint64_t>(i + 1))]);
  }
  return createFromIndex("randperm", {n}, dtype,
                         [&](int64_t i) { return Scalar(permutation[i]); });
}

Tensor tensor(std::vector<float> values, const IntList &shape) {
  checkValueCount(shape, values.size());
  return createConstant("tensor", shape, kFloat32, [&](auto *data, int64_t n) {
    std::copy(values.begin(), values.begin() + n, data);
  });
}

Tensor tensor(std::vector<float> values) {
  int64_t n = static_cast<int64_t>(values.size());
  return tensor(std::move(values), {n});
}

Tensor tensor(const std::vector<double> &values, const IntList &shape,
              ScalarType dtype) {
  checkValueCount(shape, values.size());
  return createFromIndex("tensor", shape, dtype,
                         [&](int64_t i) { return Scalar(values[i]); });
}

Tensor int64Tensor(const std::vector<int64_t> &values, const IntList &shape) {
  checkValueCount(shape, values.size());
  return createFromIndex("tensor", shape, kInt64,
                         [&](int64_t i) { return Scalar(values[i]); });
}

Tensor from_blob(float *data, const IntList &shape) {
  return from_blob(data, shape, kFloat32);
}

Tensor from_blob(void *data, const IntList &shape, ScalarType dtype) {
  detail::checkShape("from_blob", shape);
  if (!data && detail::numelOf(shape) != 0)
    throw Error("from_blob: data is null");
  return traced(OpKind::Constant, {}, {}, [&] {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = std::make_shared<Storage>(
        data,
        static_cast<std::size_t>(detail::numelOf(shape)) * elementSize(dtype),
        nullptr);
    impl->dtype = dtype;
    impl->sizes = shape;
    impl->strides = detail::contiguousStrides(shape);
    return Tensor(std::move(impl));
  });
}

} // namespace nnc
