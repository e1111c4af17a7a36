//===- frontend/Tensor.cpp - Tensor metadata, views and creation ----------===//
//
// Everything about a tensor except its math (TensorOps.cpp) and printing
// (TensorPrint.cpp): storage, geometry, views with libtorch's rules for
// view() vs reshape(), and the creation functions.
//
//===----------------------------------------------------------------------===//
#include "frontend/Tensor.h"

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

using detail::checkFloatTensor;
using detail::normalizeDim;
using detail::traced;

//===----------------------------------------------------------------------===//
// ScalarType and Storage
//===----------------------------------------------------------------------===//

std::size_t elementSize(ScalarType type) {
  switch (type) {
  case ScalarType::Float32:
    return 4;
  case ScalarType::Int64:
    return 8;
  }
  return 0;
}

const char *toString(ScalarType type) {
  switch (type) {
  case ScalarType::Float32:
    return "Float";
  case ScalarType::Int64:
    return "Long";
  }
  return "?";
}

std::ostream &operator<<(std::ostream &os, ScalarType type) {
  return os << toString(type);
}

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
  if (t.dtype() == kInt64)
    kernels::copy(t.sizes(), t.data_ptr<int64_t>(), t.strides(),
                  out.data_ptr<int64_t>(), out.strides());
  else
    kernels::copy(t.sizes(), t.data_ptr<float>(), t.strides(),
                  out.data_ptr<float>(), out.strides());
  return out;
}

void checkFloatTensor(const char *op, const Tensor &t) {
  if (!t.defined())
    throw Error(std::string(op) + ": expected a defined tensor");
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

void *Tensor::rawDataPtr() const {
  const TensorImpl &t = impl("data_ptr");
  return static_cast<char *>(t.storage->data()) +
         t.storageOffset * static_cast<int64_t>(elementSize(t.dtype));
}

void Tensor::checkDataType(ScalarType requested) const {
  const TensorImpl &t = impl("data_ptr");
  if (requested != t.dtype)
    throw Error(std::string("data_ptr: expected a pointer type matching the "
                            "tensor's dtype ") +
                toString(t.dtype) + ", got one for " + toString(requested));
}

void Tensor::checkItem() const {
  if (numel() != 1)
    throw Error("item: a Tensor with " + std::to_string(numel()) +
                " elements cannot be converted to a scalar");
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
  // Without stretching, expand only adds leading 1s: a reshape. Real
  // broadcasting has no traced form yet.
  if (activeTraceHook() && detail::numelOf(sizes) != numel())
    throw Error("expand: broadcasting " + shapeToString(t.sizes) + " to " +
                shapeToString(sizes) + " is not traceable yet");
  Tensor out = traced(OpKind::Reshape, {*this}, shapeAttrs(sizes), [&] {
    return detail::makeView(*this, sizes, strides, t.storageOffset);
  });
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
  // Traceable when it is the identity or swaps exactly two dims.
  IntList moved;
  for (int64_t i = 0; i < rank; ++i)
    if (normalized[i] != i)
      moved.push_back(i);
  bool isSwap = moved.size() == 2 && normalized[moved[0]] == moved[1];
  if (activeTraceHook() && !moved.empty() && !isSwap)
    throw Error("permute: dims " + shapeToString(dims) +
                " are not traceable yet (only the identity or a swap of "
                "two dims)");
  OpAttrs attrs;
  attrs.dims = moved;
  Tensor out = traced(
      moved.empty() ? OpKind::Alias : OpKind::Transpose, {*this}, attrs,
      [&] { return detail::makeView(*this, sizes, strides, t.storageOffset); });
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

/// A fresh dense tensor filled by `fill(data, numel)`, recorded as a
/// Constant.
template <class Fill>
Tensor createConstant(const char *op, const IntList &shape, Fill &&fill) {
  detail::checkShape(op, shape);
  return traced(OpKind::Constant, {}, {}, [&] {
    Tensor out = detail::allocate(shape);
    fill(out.data_ptr<float>(), out.numel());
    return out;
  });
}

/// The generator behind randn: the standard fully specifies
/// std::mt19937_64's output, and the normal samples come from Box-Muller
/// written here, so a seed gives the same tensors everywhere.
struct NormalGenerator {
  std::mutex mutex;
  std::mt19937_64 engine{67280421310721ull}; // PyTorch's default seed

  /// Uniform in (0, 1], from the top 53 bits.
  double uniformOpenZero() {
    return (static_cast<double>(engine() >> 11) + 1.0) * 0x1.0p-53;
  }
  /// Uniform floats in [0, 1), from the top 24 bits (every value exact).
  void fillUniform(float *data, int64_t n) {
    std::lock_guard<std::mutex> lock(mutex);
    for (int64_t i = 0; i < n; ++i)
      data[i] = static_cast<float>(engine() >> 40) * 0x1.0p-24f;
  }
  void fill(float *data, int64_t n) {
    std::lock_guard<std::mutex> lock(mutex);
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    for (int64_t i = 0; i < n; i += 2) {
      double radius = std::sqrt(-2.0 * std::log(uniformOpenZero()));
      double angle = kTwoPi * uniformOpenZero();
      data[i] = static_cast<float>(radius * std::cos(angle));
      if (i + 1 < n)
        data[i + 1] = static_cast<float>(radius * std::sin(angle));
    }
  }
};

NormalGenerator &normalGenerator() {
  static NormalGenerator generator;
  return generator;
}

} // namespace

void manual_seed(uint64_t seed) {
  NormalGenerator &generator = normalGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex);
  generator.engine.seed(seed);
}

Tensor empty(const IntList &shape) {
  detail::checkShape("empty", shape);
  return detail::allocate(shape);
}

Tensor full(const IntList &shape, float value) {
  return createConstant("full", shape, [&](float *data, int64_t n) {
    std::fill(data, data + n, value);
  });
}

Tensor zeros(const IntList &shape) {
  return createConstant("zeros", shape, [](float *data, int64_t n) {
    std::fill(data, data + n, 0.0f);
  });
}

Tensor ones(const IntList &shape) {
  return createConstant("ones", shape, [](float *data, int64_t n) {
    std::fill(data, data + n, 1.0f);
  });
}

Tensor scalar_tensor(float value) {
  return createConstant("scalar_tensor", {},
                        [&](float *data, int64_t) { data[0] = value; });
}

Tensor randn(const IntList &shape) {
  return createConstant("randn", shape, [](float *data, int64_t n) {
    normalGenerator().fill(data, n);
  });
}

Tensor rand(const IntList &shape) {
  return createConstant("rand", shape, [](float *data, int64_t n) {
    normalGenerator().fillUniform(data, n);
  });
}

Tensor tensor(std::vector<float> values, const IntList &shape) {
  detail::checkShape("tensor", shape);
  if (detail::numelOf(shape) != static_cast<int64_t>(values.size()))
    throw Error("tensor: " + std::to_string(values.size()) +
                " values do not fill shape " + shapeToString(shape) + " (" +
                std::to_string(detail::numelOf(shape)) + " elements)");
  return createConstant("tensor", shape, [&](float *data, int64_t n) {
    std::copy(values.begin(), values.begin() + n, data);
  });
}

Tensor tensor(std::vector<float> values) {
  int64_t n = static_cast<int64_t>(values.size());
  return tensor(std::move(values), {n});
}

Tensor int64Tensor(const std::vector<int64_t> &values, const IntList &shape) {
  detail::checkShape("tensor", shape);
  if (detail::numelOf(shape) != static_cast<int64_t>(values.size()))
    throw Error("tensor: " + std::to_string(values.size()) +
                " values do not fill shape " + shapeToString(shape) + " (" +
                std::to_string(detail::numelOf(shape)) + " elements)");
  return traced(OpKind::Constant, {}, {}, [&] {
    Tensor out = detail::allocate(shape, kInt64);
    std::copy(values.begin(), values.end(), out.data_ptr<int64_t>());
    return out;
  });
}

Tensor from_blob(float *data, const IntList &shape) {
  detail::checkShape("from_blob", shape);
  if (!data && detail::numelOf(shape) != 0)
    throw Error("from_blob: data is null");
  return traced(OpKind::Constant, {}, {}, [&] {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = std::make_shared<Storage>(
        data, static_cast<std::size_t>(detail::numelOf(shape)) * sizeof(float),
        nullptr);
    impl->sizes = shape;
    impl->strides = detail::contiguousStrides(shape);
    return Tensor(std::move(impl));
  });
}

} // namespace nnc
