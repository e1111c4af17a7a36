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
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

namespace nnc {

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

  /// The first element (storage offset applied). T must match dtype().
  template <class T> T *data_ptr() const {
    checkDataType(sizeof(T), isFloat<T>());
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

private:
  template <class T> static constexpr bool isFloat() {
    return std::is_same<T, float>::value || std::is_same<T, const float>::value;
  }
  void checkDataType(std::size_t elementBytes, bool isFloat) const;
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
/// A copy of `values` with `shape` (product must equal values.size()).
Tensor tensor(std::vector<float> values, const IntList &shape);
/// A 1-D copy of `values`.
Tensor tensor(std::vector<float> values);
/// A contiguous tensor over caller memory, without copying; the caller
/// keeps `data` alive while the tensor (or any view) lives.
Tensor from_blob(float *data, const IntList &shape);

/// Seeds the generator behind randn. Results are the same on every
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
