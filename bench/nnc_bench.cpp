//===- bench/nnc_bench.cpp - Fused (compiled) vs eager, in one run --------===//
//
// `nnc-bench [--json FILE] [--svg FILE] [--threads N] [--quick]`
// Times each case eagerly (Halide kernels) and compiled (nnc::jit), with the
// same number of threads, prints a table, and writes DESIGN.md §10 records
// and a chart of the speed-ups.
//
//===----------------------------------------------------------------------===//
#include "bench/BenchHarness.h"
#include "frontend/jit/CompileStep.h"
#include "frontend/nnc.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

using nnc::Tensor;
using nnc::bench::measure;
using nnc::bench::Record;
using nnc::jit::TensorFunction;

namespace {

struct Options {
  std::string jsonPath, svgPath;
  int threads = 2;
  bool quick = false;
};

Options parseArgs(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        throw std::invalid_argument("nnc-bench: " + a + " needs a value");
      return argv[++i];
    };
    if (a == "--json")
      o.jsonPath = value();
    else if (a == "--svg")
      o.svgPath = value();
    else if (a == "--threads")
      o.threads = std::atoi(value().c_str());
    else if (a == "--quick")
      o.quick = true;
    else
      throw std::invalid_argument(
          "nnc-bench: unknown argument '" + a +
          "' (use --json FILE, --svg FILE, --threads N, --quick)");
  }
  return o;
}

/// Times `fn` eagerly and compiled on the same inputs, after checking that
/// both agree (a benchmark of wrong code is worthless).
void compareFusedEager(std::vector<Record> &records, const std::string &name,
                       const TensorFunction &fn,
                       const std::vector<Tensor> &inputs, double minMs) {
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(fn, inputs);
  std::vector<Tensor> eager = fn(inputs), fused = compiled(inputs);
  for (size_t i = 0; i < eager.size(); ++i) {
    Tensor e = eager[i].contiguous(), f = fused[i].contiguous();
    double diff = 0, scale = 0;
    for (int64_t k = 0; k < e.numel(); ++k) {
      diff = std::max(diff, std::abs(double(e.data_ptr<float>()[k]) -
                                     double(f.data_ptr<float>()[k])));
      scale = std::max(scale, std::abs(double(e.data_ptr<float>()[k])));
    }
    if (diff > 1e-4 * std::max(scale, 1.0))
      throw std::runtime_error("nnc-bench: " + name +
                               ": compiled and eager disagree by " +
                               std::to_string(diff));
  }
  records.push_back(measure(
      name, "eager", [&] { fn(inputs); }, 10, minMs));
  records.push_back(measure(
      name, "fused", [&] { compiled(inputs); }, 10, minMs));
}

/// A Linear layer's parameters, laid out as nn.Linear's.
struct Dense {
  Tensor weight, bias;
  Dense(int64_t in, int64_t out)
      : weight(nnc::randn({out, in}) * (1.0f / std::sqrt(float(in)))),
        bias(nnc::randn({out}) * 0.1f) {}
  Tensor operator()(const Tensor &x) const {
    return x.matmul(weight.t()) + bias;
  }
};

void inferenceCases(std::vector<Record> &records, double minMs) {
  Dense fc1(784, 128), fc2(128, 10);
  compareFusedEager(
      records, "mlp_inference_b256",
      [&](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{fc2(fc1(in[0]).relu())};
      },
      {nnc::randn({256, 784})}, minMs);

  Dense r1(9, 16), r2(16, 8), r3(8, 1);
  compareFusedEager(
      records, "regressor_inference_b256",
      [&](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{r3(r2(r1(in[0]).relu()).relu())};
      },
      {nnc::randn({256, 9})}, minMs);
}

void microCases(std::vector<Record> &records, double minMs) {
  Tensor x = nnc::randn({256, 1024}), b = nnc::randn({1024});
  compareFusedEager(
      records, "bias_tanh_256x1024",
      [&](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{(in[0] + b).tanh()};
      },
      {x}, minMs);
  compareFusedEager(
      records, "softmax_256x1024",
      [](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{in[0].softmax(1)};
      },
      {x}, minMs);
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
      {logits, y}, minMs);
}

/// The Adam update of 784*128 + 128*10 parameters' worth of tensors (the
/// MLP's), eager step() vs the same step traced and compiled.
void adamUpdateCase(std::vector<Record> &records, double minMs) {
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
  records.push_back(measure(
      "adam_update_mlp", "eager", [&] { step(grads); }, 10, minMs));
  records.push_back(measure(
      "adam_update_mlp", "fused", [&] { compiled(grads); }, 10, minMs));
}

/// A whole training step: zero_grad, forward, loss, backward, step.
template <class LossFn>
void trainStepCase(std::vector<Record> &records, const std::string &name,
                   nnc::nn::Sequential model, LossFn lossFn,
                   const std::pair<Tensor, Tensor> &batch, double minMs) {
  nnc::optim::Adam adam(model->parameters(), nnc::optim::AdamOptions(1e-3));
  auto eager = [&] {
    adam.zero_grad();
    Tensor loss = lossFn(model(batch.first), batch.second);
    loss.backward();
    adam.step();
  };
  nnc::jit::CompiledStep compiled =
      nnc::jit::compile_step(model, lossFn, adam, batch);
  records.push_back(measure(name, "eager", eager, 10, minMs));
  records.push_back(measure(
      name, "fused", [&] { compiled(batch.first, batch.second); }, 10, minMs));
}

void trainingCases(std::vector<Record> &records, double minMs) {
  namespace nn = nnc::nn;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < 64; ++i)
    labels.push_back(i % 10);
  trainStepCase(
      records, "mlp_train_step_b64",
      nn::Sequential(nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 10)),
      nn::CrossEntropyLoss(),
      {nnc::randn({64, 784}), nnc::tensor(labels, {64})}, minMs);
  Tensor x = nnc::randn({64, 9});
  trainStepCase(records, "regressor_train_step_b64",
                nn::Sequential(nn::Linear(9, 16), nn::ReLU(), nn::Linear(16, 8),
                               nn::ReLU(), nn::Linear(8, 1)),
                nn::MSELoss(), {x, x.sum({1}, true)}, minMs);
}

} // namespace

int main(int argc, char **argv) {
  try {
    Options options = parseArgs(argc, argv);
    nnc::set_num_threads(options.threads);
    nnc::manual_seed(0);
    double minMs = options.quick ? 50 : 500;
    std::vector<Record> records;
    trainingCases(records, minMs);
    inferenceCases(records, minMs);
    microCases(records, minMs);
    adamUpdateCase(records, minMs);

    std::printf("nnc-bench: fused (compiled) vs eager, %d threads\n",
                nnc::get_num_threads());
    std::cout << nnc::bench::formatTable(records, "fused", "eager");
    if (!options.jsonPath.empty())
      nnc::bench::writeFile(options.jsonPath, nnc::bench::toJson(records));
    if (!options.svgPath.empty())
      nnc::bench::writeFile(
          options.svgPath,
          nnc::bench::speedupChartSvg(records, "fused", "eager",
                                      "nnc: fused vs eager speed-up"));
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
