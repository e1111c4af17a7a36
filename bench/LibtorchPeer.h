//===- bench/LibtorchPeer.h - The bench's models in libtorch ----*- C++ -*-===//
//
// libtorch (Debian's libtorch-dev, PyTorch 1.13's C++ API) running the same
// models, batches and recipe as nnc-bench's eager and fused cases, in the
// same process, for DESIGN.md §10's "compiled vs eager vs libtorch eager"
// ratios. Only plain C++ types cross this header, so neither side's headers
// see the other's (torch/torch.h and nnc's frontend/nnc.h stay in separate
// translation units). Built only where CMake finds Torch.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_BENCH_LIBTORCHPEER_H
#define NNC_BENCH_LIBTORCHPEER_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nnc::bench::libtorch {

/// A float32 tensor on the host: row-major values and sizes.
struct HostTensor {
  std::vector<int64_t> sizes;
  std::vector<float> values;
};

/// The models, as in ../shared/peers/seed_appendix.py.
enum class Model {
  /// Linear 784->128, ReLU, Linear 128->10; input [N, 784].
  MLP,
  /// Conv 1->16 (3x3, pad 1), ReLU, MaxPool 2, Conv 16->32 (3x3, pad 1),
  /// ReLU, MaxPool 2, Flatten, Linear 1568->10; input [N, 1, 28, 28].
  SmallCNN,
};

/// "libtorch 1.13.0": the version of the headers the bench was built with.
std::string version();

/// torch::set_num_threads: libtorch's intra-op (OpenMP) threads.
void setNumThreads(int threads);

/// One training step in libtorch: zero_grad, forward, CrossEntropyLoss,
/// backward, Adam(lr 1e-3) step, on a fixed batch.
class TrainStep {
public:
  /// `parameters` in named_parameters() order (nnc's Sequential has the
  /// same order as torch::nn::Sequential); each must match the model's
  /// shape. Throws std::invalid_argument otherwise.
  TrainStep(Model model, const std::vector<HostTensor> &parameters,
            const HostTensor &input, const std::vector<int64_t> &labels);
  ~TrainStep();
  TrainStep(TrainStep &&) noexcept;

  void operator()();
  /// The loss of the last step.
  float loss() const;
  /// The parameters now (after the steps run so far).
  std::vector<HostTensor> parameters() const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Inference in libtorch: model->eval() and the forward under
/// torch::NoGradGuard, as `with torch.no_grad()` in the seeds.
class Inference {
public:
  Inference(Model model, const std::vector<HostTensor> &parameters,
            const HostTensor &input);
  ~Inference();
  Inference(Inference &&) noexcept;

  void operator()();
  /// The logits of the last forward.
  HostTensor output() const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

} // namespace nnc::bench::libtorch

#endif // NNC_BENCH_LIBTORCHPEER_H
