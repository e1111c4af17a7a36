//===- test/unit/LayersTest.cpp - Normalization, Embedding, activations ---===//
//
// LayerNorm, BatchNorm1d/2d, Embedding, LeakyReLU and GELU (and erf, which
// GELU needs): eagerly against PyTorch's outputs, gradients and running
// statistics (golden files written by scripts/golden/make_layer_goldens.py;
// Embedding's max_norm and scale_grad_by_freq by make_embedding_goldens.py),
// traced and compiled against eager (and the reference interpreter), and
// BatchNorm's running statistics through compile() and compile_step.
//
//===----------------------------------------------------------------------===//
#include "frontend/nnc.h"
#include "test/unit/AllClose.h"
#include "test/unit/InterpretTraced.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>

namespace nn = nnc::nn;
namespace F = nnc::nn::functional;
using nnc::Tensor;
using nnc::jit::TensorFunction;
using nnc::testing::allClose;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

// PyTorch's assert_close tolerances for float32 (DESIGN.md section 9).
constexpr double kRtol = 1.3e-6, kAtol = 1e-5;
// Compiled reductions (the normalizations' mean and variance) sum in
// another order than eager: an f32 bound referenced to the sums' sizes.
constexpr double kCompiledRtol = 1e-5, kCompiledAtol = 1e-5;

const nnc::safetensors::Contents &golden() {
  static const nnc::safetensors::Contents contents =
      nnc::safetensors::load_file_with_metadata(
          std::string(NNC_LAYERS_GOLDEN_DIR) + "/layers.safetensors");
  return contents;
}

/// The golden tensor "<name>.<role>" (a copy, so tests may write into it);
/// undefined if absent.
Tensor goldenTensor(const std::string &name, const std::string &role) {
  auto it = golden().tensors.find(name + "." + role);
  return it == golden().tensors.end() ? Tensor() : it->second.clone();
}

/// The cases whose config's "op" is `op`, with their configs.
std::vector<std::pair<std::string, nlohmann::json>>
goldenCases(const std::string &op) {
  std::vector<std::pair<std::string, nlohmann::json>> cases;
  for (const auto &[name, text] : golden().metadata) {
    nlohmann::json config = nlohmann::json::parse(text);
    if (config["op"] == op)
      cases.emplace_back(name, config);
  }
  return cases;
}

/// Loads the case's weight and bias (and running statistics) into
/// `module`, runs it on the case's input, backpropagates sum(out * gout)
/// as the script did, and compares the output, the gradients and the
/// updated running statistics with PyTorch's.
void checkGoldenCase(const std::string &name, nn::Module &module,
                     const std::function<Tensor(const Tensor &)> &forward) {
  SCOPED_TRACE(name);
  {
    nnc::NoGradGuard noGrad;
    auto parameters = module.named_parameters();
    auto buffers = module.named_buffers();
    for (auto [key, role] : {std::pair{"weight", "w"}, {"bias", "b"}})
      if (parameters.contains(key))
        parameters[key].copy_(goldenTensor(name, role));
    for (const char *key : {"running_mean", "running_var"})
      if (buffers.contains(key))
        buffers[key].copy_(goldenTensor(name, key));
  }
  Tensor x = goldenTensor(name, "x");
  if (x.is_floating_point())
    x.requires_grad_();
  Tensor out = forward(x);
  EXPECT_TRUE(allClose(out, goldenTensor(name, "out"), kRtol, kAtol))
      << "output";
  (out * goldenTensor(name, "gout")).sum().backward();
  if (x.is_floating_point()) {
    EXPECT_TRUE(allClose(x.grad(), goldenTensor(name, "gx"), kRtol, kAtol))
        << "input grad";
  }
  auto parameters = module.named_parameters();
  for (auto [key, role] : {std::pair{"weight", "gw"}, {"bias", "gb"}})
    if (parameters.contains(key)) {
      EXPECT_TRUE(allClose(parameters[key].grad(), goldenTensor(name, role),
                           kRtol, kAtol))
          << key << " grad";
    }
  auto buffers = module.named_buffers();
  for (const char *key : {"running_mean", "running_var"})
    if (buffers.contains(key)) {
      EXPECT_TRUE(allClose(buffers[key],
                           goldenTensor(name, std::string("new_") + key), kRtol,
                           kAtol))
          << key;
    }
  if (buffers.contains("num_batches_tracked")) {
    EXPECT_EQ(buffers["num_batches_tracked"].item<int64_t>(),
              goldenTensor(name, "new_num_batches_tracked").item<int64_t>());
  }
}

/// Compiles `fn`, runs it on `inputs` and compares with eager and with the
/// reference interpreter's run of the traced graph; returns the graph.
std::string expectCompiledMatchesEager(const TensorFunction &fn,
                                       const std::vector<Tensor> &inputs) {
  std::vector<Tensor> eager = fn(inputs);
  std::vector<Tensor> interpreted = nnc::testing::interpretTraced(fn, inputs);
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(fn, inputs);
  std::vector<Tensor> result = compiled(inputs);
  EXPECT_EQ(result.size(), eager.size());
  for (size_t i = 0; i < eager.size() && i < result.size(); ++i) {
    EXPECT_TRUE(allClose(result[i], eager[i], kCompiledRtol, kCompiledAtol))
        << "output " << i << " of\n"
        << compiled.graphText();
    EXPECT_TRUE(allClose(interpreted[i], eager[i], kRtol, kAtol))
        << "interpreted output " << i;
  }
  return compiled.graphText();
}

TensorFunction unary(std::function<Tensor(const Tensor &)> op) {
  return [op](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{op(in[0])};
  };
}

class LayersTest : public ::testing::Test {
protected:
  void SetUp() override { nnc::manual_seed(9); }
};

//===----------------------------------------------------------------------===//
// erf
//===----------------------------------------------------------------------===//

TEST_F(LayersTest, ErfValuesAndGradientInFloatAndDouble) {
  std::vector<double> values{-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 6.0};
  for (nnc::ScalarType type : {nnc::kFloat32, nnc::kFloat64}) {
    Tensor x = nnc::tensor(values, {7}, type).requires_grad_();
    Tensor y = x.erf();
    EXPECT_EQ(y.dtype(), type);
    y.sum().backward();
    Tensor yd = y.to(nnc::kFloat64), gd = x.grad().to(nnc::kFloat64);
    for (size_t i = 0; i < values.size(); ++i) {
      double v = values[i];
      double tol = type == nnc::kFloat32 ? 1e-6 : 1e-15;
      EXPECT_NEAR(yd.data_ptr<double>()[i], std::erf(v), tol) << v;
      EXPECT_NEAR(gd.data_ptr<double>()[i],
                  2.0 / std::sqrt(M_PI) * std::exp(-v * v), tol)
          << v;
    }
  }
  // IEEE special values, as PyTorch: erf(+-inf) = +-1, NaN stays NaN.
  Tensor special =
      nnc::tensor({INFINITY, -INFINITY, NAN}, {3}).erf().contiguous();
  EXPECT_EQ(special.data_ptr<float>()[0], 1.0f);
  EXPECT_EQ(special.data_ptr<float>()[1], -1.0f);
  EXPECT_TRUE(std::isnan(special.data_ptr<float>()[2]));
  // Integers compute in Float, as PyTorch's erf does.
  Tensor ints = nnc::tensor(std::vector<int64_t>{0, 1}).erf();
  EXPECT_EQ(ints.dtype(), nnc::kFloat32);
  EXPECT_FLOAT_EQ(ints.data_ptr<float>()[1], std::erf(1.0f));
  EXPECT_EQ(nnc::erf(nnc::zeros({2}, nnc::kFloat16)).dtype(), nnc::kFloat16);
}

TEST_F(LayersTest, ErfTracesToNNErfAndCompiles) {
  std::string graph =
      expectCompiledMatchesEager(unary([](const Tensor &x) { return x.erf(); }),
                                 {nnc::randn({3, 17}) * 2.0});
  EXPECT_THAT(graph, HasSubstr("nn.erf"));
}

//===----------------------------------------------------------------------===//
// Parity with PyTorch (eager)
//===----------------------------------------------------------------------===//

TEST_F(LayersTest, LayerNormMatchesPyTorch) {
  auto cases = goldenCases("layer_norm");
  ASSERT_EQ(cases.size(), 3u);
  for (const auto &[name, config] : cases) {
    nn::LayerNorm norm(
        nn::LayerNormOptions(config["normalized_shape"].get<nnc::IntList>())
            .eps(config["eps"].get<double>())
            .elementwise_affine(config["elementwise_affine"].get<bool>()));
    checkGoldenCase(name, *norm, [&](const Tensor &x) { return norm(x); });
  }
}

TEST_F(LayersTest, BatchNormMatchesPyTorchInTrainAndEvalMode) {
  auto cases1d = goldenCases("batch_norm1d");
  auto cases2d = goldenCases("batch_norm2d");
  ASSERT_EQ(cases1d.size(), 4u);
  ASSERT_EQ(cases2d.size(), 4u);
  auto optionsOf = [](const nlohmann::json &config) {
    nn::BatchNormOptions options(config["num_features"].get<int64_t>());
    options.affine(config["affine"].get<bool>())
        .track_running_stats(config["track_running_stats"].get<bool>());
    if (config["momentum"].is_null())
      options.momentum(std::nullopt);
    else
      options.momentum(config["momentum"].get<double>());
    return options;
  };
  auto prepare = [](nn::BatchNormImplBase &bn, const nlohmann::json &config) {
    bn.train(config["train"].get<bool>());
    if (bn.num_batches_tracked.defined())
      bn.num_batches_tracked.fill_(config["num_batches_tracked"].get<int>());
  };
  for (const auto &[name, config] : cases1d) {
    nn::BatchNorm1d bn(optionsOf(config));
    prepare(*bn, config);
    checkGoldenCase(name, *bn, [&](const Tensor &x) { return bn(x); });
  }
  for (const auto &[name, config] : cases2d) {
    nn::BatchNorm2d bn(optionsOf(config));
    prepare(*bn, config);
    checkGoldenCase(name, *bn, [&](const Tensor &x) { return bn(x); });
  }
}

TEST_F(LayersTest, EmbeddingMatchesPyTorch) {
  auto cases = goldenCases("embedding");
  ASSERT_EQ(cases.size(), 2u);
  for (const auto &[name, config] : cases) {
    nn::EmbeddingOptions options(config["num_embeddings"].get<int64_t>(),
                                 config["embedding_dim"].get<int64_t>());
    if (!config["padding_idx"].is_null())
      options.padding_idx(config["padding_idx"].get<int64_t>());
    nn::Embedding embedding(options);
    checkGoldenCase(name, *embedding,
                    [&](const Tensor &x) { return embedding(x); });
  }
}

TEST_F(LayersTest, LeakyReLUAndGELUMatchPyTorch) {
  auto leaky = goldenCases("leaky_relu");
  auto gelu = goldenCases("gelu");
  ASSERT_EQ(leaky.size(), 2u);
  ASSERT_EQ(gelu.size(), 2u);
  for (const auto &[name, config] : leaky) {
    nn::LeakyReLU module(nn::LeakyReLUOptions().negative_slope(
        config["negative_slope"].get<double>()));
    checkGoldenCase(name, *module, [&](const Tensor &x) { return module(x); });
  }
  for (const auto &[name, config] : gelu) {
    nn::GELU module(nn::GELUOptions().approximate(
        config["approximate"].get<std::string>()));
    checkGoldenCase(name, *module, [&](const Tensor &x) { return module(x); });
  }
}

//===----------------------------------------------------------------------===//
// Initialization, options and errors
//===----------------------------------------------------------------------===//

TEST_F(LayersTest, ParametersAndBuffersStartAsInPyTorch) {
  nn::LayerNorm norm(nnc::IntList{3, 4});
  EXPECT_TRUE(allClose(norm->weight, nnc::ones({3, 4}), 0, 0));
  EXPECT_TRUE(allClose(norm->bias, nnc::zeros({3, 4}), 0, 0));
  EXPECT_EQ(norm->parameters().size(), 2u);
  EXPECT_TRUE(nn::LayerNorm(nn::LayerNormOptions({4}).elementwise_affine(false))
                  ->parameters()
                  .empty());

  nn::BatchNorm2d bn(5);
  EXPECT_DOUBLE_EQ(bn->options.eps(), 1e-5);
  EXPECT_EQ(bn->options.momentum(), 0.1);
  EXPECT_TRUE(allClose(bn->weight, nnc::ones({5}), 0, 0));
  EXPECT_TRUE(allClose(bn->bias, nnc::zeros({5}), 0, 0));
  auto buffers = bn->named_buffers();
  ASSERT_EQ(buffers.size(), 3u);
  EXPECT_TRUE(allClose(buffers["running_mean"], nnc::zeros({5}), 0, 0));
  EXPECT_TRUE(allClose(buffers["running_var"], nnc::ones({5}), 0, 0));
  EXPECT_EQ(buffers["num_batches_tracked"].dtype(), nnc::kInt64);
  EXPECT_EQ(buffers["num_batches_tracked"].item<int64_t>(), 0);
  EXPECT_TRUE(
      nn::BatchNorm1d(nn::BatchNormOptions(3).track_running_stats(false))
          ->buffers()
          .empty());

  nn::Embedding embedding(nn::EmbeddingOptions(50, 8).padding_idx(-1));
  EXPECT_EQ(embedding->options.padding_idx(), 49);
  EXPECT_TRUE(allClose(embedding->weight[49], nnc::zeros({8}), 0, 0));
  // N(0, 1): the sample's moments are near 0 and 1.
  Tensor rows = embedding->weight.narrow(0, 0, 49);
  EXPECT_NEAR(rows.mean().item<float>(), 0.0, 0.2);
  EXPECT_NEAR(rows.std().item<float>(), 1.0, 0.2);

  Tensor table = nnc::randn({4, 3});
  nn::Embedding frozen = nn::Embedding::from_pretrained(table);
  EXPECT_FALSE(frozen->weight.requires_grad());
  EXPECT_TRUE(allClose(
      frozen(nnc::tensor(std::vector<int64_t>{2, 0})),
      table.index_select(0, nnc::tensor(std::vector<int64_t>{2, 0})), 0, 0));
  EXPECT_TRUE(nn::Embedding::from_pretrained(
                  table, nn::EmbeddingFromPretrainedOptions().freeze(false))
                  ->weight.requires_grad());
}

TEST_F(LayersTest, EmbeddingPaddingRowPassesNoGradient) {
  // A nonzero padding row (from_pretrained) is read back as it is, but
  // gets no gradient, as in PyTorch.
  Tensor table = nnc::randn({5, 2});
  nn::Embedding embedding = nn::Embedding::from_pretrained(
      table, nn::EmbeddingFromPretrainedOptions().freeze(false).padding_idx(3));
  Tensor index = nnc::tensor(std::vector<int64_t>{3, 1, 3}, {3});
  Tensor out = embedding(index);
  EXPECT_TRUE(allClose(out, table.index_select(0, index), 0, 0));
  out.sum().backward();
  Tensor expected = nnc::zeros({5, 2});
  expected[1].fill_(1);
  EXPECT_TRUE(allClose(embedding->weight.grad(), expected, 0, 0));
  expectCompiledMatchesEager(
      unary([&](const Tensor &x) { return embedding(x); }), {index});
}

TEST_F(LayersTest, CompileStepTrainsEmbeddingLikeEagerAndKeepsPaddingRow) {
  auto model = [] {
    nnc::manual_seed(21);
    return nn::Sequential(
        nn::Embedding(nn::EmbeddingOptions(10, 4).padding_idx(0)),
        nn::Flatten(), nn::Linear(12, 2));
  };
  nn::Sequential eagerModel = model(), compiledModel = model();
  nn::MSELoss lossFn;
  nnc::optim::Adam eagerOpt(eagerModel->parameters(),
                            nnc::optim::AdamOptions(0.01));
  nnc::optim::Adam compiledOpt(compiledModel->parameters(),
                               nnc::optim::AdamOptions(0.01));
  auto batch = [](int i) {
    nnc::manual_seed(300 + i);
    Tensor index = nnc::randint(0, 10, {6, 3});
    index.select(1, 0).fill_(0); // every row has a padding entry
    return std::make_pair(index, nnc::randn({6, 2}));
  };
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(compiledModel, lossFn, compiledOpt, batch(0));
  for (int i = 0; i < 3; ++i) {
    auto [x, y] = batch(i);
    eagerOpt.zero_grad();
    Tensor eagerLoss = lossFn(eagerModel(x), y);
    eagerLoss.backward();
    eagerOpt.step();
    ASSERT_TRUE(allClose(step(x, y), eagerLoss, 1e-4, 1e-5)) << "step " << i;
  }
  auto eagerState = eagerModel->state_dict();
  auto compiledState = compiledModel->state_dict();
  for (const auto &key : eagerState.keys())
    EXPECT_TRUE(allClose(compiledState[key], eagerState[key], 1e-4, 1e-5))
        << key;
  EXPECT_TRUE(allClose(compiledState["0.weight"][0], nnc::zeros({4}), 0, 0));
}

TEST_F(LayersTest, BadInputsAreErrorsThatSayWhat) {
  nn::LayerNorm norm(nnc::IntList{5});
  EXPECT_THAT(
      [&] {
        norm(nnc::zeros({4, 6}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("expected input with shape [*, 5], but got input of size "
                    "[4, 6]")));
  nn::BatchNorm2d bn2(3);
  EXPECT_THAT(
      [&] {
        bn2(nnc::zeros({2, 3, 4}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("BatchNorm2d: expected 4D input, got 3D input")));
  EXPECT_THAT(
      [&] {
        bn2(nnc::zeros({2, 4, 2, 2}));
      },
      ThrowsMessage<nnc::Error>(HasSubstr("expected 3 channels (dim 1)")));
  nn::BatchNorm1d bn1(3);
  EXPECT_THAT(
      [&] {
        bn1(nnc::zeros({1, 3}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("expected more than 1 value per channel when "
                    "training, got input of shape [1, 3]")));
  bn1->eval();
  EXPECT_NO_THROW(bn1(nnc::zeros({1, 3})));
  EXPECT_THAT(
      [&] {
        F::batch_norm(nnc::zeros({2, 3}), nnc::zeros({4}), nnc::ones({4}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("expected running_mean of shape [3], got [4]")));

  nn::Embedding embedding(6, 2);
  EXPECT_THAT([&] { embedding(nnc::zeros({2})); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("embedding: expected Long or Int indices")));
  EXPECT_THAT([&] { nn::Embedding(nn::EmbeddingOptions(6, 2).padding_idx(6)); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("padding_idx must be within [-6, 6), got 6")));
  EXPECT_THAT([&] { nn::GELU(nn::GELUOptions().approximate("fast")); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "approximate must be \"none\" or \"tanh\", got \"fast\"")));
}

//===----------------------------------------------------------------------===//
// Traced and compiled
//===----------------------------------------------------------------------===//

TEST_F(LayersTest, CompiledLayersMatchEager) {
  nn::LayerNorm norm(nnc::IntList{6});
  {
    nnc::NoGradGuard noGrad;
    norm->weight.copy_(nnc::rand({6}) + 0.5);
    norm->bias.copy_(nnc::randn({6}));
  }
  expectCompiledMatchesEager(unary([&](const Tensor &x) { return norm(x); }),
                             {nnc::randn({4, 3, 6}) * 3.0 + 1.0});
  nn::LeakyReLU leaky(nn::LeakyReLUOptions().negative_slope(0.2));
  nn::GELU gelu, geluTanh(nn::GELUOptions().approximate("tanh"));
  for (const auto &activation :
       std::vector<std::function<Tensor(const Tensor &)>>{
           [&](const Tensor &x) { return leaky(x); },
           [&](const Tensor &x) { return gelu(x); },
           [&](const Tensor &x) { return geluTanh(x); }})
    expectCompiledMatchesEager(unary(activation), {nnc::randn({5, 33}) * 3.0});
  nn::Embedding embedding(nn::EmbeddingOptions(9, 4).padding_idx(0));
  std::string graph = expectCompiledMatchesEager(
      unary([&](const Tensor &x) { return embedding(x); }),
      {nnc::tensor(std::vector<int64_t>{0, 3, 8, 3, 0, 1}, {2, 3})});
  EXPECT_THAT(graph, HasSubstr("nn.index_select"));
}

/// In training mode the running variance is the batch's unbiased variance
/// (nn.var, which counts its elements when it runs): one graph compiled for
/// any batch size updates the statistics as eager code does at each size.
TEST_F(LayersTest, CompiledBatchNormTrainsWithAnyBatchSize) {
  nn::BatchNorm2d eagerBn(3), compiledBn(3);
  eagerBn->train();
  compiledBn->train();
  nnc::jit::CompiledFunction anyBatch =
      nnc::jit::compile(compiledBn, nnc::randn({4, 3, 5, 5}),
                        nnc::jit::CompileOptions().dynamic_batch(true));
  // compile traced (and undid) the statistics' update: both start equal.
  EXPECT_TRUE(allClose(compiledBn->running_var, eagerBn->running_var, 0, 0));
  for (int64_t batch : {2, 7, 3}) {
    Tensor x = nnc::randn({batch, 3, 5, 5}) * 2.0 + 1.0;
    EXPECT_TRUE(
        allClose(anyBatch({x})[0], eagerBn(x), kCompiledRtol, kCompiledAtol))
        << "batch " << batch;
    EXPECT_TRUE(allClose(compiledBn->running_mean, eagerBn->running_mean,
                         kCompiledRtol, kCompiledAtol))
        << "batch " << batch;
    EXPECT_TRUE(allClose(compiledBn->running_var, eagerBn->running_var,
                         kCompiledRtol, kCompiledAtol))
        << "batch " << batch;
  }
  EXPECT_EQ(anyBatch.numCompilations(), 1);
  EXPECT_EQ(compiledBn->num_batches_tracked.item<int64_t>(), 3);
}

TEST_F(LayersTest,
       CompiledBatchNormUsesRunningStatsInEvalAndUpdatesThemInTrain) {
  nn::BatchNorm2d eagerBn(3), compiledBn(3);
  for (nn::BatchNorm2d *bn : {&eagerBn, &compiledBn}) {
    nnc::NoGradGuard noGrad;
    nnc::manual_seed(4);
    (*bn)->weight.copy_(nnc::rand({3}) + 0.5);
    (*bn)->bias.copy_(nnc::randn({3}));
    (*bn)->running_mean.copy_(nnc::randn({3}));
    (*bn)->running_var.copy_(nnc::rand({3}) + 0.5);
  }
  Tensor x = nnc::randn({4, 3, 5, 5}) * 2.0 + 1.0;

  // Eval: the running statistics normalize; nothing is updated.
  eagerBn->eval();
  compiledBn->eval();
  nnc::jit::CompiledFunction evalFn = nnc::jit::compile(compiledBn, x);
  EXPECT_TRUE(
      allClose(evalFn({x})[0], eagerBn(x), kCompiledRtol, kCompiledAtol));
  EXPECT_TRUE(allClose(compiledBn->running_mean, eagerBn->running_mean, 0, 0));
  // With the running statistics nothing depends on the batch size.
  nnc::jit::CompiledFunction anyBatch = nnc::jit::compile(
      compiledBn, x, nnc::jit::CompileOptions().dynamic_batch(true));
  for (int64_t batch : {2, 7}) {
    Tensor other = nnc::randn({batch, 3, 5, 5});
    EXPECT_TRUE(allClose(anyBatch({other})[0], eagerBn(other), kCompiledRtol,
                         kCompiledAtol))
        << "batch " << batch;
  }
  EXPECT_EQ(anyBatch.numCompilations(), 1);
  // Train: batch statistics, and the running ones move as in eager.
  eagerBn->train();
  compiledBn->train();
  nnc::jit::CompiledFunction trainFn = nnc::jit::compile(compiledBn, x);
  for (int step = 0; step < 2; ++step) {
    Tensor batch = x + double(step);
    EXPECT_TRUE(allClose(trainFn({batch})[0], eagerBn(batch), kCompiledRtol,
                         kCompiledAtol));
  }
  EXPECT_TRUE(allClose(compiledBn->running_mean, eagerBn->running_mean,
                       kCompiledRtol, kCompiledAtol));
  EXPECT_TRUE(allClose(compiledBn->running_var, eagerBn->running_var,
                       kCompiledRtol, kCompiledAtol));
  EXPECT_EQ(compiledBn->num_batches_tracked.item<int64_t>(), 2);
  EXPECT_EQ(eagerBn->num_batches_tracked.item<int64_t>(), 2);
}

/// Linear -> BatchNorm1d -> GELU -> Linear -> LayerNorm -> LeakyReLU, the
/// layers of this file in one model.
nn::Sequential layersModel(std::optional<double> momentum) {
  return nn::Sequential(
      nn::Linear(4, 6),
      nn::BatchNorm1d(nn::BatchNormOptions(6).momentum(momentum)), nn::GELU(),
      nn::Linear(6, 5), nn::LayerNorm(nnc::IntList{5}),
      nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.1)));
}

/// The golden state_dict entries "step.<prefix>.<key>", by key.
std::map<std::string, Tensor> goldenState(const std::string &prefix) {
  std::map<std::string, Tensor> state;
  std::string start = "step." + prefix + ".";
  for (const auto &[name, t] : golden().tensors)
    if (name.rfind(start, 0) == 0)
      state[name.substr(start.size())] = t.clone();
  return state;
}

/// Whether `model`'s state_dict matches PyTorch's after the golden steps.
void expectFinalStateMatchesPyTorch(nn::Sequential &model) {
  std::map<std::string, Tensor> expected = goldenState("final");
  auto state = model->state_dict();
  ASSERT_EQ(state.size(), expected.size());
  for (const auto &[key, t] : expected) {
    if (t.dtype() == nnc::kInt64)
      EXPECT_EQ(state[key].item<int64_t>(), t.item<int64_t>()) << key;
    else
      EXPECT_TRUE(allClose(state[key], t, 1e-5, 1e-5)) << key;
  }
}

TEST_F(LayersTest, TrainingStepsMatchPyTorchEagerAndCompiled) {
  int steps = nlohmann::json::parse(golden().metadata.at("step"))["steps"];
  ASSERT_EQ(steps, 3);
  nn::Sequential eagerModel = layersModel(0.1),
                 compiledModel = layersModel(0.1);
  for (nn::Sequential *model : {&eagerModel, &compiledModel}) {
    nn::IncompatibleKeys keys = (*model)->load_state_dict(goldenState("init"));
    ASSERT_TRUE(keys.missing_keys.empty() && keys.unexpected_keys.empty());
  }
  nn::MSELoss lossFn;
  auto sgd = [](nn::Sequential &model) {
    return nnc::optim::SGD(model->parameters(),
                           nnc::optim::SGDOptions(0.05).momentum(0.9));
  };
  nnc::optim::SGD eagerOpt = sgd(eagerModel), compiledOpt = sgd(compiledModel);
  auto batch = [](int i) {
    std::string step = std::to_string(i);
    return std::make_pair(goldenTensor("step", "x" + step),
                          goldenTensor("step", "y" + step));
  };
  nnc::jit::CompiledStep compiledStep =
      nnc::jit::compile_step(compiledModel, lossFn, compiledOpt, batch(0));
  for (int i = 0; i < steps; ++i) {
    SCOPED_TRACE("step " + std::to_string(i));
    auto [x, y] = batch(i);
    Tensor expectedLoss = goldenTensor("step", "loss" + std::to_string(i));
    eagerOpt.zero_grad();
    Tensor eagerLoss = lossFn(eagerModel(x), y);
    eagerLoss.backward();
    eagerOpt.step();
    EXPECT_TRUE(allClose(eagerLoss, expectedLoss, 1e-5, 1e-5));
    EXPECT_TRUE(allClose(compiledStep(x, y), expectedLoss, 1e-5, 1e-5));
  }
  {
    SCOPED_TRACE("eager");
    expectFinalStateMatchesPyTorch(eagerModel);
  }
  {
    SCOPED_TRACE("compiled");
    expectFinalStateMatchesPyTorch(compiledModel);
  }
}

TEST_F(LayersTest, CompileStepUpdatesRunningStatsLikeEager) {
  for (std::optional<double> momentum :
       {std::optional<double>(0.1), std::optional<double>()}) {
    SCOPED_TRACE(momentum ? "momentum 0.1" : "cumulative average");
    nnc::manual_seed(11);
    nn::Sequential eagerModel = layersModel(momentum);
    nnc::manual_seed(11);
    nn::Sequential compiledModel = layersModel(momentum);
    nn::MSELoss lossFn;
    nnc::optim::SGD eagerOpt(eagerModel->parameters(),
                             nnc::optim::SGDOptions(0.05).momentum(0.9));
    nnc::optim::SGD compiledOpt(compiledModel->parameters(),
                                nnc::optim::SGDOptions(0.05).momentum(0.9));
    auto batch = [](int i) {
      nnc::manual_seed(200 + i);
      return std::make_pair(nnc::randn({8, 4}) * 2.0 + 1.0, nnc::randn({8, 5}));
    };
    nnc::jit::CompiledStep step =
        nnc::jit::compile_step(compiledModel, lossFn, compiledOpt, batch(0));
    for (int i = 0; i < 3; ++i) {
      auto [x, y] = batch(i);
      eagerOpt.zero_grad();
      Tensor eagerLoss = lossFn(eagerModel(x), y);
      eagerLoss.backward();
      eagerOpt.step();
      Tensor compiledLoss = step(x, y);
      ASSERT_TRUE(allClose(compiledLoss, eagerLoss, 1e-4, 1e-5))
          << "loss at step " << i;
    }
    EXPECT_EQ(step.numCompilations(), 1);
    auto eagerState = eagerModel->state_dict();
    auto compiledState = compiledModel->state_dict();
    ASSERT_EQ(eagerState.size(), compiledState.size());
    for (const auto &key : eagerState.keys()) {
      if (key == "1.num_batches_tracked") {
        EXPECT_EQ(compiledState[key].item<int64_t>(), 3);
        EXPECT_EQ(eagerState[key].item<int64_t>(), 3);
        continue;
      }
      EXPECT_TRUE(allClose(compiledState[key], eagerState[key], 1e-4, 1e-5))
          << key;
    }
    // Eval mode uses the running statistics the compiled steps left.
    eagerModel->eval();
    compiledModel->eval();
    Tensor x = batch(7).first;
    nnc::jit::CompiledFunction evalFn = nnc::jit::compile(compiledModel, x);
    EXPECT_TRUE(allClose(evalFn({x})[0], eagerModel(x), 1e-4, 1e-5));
  }
}

//===----------------------------------------------------------------------===//
// Embedding's max_norm, norm_type, scale_grad_by_freq and sparse
//===----------------------------------------------------------------------===//

/// embedding_options.safetensors, written by
/// scripts/golden/make_embedding_goldens.py.
const nnc::safetensors::Contents &embeddingGolden() {
  static const nnc::safetensors::Contents contents =
      nnc::safetensors::load_file_with_metadata(
          std::string(NNC_LAYERS_GOLDEN_DIR) +
          "/embedding_options.safetensors");
  return contents;
}

/// Its tensor "<name>.<role>" (a copy, so tests may write into it).
Tensor embeddingGoldenTensor(const std::string &name, const std::string &role) {
  return embeddingGolden().tensors.at(name + "." + role).clone();
}

/// The embedding_options cases: name and Embedding options.
std::vector<std::pair<std::string, nn::EmbeddingOptions>>
embeddingOptionCases() {
  std::vector<std::pair<std::string, nn::EmbeddingOptions>> cases;
  for (const auto &[name, text] : embeddingGolden().metadata) {
    nlohmann::json config = nlohmann::json::parse(text);
    nn::EmbeddingOptions options(config["num_embeddings"].get<int64_t>(),
                                 config["embedding_dim"].get<int64_t>());
    if (!config["padding_idx"].is_null())
      options.padding_idx(config["padding_idx"].get<int64_t>());
    if (!config["max_norm"].is_null())
      options.max_norm(config["max_norm"].get<double>());
    options.norm_type(config["norm_type"] == "inf"
                          ? INFINITY
                          : config["norm_type"].get<double>());
    options.scale_grad_by_freq(config["scale_grad_by_freq"].get<bool>());
    cases.emplace_back(name, options);
  }
  return cases;
}

// Outputs, the weight after max_norm's in-place renorm, and the weight's
// gradient (scaled by frequency, none for padding), through the module and
// through F::embedding, with Long and Int indices.
TEST_F(LayersTest, EmbeddingOptionsMatchPyTorch) {
  auto cases = embeddingOptionCases();
  ASSERT_EQ(cases.size(), 6u);
  for (const auto &[name, options] : cases) {
    for (nnc::ScalarType indexType : {nnc::kInt64, nnc::kInt32}) {
      SCOPED_TRACE(name + " " + toString(indexType));
      Tensor x = embeddingGoldenTensor(name, "x").to(indexType);
      Tensor gout = embeddingGoldenTensor(name, "gout");
      nn::Embedding embedding(nn::EmbeddingOptions(options)._weight(
          embeddingGoldenTensor(name, "w")));
      Tensor out = embedding(x);
      EXPECT_TRUE(
          allClose(out, embeddingGoldenTensor(name, "out"), kRtol, kAtol));
      EXPECT_TRUE(allClose(embedding->weight,
                           embeddingGoldenTensor(name, "new_w"), kRtol, kAtol));
      (out * gout).sum().backward();
      EXPECT_TRUE(allClose(embedding->weight.grad(),
                           embeddingGoldenTensor(name, "gw"), kRtol, kAtol));

      Tensor weight = embeddingGoldenTensor(name, "w").requires_grad_();
      Tensor functionalOut =
          F::embedding(x, weight,
                       F::EmbeddingFuncOptions()
                           .padding_idx(options.padding_idx())
                           .max_norm(options.max_norm())
                           .norm_type(options.norm_type())
                           .scale_grad_by_freq(options.scale_grad_by_freq()));
      EXPECT_TRUE(allClose(functionalOut, out, 0, 0));
      (functionalOut * gout).sum().backward();
      EXPECT_TRUE(allClose(weight, embedding->weight, 0, 0));
      EXPECT_TRUE(allClose(weight.grad(), embedding->weight.grad(), 0, 0));
    }
  }
}

// Traced for inference (a frozen weight), max_norm's renorm is an
// in-place update of the weight that the compiled code performs on every
// call, for the indices of that call, as eager does.
TEST_F(LayersTest, EmbeddingMaxNormCompilesForInferenceAndUpdatesWeight) {
  Tensor table = nnc::randn({12, 5}) * 2.0f;
  auto makeEmbedding = [&] {
    return nn::Embedding::from_pretrained(
        table, nn::EmbeddingFromPretrainedOptions().max_norm(1.5));
  };
  nn::Embedding eager = makeEmbedding(), compiledModule = makeEmbedding();
  Tensor first = nnc::tensor(std::vector<int64_t>{3, 7, 3, 0}, {2, 2});
  Tensor second = nnc::tensor(std::vector<int64_t>{9, 1, 9, 11}, {2, 2});
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(
      unary([&](const Tensor &x) { return compiledModule(x); }), {first});
  // Tracing has no side effects: the weight is renormalized by calls only.
  EXPECT_TRUE(allClose(compiledModule->weight, table, 0, 0));
  for (const Tensor &x : {first, second}) {
    Tensor expected = eager(x);
    EXPECT_TRUE(allClose(compiled({x})[0], expected, kRtol, kAtol))
        << compiled.graphText();
    EXPECT_TRUE(allClose(compiledModule->weight, eager->weight, kRtol, kAtol));
  }
  EXPECT_EQ(compiled.numCompilations(), 1);
  Tensor norms = eager->weight.pow(2).sum({1}).sqrt();
  for (int64_t row : {0, 1, 3, 7, 9, 11})
    EXPECT_LE(norms[row].item<float>(), 1.5f + 1e-6f) << "row " << row;
  // Rows no input referred to keep their values exactly.
  for (int64_t row : {2, 4, 5, 6, 8, 10})
    EXPECT_TRUE(allClose(compiledModule->weight[row], table[row], 0, 0))
        << "row " << row;
}

TEST_F(LayersTest, EmbeddingScaleGradByFreqCompilesForInference) {
  nn::Embedding embedding(
      nn::EmbeddingOptions(7, 3).scale_grad_by_freq(true).padding_idx(1));
  Tensor index = nnc::tensor(std::vector<int64_t>{1, 4, 4, 6, 4, 0}, {3, 2});
  embedding->weight.requires_grad_(false);
  expectCompiledMatchesEager(
      unary([&](const Tensor &x) { return embedding(x); }), {index});
}

// A traced graph has no stop-gradient and no custom backward, so while the
// weight requires grad (it may be trained, as by compile_step) these
// options refuse to be traced instead of compiling PyTorch's forward with
// another gradient.
TEST_F(LayersTest, EmbeddingMaxNormAndScaleGradByFreqDoNotTraceForTraining) {
  Tensor index = nnc::tensor(std::vector<int64_t>{2, 2, 5}, {3});
  nn::Embedding renorming(nn::EmbeddingOptions(6, 2).max_norm(1.0));
  Tensor before = renorming->weight.clone();
  EXPECT_THAT(
      [&] {
        nnc::jit::compile(unary([&](const Tensor &x) { return renorming(x); }),
                          {index});
      },
      ThrowsMessage<nnc::Error>(HasSubstr(
          "embedding: max_norm cannot be traced while weight requires "
          "grad: it renormalizes weight in place outside autograd")));
  EXPECT_TRUE(allClose(renorming->weight, before, 0, 0));

  auto model = nn::Sequential(
      nn::Embedding(nn::EmbeddingOptions(6, 2).scale_grad_by_freq(true)),
      nn::Flatten(), nn::Linear(6, 1));
  nn::MSELoss lossFn;
  nnc::optim::SGD sgd(model->parameters(), nnc::optim::SGDOptions(0.1));
  EXPECT_THAT(
      [&] {
        nnc::jit::compile_step(
            model, lossFn, sgd,
            std::make_pair(index.reshape({1, 3}), nnc::zeros({1, 1})));
      },
      ThrowsMessage<nnc::Error>(HasSubstr(
          "embedding: scale_grad_by_freq cannot be traced while weight "
          "requires grad: its backward divides each gradient by its "
          "index's count")));
}

TEST_F(LayersTest, EmbeddingSparseAndBadNormTypeAreErrors) {
  EXPECT_THAT([] { nn::Embedding(nn::EmbeddingOptions(4, 2).sparse(true)); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("Embedding: sparse gradients are not supported "
                            "(nnc has no sparse tensors)")));
  Tensor index = nnc::tensor(std::vector<int64_t>{0, 3}, {2});
  Tensor weight = nnc::randn({4, 2});
  EXPECT_THAT(
      [&] {
        F::embedding(index, weight, F::EmbeddingFuncOptions().sparse(true));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("embedding: sparse gradients are not supported")));
  EXPECT_THAT(
      [&] {
        F::embedding(index, weight,
                     F::EmbeddingFuncOptions().max_norm(1.0).norm_type(0));
      },
      ThrowsMessage<nnc::Error>(HasSubstr(
          "embedding: norm_type must be positive (or infinity), got 0")));
}

} // namespace
