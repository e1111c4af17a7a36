//===- test/unit/GradScalerTest.cpp - amp::GradScaler (loss scaling) ------===//
//
// nnc::amp::GradScaler against PyTorch 1.13's documented rules. PyTorch
// 1.13's GradScaler runs only on CUDA (on CPU it disables itself, and its
// _amp_update_scale_ kernel has no CPU implementation), so there are no
// PyTorch goldens: the expected numbers follow from the rules, derived in
// the comments.
//
//===----------------------------------------------------------------------===//
#include "frontend/nnc.h"
#include "test/unit/EagerTestUtil.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

using nnc::Tensor;
using nnc::amp::GradScaler;
using nnc::amp::GradScalerOptions;
using nnc::testing::hasValues;
using nnc::testing::valuesOf;
using testing::HasSubstr;
namespace nn = nnc::nn;
namespace optim = nnc::optim;
namespace F = nnc::nn::functional;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// A leaf parameter holding `values`.
Tensor parameter(std::vector<float> values) {
  Tensor p = nnc::tensor(std::move(values));
  p.requires_grad_();
  return p;
}

/// One iteration's backward: p.grad() = scale * x, through scaler.scale().
void backwardScaled(const GradScaler &scaler, const Tensor &p,
                    const Tensor &x) {
  scaler.scale(p.mul(x).sum()).backward();
}

/// The message of the nnc::Error that `body` throws ("" if none).
template <class Body> std::string errorOf(Body body) {
  try {
    body();
  } catch (const nnc::Error &e) {
    return e.what();
  }
  return "";
}

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "nnc_gradscaler_" + std::to_string(getpid()) +
         "_" + name;
}

TEST(GradScalerTest, DefaultsArePyTorchs) {
  GradScaler scaler;
  EXPECT_TRUE(scaler.is_enabled());
  EXPECT_EQ(scaler.get_scale(), 65536.0);
  EXPECT_EQ(scaler.get_growth_factor(), 2.0);
  EXPECT_EQ(scaler.get_backoff_factor(), 0.5);
  EXPECT_EQ(scaler.get_growth_interval(), 2000);
  EXPECT_EQ(scaler._get_growth_tracker(), 0);
  Tensor loss = nnc::scalar_tensor(1.5);
  Tensor scaled = scaler.scale(loss);
  EXPECT_EQ(scaled.dtype(), nnc::kFloat32);
  EXPECT_EQ(scaled.item<float>(), 1.5f * 65536.0f);

  scaler.set_growth_factor(4.0);
  scaler.set_backoff_factor(0.25);
  scaler.set_growth_interval(10);
  EXPECT_EQ(scaler.get_growth_factor(), 4.0);
  EXPECT_EQ(scaler.get_backoff_factor(), 0.25);
  EXPECT_EQ(scaler.get_growth_interval(), 10);
}

TEST(GradScalerTest, ScaleBacksOffAndGrowsOverAScriptedRun) {
  // The rule (torch._amp_update_scale_): a step whose gradients hold an
  // inf or NaN multiplies the scale by backoff_factor (0.5) and resets the
  // growth tracker to 0; a finite step increments the tracker, and when it
  // reaches growth_interval (3) the scale is multiplied by growth_factor
  // (2) and the tracker resets to 0.
  struct Iteration {
    float bad;            // x[0]: finite, inf or NaN
    bool steps;           // whether the optimizer steps
    double scaleAfter;    // the scale after update()
    int64_t trackerAfter; // the growth tracker after update()
  };
  const std::vector<Iteration> script = {
      {1, true, 8, 1},      // 1st success in a row
      {1, true, 8, 2},      // 2nd
      {1, true, 16, 0},     // 3rd == growth_interval: 8 * 2
      {kInf, false, 8, 0},  // inf: 16 * 0.5
      {1, true, 8, 1},      // 1st success
      {kNaN, false, 4, 0},  // NaN backs off too: 8 * 0.5
      {-kInf, false, 2, 0}, // 4 * 0.5
      {1, true, 2, 1},      // 1st success
      {1, true, 2, 2},      // 2nd
      {1, true, 4, 0},      // 3rd: 2 * 2
      {1, true, 4, 1},      // 1st success after growth
  };
  GradScaler scaler(GradScalerOptions().init_scale(8).growth_interval(3));
  Tensor p = parameter({1, 2});
  // lr 0.5 and gradients of a few bits keep every update exact.
  optim::SGD sgd({p}, optim::SGDOptions(0.5));
  std::vector<float> expectedP = {1, 2};
  for (size_t i = 0; i < script.size(); ++i) {
    SCOPED_TRACE("iteration " + std::to_string(i + 1));
    const Iteration &it = script[i];
    sgd.zero_grad();
    double scaleBefore = scaler.get_scale();
    backwardScaled(scaler, p, nnc::tensor({it.bad, -0.5f}));
    // The scaled gradient: scale * x.
    EXPECT_EQ(p.grad().contiguous().data_ptr<float>()[1],
              float(-0.5 * scaleBefore));
    EXPECT_EQ(scaler.step(sgd), it.steps);
    // Unscaled in place whether or not the optimizer stepped.
    EXPECT_EQ(p.grad().contiguous().data_ptr<float>()[1], -0.5f);
    if (it.steps) {
      expectedP[0] -= 0.5f * it.bad;
      expectedP[1] -= 0.5f * -0.5f;
    }
    EXPECT_TRUE(hasValues(p, {2}, expectedP));
    scaler.update();
    EXPECT_EQ(scaler.get_scale(), it.scaleAfter);
    EXPECT_EQ(scaler._get_growth_tracker(), it.trackerAfter);
  }
}

TEST(GradScalerTest, GrowthStopsShortOfFloat32Overflow) {
  // 2^127 * 2 = 2^128 is past float32's range: the scale stays, and the
  // tracker still resets.
  const double big = std::ldexp(1.0, 127);
  GradScaler scaler(GradScalerOptions().init_scale(big).growth_interval(1));
  Tensor p = parameter({1});
  optim::SGD sgd({p}, optim::SGDOptions(0.5));
  backwardScaled(scaler, p, nnc::tensor({std::ldexp(1.0f, -127)}));
  EXPECT_TRUE(scaler.step(sgd));
  scaler.update();
  EXPECT_EQ(scaler.get_scale(), big);
  EXPECT_EQ(scaler._get_growth_tracker(), 0);
}

TEST(GradScalerTest, SkippedStepLeavesParamsAndOptimizerStateUntouched) {
  nnc::manual_seed(0);
  nn::Linear model(3, 2);
  optim::Adam adam(model->parameters(), optim::AdamOptions(0.1));
  GradScaler scaler;
  Tensor x = nnc::randn({4, 3});
  Tensor y = nnc::randn({4, 2});
  auto iteration = [&](const Tensor &input) {
    adam.zero_grad();
    scaler.scale(F::mse_loss(model(input), y)).backward();
    bool stepped = scaler.step(adam);
    scaler.update();
    return stepped;
  };
  ASSERT_TRUE(iteration(x));
  ASSERT_TRUE(iteration(x));
  auto snapshot = [&] {
    std::vector<std::vector<float>> values;
    for (const Tensor &t : model->parameters())
      values.push_back(valuesOf(t));
    for (const Tensor &t : adam.state_tensors())
      values.push_back(valuesOf(t));
    return values;
  };
  std::vector<std::vector<float>> before = snapshot();
  Tensor bad = x.clone();
  bad.contiguous().data_ptr<float>()[0] = kInf;
  EXPECT_FALSE(iteration(bad));
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(scaler.get_scale(), 32768.0);
  // The next finite iteration steps, as Adam's third step.
  EXPECT_TRUE(iteration(x));
  Tensor step = adam.state(model->weight)->front().second;
  EXPECT_EQ(adam.state(model->weight)->front().first, "step");
  EXPECT_EQ(step.item<float>(), 3.0f);
}

TEST(GradScalerTest, UnscaleThenClipThenStep) {
  GradScaler scaler(GradScalerOptions().init_scale(1024));
  Tensor p = parameter({1, 1});
  optim::SGD sgd({p}, optim::SGDOptions(1.0));
  backwardScaled(scaler, p, nnc::tensor({3, 4}));
  EXPECT_TRUE(hasValues(p.grad(), {2}, {3072, 4096}));
  scaler.unscale_(sgd);
  EXPECT_TRUE(hasValues(p.grad(), {2}, {3, 4}));
  // Clip the unscaled gradients to norm 2.5, as clip_grad_norm_: the norm
  // is 5, so they are halved.
  {
    nnc::NoGradGuard noGrad;
    double norm = p.grad().mul(p.grad()).sum().sqrt().item<double>();
    p.grad().mul_(2.5 / norm);
  }
  // step() does not unscale a second time: p -= 1.0 * (1.5, 2).
  EXPECT_TRUE(scaler.step(sgd));
  EXPECT_TRUE(hasValues(p, {2}, {-0.5f, -1.0f}));
  scaler.update();
  EXPECT_EQ(scaler._get_growth_tracker(), 1);
}

TEST(GradScalerTest, OutOfOrderCallsAreErrors) {
  GradScaler scaler(GradScalerOptions().init_scale(4));
  Tensor p = parameter({1});
  optim::SGD sgd({p}, optim::SGDOptions(0.5));
  EXPECT_THAT(errorOf([&] { scaler.update(); }),
              HasSubstr("GradScaler::update: no inf checks were recorded "
                        "prior to update()"));
  backwardScaled(scaler, p, nnc::tensor({1}));
  scaler.unscale_(sgd);
  EXPECT_THAT(errorOf([&] { scaler.unscale_(sgd); }),
              HasSubstr("GradScaler::unscale_: unscale_() has already been "
                        "called on this optimizer since the last update()"));
  // The failed call divided nothing again.
  EXPECT_TRUE(hasValues(p.grad(), {1}, {1}));
  EXPECT_TRUE(scaler.step(sgd));
  EXPECT_THAT(errorOf([&] { scaler.unscale_(sgd); }),
              HasSubstr("unscale_() is being called after step()"));
  EXPECT_THAT(errorOf([&] { scaler.step(sgd); }),
              HasSubstr("GradScaler::step: step() has already been called "
                        "since the last update()"));
  scaler.update();
  // A new iteration may unscale again.
  sgd.zero_grad();
  backwardScaled(scaler, p, nnc::tensor({1}));
  EXPECT_NO_THROW(scaler.unscale_(sgd));

  // Float16 gradients cannot be unscaled; nothing is changed.
  GradScaler other(GradScalerOptions().init_scale(4));
  Tensor q = parameter({1, 2});
  optim::SGD sgdQ({q}, optim::SGDOptions(0.5));
  q.mutable_grad() = nnc::tensor({4, 8}).to(nnc::kHalf);
  EXPECT_THAT(errorOf([&] { other.unscale_(sgdQ); }),
              HasSubstr("GradScaler::unscale_: attempting to unscale FP16 "
                        "gradients (parameter 0)"));
  EXPECT_TRUE(hasValues(q.grad().to(nnc::kFloat32), {2}, {4, 8}));
  EXPECT_THAT(errorOf([&] { other.update(); }),
              HasSubstr("no inf checks were recorded"));

  EXPECT_THAT(errorOf([] { GradScaler(GradScalerOptions().growth_factor(1)); }),
              HasSubstr("GradScaler: the growth factor must be > 1.0, got 1"));
  EXPECT_THAT(
      errorOf([] { GradScaler(GradScalerOptions().backoff_factor(1.5)); }),
      HasSubstr("GradScaler: the backoff factor must be < 1.0, got 1.5"));
}

TEST(GradScalerTest, UpdateWithNewScaleKeepsTheTracker) {
  GradScaler scaler(GradScalerOptions().init_scale(8));
  Tensor p = parameter({1});
  optim::SGD sgd({p}, optim::SGDOptions(0.5));
  backwardScaled(scaler, p, nnc::tensor({1}));
  scaler.step(sgd);
  scaler.update();
  ASSERT_EQ(scaler._get_growth_tracker(), 1);
  sgd.zero_grad();
  backwardScaled(scaler, p, nnc::tensor({kInf}));
  EXPECT_FALSE(scaler.step(sgd));
  scaler.update(3.0);
  EXPECT_EQ(scaler.get_scale(), 3.0);
  EXPECT_EQ(scaler._get_growth_tracker(), 1);
  // update(new_scale) ends the iteration too.
  EXPECT_THAT(errorOf([&] { scaler.update(); }),
              HasSubstr("no inf checks were recorded"));
}

TEST(GradScalerTest, AnInfInOneOptimizerBacksOffForAll) {
  GradScaler scaler(GradScalerOptions().init_scale(8));
  Tensor p = parameter({1});
  Tensor q = parameter({1});
  optim::SGD sgdP({p}, optim::SGDOptions(0.5));
  optim::SGD sgdQ({q}, optim::SGDOptions(0.5));
  backwardScaled(scaler, p, nnc::tensor({kInf}));
  backwardScaled(scaler, q, nnc::tensor({1}));
  EXPECT_FALSE(scaler.step(sgdP));
  EXPECT_TRUE(scaler.step(sgdQ));
  EXPECT_TRUE(hasValues(p, {1}, {1}));
  EXPECT_TRUE(hasValues(q, {1}, {0.5f}));
  scaler.update();
  EXPECT_EQ(scaler.get_scale(), 4.0);
}

TEST(GradScalerTest, DisabledIsAPassThrough) {
  // A disabled scaler checks no options.
  GradScaler scaler(GradScalerOptions().enabled(false).growth_factor(0.5));
  EXPECT_FALSE(scaler.is_enabled());
  EXPECT_EQ(scaler.get_scale(), 1.0);
  Tensor p = parameter({1});
  optim::SGD sgd({p}, optim::SGDOptions(0.5));
  Tensor loss = p.mul(nnc::tensor({kInf})).sum();
  Tensor scaled = scaler.scale(loss);
  EXPECT_EQ(scaled.unsafeGetTensorImpl(), loss.unsafeGetTensorImpl());
  scaled.backward();
  scaler.unscale_(sgd);
  EXPECT_TRUE(hasValues(p.grad(), {1}, {kInf}));
  // Steps even with an inf gradient, as PyTorch's disabled scaler.
  EXPECT_TRUE(scaler.step(sgd));
  EXPECT_TRUE(hasValues(p, {1}, {-kInf}));
  EXPECT_NO_THROW(scaler.update());
  EXPECT_EQ(scaler.state_dict().state, "{}");
  EXPECT_NO_THROW(scaler.load_state_dict({"not json"}));
}

TEST(GradScalerTest, StateDictRoundTrip) {
  GradScaler scaler(GradScalerOptions().init_scale(8).growth_interval(3));
  Tensor p = parameter({1});
  optim::SGD sgd({p}, optim::SGDOptions(0.5));
  auto iteration = [&](GradScaler &s, float x) {
    sgd.zero_grad();
    backwardScaled(s, p, nnc::tensor({x}));
    s.step(sgd);
    s.update();
  };
  iteration(scaler, 1);
  iteration(scaler, kInf);
  iteration(scaler, 1);
  // PyTorch's keys, scale and factors as floats, the others as ints.
  EXPECT_EQ(scaler.state_dict().state,
            R"({"scale":4.0,"growth_factor":2.0,"backoff_factor":0.5,)"
            R"("growth_interval":3,"_growth_tracker":1})");

  GradScaler loaded;
  loaded.load_state_dict(scaler.state_dict());
  EXPECT_EQ(loaded.get_scale(), 4.0);
  EXPECT_EQ(loaded.get_growth_interval(), 3);
  EXPECT_EQ(loaded._get_growth_tracker(), 1);
  EXPECT_EQ(loaded.state_dict().state, scaler.state_dict().state);

  // Through a file, as optimizers and schedulers are saved.
  std::string path = tempPath("scaler.safetensors");
  nnc::save(scaler, path);
  GradScaler fromFile;
  nnc::load(fromFile, path);
  EXPECT_EQ(fromFile.state_dict().state, scaler.state_dict().state);
  // The loaded scalers go on as the original: two more successes grow it.
  for (GradScaler *s : {&scaler, &loaded, &fromFile}) {
    iteration(*s, 1);
    iteration(*s, 1);
    EXPECT_EQ(s->get_scale(), 8.0);
    EXPECT_EQ(s->_get_growth_tracker(), 0);
  }

  // json.dumps of PyTorch's scaler.state_dict() loads as it is.
  GradScaler fromPyTorch;
  fromPyTorch.load_state_dict(
      {R"({"scale": 32768.0, "growth_factor": 2.0, "backoff_factor": 0.5, )"
       R"("growth_interval": 2000, "_growth_tracker": 5})"});
  EXPECT_EQ(fromPyTorch.get_scale(), 32768.0);
  EXPECT_EQ(fromPyTorch._get_growth_tracker(), 5);

  // A file of another kind is refused.
  optim::SGD other({parameter({1})}, optim::SGDOptions(0.1));
  std::string optimizerPath = tempPath("sgd.safetensors");
  nnc::save(other, optimizerPath);
  EXPECT_THAT(errorOf([&] { nnc::load(fromPyTorch, optimizerPath); }),
              HasSubstr(optimizerPath +
                        ": no 'grad_scaler' in the metadata; not a "
                        "GradScaler's state_dict"));
  std::remove(path.c_str());
  std::remove(optimizerPath.c_str());
}

TEST(GradScalerTest, BadStateDictsAreErrorsAndChangeNothing) {
  const std::string valid =
      R"({"scale":4.0,"growth_factor":2.0,"backoff_factor":0.5,)"
      R"("growth_interval":3,"_growth_tracker":1})";
  struct Case {
    std::string state;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{\"scale\":", "the state_dict is not valid JSON"},
      {"[1]", "the state_dict must be a JSON object, got [1]"},
      {"{}", "the state_dict is empty, possibly because it was saved from a "
             "disabled GradScaler"},
      {R"({"scale":4.0})", "missing key(s) 'growth_factor', "
                           "'backoff_factor', 'growth_interval', "
                           "'_growth_tracker'"},
      {R"({"scale":4.0,"growth_factor":2.0,"backoff_factor":0.5,)"
       R"("growth_interval":3,"_growth_tracker":1,"last_epoch":2})",
       "unexpected key(s) 'last_epoch'"},
      {R"({"scale":"4","growth_factor":2.0,"backoff_factor":0.5,)"
       R"("growth_interval":3,"_growth_tracker":1})",
       "'scale' must be a number, got \"4\""},
      {R"({"scale":4.0,"growth_factor":2.0,"backoff_factor":0.5,)"
       R"("growth_interval":3.5,"_growth_tracker":1})",
       "'growth_interval' must be an integer, got 3.5"},
      {R"({"scale":0.0,"growth_factor":2.0,"backoff_factor":0.5,)"
       R"("growth_interval":3,"_growth_tracker":1})",
       "'scale' must be a positive finite float32, got 0.0"},
      {R"({"scale":1e39,"growth_factor":2.0,"backoff_factor":0.5,)"
       R"("growth_interval":3,"_growth_tracker":1})",
       "'scale' must be a positive finite float32, got 1e+39"},
      {R"({"scale":4.0,"growth_factor":2.0,"backoff_factor":0.5,)"
       R"("growth_interval":3,"_growth_tracker":-1})",
       "'_growth_tracker' must be >= 0, got -1"},
      {R"({"scale":4.0,"growth_factor":0.9,"backoff_factor":0.5,)"
       R"("growth_interval":3,"_growth_tracker":1})",
       "the growth factor must be > 1.0, got 0.9"},
  };
  GradScaler scaler;
  const std::string before = scaler.state_dict().state;
  for (const Case &c : cases) {
    SCOPED_TRACE(c.state);
    std::string message = errorOf([&] { scaler.load_state_dict({c.state}); });
    EXPECT_THAT(message, HasSubstr("GradScaler load_state_dict: "));
    EXPECT_THAT(message, HasSubstr(c.message));
    EXPECT_EQ(scaler.state_dict().state, before);
  }
  EXPECT_NO_THROW(scaler.load_state_dict({valid}));
}

/// A 2-layer regressor trained for `iterations` full-batch iterations with
/// Adam, under AutocastGuard(kHalf) with a GradScaler when `half`; returns
/// the final float32 loss and counts the optimizer steps in `steps`.
float trainRegressor(bool half, int iterations, int &steps) {
  nnc::manual_seed(0);
  Tensor x = nnc::randn({64, 8});
  Tensor y = x.matmul(nnc::randn({8, 1})).add(nnc::randn({64, 1}).mul(0.1));
  nn::Sequential model(nn::Linear(8, 16), nn::ReLU(), nn::Linear(16, 1));
  optim::Adam adam(model->parameters(), optim::AdamOptions(5e-2));
  GradScaler scaler(GradScalerOptions().enabled(half));
  steps = 0;
  for (int i = 0; i < iterations; ++i) {
    adam.zero_grad();
    Tensor loss;
    {
      nnc::AutocastGuard autocast(nnc::kHalf, half);
      Tensor out = model(x);
      EXPECT_EQ(out.dtype(), half ? nnc::kHalf : nnc::kFloat32);
      loss = F::mse_loss(out, y);
    }
    scaler.scale(loss).backward();
    steps += scaler.step(adam);
    scaler.update();
  }
  nnc::NoGradGuard noGrad;
  return F::mse_loss(model(x), y).item<float>();
}

TEST(GradScalerTest, HalfTrainingMatchesFloat32) {
  int halfSteps = 0, floatSteps = 0;
  float halfLoss = trainRegressor(/*half=*/true, 20, halfSteps);
  // The float32 run takes as many optimizer steps as the float16 run did
  // (the data is the same full batch every iteration).
  float floatLoss = trainRegressor(/*half=*/false, halfSteps, floatSteps);
  EXPECT_EQ(floatSteps, halfSteps);
  // The default scale, 65536, overflows the float16 gradients of the first
  // iterations (64 rows summed into the last layer's weight gradient): the
  // scaler skips those steps and backs off, then trains.
  EXPECT_LT(halfSteps, 20);
  EXPECT_GE(halfSteps, 15);
  // Float16 activations and gradients (11-bit mantissas) through 18 Adam
  // steps: the loss agrees to 1% (0.3% today).
  EXPECT_NEAR(halfLoss, floatLoss, 0.01 * floatLoss);
  int initialSteps = 0;
  EXPECT_LT(floatLoss, 0.5f * trainRegressor(false, 0, initialSteps));
}

} // namespace
