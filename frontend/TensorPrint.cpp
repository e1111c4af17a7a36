//===- frontend/TensorPrint.cpp - Printing tensors as PyTorch does --------===//
//
// A port of torch/_tensor_str.py (default print options: precision 4,
// threshold 1000, edgeitems 3, linewidth 80), so nnc and PyTorch print the
// same values the same way: floating dtypes through double, integers
// through int64, bools as True/False, and a `dtype=torch.float64` suffix
// for dtypes other than the defaults (Float, Long, Bool).
//
//===----------------------------------------------------------------------===//
#include "frontend/Tensor.h"

#include "frontend/Autograd.h"
#include "frontend/TensorInternal.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace nnc {

namespace {

constexpr int kPrecision = 4;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr int64_t kLineWidth = 80;

std::string formatDouble(const char *format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, kPrecision, value);
  return buffer;
}

/// One width and one notation for every element, chosen from the nonzero
/// finite values as PyTorch's _Formatter does.
class ElementFormatter {
public:
  explicit ElementFormatter(const std::vector<double> &values) {
    std::vector<double> nonzeroFinite;
    for (double v : values)
      if (std::isfinite(v) && v != 0.0)
        nonzeroFinite.push_back(v);
    if (nonzeroFinite.empty())
      return;
    double minAbs = INFINITY, maxAbs = 0;
    for (double v : nonzeroFinite) {
      minAbs = std::min(minAbs, std::abs(v));
      maxAbs = std::max(maxAbs, std::abs(v));
      if (v != std::ceil(v))
        intMode_ = false;
    }
    sciMode_ = maxAbs / minAbs > 1000.0 || maxAbs > 1e8 ||
               (!intMode_ && minAbs < 1e-4);
    for (double v : nonzeroFinite) {
      size_t width = sciMode_   ? formatDouble("%.*e", v).size()
                     : intMode_ ? formatDouble("%.0f", v).size() + 1
                                : formatDouble("%.*f", v).size();
      maxWidth_ = std::max(maxWidth_, width);
    }
  }

  size_t width() const { return maxWidth_; }

  std::string format(double value) const {
    std::string text;
    if (std::isnan(value))
      text = "nan";
    else if (std::isinf(value))
      text = value > 0 ? "inf" : "-inf";
    else if (sciMode_)
      text = formatDouble("%.*e", value);
    else if (intMode_)
      text = formatDouble("%.0f", value) + ".";
    else
      text = formatDouble("%.*f", value);
    if (text.size() < maxWidth_)
      text.insert(0, maxWidth_ - text.size(), ' ');
    return text;
  }

private:
  bool intMode_ = true;
  bool sciMode_ = false;
  size_t maxWidth_ = 1;
};

/// Integers print as they are (bools as True / False), right-aligned to
/// the widest printed one.
template <bool Boolean> class IntegerFormatter {
public:
  explicit IntegerFormatter(const std::vector<int64_t> &values) {
    for (int64_t v : values)
      maxWidth_ = std::max(maxWidth_, text(v).size());
  }
  size_t width() const { return maxWidth_; }
  std::string format(int64_t value) const {
    std::string padded = text(value);
    if (padded.size() < maxWidth_)
      padded.insert(0, maxWidth_ - padded.size(), ' ');
    return padded;
  }

private:
  static std::string text(int64_t value) {
    if (Boolean)
      return value ? "True" : "False";
    return std::to_string(value);
  }

  size_t maxWidth_ = 1;
};

/// Walks a tensor's elements through its strides, the way printing
/// visits them (only the edges of long dims when summarizing).
template <class Element, class Formatter> class TensorPrinter {
public:
  TensorPrinter(const Tensor &t, bool summarize)
      : sizes_(t.sizes()), strides_(t.strides()), data_(t.data_ptr<Element>()),
        summarize_(summarize) {}

  /// The elements that will be printed, for choosing the format.
  std::vector<Element> printedValues() const {
    std::vector<Element> values;
    collect(0, 0, values);
    return values;
  }

  std::string str(const Formatter &formatter, int64_t indent) const {
    if (sizes_.empty())
      return formatter.format(data_[0]);
    return render(0, 0, indent, formatter);
  }

private:
  /// Indices of dim `d` that are printed; -1 stands for "...".
  std::vector<int64_t> printedIndices(size_t d) const {
    std::vector<int64_t> indices;
    int64_t size = sizes_[d];
    if (summarize_ && size > 2 * kEdgeItems) {
      for (int64_t i = 0; i < kEdgeItems; ++i)
        indices.push_back(i);
      indices.push_back(-1);
      for (int64_t i = size - kEdgeItems; i < size; ++i)
        indices.push_back(i);
    } else {
      for (int64_t i = 0; i < size; ++i)
        indices.push_back(i);
    }
    return indices;
  }

  void collect(size_t d, int64_t offset, std::vector<Element> &values) const {
    if (d == sizes_.size()) {
      values.push_back(data_[offset]);
      return;
    }
    for (int64_t i : printedIndices(d))
      if (i >= 0)
        collect(d + 1, offset + i * strides_[d], values);
  }

  std::string render(size_t d, int64_t offset, int64_t indent,
                     const Formatter &formatter) const {
    std::vector<int64_t> indices = printedIndices(d);
    std::string result = "[";
    if (d + 1 == sizes_.size()) {
      // The innermost dim wraps at the line width.
      int64_t elementLength = static_cast<int64_t>(formatter.width()) + 2;
      int64_t perLine =
          std::max<int64_t>(1, (kLineWidth - indent) / elementLength);
      for (size_t n = 0; n < indices.size(); ++n) {
        if (n > 0)
          result +=
              n % perLine == 0 ? ",\n" + std::string(indent + 1, ' ') : ", ";
        result +=
            indices[n] < 0
                ? " ..."
                : formatter.format(data_[offset + indices[n] * strides_[d]]);
      }
      return result + "]";
    }
    std::string separator = "," + std::string(sizes_.size() - d - 1, '\n') +
                            std::string(indent + 1, ' ');
    for (size_t n = 0; n < indices.size(); ++n) {
      if (n > 0)
        result += separator;
      result += indices[n] < 0
                    ? "..."
                    : render(d + 1, offset + indices[n] * strides_[d],
                             indent + 1, formatter);
    }
    return result + "]";
  }

  const IntList &sizes_;
  const IntList &strides_;
  const Element *data_;
  bool summarize_;
};

template <class Element, class Formatter>
std::string elementsToString(const Tensor &t, int64_t indent) {
  TensorPrinter<Element, Formatter> printer(t, t.numel() > kThreshold);
  Formatter formatter(printer.printedValues());
  return printer.str(formatter, indent);
}

/// The elements as PyTorch prints them, read through double or int64.
std::string elementsToString(const Tensor &t, int64_t indent) {
  if (t.is_floating_point())
    return elementsToString<double, ElementFormatter>(
        detail::convert(t, kFloat64), indent);
  Tensor values = detail::convert(t, kInt64);
  if (t.dtype() == kBool)
    return elementsToString<int64_t, IntegerFormatter<true>>(values, indent);
  return elementsToString<int64_t, IntegerFormatter<false>>(values, indent);
}

/// PyTorch prints no dtype for its defaults (Float, Long, Bool).
bool hasDefaultDtype(ScalarType type) {
  return type == kFloat32 || type == kInt64 || type == kBool;
}

} // namespace

std::ostream &operator<<(std::ostream &os, const Tensor &t) {
  if (!t.defined())
    return os << "[ Tensor (undefined) ]";
  const std::string prefix = "tensor(";
  os << prefix;
  if (t.numel() == 0) {
    os << "[]";
    if (t.dim() != 1) {
      os << ", size=(";
      for (int64_t d = 0; d < t.dim(); ++d)
        os << (d ? ", " : "") << t.size(d);
      os << ")";
    }
  } else {
    NoGradGuard noGrad;
    os << elementsToString(t, static_cast<int64_t>(prefix.size()));
  }
  if (!hasDefaultDtype(t.dtype()))
    os << ", dtype=" << toPythonString(t.dtype());
  // PyTorch's suffixes for tensors in autograd.
  if (t.grad_fn())
    os << ", grad_fn=<" << t.grad_fn()->name() << ">";
  else if (t.requires_grad())
    os << ", requires_grad=True";
  return os << ")";
}

} // namespace nnc
