//===- frontend/Tensor.h - The eager tensor ---------------------*- C++ -*-===//
//
// nnc::Tensor has libtorch's shape: a cheap, shared handle to a strided view
// of shared storage, with libtorch's method names and semantics. Ops run
// ahead-of-time compiled Halide kernels (frontend/kernels/) and, while a
// trace is active, also tell the TraceHook what they did.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_TENSOR_H
#define NNC_FRONTEND_TENSOR_H

#include "frontend/Error.h"
#include "frontend/TensorImpl.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace nnc {

namespace autograd {
class Node;
} // namespace autograd

/// Shapes, strides and dim lists, as libtorch's IntArrayRef (braced lists
/// convert: `nnc::zeros({2, 3})`).
using IntList = std::vector<int64_t>;

class Tensor {
public:
  /// An undefined tensor (defined() is false); most methods throw on it.
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl);

  //===--------------------------------------------------------------------===//
  // Metadata
  //===--------------------------------------------------------------------===//

  bool defined() const { return impl_ != nullptr; }
  int64_t dim() const;
  const IntList &sizes() const;
  /// Size of dim `d`; negative d counts from the end.
  int64_t size(int64_t d) const;
  /// Strides in elements.
  const IntList &strides() const;
  int64_t stride(int64_t d) const;
  int64_t storage_offset() const;
  int64_t numel() const;
  ScalarType dtype() const;
  ScalarType scalar_type() const { return dtype(); }
  /// Bytes per element.
  int64_t element_size() const;
  bool is_floating_point() const;
  /// Row-major with no gaps (size-1 dims' strides are ignored, as in
  /// libtorch).
  bool is_contiguous() const;
  /// Whether both tensors view the same storage.
  bool is_same_storage(const Tensor &other) const;

  /// The first element (storage offset applied). T must match dtype():
  /// float, double, nnc::Half, nnc::BFloat16, int64_t, int32_t, uint8_t or
  /// bool.
  template <class T> T *data_ptr() const {
    checkDataType(scalarTypeOf<std::remove_const_t<T>>());
    return static_cast<T *>(data_ptr());
  }
  /// The first element, untyped.
  void *data_ptr() const;
  /// The single element of a one-element tensor, as libtorch's item().
  Scalar item() const;
  /// The single element converted to T, as libtorch's item<T>(): throws
  /// if T cannot hold it.
  template <class T> T item() const {
    Scalar value = item();
    if (!value.fits<T>())
      throwItemOverflow(value, scalarTypeOf<T>());
    return value.to<T>();
  }

  /// PyTorch's version counter of this tensor's storage: how many in-place
  /// writes it has seen.
  int64_t _version() const;
  /// A copy converted to `dtype` (this tensor when it already has it), as
  /// PyTorch's to(dtype).
  Tensor to(ScalarType dtype) const;

  /// Identity of this tensor for the tracer (stable for the tensor's life).
  TensorImpl *unsafeGetTensorImpl() const { return impl_.get(); }

  //===--------------------------------------------------------------------===//
  // Autograd (frontend/Autograd.h)
  //===--------------------------------------------------------------------===//

  /// Makes this leaf (not) require grad; only float tensors can. Throws
  /// on a non-leaf, as PyTorch does.
  const Tensor &requires_grad_(bool requires_grad = true) const;
  /// Whether gradients flow to this tensor (a leaf that requires grad, or
  /// the output of an op on one while grad mode was on).
  bool requires_grad() const;
  /// The gradient accumulated by backward(); undefined until then (and
  /// after zero_grad with set_to_none).
  const Tensor &grad() const;
  /// The .grad() slot itself, to assign or reset (`t.mutable_grad() = g`).
  Tensor &mutable_grad() const;
  /// Sets .grad() to `grad` (undefined, or a float tensor of this shape).
  void set_grad(const Tensor &grad) const;
  /// Computes the gradient of this tensor w.r.t. the graph leaves and adds
  /// it into their .grad(). Without `gradient` the tensor must have one
  /// element. The graph's saved tensors are freed unless retain_graph
  /// (default: create_graph, which is not supported yet).
  void backward(const Tensor &gradient = {},
                std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  /// A new tensor sharing this one's storage, outside any graph.
  Tensor detach() const;
  /// True unless made by an op that recorded history.
  bool is_leaf() const;
  /// The node that made this tensor (null for leaves).
  const std::shared_ptr<autograd::Node> &grad_fn() const;

  //===--------------------------------------------------------------------===//
  // Views and copies
  //===--------------------------------------------------------------------===//

  /// This tensor if contiguous, else a dense copy.
  Tensor contiguous() const;
  /// A dense copy.
  Tensor clone() const;
  /// A view with `shape` (one -1 inferred); throws if the strides do not
  /// allow it (use reshape).
  Tensor view(const IntList &shape) const;
  /// A view when the strides allow it, otherwise a copy.
  Tensor reshape(const IntList &shape) const;
  /// reshape({-1}).
  Tensor flatten() const;
  /// Merges dims start_dim..end_dim into one (torch.flatten); a 0-d
  /// tensor becomes 1-D.
  Tensor flatten(int64_t start_dim, int64_t end_dim = -1) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  /// transpose(0, 1) for 2-D; 0-D and 1-D tensors are returned as they are.
  Tensor t() const;
  Tensor unsqueeze(int64_t dim) const;
  /// Removes `dim` if its size is 1 (otherwise a view with the same shape).
  Tensor squeeze(int64_t dim) const;
  /// Removes every size-1 dim.
  Tensor squeeze() const;
  /// Broadcasts size-1 dims to `shape` (stride 0); -1 keeps a size; new
  /// leading dims may be added.
  Tensor expand(const IntList &shape) const;
  Tensor permute(const IntList &dims) const;
  /// Elements start, start + step, ... below end of dim `dim`, as a view
  /// (libtorch's slice; start/end clamp to the dim and may be negative).
  Tensor slice(int64_t dim = 0, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt,
               int64_t step = 1) const;
  /// slice(dim, start, start + length) with bounds checked.
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  /// The view at `index` of dim `dim`, which is removed.
  Tensor select(int64_t dim, int64_t index) const;
  /// select(0, index).
  Tensor operator[](int64_t index) const;
  /// Indexing by a tensor: int64/int32 indices pick along dim 0 (the result
  /// has shape index.sizes() + sizes()[1:]); a bool mask selects elements
  /// like masked_select.
  Tensor index(const Tensor &indices) const;
  Tensor operator[](const Tensor &indices) const;
  /// The entries `index` (1-D, int64 or int32) of dim `dim`, copied.
  Tensor index_select(int64_t dim, const Tensor &index) const;
  /// out[i][j] = self[i][index[i][j]] for dim 1 (and so on): torch.gather.
  Tensor gather(int64_t dim, const Tensor &index) const;
  /// A copy of self with src[i][j] added at [i][index[i][j]] for dim 1
  /// (and so on): torch.scatter_add.
  Tensor scatter_add(int64_t dim, const Tensor &index, const Tensor &src) const;
  /// The elements where `mask` (bool, broadcast with self) is true, 1-D.
  Tensor masked_select(const Tensor &mask) const;
  /// Self with `value` where `mask` (bool, broadcastable to self) is true.
  Tensor masked_fill(const Tensor &mask, const Scalar &value) const;
  /// torch.split: pieces of `split_size` along `dim` (the last may be
  /// smaller), as views.
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  /// torch.split with a list of sizes (they must sum to the dim's size).
  std::vector<Tensor> split(const IntList &split_sizes, int64_t dim = 0) const;
  /// torch.chunk: `chunks` views of ceil(size / chunks) along `dim`.
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;

  //===--------------------------------------------------------------------===//
  // Math (broadcasting as in PyTorch)
  //===--------------------------------------------------------------------===//

  // Operands of different dtypes are promoted as torch.result_type says;
  // div always divides truly (integers give Float).
  Tensor add(const Tensor &other) const;
  Tensor add(const Scalar &other) const;
  Tensor sub(const Tensor &other) const;
  Tensor sub(const Scalar &other) const;
  Tensor mul(const Tensor &other) const;
  Tensor mul(const Scalar &other) const;
  Tensor div(const Tensor &other) const;
  Tensor div(const Scalar &other) const;
  Tensor neg() const;
  Tensor abs() const;
  /// -1, 0 or 1 (NaN stays NaN; bool stays bool).
  Tensor sign() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  /// torch.matmul: dot, matrix-vector, matrix-matrix and batched.
  Tensor matmul(const Tensor &other) const;
  /// Batched matrix product of [B, N, M] and [B, M, P] tensors.
  Tensor bmm(const Tensor &other) const;

  // Comparisons give Bool tensors (operands promoted first).
  Tensor eq(const Tensor &other) const;
  Tensor eq(const Scalar &other) const;
  Tensor ne(const Tensor &other) const;
  Tensor ne(const Scalar &other) const;
  Tensor lt(const Tensor &other) const;
  Tensor lt(const Scalar &other) const;
  Tensor le(const Tensor &other) const;
  Tensor le(const Scalar &other) const;
  Tensor gt(const Tensor &other) const;
  Tensor gt(const Scalar &other) const;
  Tensor ge(const Tensor &other) const;
  Tensor ge(const Scalar &other) const;

  /// Elements below min become min, above max become max (either bound
  /// may be absent; NaN stays NaN).
  Tensor clamp(std::optional<Scalar> min,
               std::optional<Scalar> max = std::nullopt) const;
  Tensor clamp_min(const Scalar &min) const;
  Tensor clamp_max(const Scalar &max) const;

  /// Sum of all elements (0-d).
  Tensor sum() const;
  /// Sum over `dims` (negative allowed; an empty list means all dims).
  Tensor sum(const IntList &dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const IntList &dims, bool keepdim = false) const;
  /// Maximum over `dims` (an empty list means all dims).
  Tensor amax(const IntList &dims, bool keepdim = false) const;
  /// Maximum of all elements (0-d).
  Tensor max() const;
  /// Minimum over `dims` (an empty list means all dims).
  Tensor amin(const IntList &dims, bool keepdim = false) const;
  /// Minimum of all elements (0-d).
  Tensor min() const;
  /// (values, indices) of the maximum along `dim` (the first index of the
  /// maximum; NaN counts as the maximum).
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  /// Index of the maximum along `dim`, or in the flattened tensor.
  Tensor argmax(std::optional<int64_t> dim = std::nullopt,
                bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt,
                bool keepdim = false) const;
  /// Product of all elements (0-d); integers give Long.
  Tensor prod() const;
  Tensor prod(int64_t dim, bool keepdim = false) const;
  /// Variance over `dims` (an empty list means all dims), with Bessel's
  /// correction when `unbiased` (PyTorch 1.13's default).
  Tensor var(const IntList &dims = {}, bool unbiased = true,
             bool keepdim = false) const;
  /// var over all dims. A template, so that a braced dim list (`var({1})`)
  /// never converts to this bool.
  template <class Bool, std::enable_if_t<std::is_same_v<Bool, bool>, int> = 0>
  Tensor var(Bool unbiased) const {
    return var(IntList{}, unbiased);
  }
  Tensor std(const IntList &dims = {}, bool unbiased = true,
             bool keepdim = false) const;
  template <class Bool, std::enable_if_t<std::is_same_v<Bool, bool>, int> = 0>
  Tensor std(Bool unbiased) const {
    return std(IntList{}, unbiased);
  }
  /// log(sum(exp(x))) over `dims`, computed stably.
  Tensor logsumexp(const IntList &dims, bool keepdim = false) const;
  /// Whether any / all elements are nonzero (Bool; over `dim` if given).
  Tensor any() const;
  Tensor any(int64_t dim, bool keepdim = false) const;
  Tensor all() const;
  Tensor all(int64_t dim, bool keepdim = false) const;

  /// Elementwise power with a scalar exponent (torch.pow(x, float)).
  Tensor pow(const Scalar &exponent) const;
  /// Elementwise power with a tensor exponent (broadcast, promoted).
  Tensor pow(const Tensor &exponent) const;
  Tensor sqrt() const;
  /// The Gauss error function, elementwise (integers compute in Float).
  Tensor erf() const;
  /// exp(x) / sum(exp(x)) along `dim`, computed stably (max subtracted).
  Tensor softmax(int64_t dim) const;
  /// x - log(sum(exp(x))) along `dim`, computed stably.
  Tensor log_softmax(int64_t dim) const;

  //===--------------------------------------------------------------------===//
  // In-place ops (libtorch's signatures: const methods returning *this).
  // `other` broadcasts to this tensor's shape; the result converts to this
  // tensor's dtype (a floating result into an integer tensor is an error).
  // Each bumps the storage's _version(). Under grad mode they record
  // history as PyTorch does, except on leaves that require grad (PyTorch's
  // error) and on views with history or tensors that have such views.
  //===--------------------------------------------------------------------===//

  /// this += alpha * other.
  const Tensor &add_(const Tensor &other, const Scalar &alpha = 1) const;
  const Tensor &add_(const Scalar &other) const;
  /// this -= alpha * other.
  const Tensor &sub_(const Tensor &other, const Scalar &alpha = 1) const;
  const Tensor &sub_(const Scalar &other) const;
  const Tensor &mul_(const Tensor &other) const;
  const Tensor &mul_(const Scalar &other) const;
  const Tensor &div_(const Tensor &other) const;
  const Tensor &div_(const Scalar &other) const;
  /// this += value * tensor1 * tensor2.
  const Tensor &addcmul_(const Tensor &tensor1, const Tensor &tensor2,
                         float value = 1) const;
  /// this += value * tensor1 / tensor2.
  const Tensor &addcdiv_(const Tensor &tensor1, const Tensor &tensor2,
                         float value = 1) const;
  /// Copies `src` (broadcast to this shape, converted to this dtype) into
  /// this tensor.
  const Tensor &copy_(const Tensor &src) const;
  const Tensor &zero_() const;
  const Tensor &fill_(const Scalar &value) const;
  /// Writes `value` where `mask` (bool, broadcastable to self) is true.
  const Tensor &masked_fill_(const Tensor &mask, const Scalar &value) const;
  const Tensor &clamp_(std::optional<Scalar> min,
                       std::optional<Scalar> max = std::nullopt) const;

private:
  void checkDataType(ScalarType requested) const;
  [[noreturn]] static void throwItemOverflow(const Scalar &value,
                                             ScalarType type);
  const TensorImpl &impl(const char *op) const;

  std::shared_ptr<TensorImpl> impl_;
};

//===----------------------------------------------------------------------===//
// Creation (each records a Constant while tracing, except empty)
//===----------------------------------------------------------------------===//

// Creation functions take libtorch's optional dtype (default Float32,
// except where noted).

/// Uninitialized memory.
Tensor empty(const IntList &shape, ScalarType dtype = kFloat32);
Tensor zeros(const IntList &shape, ScalarType dtype = kFloat32);
Tensor ones(const IntList &shape, ScalarType dtype = kFloat32);
/// Without a dtype, the value's kind decides as in libtorch: bool gives
/// Bool, an integer Long, a floating number Float.
Tensor full(const IntList &shape, const Scalar &value,
            std::optional<ScalarType> dtype = std::nullopt);
/// Tensors of `like`'s shape and dtype (or `dtype`).
Tensor empty_like(const Tensor &like,
                  std::optional<ScalarType> dtype = std::nullopt);
Tensor zeros_like(const Tensor &like,
                  std::optional<ScalarType> dtype = std::nullopt);
Tensor ones_like(const Tensor &like,
                 std::optional<ScalarType> dtype = std::nullopt);
Tensor full_like(const Tensor &like, const Scalar &value,
                 std::optional<ScalarType> dtype = std::nullopt);
/// A 0-d tensor holding `value`.
Tensor scalar_tensor(const Scalar &value, ScalarType dtype = kFloat32);
/// start, start + step, ... below end. Without a dtype: Long when all
/// three are integers, else Float (as torch.arange).
Tensor arange(const Scalar &end,
              std::optional<ScalarType> dtype = std::nullopt);
Tensor arange(const Scalar &start, const Scalar &end, const Scalar &step = 1,
              std::optional<ScalarType> dtype = std::nullopt);
/// `steps` evenly spaced values from start to end inclusive.
Tensor linspace(const Scalar &start, const Scalar &end, int64_t steps,
                ScalarType dtype = kFloat32);
/// Ones on the diagonal of an n x m (default n x n) matrix.
Tensor eye(int64_t n, std::optional<int64_t> m = std::nullopt,
           ScalarType dtype = kFloat32);
/// Standard normal samples from the generator seeded by manual_seed.
Tensor randn(const IntList &shape, ScalarType dtype = kFloat32);
/// Uniform samples in [0, 1) from the same generator.
Tensor rand(const IntList &shape, ScalarType dtype = kFloat32);
/// Uniform integers in [low, high) (default dtype Long).
Tensor randint(int64_t low, int64_t high, const IntList &shape,
               ScalarType dtype = kInt64);
Tensor randint(int64_t high, const IntList &shape, ScalarType dtype = kInt64);
/// A random permutation of 0 .. n-1 (default dtype Long).
Tensor randperm(int64_t n, ScalarType dtype = kInt64);
/// A copy of `values` with `shape` (product must equal values.size()).
Tensor tensor(std::vector<float> values, const IntList &shape);
/// A 1-D copy of `values`.
Tensor tensor(std::vector<float> values);
/// A copy of `values` with `shape`, converted to `dtype`:
/// `nnc::tensor({1, 2}, {2}, nnc::kDouble)`.
Tensor tensor(const std::vector<double> &values, const IntList &shape,
              ScalarType dtype);
/// int64 tensors (class-index targets): `nnc::tensor(std::vector<int64_t>{
/// 3, 1}, {2})`. A braced list of numbers, integers included, stays float,
/// as it always was in nnc.
template <
    class Values,
    std::enable_if_t<std::is_same_v<Values, std::vector<int64_t>>, int> = 0>
Tensor tensor(const Values &values, const IntList &shape);
template <
    class Values,
    std::enable_if_t<std::is_same_v<Values, std::vector<int64_t>>, int> = 0>
Tensor tensor(const Values &values) {
  return tensor(values, IntList{static_cast<int64_t>(values.size())});
}
/// The int64 creation behind tensor(std::vector<int64_t>, shape).
Tensor int64Tensor(const std::vector<int64_t> &values, const IntList &shape);
template <class Values,
          std::enable_if_t<std::is_same_v<Values, std::vector<int64_t>>, int>>
Tensor tensor(const Values &values, const IntList &shape) {
  return int64Tensor(values, shape);
}
/// A contiguous tensor over caller memory, without copying; the caller
/// keeps `data` alive while the tensor (or any view) lives.
Tensor from_blob(float *data, const IntList &shape);
/// from_blob over elements of `dtype`.
Tensor from_blob(void *data, const IntList &shape, ScalarType dtype);

/// Seeds the generator behind randn, rand, randint and randperm. Results are
/// the same on every platform and standard library for a given seed.
void manual_seed(uint64_t seed);

//===----------------------------------------------------------------------===//
// Free functions and operators (as torch::)
//===----------------------------------------------------------------------===//

/// torch.result_type: the dtype an op on `a` and `b` computes in.
/// Categories rank bool < integer < floating; within the highest category
/// present, tensors with dims decide before 0-d tensors, which decide
/// before Python numbers (a Scalar; a floating one counts as Float32).
ScalarType result_type(const Tensor &a, const Tensor &b);
ScalarType result_type(const Tensor &a, const Scalar &b);

Tensor add(const Tensor &a, const Tensor &b);
Tensor sub(const Tensor &a, const Tensor &b);
Tensor mul(const Tensor &a, const Tensor &b);
Tensor div(const Tensor &a, const Tensor &b);
Tensor neg(const Tensor &x);
Tensor exp(const Tensor &x);
Tensor log(const Tensor &x);
Tensor tanh(const Tensor &x);
Tensor sigmoid(const Tensor &x);
Tensor relu(const Tensor &x);
Tensor matmul(const Tensor &a, const Tensor &b);
Tensor transpose(const Tensor &x, int64_t dim0, int64_t dim1);
Tensor reshape(const Tensor &x, const IntList &shape);
Tensor sum(const Tensor &x);
Tensor sum(const Tensor &x, const IntList &dims, bool keepdim = false);
Tensor mean(const Tensor &x);
Tensor mean(const Tensor &x, const IntList &dims, bool keepdim = false);
Tensor amax(const Tensor &x, const IntList &dims, bool keepdim = false);
Tensor max(const Tensor &x);
Tensor pow(const Tensor &x, const Scalar &exponent);
Tensor pow(const Tensor &x, const Tensor &exponent);
Tensor abs(const Tensor &x);
Tensor sign(const Tensor &x);
Tensor clamp(const Tensor &x, std::optional<Scalar> min,
             std::optional<Scalar> max = std::nullopt);
/// condition ? a : b elementwise (broadcast; a and b promoted).
Tensor where(const Tensor &condition, const Tensor &a, const Tensor &b);
Tensor where(const Tensor &condition, const Tensor &a, const Scalar &b);
Tensor where(const Tensor &condition, const Scalar &a, const Tensor &b);
Tensor bmm(const Tensor &a, const Tensor &b);
/// Joins tensors along an existing dim (shapes equal elsewhere; dtypes
/// promoted).
Tensor cat(const std::vector<Tensor> &tensors, int64_t dim = 0);
/// Joins equal-shaped tensors along a new dim.
Tensor stack(const std::vector<Tensor> &tensors, int64_t dim = 0);
Tensor index_select(const Tensor &x, int64_t dim, const Tensor &index);
Tensor gather(const Tensor &x, int64_t dim, const Tensor &index);
Tensor scatter_add(const Tensor &x, int64_t dim, const Tensor &index,
                   const Tensor &src);
Tensor masked_select(const Tensor &x, const Tensor &mask);
Tensor masked_fill(const Tensor &x, const Tensor &mask, const Scalar &value);
Tensor logsumexp(const Tensor &x, const IntList &dims, bool keepdim = false);
Tensor sqrt(const Tensor &x);
Tensor erf(const Tensor &x);
Tensor softmax(const Tensor &x, int64_t dim);
Tensor log_softmax(const Tensor &x, int64_t dim);

Tensor operator+(const Tensor &a, const Tensor &b);
Tensor operator+(const Tensor &a, const Scalar &b);
Tensor operator+(const Scalar &a, const Tensor &b);
Tensor operator-(const Tensor &a, const Tensor &b);
Tensor operator-(const Tensor &a, const Scalar &b);
Tensor operator-(const Scalar &a, const Tensor &b);
Tensor operator*(const Tensor &a, const Tensor &b);
Tensor operator*(const Tensor &a, const Scalar &b);
Tensor operator*(const Scalar &a, const Tensor &b);
Tensor operator/(const Tensor &a, const Tensor &b);
Tensor operator/(const Tensor &a, const Scalar &b);
Tensor operator/(const Scalar &a, const Tensor &b);
Tensor operator==(const Tensor &a, const Tensor &b);
Tensor operator==(const Tensor &a, const Scalar &b);
Tensor operator!=(const Tensor &a, const Tensor &b);
Tensor operator!=(const Tensor &a, const Scalar &b);
Tensor operator<(const Tensor &a, const Tensor &b);
Tensor operator<(const Tensor &a, const Scalar &b);
Tensor operator<=(const Tensor &a, const Tensor &b);
Tensor operator<=(const Tensor &a, const Scalar &b);
Tensor operator>(const Tensor &a, const Tensor &b);
Tensor operator>(const Tensor &a, const Scalar &b);
Tensor operator>=(const Tensor &a, const Tensor &b);
Tensor operator>=(const Tensor &a, const Scalar &b);
Tensor operator-(const Tensor &x);

/// Prints like PyTorch: `tensor([[1., 2.],\n        [3., 4.]])`, with
/// `dtype=torch.float64` (and so on) for dtypes other than Float, Long and
/// Bool.
std::ostream &operator<<(std::ostream &os, const Tensor &t);

/// "[2, 3]": how shapes appear in error messages.
std::string shapeToString(const IntList &shape);

} // namespace nnc

#endif // NNC_FRONTEND_TENSOR_H
