//===- bench/LibtorchPeer.cpp - The bench's models in libtorch ------------===//
#include "bench/LibtorchPeer.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <stdexcept>

namespace nnc::bench::libtorch {

namespace tnn = torch::nn;

namespace {

tnn::Sequential makeModel(Model model) {
  switch (model) {
  case Model::MLP:
    return tnn::Sequential(tnn::Linear(784, 128), tnn::ReLU(),
                           tnn::Linear(128, 10));
  case Model::SmallCNN:
    return tnn::Sequential(
        tnn::Conv2d(tnn::Conv2dOptions(1, 16, 3).padding(1)), tnn::ReLU(),
        tnn::MaxPool2d(tnn::MaxPool2dOptions(2)),
        tnn::Conv2d(tnn::Conv2dOptions(16, 32, 3).padding(1)), tnn::ReLU(),
        tnn::MaxPool2d(tnn::MaxPool2dOptions(2)), tnn::Flatten(),
        tnn::Linear(32 * 7 * 7, 10));
  }
  throw std::invalid_argument("libtorch peer: unknown model");
}

torch::Tensor toTorch(const HostTensor &host) {
  return torch::from_blob(const_cast<float *>(host.values.data()), host.sizes,
                          torch::kFloat32)
      .clone();
}

HostTensor toHost(const torch::Tensor &tensor) {
  torch::Tensor values = tensor.detach().contiguous();
  const float *data = values.data_ptr<float>();
  return {values.sizes().vec(),
          std::vector<float>(data, data + values.numel())};
}

/// A model with `parameters` copied in, after checking that they fit.
tnn::Sequential makeModel(Model model,
                          const std::vector<HostTensor> &parameters) {
  tnn::Sequential sequential = makeModel(model);
  std::vector<torch::Tensor> own = sequential->parameters();
  if (own.size() != parameters.size())
    throw std::invalid_argument(
        "libtorch peer: the model has " + std::to_string(own.size()) +
        " parameters, given " + std::to_string(parameters.size()));
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < own.size(); ++i) {
    if (own[i].sizes().vec() != parameters[i].sizes)
      throw std::invalid_argument("libtorch peer: parameter " +
                                  std::to_string(i) +
                                  " has another shape than the model's");
    own[i].copy_(toTorch(parameters[i]));
  }
  return sequential;
}

} // namespace

std::string version() { return "libtorch " TORCH_VERSION; }

void setNumThreads(int threads) { torch::set_num_threads(threads); }

//===----------------------------------------------------------------------===//
// TrainStep
//===----------------------------------------------------------------------===//

struct TrainStep::State {
  tnn::Sequential model;
  torch::optim::Adam optimizer;
  tnn::CrossEntropyLoss criterion;
  torch::Tensor input, target, loss;

  State(tnn::Sequential m, torch::Tensor x, torch::Tensor y)
      : model(std::move(m)),
        optimizer(model->parameters(), torch::optim::AdamOptions(1e-3)),
        input(std::move(x)), target(std::move(y)) {}
};

TrainStep::TrainStep(Model model, const std::vector<HostTensor> &parameters,
                     const HostTensor &input,
                     const std::vector<int64_t> &labels)
    : state_(std::make_unique<State>(makeModel(model, parameters),
                                     toTorch(input),
                                     torch::tensor(labels, torch::kInt64))) {
  state_->model->train();
}

TrainStep::~TrainStep() = default;
TrainStep::TrainStep(TrainStep &&) noexcept = default;

void TrainStep::operator()() {
  State &s = *state_;
  s.optimizer.zero_grad();
  s.loss = s.criterion(s.model->forward(s.input), s.target);
  s.loss.backward();
  s.optimizer.step();
}

float TrainStep::loss() const { return state_->loss.item<float>(); }

std::vector<HostTensor> TrainStep::parameters() const {
  std::vector<HostTensor> out;
  for (const torch::Tensor &p : state_->model->parameters())
    out.push_back(toHost(p));
  return out;
}

//===----------------------------------------------------------------------===//
// Inference
//===----------------------------------------------------------------------===//

struct Inference::State {
  tnn::Sequential model;
  torch::Tensor input, output;
};

Inference::Inference(Model model, const std::vector<HostTensor> &parameters,
                     const HostTensor &input)
    : state_(std::make_unique<State>(
          State{makeModel(model, parameters), toTorch(input), {}})) {
  state_->model->eval();
}

Inference::~Inference() = default;
Inference::Inference(Inference &&) noexcept = default;

void Inference::operator()() {
  torch::NoGradGuard noGrad;
  state_->output = state_->model->forward(state_->input);
}

HostTensor Inference::output() const { return toHost(state_->output); }

} // namespace nnc::bench::libtorch
