//===- frontend/data/Dataset.cpp - Dataset, TensorDataset, Subset ---------===//
#include "frontend/data/Dataset.h"

#include "frontend/data/DataInternal.h"

#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>

namespace nnc::data {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

char *detail::bytesOf(const Tensor &t) {
  const TensorImpl &impl = *t.unsafeGetTensorImpl();
  return static_cast<char *>(impl.storage->data()) +
         impl.storageOffset * static_cast<int64_t>(elementSize(impl.dtype));
}

std::vector<int64_t> detail::randomPermutation(int64_t n,
                                               std::mt19937_64 &engine) {
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = n - 1; i > 0; --i) {
    // A uniform draw in [0, i] by rejection (no modulo bias), since
    // std::uniform_int_distribution differs between standard libraries.
    uint64_t bound = static_cast<uint64_t>(i) + 1;
    uint64_t limit = std::numeric_limits<uint64_t>::max() -
                     std::numeric_limits<uint64_t>::max() % bound;
    uint64_t draw;
    do
      draw = engine();
    while (draw >= limit);
    std::swap(order[i], order[draw % bound]);
  }
  return order;
}

void checkIndex(const char *who, int64_t index, int64_t size) {
  if (index < 0 || index >= size)
    throw Error(std::string(who) + ": index " + std::to_string(index) +
                " is out of range for a dataset of " + std::to_string(size) +
                " examples");
}

//===----------------------------------------------------------------------===//
// Example
//===----------------------------------------------------------------------===//

Tensor &Example::operator[](size_t i) {
  if (i >= fields_.size())
    throw Error("Example: no field " + std::to_string(i) +
                " in an example of " + std::to_string(fields_.size()) +
                " fields");
  return fields_[i];
}

const Tensor &Example::operator[](size_t i) const {
  return const_cast<Example &>(*this)[i];
}

Tensor &Example::pairField(size_t i) {
  if (fields_.size() != 2)
    throw Error("Example: `auto [x, y] = example` needs 2 fields, this one "
                "has " +
                std::to_string(fields_.size()) + "; index it instead");
  return fields_[i];
}

const Tensor &Example::pairField(size_t i) const {
  return const_cast<Example &>(*this).pairField(i);
}

//===----------------------------------------------------------------------===//
// Dataset, TensorDataset, Subset
//===----------------------------------------------------------------------===//

Dataset::~Dataset() = default;

TensorDataset::TensorDataset(std::vector<Tensor> tensors)
    : tensors_(std::move(tensors)) {
  if (tensors_.empty())
    throw Error("TensorDataset: needs at least one tensor");
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const Tensor &t = tensors_[i];
    if (!t.defined())
      throw Error("TensorDataset: tensor " + std::to_string(i) +
                  " is undefined");
    if (t.dim() == 0)
      throw Error("TensorDataset: tensor " + std::to_string(i) +
                  " is 0-d; examples are taken along dim 0");
    if (t.size(0) != tensors_[0].size(0))
      throw Error("TensorDataset: size mismatch between tensors: tensor 0 "
                  "has shape " +
                  shapeToString(tensors_[0].sizes()) + ", tensor " +
                  std::to_string(i) + " has shape " + shapeToString(t.sizes()) +
                  " (dim 0 must agree)");
  }
}

int64_t TensorDataset::size() const { return tensors_[0].size(0); }

Example TensorDataset::get(int64_t index) const {
  checkIndex("TensorDataset", index, size());
  std::vector<Tensor> row;
  row.reserve(tensors_.size());
  for (const Tensor &t : tensors_)
    row.push_back(t.select(0, index));
  return Example(std::move(row));
}

Subset::Subset(std::shared_ptr<const Dataset> dataset,
               std::vector<int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  if (!dataset_)
    throw Error("Subset: the dataset is null");
  int64_t size = dataset_->size();
  for (size_t i = 0; i < indices_.size(); ++i)
    if (indices_[i] < 0 || indices_[i] >= size)
      throw Error("Subset: indices[" + std::to_string(i) +
                  "] = " + std::to_string(indices_[i]) +
                  " is out of range for a dataset of " + std::to_string(size) +
                  " examples");
}

int64_t Subset::size() const { return static_cast<int64_t>(indices_.size()); }

Example Subset::get(int64_t index) const {
  checkIndex("Subset", index, size());
  return dataset_->get(indices_[index]);
}

//===----------------------------------------------------------------------===//
// random_split
//===----------------------------------------------------------------------===//

namespace {

/// PyTorch's random_split lengths: fractions (all in [0, 1], summing to 1)
/// become floor(n * f), the remainder going one by one to splits 0, 1, ...;
/// otherwise the lengths are counts and must be whole and sum to n.
std::vector<int64_t> splitLengths(const std::vector<double> &lengths,
                                  int64_t n) {
  if (lengths.empty())
    throw Error("random_split: needs at least one length");
  double sum = 0;
  bool allFractions = true;
  for (double length : lengths) {
    sum += length;
    allFractions = allFractions && length >= 0 && length <= 1;
  }
  std::vector<int64_t> counts;
  if (allFractions && std::abs(sum - 1) <= 1e-9 && sum <= 1) {
    int64_t assigned = 0;
    for (double fraction : lengths) {
      counts.push_back(static_cast<int64_t>(std::floor(n * fraction)));
      assigned += counts.back();
    }
    for (int64_t i = 0; i < n - assigned; ++i)
      ++counts[i % counts.size()];
    return counts;
  }
  int64_t total = 0;
  for (double length : lengths) {
    if (length < 0 || length != std::floor(length)) {
      std::ostringstream message;
      message << "random_split: length " << length
              << " is neither a count of examples nor part of fractions "
                 "summing to 1";
      throw Error(message.str());
    }
    counts.push_back(static_cast<int64_t>(length));
    total += counts.back();
  }
  if (total != n)
    throw Error("random_split: sum of input lengths (" + std::to_string(total) +
                ") does not equal the length of the input dataset (" +
                std::to_string(n) + ")");
  return counts;
}

} // namespace

std::vector<std::shared_ptr<Subset>>
random_split(std::shared_ptr<const Dataset> dataset,
             const std::vector<double> &lengths, uint64_t seed) {
  if (!dataset)
    throw Error("random_split: the dataset is null");
  int64_t n = dataset->size();
  std::vector<int64_t> counts = splitLengths(lengths, n);
  std::mt19937_64 engine(seed);
  std::vector<int64_t> order = detail::randomPermutation(n, engine);
  std::vector<std::shared_ptr<Subset>> splits;
  auto next = order.begin();
  for (int64_t count : counts) {
    splits.push_back(std::make_shared<Subset>(
        dataset, std::vector<int64_t>(next, next + count)));
    next += count;
  }
  return splits;
}

} // namespace nnc::data
