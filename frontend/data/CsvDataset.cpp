//===- frontend/data/CsvDataset.cpp - Numeric CSV files as a Dataset ------===//
#include "frontend/data/CsvDataset.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace nnc::data {

//===----------------------------------------------------------------------===//
// Reading fields
//===----------------------------------------------------------------------===//

namespace {

std::string trim(const std::string &text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos)
    return "";
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

/// The fields of one line: `delimiter` separates them except inside double
/// quotes, where "" is a quote. A quote left open (a field spanning lines,
/// which this reader does not support) throws, naming `where`.
std::vector<std::string> splitFields(const std::string &line, char delimiter,
                                     const std::string &where) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
        fields.back() += line[++i];
      else if (c == '"')
        quoted = false;
      else
        fields.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted)
    throw Error(where + ": quoted field not closed on its line");
  return fields;
}

/// pandas.read_csv's default missing-value markers that numeric data meets.
bool isMissing(const std::string &field) {
  static const char *const markers[] = {"",    "NA",   "N/A", "NaN",
                                        "nan", "null", "NULL"};
  return std::find_if(std::begin(markers), std::end(markers),
                      [&](const char *m) { return field == m; }) !=
         std::end(markers);
}

/// `field` as a number, or nullopt if it is not one. std::from_chars does
/// not depend on the locale, unlike strtod.
std::optional<double> parseNumber(const std::string &field) {
  const char *begin = field.data(), *end = field.data() + field.size();
  if (begin != end && *begin == '+')
    ++begin;
  double value;
  auto [stop, error] = std::from_chars(begin, end, value);
  if (error != std::errc() || stop != end || begin == end)
    return std::nullopt;
  return value;
}

/// One data line: where it is in the file and its fields.
struct Row {
  int64_t line;
  std::vector<std::string> fields;
};

} // namespace

//===----------------------------------------------------------------------===//
// CsvDataset
//===----------------------------------------------------------------------===//

struct CsvDataset::Parsed {
  std::vector<Tensor> tensors;
  std::vector<std::string> featureNames;
  std::string targetName;
  int64_t droppedRows = 0;
};

CsvDataset::CsvDataset(const std::string &path,
                       const CsvDatasetOptions &options)
    : CsvDataset(parse(path, options)) {}

CsvDataset::CsvDataset(Parsed parsed)
    : TensorDataset(std::move(parsed.tensors)),
      featureNames_(std::move(parsed.featureNames)),
      targetName_(std::move(parsed.targetName)),
      droppedRows_(parsed.droppedRows) {}

CsvDataset::Parsed CsvDataset::parse(const std::string &path,
                                     const CsvDatasetOptions &options) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw Error("CsvDataset: cannot open '" + path +
                "': " + std::strerror(errno));
  if (options.target_dtype() != kFloat32 && options.target_dtype() != kInt64)
    throw Error(std::string("CsvDataset: target_dtype must be Float or Long, "
                            "got ") +
                toString(options.target_dtype()));

  // "CsvDataset: water.csv:17", where errors are.
  auto where = [&](int64_t line) {
    return "CsvDataset: " + path + ":" + std::to_string(line);
  };

  // Lines, with blank ones skipped and "\r\n" endings accepted.
  std::vector<Row> rows;
  std::string line;
  for (int64_t number = 1; std::getline(file, line); ++number) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (trim(line).empty())
      continue;
    rows.push_back(
        {number, splitFields(line, options.delimiter(), where(number))});
  }
  if (rows.empty())
    throw Error("CsvDataset: " + path + " is empty");

  // Column names.
  size_t width = rows[0].fields.size();
  std::vector<std::string> columns;
  if (options.header()) {
    for (const std::string &name : rows[0].fields)
      columns.push_back(trim(name));
    rows.erase(rows.begin());
  } else {
    for (size_t c = 0; c < width; ++c)
      columns.push_back(std::to_string(c));
  }
  auto describe = [&](size_t c) {
    return options.header() ? "column '" + columns[c] + "'"
                            : "column " + columns[c];
  };
  auto columnNamed = [&](const std::string &name) -> size_t {
    if (!options.header())
      throw Error("CsvDataset: " + path + ": column '" + name +
                  "' asked for by name, but header(false) gives columns "
                  "no names (use target_index)");
    auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) {
      std::string all;
      for (const std::string &column : columns)
        all += (all.empty() ? "'" : ", '") + column + "'";
      throw Error("CsvDataset: " + path + " has no column '" + name +
                  "' (columns: " + all + ")");
    }
    if (std::find(it + 1, columns.end(), name) != columns.end())
      throw Error("CsvDataset: " + path + ": column name '" + name +
                  "' appears more than once");
    return it - columns.begin();
  };

  // Which columns are the target and the features.
  size_t target;
  if (options.target_column()) {
    target = columnNamed(*options.target_column());
  } else {
    int64_t index = options.target_index();
    int64_t count = static_cast<int64_t>(width);
    if (index < -count || index >= count)
      throw Error("CsvDataset: " + path + ": target_index " +
                  std::to_string(index) + " is out of range for " +
                  std::to_string(width) + " columns");
    target = index < 0 ? index + count : index;
  }
  std::vector<size_t> features;
  if (options.feature_columns()) {
    for (const std::string &name : *options.feature_columns())
      features.push_back(columnNamed(name));
  } else {
    for (size_t c = 0; c < width; ++c)
      if (c != target)
        features.push_back(c);
  }

  // Values, row by row.
  std::vector<float> featureValues;
  std::vector<float> floatTargets;
  std::vector<int64_t> intTargets;
  Parsed parsed;
  int64_t n = 0;
  std::vector<float> rowFeatures(features.size());
  for (const Row &row : rows) {
    if (row.fields.size() != width)
      throw Error(where(row.line) + ": expected " + std::to_string(width) +
                  " fields, got " + std::to_string(row.fields.size()));
    bool missing = false;
    auto value = [&](size_t c) {
      std::string field = trim(row.fields[c]);
      if (isMissing(field)) {
        missing = true;
        return std::numeric_limits<double>::quiet_NaN();
      }
      std::optional<double> number = parseNumber(field);
      if (!number)
        throw Error(where(row.line) + ", " + describe(c) + ": '" + field +
                    "' is not a number");
      return *number;
    };
    for (size_t f = 0; f < features.size(); ++f)
      rowFeatures[f] = static_cast<float>(value(features[f]));
    double targetValue = value(target);
    if (missing && options.dropna()) {
      ++parsed.droppedRows;
      continue;
    }
    ++n;
    featureValues.insert(featureValues.end(), rowFeatures.begin(),
                         rowFeatures.end());
    if (options.target_dtype() == kFloat32) {
      floatTargets.push_back(static_cast<float>(targetValue));
      continue;
    }
    if (std::isnan(targetValue))
      throw Error(where(row.line) + ", " + describe(target) +
                  ": missing value in an int64 target (use dropna(true))");
    if (targetValue != std::floor(targetValue) || std::abs(targetValue) > 9e15)
      throw Error(where(row.line) + ", " + describe(target) + ": '" +
                  trim(row.fields[target]) +
                  "' is not a whole number (target_dtype is Long)");
    intTargets.push_back(static_cast<int64_t>(targetValue));
  }

  if (n == 0)
    throw Error("CsvDataset: " + path + " has no data rows" +
                (parsed.droppedRows ? " left after dropna" : ""));
  parsed.tensors.push_back(nnc::tensor(
      std::move(featureValues), {n, static_cast<int64_t>(features.size())}));
  parsed.tensors.push_back(options.target_dtype() == kFloat32
                               ? nnc::tensor(std::move(floatTargets), {n})
                               : nnc::tensor(intTargets, {n}));
  for (size_t c : features)
    parsed.featureNames.push_back(columns[c]);
  parsed.targetName = columns[target];
  return parsed;
}

} // namespace nnc::data
