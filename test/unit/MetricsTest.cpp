//===- test/unit/MetricsTest.cpp - nnc::metrics and nnc::ProgressBar ------===//
//
// Metrics against scikit-learn's definitions computed by PyTorch
// (test/golden/metrics), hand-checked edge cases, and the progress bar's
// terminal and log output.
//
//===----------------------------------------------------------------------===//
#include "frontend/metrics/Metrics.h"
#include "frontend/metrics/ProgressBar.h"

#include "test/unit/DataTestUtil.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <sstream>

namespace {

using namespace nnc;
using namespace nnc::metrics;
using nnc::testing::loadGolden;
using nnc::testing::sameTensor;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;
using ::testing::ThrowsMessage;

/// The golden values are float32; the metrics are computed in double.
constexpr double kTol = 1e-6;

void expectScores(const PrecisionRecallF1 &scores, const Tensor &expected) {
  const float *e = expected.data_ptr<float>();
  EXPECT_NEAR(scores.precision, e[0], kTol);
  EXPECT_NEAR(scores.recall, e[1], kTol);
  EXPECT_NEAR(scores.f1, e[2], kTol);
}

Tensor labels(std::vector<int64_t> values) {
  int64_t n = static_cast<int64_t>(values.size());
  return nnc::tensor(values, {n});
}

//===----------------------------------------------------------------------===//
// Against the goldens
//===----------------------------------------------------------------------===//

TEST(Metrics, AccuracyFromLogitsAndLabels) {
  auto golden = loadGolden("metrics/metrics_expected.safetensors");
  const Tensor &logits = golden.at("logits"), &target = golden.at("target");
  double expected = golden.at("accuracy").data_ptr<float>()[0];
  EXPECT_NEAR(accuracy(logits, target), expected, kTol);
  EXPECT_NEAR(accuracy(golden.at("pred"), target), expected, kTol);
}

TEST(Metrics, ConfusionMatrixRowsAreTheTruth) {
  auto golden = loadGolden("metrics/metrics_expected.safetensors");
  const Tensor &logits = golden.at("logits"), &target = golden.at("target");
  // Inferred: the 5 score columns.
  EXPECT_TRUE(
      sameTensor(confusion_matrix(logits, target), golden.at("confusion")));
  EXPECT_TRUE(sameTensor(confusion_matrix(golden.at("pred"), target, 6),
                         golden.at("confusion6")));
}

TEST(Metrics, PrecisionRecallF1Averages) {
  auto golden = loadGolden("metrics/metrics_expected.safetensors");
  const Tensor &logits = golden.at("logits"), &target = golden.at("target");
  for (const char *average : {"macro", "micro", "weighted"}) {
    SCOPED_TRACE(average);
    // Class 5 occurs nowhere, so num_classes 6 changes nothing (scikit-learn
    // averages over the classes present).
    expectScores(precision_recall_f1(logits, target, average),
                 golden.at(average));
    expectScores(precision_recall_f1(golden.at("pred"), target, average, 6),
                 golden.at(average));
  }
  PrecisionRecallF1 macro = precision_recall_f1(logits, target);
  EXPECT_EQ(precision(logits, target), macro.precision);
  EXPECT_EQ(recall(logits, target), macro.recall);
  EXPECT_EQ(f1_score(logits, target), macro.f1);
  EXPECT_NEAR(f1_score(logits, target, "micro"), accuracy(logits, target),
              1e-12);
}

TEST(Metrics, BinaryProbabilitiesAgainstFloatTargets) {
  auto golden = loadGolden("metrics/metrics_expected.safetensors");
  const Tensor &probs = golden.at("binary_probs");
  const Tensor &target = golden.at("binary_target");
  EXPECT_NEAR(accuracy(probs, target),
              golden.at("binary_accuracy").data_ptr<float>()[0], kTol);
  EXPECT_TRUE(sameTensor(confusion_matrix(probs, target),
                         golden.at("binary_confusion")));
  expectScores(precision_recall_f1(probs, target, "binary"),
               golden.at("binary"));
  // [N, 1] scores are binary too.
  EXPECT_NEAR(accuracy(probs.reshape({-1, 1}), target),
              golden.at("binary_accuracy").data_ptr<float>()[0], kTol);
}

//===----------------------------------------------------------------------===//
// Edge cases by hand
//===----------------------------------------------------------------------===//

TEST(Metrics, ZeroDivisionGivesZero) {
  // Class 2 is never predicted: its precision is 0/0 -> 0, as scikit-learn's
  // zero_division=0.
  Tensor target = labels({0, 1, 2, 2});
  Tensor pred = labels({0, 1, 1, 1});
  PrecisionRecallF1 macro = precision_recall_f1(pred, target, "macro");
  EXPECT_NEAR(macro.precision, (1 + 1.0 / 3 + 0) / 3, 1e-12);
  EXPECT_NEAR(macro.recall, (1 + 1 + 0) / 3.0, 1e-12);
  EXPECT_NEAR(macro.f1, (1 + 0.5 + 0) / 3, 1e-12);
  PrecisionRecallF1 weighted = precision_recall_f1(pred, target, "weighted");
  EXPECT_NEAR(weighted.recall, (1 + 1 + 0) / 4.0, 1e-12);
  EXPECT_NEAR(accuracy(pred, target), 0.5, 1e-12);
}

TEST(Metrics, LogitsAndTiesPickTheFirstMaximum) {
  Tensor logits = nnc::tensor({1, 3, 3, /**/ -1, -2, -0.5}, {2, 3});
  EXPECT_TRUE(sameTensor(confusion_matrix(logits, labels({1, 2})),
                         nnc::tensor(std::vector<int64_t>{0, 0, 0, //
                                                          0, 1, 0, //
                                                          0, 0, 1},
                                     {3, 3})));
  // [N, 1] logits: class 1 where the logit is >= 0.
  Tensor binary = nnc::tensor({-2, 0.5, 3}, {3, 1});
  EXPECT_NEAR(accuracy(binary, nnc::tensor({0, 0, 1})), 2.0 / 3, 1e-12);
}

TEST(Metrics, BadInputSaysWhatIsWrong) {
  Tensor target = labels({0, 1, 2});
  EXPECT_THAT(
      [&] {
        accuracy(nnc::zeros({4, 3}), target);
      },
      ThrowsMessage<Error>(
          HasSubstr("accuracy: pred [4, 3] does not fit target [3]")));
  EXPECT_THAT([&] { precision_recall_f1(target, target, "mean"); },
              ThrowsMessage<Error>(HasSubstr(
                  "average must be 'macro', 'micro', 'weighted' or 'binary', "
                  "got 'mean'")));
  EXPECT_THAT(
      [&] { confusion_matrix(target, target, 2); },
      ThrowsMessage<Error>(HasSubstr("class 2 is outside num_classes = 2")));
  EXPECT_THAT(
      [&] {
        accuracy(target, nnc::tensor({0, 0.5, 1}));
      },
      ThrowsMessage<Error>(
          HasSubstr("target holds 0.5 at index 1, not a class index")));
  EXPECT_THAT([&] { accuracy(labels({}), labels({})); },
              ThrowsMessage<Error>(HasSubstr("no examples")));
  EXPECT_THAT([&] { precision_recall_f1(target, target, "binary"); },
              ThrowsMessage<Error>(HasSubstr(
                  "average='binary' needs 2 classes, the data has 3")));
}

//===----------------------------------------------------------------------===//
// ProgressBar
//===----------------------------------------------------------------------===//

TEST(ProgressBar, QuietUntilASummaryLineWhenNotATerminal) {
  std::ostringstream out;
  {
    ProgressBar bar(3, "epoch 1/3", out, /*interactive=*/false);
    for (int step = 1; step <= 3; ++step)
      bar.update(step, 1.0 / step, 64);
    EXPECT_EQ(out.str(), "");
  }
  EXPECT_THAT(out.str(),
              MatchesRegex("epoch 1/3 3/3 loss 0\\.3333 [0-9]+ items/s in "
                           "[0-9]+\\.[0-9] s\n"));
}

TEST(ProgressBar, RedrawsOneLineOnATerminal) {
  std::ostringstream out;
  ProgressBar bar(4, "epoch 2/3", out, /*interactive=*/true,
                  /*min_redraw_seconds=*/0);
  bar.update(1, 0.5, 32);
  EXPECT_THAT(out.str(), StartsWith("\repoch 2/3 [=====>              ] 1/4 "
                                    "loss 0.5000"));
  bar.update(4, 0.25, 32);
  bar.close();
  std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_THAT(text, HasSubstr("\repoch 2/3 [====================] 4/4 loss "
                              "0.2500"));
  EXPECT_THAT(text, HasSubstr(" items/s"));
  bar.close(); // once only
  EXPECT_EQ(out.str(), text);
}

TEST(ProgressBar, RedrawsAreRateLimitedButTheLastStepShows) {
  std::ostringstream out;
  ProgressBar bar(3, "", out, /*interactive=*/true,
                  /*min_redraw_seconds=*/1000);
  bar.update(1, 1.0);
  bar.update(2, 2.0); // too soon
  EXPECT_THAT(out.str(), Not(HasSubstr("2/3")));
  bar.update(3, 3.0); // the last step always draws
  EXPECT_THAT(out.str(), HasSubstr("3/3 loss 3.0000"));
}

} // namespace
