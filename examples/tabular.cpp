//===- examples/tabular.cpp - The seeds' tabular regressor, in C++ --------===//
//
// The seeds' sections 6-11 end to end: a WaterDataset-like CSV file (a
// header, numeric feature columns, the target in the last column) read with
// CsvDataset, split 80/20 with random_split, features standardized with the
// training split's statistics, and the seeds' Net (Linear 9->16, ReLU,
// Linear 16->8, ReLU, Linear 8->1) trained for regression with MSELoss and
// Adam lr 1e-3, batch 64, shuffled. The model is trained twice from the same
// initial weights on the same batches, eagerly and with compile_step, and
// each is evaluated on the test split in eval mode without gradients (the
// compiled one through a compiled forward). Prints the test MSE of
// predicting the training mean (the baseline), both test MSEs, the time per
// step of both modes, and one JSON line.
//
// Without --csv the data is synthetic (see writeSyntheticCsv), written to a
// temporary CSV file and read back through CsvDataset like any other file.
//
// Usage: tabular_example [--csv FILE] [--epochs N] [--threads N] [--check]
//   --check  exit 2 unless both models beat the baseline MSE by 2x and their
//            test MSEs agree within kMseTolerance (ctest runs this)
//
//===----------------------------------------------------------------------===//
#include "Training.h"

#include "frontend/nnc.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <unistd.h>

namespace nn = nnc::nn;
namespace data = nnc::data;
using nnc::Tensor;

namespace {

/// The seeds' Net: it takes 9 features.
constexpr int64_t kFeatures = 9;
/// How far apart the eager and the compiled model's test MSEs may be,
/// relative to the eager one: the two train on the same batches from the
/// same weights, and differ only by float rounding compounding over the
/// steps.
constexpr double kMseTolerance = 0.01;

struct Settings {
  std::string csvPath; // empty: synthetic data
  int epochs = 50;
  int threads = 2;
  bool check = false;
};

/// `text`, the value of `flag`, as a whole number >= 1.
int positiveInt(const std::string &flag, const std::string &text) {
  size_t end = 0;
  int value = 0;
  try {
    value = std::stoi(text, &end);
  } catch (const std::exception &) {
    end = 0;
  }
  if (end == 0 || end != text.size() || value < 1)
    throw nnc::Error(flag + " takes a whole number >= 1, not '" + text + "'");
  return value;
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
    if (arg == "--csv")
      s.csvPath = value();
    else if (arg == "--epochs")
      s.epochs = positiveInt(arg, value());
    else if (arg == "--threads")
      s.threads = positiveInt(arg, value());
    else if (arg == "--check")
      s.check = true;
    else
      throw nnc::Error("unknown argument '" + arg +
                       "' (--csv FILE, --epochs N, --threads N, --check)");
  }
  return s;
}

constexpr const char *kSyntheticFormula =
    "y = 2 sin(x0) + 1.5 x1 - x2 + x3 x4 + 0.5 x5^2 + tanh(2 x6) + 0.5 |x7| "
    "- 0.5 x8 + 0.1 e,  x0..x8, e ~ N(0, 1) (manual_seed(1234))";

/// Writes `rows` examples of kSyntheticFormula as a CSV file with a header
/// (x0,...,x8,y): a smooth nonlinear target of variance 7.5 of which the
/// best linear model leaves an MSE of 2.0, and the seeds' small Net less.
void writeSyntheticCsv(const std::string &path, int64_t rows) {
  nnc::manual_seed(1234);
  Tensor draws = nnc::randn({rows, kFeatures + 1}).contiguous();
  const float *v = draws.data_ptr<float>();
  std::ofstream out(path);
  if (!out)
    throw nnc::Error(path + ": cannot be written");
  for (int64_t j = 0; j < kFeatures; ++j)
    out << 'x' << j << ',';
  out << "y\n";
  char cell[32];
  for (int64_t i = 0; i < rows; ++i) {
    const float *x = v + i * (kFeatures + 1);
    double y = 2 * std::sin(x[0]) + 1.5 * x[1] - x[2] + x[3] * x[4] +
               0.5 * x[5] * x[5] + std::tanh(2 * x[6]) + 0.5 * std::abs(x[7]) -
               0.5 * x[8] + 0.1 * x[9];
    for (int64_t j = 0; j < kFeatures; ++j) {
      std::snprintf(cell, sizeof cell, "%.6g,", x[j]);
      out << cell;
    }
    std::snprintf(cell, sizeof cell, "%.6g\n", y);
    out << cell;
  }
  if (!out.flush())
    throw nnc::Error(path + ": write failed");
}

/// The seeds' Net (section 7.1).
struct NetImpl : nn::Module {
  NetImpl() : nn::Module("Net") {
    fc1 = register_module("fc1", nn::Linear(kFeatures, 16));
    fc2 = register_module("fc2", nn::Linear(16, 8));
    fc3 = register_module("fc3", nn::Linear(8, 1));
  }
  Tensor forward(const Tensor &x) {
    Tensor h = nn::functional::relu(fc1(x));
    h = nn::functional::relu(fc2(h));
    return fc3(h);
  }
  nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};
NNC_MODULE(Net);

/// The training and test splits, standardized.
struct Splits {
  std::shared_ptr<const data::Dataset> train, test;
  double trainTargetMean = 0;
};

/// Splits `table` 80/20 at random and standardizes every feature with the
/// mean and standard deviation of the training split, as a user does so
/// that no statistic of the test rows leaks into training.
Splits splitAndStandardize(const data::CsvDataset &table,
                           const std::shared_ptr<const data::Dataset> &rows) {
  auto split = data::random_split(rows, {0.8, 0.2}, 42);
  Tensor trainRows = nnc::tensor(split[0]->indices());
  Tensor trainFeatures = table.features().index_select(0, trainRows);
  Tensor mean = trainFeatures.mean({0});
  // A column constant in the training split carries no information; dividing
  // by 1 keeps it finite.
  Tensor stddev = trainFeatures.std({0});
  stddev = nnc::where(stddev > 0, stddev, nnc::ones_like(stddev));
  Tensor features = (table.features() - mean) / stddev;
  // [N, 1] like the Net's output: MSELoss takes equal shapes (PyTorch would
  // broadcast [64, 1] against [64] to [64, 64] and warn).
  Tensor targets = table.targets().unsqueeze(1);
  auto standardized = std::make_shared<data::TensorDataset>(features, targets);
  Splits splits;
  splits.train =
      std::make_shared<data::Subset>(standardized, split[0]->indices());
  splits.test =
      std::make_shared<data::Subset>(standardized, split[1]->indices());
  splits.trainTargetMean =
      table.targets().index_select(0, trainRows).mean().item<float>();
  return splits;
}

/// Mean squared error of `predict` over `dataset`, in batches of 256.
double testMse(const std::function<Tensor(const Tensor &)> &predict,
               const std::shared_ptr<const data::Dataset> &dataset) {
  data::DataLoader loader(dataset, data::DataLoaderOptions(256));
  double sum = 0;
  for (auto &[x, y] : loader)
    sum += (predict(x) - y).pow(2).sum().item<float>();
  return sum / dataset->size();
}

struct TrainResult {
  double testMse = 0;
  double msPerStep = 0;
  double compileS = 0;
  int compilations = 0;
};

/// Trains a fresh Net (seeded, so both modes start from the same weights
/// and see the same batches) and evaluates it in the same mode.
TrainResult train(bool compiled, int epochs, const Splits &splits) {
  nnc::manual_seed(0);
  Net model;
  nnc::optim::Adam optimizer(model->parameters(),
                             nnc::optim::AdamOptions(1e-3));
  nn::MSELoss criterion;
  data::DataLoader loader(splits.train,
                          data::DataLoaderOptions(64).shuffle(true).seed(42));
  nnc::examples::TimedTrainer trainer(model, criterion, optimizer, compiled);
  // One bar for all epochs: the epochs are short and many.
  nnc::ProgressBar bar(epochs * loader.size(),
                       std::string(compiled ? "compiled" : "eager") + ", " +
                           std::to_string(epochs) + " epochs");
  int64_t index = 0;
  model->train();
  for (int epoch = 0; epoch < epochs; ++epoch)
    for (auto &[x, y] : loader)
      bar.update(++index, trainer.step(x, y), x.size(0));
  bar.close();

  // The seeds' evaluation loop: model.eval() and torch.no_grad().
  model->eval();
  nnc::NoGradGuard noGrad;
  TrainResult result;
  result.testMse = testMse(
      nnc::examples::evaluationForward(model, compiled, splits.test->get(0)[0]),
      splits.test);
  result.msPerStep = trainer.msPerStep();
  result.compileS = trainer.compileSeconds();
  result.compilations = trainer.compilations();
  return result;
}

/// A temporary file name of this process, removed when it goes out of scope.
struct TemporaryFile {
  std::string path =
      (std::filesystem::temp_directory_path() /
       ("nnc_tabular_synthetic_" + std::to_string(::getpid()) + ".csv"))
          .string();
  ~TemporaryFile() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
};

} // namespace

int main(int argc, char **argv) {
  try {
    Settings settings = parseArguments(argc, argv);
    nnc::set_num_threads(settings.threads);

    TemporaryFile synthetic;
    std::string path = settings.csvPath;
    if (path.empty()) {
      path = synthetic.path;
      writeSyntheticCsv(path, 2000);
      std::printf("No --csv given: SYNTHETIC data, 2000 rows written to %s\n"
                  "  %s\n",
                  path.c_str(), kSyntheticFormula);
    }
    // The seed's WaterDataset: target in the last column. Rows with a
    // missing value are dropped (pandas' dropna()): one NaN would make
    // every loss after it NaN.
    auto table = std::make_shared<const data::CsvDataset>(
        path, data::CsvDatasetOptions().dropna(true));
    int64_t columns = table->features().size(1);
    if (columns != kFeatures)
      throw nnc::Error(
          path + ": the seeds' Net takes " + std::to_string(kFeatures) +
          " feature columns, and " + std::to_string(columns) +
          " columns precede the target column '" + table->target_name() + "'");
    if (table->size() < 5)
      throw nnc::Error(path + ": " + std::to_string(table->size()) +
                       " rows leave none for testing in an 80/20 split; at "
                       "least 5 are needed");
    Splits splits = splitAndStandardize(*table, table);
    std::printf("%s: %lld rows (%lld with a missing value dropped), target "
                "'%s'; %lld training, %lld test; Net 9-16-8-1, MSELoss, Adam "
                "1e-3, batch 64, %d epochs, %d threads\n",
                path.c_str(), static_cast<long long>(table->size()),
                static_cast<long long>(table->dropped_rows()),
                table->target_name().c_str(),
                static_cast<long long>(splits.train->size()),
                static_cast<long long>(splits.test->size()), settings.epochs,
                settings.threads);

    double baselineMse = testMse(
        [&](const Tensor &x) {
          return nnc::full({x.size(0), 1}, splits.trainTargetMean);
        },
        splits.test);
    TrainResult eager = train(false, settings.epochs, splits);
    TrainResult compiled = train(true, settings.epochs, splits);

    std::printf("\ntest MSE, predicting the training mean  %10.4f\n",
                baselineMse);
    std::printf("test MSE, eager                         %10.4f  (%.1fx "
                "better)\n",
                eager.testMse, baselineMse / eager.testMse);
    std::printf("test MSE, compiled                      %10.4f  (%.1fx "
                "better)\n",
                compiled.testMse, baselineMse / compiled.testMse);
    std::printf("training step, eager                    %10.3f ms\n",
                eager.msPerStep);
    std::printf("training step, compiled                 %10.3f ms  (%.2fx; "
                "compile_step %.2f s, %d compilation%s, dynamic batch)\n",
                compiled.msPerStep, eager.msPerStep / compiled.msPerStep,
                compiled.compileS, compiled.compilations,
                compiled.compilations == 1 ? "" : "s");
    double mseGap = std::abs(compiled.testMse - eager.testMse) / eager.testMse;
    std::printf("{\"example\": \"tabular\", \"synthetic\": %s, \"epochs\": %d, "
                "\"threads\": %d, \"baseline_mse\": %.5f, \"eager_mse\": %.5f, "
                "\"compiled_mse\": %.5f, \"eager_ms_per_step\": %.4f, "
                "\"compiled_ms_per_step\": %.4f, \"speedup\": %.3f, "
                "\"compile_s\": %.2f}\n",
                settings.csvPath.empty() ? "true" : "false", settings.epochs,
                settings.threads, baselineMse, eager.testMse, compiled.testMse,
                eager.msPerStep, compiled.msPerStep,
                eager.msPerStep / compiled.msPerStep, compiled.compileS);

    if (settings.check) {
      bool beatsBaseline =
          eager.testMse * 2 < baselineMse && compiled.testMse * 2 < baselineMse;
      bool agree = mseGap <= kMseTolerance;
      std::printf("check: both beat the baseline by 2x: %s; compiled vs "
                  "eager MSE differ by %.2f%% (tolerance %.0f%%): %s\n",
                  beatsBaseline ? "yes" : "NO", mseGap * 100,
                  kMseTolerance * 100, agree ? "yes" : "NO");
      if (!beatsBaseline || !agree)
        return 2;
    }
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "tabular_example: error: %s\n", e.what());
    return 1;
  }
}
