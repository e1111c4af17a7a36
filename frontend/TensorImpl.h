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

#include "frontend/ScalarType.h"

#include <atomic>
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

  /// PyTorch's version counter: in-place ops bump it, and autograd
  /// compares it with the version each saved tensor had when saved.
  uint32_t version() const { return version_; }
  void bumpVersion() { ++version_; }

  /// How many live views of this storage carry autograd history (see
  /// AutogradViewMark): an in-place op that records history refuses to
  /// write a storage such views see, since their gradients would not
  /// follow the new values.
  int autogradViews() const { return autogradViews_; }
  void addAutogradView() { ++autogradViews_; }
  void removeAutogradView() { --autogradViews_; }

private:
  // Atomic: views of one storage may be written or dropped on different
  // threads.
  std::atomic<uint32_t> version_{0};
  std::atomic<int> autogradViews_{0};
  void *data_;
  std::size_t nbytes_;
  std::function<void(void *)> deleter_;
};

/// Counts its TensorImpl in Storage::autogradViews while alive, once
/// marked. Copying a TensorImpl makes a new tensor, which is not marked.
class AutogradViewMark {
public:
  AutogradViewMark() = default;
  AutogradViewMark(const AutogradViewMark &) {}
  AutogradViewMark &operator=(const AutogradViewMark &) { return *this; }
  ~AutogradViewMark() {
    if (storage_)
      storage_->removeAutogradView();
  }
  void mark(Storage *storage) {
    if (storage_)
      return;
    storage_ = storage;
    storage_->addAutogradView();
  }

private:
  Storage *storage_ = nullptr;
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
  /// Set when an op recorded history for this tensor as a view of its
  /// input's storage. Declared after `storage`, so destroyed before it.
  AutogradViewMark viewMark;
};

} // namespace nnc

#endif // NNC_FRONTEND_TENSORIMPL_H
