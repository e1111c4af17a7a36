//===- bench/nnc_bench.cpp - Fused vs eager vs libtorch, in one run -------===//
//
// `nnc-bench [--json FILE] [--svg FILE] [--threads N] [--quick] [--case S]`
// Times each case eagerly (Halide kernels), compiled (nnc::jit) and, for the
// seeds' models where the bench was built with libtorch, in libtorch, all in
// this process with the same number of threads, the same shapes and the
// same initial parameters. The implementations of a case are timed in
// alternation (measureInterleaved), so load from other processes falls on
// all of them alike. Prints a table with the ratios fused/eager,
// fused/libtorch and eager/libtorch, and writes DESIGN.md §10 records and a
// chart of the speed-ups.
//
//===----------------------------------------------------------------------===//
#include "bench/BenchHarness.h"
#include "bench/LibtorchPeer.h"
#include "examples/ResidualBlock.h"
#include "frontend/jit/CompileStep.h"
#include "frontend/nn/Conv.h"
#include "frontend/nn/Pooling.h"
#include "frontend/nnc.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace nn = nnc::nn;
namespace libtorch = nnc::bench::libtorch;
using nnc::Tensor;
using nnc::bench::Impl;
using nnc::bench::Record;
using nnc::jit::TensorFunction;

namespace {

/// --case: only the cases whose name contains it run (for profiling one).
std::string caseFilter;

bool selected(const std::string &name) {
  return name.find(caseFilter) != std::string::npos;
}

/// Work per implementation and case: ms of timed calls and the fewest calls.
struct Budget {
  double minMs;
  int minRepeats;
};

/// Implementations that could not run (a model the compiler cannot compile
/// yet), printed under the table rather than ending the run.
std::vector<std::string> skipped;

/// Seconds each model case took to trace and compile (not in the medians).
std::vector<std::pair<std::string, double>> compileSeconds;

/// Runs `compile` and notes how long it took under `caseName`.
template <class Compile>
auto timeCompile(const std::string &caseName, Compile compile) {
  auto start = std::chrono::steady_clock::now();
  auto compiled = compile();
  compileSeconds.emplace_back(
      caseName,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  return compiled;
}

/// Largest |a - b| over two float32 arrays, relative to max(|a|, 1).
double relativeDifference(const float *a, const float *b, int64_t n) {
  double diff = 0, scale = 1;
  for (int64_t k = 0; k < n; ++k) {
    diff = std::max(diff, std::abs(double(a[k]) - double(b[k])));
    scale = std::max(scale, std::abs(double(a[k])));
  }
  return diff / scale;
}

/// Throws if `actual` (from `impl`) is not `expected` within a float32
/// tolerance for a whole model: a benchmark of wrong code is worthless.
void checkClose(const std::string &caseName, const std::string &impl,
                const Tensor &expected, const float *actual, int64_t n,
                double tolerance = 1e-4) {
  Tensor e = expected.contiguous();
  if (e.numel() != n)
    throw std::runtime_error("nnc-bench: " + caseName + ": " + impl +
                             " gives " + std::to_string(n) + " values, eager " +
                             std::to_string(e.numel()));
  double diff = relativeDifference(e.data_ptr<float>(), actual, n);
  if (diff > tolerance)
    throw std::runtime_error("nnc-bench: " + caseName + ": " + impl +
                             " and eager disagree by " + std::to_string(diff));
}

//===----------------------------------------------------------------------===//
// libtorch, where the bench links it
//===----------------------------------------------------------------------===//

#ifdef NNC_BENCH_WITH_LIBTORCH
constexpr bool haveLibtorch = true;

libtorch::HostTensor toHost(const Tensor &tensor) {
  Tensor values = tensor.detach().contiguous();
  const float *data = values.data_ptr<float>();
  return {values.sizes(), std::vector<float>(data, data + values.numel())};
}

std::vector<libtorch::HostTensor> hostParameters(const nn::Sequential &model) {
  std::vector<libtorch::HostTensor> out;
  for (const Tensor &p : model->parameters())
    out.push_back(toHost(p));
  return out;
}

std::vector<int64_t> labelsOf(const Tensor &target) {
  Tensor labels = target.contiguous();
  const int64_t *data = labels.data_ptr<int64_t>();
  return std::vector<int64_t>(data, data + labels.numel());
}

/// libtorch's training step on `model`'s current parameters and `batch`.
/// `eagerStep` (one nnc eager step, returning the loss) runs once from the
/// same parameters as libtorch's first step, and the losses and updated
/// parameters must agree.
std::optional<Impl>
libtorchTrainStep(const std::string &caseName, libtorch::Model peerModel,
                  const nn::Sequential &model,
                  const std::pair<Tensor, Tensor> &batch,
                  const std::function<Tensor()> &eagerStep) {
  auto step = std::make_shared<libtorch::TrainStep>(
      peerModel, hostParameters(model), toHost(batch.first),
      labelsOf(batch.second));
  Tensor eagerLoss = eagerStep();
  (*step)();
  float torchLoss = step->loss();
  checkClose(caseName, "libtorch loss", eagerLoss, &torchLoss, 1);
  std::vector<Tensor> params = model->parameters();
  std::vector<libtorch::HostTensor> torchParams = step->parameters();
  for (size_t i = 0; i < params.size(); ++i)
    checkClose(caseName,
               "libtorch's Adam-updated parameter " + std::to_string(i),
               params[i], torchParams[i].values.data(),
               static_cast<int64_t>(torchParams[i].values.size()));
  return Impl{"libtorch", [step] { (*step)(); }};
}

/// libtorch's forward of `model`'s parameters on `input`, checked against
/// nnc's eager output.
std::optional<Impl> libtorchInference(const std::string &caseName,
                                      libtorch::Model peerModel,
                                      const nn::Sequential &model,
                                      const Tensor &input,
                                      const Tensor &eagerOutput) {
  auto forward = std::make_shared<libtorch::Inference>(
      peerModel, hostParameters(model), toHost(input));
  (*forward)();
  libtorch::HostTensor out = forward->output();
  checkClose(caseName, "libtorch", eagerOutput, out.values.data(),
             static_cast<int64_t>(out.values.size()));
  return Impl{"libtorch", [forward] { (*forward)(); }};
}
#else
constexpr bool haveLibtorch = false;

std::optional<Impl> libtorchTrainStep(const std::string &, libtorch::Model,
                                      const nn::Sequential &,
                                      const std::pair<Tensor, Tensor> &,
                                      const std::function<Tensor()> &) {
  return std::nullopt;
}

std::optional<Impl> libtorchInference(const std::string &, libtorch::Model,
                                      const nn::Sequential &, const Tensor &,
                                      const Tensor &) {
  return std::nullopt;
}
#endif

//===----------------------------------------------------------------------===//
// Cases
//===----------------------------------------------------------------------===//

void add(std::vector<Record> &records, const std::vector<Record> &more) {
  records.insert(records.end(), more.begin(), more.end());
}

/// Times `fn` eagerly and compiled on the same inputs (and `peer`, if any),
/// after checking that compiled and eager agree.
void compareFusedEager(std::vector<Record> &records, const std::string &name,
                       const TensorFunction &fn,
                       const std::vector<Tensor> &inputs, const Budget &budget,
                       std::optional<Impl> peer = std::nullopt) {
  if (!selected(name))
    return;
  std::vector<Impl> impls{{"eager", [&] { fn(inputs); }}};
  std::optional<nnc::jit::CompiledFunction> compiled;
  try {
    compiled = timeCompile(name, [&] { return nnc::jit::compile(fn, inputs); });
  } catch (const nnc::Error &e) {
    skipped.push_back(name + " fused: " + e.what());
  }
  if (compiled) {
    std::vector<Tensor> eager = fn(inputs), fused = (*compiled)(inputs);
    for (size_t i = 0; i < eager.size(); ++i) {
      Tensor f = fused[i].contiguous();
      checkClose(name, "compiled", eager[i], f.data_ptr<float>(), f.numel());
    }
    impls.push_back({"fused", [&] { (*compiled)(inputs); }});
  }
  if (peer)
    impls.push_back(*peer);
  add(records, nnc::bench::measureInterleaved(name, impls, budget.minRepeats,
                                              budget.minMs));
}

/// A model's inference: eval(), no autograd, batch `input`.
void inferenceCase(std::vector<Record> &records, const std::string &name,
                   nn::Sequential model, const Tensor &input,
                   std::optional<libtorch::Model> peerModel,
                   const Budget &budget) {
  if (!selected(name))
    return;
  model->eval();
  nnc::NoGradGuard noGrad;
  TensorFunction forward = [model](const std::vector<Tensor> &in) mutable {
    return std::vector<Tensor>{model(in[0])};
  };
  std::optional<Impl> peer;
  if (peerModel)
    peer =
        libtorchInference(name, *peerModel, model, input, forward({input})[0]);
  compareFusedEager(records, name, forward, {input}, budget, peer);
}

/// A whole training step: zero_grad, forward, loss, backward, Adam step;
/// eager, compile_step, and libtorch where `peerModel` names the model
/// (CrossEntropyLoss only).
template <class LossFn>
void trainStepCase(std::vector<Record> &records, const std::string &name,
                   nn::Sequential model, LossFn lossFn,
                   const std::pair<Tensor, Tensor> &batch,
                   std::optional<libtorch::Model> peerModel,
                   const Budget &budget) {
  if (!selected(name))
    return;
  nnc::optim::Adam adam(model->parameters(), nnc::optim::AdamOptions(1e-3));
  auto eager = [&] {
    adam.zero_grad();
    Tensor loss = lossFn(model(batch.first), batch.second);
    loss.backward();
    adam.step();
    return loss;
  };
  std::optional<Impl> peer;
  if (peerModel)
    peer = libtorchTrainStep(name, *peerModel, model, batch, eager);
  std::vector<Impl> impls{{"eager", [&] { eager(); }}};
  std::optional<nnc::jit::CompiledStep> compiled;
  try {
    compiled = timeCompile(name, [&] {
      return nnc::jit::compile_step(model, lossFn, adam, batch);
    });
  } catch (const nnc::Error &e) {
    skipped.push_back(name + " fused: " + e.what());
  }
  if (compiled) {
    // The compiled step's loss is the eager loss of the same parameters.
    Tensor eagerLoss;
    {
      nnc::NoGradGuard noGrad;
      eagerLoss = lossFn(model(batch.first), batch.second);
    }
    Tensor fusedLoss = (*compiled)(batch.first, batch.second).contiguous();
    checkClose(name, "compiled loss", eagerLoss, fusedLoss.data_ptr<float>(),
               fusedLoss.numel());
    impls.push_back({"fused", [&] { (*compiled)(batch.first, batch.second); }});
  }
  if (peer)
    impls.push_back(*peer);
  add(records, nnc::bench::measureInterleaved(name, impls, budget.minRepeats,
                                              budget.minMs));
}

/// The seeds' SmallCNN (../shared/peers/seed_appendix.py).
nn::Sequential smallCNN() {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 16, 3).padding(1)),
                        nn::ReLU(), nn::MaxPool2d(nn::MaxPool2dOptions(2)),
                        nn::Conv2d(nn::Conv2dOptions(16, 32, 3).padding(1)),
                        nn::ReLU(), nn::MaxPool2d(nn::MaxPool2dOptions(2)),
                        nn::Flatten(), nn::Linear(32 * 7 * 7, 10));
}

nn::Sequential mlp() {
  return nn::Sequential(nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 10));
}

nn::Sequential regressor() {
  return nn::Sequential(nn::Linear(9, 16), nn::ReLU(), nn::Linear(16, 8),
                        nn::ReLU(), nn::Linear(8, 1));
}

/// Class labels 0..9 for a batch of `n`.
Tensor classLabels(int64_t n) {
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n; ++i)
    labels.push_back(i % 10);
  return nnc::tensor(labels, {n});
}

void trainingCases(std::vector<Record> &records, const Budget &budget) {
  trainStepCase(records, "mlp_train_step_b64", mlp(), nn::CrossEntropyLoss(),
                {nnc::randn({64, 784}), classLabels(64)}, libtorch::Model::MLP,
                budget);
  trainStepCase(records, "smallcnn_train_step_b64", smallCNN(),
                nn::CrossEntropyLoss(),
                {nnc::randn({64, 1, 28, 28}), classLabels(64)},
                libtorch::Model::SmallCNN, budget);
  Tensor x = nnc::randn({64, 9});
  trainStepCase(records, "regressor_train_step_b64", regressor(), nn::MSELoss(),
                {x, x.sum({1}, true)}, std::nullopt, budget);
}

void inferenceCases(std::vector<Record> &records, const Budget &budget) {
  inferenceCase(records, "mlp_inference_b256", mlp(), nnc::randn({256, 784}),
                libtorch::Model::MLP, budget);
  inferenceCase(records, "smallcnn_inference_b256", smallCNN(),
                nnc::randn({256, 1, 28, 28}), libtorch::Model::SmallCNN,
                budget);
  inferenceCase(records, "regressor_inference_b256", regressor(),
                nnc::randn({256, 9}), std::nullopt, budget);
}

void microCases(std::vector<Record> &records, const Budget &budget) {
  Tensor x = nnc::randn({256, 1024}), b = nnc::randn({1024});
  compareFusedEager(
      records, "bias_tanh_256x1024",
      [&](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{(in[0] + b).tanh()};
      },
      {x}, budget);
  compareFusedEager(
      records, "softmax_256x1024",
      [](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{in[0].softmax(1)};
      },
      {x}, budget);
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < 256; ++i)
    labels.push_back(i % 1000);
  Tensor y = nnc::tensor(labels, {256});
  Tensor logits = nnc::randn({256, 1000});
  compareFusedEager(
      records, "log_softmax_nll_256x1000",
      [](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{
            nnc::nn::functional::cross_entropy(in[0], in[1])};
      },
      {logits, y}, budget);
}

/// The SmallCNN's layers alone, forward at the training batch (64): where
/// its compiled step gains or loses against eager.
void smallCNNLayerCases(std::vector<Record> &records, const Budget &budget) {
  namespace F = nnc::nn::functional;
  Tensor w1 = nnc::randn({16, 1, 3, 3}) * 0.3f, b1 = nnc::randn({16}) * 0.1f;
  Tensor w2 = nnc::randn({32, 16, 3, 3}) * 0.1f, b2 = nnc::randn({32}) * 0.1f;
  compareFusedEager(
      records, "smallcnn_conv1_relu_b64",
      [&](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{F::conv2d(in[0], w1, b1, 1, 1).relu()};
      },
      {nnc::randn({64, 1, 28, 28})}, budget);
  compareFusedEager(
      records, "smallcnn_maxpool1_b64",
      [](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{F::max_pool2d(in[0], 2)};
      },
      {nnc::randn({64, 16, 28, 28})}, budget);
  compareFusedEager(
      records, "smallcnn_conv2_relu_b64",
      [&](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{F::conv2d(in[0], w2, b2, 1, 1).relu()};
      },
      {nnc::randn({64, 16, 14, 14})}, budget);
}

/// The Adam update of 784*128 + 128*10 parameters' worth of tensors (the
/// MLP's), eager step() vs the same step traced and compiled.
void adamUpdateCase(std::vector<Record> &records, const Budget &budget) {
  if (!selected("adam_update_mlp"))
    return;
  std::vector<Tensor> params{nnc::randn({128, 784}), nnc::randn({128}),
                             nnc::randn({10, 128}), nnc::randn({10})};
  std::vector<Tensor> grads;
  for (const Tensor &p : params)
    grads.push_back(nnc::randn(p.sizes()) * 0.01f);
  nnc::optim::Adam adam(params, nnc::optim::AdamOptions(1e-3));
  auto step = [&](const std::vector<Tensor> &g) {
    for (size_t i = 0; i < params.size(); ++i)
      params[i].set_grad(g[i]);
    adam.step();
    return std::vector<Tensor>{};
  };
  adam.init_state();
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(step, grads);
  add(records,
      nnc::bench::measureInterleaved("adam_update_mlp",
                                     {{"eager", [&] { step(grads); }},
                                      {"fused", [&] { compiled(grads); }}},
                                     budget.minRepeats, budget.minMs));
}

using nnc::examples::ResidualBlock;

/// nn-layout's gain: `forward` compiled with every convolution NCHW
/// (NNC_LAYOUT=0, impl "fused_nchw"), with the layout pass ("fused"), and
/// with the pass and frozen weights packed at compile time
/// ("fused_frozen"), timed interleaved with eager.
void layoutCase(std::vector<Record> &records, const std::string &name,
                const TensorFunction &forward, const Tensor &input,
                const Budget &budget) {
  if (!selected(name))
    return;
  nnc::NoGradGuard noGrad;
  std::vector<Tensor> inputs{input};
  auto compileWith = [&](bool layout, bool freeze) {
    setenv("NNC_LAYOUT", layout ? "1" : "0", /*overwrite=*/1);
    auto compiled = timeCompile(name, [&] {
      return nnc::jit::compile(forward, inputs,
                               nnc::jit::CompileOptions().frozen(freeze));
    });
    unsetenv("NNC_LAYOUT");
    return compiled;
  };
  nnc::jit::CompiledFunction nchw = compileWith(false, false),
                             layout = compileWith(true, false),
                             frozen = compileWith(true, true);
  Tensor eager = forward(inputs)[0];
  for (auto [impl, compiled] : {std::pair{"fused_nchw", &nchw},
                                {"fused", &layout},
                                {"fused_frozen", &frozen}}) {
    Tensor result = (*compiled)(inputs)[0].contiguous();
    checkClose(name, impl, eager, result.data_ptr<float>(), result.numel());
  }
  add(records, nnc::bench::measureInterleaved(
                   name,
                   {{"eager", [&] { forward(inputs); }},
                    {"fused_nchw", [&] { nchw(inputs); }},
                    {"fused", [&] { layout(inputs); }},
                    {"fused_frozen", [&] { frozen(inputs); }}},
                   budget.minRepeats, budget.minMs));
}

void layoutCases(std::vector<Record> &records, const Budget &budget) {
  nn::Sequential cnn = smallCNN();
  cnn->eval();
  layoutCase(
      records, "layout_smallcnn_inference_b256",
      [cnn](const std::vector<Tensor> &in) mutable {
        return std::vector<Tensor>{cnn(in[0])};
      },
      nnc::randn({256, 1, 28, 28}), budget);
  // One block, whose NCHW input and output each need a permute, and a
  // stage of three (ResNet-34's first), where the permutes between blocks
  // cancel and only the stage's input and output are permuted.
  for (int64_t blocks : {1, 3})
    for (int64_t batch : {1, 8}) {
      nn::Sequential stage;
      for (int64_t i = 0; i < blocks; ++i)
        stage->push_back(ResidualBlock(64));
      stage->eval();
      layoutCase(
          records,
          "layout_resnet_" + std::to_string(blocks) +
              (blocks == 1 ? "_block" : "_blocks") + "_64x56x56_b" +
              std::to_string(batch),
          [stage](const std::vector<Tensor> &in) mutable {
            return std::vector<Tensor>{stage(in[0])};
          },
          nnc::randn({batch, 64, 56, 56}), budget);
    }
}

} // namespace

#ifdef NNC_BENCH_WITH_LIBTORCH
/// libtorch's intra-op threads are libgomp's, and libgomp reads
/// OMP_WAIT_POLICY once, when it loads, before main. Its default spins at
/// every barrier; where other processes keep the cores busy (as on a shared
/// machine), a spinning thread that is descheduled stalls each parallel
/// region, and a libtorch MLP training step took 125 ms instead of 1 ms.
/// nnc's pool sleeps on a condition variable, so for the same conditions
/// libtorch's threads sleep too ("passive"), unless the caller chose a
/// policy: the bench runs itself again with it set.
void ensurePassiveOpenMP(char **argv) {
  if (std::getenv("OMP_WAIT_POLICY"))
    return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);
  std::fprintf(stderr, "nnc-bench: could not restart with "
                       "OMP_WAIT_POLICY=passive; libtorch's threads spin\n");
}
#endif

int main(int argc, char **argv) {
  try {
#ifdef NNC_BENCH_WITH_LIBTORCH
    ensurePassiveOpenMP(argv);
#endif
    nnc::bench::Options options =
        nnc::bench::parseOptions("nnc-bench", argc, argv, /*acceptsCase=*/true);
    caseFilter = options.caseFilter;
    nnc::set_num_threads(options.threads);
#ifdef NNC_BENCH_WITH_LIBTORCH
    libtorch::setNumThreads(options.threads);
#endif
    nnc::manual_seed(0);
    Budget budget = options.quick ? Budget{50, 5} : Budget{1500, 30};
    std::vector<Record> records;
    trainingCases(records, budget);
    inferenceCases(records, budget);
    smallCNNLayerCases(records, budget);
    microCases(records, budget);
    adamUpdateCase(records, budget);
    layoutCases(records, budget);

    std::printf("nnc-bench: fused (compiled) vs eager%s, %d threads; "
                "speed-up a/b = median(b) / median(a)\n",
                haveLibtorch ? " vs libtorch" : " (built without libtorch)",
                nnc::get_num_threads());
#ifdef NNC_BENCH_WITH_LIBTORCH
    std::printf("peer: %s (Debian libtorch-dev), same process and threads, "
                "OMP_WAIT_POLICY=%s\n",
                libtorch::version().c_str(), std::getenv("OMP_WAIT_POLICY"));
#endif
    std::vector<nnc::bench::Comparison> comparisons{
        {"fused", "eager"}, {"fused", "libtorch"}, {"eager", "libtorch"}};
    std::cout << nnc::bench::formatTable(records, comparisons);
    std::printf("compile (trace + compile, s):");
    for (const auto &[name, seconds] : compileSeconds)
      std::printf(" %s %.2f;", name.c_str(), seconds);
    std::printf("\n");
    for (const std::string &line : skipped)
      std::printf("skipped: %s\n", line.c_str());
    if (!options.jsonPath.empty())
      nnc::bench::writeFile(options.jsonPath, nnc::bench::toJson(records));
    if (!options.svgPath.empty())
      nnc::bench::writeFile(options.svgPath,
                            nnc::bench::speedupChartSvg(
                                records, comparisons,
                                "nnc: fused vs eager vs libtorch, speed-ups (" +
                                    std::to_string(options.threads) +
                                    " threads)"));
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
