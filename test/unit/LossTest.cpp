//===- test/unit/LossTest.cpp - Losses, eager and compiled ----------------===//
//
// CrossEntropyLoss (class indices and probabilities, weight, ignore_index,
// label_smoothing), NLLLoss, MSELoss, L1Loss, SmoothL1Loss, BCELoss and
// BCEWithLogitsLoss: eager outputs and gradients against PyTorch's (golden
// files written by scripts/golden/make_loss_goldens.py), the same cases
// traced and compiled (forward and nn-autodiff gradients) against PyTorch,
// compile_step training against eager steps, and PyTorch's errors for bad
// arguments.
//
//===----------------------------------------------------------------------===//
#include "AllClose.h"
#include "InterpretTraced.h"

#include "frontend/jit/CompileStep.h"
#include "frontend/nnc.h"

#include "gmock/gmock.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace F = nnc::nn::functional;
namespace nn = nnc::nn;
using nnc::Tensor;
using nnc::testing::allClose;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

// Losses reduce over a few elements in another order than PyTorch: an f32
// bound a little wider than assert_close's single-op one (DESIGN.md §9).
constexpr double kRtol = 1e-5, kAtol = 1e-5;

/// One golden case: its options and tensors (undefined when absent).
struct GoldenCase {
  std::string name;
  nlohmann::json config;
  Tensor input, target, weight, posWeight, out, gradInput, gradTarget;
};

std::vector<GoldenCase> loadGoldenCases() {
  nnc::safetensors::Contents golden = nnc::safetensors::load_file_with_metadata(
      std::string(NNC_LOSS_GOLDEN_DIR) + "/loss.safetensors");
  auto find = [&](const std::string &name) {
    auto it = golden.tensors.find(name);
    return it == golden.tensors.end() ? Tensor() : it->second;
  };
  std::vector<GoldenCase> cases;
  for (const auto &[name, text] : golden.metadata) {
    GoldenCase c{name, nlohmann::json::parse(text)};
    c.input = find(name + ".input");
    c.target = find(name + ".target");
    c.weight = find(name + ".weight");
    c.posWeight = find(name + ".pos_weight");
    c.out = find(name + ".out");
    c.gradInput = find(name + ".ginput");
    c.gradTarget = find(name + ".gtarget");
    cases.push_back(std::move(c));
  }
  return cases;
}

/// The case's loss with its options, as the functional API.
Tensor runLoss(const GoldenCase &c, const Tensor &input, const Tensor &target) {
  const nlohmann::json &config = c.config;
  std::string loss = config["loss"], reduction = config["reduction"];
  if (loss == "cross_entropy")
    return F::cross_entropy(
        input, target,
        F::CrossEntropyFuncOptions()
            .weight(c.weight)
            .ignore_index(config.value("ignore_index", int64_t(-100)))
            .label_smoothing(config.value("label_smoothing", 0.0))
            .reduction(reduction));
  if (loss == "nll_loss")
    return F::nll_loss(
        input, target,
        F::NLLLossFuncOptions()
            .weight(c.weight)
            .ignore_index(config.value("ignore_index", int64_t(-100)))
            .reduction(reduction));
  if (loss == "mse_loss")
    return F::mse_loss(input, target,
                       F::MSELossFuncOptions().reduction(reduction));
  if (loss == "l1_loss")
    return F::l1_loss(input, target,
                      F::L1LossFuncOptions().reduction(reduction));
  if (loss == "smooth_l1_loss")
    return F::smooth_l1_loss(input, target,
                             F::SmoothL1LossFuncOptions()
                                 .beta(config.value("beta", 1.0))
                                 .reduction(reduction));
  if (loss == "binary_cross_entropy")
    return F::binary_cross_entropy(
        input, target,
        F::BinaryCrossEntropyFuncOptions().weight(c.weight).reduction(
            reduction));
  if (loss == "binary_cross_entropy_with_logits")
    return F::binary_cross_entropy_with_logits(
        input, target,
        F::BinaryCrossEntropyWithLogitsFuncOptions()
            .weight(c.weight)
            .pos_weight(c.posWeight)
            .reduction(reduction));
  ADD_FAILURE() << "unknown loss " << loss;
  return {};
}

bool allFinite(const Tensor &t) {
  return (t == t).all().item<bool>() &&
         (t.abs() < std::numeric_limits<float>::infinity()).all().item<bool>();
}

//===----------------------------------------------------------------------===//
// Parity with PyTorch, eagerly
//===----------------------------------------------------------------------===//

TEST(LossGolden, EagerMatchesPyTorch) {
  std::vector<GoldenCase> cases = loadGoldenCases();
  ASSERT_GE(cases.size(), 90u);
  for (const GoldenCase &c : cases) {
    SCOPED_TRACE(c.name);
    Tensor input = c.input.clone().requires_grad_();
    Tensor target = c.target.clone();
    if (c.gradTarget.defined())
      target.requires_grad_();
    Tensor out = runLoss(c, input, target);
    EXPECT_TRUE(allClose(out, c.out, kRtol, kAtol)) << "output";
    (out * out).sum().mul(0.5f).backward();
    if (c.config.value("grad", true)) {
      EXPECT_TRUE(allClose(input.grad(), c.gradInput, kRtol, kAtol))
          << "input grad";
    } else {
      EXPECT_TRUE(allFinite(input.grad())) << input.grad();
    }
    if (c.gradTarget.defined()) {
      EXPECT_TRUE(allClose(target.grad(), c.gradTarget, kRtol, kAtol))
          << "target grad";
    }
  }
}

/// The same cases computed in float64 (the composed paths; the fused
/// cross entropy is float32 only) agree with PyTorch's float32 values.
TEST(LossGolden, EagerFloat64MatchesPyTorch) {
  auto toDouble = [](const Tensor &t) {
    return t.defined() && t.is_floating_point() ? t.to(nnc::kFloat64) : t;
  };
  for (GoldenCase c : loadGoldenCases()) {
    SCOPED_TRACE(c.name);
    for (Tensor *t : {&c.input, &c.target, &c.weight, &c.posWeight})
      *t = toDouble(*t);
    Tensor input = c.input.clone().requires_grad_();
    Tensor out = runLoss(c, input, c.target);
    EXPECT_EQ(out.dtype(), nnc::kFloat64);
    EXPECT_TRUE(allClose(out.to(nnc::kFloat), c.out, kRtol, kAtol));
    if (c.config.value("grad", true)) {
      (out * out).sum().mul(0.5).backward();
      EXPECT_TRUE(
          allClose(input.grad().to(nnc::kFloat), c.gradInput, kRtol, kAtol));
    }
  }
}

//===----------------------------------------------------------------------===//
// Parity with PyTorch, compiled
//===----------------------------------------------------------------------===//

/// The traced graph of every case, interpreted op by op, against PyTorch;
/// then the "mean" cases compiled: the loss and its input gradient
/// (nn-autodiff of the traced loss) from a compiled training step whose
/// "optimizer" stores the gradient. "none" and "sum" take the same compiled
/// paths up to the final reduction; compiling each case once keeps the suite
/// fast.
TEST(LossGolden, CompiledMatchesPyTorch) {
  int compiled = 0;
  for (const GoldenCase &c : loadGoldenCases()) {
    SCOPED_TRACE(c.name);
    auto loss = [&](const std::vector<Tensor> &in) {
      return std::vector<Tensor>{runLoss(c, in[0], in[1])};
    };
    EXPECT_TRUE(
        allClose(nnc::testing::interpretTraced(loss, {c.input, c.target})[0],
                 c.out, kRtol, kAtol))
        << "interpreted";
    if (c.config["reduction"] != "mean")
      continue;
    ++compiled;
    if (!c.config.value("grad", true)) {
      nnc::jit::CompiledFunction forward =
          nnc::jit::compile(loss, {c.input, c.target});
      EXPECT_TRUE(
          allClose(forward({c.input, c.target})[0], c.out, kRtol, kAtol))
          << forward.graphText();
      continue;
    }
    // The loss and its gradient by the input as a compiled step computes
    // them: the input is the step's one parameter, and the update
    // accumulates the gradient into zeros (an in-place update of a tensor
    // it reads, so the compiled step writes it back) instead of applying it.
    Tensor input = c.input.clone();
    Tensor gradInput = nnc::zeros_like(input);
    nnc::jit::TrainingStepSpec spec;
    spec.loss = [&](const Tensor &, const Tensor &target) {
      return runLoss(c, input, target);
    };
    spec.parameters = {input};
    spec.applyGradients = [&](const std::vector<Tensor> &grads) {
      gradInput.add_(grads[0] * c.out);
    };
    spec.optimizerState = [] { return std::vector<Tensor>{}; };
    nnc::jit::CompiledStep step =
        nnc::jit::compileTrainingStep(spec, nnc::zeros({1}), c.target);
    EXPECT_TRUE(allClose(step(nnc::zeros({1}), c.target), c.out, kRtol, kAtol))
        << step.graphText();
    // PyTorch's gradient is of sum(out^2) / 2, i.e. d(out) * out for the
    // rank-0 mean.
    EXPECT_TRUE(allClose(gradInput, c.gradInput, kRtol, kAtol))
        << step.graphText();
  }
  EXPECT_GE(compiled, 30);
}

//===----------------------------------------------------------------------===//
// Traced graphs
//===----------------------------------------------------------------------===//

/// The `nn` graph a loss traces to.
std::string
tracedGraph(const std::function<Tensor(const Tensor &, const Tensor &)> &loss,
            const Tensor &input, const Tensor &target) {
  return nnc::jit::trace(
             [&](const std::vector<Tensor> &in) {
               return std::vector<Tensor>{loss(in[0], in[1])};
             },
             {input, target})
      .str();
}

TEST(LossTrace, ClassIndexCrossEntropyKeepsTheFusedOp) {
  Tensor logits = nnc::randn({4, 3});
  Tensor target = nnc::tensor(std::vector<int64_t>{0, 2, -100, 1});
  nn::CrossEntropyLoss plain;
  std::string graph = tracedGraph(plain, logits, target);
  EXPECT_THAT(graph, HasSubstr("nn.cross_entropy"));
  EXPECT_THAT(graph, HasSubstr("nn.where"));
  nn::CrossEntropyLoss weighted(
      nn::CrossEntropyLossOptions().weight(nnc::rand({3})).ignore_index(2));
  graph = tracedGraph(weighted, logits, target.abs().clamp_max(2));
  EXPECT_THAT(graph, HasSubstr("nn.cross_entropy"));
  EXPECT_THAT(graph, HasSubstr("nn.index_select"));
  nn::CrossEntropyLoss smoothed(
      nn::CrossEntropyLossOptions().label_smoothing(0.1));
  graph = tracedGraph(smoothed, logits, target);
  EXPECT_THAT(graph, HasSubstr("nn.log_softmax"));
  EXPECT_THAT(graph, HasSubstr("nn.gather"));
}

/// A trace made on a batch without ignored targets still ignores them in
/// later batches.
TEST(LossTrace, IgnoredTargetsInLaterBatches) {
  Tensor logits = nnc::randn({4, 3});
  nn::CrossEntropyLoss loss;
  auto fn = [&](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{loss(in[0], in[1])};
  };
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(
      fn, {logits, nnc::tensor(std::vector<int64_t>{0, 1, 2, 1})});
  Tensor later = nnc::tensor(std::vector<int64_t>{-100, 1, -100, 0});
  EXPECT_TRUE(allClose(compiled({logits, later})[0], loss(logits, later), kRtol,
                       kAtol));
  EXPECT_EQ(compiled.numCompilations(), 1);
}

/// One compiled loss serves every batch size (compile's dynamic_batch):
/// the masks and weights of ignore_index and class weights depend on the
/// batch only through the targets.
TEST(LossTrace, DynamicBatch) {
  nnc::manual_seed(5);
  for (nn::CrossEntropyLoss loss :
       {nn::CrossEntropyLoss(),
        nn::CrossEntropyLoss(nn::CrossEntropyLossOptions()
                                 .weight(nnc::rand({5}) + 0.5f)
                                 .label_smoothing(0.1))}) {
    auto fn = [loss](const std::vector<Tensor> &in) mutable {
      return std::vector<Tensor>{loss(in[0], in[1])};
    };
    std::vector<std::vector<Tensor>> batches = {
        {nnc::randn({6, 5}),
         nnc::tensor(std::vector<int64_t>{0, -100, 4, 1, 3, 2})},
        {nnc::randn({3, 5}), nnc::tensor(std::vector<int64_t>{2, 1, -100})}};
    nnc::jit::CompiledFunction compiled = nnc::jit::compile(
        fn, batches[0], nnc::jit::CompileOptions().dynamic_batch(true));
    for (const std::vector<Tensor> &batch : batches)
      EXPECT_TRUE(allClose(compiled(batch)[0], fn(batch)[0], kRtol, kAtol));
    EXPECT_EQ(compiled.numCompilations(), 1);
  }
}

//===----------------------------------------------------------------------===//
// Compiled training steps
//===----------------------------------------------------------------------===//

/// Three compile_step steps of `model` (SGD with momentum) against three
/// eager steps of an identical copy; losses and parameters agree.
template <class LossFn>
void expectCompiledStepsMatchEager(LossFn lossFn, const Tensor &x,
                                   const std::vector<Tensor> &targets,
                                   int64_t outputs) {
  nnc::manual_seed(7);
  nn::Linear eagerModel(4, outputs);
  nnc::manual_seed(7);
  nn::Linear compiledModel(4, outputs);
  auto options = nnc::optim::SGDOptions(0.1).momentum(0.9);
  nnc::optim::SGD eagerOpt(eagerModel->parameters(), options);
  nnc::optim::SGD compiledOpt(compiledModel->parameters(), options);
  nnc::jit::CompiledStep step = nnc::jit::compile_step(
      compiledModel, lossFn, compiledOpt, {x, targets[0]});
  for (size_t i = 0; i < targets.size(); ++i) {
    SCOPED_TRACE("step " + std::to_string(i));
    eagerOpt.zero_grad();
    Tensor eagerLoss = lossFn(eagerModel(x), targets[i]);
    eagerLoss.backward();
    eagerOpt.step();
    EXPECT_TRUE(allClose(step(x, targets[i]), eagerLoss, 1e-5, 1e-6));
  }
  EXPECT_EQ(step.numCompilations(), 1);
  EXPECT_TRUE(allClose(compiledModel->weight, eagerModel->weight, 1e-5, 1e-6));
  EXPECT_TRUE(allClose(compiledModel->bias, eagerModel->bias, 1e-5, 1e-6));
}

TEST(LossTrainStep, CrossEntropyWithSmoothingAndIgnoreIndex) {
  nnc::manual_seed(1);
  Tensor x = nnc::randn({6, 4});
  nn::CrossEntropyLoss loss(nn::CrossEntropyLossOptions()
                                .weight(nnc::rand({5}) + 0.5f)
                                .ignore_index(3)
                                .label_smoothing(0.1));
  expectCompiledStepsMatchEager(
      loss, x,
      {nnc::tensor(std::vector<int64_t>{0, 3, 4, 1, 3, 2}),
       nnc::tensor(std::vector<int64_t>{1, 1, 0, 4, 2, 3}),
       nnc::tensor(std::vector<int64_t>{3, 3, 3, 0, 1, 2})},
      5);
}

TEST(LossTrainStep, CrossEntropyIgnoringTheDefaultIndex) {
  nnc::manual_seed(2);
  Tensor x = nnc::randn({6, 4});
  expectCompiledStepsMatchEager(
      nn::CrossEntropyLoss(), x,
      {nnc::tensor(std::vector<int64_t>{0, 2, 4, 1, 3, 2}),
       nnc::tensor(std::vector<int64_t>{1, -100, 0, 4, -100, 3}),
       nnc::tensor(std::vector<int64_t>{-100, 3, 2, 0, 1, 2})},
      5);
}

TEST(LossTrainStep, BCEWithLogitsWithWeightAndPosWeight) {
  nnc::manual_seed(3);
  Tensor x = nnc::randn({5, 4});
  nn::BCEWithLogitsLoss loss(nn::BCEWithLogitsLossOptions()
                                 .weight(nnc::rand({3}) + 0.5f)
                                 .pos_weight(nnc::rand({3}) * 3.0f));
  std::vector<Tensor> targets;
  for (int i = 0; i < 3; ++i)
    targets.push_back(nnc::randint(0, 2, {5, 3}).to(nnc::kFloat));
  expectCompiledStepsMatchEager(loss, x, targets, 3);
}

TEST(LossTrainStep, RegressionAndProbabilityLosses) {
  nnc::manual_seed(4);
  Tensor x = nnc::randn({5, 4});
  std::vector<Tensor> targets;
  for (int i = 0; i < 3; ++i)
    targets.push_back(nnc::rand({5, 3}));
  expectCompiledStepsMatchEager(nn::L1Loss(), x, targets, 3);
  expectCompiledStepsMatchEager(
      nn::SmoothL1Loss(nn::SmoothL1LossOptions().beta(0.5)), x, targets, 3);
  expectCompiledStepsMatchEager(
      [](const Tensor &out, const Tensor &target) {
        return nn::BCELoss()(out.sigmoid(), target);
      },
      x, targets, 3);
  expectCompiledStepsMatchEager(
      [](const Tensor &out, const Tensor &target) {
        return F::cross_entropy(
            out, target.softmax(1),
            F::CrossEntropyFuncOptions().label_smoothing(0.2));
      },
      x, targets, 3);
}

//===----------------------------------------------------------------------===//
// Modules and errors
//===----------------------------------------------------------------------===//

TEST(LossModule, OptionsDefaultsAndBuffers) {
  nn::CrossEntropyLoss ce;
  EXPECT_EQ(ce->options.ignore_index(), -100);
  EXPECT_EQ(ce->options.label_smoothing(), 0.0);
  EXPECT_EQ(ce->options.reduction(), "mean");
  EXPECT_FALSE(ce->options.weight().defined());
  EXPECT_TRUE(ce->buffers().empty());
  EXPECT_EQ(nn::SmoothL1Loss()->options.beta(), 1.0);
  nn::BCEWithLogitsLoss bce(nn::BCEWithLogitsLossOptions()
                                .weight(nnc::ones({3}))
                                .pos_weight(nnc::ones({3}))
                                .reduction("sum"));
  EXPECT_EQ(bce->named_buffers().size(), 2u);
  EXPECT_TRUE(bce->named_buffers().contains("pos_weight"));
  EXPECT_THAT([] { nn::NLLLoss(nn::NLLLossOptions().reduction("avg")); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("NLLLoss: avg is not a valid value")));
}

TEST(LossErrors, SayWhatIsWrong) {
  Tensor logits = nnc::randn({2, 3});
  auto longs = [](std::vector<int64_t> v) { return nnc::tensor(v); };
  EXPECT_THAT(
      [&] {
        nn::CrossEntropyLoss()(logits, longs({1, 3}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("cross_entropy: target 3 (at position 1) is out "
                    "of bounds for 3 classes")));
  EXPECT_THAT(
      [&] {
        nn::NLLLoss()(logits, longs({1, 2, 0}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("nll_loss: expected target [2] for input [2, 3], "
                    "got target [3]")));
  EXPECT_THAT(
      [&] {
        F::cross_entropy(logits, longs({0, 1}),
                         F::CrossEntropyFuncOptions().weight(nnc::ones({2})));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("weight tensor should be defined either for all 3 "
                    "classes or no classes but got weight tensor of shape: "
                    "[2]")));
  EXPECT_THAT(
      [&] {
        F::cross_entropy(logits, nnc::rand({2, 3}),
                         F::CrossEntropyFuncOptions().ignore_index(0));
      },
      ThrowsMessage<nnc::Error>(HasSubstr(
          "ignore_index is not supported for floating point target")));
  EXPECT_THAT(
      [&] {
        F::cross_entropy(logits, longs({0, 1}),
                         F::CrossEntropyFuncOptions().label_smoothing(1.5));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("label_smoothing must be between 0.0 and 1.0")));
  EXPECT_THAT(
      [&] {
        F::cross_entropy(logits, nnc::zeros({2}), F::CrossEntropyFuncOptions());
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("expected target to be a Long tensor")));
  EXPECT_THAT(
      [&] {
        nn::CrossEntropyLoss()(nnc::zeros({2, 0}), longs({0, 0}));
      },
      ThrowsMessage<nnc::Error>(HasSubstr(
          "cross_entropy: expected at least one class, got input [2, 0]")));
  EXPECT_THAT(
      [&] {
        nn::BCELoss()(logits, nnc::rand({2, 3}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("binary_cross_entropy: all elements of input "
                    "should be between 0 and 1")));
  EXPECT_THAT(
      [&] {
        nn::BCEWithLogitsLoss()(logits, nnc::rand({3, 2}));
      },
      ThrowsMessage<nnc::Error>(HasSubstr(
          "binary_cross_entropy_with_logits: target [3, 2] and input [2, "
          "3] must have the same shape")));
  EXPECT_THAT(
      [&] {
        nn::SmoothL1Loss(nn::SmoothL1LossOptions().beta(-1))(logits,
                                                             nnc::rand({2, 3}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("does not support negative values for beta")));
  EXPECT_THAT(
      [&] {
        nn::L1Loss()(logits, longs({1, 2}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("l1_loss: expected target to be a floating point "
                    "tensor, got")));
}

} // namespace
