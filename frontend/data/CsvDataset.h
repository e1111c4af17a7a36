//===- frontend/data/CsvDataset.h - CSV files as a Dataset ------*- C++ -*-===//
//
// The seeds' WaterDataset in C++: every row of a numeric CSV file is one
// example {features, target}, the features a float32 [F] tensor and the
// target a 0-d float32 (regression) or int64 (class index) tensor.
//
//   auto water = std::make_shared<nnc::data::CsvDataset>("water.csv",
//       nnc::data::CsvDatasetOptions().target_column("Potability"));
//
// Parsing follows pandas.read_csv's defaults where they matter here: the
// first line is the header, blank lines are skipped, fields may be quoted
// ("a,b" with "" for a quote), and an empty field or NA, N/A, NaN, nan, null,
// NULL is a missing value, read as NaN. The seed's WaterDataset keeps such
// rows (df.to_numpy() keeps NaN); dropna(true) drops them, as df.dropna().
// Anything else that is not a number is an error naming file, line and
// column, as is a row with the wrong number of fields.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_DATA_CSVDATASET_H
#define NNC_FRONTEND_DATA_CSVDATASET_H

#include "frontend/data/Dataset.h"

#include <optional>
#include <string>
#include <vector>

namespace nnc::data {

class CsvDatasetOptions {
public:
  /// The target's column by header name (needs header(true)).
  CsvDatasetOptions &target_column(std::string name) {
    targetName_ = std::move(name);
    return *this;
  }
  /// The target's column by position, negative from the end; the default
  /// is -1, the last column (the seed's data[idx, -1]).
  CsvDatasetOptions &target_index(int64_t index) {
    targetName_.reset();
    targetIndex_ = index;
    return *this;
  }
  /// Feature columns by header name, in this order; the default is every
  /// column but the target, in file order.
  CsvDatasetOptions &feature_columns(std::vector<std::string> names) {
    featureNames_ = std::move(names);
    return *this;
  }
  /// Whether the first line names the columns (pandas' header=0); without
  /// one, columns are named by position.
  CsvDatasetOptions &header(bool value) {
    header_ = value;
    return *this;
  }
  CsvDatasetOptions &delimiter(char value) {
    delimiter_ = value;
    return *this;
  }
  /// kFloat32 (regression, BCE) or kInt64 (class indices for
  /// cross_entropy; values must be whole numbers).
  CsvDatasetOptions &target_dtype(ScalarType value) {
    targetDtype_ = value;
    return *this;
  }
  /// Drops rows with a missing value in a feature or the target column.
  CsvDatasetOptions &dropna(bool value) {
    dropna_ = value;
    return *this;
  }

  const std::optional<std::string> &target_column() const {
    return targetName_;
  }
  int64_t target_index() const { return targetIndex_; }
  const std::optional<std::vector<std::string>> &feature_columns() const {
    return featureNames_;
  }
  bool header() const { return header_; }
  char delimiter() const { return delimiter_; }
  ScalarType target_dtype() const { return targetDtype_; }
  bool dropna() const { return dropna_; }

private:
  std::optional<std::string> targetName_;
  int64_t targetIndex_ = -1;
  std::optional<std::vector<std::string>> featureNames_;
  bool header_ = true;
  char delimiter_ = ',';
  ScalarType targetDtype_ = kFloat32;
  bool dropna_ = false;
};

/// A TensorDataset of features() [N, F] and targets() [N], read from `path`
/// when constructed.
class CsvDataset : public TensorDataset {
public:
  explicit CsvDataset(const std::string &path,
                      const CsvDatasetOptions &options = CsvDatasetOptions());

  const Tensor &features() const { return tensors()[0]; }
  const Tensor &targets() const { return tensors()[1]; }
  /// The features' column names, in the order of features()' columns (the
  /// positions as text without a header).
  const std::vector<std::string> &feature_names() const {
    return featureNames_;
  }
  const std::string &target_name() const { return targetName_; }
  /// Rows dropped by dropna(true).
  int64_t dropped_rows() const { return droppedRows_; }

private:
  struct Parsed;
  static Parsed parse(const std::string &path,
                      const CsvDatasetOptions &options);
  explicit CsvDataset(Parsed parsed);

  std::vector<std::string> featureNames_;
  std::string targetName_;
  int64_t droppedRows_ = 0;
};

} // namespace nnc::data

#endif // NNC_FRONTEND_DATA_CSVDATASET_H
