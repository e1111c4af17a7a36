//===- frontend/data/DataLoader.h - Batches from a Dataset ------*- C++ -*-===//
//
// As torch.utils.data.DataLoader (map-style datasets):
//
//   auto loader = nnc::data::DataLoader(dataset, nnc::data::DataLoaderOptions()
//                     .batch_size(64).shuffle(true).seed(42).num_workers(2));
//   for (int epoch = 0; epoch < 3; ++epoch)
//     for (auto &[x, y] : loader)   // each begin() is a new epoch
//       ...
//
// Shuffling draws a new order each epoch from a generator seeded once with
// seed(), so every run sees the same sequence of epochs. With num_workers > 0,
// worker threads fetch and collate batches ahead of the loop (at most
// prefetch_factor per worker), and batches arrive in order. A worker's
// exception is thrown by the loop at that batch, with the batch named; leaving
// the loop early stops and joins the workers.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_DATA_DATALOADER_H
#define NNC_FRONTEND_DATA_DATALOADER_H

#include "frontend/data/Dataset.h"

#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <random>
#include <type_traits>
#include <vector>

namespace nnc::data {

/// Turns a list of examples into one batch.
using CollateFn = std::function<Example(std::vector<Example> examples)>;

/// PyTorch's default_collate for tensors: field k of the batch stacks field k
/// of every example along a new dim 0 (a [B] tensor from 0-d targets). All
/// examples need the same number of fields, and field k the same shape and
/// dtype in each. One memcpy per example and field.
Example default_collate(std::vector<Example> examples);

/// As torch::data::DataLoaderOptions, with PyTorch's defaults.
class DataLoaderOptions {
public:
  DataLoaderOptions() = default;
  explicit DataLoaderOptions(int64_t batch_size) : batchSize_(batch_size) {}

  DataLoaderOptions &batch_size(int64_t value) {
    batchSize_ = value;
    return *this;
  }
  /// A new random order every epoch (PyTorch's shuffle=True).
  DataLoaderOptions &shuffle(bool value) {
    shuffle_ = value;
    return *this;
  }
  /// Seeds the shuffling generator (PyTorch's generator argument).
  DataLoaderOptions &seed(uint64_t value) {
    seed_ = value;
    return *this;
  }
  /// Drops the last batch if it is smaller than batch_size.
  DataLoaderOptions &drop_last(bool value) {
    dropLast_ = value;
    return *this;
  }
  /// Background threads fetching batches; 0 fetches in the loop's thread.
  DataLoaderOptions &num_workers(int64_t value) {
    numWorkers_ = value;
    return *this;
  }
  /// Batches each worker may hold ready ahead of the loop.
  DataLoaderOptions &prefetch_factor(int64_t value) {
    prefetchFactor_ = value;
    return *this;
  }
  /// Replaces default_collate.
  DataLoaderOptions &collate_fn(CollateFn value) {
    collateFn_ = std::move(value);
    return *this;
  }

  int64_t batch_size() const { return batchSize_; }
  bool shuffle() const { return shuffle_; }
  uint64_t seed() const { return seed_; }
  bool drop_last() const { return dropLast_; }
  int64_t num_workers() const { return numWorkers_; }
  int64_t prefetch_factor() const { return prefetchFactor_; }
  const CollateFn &collate_fn() const { return collateFn_; }

private:
  int64_t batchSize_ = 1;
  bool shuffle_ = false;
  uint64_t seed_ = 0;
  bool dropLast_ = false;
  int64_t numWorkers_ = 0;
  int64_t prefetchFactor_ = 2;
  CollateFn collateFn_ = default_collate;
};

class DataLoader {
  class Epoch;

public:
  DataLoader(std::shared_ptr<const Dataset> dataset,
             DataLoaderOptions options = DataLoaderOptions());
  /// Takes the dataset over: `DataLoader loader(TensorDataset(x, y), ...)`.
  template <class D, std::enable_if_t<std::is_base_of_v<Dataset, D>, int> = 0>
  explicit DataLoader(D dataset,
                      DataLoaderOptions options = DataLoaderOptions())
      : DataLoader(std::make_shared<const D>(std::move(dataset)),
                   std::move(options)) {}

  /// Number of batches per epoch (Python's len(loader)).
  int64_t size() const;
  const DataLoaderOptions &options() const { return options_; }
  const std::shared_ptr<const Dataset> &dataset() const { return dataset_; }

  /// An input iterator over one epoch's batches.
  class Iterator {
  public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Example;
    using difference_type = std::ptrdiff_t;
    using pointer = Example *;
    using reference = Example &;

    Example &operator*() const;
    Example *operator->() const { return &**this; }
    Iterator &operator++();
    /// Only an exhausted iterator equals end().
    bool operator==(const Iterator &other) const;
    bool operator!=(const Iterator &other) const { return !(*this == other); }

  private:
    friend class DataLoader;
    explicit Iterator(std::shared_ptr<Epoch> epoch)
        : epoch_(std::move(epoch)) {}
    std::shared_ptr<Epoch> epoch_;
  };

  /// Starts a new epoch (reshuffling if shuffle is on) and fetches its first
  /// batch. Epochs are independent: two loops may iterate one loader.
  Iterator begin();
  Iterator end() { return Iterator(nullptr); }

private:
  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  std::mt19937_64 shuffleEngine_;
};

} // namespace nnc::data

#endif // NNC_FRONTEND_DATA_DATALOADER_H
