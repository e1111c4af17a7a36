//===- frontend/nn/RNN.h - nn::RNN, nn::LSTM, nn::GRU -----------*- C++ -*-===//
//
// torch::nn's recurrent layers with PyTorch's parameters (names, shapes,
// gate order, initialization) and equations, multi-layer, batch_first and
// bidirectional. They are written with ordinary tensor ops, one time step
// after another: autograd, tracing and compilation need nothing of their
// own, and a traced recurrence is unrolled over the sequence it was traced
// with (docs/adding-an-op.md, "Recurrences").
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_RNN_H
#define NNC_FRONTEND_NN_RNN_H

#include "frontend/nn/Module.h"

#include <string>
#include <tuple>
#include <vector>

namespace nnc::nn {

/// As torch::nn::RNNOptions / LSTMOptions / GRUOptions (one class: the
/// nonlinearity applies to RNN only). `dropout` between layers must be 0.
class RNNOptions {
public:
  RNNOptions(int64_t input_size, int64_t hidden_size)
      : inputSize_(input_size), hiddenSize_(hidden_size) {}
  RNNOptions &num_layers(int64_t value) {
    numLayers_ = value;
    return *this;
  }
  /// "tanh" (default) or "relu"; RNN only.
  RNNOptions &nonlinearity(std::string value) {
    nonlinearity_ = std::move(value);
    return *this;
  }
  RNNOptions &bias(bool value) {
    bias_ = value;
    return *this;
  }
  /// Input and output as [batch, seq, feature] instead of [seq, batch, ...].
  RNNOptions &batch_first(bool value) {
    batchFirst_ = value;
    return *this;
  }
  RNNOptions &dropout(double value) {
    dropout_ = value;
    return *this;
  }
  RNNOptions &bidirectional(bool value) {
    bidirectional_ = value;
    return *this;
  }

  int64_t input_size() const { return inputSize_; }
  int64_t hidden_size() const { return hiddenSize_; }
  int64_t num_layers() const { return numLayers_; }
  const std::string &nonlinearity() const { return nonlinearity_; }
  bool bias() const { return bias_; }
  bool batch_first() const { return batchFirst_; }
  double dropout() const { return dropout_; }
  bool bidirectional() const { return bidirectional_; }

private:
  int64_t inputSize_;
  int64_t hiddenSize_;
  int64_t numLayers_ = 1;
  std::string nonlinearity_ = "tanh";
  bool bias_ = true;
  bool batchFirst_ = false;
  double dropout_ = 0;
  bool bidirectional_ = false;
};
using LSTMOptions = RNNOptions;
using GRUOptions = RNNOptions;

/// What the three layers share: parameters weight_ih_l{k}[_reverse],
/// weight_hh_l{k}[_reverse], bias_ih_l{k}[_reverse], bias_hh_l{k}[_reverse]
/// of shapes [gates * H, in], [gates * H, H], [gates * H], all drawn from
/// U(-1/sqrt(H), 1/sqrt(H)) as PyTorch does; the layer and direction loops;
/// and input/state shape handling (batched or unbatched, batch_first).
class RNNImplBase : public Module {
public:
  /// Re-draws every parameter from the seeded generator.
  void reset_parameters();

  RNNOptions options;

protected:
  /// `gates` is 1 (RNN), 4 (LSTM) or 3 (GRU).
  RNNImplBase(const char *name, const RNNOptions &options, int64_t gates);

  /// One cell step: the new states from the input projection `xw` (x W_ih^T
  /// + b_ih, [N, gates * H]) and the states ([N, H] each; the LSTM has two).
  virtual std::vector<Tensor> cell(const Tensor &xw,
                                   const std::vector<Tensor> &states,
                                   const Tensor &weightHH,
                                   const Tensor &biasHH) const = 0;

  /// Runs every layer and direction. `input` as the user gave it;
  /// `initial` holds each state [layers * dirs, N, H] (or [layers * dirs,
  /// H] unbatched), or is empty for zeros. Returns the output and each
  /// final state, shaped as PyTorch returns them.
  std::pair<Tensor, std::vector<Tensor>> run(const Tensor &input,
                                             const std::vector<Tensor> &initial,
                                             size_t numStates) const;

private:
  /// The parameters of one layer and direction.
  struct Weights {
    Tensor ih, hh, biasIH, biasHH;
  };
  std::vector<Weights> weights_; // layer-major, then direction
  int64_t gates_;
};

/// Elman RNN: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh).
class RNNImpl : public RNNImplBase {
public:
  RNNImpl(int64_t input_size, int64_t hidden_size)
      : RNNImpl(RNNOptions(input_size, hidden_size)) {}
  explicit RNNImpl(const RNNOptions &options);
  /// (output, h_n).
  std::tuple<Tensor, Tensor> forward(const Tensor &input,
                                     const Tensor &hx = {});

private:
  std::vector<Tensor> cell(const Tensor &xw, const std::vector<Tensor> &states,
                           const Tensor &weightHH,
                           const Tensor &biasHH) const override;
};
NNC_MODULE(RNN);

/// LSTM with PyTorch's gate order (input, forget, cell, output).
class LSTMImpl : public RNNImplBase {
public:
  LSTMImpl(int64_t input_size, int64_t hidden_size)
      : LSTMImpl(LSTMOptions(input_size, hidden_size)) {}
  explicit LSTMImpl(const LSTMOptions &options);
  /// (output, (h_n, c_n)); `hx` is (h_0, c_0), both or neither defined.
  std::tuple<Tensor, std::tuple<Tensor, Tensor>>
  forward(const Tensor &input, const std::tuple<Tensor, Tensor> &hx = {});

private:
  std::vector<Tensor> cell(const Tensor &xw, const std::vector<Tensor> &states,
                           const Tensor &weightHH,
                           const Tensor &biasHH) const override;
};
NNC_MODULE(LSTM);

/// GRU with PyTorch's gate order (reset, update, new) and its placement of
/// b_hn inside the reset product.
class GRUImpl : public RNNImplBase {
public:
  GRUImpl(int64_t input_size, int64_t hidden_size)
      : GRUImpl(GRUOptions(input_size, hidden_size)) {}
  explicit GRUImpl(const GRUOptions &options);
  /// (output, h_n).
  std::tuple<Tensor, Tensor> forward(const Tensor &input,
                                     const Tensor &hx = {});

private:
  std::vector<Tensor> cell(const Tensor &xw, const std::vector<Tensor> &states,
                           const Tensor &weightHH,
                           const Tensor &biasHH) const override;
};
NNC_MODULE(GRU);

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_RNN_H
