//===- test/unit/OptimParityTest.cpp - Optimizers against PyTorch ---------===//
//
// Issue 5's optimizer parity: SGD, Adam, AdamW, RMSprop and Adagrad, with
// one or two param groups, step for step against PyTorch (parameters and
// state after each of 5 steps, the state_dict layout, resuming from
// PyTorch's state), StepLR and CosineAnnealingLR against PyTorch's lr
// sequences (goldens written by scripts/golden/make_optim_goldens.py) and
// their state_dicts (scripts/golden/make_scheduler_goldens.py), and
// each optimizer inside compile_step against eager, where a scheduler
// changing the lr does not recompile.
//
//===----------------------------------------------------------------------===//
#include "AllClose.h"

#include "frontend/jit/CompileStep.h"
#include "frontend/nnc.h"

#include "gmock/gmock.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#include <unistd.h>

using nnc::Tensor;
using nnc::testing::allClose;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
namespace nn = nnc::nn;
namespace optim = nnc::optim;
using Json = nlohmann::json;

namespace {

/// Eager against PyTorch, 5 steps: the updates round as PyTorch's do,
/// except scalar coefficients PyTorch computes in double and nnc in float
/// tensors (1 - lr * weight_decay, Adagrad's decayed lr). assert_close's
/// f32 rtol, with an atol for values near zero (momentum buffers are sums
/// of terms of both signs) stricter than its 1e-5.
constexpr double kGoldenRtol = 1.3e-6, kGoldenAtol = 1e-6;
/// Compiled against eager: fused kernels sum in another order (as in
/// TrainStepTest).
constexpr double kCompiledRtol = 1e-4, kCompiledAtol = 1e-5;
constexpr int kSteps = 5;

const nnc::safetensors::Contents &golden() {
  static const nnc::safetensors::Contents contents =
      nnc::safetensors::load_file_with_metadata(
          std::string(NNC_OPTIM_GOLDEN_DIR) + "/optim.safetensors");
  return contents;
}

const Tensor &goldenTensor(const std::string &key) {
  auto it = golden().tensors.find(key);
  if (it == golden().tensors.end())
    throw nnc::Error("no tensor '" + key + "' in optim.safetensors");
  return it->second;
}

/// The golden optimizer cases whose names start with `prefix`, with their
/// configs: those without a scheduler, or (`scheduled`) those with one.
std::vector<std::pair<std::string, Json>> cases(const std::string &prefix,
                                                bool scheduled = false) {
  std::vector<std::pair<std::string, Json>> found;
  for (const auto &[name, text] : golden().metadata) {
    if (name == "schedulers" || name.rfind(prefix, 0) != 0)
      continue;
    Json config = Json::parse(text);
    if (config.contains("scheduler") == scheduled)
      found.emplace_back(name, config);
  }
  return found;
}

/// The scheduler a golden config describes.
std::unique_ptr<optim::LRScheduler> makeScheduler(optim::Optimizer &optimizer,
                                                  const Json &config) {
  if (config["kind"] == "StepLR")
    return std::make_unique<optim::StepLR>(optimizer,
                                           config["step_size"].get<int64_t>(),
                                           config["gamma"].get<double>());
  return std::make_unique<optim::CosineAnnealingLR>(
      optimizer, config["T_max"].get<int64_t>(),
      config["eta_min"].get<double>());
}

/// An optimizer of class `name` over `groups` with its default options.
std::unique_ptr<optim::Optimizer>
makeOptimizer(const std::string &name,
              std::vector<optim::OptimizerParamGroup> groups) {
  if (name == "SGD")
    return std::make_unique<optim::SGD>(groups, optim::SGDOptions(0.1));
  if (name == "Adam")
    return std::make_unique<optim::Adam>(groups);
  if (name == "AdamW")
    return std::make_unique<optim::AdamW>(groups);
  if (name == "RMSprop")
    return std::make_unique<optim::RMSprop>(groups);
  if (name == "Adagrad")
    return std::make_unique<optim::Adagrad>(groups);
  throw nnc::Error("no optimizer " + name);
}

/// The golden parameters (w, b) as fresh leaves, at their values after
/// `steps` steps of case `name` (0: the initial values).
std::vector<Tensor> goldenParams(const std::string &name = "", int steps = 0) {
  std::vector<Tensor> params;
  for (const char *p : {"w", "b"}) {
    Tensor value = steps == 0 ? goldenTensor(std::string("param.") + p)
                              : goldenTensor(name + "." + p)[steps - 1];
    params.push_back(value.clone().requires_grad_());
  }
  return params;
}

/// The saved state of case `name` whose keys start with `prefix`, row
/// `row` of each tensor (or the whole tensor if `row` < 0), keyed as
/// state_dict keys ("state.<i>.<key>").
optim::OptimizerStateDict savedState(const std::string &name,
                                     const std::string &prefix, int row) {
  optim::OptimizerStateDict state;
  std::string keyPrefix = name + "." + prefix + ".";
  for (const auto &[key, value] : golden().tensors)
    if (key.rfind(keyPrefix, 0) == 0)
      state.state.insert("state." + key.substr(keyPrefix.size()),
                         (row < 0 ? value : value[row]).clone());
  return state;
}

/// The case's optimizer over `params`, grouped as in PyTorch, with default
/// options.
std::unique_ptr<optim::Optimizer>
defaultCaseOptimizer(const Json &config, const std::vector<Tensor> &params) {
  std::vector<optim::OptimizerParamGroup> groups;
  for (const Json &group : config["param_groups"]) {
    std::vector<Tensor> members;
    for (int64_t index : group["params"])
      members.push_back(params[index]);
    groups.emplace_back(members);
  }
  return makeOptimizer(config["optimizer"].get<std::string>(), groups);
}

/// Case `name`'s optimizer over `params`, grouped as in PyTorch, made with
/// default options and given PyTorch's hyper-parameters and `state`
/// through load_state_dict, which reads PyTorch's param_groups JSON. The
/// state is PyTorch's before the first step unless given.
std::unique_ptr<optim::Optimizer>
caseOptimizer(const std::string &name, const Json &config,
              const std::vector<Tensor> &params,
              std::optional<optim::OptimizerStateDict> state = std::nullopt) {
  auto optimizer = defaultCaseOptimizer(config, params);
  if (!state)
    state = savedState(name, "initial", -1);
  state->param_groups = config["param_groups"].dump();
  optimizer->load_state_dict(*state);
  return optimizer;
}

/// Sets step `k`'s golden gradients and steps.
void goldenStep(optim::Optimizer &optimizer, const std::vector<Tensor> &params,
                int k) {
  params[0].mutable_grad() = goldenTensor("grad.w")[k].clone();
  params[1].mutable_grad() = goldenTensor("grad.b")[k].clone();
  optimizer.step();
}

/// Parameter i's state tensor `key`, or an undefined tensor.
Tensor stateOf(const optim::Optimizer &optimizer, const Tensor &param,
               const std::string &key) {
  if (const optim::ParamState *state = optimizer.state(param))
    for (const auto &[name, tensor] : *state)
      if (name == key)
        return tensor;
  return {};
}

/// Compares parameters and every state tensor PyTorch has with case
/// `name` after step `k` + 1.
void expectStep(const std::string &name, int k,
                const optim::Optimizer &optimizer,
                const std::vector<Tensor> &params) {
  EXPECT_TRUE(allClose(params[0], goldenTensor(name + ".w")[k], kGoldenRtol,
                       kGoldenAtol))
      << "w after step " << k + 1;
  EXPECT_TRUE(allClose(params[1], goldenTensor(name + ".b")[k], kGoldenRtol,
                       kGoldenAtol))
      << "b after step " << k + 1;
  std::string prefix = name + ".state.";
  for (const auto &[key, value] : golden().tensors) {
    if (key.rfind(prefix, 0) != 0)
      continue;
    size_t index = std::stoul(key.substr(prefix.size()));
    std::string stateName = key.substr(key.find('.', prefix.size()) + 1);
    Tensor mine = stateOf(optimizer, params[index], stateName);
    ASSERT_TRUE(mine.defined()) << "no state " << key;
    EXPECT_TRUE(allClose(mine, value[k], kGoldenRtol, kGoldenAtol))
        << key << " after step " << k + 1;
  }
}

void checkGoldenCases(const std::string &prefix) {
  auto found = cases(prefix);
  ASSERT_GE(found.size(), 1u);
  for (const auto &[name, config] : found) {
    SCOPED_TRACE(name);
    std::vector<Tensor> params = goldenParams();
    auto optimizer = caseOptimizer(name, config, params);
    for (int k = 0; k < kSteps; ++k) {
      goldenStep(*optimizer, params, k);
      expectStep(name, k, *optimizer, params);
    }
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Steps against PyTorch
//===----------------------------------------------------------------------===//

TEST(OptimGolden, SGD) { checkGoldenCases("sgd_"); }
TEST(OptimGolden, Adam) { checkGoldenCases("adam_"); }
TEST(OptimGolden, AdamW) { checkGoldenCases("adamw_"); }
TEST(OptimGolden, RMSprop) { checkGoldenCases("rmsprop_"); }
TEST(OptimGolden, Adagrad) { checkGoldenCases("adagrad_"); }

// The libtorch way to make groups: own options for one, the defaults for
// one added later; the same numbers as PyTorch's two groups.
TEST(OptimGolden, GroupsFromOptionsAndAddParamGroup) {
  std::vector<Tensor> params = goldenParams();
  optim::AdamW adamw(
      {optim::OptimizerParamGroup(
          {params[0]}, optim::AdamWOptions(0.02).amsgrad(true).clone())},
      optim::AdamWOptions(0.1).weight_decay(0.5));
  adamw.add_param_group(optim::OptimizerParamGroup({params[1]}));
  ASSERT_EQ(adamw.param_groups().size(), 2u);
  EXPECT_EQ(adamw.param_groups()[1].options().get_lr(), 0.1);
  for (int k = 0; k < kSteps; ++k) {
    goldenStep(adamw, params, k);
    expectStep("adamw_groups", k, adamw, params);
  }
}

TEST(OptimGolden, StateDictHasPyTorchsLayout) {
  for (const auto &[name, config] : cases("")) {
    SCOPED_TRACE(name);
    std::vector<Tensor> params = goldenParams();
    auto optimizer = caseOptimizer(name, config, params);
    for (int k = 0; k < kSteps; ++k)
      goldenStep(*optimizer, params, k);
    optim::OptimizerStateDict mine = optimizer->state_dict();
    for (const auto &item : mine.state) {
      if (item.key().find("momentum_initialized") != std::string::npos)
        continue; // nnc's own
      EXPECT_TRUE(allClose(item.value(),
                           goldenTensor(name + "." + item.key())[kSteps - 1],
                           kGoldenRtol, kGoldenAtol))
          << item.key();
    }
    size_t pytorchState = 0;
    for (const auto &[key, value] : golden().tensors)
      pytorchState += key.rfind(name + ".state.", 0) == 0;
    size_t nncOnly = 0;
    for (const auto &item : mine.state)
      nncOnly += item.key().find("momentum_initialized") != std::string::npos;
    EXPECT_EQ(mine.state.size() - nncOnly, pytorchState);
    // Every hyper-parameter nnc writes is PyTorch's, with its value.
    Json groups = Json::parse(mine.param_groups);
    ASSERT_EQ(groups.size(), config["param_groups"].size());
    for (size_t g = 0; g < groups.size(); ++g)
      for (const auto &[key, value] : groups[g].items())
        EXPECT_EQ(value, config["param_groups"][g][key])
            << "param_groups[" << g << "]." << key;
  }
}

// Two PyTorch steps' state, loaded into fresh optimizers, continues to
// PyTorch's fifth step.
TEST(OptimGolden, ContinuesFromPyTorchsState) {
  constexpr int kLoaded = 2;
  for (const auto &[name, config] : cases("")) {
    SCOPED_TRACE(name);
    std::vector<Tensor> params = goldenParams(name, kLoaded);
    auto optimizer = caseOptimizer(name, config, params,
                                   savedState(name, "state", kLoaded - 1));
    for (int k = kLoaded; k < kSteps; ++k) {
      goldenStep(*optimizer, params, k);
      expectStep(name, k, *optimizer, params);
    }
  }
}

// nnc::save and nnc::load carry every optimizer's state and
// hyper-parameters (into the lr tensors too): 2 steps, a round trip
// through a file into an optimizer with default options, 3 more steps.
TEST(OptimGolden, StateRoundTripsThroughAFile) {
  std::string path = ::testing::TempDir() + "nnc_optim_parity_" +
                     std::to_string(getpid()) + ".safetensors";
  for (const auto &[name, config] : cases("")) {
    SCOPED_TRACE(name);
    std::vector<Tensor> params = goldenParams();
    auto optimizer = caseOptimizer(name, config, params);
    for (int k = 0; k < 2; ++k)
      goldenStep(*optimizer, params, k);
    nnc::save(*optimizer, path);
    std::vector<Tensor> copies = goldenParams(name, 2);
    auto restored = defaultCaseOptimizer(config, copies);
    nnc::load(*restored, path);
    for (size_t g = 0; g < restored->param_groups().size(); ++g)
      EXPECT_EQ(restored->param_groups()[g].lr_tensor().item<float>(),
                float(config["param_groups"][g]["lr"].get<double>()));
    for (int k = 2; k < kSteps; ++k) {
      goldenStep(*restored, copies, k);
      expectStep(name, k, *restored, copies);
    }
  }
  std::remove(path.c_str());
}

//===----------------------------------------------------------------------===//
// Options and param groups
//===----------------------------------------------------------------------===//

TEST(OptimOptions, DefaultsArePyTorchs) {
  optim::AdamWOptions adamw;
  EXPECT_EQ(adamw.lr(), 1e-3);
  EXPECT_EQ(std::get<0>(adamw.betas()), 0.9);
  EXPECT_EQ(std::get<1>(adamw.betas()), 0.999);
  EXPECT_EQ(adamw.eps(), 1e-8);
  EXPECT_EQ(adamw.weight_decay(), 1e-2);
  EXPECT_FALSE(adamw.amsgrad());
  optim::RMSpropOptions rmsprop;
  EXPECT_EQ(rmsprop.lr(), 1e-2);
  EXPECT_EQ(rmsprop.alpha(), 0.99);
  EXPECT_EQ(rmsprop.eps(), 1e-8);
  EXPECT_EQ(rmsprop.weight_decay(), 0);
  EXPECT_EQ(rmsprop.momentum(), 0);
  EXPECT_FALSE(rmsprop.centered());
  optim::AdagradOptions adagrad;
  EXPECT_EQ(adagrad.lr(), 1e-2);
  EXPECT_EQ(adagrad.lr_decay(), 0);
  EXPECT_EQ(adagrad.weight_decay(), 0);
  EXPECT_EQ(adagrad.initial_accumulator_value(), 0);
  EXPECT_EQ(adagrad.eps(), 1e-10);
}

TEST(OptimOptions, AdagradCreatesItsStateUpFront) {
  Tensor p = nnc::ones({2}).requires_grad_();
  optim::Adagrad adagrad(
      {p}, optim::AdagradOptions().initial_accumulator_value(0.25));
  ASSERT_NE(adagrad.state(p), nullptr);
  EXPECT_EQ((*adagrad.state(p))[1].first, "sum");
  EXPECT_TRUE(
      allClose((*adagrad.state(p))[1].second, nnc::full({2}, 0.25f), 0, 0));
}

TEST(OptimOptions, BadOptionsAndGroupsAreErrors) {
  Tensor p = nnc::ones({2}).requires_grad_(), q = nnc::ones({3});
  q.requires_grad_();
  EXPECT_THAT([&] { optim::RMSprop({p}, optim::RMSpropOptions().alpha(-1)); },
              ThrowsMessage<nnc::Error>(HasSubstr("Invalid alpha value: -1")));
  EXPECT_THAT(
      [&] { optim::Adagrad({p}, optim::AdagradOptions().lr_decay(-0.5)); },
      ThrowsMessage<nnc::Error>(HasSubstr("Invalid lr_decay value: -0.5")));
  EXPECT_THAT(
      [&] {
        optim::AdamW({p}, optim::AdamWOptions().betas({0.9, 1.5}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("Invalid beta parameter at index 1")));
  // A group's own options are checked too, and must be its optimizer's.
  EXPECT_THAT(
      [&] {
        optim::SGD(
            {optim::OptimizerParamGroup({p}, optim::SGDOptions(-0.1).clone())},
            optim::SGDOptions(0.1));
      },
      ThrowsMessage<nnc::Error>(HasSubstr("Invalid learning rate: -0.1")));
  EXPECT_THAT(
      [&] {
        optim::SGD(
            {optim::OptimizerParamGroup({p}, optim::AdamOptions().clone())},
            optim::SGDOptions(0.1));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("SGD: a param group has the options of another")));
  optim::Adam adam({p});
  EXPECT_THAT(
      [&] {
        adam.add_param_group(optim::OptimizerParamGroup({q, p}));
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("some parameters appear in more than one parameter "
                    "group (parameter 2)")));
  EXPECT_EQ(adam.param_groups().size(), 1u);
  // Loaded hyper-parameters are checked like given ones.
  optim::OptimizerStateDict state = adam.state_dict();
  Json groups = Json::parse(state.param_groups);
  groups[0]["eps"] = -1;
  state.param_groups = groups.dump();
  EXPECT_THAT([&] { adam.load_state_dict(state); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("optimizer load_state_dict: param_groups[0]: "
                            "Invalid epsilon value: -1")));
}

// The lr step() reads is a tensor that keeps its identity; set_lr on the
// options (libtorch's way) reaches it.
TEST(OptimOptions, LearningRateIsATensorPerGroup) {
  Tensor p = nnc::ones({2}).requires_grad_();
  optim::SGD sgd({p}, optim::SGDOptions(0.5));
  const Tensor &lr = sgd.param_groups()[0].lr_tensor();
  const void *impl = lr.unsafeGetTensorImpl();
  EXPECT_EQ(lr.dim(), 0);
  EXPECT_EQ(lr.item<float>(), 0.5f);
  sgd.param_groups()[0].options().set_lr(0.25);
  p.mutable_grad() = nnc::ones({2});
  sgd.step();
  EXPECT_TRUE(allClose(p, nnc::full({2}, 0.75f), 0, 0));
  EXPECT_EQ(sgd.param_groups()[0].lr_tensor().unsafeGetTensorImpl(), impl);
  EXPECT_EQ(sgd.param_groups()[0].lr_tensor().item<float>(), 0.25f);
  // load_state_dict writes the saved lr into the same tensor.
  optim::OptimizerStateDict state = sgd.state_dict();
  Json groups = Json::parse(state.param_groups);
  groups[0]["lr"] = 0.125;
  state.param_groups = groups.dump();
  sgd.load_state_dict(state);
  EXPECT_EQ(sgd.param_groups()[0].lr_tensor().unsafeGetTensorImpl(), impl);
  EXPECT_EQ(lr.item<float>(), 0.125f);
  // Growing the group list keeps each group's tensor.
  for (int i = 0; i < 8; ++i)
    sgd.add_param_group(
        optim::OptimizerParamGroup({nnc::ones({1}).requires_grad_()}));
  EXPECT_EQ(sgd.param_groups()[0].lr_tensor().unsafeGetTensorImpl(), impl);
}

//===----------------------------------------------------------------------===//
// Schedulers against PyTorch
//===----------------------------------------------------------------------===//

TEST(LRSchedulerGolden, StepLRAndCosineAnnealingLR) {
  Json schedules = Json::parse(golden().metadata.at("schedulers"));
  ASSERT_EQ(schedules.size(), 4u);
  for (const Json &schedule : schedules) {
    SCOPED_TRACE(schedule.dump().substr(0, 80));
    Tensor w = nnc::zeros({1}).requires_grad_(),
           b = nnc::zeros({1}).requires_grad_();
    optim::SGD sgd(
        {optim::OptimizerParamGroup({w}),
         optim::OptimizerParamGroup({b}, optim::SGDOptions(0.03).clone())},
        optim::SGDOptions(0.1));
    auto scheduler = makeScheduler(sgd, schedule);
    const Json &lrs = schedule["lrs"];
    for (size_t epoch = 0; epoch < lrs.size(); ++epoch) {
      if (epoch > 0)
        scheduler->step();
      EXPECT_EQ(scheduler->last_epoch(), int64_t(epoch));
      std::vector<double> expected = lrs[epoch].get<std::vector<double>>();
      // The same double operations as PyTorch's, so the same doubles.
      EXPECT_EQ(scheduler->get_last_lr(), expected) << "epoch " << epoch;
      for (size_t g = 0; g < 2; ++g) {
        EXPECT_EQ(sgd.param_groups()[g].options().get_lr(), expected[g]);
        EXPECT_EQ(sgd.param_groups()[g].lr_tensor().item<float>(),
                  float(expected[g]));
      }
    }
  }
}

// Each optimizer step reads the lr the scheduler set, as in PyTorch.
TEST(LRSchedulerGolden, SetsTheLearningRateOfOptimizerSteps) {
  auto found = cases("", /*scheduled=*/true);
  ASSERT_EQ(found.size(), 4u);
  for (const auto &[name, config] : found) {
    SCOPED_TRACE(name);
    std::vector<Tensor> params = goldenParams();
    auto optimizer = caseOptimizer(name, config, params);
    auto scheduler = makeScheduler(*optimizer, config["scheduler"]);
    for (int k = 0; k < kSteps; ++k) {
      goldenStep(*optimizer, params, k);
      scheduler->step();
      expectStep(name, k, *optimizer, params);
    }
  }
}

TEST(LRScheduler, BadArgumentsAreErrors) {
  Tensor p = nnc::ones({2}).requires_grad_();
  optim::SGD sgd({p}, optim::SGDOptions(0.1));
  EXPECT_THAT([&] { optim::StepLR(sgd, 0); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("StepLR: step_size must be positive, got 0")));
  EXPECT_THAT([&] { optim::CosineAnnealingLR(sgd, -2); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "CosineAnnealingLR: T_max must be positive, got -2")));
  optim::StepLR scheduler(sgd, 1);
  sgd.add_param_group(
      optim::OptimizerParamGroup({nnc::ones({1}).requires_grad_()}));
  EXPECT_THAT([&] { scheduler.step(); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("the optimizer has 2 param groups, the "
                            "scheduler was made for 1")));
}

//===----------------------------------------------------------------------===//
// Scheduler state_dict
//===----------------------------------------------------------------------===//

namespace {

constexpr int kSavedEpoch = 7, kEpochs = 12;

/// The metadata of scheduler_<name>.safetensors (written by
/// scripts/golden/make_scheduler_goldens.py): PyTorch's "lr_scheduler"
/// state_dict after 7 epochs, the scheduler's "config" and the "lrs" of
/// all 12 epochs.
nnc::safetensors::Metadata schedulerGolden(const std::string &name) {
  return nnc::safetensors::load_file_with_metadata(
             std::string(NNC_OPTIM_GOLDEN_DIR) + "/scheduler_" + name +
             ".safetensors")
      .metadata;
}

/// An SGD of two groups with a golden config's lrs, and its scheduler.
struct ScheduledSGD {
  explicit ScheduledSGD(const Json &config)
      : sgd({optim::OptimizerParamGroup({w}),
             optim::OptimizerParamGroup(
                 {b},
                 optim::SGDOptions(config["lrs"][1].get<double>()).clone())},
            optim::SGDOptions(config["lrs"][0].get<double>())),
        scheduler(makeScheduler(sgd, config)) {}

  std::vector<double> groupLrs() const {
    return {sgd.param_groups()[0].options().get_lr(),
            sgd.param_groups()[1].options().get_lr()};
  }

  Tensor w = nnc::zeros({1}).requires_grad_();
  Tensor b = nnc::zeros({1}).requires_grad_();
  optim::SGD sgd;
  std::unique_ptr<optim::LRScheduler> scheduler;
};

} // namespace

// 7 epochs, the optimizer and the scheduler saved with nnc::save and
// loaded into fresh ones, 5 more epochs: the same lrs (exactly) as 12
// epochs without a break, and as PyTorch's.
TEST(LRSchedulerStateDict, ResumedRunMatchesUninterruptedRunAndPyTorch) {
  std::string prefix =
      ::testing::TempDir() + "nnc_scheduler_" + std::to_string(getpid());
  std::string optimizerPath = prefix + "_optimizer.safetensors";
  std::string schedulerPath = prefix + "_scheduler.safetensors";
  for (const char *name : {"steplr", "cosine"}) {
    SCOPED_TRACE(name);
    nnc::safetensors::Metadata golden = schedulerGolden(name);
    Json config = Json::parse(golden.at("config"));
    Json pytorchLrs = Json::parse(golden.at("lrs"));
    ASSERT_EQ(pytorchLrs.size(), size_t(kEpochs + 1));

    ScheduledSGD uninterrupted(config);
    std::vector<std::vector<double>> lrs = {
        uninterrupted.scheduler->get_last_lr()};
    for (int epoch = 1; epoch <= kEpochs; ++epoch) {
      uninterrupted.scheduler->step();
      lrs.push_back(uninterrupted.scheduler->get_last_lr());
      EXPECT_EQ(lrs.back(), pytorchLrs[epoch].get<std::vector<double>>())
          << "epoch " << epoch;
    }

    ScheduledSGD first(config);
    for (int epoch = 1; epoch <= kSavedEpoch; ++epoch)
      first.scheduler->step();
    nnc::save(first.sgd, optimizerPath);
    nnc::save(*first.scheduler, schedulerPath);
    ScheduledSGD resumed(config);
    nnc::load(resumed.sgd, optimizerPath);
    nnc::load(*resumed.scheduler, schedulerPath);
    EXPECT_EQ(resumed.scheduler->last_epoch(), kSavedEpoch);
    EXPECT_EQ(resumed.scheduler->get_last_lr(), lrs[kSavedEpoch]);
    EXPECT_EQ(resumed.groupLrs(), lrs[kSavedEpoch]);
    for (int epoch = kSavedEpoch + 1; epoch <= kEpochs; ++epoch) {
      resumed.scheduler->step();
      EXPECT_EQ(resumed.scheduler->last_epoch(), epoch);
      EXPECT_EQ(resumed.scheduler->get_last_lr(), lrs[epoch])
          << "epoch " << epoch;
      EXPECT_EQ(resumed.groupLrs(), lrs[epoch]) << "epoch " << epoch;
      EXPECT_EQ(resumed.sgd.param_groups()[0].lr_tensor().item<float>(),
                float(lrs[epoch][0]));
    }
  }
  std::remove(optimizerPath.c_str());
  std::remove(schedulerPath.c_str());
}

// nnc's state_dict after 7 epochs is PyTorch's dict, and PyTorch's loads
// into nnc and continues with PyTorch's lrs.
TEST(LRSchedulerStateDict, IsPyTorchsAndContinuesFromIt) {
  for (const char *name : {"steplr", "cosine"}) {
    SCOPED_TRACE(name);
    nnc::safetensors::Metadata golden = schedulerGolden(name);
    Json config = Json::parse(golden.at("config"));
    Json pytorchLrs = Json::parse(golden.at("lrs"));
    ScheduledSGD stepped(config);
    for (int epoch = 1; epoch <= kSavedEpoch; ++epoch)
      stepped.scheduler->step();
    EXPECT_EQ(Json::parse(stepped.scheduler->state_dict().state),
              Json::parse(golden.at("lr_scheduler")));

    ScheduledSGD resumed(config);
    nnc::load(*resumed.scheduler, std::string(NNC_OPTIM_GOLDEN_DIR) +
                                      "/scheduler_" + name + ".safetensors");
    // PyTorch's optimizer state_dict would bring these lrs back.
    for (size_t g = 0; g < 2; ++g)
      resumed.sgd.param_groups()[g].set_lr(resumed.scheduler->get_last_lr()[g]);
    EXPECT_EQ(resumed.scheduler->get_last_lr(),
              pytorchLrs[kSavedEpoch].get<std::vector<double>>());
    for (int epoch = kSavedEpoch + 1; epoch <= kEpochs; ++epoch) {
      resumed.scheduler->step();
      EXPECT_EQ(resumed.scheduler->get_last_lr(),
                pytorchLrs[epoch].get<std::vector<double>>())
          << "epoch " << epoch;
    }
  }
}

TEST(LRSchedulerStateDict, BadStateDictsAreErrorsAndChangeNothing) {
  nnc::safetensors::Metadata golden = schedulerGolden("steplr");
  ScheduledSGD scheduled(Json::parse(golden.at("config")));
  optim::LRScheduler &scheduler = *scheduled.scheduler;
  scheduler.step();
  const std::string before = scheduler.state_dict().state;
  const Json valid = Json::parse(golden.at("lr_scheduler"));
  auto expectError = [&](const std::string &state, const std::string &message) {
    SCOPED_TRACE(state);
    EXPECT_THAT([&] { scheduler.load_state_dict({state}); },
                ThrowsMessage<nnc::Error>(HasSubstr(message)));
    EXPECT_EQ(scheduler.state_dict().state, before);
  };
  auto with = [&](const char *key, const Json &value) {
    Json state = valid;
    state[key] = value;
    return state.dump();
  };

  expectError(schedulerGolden("cosine").at("lr_scheduler"),
              "StepLR load_state_dict: unexpected key(s) 'T_max', 'eta_min' "
              "and missing key(s) 'step_size', 'gamma'; is it the state_dict "
              "of another kind of scheduler?");
  Json withoutLastEpoch = valid;
  withoutLastEpoch.erase("last_epoch");
  expectError(withoutLastEpoch.dump(),
              "StepLR load_state_dict: missing key(s) 'last_epoch'");
  expectError(with("base_lrs", {0.1}),
              "StepLR load_state_dict: 'base_lrs' has 1 entries, the "
              "optimizer has 2 param groups");
  expectError(with("_last_lr", "0.1"),
              "StepLR load_state_dict: '_last_lr' "
              "must be a list of numbers, got \"0.1\"");
  expectError(with("gamma", "half"),
              "StepLR load_state_dict: 'gamma' must be a number, got \"half\"");
  expectError(with("step_size", 2.5),
              "StepLR load_state_dict: 'step_size' must be an integer, got "
              "2.5");
  expectError(with("step_size", 0), "StepLR load_state_dict: StepLR: "
                                    "step_size must be positive, got 0");
  expectError(with("last_epoch", -3),
              "StepLR load_state_dict: 'last_epoch' must be >= 0, got -3");
  expectError("{\"step_size\": 3,", "StepLR load_state_dict: the state_dict "
                                    "is not valid JSON");
  expectError("[1, 2]", "StepLR load_state_dict: the state_dict must be a "
                        "JSON object, got [1,2]");

  // A file without a scheduler's state_dict (an optimizer's).
  std::string path = ::testing::TempDir() + "nnc_scheduler_bad_" +
                     std::to_string(getpid()) + ".safetensors";
  nnc::save(scheduled.sgd, path);
  EXPECT_THAT([&] { nnc::load(scheduler, path); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  path + ": no 'lr_scheduler' in the metadata; not an LR "
                         "scheduler's state_dict")));
  std::remove(path.c_str());
}

// A scheduler defined outside nnc (only get_lrs()) carries the base
// class's state.
TEST(LRSchedulerStateDict, CustomSchedulerCarriesTheBaseState) {
  struct Halving : optim::LRScheduler {
    using LRScheduler::LRScheduler;
    std::vector<double> get_lrs() override {
      std::vector<double> lrs = get_current_lrs();
      for (double &lr : lrs)
        lr /= 2;
      return lrs;
    }
  };
  Tensor p = nnc::ones({1}).requires_grad_();
  optim::SGD sgd({p}, optim::SGDOptions(0.8));
  Halving halving(sgd);
  halving.step();
  halving.step();
  Json state = Json::parse(halving.state_dict().state);
  EXPECT_EQ(state["last_epoch"], 2);
  EXPECT_EQ(state["base_lrs"], Json({0.8}));
  EXPECT_EQ(state["_last_lr"], Json({0.2}));
  optim::SGD fresh({nnc::ones({1}).requires_grad_()}, optim::SGDOptions(0.8));
  Halving resumed(fresh);
  resumed.load_state_dict(halving.state_dict());
  EXPECT_EQ(resumed.last_epoch(), 2);
  EXPECT_EQ(resumed.get_last_lr(), std::vector<double>{0.2});
  EXPECT_THAT([&] { resumed.load_state_dict({"{\"gamma\": 0.5}"}); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "LRScheduler load_state_dict: unexpected key(s) 'gamma' and "
                  "missing key(s) 'base_lrs', 'last_epoch', '_last_lr'")));
}

//===----------------------------------------------------------------------===//
// Inside compile_step
//===----------------------------------------------------------------------===//

namespace {

using OptimizerFactory =
    std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>;

nn::Sequential smallMLP() {
  return nn::Sequential(nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 2));
}

std::pair<Tensor, Tensor> batch(int i) {
  nnc::manual_seed(300 + i);
  Tensor x = nnc::randn({16, 4});
  return {x, x.narrow(1, 0, 2) * 0.5f - 0.25f};
}

Tensor eagerStep(nn::Sequential &model, optim::Optimizer &optimizer,
                 const std::pair<Tensor, Tensor> &xy) {
  optimizer.zero_grad();
  Tensor loss = nn::functional::mse_loss(model(xy.first), xy.second);
  loss.backward();
  optimizer.step();
  return loss;
}

/// The model's parameters in two groups: the first layer's and the rest.
std::vector<optim::OptimizerParamGroup>
twoGroups(const std::vector<Tensor> &params,
          std::unique_ptr<optim::OptimizerOptions> firstOptions) {
  return {optim::OptimizerParamGroup({params[0], params[1]},
                                     std::move(firstOptions)),
          optim::OptimizerParamGroup(
              std::vector<Tensor>(params.begin() + 2, params.end()))};
}

/// Trains identical small MLPs eagerly and with compile_step for
/// `epochs` x 2 steps (a scheduler, if `makeScheduler` gives one, steps
/// after each epoch) and compares losses, parameters and optimizer state.
void expectCompiledMatchesEager(
    const OptimizerFactory &makeOptimizer, int epochs = kSteps,
    const std::function<std::unique_ptr<optim::LRScheduler>(optim::Optimizer &)>
        &makeScheduler = nullptr,
    int stepsPerEpoch = 1) {
  nnc::manual_seed(11);
  nn::Sequential eagerModel = smallMLP();
  nnc::manual_seed(11);
  nn::Sequential compiledModel = smallMLP();
  auto eagerOpt = makeOptimizer(eagerModel->parameters());
  auto compiledOpt = makeOptimizer(compiledModel->parameters());
  std::unique_ptr<optim::LRScheduler> eagerScheduler, compiledScheduler;
  if (makeScheduler) {
    eagerScheduler = makeScheduler(*eagerOpt);
    compiledScheduler = makeScheduler(*compiledOpt);
  }
  nnc::jit::CompiledStep step = nnc::jit::compile_step(
      compiledModel, nn::MSELoss(), *compiledOpt, batch(0));
  int i = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (int s = 0; s < stepsPerEpoch; ++s, ++i) {
      Tensor eagerLoss = eagerStep(eagerModel, *eagerOpt, batch(i));
      Tensor compiledLoss = step(batch(i).first, batch(i).second);
      ASSERT_TRUE(
          allClose(compiledLoss, eagerLoss, kCompiledRtol, kCompiledAtol))
          << "loss at step " << i;
    }
    if (makeScheduler) {
      eagerScheduler->step();
      compiledScheduler->step();
    }
  }
  EXPECT_EQ(step.numCompilations(), 1);
  std::vector<Tensor> a = compiledModel->parameters(),
                      e = eagerModel->parameters();
  for (size_t p = 0; p < a.size(); ++p)
    EXPECT_TRUE(allClose(a[p], e[p], kCompiledRtol, kCompiledAtol))
        << "parameter " << p;
  std::vector<Tensor> sa = compiledOpt->state_tensors(),
                      se = eagerOpt->state_tensors();
  ASSERT_EQ(sa.size(), se.size());
  for (size_t s = 0; s < sa.size(); ++s)
    EXPECT_TRUE(allClose(sa[s], se[s], kCompiledRtol, kCompiledAtol))
        << "optimizer state " << s;
}

} // namespace

TEST(OptimCompiled, SGDWithGroups) {
  expectCompiledMatchesEager([](std::vector<Tensor> params) {
    return std::make_unique<optim::SGD>(
        twoGroups(params, optim::SGDOptions(0.05)
                              .momentum(0.9)
                              .dampening(0.1)
                              .weight_decay(0.01)
                              .clone()),
        optim::SGDOptions(0.1).momentum(0.8).nesterov(true));
  });
}

TEST(OptimCompiled, AdamAmsgrad) {
  expectCompiledMatchesEager([](std::vector<Tensor> params) {
    return std::make_unique<optim::Adam>(
        params, optim::AdamOptions(0.01).amsgrad(true).weight_decay(0.1));
  });
}

TEST(OptimCompiled, AdamWWithGroups) {
  expectCompiledMatchesEager([](std::vector<Tensor> params) {
    return std::make_unique<optim::AdamW>(
        twoGroups(params, optim::AdamWOptions(0.02).amsgrad(true).clone()),
        optim::AdamWOptions(0.01).weight_decay(0.1));
  });
}

TEST(OptimCompiled, RMSpropCenteredWithMomentum) {
  expectCompiledMatchesEager([](std::vector<Tensor> params) {
    return std::make_unique<optim::RMSprop>(
        twoGroups(params, optim::RMSpropOptions(0.01)
                              .centered(true)
                              .momentum(0.5)
                              .weight_decay(0.1)
                              .clone()),
        optim::RMSpropOptions(0.005));
  });
}

TEST(OptimCompiled, AdagradWithLrDecay) {
  expectCompiledMatchesEager([](std::vector<Tensor> params) {
    return std::make_unique<optim::Adagrad>(
        params, optim::AdagradOptions(0.1)
                    .lr_decay(0.1)
                    .weight_decay(0.05)
                    .initial_accumulator_value(0.1));
  });
}

// 3 epochs of StepLR halving both groups' learning rates: one compilation,
// the same numbers as eager.
TEST(OptimCompiled, StepLRCompilesOnce) {
  expectCompiledMatchesEager(
      [](std::vector<Tensor> params) {
        return std::make_unique<optim::SGD>(
            twoGroups(params, optim::SGDOptions(0.2).momentum(0.9).clone()),
            optim::SGDOptions(0.1).momentum(0.9));
      },
      /*epochs=*/3,
      [](optim::Optimizer &optimizer) {
        return std::make_unique<optim::StepLR>(optimizer, 1, 0.5);
      },
      /*stepsPerEpoch=*/2);
}

TEST(OptimCompiled, CosineAnnealingAdamCompilesOnce) {
  expectCompiledMatchesEager(
      [](std::vector<Tensor> params) {
        return std::make_unique<optim::Adam>(params, optim::AdamOptions(0.05));
      },
      /*epochs=*/4,
      [](optim::Optimizer &optimizer) {
        return std::make_unique<optim::CosineAnnealingLR>(optimizer, 3, 0.001);
      });
}

// An lr set by hand through the options (libtorch's way) reaches the
// compiled step too, without recompiling.
TEST(OptimCompiled, LearningRateSetThroughOptions) {
  nnc::manual_seed(12);
  nn::Sequential model = smallMLP();
  optim::SGD sgd(model->parameters(), optim::SGDOptions(0.1));
  nnc::jit::CompiledStep step =
      nnc::jit::compile_step(model, nn::MSELoss(), sgd, batch(0));
  sgd.param_groups()[0].options().set_lr(0);
  std::vector<Tensor> before;
  for (const Tensor &p : model->parameters())
    before.push_back(p.clone());
  step(batch(1).first, batch(1).second);
  for (size_t p = 0; p < before.size(); ++p)
    EXPECT_TRUE(allClose(model->parameters()[p], before[p], 0, 0));
  EXPECT_EQ(step.numCompilations(), 1);
}

// Hyper-parameters other than the lr are constants of the traced update:
// changing one retraces, and the step uses the new value.
TEST(OptimCompiled, OtherHyperParametersRetrace) {
  nnc::manual_seed(13);
  nn::Sequential eagerModel = smallMLP();
  nnc::manual_seed(13);
  nn::Sequential compiledModel = smallMLP();
  auto options = optim::RMSpropOptions(0.01).momentum(0.5);
  optim::RMSprop eagerOpt(eagerModel->parameters(), options);
  optim::RMSprop compiledOpt(compiledModel->parameters(), options);
  nnc::jit::CompiledStep step = nnc::jit::compile_step(
      compiledModel, nn::MSELoss(), compiledOpt, batch(0));
  auto raiseMomentum = [](optim::Optimizer &optimizer) {
    static_cast<optim::RMSpropOptions &>(optimizer.param_groups()[0].options())
        .momentum(0.9);
  };
  for (int i = 0; i < 4; ++i) {
    if (i == 2) {
      raiseMomentum(eagerOpt);
      raiseMomentum(compiledOpt);
    }
    Tensor eagerLoss = eagerStep(eagerModel, eagerOpt, batch(i));
    Tensor compiledLoss = step(batch(i).first, batch(i).second);
    EXPECT_TRUE(allClose(compiledLoss, eagerLoss, kCompiledRtol, kCompiledAtol))
        << "loss at step " << i;
  }
  EXPECT_EQ(step.numCompilations(), 2);
  std::vector<Tensor> a = compiledModel->parameters(),
                      e = eagerModel->parameters();
  for (size_t p = 0; p < a.size(); ++p)
    EXPECT_TRUE(allClose(a[p], e[p], kCompiledRtol, kCompiledAtol))
        << "parameter " << p;
}
