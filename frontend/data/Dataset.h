//===- frontend/data/Dataset.h - Dataset, TensorDataset, Subset -*- C++ -*-===//
//
// As torch.utils.data: a Dataset maps an index to one Example; TensorDataset
// indexes dim 0 of its tensors; Subset and random_split pick examples by
// index. Datasets are held by shared_ptr so that Subsets and DataLoaders can
// refer to them.
//
// An Example is a short list of tensors (PyTorch's tuple): TensorDataset(x,
// y) gives {x[i], y[i]}, TensorDataset(a, b, c) gives three. The common
// (features, label) pair also binds by name, `auto &[x, y] = example`, and
// so does a batch in `for (auto &[x, y] : loader)`.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_DATA_DATASET_H
#define NNC_FRONTEND_DATA_DATASET_H

#include "frontend/Tensor.h"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

namespace nnc::data {

//===----------------------------------------------------------------------===//
// Example
//===----------------------------------------------------------------------===//

/// One sample (or, after collation, one batch): the tensors a Dataset returns
/// for one index, in order. Field 0 is the data and field 1 the target when
/// there are two, as in libtorch's Example<Data, Target>.
class Example {
public:
  Example() = default;
  Example(std::initializer_list<Tensor> fields) : fields_(fields) {}
  explicit Example(std::vector<Tensor> fields) : fields_(std::move(fields)) {}

  size_t size() const { return fields_.size(); }
  /// Field `i`; throws if there is none.
  Tensor &operator[](size_t i);
  const Tensor &operator[](size_t i) const;
  /// Field 0 and field 1.
  const Tensor &data() const { return (*this)[0]; }
  const Tensor &target() const { return (*this)[1]; }

  std::vector<Tensor> &fields() { return fields_; }
  const std::vector<Tensor> &fields() const { return fields_; }
  auto begin() { return fields_.begin(); }
  auto end() { return fields_.end(); }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }

  /// Structured bindings (`auto &[x, y] = example`) take exactly two
  /// fields; an example with another number of fields throws (index it).
  template <size_t I> Tensor &get() { return pairField(I); }
  template <size_t I> const Tensor &get() const { return pairField(I); }

private:
  Tensor &pairField(size_t i);
  const Tensor &pairField(size_t i) const;

  std::vector<Tensor> fields_;
};

//===----------------------------------------------------------------------===//
// Dataset
//===----------------------------------------------------------------------===//

/// As torch.utils.data.Dataset (a map-style dataset): size() examples, each
/// returned by get(index). A DataLoader with num_workers > 0 calls get() from
/// several threads at once, so get() must not modify shared state.
class Dataset {
public:
  virtual ~Dataset();
  /// Number of examples (Python's __len__).
  virtual int64_t size() const = 0;
  /// Example `index`, 0 <= index < size() (Python's __getitem__).
  virtual Example get(int64_t index) const = 0;
};

/// Throws unless 0 <= index < size; `who` names the dataset in the message.
void checkIndex(const char *who, int64_t index, int64_t size);

/// As torch.utils.data.TensorDataset: example i is {t[i] for each tensor t}.
/// Every tensor has the same size in dim 0. Examples are views of the
/// dataset's tensors, as indexing is in PyTorch.
class TensorDataset : public Dataset {
public:
  explicit TensorDataset(std::vector<Tensor> tensors);
  template <class... Tensors>
  explicit TensorDataset(const Tensor &first, const Tensors &...rest)
      : TensorDataset(std::vector<Tensor>{first, rest...}) {}

  int64_t size() const override;
  Example get(int64_t index) const override;
  const std::vector<Tensor> &tensors() const { return tensors_; }

private:
  std::vector<Tensor> tensors_;
};

/// As torch.utils.data.Subset: example i is dataset[indices[i]]. Indices
/// are checked when the Subset is made.
class Subset : public Dataset {
public:
  Subset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices);

  int64_t size() const override;
  Example get(int64_t index) const override;
  const std::shared_ptr<const Dataset> &dataset() const { return dataset_; }
  const std::vector<int64_t> &indices() const { return indices_; }

private:
  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> indices_;
};

/// As torch.utils.data.random_split with a seeded generator: splits a random
/// permutation of the dataset into Subsets. `lengths` are either example
/// counts summing to dataset->size(), or fractions summing to 1 (PyTorch's
/// rule: all in [0, 1] and the sum is 1); fractions are floored and the
/// remainder is handed out one by one from the first split on. The same seed
/// gives the same split (not PyTorch's permutation for that seed).
std::vector<std::shared_ptr<Subset>>
random_split(std::shared_ptr<const Dataset> dataset,
             const std::vector<double> &lengths, uint64_t seed);

} // namespace nnc::data

//===----------------------------------------------------------------------===//
// Structured bindings for Example
//===----------------------------------------------------------------------===//

template <>
struct std::tuple_size<nnc::data::Example> : std::integral_constant<size_t, 2> {
};
template <size_t I> struct std::tuple_element<I, nnc::data::Example> {
  using type = nnc::Tensor;
};

#endif // NNC_FRONTEND_DATA_DATASET_H
