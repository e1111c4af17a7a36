//===- test/unit/DataTest.cpp - nnc::data ---------------------------------===//
//
// Datasets, random_split, the DataLoader (batching, shuffling, workers,
// errors, early exit), the CSV and IDX readers and MNIST against PyTorch's
// values (test/golden/data), one_hot, and bad input for every reader.
//
//===----------------------------------------------------------------------===//
#include "frontend/data/Data.h"
#include "frontend/nn/OneHot.h"

#include "test/unit/DataTestUtil.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <numeric>
#include <set>
#include <thread>

namespace {

using namespace nnc;
using namespace nnc::data;
using nnc::nn::functional::one_hot;
using nnc::testing::goldenPath;
using nnc::testing::loadGolden;
using nnc::testing::sameTensor;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

/// [n, 2] float rows {i, 10 i} and int64 labels i % 3.
std::shared_ptr<TensorDataset> rowsDataset(int64_t n) {
  std::vector<float> x;
  std::vector<int64_t> y;
  for (int64_t i = 0; i < n; ++i) {
    x.push_back(i);
    x.push_back(10 * i);
    y.push_back(i % 3);
  }
  return std::make_shared<TensorDataset>(nnc::tensor(x, {n, 2}),
                                         nnc::tensor(y, {n}));
}

/// The example indices of a batch of rowsDataset (its first column).
std::vector<int64_t> indicesOf(const Example &batch) {
  std::vector<int64_t> indices;
  Tensor x = batch[0];
  for (int64_t i = 0; i < x.size(0); ++i)
    indices.push_back(static_cast<int64_t>(x.data_ptr<float>()[i * 2]));
  return indices;
}

/// Every example index of one epoch, in the order the loader gave them.
std::vector<int64_t> epochOrder(DataLoader &loader) {
  std::vector<int64_t> order;
  for (Example &batch : loader)
    for (int64_t i : indicesOf(batch))
      order.push_back(i);
  return order;
}

//===----------------------------------------------------------------------===//
// Example, TensorDataset, Subset, random_split
//===----------------------------------------------------------------------===//

TEST(Dataset, TensorDatasetIndexesDimZeroWithViews) {
  auto dataset = rowsDataset(5);
  EXPECT_EQ(dataset->size(), 5);
  Example example = dataset->get(3);
  ASSERT_EQ(example.size(), 2u);
  auto &[x, y] = example;
  EXPECT_TRUE(sameTensor(x, nnc::tensor({3.0f, 30.0f})));
  EXPECT_TRUE(sameTensor(y, nnc::tensor(std::vector<int64_t>{0}, {})));
  EXPECT_TRUE(x.is_same_storage(dataset->tensors()[0]));
  EXPECT_TRUE(sameTensor(example.data(), x));
  EXPECT_TRUE(sameTensor(example.target(), y));
}

TEST(Dataset, TensorDatasetTakesAnyNumberOfTensors) {
  TensorDataset single(nnc::zeros({4, 3}));
  EXPECT_EQ(single.get(0).size(), 1u);
  TensorDataset triple(nnc::zeros({4, 3}), nnc::ones({4}),
                       nnc::full({4, 2, 2}, 2.0f));
  Example example = triple.get(1);
  ASSERT_EQ(example.size(), 3u);
  EXPECT_EQ(example[2].sizes(), (IntList{2, 2}));
  auto bindPair = [&] {
    auto &[data, target] = example;
    return data.defined() && target.defined();
  };
  EXPECT_THAT(bindPair, ThrowsMessage<Error>(
                            HasSubstr("needs 2 fields, this one has 3")));
  EXPECT_THAT([&] { (void)example[3]; },
              ThrowsMessage<Error>(HasSubstr("no field 3")));
}

TEST(Dataset, TensorDatasetRejectsBadTensors) {
  EXPECT_THAT(
      [] {
        TensorDataset(nnc::zeros({5, 3}), nnc::zeros({4}));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("size mismatch"),
                                 HasSubstr("[5, 3]"), HasSubstr("[4]"))));
  EXPECT_THAT([] { TensorDataset(nnc::scalar_tensor(1)); },
              ThrowsMessage<Error>(HasSubstr("tensor 0 is 0-d")));
  EXPECT_THAT([] { TensorDataset(std::vector<Tensor>{}); },
              ThrowsMessage<Error>(HasSubstr("at least one tensor")));
  EXPECT_THAT([] { rowsDataset(5)->get(5); },
              ThrowsMessage<Error>(HasSubstr(
                  "index 5 is out of range for a dataset of 5 examples")));
}

TEST(Dataset, SubsetPicksByIndex) {
  auto dataset = rowsDataset(10);
  Subset subset(dataset, {7, 2, 2});
  EXPECT_EQ(subset.size(), 3);
  EXPECT_TRUE(sameTensor(subset.get(0)[0], nnc::tensor({7.0f, 70.0f})));
  EXPECT_TRUE(sameTensor(subset.get(2)[0], nnc::tensor({2.0f, 20.0f})));
  EXPECT_THAT(
      [&] {
        Subset(dataset, {1, 10});
      },
      ThrowsMessage<Error>(
          HasSubstr("indices[1] = 10 is out of range for a dataset of 10")));
}

TEST(Dataset, RandomSplitByCountsIsASeededPartition) {
  auto dataset = rowsDataset(100);
  auto splits = random_split(dataset, {80, 20}, 42);
  ASSERT_EQ(splits.size(), 2u);
  EXPECT_EQ(splits[0]->size(), 80);
  EXPECT_EQ(splits[1]->size(), 20);
  std::set<int64_t> all(splits[0]->indices().begin(),
                        splits[0]->indices().end());
  all.insert(splits[1]->indices().begin(), splits[1]->indices().end());
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(random_split(dataset, {80, 20}, 42)[1]->indices(),
            splits[1]->indices());
  EXPECT_NE(random_split(dataset, {80, 20}, 43)[1]->indices(),
            splits[1]->indices());
  // Shuffled, not the first 80 in order.
  std::vector<int64_t> first80(80);
  std::iota(first80.begin(), first80.end(), 0);
  EXPECT_NE(splits[0]->indices(), first80);
}

TEST(Dataset, RandomSplitByFractionsAsPyTorch) {
  auto dataset = rowsDataset(11);
  // floor(5.5) = 5 each, the remaining example goes to split 0.
  auto halves = random_split(dataset, {0.5, 0.5}, 0);
  EXPECT_EQ(halves[0]->size(), 6);
  EXPECT_EQ(halves[1]->size(), 5);
  auto thirds = random_split(rowsDataset(10), {0.5, 0.3, 0.2}, 0);
  EXPECT_EQ(thirds[0]->size(), 5);
  EXPECT_EQ(thirds[1]->size(), 3);
  EXPECT_EQ(thirds[2]->size(), 2);
}

TEST(Dataset, RandomSplitRejectsBadLengths) {
  auto dataset = rowsDataset(100);
  EXPECT_THAT(
      [&] {
        random_split(dataset, {80, 10}, 0);
      },
      ThrowsMessage<Error>(
          HasSubstr("sum of input lengths (90) does not equal the length of "
                    "the input dataset (100)")));
  EXPECT_THAT(
      [&] {
        random_split(dataset, {50.5, 49.5}, 0);
      },
      ThrowsMessage<Error>(HasSubstr("length 50.5 is neither")));
  EXPECT_THAT([&] { random_split(dataset, {}, 0); },
              ThrowsMessage<Error>(HasSubstr("at least one length")));
}

//===----------------------------------------------------------------------===//
// DataLoader
//===----------------------------------------------------------------------===//

TEST(DataLoader, BatchesInOrderWithAShortLastBatch) {
  DataLoader loader(rowsDataset(10), DataLoaderOptions().batch_size(4));
  EXPECT_EQ(loader.size(), 3);
  std::vector<std::vector<int64_t>> batches;
  for (auto &[x, y] : loader) {
    EXPECT_EQ(x.dtype(), kFloat32);
    EXPECT_EQ(y.dtype(), kInt64);
    EXPECT_EQ(y.dim(), 1);
    EXPECT_EQ(y.size(0), x.size(0));
    batches.push_back(indicesOf(Example{x, y}));
  }
  EXPECT_EQ(batches, (std::vector<std::vector<int64_t>>{
                         {0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}));
  Example first = *loader.begin();
  EXPECT_TRUE(
      sameTensor(first[1], nnc::tensor(std::vector<int64_t>{0, 1, 2, 0}, {4})));
  EXPECT_EQ(first[0].sizes(), (IntList{4, 2}));
}

TEST(DataLoader, TakesADatasetByValue) {
  DataLoader loader(TensorDataset(nnc::zeros({5, 2}), nnc::ones({5})),
                    DataLoaderOptions(2));
  EXPECT_EQ(loader.size(), 3);
  EXPECT_EQ(loader.dataset()->size(), 5);
}

TEST(DataLoader, DropLastDropsTheShortBatch) {
  DataLoader loader(rowsDataset(10),
                    DataLoaderOptions().batch_size(4).drop_last(true));
  EXPECT_EQ(loader.size(), 2);
  EXPECT_EQ(epochOrder(loader).size(), 8u);
  DataLoader exact(rowsDataset(8),
                   DataLoaderOptions().batch_size(4).drop_last(true));
  EXPECT_EQ(exact.size(), 2);
}

TEST(DataLoader, EmptyAndTinyDatasets) {
  auto dataset = rowsDataset(3);
  DataLoader empty(std::make_shared<Subset>(dataset, std::vector<int64_t>{}),
                   DataLoaderOptions(4).num_workers(2));
  EXPECT_EQ(empty.size(), 0);
  EXPECT_TRUE(empty.begin() == empty.end());
  // More workers than batches.
  DataLoader tiny(dataset, DataLoaderOptions(4).num_workers(4));
  EXPECT_EQ(epochOrder(tiny), (std::vector<int64_t>{0, 1, 2}));
}

TEST(DataLoader, OverASplit) {
  auto splits = random_split(rowsDataset(30), {0.8, 0.2}, 5);
  DataLoader validation(splits[1], DataLoaderOptions(4));
  EXPECT_EQ(validation.size(), 2);
  EXPECT_EQ(epochOrder(validation), splits[1]->indices());
}

TEST(DataLoader, ShuffleReshufflesEachEpochReproducibly) {
  auto dataset = rowsDataset(50);
  auto options = DataLoaderOptions().batch_size(8).shuffle(true).seed(42);
  DataLoader loader(dataset, options);
  std::vector<int64_t> epoch1 = epochOrder(loader);
  std::vector<int64_t> epoch2 = epochOrder(loader);
  std::vector<int64_t> sorted = epoch1;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(50);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(epoch1, identity);
  EXPECT_NE(epoch1, epoch2);
  // A new loader with the same seed replays the same epochs.
  DataLoader again(dataset, options);
  EXPECT_EQ(epochOrder(again), epoch1);
  EXPECT_EQ(epochOrder(again), epoch2);
  DataLoader otherSeed(dataset, DataLoaderOptions(8).shuffle(true).seed(7));
  EXPECT_NE(epochOrder(otherSeed), epoch1);
}

TEST(DataLoader, WorkersGiveTheSameBatchesInOrder) {
  auto dataset = rowsDataset(103);
  auto options = DataLoaderOptions().batch_size(5).shuffle(true).seed(3);
  DataLoader serial(dataset, options);
  DataLoader parallel(dataset, DataLoaderOptions(options).num_workers(3));
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::vector<Example> expected;
    for (Example &batch : serial)
      expected.push_back(batch);
    size_t b = 0;
    for (Example &batch : parallel) {
      ASSERT_LT(b, expected.size());
      EXPECT_TRUE(sameTensor(batch[0], expected[b][0]));
      EXPECT_TRUE(sameTensor(batch[1], expected[b][1]));
      ++b;
    }
    EXPECT_EQ(b, expected.size());
  }
}

/// A dataset whose example `bad` throws, and that counts get() calls.
class FlakyDataset : public Dataset {
public:
  FlakyDataset(int64_t size, int64_t bad) : size_(size), bad_(bad) {}
  int64_t size() const override { return size_; }
  Example get(int64_t index) const override {
    ++calls;
    if (index == bad_)
      throw Error("cannot decode record " + std::to_string(index));
    return Example{nnc::full({2}, static_cast<float>(index))};
  }
  mutable std::atomic<int64_t> calls{0};

private:
  int64_t size_, bad_;
};

TEST(DataLoader, ExceptionsNameTheBatchAndExample) {
  auto dataset = std::make_shared<FlakyDataset>(20, 7);
  DataLoader serial(dataset, DataLoaderOptions(4));
  auto consume = [](DataLoader &loader) {
    int64_t batches = 0;
    for (Example &batch : loader) {
      (void)batch;
      ++batches;
    }
    return batches;
  };
  EXPECT_THAT([&] { consume(serial); },
              ThrowsMessage<Error>(
                  HasSubstr("DataLoader: batch 1, example 7: cannot decode "
                            "record 7")));
  DataLoader parallel(dataset, DataLoaderOptions(4).num_workers(2));
  EXPECT_THAT([&] { consume(parallel); },
              ThrowsMessage<Error>(AllOf(
                  HasSubstr("DataLoader worker "),
                  HasSubstr("batch 1, example 7: cannot decode record 7"))));
  // Batch 0 arrives before the error, in order.
  auto it = parallel.begin();
  EXPECT_EQ(indicesOf(*it), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_THROW(++it, Error);
}

TEST(DataLoader, LeavingTheLoopEarlyStopsTheWorkers) {
  auto dataset = std::make_shared<FlakyDataset>(10000, -1);
  DataLoader loader(dataset,
                    DataLoaderOptions(10).num_workers(2).prefetch_factor(2));
  for (Example &batch : loader) {
    EXPECT_EQ(batch[0].sizes(), (IntList{10, 2}));
    break;
  }
  // The workers are joined: they fetched at most the first batch, the
  // prefetch window of 2 x 2 batches and one batch each in flight.
  int64_t calls = dataset->calls;
  EXPECT_LE(calls, (1 + 4 + 2) * 10);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(dataset->calls, calls);
}

TEST(DataLoader, CustomCollateAndCollateErrors) {
  auto options = DataLoaderOptions(3).collate_fn([](std::vector<Example> in) {
    return Example{nnc::scalar_tensor(static_cast<float>(in.size()))};
  });
  DataLoader loader(rowsDataset(7), options);
  std::vector<float> sizes;
  for (Example &batch : loader)
    sizes.push_back(batch[0].item<float>());
  EXPECT_EQ(sizes, (std::vector<float>{3, 3, 1}));

  std::vector<Example> mixed = {Example{nnc::zeros({3})},
                                Example{nnc::zeros({4})}};
  EXPECT_THAT([&] { default_collate(mixed); },
              ThrowsMessage<Error>(HasSubstr(
                  "field 0 of example 1 is Float [4], example 0's is Float "
                  "[3]")));
  EXPECT_THAT(
      [&] {
        default_collate({Example{nnc::zeros({3})},
                         Example{nnc::zeros({3}), nnc::zeros({1})}});
      },
      ThrowsMessage<Error>(HasSubstr("example 1 has 2 fields, example 0 has "
                                     "1")));
  EXPECT_THAT([&] { default_collate({}); },
              ThrowsMessage<Error>(HasSubstr("no examples")));
}

TEST(DataLoader, CollatesNonContiguousExamples) {
  // Rows of a transposed tensor are strided views.
  Tensor x = nnc::tensor({1, 2, 3, 4, 5, 6}, {2, 3}).t();
  DataLoader loader(std::make_shared<TensorDataset>(x), DataLoaderOptions(3));
  Example batch = *loader.begin();
  EXPECT_TRUE(sameTensor(batch[0], x.contiguous()));
}

TEST(DataLoader, RejectsBadOptions) {
  auto dataset = rowsDataset(4);
  EXPECT_THAT([&] { DataLoader(dataset, DataLoaderOptions(0)); },
              ThrowsMessage<Error>(HasSubstr("batch_size should be a "
                                             "positive integer, got 0")));
  EXPECT_THAT([&] { DataLoader(dataset, DataLoaderOptions().num_workers(-1)); },
              ThrowsMessage<Error>(HasSubstr("num_workers")));
  EXPECT_THAT([&] { DataLoader(nullptr); },
              ThrowsMessage<Error>(HasSubstr("the dataset is null")));
}

//===----------------------------------------------------------------------===//
// CsvDataset
//===----------------------------------------------------------------------===//

TEST(CsvDataset, WaterMatchesPandas) {
  auto golden = loadGolden("data/csv_expected.safetensors");
  CsvDataset water(goldenPath("data/water.csv"),
                   CsvDatasetOptions().target_column("Potability"));
  EXPECT_EQ(water.size(), 12);
  EXPECT_TRUE(sameTensor(water.features(), golden.at("water_features")));
  EXPECT_TRUE(sameTensor(water.targets(), golden.at("water_targets")));
  EXPECT_EQ(water.feature_names().size(), 9u);
  EXPECT_EQ(water.feature_names()[0], "ph");
  EXPECT_EQ(water.target_name(), "Potability");
  // The default target is the last column, as the seed's data[idx, -1].
  CsvDataset byPosition(goldenPath("data/water.csv"));
  EXPECT_TRUE(sameTensor(byPosition.features(), water.features()));
  auto [features, label] = water.get(2);
  EXPECT_TRUE(std::isnan(features.data_ptr<float>()[0]));
  EXPECT_EQ(label.dim(), 0);
}

TEST(CsvDataset, DropnaAndLongTargets) {
  auto golden = loadGolden("data/csv_expected.safetensors");
  CsvDataset water(goldenPath("data/water.csv"),
                   CsvDatasetOptions()
                       .target_column("Potability")
                       .target_dtype(kInt64)
                       .dropna(true));
  EXPECT_EQ(water.dropped_rows(), 3);
  EXPECT_TRUE(sameTensor(water.features(), golden.at("water_dropna_features")));
  EXPECT_TRUE(sameTensor(water.targets(), golden.at("water_dropna_targets")));
}

TEST(CsvDataset, QuotesDelimitersCrlfAndBlankLines) {
  auto golden = loadGolden("data/csv_expected.safetensors");
  CsvDataset data(
      goldenPath("data/semicolon.csv"),
      CsvDatasetOptions().delimiter(';').target_column("label").target_dtype(
          kInt64));
  EXPECT_EQ(data.feature_names(), (std::vector<std::string>{"a", "b;c", "d"}));
  EXPECT_TRUE(sameTensor(data.features(), golden.at("semicolon_features")));
  EXPECT_TRUE(sameTensor(data.targets(), golden.at("semicolon_targets")));
  CsvDataset chosen(
      goldenPath("data/semicolon.csv"),
      CsvDatasetOptions().delimiter(';').feature_columns({"d", "a"}));
  EXPECT_TRUE(sameTensor(
      chosen.features(),
      nnc::tensor({-300.0f, 1.5f, 0.001f, 4.0f, INFINITY, -0.5f}, {3, 2})));
}

TEST(CsvDataset, WithoutHeader) {
  auto golden = loadGolden("data/csv_expected.safetensors");
  CsvDataset data(goldenPath("data/noheader.csv"),
                  CsvDatasetOptions().header(false).target_index(0));
  EXPECT_TRUE(sameTensor(data.features(), golden.at("noheader_features")));
  EXPECT_TRUE(sameTensor(data.targets(), golden.at("noheader_targets")));
  EXPECT_EQ(data.feature_names(), (std::vector<std::string>{"1", "2"}));
  EXPECT_THAT(
      [] {
        CsvDataset(goldenPath("data/noheader.csv"),
                   CsvDatasetOptions().header(false).target_column("x"));
      },
      ThrowsMessage<Error>(HasSubstr("header(false) gives columns no names")));
}

TEST(CsvDataset, BadFilesNameFileLineAndColumn) {
  auto open = [](const std::string &name,
                 CsvDatasetOptions options = CsvDatasetOptions()) {
    return [name, options] { CsvDataset(goldenPath("data/" + name), options); };
  };
  EXPECT_THAT(open("missing.csv"),
              ThrowsMessage<Error>(AllOf(HasSubstr("cannot open"),
                                         HasSubstr("missing.csv': No such "
                                                   "file or directory"))));
  EXPECT_THAT(open("ragged.csv"),
              ThrowsMessage<Error>(
                  HasSubstr("ragged.csv:4: expected 10 fields, got 9")));
  EXPECT_THAT(open("nonnumeric.csv"),
              ThrowsMessage<Error>(HasSubstr(
                  "nonnumeric.csv:5, column 'ph': 'abc' is not a number")));
  EXPECT_THAT(open("water.csv", CsvDatasetOptions().target_column("Potabilty")),
              ThrowsMessage<Error>(AllOf(HasSubstr("has no column 'Potabilty'"),
                                         HasSubstr("'Turbidity', "
                                                   "'Potability'"))));
  EXPECT_THAT(open("water.csv", CsvDatasetOptions().target_index(10)),
              ThrowsMessage<Error>(
                  HasSubstr("target_index 10 is out of range for 10 columns")));
  EXPECT_THAT(open("empty.csv"), ThrowsMessage<Error>(HasSubstr("is empty")));
  EXPECT_THAT(open("header_only.csv"),
              ThrowsMessage<Error>(HasSubstr("has no data rows")));
  EXPECT_THAT(
      open("fractional_label.csv", CsvDatasetOptions().target_dtype(kInt64)),
      ThrowsMessage<Error>(HasSubstr("fractional_label.csv:3, column 'y': "
                                     "'0.5' is not a whole number")));
  EXPECT_THAT(
      open("missing_label.csv", CsvDatasetOptions().target_dtype(kInt64)),
      ThrowsMessage<Error>(HasSubstr(
          "missing_label.csv:3, column 'y': missing value in an int64 target "
          "(use dropna(true))")));
  EXPECT_EQ(CsvDataset(goldenPath("data/missing_label.csv"),
                       CsvDatasetOptions().target_dtype(kInt64).dropna(true))
                .size(),
            1);
  EXPECT_THAT(open("unclosed_quote.csv"),
              ThrowsMessage<Error>(HasSubstr(
                  "unclosed_quote.csv:3: quoted field not closed on its "
                  "line")));
  EXPECT_THAT(
      open("water.csv",
           CsvDatasetOptions().target_column("ph").target_dtype(kInt64)),
      ThrowsMessage<Error>(HasSubstr(
          "water.csv:2, column 'ph': '0.426352' is not a whole number")));
}

//===----------------------------------------------------------------------===//
// read_idx
//===----------------------------------------------------------------------===//

TEST(ReadIdx, EveryTypeAsTorchvisionReadsIt) {
  auto golden = loadGolden("data/idx_expected.safetensors");
  for (const char *name : {"u8", "i8", "i16", "i32", "f32", "f64", "empty"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(sameTensor(read_idx(goldenPath("data/") + name + ".idx"),
                           golden.at(name)));
  }
  IdxArray raw = read_idx_array(goldenPath("data/i16.idx"));
  EXPECT_EQ(raw.type, IdxType::Int16);
  EXPECT_EQ(raw.shape, (IntList{2, 3}));
  EXPECT_EQ(raw.bytes.size(), 12u);
}

TEST(ReadIdx, GzipAndFloatConversion) {
  auto golden = loadGolden("data/idx_expected.safetensors");
  EXPECT_TRUE(
      sameTensor(read_idx(goldenPath("data/u8.idx.gz")), golden.at("u8")));
  EXPECT_TRUE(sameTensor(read_idx(goldenPath("data/u8.idx"), kFloat32),
                         golden.at("u8_float")));
  EXPECT_EQ(read_idx(goldenPath("data/u8.idx")).dtype(), kUInt8);
  EXPECT_EQ(read_idx(goldenPath("data/i16.idx")).dtype(), kInt32);
  EXPECT_EQ(read_idx(goldenPath("data/f64.idx")).dtype(), kFloat64);
  EXPECT_EQ(read_idx(goldenPath("data/f32.idx"), kInt64).dtype(), kInt64);
}

TEST(ReadIdx, BadFilesSayWhatIsWrong) {
  auto read = [](const std::string &name) {
    return [name] { read_idx(goldenPath("data/" + name)); };
  };
  EXPECT_THAT(read("missing.idx"),
              ThrowsMessage<Error>(HasSubstr("missing.idx': No such file")));
  EXPECT_THAT(read("bad_magic.idx"),
              ThrowsMessage<Error>(AllOf(HasSubstr("bad_magic.idx"),
                                         HasSubstr("bad magic number "
                                                   "0x01000802"))));
  EXPECT_THAT(read("bad_type.idx"),
              ThrowsMessage<Error>(HasSubstr("unsupported IDX type code "
                                             "0x0a")));
  EXPECT_THAT(read("short_header.idx"),
              ThrowsMessage<Error>(HasSubstr("file has 3 bytes, too short")));
  EXPECT_THAT(read("short_dims.idx"),
              ThrowsMessage<Error>(HasSubstr(
                  "the header of 3 dims needs 16 bytes, file has 8")));
  EXPECT_THAT(read("truncated.idx"),
              ThrowsMessage<Error>(HasSubstr(
                  "truncated.idx: expected 7840 bytes of data for uint8 "
                  "[10, 28, 28], file has 1000")));
  EXPECT_THAT(read("extra_data.idx"),
              ThrowsMessage<Error>(HasSubstr("expected 3 bytes of data for "
                                             "uint8 [3], file has 4")));
  EXPECT_THAT(read("huge_dims.idx"),
              ThrowsMessage<Error>(HasSubstr(
                  "expected over 2^64 bytes of data for float64 [4294967295, "
                  "4294967295, 4294967295, 4294967295], file has 8")));
  EXPECT_THAT(read("truncated.idx.gz"),
              ThrowsMessage<Error>(HasSubstr("truncated gzip data")));
  EXPECT_THAT(read("corrupt.idx.gz"),
              ThrowsMessage<Error>(HasSubstr("corrupt gzip data")));
}

//===----------------------------------------------------------------------===//
// MNIST
//===----------------------------------------------------------------------===//

TEST(Mnist, ImagesAsToTensorMakesThem) {
  auto golden = loadGolden("data/mnist_expected.safetensors");
  MNIST train(goldenPath("data/mnist")); // .gz files
  ASSERT_EQ(train.size(), 4);
  EXPECT_TRUE(sameTensor(train.targets(), golden.at("train_labels")));
  TensorDataset images(golden.at("train_images"));
  for (int64_t i = 0; i < train.size(); ++i) {
    auto [image, label] = train.get(i);
    EXPECT_TRUE(sameTensor(image, images.get(i)[0]));
    EXPECT_EQ(label.dim(), 0);
    EXPECT_EQ(label.item<int64_t>(),
              golden.at("train_labels").data_ptr<int64_t>()[i]);
  }
}

TEST(Mnist, NormalizedTestSplitFromPlainFiles) {
  auto golden = loadGolden("data/mnist_expected.safetensors");
  MNIST test(goldenPath("data/mnist"), /*train=*/false,
             Normalize(0.2860f, 0.3530f));
  ASSERT_EQ(test.size(), 2);
  // Batched through the DataLoader: [B, 1, 28, 28] images, [B] labels.
  DataLoader loader(std::make_shared<MNIST>(test), DataLoaderOptions(2));
  Example batch = *loader.begin();
  auto &[images, labels] = batch;
  EXPECT_TRUE(sameTensor(images, golden.at("t10k_normalized")));
  EXPECT_TRUE(sameTensor(labels, golden.at("t10k_labels")));
}

TEST(Mnist, BadRootsAndMismatchedFiles) {
  EXPECT_THAT([] { MNIST(goldenPath("data/no-such-dir")); },
              ThrowsMessage<Error>(
                  HasSubstr("no-such-dir/train-images-idx3-ubyte nor")));
  EXPECT_THAT([] { MNIST(goldenPath("data/mnist_mismatch")); },
              ThrowsMessage<Error>(AllOf(HasSubstr("has 3 images but"),
                                         HasSubstr("has 2 labels"))));
  EXPECT_THAT([] { Normalize(0.5f, 0.0f); },
              ThrowsMessage<Error>(HasSubstr("division by zero")));
  EXPECT_THAT([] { MNIST(goldenPath("data/mnist")).get(4); },
              ThrowsMessage<Error>(HasSubstr("index 4 is out of range")));
}

TEST(Mnist, DebianFashionMnistWhenInstalled) {
  const std::string root = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(root + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  FashionMNIST test(root, /*train=*/false);
  EXPECT_EQ(test.size(), 10000);
  EXPECT_EQ(test.classes().at(9), "Ankle boot");
  auto [image, label] = test.get(0);
  EXPECT_EQ(image.sizes(), (IntList{1, 28, 28}));
  EXPECT_GE(label.item<int64_t>(), 0);
  EXPECT_LT(label.item<int64_t>(), 10);
  const float *pixels = image.data_ptr<float>();
  auto [low, high] = std::minmax_element(pixels, pixels + image.numel());
  EXPECT_GE(*low, 0.0f);
  EXPECT_LE(*high, 1.0f);
  EXPECT_GT(*high, *low);
}

//===----------------------------------------------------------------------===//
// one_hot
//===----------------------------------------------------------------------===//

TEST(OneHot, AsTorchNnFunctional) {
  auto golden = loadGolden("metrics/metrics_expected.safetensors");
  Tensor indices = golden.at("one_hot_input");
  EXPECT_TRUE(sameTensor(one_hot(indices, 5), golden.at("one_hot_5")));
  EXPECT_TRUE(sameTensor(one_hot(indices, 7), golden.at("one_hot_7")));
  EXPECT_TRUE(sameTensor(one_hot(indices), golden.at("one_hot_inferred")));
}

TEST(OneHot, RejectsBadIndices) {
  Tensor labels = nnc::tensor(std::vector<int64_t>{0, 3}, {2});
  EXPECT_THAT([&] { one_hot(labels, 3); },
              ThrowsMessage<Error>(HasSubstr(
                  "class values must be smaller than num_classes (3), got 3 "
                  "at index 1")));
  EXPECT_THAT([] { one_hot(nnc::tensor(std::vector<int64_t>{-1}, {1})); },
              ThrowsMessage<Error>(HasSubstr("must be non-negative")));
  EXPECT_THAT([] { one_hot(nnc::zeros({2})); },
              ThrowsMessage<Error>(HasSubstr("index tensor of type Long, got "
                                             "Float")));
  EXPECT_THAT([] { one_hot(nnc::tensor(std::vector<int64_t>{}, {0})); },
              ThrowsMessage<Error>(HasSubstr("can not infer total number of "
                                             "classes from empty tensor")));
}

} // namespace
