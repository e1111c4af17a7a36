//===- frontend/TensorImpl.h - What a Tensor handle points to ---*- C++ -*-===//
//
// As in libtorch, a Tensor is a shared handle to a TensorImpl, and a
// TensorImpl is a strided view (sizes, strides, offset) of a Storage that
// several views may share. The tracer identifies tensors by TensorImpl
// address, so an op's output keeps its TensorImpl for its whole life.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_TENSORIMPL_H
#define NNC_FRONTEND_TENSORIMPL_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <vector>

namespace nnc {

namespace autograd {
struct AutogradMeta;
} // namespace autograd

/// Element types. Math is float32; int64 exists for class-index targets
/// (creation, copies, views, printing).
enum class ScalarType { Float32, Int64 };
constexpr ScalarType kFloat32 = ScalarType::Float32;
constexpr ScalarType kFloat = ScalarType::Float32;
constexpr ScalarType kInt64 = ScalarType::Int64;
constexpr ScalarType kLong = ScalarType::Int64;

/// Bytes per element of `type`.
std::size_t elementSize(ScalarType type);
/// The name libtorch prints ("Float", "Long").
const char *toString(ScalarType type);
std::ostream &operator<<(std::ostream &os, ScalarType type);

/// A block of memory holding a tensor's elements, shared by all its views.
/// Owns the memory unless created over a caller's buffer (from_blob).
class Storage {
public:
  /// Fresh 64-byte-aligned memory of `nbytes` bytes (uninitialized).
  explicit Storage(std::size_t nbytes);
  /// Wraps caller memory; `deleter` (may be empty) runs on destruction.
  Storage(void *data, std::size_t nbytes, std::function<void(void *)> deleter);
  ~Storage();
  Storage(const Storage &) = delete;
  Storage &operator=(const Storage &) = delete;

  void *data() const { return data_; }
  std::size_t nbytes() const { return nbytes_; }

private:
  void *data_;
  std::size_t nbytes_;
  std::function<void(void *)> deleter_;
};

/// A strided view of a Storage. Sizes and strides are in elements.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;
  int64_t storageOffset = 0;
  ScalarType dtype = kFloat32;
  /// requires_grad, .grad() and grad_fn (frontend/Autograd.h); null for
  /// tensors autograd never saw. Belongs to this view, never shared.
  std::shared_ptr<autograd::AutogradMeta> autograd;
};

} // namespace nnc

#endif // NNC_FRONTEND_TENSORIMPL_H
