//===- frontend/metrics/Metrics.h - Classification metrics ------*- C++ -*-===//
//
// The evaluation metrics of the seeds' loops, computed as scikit-learn's
// accuracy_score, confusion_matrix and precision_recall_fscore_support do,
// with the argument order of torchmetrics: (pred, target).
//
// `pred` is either class scores or class labels:
//   - one more dim than `target` (logits or probabilities [N, C, ...] for a
//     target [N, ...]): the predicted class is the argmax over dim 1 (the
//     first maximum on ties, as torch.argmax); a [N, 1] score is binary, as
//     below;
//   - the target's shape, int64: class labels;
//   - the target's shape, float: binary scores, class 1 where the score is
//     >= 0.5, or, if any score is outside [0, 1], where the logit is >= 0
//     (torchmetrics' rule).
// `target` holds class indices, int64 or whole-number floats (CsvDataset's
// default float targets).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_METRICS_METRICS_H
#define NNC_FRONTEND_METRICS_METRICS_H

#include "frontend/Tensor.h"

#include <string>

namespace nnc::metrics {

/// The fraction of predictions equal to the target.
double accuracy(const Tensor &pred, const Tensor &target);

/// C[i][j] counts examples of true class i predicted as class j (rows are
/// the truth, as in scikit-learn and torchmetrics), int64 [C, C]. With
/// num_classes -1, C is one more than the largest class seen (at least the
/// number of score columns).
Tensor confusion_matrix(const Tensor &pred, const Tensor &target,
                        int64_t num_classes = -1);

struct PrecisionRecallF1 {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
};

/// Precision, recall and F1 averaged over classes by `average`:
///   "macro": the unweighted mean over the classes present in target or
///            pred (scikit-learn's default labels);
///   "weighted": the mean weighted by each class's count in target;
///   "micro": from the summed counts (equal to accuracy for single-label
///            data);
///   "binary": class 1's scores (needs at most two classes).
/// A ratio with a zero denominator is 0 (scikit-learn's zero_division=0,
/// without its warning), e.g. the precision of a class never predicted.
PrecisionRecallF1 precision_recall_f1(const Tensor &pred, const Tensor &target,
                                      const std::string &average = "macro",
                                      int64_t num_classes = -1);

double precision(const Tensor &pred, const Tensor &target,
                 const std::string &average = "macro",
                 int64_t num_classes = -1);
double recall(const Tensor &pred, const Tensor &target,
              const std::string &average = "macro", int64_t num_classes = -1);
double f1_score(const Tensor &pred, const Tensor &target,
                const std::string &average = "macro", int64_t num_classes = -1);

} // namespace nnc::metrics

#endif // NNC_FRONTEND_METRICS_METRICS_H
