//===- frontend/nn/RNN.cpp - nn::RNN, nn::LSTM, nn::GRU -------------------===//
#include "frontend/nn/RNN.h"

#include "frontend/nn/Init.h"

#include <cmath>

namespace nnc::nn {

namespace {

std::string suffix(int64_t layer, bool reverse) {
  return "_l" + std::to_string(layer) + (reverse ? "_reverse" : "");
}

} // namespace

RNNImplBase::RNNImplBase(const char *name, const RNNOptions &options,
                         int64_t gates)
    : Module(name), options(options), gates_(gates) {
  std::string layer = std::string(name) + ": ";
  if (options.input_size() <= 0 || options.hidden_size() <= 0)
    throw Error(layer + "input_size and hidden_size must be positive, got " +
                std::to_string(options.input_size()) + " and " +
                std::to_string(options.hidden_size()));
  if (options.num_layers() < 1)
    throw Error(layer + "num_layers must be at least 1, got " +
                std::to_string(options.num_layers()));
  if (options.dropout() != 0)
    throw Error(layer + "dropout between layers is not supported yet (got " +
                std::to_string(options.dropout()) + ")");
  int64_t hidden = options.hidden_size();
  int64_t directions = options.bidirectional() ? 2 : 1;
  // Registered in PyTorch's order, so state_dict() lists them as it does.
  for (int64_t l = 0; l < options.num_layers(); ++l) {
    int64_t in = l == 0 ? options.input_size() : hidden * directions;
    for (int64_t d = 0; d < directions; ++d) {
      std::string s = suffix(l, d == 1);
      Weights w;
      w.ih = register_parameter("weight_ih" + s, empty({gates * hidden, in}));
      w.hh =
          register_parameter("weight_hh" + s, empty({gates * hidden, hidden}));
      if (options.bias()) {
        w.biasIH = register_parameter("bias_ih" + s, empty({gates * hidden}));
        w.biasHH = register_parameter("bias_hh" + s, empty({gates * hidden}));
      }
      weights_.push_back(w);
    }
  }
  reset_parameters();
}

void RNNImplBase::reset_parameters() {
  double bound = 1.0 / std::sqrt(static_cast<double>(options.hidden_size()));
  for (const Tensor &p : parameters(/*recurse=*/false))
    init::uniform_(p, -bound, bound);
}

std::pair<Tensor, std::vector<Tensor>>
RNNImplBase::run(const Tensor &input, const std::vector<Tensor> &initial,
                 size_t numStates) const {
  std::string layer = name() + ": ";
  bool batched = input.dim() == 3;
  if (input.dim() != 2 && input.dim() != 3)
    throw Error(layer + "expected input of 2 (unbatched) or 3 dims, got " +
                shapeToString(input.sizes()));
  // Internally [seq, batch, feature].
  Tensor x = batched ? (options.batch_first() ? input.transpose(0, 1) : input)
                     : input.unsqueeze(1);
  if (x.size(2) != options.input_size())
    throw Error(layer +
                "input.size(-1) must be equal to input_size. "
                "Expected " +
                std::to_string(options.input_size()) + ", got " +
                std::to_string(x.size(2)));
  int64_t steps = x.size(0), batch = x.size(1);
  int64_t hidden = options.hidden_size();
  int64_t directions = options.bidirectional() ? 2 : 1;
  int64_t layers = options.num_layers();

  IntList stateShape{layers * directions, batch, hidden};
  std::vector<Tensor> states; // each [layers * dirs, N, H]
  for (size_t k = 0; k < numStates; ++k) {
    if (k >= initial.size() || !initial[k].defined()) {
      states.push_back(zeros(stateShape, x.dtype()));
      continue;
    }
    Tensor h = batched ? initial[k] : initial[k].unsqueeze(1);
    if (h.sizes() != stateShape)
      throw Error(layer + "Expected hidden size " +
                  shapeToString(batched
                                    ? stateShape
                                    : IntList{layers * directions, hidden}) +
                  ", got " + shapeToString(initial[k].sizes()));
    states.push_back(h);
  }

  std::vector<std::vector<Tensor>> finals(numStates);
  Tensor layerInput = x;
  for (int64_t l = 0; l < layers; ++l) {
    std::vector<Tensor> directionOutputs;
    for (int64_t d = 0; d < directions; ++d) {
      const Weights &w = weights_[l * directions + d];
      // Every step's input projection in one matmul.
      Tensor xw = layerInput.matmul(w.ih.t());
      if (w.biasIH.defined())
        xw = xw + w.biasIH;
      std::vector<Tensor> state;
      for (const Tensor &s : states)
        state.push_back(s.select(0, l * directions + d));
      std::vector<Tensor> outputs(steps);
      for (int64_t i = 0; i < steps; ++i) {
        int64_t t = d == 0 ? i : steps - 1 - i; // the reverse direction
        state = cell(xw.select(0, t), state, w.hh, w.biasHH);
        outputs[t] = state[0];
      }
      directionOutputs.push_back(stack(outputs, 0));
      for (size_t k = 0; k < numStates; ++k)
        finals[k].push_back(state[k]);
    }
    layerInput =
        directions == 1 ? directionOutputs[0] : cat(directionOutputs, 2);
  }

  Tensor output = layerInput;
  if (!batched)
    output = output.squeeze(1);
  else if (options.batch_first())
    output = output.transpose(0, 1);
  std::vector<Tensor> result;
  for (std::vector<Tensor> &f : finals) {
    Tensor s = stack(f, 0);
    result.push_back(batched ? s : s.squeeze(1));
  }
  return {output, result};
}

//===----------------------------------------------------------------------===//
// RNN
//===----------------------------------------------------------------------===//

RNNImpl::RNNImpl(const RNNOptions &options) : RNNImplBase("RNN", options, 1) {
  if (options.nonlinearity() != "tanh" && options.nonlinearity() != "relu")
    throw Error("RNN: Unknown nonlinearity '" + options.nonlinearity() +
                "'. Select from 'tanh' or 'relu'.");
}

std::vector<Tensor> RNNImpl::cell(const Tensor &xw,
                                  const std::vector<Tensor> &states,
                                  const Tensor &weightHH,
                                  const Tensor &biasHH) const {
  Tensor pre = xw + states[0].matmul(weightHH.t());
  if (biasHH.defined())
    pre = pre + biasHH;
  return {options.nonlinearity() == "tanh" ? pre.tanh() : pre.relu()};
}

std::tuple<Tensor, Tensor> RNNImpl::forward(const Tensor &input,
                                            const Tensor &hx) {
  auto [output, states] = run(input, {hx}, 1);
  return {output, states[0]};
}

//===----------------------------------------------------------------------===//
// LSTM
//===----------------------------------------------------------------------===//

LSTMImpl::LSTMImpl(const LSTMOptions &options)
    : RNNImplBase("LSTM", options, 4) {}

std::vector<Tensor> LSTMImpl::cell(const Tensor &xw,
                                   const std::vector<Tensor> &states,
                                   const Tensor &weightHH,
                                   const Tensor &biasHH) const {
  Tensor gates = xw + states[0].matmul(weightHH.t());
  if (biasHH.defined())
    gates = gates + biasHH;
  int64_t h = options.hidden_size();
  Tensor i = gates.narrow(1, 0, h).sigmoid();
  Tensor f = gates.narrow(1, h, h).sigmoid();
  Tensor g = gates.narrow(1, 2 * h, h).tanh();
  Tensor o = gates.narrow(1, 3 * h, h).sigmoid();
  Tensor c = f * states[1] + i * g;
  return {o * c.tanh(), c};
}

std::tuple<Tensor, std::tuple<Tensor, Tensor>>
LSTMImpl::forward(const Tensor &input, const std::tuple<Tensor, Tensor> &hx) {
  const auto &[h0, c0] = hx;
  if (h0.defined() != c0.defined())
    throw Error("LSTM: give both h_0 and c_0 or neither");
  auto [output, states] = run(input, {h0, c0}, 2);
  return {output, {states[0], states[1]}};
}

//===----------------------------------------------------------------------===//
// GRU
//===----------------------------------------------------------------------===//

GRUImpl::GRUImpl(const GRUOptions &options) : RNNImplBase("GRU", options, 3) {}

std::vector<Tensor> GRUImpl::cell(const Tensor &xw,
                                  const std::vector<Tensor> &states,
                                  const Tensor &weightHH,
                                  const Tensor &biasHH) const {
  Tensor hw = states[0].matmul(weightHH.t());
  if (biasHH.defined())
    hw = hw + biasHH;
  int64_t h = options.hidden_size();
  Tensor r = (xw.narrow(1, 0, h) + hw.narrow(1, 0, h)).sigmoid();
  Tensor z = (xw.narrow(1, h, h) + hw.narrow(1, h, h)).sigmoid();
  // PyTorch keeps b_hn inside the reset gate's product.
  Tensor n = (xw.narrow(1, 2 * h, h) + r * hw.narrow(1, 2 * h, h)).tanh();
  return {(1.0 - z) * n + z * states[0]};
}

std::tuple<Tensor, Tensor> GRUImpl::forward(const Tensor &input,
                                            const Tensor &hx) {
  auto [output, states] = run(input, {hx}, 1);
  return {output, states[0]};
}

} // namespace nnc::nn
