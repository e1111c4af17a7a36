//===- frontend/metrics/Metrics.cpp - Classification metrics --------------===//
#include "frontend/metrics/Metrics.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

namespace nnc::metrics {

namespace {

/// The elements of `t` (any dtype) as doubles, in row-major order.
std::vector<double> valuesOf(const char *op, const char *what,
                             const Tensor &t) {
  if (!t.defined())
    throw Error(std::string(op) + ": " + what + " is undefined");
  Tensor dense = t.to(kFloat64).contiguous();
  const double *data = dense.data_ptr<double>();
  return std::vector<double>(data, data + dense.numel());
}

/// Predicted and true class of every example, and the classes the scores
/// imply (their number of columns; 0 for labels).
struct Labels {
  std::vector<int64_t> pred;
  std::vector<int64_t> target;
  int64_t scoreColumns = 0;
};

std::vector<int64_t> classIndices(const char *op, const char *what,
                                  const std::vector<double> &values) {
  std::vector<int64_t> classes(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    double v = values[i];
    if (!(v >= 0 && v == std::floor(v) && v < 9e15)) {
      std::ostringstream os;
      os << op << ": " << what << " holds " << v << " at index " << i
         << ", not a class index (a whole number >= 0)";
      throw Error(os.str());
    }
    classes[i] = static_cast<int64_t>(v);
  }
  return classes;
}

/// Binary decisions from scores: probabilities >= 0.5, or, when any score
/// is outside [0, 1], logits >= 0.
std::vector<int64_t> thresholded(const std::vector<double> &scores) {
  bool logits = std::any_of(scores.begin(), scores.end(),
                            [](double s) { return s < 0 || s > 1; });
  std::vector<int64_t> classes(scores.size());
  for (size_t i = 0; i < scores.size(); ++i)
    classes[i] = scores[i] >= (logits ? 0.0 : 0.5);
  return classes;
}

Labels toLabels(const char *op, const Tensor &pred, const Tensor &target) {
  if (!pred.defined() || !target.defined())
    throw Error(std::string(op) + ": pred and target must be defined");
  Labels labels;
  labels.target = classIndices(op, "target", valuesOf(op, "target", target));
  bool scores = pred.dim() == target.dim() + 1 && pred.dim() >= 2;
  IntList expected = target.sizes();
  if (scores)
    expected.insert(expected.begin() + 1, pred.size(1));
  if (pred.sizes() != expected)
    throw Error(std::string(op) + ": pred " + shapeToString(pred.sizes()) +
                " does not fit target " + shapeToString(target.sizes()) +
                " (pred is scores [N, C, ...] for a target [N, ...], or has "
                "the target's shape)");
  if (labels.target.empty())
    throw Error(std::string(op) + ": no examples (empty target)");
  std::vector<double> values = valuesOf(op, "pred", pred);
  if (!scores) {
    labels.pred = pred.dtype() == kInt64 ? classIndices(op, "pred", values)
                                         : thresholded(values);
    return labels;
  }
  int64_t columns = pred.size(1);
  if (columns == 1) {
    labels.pred = thresholded(values);
    return labels;
  }
  labels.scoreColumns = columns;
  // Scores are [N, C, S...]: the class of (n, s) is the argmax over c.
  int64_t inner = static_cast<int64_t>(values.size()) / pred.size(0) / columns;
  for (int64_t n = 0; n < pred.size(0); ++n)
    for (int64_t s = 0; s < inner; ++s) {
      const double *row = values.data() + n * columns * inner + s;
      int64_t best = 0;
      for (int64_t c = 1; c < columns; ++c)
        if (row[c * inner] > row[best * inner])
          best = c;
      labels.pred.push_back(best);
    }
  return labels;
}

/// The confusion matrix of `labels` as counts, row-major [C, C].
std::vector<int64_t> countConfusion(const char *op, const Labels &labels,
                                    int64_t &numClasses) {
  int64_t largest =
      std::max(*std::max_element(labels.pred.begin(), labels.pred.end()),
               *std::max_element(labels.target.begin(), labels.target.end()));
  if (numClasses == -1)
    numClasses = std::max(largest + 1, labels.scoreColumns);
  else if (numClasses < 1)
    throw Error(std::string(op) + ": num_classes must be positive or -1, got " +
                std::to_string(numClasses));
  else if (largest >= numClasses || labels.scoreColumns > numClasses)
    throw Error(std::string(op) + ": class " +
                std::to_string(std::max(largest, labels.scoreColumns - 1)) +
                " is outside num_classes = " + std::to_string(numClasses));
  std::vector<int64_t> counts(numClasses * numClasses, 0);
  for (size_t i = 0; i < labels.pred.size(); ++i)
    ++counts[labels.target[i] * numClasses + labels.pred[i]];
  return counts;
}

double ratio(double numerator, double denominator) {
  return denominator == 0 ? 0 : numerator / denominator;
}

} // namespace

double accuracy(const Tensor &pred, const Tensor &target) {
  Labels labels = toLabels("accuracy", pred, target);
  int64_t correct = 0;
  for (size_t i = 0; i < labels.pred.size(); ++i)
    correct += labels.pred[i] == labels.target[i];
  return static_cast<double>(correct) / labels.pred.size();
}

Tensor confusion_matrix(const Tensor &pred, const Tensor &target,
                        int64_t num_classes) {
  Labels labels = toLabels("confusion_matrix", pred, target);
  std::vector<int64_t> counts =
      countConfusion("confusion_matrix", labels, num_classes);
  return nnc::tensor(counts, {num_classes, num_classes});
}

PrecisionRecallF1 precision_recall_f1(const Tensor &pred, const Tensor &target,
                                      const std::string &average,
                                      int64_t num_classes) {
  const char *op = "precision_recall_f1";
  if (average != "macro" && average != "micro" && average != "weighted" &&
      average != "binary")
    throw Error(std::string(op) +
                ": average must be 'macro', 'micro', "
                "'weighted' or 'binary', got '" +
                average + "'");
  Labels labels = toLabels(op, pred, target);
  std::vector<int64_t> counts = countConfusion(op, labels, num_classes);
  int64_t classes = num_classes;
  // Per class: true positives, predicted count (tp + fp), true count
  // (tp + fn, the support).
  std::vector<double> tp(classes), predicted(classes), support(classes);
  for (int64_t t = 0; t < classes; ++t)
    for (int64_t p = 0; p < classes; ++p) {
      double n = static_cast<double>(counts[t * classes + p]);
      support[t] += n;
      predicted[p] += n;
      if (t == p)
        tp[t] += n;
    }
  auto scoresOf = [](double tp, double predicted, double support) {
    PrecisionRecallF1 s;
    s.precision = ratio(tp, predicted);
    s.recall = ratio(tp, support);
    s.f1 = ratio(2 * tp, predicted + support);
    return s;
  };

  if (average == "micro") {
    double sumTp = 0, total = 0;
    for (int64_t c = 0; c < classes; ++c) {
      sumTp += tp[c];
      total += support[c];
    }
    return scoresOf(sumTp, total, total);
  }
  if (average == "binary") {
    if (classes > 2)
      throw Error(std::string(op) +
                  ": average='binary' needs 2 classes, the "
                  "data has " +
                  std::to_string(classes) +
                  " (use 'macro', 'micro' or 'weighted')");
    return classes == 2 ? scoresOf(tp[1], predicted[1], support[1])
                        : PrecisionRecallF1();
  }
  PrecisionRecallF1 sum;
  double totalWeight = 0;
  for (int64_t c = 0; c < classes; ++c) {
    // scikit-learn's labels: the classes present in target or pred.
    if (support[c] == 0 && predicted[c] == 0)
      continue;
    double weight = average == "weighted" ? support[c] : 1;
    PrecisionRecallF1 s = scoresOf(tp[c], predicted[c], support[c]);
    sum.precision += weight * s.precision;
    sum.recall += weight * s.recall;
    sum.f1 += weight * s.f1;
    totalWeight += weight;
  }
  return {ratio(sum.precision, totalWeight), ratio(sum.recall, totalWeight),
          ratio(sum.f1, totalWeight)};
}

double precision(const Tensor &pred, const Tensor &target,
                 const std::string &average, int64_t num_classes) {
  return precision_recall_f1(pred, target, average, num_classes).precision;
}

double recall(const Tensor &pred, const Tensor &target,
              const std::string &average, int64_t num_classes) {
  return precision_recall_f1(pred, target, average, num_classes).recall;
}

double f1_score(const Tensor &pred, const Tensor &target,
                const std::string &average, int64_t num_classes) {
  return precision_recall_f1(pred, target, average, num_classes).f1;
}

} // namespace nnc::metrics
