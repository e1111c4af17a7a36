//===- frontend/TensorJoin.cpp - cat, stack, split, chunk -----------------===//
//
// cat copies each input into its part of the output (inputs promoted to
// one dtype first, as PyTorch's cat does); stack is cat of unsqueezed
// inputs; split and chunk return narrow() views.
//
//===----------------------------------------------------------------------===//
#include "frontend/Tensor.h"

#include "frontend/TensorInternal.h"
#include "frontend/kernels/Kernels.h"

#include <string>

namespace nnc {

using detail::checkDefined;
using detail::normalizeDim;

Tensor cat(const std::vector<Tensor> &tensors, int64_t dim) {
  if (tensors.empty())
    throw Error("cat: expected a non-empty list of Tensors");
  for (const Tensor &t : tensors)
    checkDefined("cat", t);
  ScalarType type = tensors[0].dtype();
  for (const Tensor &t : tensors)
    type = promote_types(type, t.dtype());
  // As PyTorch, 1-D empty tensors are skipped whatever the other shapes.
  std::vector<Tensor> parts;
  std::vector<size_t> positions;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!(tensors[i].dim() == 1 && tensors[i].numel() == 0)) {
      parts.push_back(tensors[i]);
      positions.push_back(i);
    }
  if (parts.empty())
    return empty({0}, type);
  const Tensor &first = parts[0];
  if (first.dim() == 0)
    throw Error("cat: zero-dimensional tensor (at position " +
                std::to_string(positions[0]) + ") cannot be concatenated");
  int64_t d = normalizeDim("cat", dim, first.dim());
  IntList shape = first.sizes();
  shape[d] = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Tensor &t = parts[i];
    if (t.dim() != first.dim())
      throw Error("cat: Tensors must have same number of dimensions: got " +
                  std::to_string(first.dim()) + " and " +
                  std::to_string(t.dim()));
    for (int64_t k = 0; k < t.dim(); ++k)
      if (k != d && t.size(k) != first.size(k))
        throw Error("cat: Sizes of tensors must match except in dimension " +
                    std::to_string(d) + ". Expected size " +
                    std::to_string(first.size(k)) + " but got size " +
                    std::to_string(t.size(k)) + " for tensor number " +
                    std::to_string(positions[i]) + " in the list.");
    shape[d] += t.size(d);
  }
  std::vector<Tensor> inputs;
  for (const Tensor &t : parts)
    inputs.push_back(t.to(type));
  OpAttrs attrs;
  attrs.dims = {d};
  Tensor out = detail::traced(OpKind::Cat, inputs, attrs, [&] {
    Tensor result = detail::allocate(shape, type);
    int64_t offset = 0;
    for (const Tensor &t : inputs) {
      Tensor part = result.narrow(d, offset, t.size(d));
      kernels::copy(type, t.sizes(), t.data_ptr(), t.strides(), part.data_ptr(),
                    part.strides());
      offset += t.size(d);
    }
    return result;
  });
  IntList sizes;
  for (const Tensor &t : inputs)
    sizes.push_back(t.size(d));
  autograd::recordGradient(out, "CatBackward0", inputs, {},
                           [d, sizes](const autograd::BackwardArgs &g) {
                             std::vector<Tensor> grads;
                             int64_t offset = 0;
                             for (int64_t size : sizes) {
                               grads.push_back(g.grad.narrow(d, offset, size));
                               offset += size;
                             }
                             return grads;
                           });
  return out;
}

Tensor stack(const std::vector<Tensor> &tensors, int64_t dim) {
  if (tensors.empty())
    throw Error("stack: expects a non-empty TensorList");
  for (const Tensor &t : tensors)
    checkDefined("stack", t);
  for (size_t i = 1; i < tensors.size(); ++i)
    if (tensors[i].sizes() != tensors[0].sizes())
      throw Error("stack: stack expects each tensor to be equal size, but "
                  "got " +
                  shapeToString(tensors[0].sizes()) + " at entry 0 and " +
                  shapeToString(tensors[i].sizes()) + " at entry " +
                  std::to_string(i));
  int64_t d = normalizeDim("stack", dim, tensors[0].dim() + 1);
  std::vector<Tensor> unsqueezed;
  for (const Tensor &t : tensors)
    unsqueezed.push_back(t.unsqueeze(d));
  return cat(unsqueezed, d);
}

std::vector<Tensor> Tensor::split(int64_t split_size, int64_t dim) const {
  checkDefined("split", *this);
  if (this->dim() == 0)
    throw Error("split: split expects at least a 1-dimensional tensor");
  if (split_size < 0)
    throw Error("split: split expects split_size be non-negative, but got "
                "split_size=" +
                std::to_string(split_size));
  int64_t d = normalizeDim("split", dim, this->dim());
  int64_t size = this->size(d);
  if (split_size == 0 && size != 0)
    throw Error("split: split_size can only be 0 if dimension size is 0, but "
                "got dimension size of " +
                std::to_string(size));
  std::vector<Tensor> pieces;
  if (split_size == 0)
    return {narrow(d, 0, 0)};
  for (int64_t start = 0; start < size || (size == 0 && pieces.empty());
       start += split_size)
    pieces.push_back(narrow(d, start, std::min(split_size, size - start)));
  return pieces;
}

std::vector<Tensor> Tensor::split(const IntList &split_sizes,
                                  int64_t dim) const {
  checkDefined("split", *this);
  if (this->dim() == 0)
    throw Error("split: split expects at least a 1-dimensional tensor");
  int64_t d = normalizeDim("split", dim, this->dim());
  int64_t total = 0;
  for (int64_t s : split_sizes) {
    if (s < 0)
      throw Error("split_with_sizes: expects split_sizes have only "
                  "non-negative entries, but got split_sizes=" +
                  shapeToString(split_sizes));
    total += s;
  }
  if (total != size(d))
    throw Error("split_with_sizes: expects split_sizes to sum exactly to " +
                std::to_string(size(d)) +
                " (input tensor's size at dimension " + std::to_string(d) +
                "), but got split_sizes=" + shapeToString(split_sizes));
  std::vector<Tensor> pieces;
  int64_t start = 0;
  for (int64_t s : split_sizes) {
    pieces.push_back(narrow(d, start, s));
    start += s;
  }
  return pieces;
}

std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t dim) const {
  checkDefined("chunk", *this);
  if (this->dim() == 0)
    throw Error("chunk: chunk expects at least a 1-dimensional tensor");
  if (chunks <= 0)
    throw Error("chunk: chunk expects `chunks` to be greater than 0, got: " +
                std::to_string(chunks));
  int64_t d = normalizeDim("chunk", dim, this->dim());
  int64_t size = this->size(d);
  // An empty dim gives `chunks` empty pieces, as PyTorch.
  if (size == 0)
    return split(IntList(chunks, 0), d);
  return split((size + chunks - 1) / chunks, d);
}

} // namespace nnc
