//===- examples/fashion_mnist.cpp - The seeds' appendix, in C++ -----------===//
//
// The workload of ../shared/peers/seed_appendix.py on Fashion-MNIST (Debian's
// dataset-fashion-mnist): logistic regression on raw pixels against the
// seeds' SmallCNN (Conv 1->16, ReLU, MaxPool, Conv 16->32, ReLU, MaxPool,
// Flatten, Linear 1568->10), Adam lr 1e-3, batch 64, 3 epochs on 12000
// training images, evaluated on 2000 test images. Each model is trained
// twice from the same initial weights on the same batches: eagerly (Halide
// kernels, the autograd tape) and with compile_step (one fused executable
// per step). Prints both accuracies of both models, the gap between the
// models, the compiled-vs-eager speed-ups, and one JSON line. With --amp
// bf16 (or f16) the SmallCNN is also trained and evaluated under
// AutocastGuard: mixed precision with float32 master weights.
//
// Usage: fashion_mnist [--data DIR] [--epochs N] [--train N] [--test N]
//                      [--threads N] [--amp bf16|f16]
//
//===----------------------------------------------------------------------===//
#include "Training.h"

#include "frontend/nn/Conv.h"
#include "frontend/nn/Pooling.h"
#include "frontend/nnc.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

namespace nn = nnc::nn;
namespace data = nnc::data;
using nnc::Tensor;

namespace {

struct Settings {
  std::string dataDir = "/usr/share/datasets/fashion-mnist";
  int epochs = 3;
  // The reference fits logistic regression with sklearn's L-BFGS to
  // convergence; Adam gets as close with a larger step and more epochs.
  int logregEpochs = 10;
  double logregLr = 1e-2;
  bool onlyLogreg = false;
  int64_t trainSize = 12000;
  int64_t testSize = 2000;
  int threads = 2;
  std::optional<nnc::ScalarType> amp; // --amp: the autocast dtype
};

nnc::ScalarType parseAmpDtype(const std::string &name) {
  if (name == "bf16")
    return nnc::kBFloat16;
  if (name == "f16")
    return nnc::kHalf;
  throw nnc::Error("--amp must be bf16 or f16, got '" + name + "'");
}

Settings parseArguments(int argc, char **argv) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        throw nnc::Error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--data")
      s.dataDir = value();
    else if (arg == "--epochs")
      s.epochs = std::stoi(value());
    else if (arg == "--train")
      s.trainSize = std::stoll(value());
    else if (arg == "--test")
      s.testSize = std::stoll(value());
    else if (arg == "--threads")
      s.threads = std::stoi(value());
    else if (arg == "--logreg-epochs")
      s.logregEpochs = std::stoi(value());
    else if (arg == "--logreg-lr")
      s.logregLr = std::stod(value());
    else if (arg == "--only-logreg")
      s.onlyLogreg = true;
    else if (arg == "--amp")
      s.amp = parseAmpDtype(value());
    else
      throw nnc::Error("unknown argument '" + arg +
                       "' (--data DIR, --epochs N, --train N, --test N, "
                       "--threads N, --amp bf16|f16)");
  }
  return s;
}

/// The seeds' SmallCNN.
nn::Sequential smallCNN() {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 16, 3).padding(1)),
                        nn::ReLU(), nn::MaxPool2d(nn::MaxPool2dOptions(2)),
                        nn::Conv2d(nn::Conv2dOptions(16, 32, 3).padding(1)),
                        nn::ReLU(), nn::MaxPool2d(nn::MaxPool2dOptions(2)),
                        nn::Flatten(), nn::Linear(32 * 7 * 7, 10));
}

/// Multinomial logistic regression on the raw pixels.
nn::Sequential logisticRegression() {
  return nn::Sequential(nn::Flatten(), nn::Linear(28 * 28, 10));
}

struct TrainResult {
  double accuracy = 0;
  double msPerStep = 0; // steps that compiled nothing
  double compileS = 0;  // steps that traced and compiled (compiled mode)
  double inferMs = 0;   // the whole test set
  int64_t steps = 0;
  int compilations = 0;
};

/// How one model is trained.
struct Schedule {
  int epochs;
  double lr;
  /// Mixed precision: training and evaluation run under an AutocastGuard of
  /// this dtype (compile_step and compile keep it in their graphs).
  std::optional<nnc::ScalarType> amp = std::nullopt;
};

/// Trains a fresh model (seeded, so both modes start from the same weights)
/// with Adam, eagerly or with compile_step, then evaluates it in the same
/// mode (eager forward, or the compiled forward with a dynamic batch).
TrainResult train(const std::function<nn::Sequential()> &makeModel,
                  bool compiled, const Schedule &schedule,
                  const std::shared_ptr<const data::Dataset> &trainSet,
                  const std::shared_ptr<const data::Dataset> &testSet) {
  std::optional<nnc::AutocastGuard> autocast;
  if (schedule.amp)
    autocast.emplace(*schedule.amp);
  nnc::manual_seed(0);
  nn::Sequential model = makeModel();
  nnc::optim::Adam optimizer(model->parameters(),
                             nnc::optim::AdamOptions(schedule.lr));
  nn::CrossEntropyLoss criterion;
  data::DataLoader loader(trainSet,
                          data::DataLoaderOptions(64).shuffle(true).seed(42));

  TrainResult result;
  nnc::examples::TimedTrainer trainer(model, criterion, optimizer, compiled);
  for (int epoch = 0; epoch < schedule.epochs; ++epoch) {
    model->train();
    nnc::ProgressBar bar(loader.size(),
                         std::string(compiled ? "compiled" : "eager") +
                             " epoch " + std::to_string(epoch + 1) + "/" +
                             std::to_string(schedule.epochs));
    int64_t index = 0;
    for (auto &[x, y] : loader) {
      bar.update(++index, trainer.step(x, y), x.size(0));
      ++result.steps;
    }
    bar.close();
  }
  result.msPerStep = trainer.msPerStep();
  result.compileS = trainer.compileSeconds();
  result.compilations = trainer.compilations();

  model->eval();
  nnc::NoGradGuard noGrad;
  data::DataLoader testLoader(testSet, data::DataLoaderOptions(256));
  // One compiled forward serves every batch size (the last batch is
  // smaller); compiled before the clock starts, as the step's compilation
  // is part of training but inference is timed alone.
  auto forward =
      nnc::examples::evaluationForward(model, compiled, testSet->get(0)[0]);
  int64_t correct = 0;
  auto start = std::chrono::steady_clock::now();
  for (auto &[x, y] : testLoader) {
    Tensor logits = forward(x);
    correct += static_cast<int64_t>(
        std::llround(nnc::metrics::accuracy(logits, y) * x.size(0)));
  }
  result.inferMs = nnc::examples::secondsSince(start) * 1e3;
  result.accuracy = static_cast<double>(correct) / testSet->size();
  return result;
}

} // namespace

int main(int argc, char **argv) {
  try {
    Settings settings = parseArguments(argc, argv);
    nnc::set_num_threads(settings.threads);

    // The seeds' subsets: 12000 training and 2000 test images, at random.
    auto fullTrain =
        std::make_shared<const data::FashionMNIST>(settings.dataDir, true);
    auto fullTest =
        std::make_shared<const data::FashionMNIST>(settings.dataDir, false);
    auto pick = [](std::shared_ptr<const data::Dataset> all, int64_t count) {
      double n = static_cast<double>(all->size());
      return std::shared_ptr<const data::Dataset>(
          data::random_split(all, {count / n, 1 - count / n}, 42)[0]);
    };
    auto trainSet = pick(fullTrain, settings.trainSize);
    auto testSet = pick(fullTest, settings.testSize);
    std::printf("Fashion-MNIST: %lld training and %lld test images, %d "
                "epochs, batch 64, Adam 1e-3, %d threads\n",
                static_cast<long long>(trainSet->size()),
                static_cast<long long>(testSet->size()), settings.epochs,
                settings.threads);

    Schedule logreg{settings.logregEpochs, settings.logregLr};
    Schedule cnn{settings.epochs, 1e-3}; // the seeds' SmallCNN recipe
    TrainResult logregEager =
        train(logisticRegression, false, logreg, trainSet, testSet);
    TrainResult logregCompiled =
        train(logisticRegression, true, logreg, trainSet, testSet);
    if (settings.onlyLogreg) {
      std::printf("logistic regression: eager %.4f, compiled %.4f\n",
                  logregEager.accuracy, logregCompiled.accuracy);
      return 0;
    }
    TrainResult cnnEager = train(smallCNN, false, cnn, trainSet, testSet);
    TrainResult cnnCompiled = train(smallCNN, true, cnn, trainSet, testSet);
    std::optional<TrainResult> ampEager, ampCompiled;
    Schedule amp = cnn;
    amp.amp = settings.amp;
    if (settings.amp) {
      ampEager = train(smallCNN, false, amp, trainSet, testSet);
      ampCompiled = train(smallCNN, true, amp, trainSet, testSet);
    }

    std::printf("\n%-22s %10s %10s %12s %12s %9s\n", "model", "eager acc",
                "fused acc", "eager ms/st", "fused ms/st", "speed-up");
    auto row = [](const char *name, const TrainResult &e,
                  const TrainResult &c) {
      std::printf("%-22s %10.4f %10.4f %12.3f %12.3f %8.2fx\n", name,
                  e.accuracy, c.accuracy, e.msPerStep, c.msPerStep,
                  e.msPerStep / c.msPerStep);
    };
    row("logistic regression", logregEager, logregCompiled);
    row("SmallCNN", cnnEager, cnnCompiled);
    std::string ampName;
    if (settings.amp) {
      ampName = std::string("SmallCNN, ") +
                (*settings.amp == nnc::kHalf ? "f16" : "bf16") + " amp";
      row(ampName.c_str(), *ampEager, *ampCompiled);
    }
    std::printf("compile_step: logistic regression %.2f s, SmallCNN %.2f s "
                "(%d compilation%s, dynamic batch)\n",
                logregCompiled.compileS, cnnCompiled.compileS,
                cnnCompiled.compilations,
                cnnCompiled.compilations == 1 ? "" : "s");
    std::printf("SmallCNN inference on %lld images: eager %.1f ms, fused "
                "%.1f ms (%.2fx)\n",
                static_cast<long long>(testSet->size()), cnnEager.inferMs,
                cnnCompiled.inferMs, cnnEager.inferMs / cnnCompiled.inferMs);
    std::printf("accuracy gap, SmallCNN - logistic regression: %+.4f "
                "(compiled), %+.4f (eager)\n",
                cnnCompiled.accuracy - logregCompiled.accuracy,
                cnnEager.accuracy - logregEager.accuracy);

    std::printf(
        "{\"threads\": %d, \"logreg_acc\": %.4f, \"logreg_acc_eager\": %.4f, "
        "\"cnn_acc\": %.4f, \"cnn_acc_eager\": %.4f, "
        "\"cnn_train_ms_per_step\": %.3f, "
        "\"cnn_train_ms_per_step_eager\": %.3f, \"cnn_train_speedup\": %.2f, "
        "\"cnn_infer_ms_per_%lld\": %.2f, \"cnn_infer_ms_per_%lld_eager\": "
        "%.2f, \"cnn_step_compilations\": %d, \"cnn_step_compile_s\": "
        "%.2f}\n",
        settings.threads, logregCompiled.accuracy, logregEager.accuracy,
        cnnCompiled.accuracy, cnnEager.accuracy, cnnCompiled.msPerStep,
        cnnEager.msPerStep, cnnEager.msPerStep / cnnCompiled.msPerStep,
        static_cast<long long>(testSet->size()), cnnCompiled.inferMs,
        static_cast<long long>(testSet->size()), cnnEager.inferMs,
        cnnCompiled.compilations, cnnCompiled.compileS);
    if (settings.amp)
      std::printf("{\"amp\": \"%s\", \"cnn_amp_acc\": %.4f, "
                  "\"cnn_amp_acc_eager\": %.4f, "
                  "\"cnn_amp_train_ms_per_step\": %.3f, "
                  "\"cnn_amp_train_ms_per_step_eager\": %.3f}\n",
                  *settings.amp == nnc::kHalf ? "f16" : "bf16",
                  ampCompiled->accuracy, ampEager->accuracy,
                  ampCompiled->msPerStep, ampEager->msPerStep);
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "fashion_mnist: error: %s\n", e.what());
    return 1;
  }
}
