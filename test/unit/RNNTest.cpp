//===- test/unit/RNNTest.cpp - RNN, LSTM, GRU against PyTorch -------------===//
//
// Each recurrent layer against PyTorch 1.13's outputs, final states and
// gradients (test/golden/rnn, scripts/golden/make_rnn_goldens.py), then
// traced and compiled (the recurrence unrolled), and inside a compiled
// training step, against eager.
//
//===----------------------------------------------------------------------===//
#include "frontend/nnc.h"
#include "test/unit/AllClose.h"
#include "test/unit/DataTestUtil.h"
#include "test/unit/InterpretTraced.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <string>

using nnc::Tensor;
using nnc::testing::allClose;
using nnc::testing::goldenPath;
using testing::HasSubstr;
namespace nn = nnc::nn;

namespace {

/// The options a golden case was made with (its metadata).
nn::RNNOptions optionsOf(const std::string &json) {
  auto has = [&](const std::string &key) {
    return json.find("\"" + key + "\":true") != std::string::npos;
  };
  nn::RNNOptions options(5, 6);
  options.num_layers(json.find("\"num_layers\":2") != std::string::npos ? 2 : 1)
      .bias(json.find("\"bias\":false") == std::string::npos)
      .batch_first(has("batch_first"))
      .bidirectional(has("bidirectional"));
  if (json.find("\"nonlinearity\":\"relu\"") != std::string::npos)
    options.nonlinearity("relu");
  return options;
}

/// Loads case `name`'s parameters into `module` (PyTorch's names).
void loadCase(nn::Module &module, const std::map<std::string, Tensor> &golden,
              const std::string &name) {
  std::map<std::string, Tensor> state;
  for (const auto &item : module.named_parameters())
    state[item.key()] = golden.at(name + "." + item.key());
  module.load_state_dict(state);
}

TEST(RNNGolden, OutputsStatesAndGradientsMatchPyTorch) {
  nnc::safetensors::Contents golden = nnc::safetensors::load_file_with_metadata(
      goldenPath("rnn/rnn.safetensors"));
  ASSERT_EQ(golden.metadata.size(), 6u);
  for (const auto &[name, json] : golden.metadata) {
    SCOPED_TRACE(name + " " + json);
    const auto &g = golden.tensors;
    nn::RNNOptions options = optionsOf(json);
    Tensor x = g.at(name + ".x").clone().requires_grad_();
    Tensor out, hn, cn;
    std::shared_ptr<nn::Module> module;
    if (json.find("\"LSTM\"") != std::string::npos) {
      nn::LSTM lstm(options);
      loadCase(*lstm, g, name);
      auto [o, state] =
          lstm->forward(x, {g.at(name + ".h0"), g.at(name + ".c0")});
      out = o;
      std::tie(hn, cn) = state;
      module = lstm.ptr();
    } else if (json.find("\"GRU\"") != std::string::npos) {
      nn::GRU gru(options);
      loadCase(*gru, g, name);
      std::tie(out, hn) = gru->forward(x, g.at(name + ".h0"));
      module = gru.ptr();
    } else {
      nn::RNN rnn(options);
      loadCase(*rnn, g, name);
      std::tie(out, hn) = rnn->forward(x, g.at(name + ".h0"));
      module = rnn.ptr();
    }
    ((out * g.at(name + ".probe")).sum() + hn.sum()).backward();
    // A recurrence compounds rounding over the steps: an f32 bound.
    EXPECT_TRUE(allClose(out, g.at(name + ".out"), 1e-5, 1e-5));
    EXPECT_TRUE(allClose(hn, g.at(name + ".hn"), 1e-5, 1e-5));
    if (cn.defined()) {
      EXPECT_TRUE(allClose(cn, g.at(name + ".cn"), 1e-5, 1e-5));
    }
    EXPECT_TRUE(allClose(x.grad(), g.at(name + ".gx"), 1e-5, 1e-5));
    for (const auto &item : module->named_parameters())
      EXPECT_TRUE(allClose(item.value().grad(), g.at(name + ".g." + item.key()),
                           1e-4, 1e-5))
          << "gradient of " << item.key();
  }
}

TEST(RNNModules, ParametersAsPyTorchNamesThem) {
  nn::LSTM lstm(nn::LSTMOptions(5, 6).num_layers(2).bidirectional(true));
  std::vector<std::string> names = lstm->named_parameters().keys();
  EXPECT_EQ(names.size(), 16u);
  EXPECT_EQ(names[0], "weight_ih_l0");
  EXPECT_EQ(names[4], "weight_ih_l0_reverse");
  EXPECT_EQ(lstm->named_parameters()["weight_ih_l1"].sizes(),
            (nnc::IntList{24, 12})); // 4 gates, two directions' outputs
  // U(-1/sqrt(H), 1/sqrt(H)).
  for (const Tensor &p : lstm->parameters())
    EXPECT_LE(p.abs().max().item<float>(), 1 / std::sqrt(6.0f));
}

TEST(RNNModules, UnbatchedInputAndErrors) {
  nn::GRU gru(5, 6);
  auto [out, hn] = gru->forward(nnc::randn({4, 5}));
  EXPECT_EQ(out.sizes(), (nnc::IntList{4, 6}));
  EXPECT_EQ(hn.sizes(), (nnc::IntList{1, 6}));
  EXPECT_THAT(
      [&] {
        gru->forward(nnc::randn({4, 3, 7}));
      },
      testing::ThrowsMessage<nnc::Error>(
          HasSubstr("input.size(-1) must be equal to input_size. "
                    "Expected 5, got 7")));
  EXPECT_THAT(
      [&] {
        gru->forward(nnc::randn({4, 3, 5}), nnc::zeros({2, 3, 6}));
      },
      testing::ThrowsMessage<nnc::Error>(
          HasSubstr("Expected hidden size [1, 3, 6], got [2, 3, 6]")));
  EXPECT_THAT([] { nn::RNN(nn::RNNOptions(5, 6).nonlinearity("gelu")); },
              testing::ThrowsMessage<nnc::Error>(
                  HasSubstr("Unknown nonlinearity 'gelu'")));
}

/// A sequence regressor: LSTM, then a linear head on the last step.
struct SequenceRegressorImpl : nn::Module {
  SequenceRegressorImpl() : nn::Module("SequenceRegressor") {
    lstm = register_module("lstm",
                           nn::LSTM(nn::LSTMOptions(5, 6).batch_first(true)));
    head = register_module("head", nn::Linear(6, 1));
  }
  Tensor forward(const Tensor &x) {
    auto [out, state] = lstm->forward(x);
    return head(out.select(1, -1));
  }
  nn::LSTM lstm{nullptr};
  nn::Linear head{nullptr};
};
NNC_MODULE(SequenceRegressor);

TEST(RNNCompiled, TracedAndCompiledForwardsMatchEager) {
  nnc::manual_seed(3);
  nn::GRU gru(nn::GRUOptions(5, 6).num_layers(2).bidirectional(true));
  Tensor x = nnc::randn({4, 3, 5});
  nnc::jit::TensorFunction fn = [&](const std::vector<Tensor> &in) {
    auto [out, hn] = gru->forward(in[0]);
    return std::vector<Tensor>{out, hn};
  };
  std::vector<Tensor> eager = fn({x});
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(fn, {x});
  std::vector<Tensor> result = compiled({x});
  std::vector<Tensor> interpreted = nnc::testing::interpretTraced(fn, {x});
  for (size_t i = 0; i < eager.size(); ++i) {
    EXPECT_TRUE(allClose(result[i], eager[i], 1e-5, 1e-5)) << "output " << i;
    EXPECT_TRUE(allClose(interpreted[i], eager[i], 1e-6, 1e-6))
        << "interpreted output " << i;
  }
}

TEST(RNNCompiled, TrainingStepsMatchEager) {
  nnc::manual_seed(4);
  SequenceRegressor eagerModel;
  nnc::manual_seed(4);
  SequenceRegressor compiledModel;
  nnc::optim::Adam eagerOpt(eagerModel->parameters(),
                            nnc::optim::AdamOptions(1e-2));
  nnc::optim::Adam compiledOpt(compiledModel->parameters(),
                               nnc::optim::AdamOptions(1e-2));
  nn::MSELoss loss;
  auto batch = [](int i) {
    nnc::manual_seed(50 + i);
    Tensor x = nnc::randn({8, 4, 5});
    return std::make_pair(x, x.sum({1, 2}).unsqueeze(1) * 0.1);
  };
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(compiledModel, loss, compiledOpt, batch(0));
  for (int i = 0; i < 3; ++i) {
    auto [x, y] = batch(i);
    eagerOpt.zero_grad();
    Tensor expected = loss(eagerModel(x), y);
    expected.backward();
    eagerOpt.step();
    EXPECT_TRUE(allClose(step(x, y), expected, 1e-4, 1e-5)) << "step " << i;
  }
  std::vector<Tensor> a = eagerModel->parameters(),
                      b = compiledModel->parameters();
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(allClose(b[i], a[i], 1e-4, 1e-5)) << "parameter " << i;
}

} // namespace
