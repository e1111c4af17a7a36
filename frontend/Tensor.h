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
  /// Row-major with no gaps (size-1 dims' strides are ignored, as in
  /// libtorch).
  bool is_contiguous() const;
  /// Whether both tensors view the same storage.
  bool is_same_storage(const Tensor &other) const;

  /// The first element (storage offset applied). T must match dtype():
  /// float for kFloat, int64_t for kLong.
  template <class T> T *data_ptr() const {
    checkDataType(scalarTypeOf<std::remove_const_t<T>>());
    return static_cast<T *>(rawDataPtr());
  }
  /// The single element of a one-element tensor.
  template <class T> T item() const {
    checkItem();
    return *data_ptr<T>();
  }

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

  //===--------------------------------------------------------------------===//
  // Math (broadcasting as in PyTorch)
  //===--------------------------------------------------------------------===//

  Tensor add(const Tensor &other) const;
  Tensor add(float other) const;
  Tensor sub(const Tensor &other) const;
  Tensor sub(float other) const;
  Tensor mul(const Tensor &other) const;
  Tensor mul(float other) const;
  Tensor div(const Tensor &other) const;
  Tensor div(float other) const;
  Tensor neg() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  /// torch.matmul: dot, matrix-vector, matrix-matrix and batched.
  Tensor matmul(const Tensor &other) const;

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

  /// Elementwise power with a scalar exponent (torch.pow(x, float)).
  Tensor pow(float exponent) const;
  Tensor sqrt() const;
  /// exp(x) / sum(exp(x)) along `dim`, computed stably (max subtracted).
  Tensor softmax(int64_t dim) const;
  /// x - log(sum(exp(x))) along `dim`, computed stably.
  Tensor log_softmax(int64_t dim) const;

  //===--------------------------------------------------------------------===//
  // In-place ops (libtorch's signatures: const methods returning *this).
  // `other` broadcasts to this tensor's shape. While grad mode is on they
  // refuse tensors that take part in autograd (use NoGradGuard, as
  // optimizers do).
  //===--------------------------------------------------------------------===//

  /// this += alpha * other.
  const Tensor &add_(const Tensor &other, float alpha = 1) const;
  const Tensor &add_(float other) const;
  /// this -= alpha * other.
  const Tensor &sub_(const Tensor &other, float alpha = 1) const;
  const Tensor &sub_(float other) const;
  const Tensor &mul_(const Tensor &other) const;
  const Tensor &mul_(float other) const;
  const Tensor &div_(const Tensor &other) const;
  const Tensor &div_(float other) const;
  /// this += value * tensor1 * tensor2.
  const Tensor &addcmul_(const Tensor &tensor1, const Tensor &tensor2,
                         float value = 1) const;
  /// this += value * tensor1 / tensor2.
  const Tensor &addcdiv_(const Tensor &tensor1, const Tensor &tensor2,
                         float value = 1) const;
  /// Copies `src` (same dtype, broadcast to this shape) into this tensor.
  const Tensor &copy_(const Tensor &src) const;
  const Tensor &zero_() const;
  const Tensor &fill_(float value) const;

private:
  template <class T> static constexpr ScalarType scalarTypeOf() {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, int64_t>,
                  "data_ptr: nnc tensors hold float or int64_t elements");
    return std::is_same_v<T, float> ? kFloat32 : kInt64;
  }
  void checkDataType(ScalarType requested) const;
  void checkItem() const;
  void *rawDataPtr() const;
  const TensorImpl &impl(const char *op) const;

  std::shared_ptr<TensorImpl> impl_;
};

//===----------------------------------------------------------------------===//
// Creation (each records a Constant while tracing, except empty)
//===----------------------------------------------------------------------===//

/// Uninitialized memory.
Tensor empty(const IntList &shape);
Tensor zeros(const IntList &shape);
Tensor ones(const IntList &shape);
Tensor full(const IntList &shape, float value);
/// A 0-d tensor holding `value`.
Tensor scalar_tensor(float value);
/// Standard normal samples from the generator seeded by manual_seed.
Tensor randn(const IntList &shape);
/// Uniform samples in [0, 1) from the same generator.
Tensor rand(const IntList &shape);
/// A copy of `values` with `shape` (product must equal values.size()).
Tensor tensor(std::vector<float> values, const IntList &shape);
/// A 1-D copy of `values`.
Tensor tensor(std::vector<float> values);
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

/// Seeds the generator behind randn and rand. Results are the same on every
/// platform and standard library for a given seed.
void manual_seed(uint64_t seed);

//===----------------------------------------------------------------------===//
// Free functions and operators (as torch::)
//===----------------------------------------------------------------------===//

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
Tensor pow(const Tensor &x, float exponent);
Tensor sqrt(const Tensor &x);
Tensor softmax(const Tensor &x, int64_t dim);
Tensor log_softmax(const Tensor &x, int64_t dim);

Tensor operator+(const Tensor &a, const Tensor &b);
Tensor operator+(const Tensor &a, float b);
Tensor operator+(float a, const Tensor &b);
Tensor operator-(const Tensor &a, const Tensor &b);
Tensor operator-(const Tensor &a, float b);
Tensor operator-(float a, const Tensor &b);
Tensor operator*(const Tensor &a, const Tensor &b);
Tensor operator*(const Tensor &a, float b);
Tensor operator*(float a, const Tensor &b);
Tensor operator/(const Tensor &a, const Tensor &b);
Tensor operator/(const Tensor &a, float b);
Tensor operator/(float a, const Tensor &b);
Tensor operator-(const Tensor &x);

/// Prints like PyTorch: `tensor([[1., 2.],\n        [3., 4.]])`.
std::ostream &operator<<(std::ostream &os, const Tensor &t);

/// "[2, 3]": how shapes appear in error messages.
std::string shapeToString(const IntList &shape);

} // namespace nnc

#endif // NNC_FRONTEND_TENSOR_H
