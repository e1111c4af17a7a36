//===- examples/mlp.cpp - A two-layer MLP, eager and compiled -------------===//
//
// The main job until the seeds' CNN lands: a 784-128-10 MLP forward written
// with the eager API (Halide kernels), then traced and compiled through the
// `nn` dialect -> linalg -> LLVM and run by the runtime. Prints both results'
// agreement, their times, and one JSON line summarizing the run.
//
//===----------------------------------------------------------------------===//
#include "frontend/nnc.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

namespace {

/// Median wall time of `fn` over `repeats` runs after one warm-up, in ms.
double medianMs(int repeats, const std::function<void()> &fn) {
  fn();
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    auto start = std::chrono::steady_clock::now();
    fn();
    auto end = std::chrono::steady_clock::now();
    times.push_back(
        std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

/// max |a - b| / max |b|: the difference relative to the output's scale
/// (element-wise relative error is meaningless for logits near zero).
double relativeDiff(const nnc::Tensor &a, const nnc::Tensor &b) {
  nnc::Tensor x = a.contiguous(), y = b.contiguous();
  const float *p = x.data_ptr<float>(), *q = y.data_ptr<float>();
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    diff = std::max(diff, std::abs(double(p[i]) - double(q[i])));
    scale = std::max(scale, std::abs(double(q[i])));
  }
  return diff / std::max(scale, 1e-30);
}

} // namespace

int main(int argc, char **argv) {
  int64_t batch = argc > 1 ? std::atoll(argv[1]) : 256;
  int repeats = argc > 2 ? std::atoi(argv[2]) : 50;
  nnc::manual_seed(0);

  // Parameters laid out as nn.Linear's: weight [out, in], bias [out].
  nnc::Tensor w1 = nnc::randn({128, 784}) * 0.05f,
              b1 = nnc::randn({128}) * 0.1f;
  nnc::Tensor w2 = nnc::randn({10, 128}) * 0.05f, b2 = nnc::randn({10}) * 0.1f;
  auto mlp = [&](const std::vector<nnc::Tensor> &in) {
    nnc::Tensor h = (in[0].matmul(w1.t()) + b1).relu();
    return std::vector<nnc::Tensor>{h.matmul(w2.t()) + b2};
  };
  nnc::Tensor x = nnc::randn({batch, 784});

  nnc::Tensor eager = mlp({x})[0];
  auto start = std::chrono::steady_clock::now();
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(mlp, {x});
  double compileMs = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - start)
                         .count();
  nnc::Tensor fused = compiled({x})[0];
  double relDiff = relativeDiff(fused, eager);

  double eagerMs = medianMs(repeats, [&] { mlp({x}); });
  double compiledMs = medianMs(repeats, [&] { compiled({x}); });

  std::printf("MLP 784-128-10, batch %lld, %d threads\n", (long long)batch,
              nnc::get_num_threads());
  auto printRow = [](const char *label, const nnc::Tensor &t) {
    nnc::Tensor c = t.contiguous();
    std::printf("%-9s logits[0, :5] =", label);
    for (int j = 0; j < 5; ++j)
      std::printf(" %9.5f", c.data_ptr<float>()[j]);
    std::printf("\n");
  };
  printRow("eager", eager);
  printRow("compiled", fused);
  std::printf(
      "relative difference compiled vs eager (max|d|/max|eager|): %.3g\n",
      relDiff);
  std::printf("compile time           %9.1f ms\n", compileMs);
  std::printf("eager forward          %9.3f ms (median of %d)\n", eagerMs,
              repeats);
  std::printf("compiled forward       %9.3f ms (median of %d)\n", compiledMs,
              repeats);
  std::printf("compiled vs eager      %9.2fx\n", eagerMs / compiledMs);
  std::printf(
      "{\"example\": \"mlp_forward\", \"batch\": %lld, \"threads\": %d, "
      "\"max_rel_diff\": %.3g, \"compile_ms\": %.1f, \"eager_ms\": %.3f, "
      "\"compiled_ms\": %.3f, \"speedup\": %.3f}\n",
      (long long)batch, nnc::get_num_threads(), relDiff, compileMs, eagerMs,
      compiledMs, eagerMs / compiledMs);
  return relDiff <= 1e-5 ? 0 : 1;
}
