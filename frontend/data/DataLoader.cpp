//===- frontend/data/DataLoader.cpp - Batches from a Dataset --------------===//
#include "frontend/data/DataLoader.h"

#include "frontend/data/DataInternal.h"

#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>

namespace nnc::data {

//===----------------------------------------------------------------------===//
// default_collate
//===----------------------------------------------------------------------===//

Example default_collate(std::vector<Example> examples) {
  if (examples.empty())
    throw Error("default_collate: no examples to collate");
  const Example &first = examples[0];
  int64_t batch = static_cast<int64_t>(examples.size());
  std::vector<Tensor> fields;
  for (size_t k = 0; k < first.size(); ++k) {
    const Tensor &model = first[k];
    if (!model.defined())
      throw Error("default_collate: field " + std::to_string(k) +
                  " of example 0 is undefined");
    IntList shape{batch};
    shape.insert(shape.end(), model.sizes().begin(), model.sizes().end());
    // nnc::stack(examples, 0), written as one memcpy per example: this is
    // the DataLoader's hot path, and every example is checked here anyway.
    Tensor out = empty(shape, model.dtype());
    size_t exampleBytes = model.numel() * elementSize(model.dtype());
    char *dst = detail::bytesOf(out);
    for (int64_t i = 0; i < batch; ++i) {
      const Example &example = examples[i];
      if (example.size() != first.size())
        throw Error("default_collate: example " + std::to_string(i) + " has " +
                    std::to_string(example.size()) + " fields, example 0 has " +
                    std::to_string(first.size()));
      const Tensor &t = example[k];
      if (!t.defined() || t.sizes() != model.sizes() ||
          t.dtype() != model.dtype())
        throw Error("default_collate: field " + std::to_string(k) +
                    " of example " + std::to_string(i) + " is " +
                    (t.defined() ? std::string(toString(t.dtype())) + " " +
                                       shapeToString(t.sizes())
                                 : std::string("undefined")) +
                    ", example 0's is " + toString(model.dtype()) + " " +
                    shapeToString(model.sizes()) +
                    " (stack needs equal shapes and dtypes)");
      if (exampleBytes == 0)
        continue;
      Tensor dense = t.is_contiguous() ? t : t.contiguous();
      std::memcpy(dst + i * exampleBytes, detail::bytesOf(dense), exampleBytes);
    }
    fields.push_back(std::move(out));
  }
  return Example(std::move(fields));
}

//===----------------------------------------------------------------------===//
// Epoch: one pass over the batches, with its worker threads
//===----------------------------------------------------------------------===//

class DataLoader::Epoch {
public:
  Epoch(std::shared_ptr<const Dataset> dataset,
        const DataLoaderOptions &options, std::vector<int64_t> order,
        int64_t numBatches)
      : dataset_(std::move(dataset)), options_(options),
        order_(std::move(order)), numBatches_(numBatches) {
    try {
      for (int64_t w = 0; w < options_.num_workers(); ++w)
        workers_.emplace_back([this, w] { runWorker(w); });
    } catch (...) {
      stopWorkers(); // no destructor runs for a half-made Epoch
      throw;
    }
  }

  ~Epoch() { stopWorkers(); }

  /// Makes the next batch current(); false when the epoch is over. Rethrows
  /// the exception that fetching the batch raised.
  bool advance() {
    if (nextToYield_ >= numBatches_)
      return false;
    if (workers_.empty()) {
      current_ = fetch(nextToYield_++, "DataLoader");
      return true;
    }
    Fetched fetched;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      batchReady_.wait(lock, [&] { return ready_.count(nextToYield_) != 0; });
      auto it = ready_.find(nextToYield_);
      fetched = std::move(it->second);
      ready_.erase(it);
      ++nextToYield_;
    }
    roomForMore_.notify_all();
    if (fetched.error)
      std::rethrow_exception(fetched.error);
    current_ = std::move(fetched.batch);
    return true;
  }

  Example &current() { return current_; }

private:
  struct Fetched {
    Example batch;
    std::exception_ptr error;
  };

  /// Reads and collates batch `b`; errors name the batch and the example.
  Example fetch(int64_t b, const std::string &who) const {
    int64_t begin = b * options_.batch_size();
    int64_t end = std::min<int64_t>(begin + options_.batch_size(),
                                    static_cast<int64_t>(order_.size()));
    std::vector<Example> examples;
    examples.reserve(end - begin);
    for (int64_t i = begin; i < end; ++i) {
      try {
        examples.push_back(dataset_->get(order_[i]));
      } catch (const std::exception &e) {
        throw Error(who + ": batch " + std::to_string(b) + ", example " +
                    std::to_string(order_[i]) + ": " + e.what());
      }
    }
    try {
      return options_.collate_fn()(std::move(examples));
    } catch (const std::exception &e) {
      throw Error(who + ": collating batch " + std::to_string(b) + ": " +
                  e.what());
    }
  }

  /// Workers finish the batch they are fetching, if any, and exit.
  void stopWorkers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    roomForMore_.notify_all();
    for (std::thread &worker : workers_)
      worker.join();
  }

  void runWorker(int64_t worker) {
    std::string who = "DataLoader worker " + std::to_string(worker);
    int64_t capacity = options_.num_workers() * options_.prefetch_factor();
    for (;;) {
      int64_t b;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        roomForMore_.wait(lock, [&] {
          return stopping_ || nextToFetch_ >= numBatches_ ||
                 nextToFetch_ < nextToYield_ + capacity;
        });
        if (stopping_ || nextToFetch_ >= numBatches_)
          return;
        b = nextToFetch_++;
      }
      Fetched fetched;
      try {
        fetched.batch = fetch(b, who);
      } catch (...) {
        fetched.error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ready_.emplace(b, std::move(fetched));
      }
      batchReady_.notify_all();
    }
  }

  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  std::vector<int64_t> order_;
  int64_t numBatches_;
  Example current_;

  // Shared with the workers, under mutex_.
  std::mutex mutex_;
  std::condition_variable batchReady_;
  std::condition_variable roomForMore_;
  std::map<int64_t, Fetched> ready_;
  int64_t nextToFetch_ = 0;
  int64_t nextToYield_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

//===----------------------------------------------------------------------===//
// DataLoader
//===----------------------------------------------------------------------===//

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset,
                       DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)),
      shuffleEngine_(options_.seed()) {
  if (!dataset_)
    throw Error("DataLoader: the dataset is null");
  if (options_.batch_size() < 1)
    throw Error("DataLoader: batch_size should be a positive integer, got " +
                std::to_string(options_.batch_size()));
  if (options_.num_workers() < 0)
    throw Error("DataLoader: num_workers option should be non-negative, got " +
                std::to_string(options_.num_workers()));
  if (options_.prefetch_factor() < 1)
    throw Error("DataLoader: prefetch_factor should be a positive integer, "
                "got " +
                std::to_string(options_.prefetch_factor()));
  if (!options_.collate_fn())
    throw Error("DataLoader: collate_fn is empty");
}

int64_t DataLoader::size() const {
  int64_t n = dataset_->size(), b = options_.batch_size();
  return options_.drop_last() ? n / b : (n + b - 1) / b;
}

DataLoader::Iterator DataLoader::begin() {
  std::vector<int64_t> order;
  if (options_.shuffle()) {
    order = detail::randomPermutation(dataset_->size(), shuffleEngine_);
  } else {
    order.resize(dataset_->size());
    std::iota(order.begin(), order.end(), 0);
  }
  auto epoch =
      std::make_shared<Epoch>(dataset_, options_, std::move(order), size());
  if (!epoch->advance())
    return end();
  return Iterator(std::move(epoch));
}

Example &DataLoader::Iterator::operator*() const {
  if (!epoch_)
    throw Error("DataLoader: dereferencing the end iterator");
  return epoch_->current();
}

DataLoader::Iterator &DataLoader::Iterator::operator++() {
  if (!epoch_)
    throw Error("DataLoader: incrementing the end iterator");
  if (!epoch_->advance())
    epoch_.reset();
  return *this;
}

bool DataLoader::Iterator::operator==(const Iterator &other) const {
  return epoch_ == other.epoch_;
}

} // namespace nnc::data
