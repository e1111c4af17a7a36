//===- test/unit/JitTest.cpp - trace + compile against eager --------------===//
//
// Every traceable op alone, then the MLP: the compiled result must match
// eager within DESIGN.md §9 tolerances. Also what the tracer records, how
// parameters are bound, and the errors a user gets.
//
//===----------------------------------------------------------------------===//
#include "frontend/nnc.h"
#include "test/unit/AllClose.h"
#include "test/unit/InterpretTraced.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <cmath>
#include <functional>
#include <string>

using nnc::Tensor;
using nnc::jit::TensorFunction;
using testing::HasSubstr;

namespace {

using nnc::testing::allClose;

/// Compiles `fn`, runs it on `inputs`, and compares with eager.
void expectCompiledMatchesEager(const TensorFunction &fn,
                                const std::vector<Tensor> &inputs,
                                double rtol = 1.3e-6, double atol = 1e-5) {
  std::vector<Tensor> eager = fn(inputs);
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(fn, inputs);
  std::vector<Tensor> result = compiled(inputs);
  std::vector<Tensor> reference = nnc::testing::interpretTraced(fn, inputs);
  ASSERT_EQ(result.size(), eager.size());
  ASSERT_EQ(reference.size(), eager.size());
  for (size_t i = 0; i < eager.size(); ++i) {
    EXPECT_TRUE(allClose(result[i], eager[i], rtol, atol))
        << "output " << i << " of\n"
        << compiled.graphText();
    EXPECT_TRUE(allClose(reference[i], eager[i], rtol, atol))
        << "interpreted output " << i << " of\n"
        << compiled.graphText();
  }
}

TensorFunction unary(std::function<Tensor(const Tensor &)> op) {
  return [op](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{op(in[0])};
  };
}

TensorFunction
binary(std::function<Tensor(const Tensor &, const Tensor &)> op) {
  return [op](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{op(in[0], in[1])};
  };
}

class JitTest : public testing::Test {
protected:
  void SetUp() override { nnc::manual_seed(42); }
};

TEST_F(JitTest, ElementwiseBinaryWithBroadcasting) {
  Tensor a = nnc::randn({4, 3}), b = nnc::randn({3});
  Tensor positive = nnc::randn({4, 3}).exp() + 0.5f;
  expectCompiledMatchesEager(binary([](auto &x, auto &y) { return x + y; }),
                             {a, b});
  expectCompiledMatchesEager(binary([](auto &x, auto &y) { return x - y; }),
                             {b, a});
  expectCompiledMatchesEager(binary([](auto &x, auto &y) { return x * y; }),
                             {a, nnc::randn({4, 1})});
  expectCompiledMatchesEager(binary([](auto &x, auto &y) { return x / y; }),
                             {a, positive});
}

TEST_F(JitTest, ElementwiseUnary) {
  Tensor x = nnc::randn({5, 7});
  Tensor positive = x.exp() + 0.1f;
  expectCompiledMatchesEager(unary([](auto &t) { return -t; }), {x});
  expectCompiledMatchesEager(unary([](auto &t) { return t.exp(); }), {x});
  expectCompiledMatchesEager(unary([](auto &t) { return t.log(); }),
                             {positive});
  expectCompiledMatchesEager(unary([](auto &t) { return t.tanh(); }), {x});
  expectCompiledMatchesEager(unary([](auto &t) { return t.sigmoid(); }), {x});
  expectCompiledMatchesEager(unary([](auto &t) { return t.relu(); }), {x});
}

TEST_F(JitTest, MatMulTransposeReshape) {
  Tensor a = nnc::randn({6, 5}), b = nnc::randn({5, 4});
  // Matmul sums in a different order than eager: f64-referenced bound.
  expectCompiledMatchesEager(
      binary([](auto &x, auto &y) { return x.matmul(y); }), {a, b}, 1e-5, 1e-5);
  expectCompiledMatchesEager(
      binary([](auto &x, auto &y) { return x.matmul(y.t()); }),
      {a, nnc::randn({3, 5})}, 1e-5, 1e-5);
  expectCompiledMatchesEager(unary([](auto &t) { return t.transpose(0, 1); }),
                             {a});
  expectCompiledMatchesEager(unary([](auto &t) {
                               return t.reshape({3, 10});
                             }),
                             {a});
  expectCompiledMatchesEager(unary([](auto &t) { return t.view({30}); }), {a});
}

TEST_F(JitTest, ReductionsOverDimsWithKeepdim) {
  Tensor x = nnc::randn({3, 4, 5});
  for (bool keepdim : {false, true}) {
    expectCompiledMatchesEager(
        unary([=](auto &t) { return t.sum({1}, keepdim); }), {x}, 1e-5, 1e-5);
    expectCompiledMatchesEager(unary([=](auto &t) {
                                 return t.mean({0, 2}, keepdim);
                               }),
                               {x}, 1e-5, 1e-5);
    expectCompiledMatchesEager(
        unary([=](auto &t) { return t.amax({-1}, keepdim); }), {x});
  }
  expectCompiledMatchesEager(unary([](auto &t) { return t.sum(); }), {x}, 1e-5,
                             1e-5);
}

TEST_F(JitTest, ConstantsAndScalarsAreRecorded) {
  Tensor x = nnc::randn({2, 3});
  nnc::jit::TracedGraph graph = nnc::jit::trace(
      [](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{in[0] * 2.0f + nnc::ones({3})};
      },
      {x});
  EXPECT_THAT(graph.str(), HasSubstr("nn.constant"));
  EXPECT_TRUE(graph.captures().empty()) << graph.str();
  expectCompiledMatchesEager(
      unary([](auto &t) { return t * 2.0f + nnc::ones({3}); }), {x});
}

TEST_F(JitTest, FunctionReturningItsInput) {
  Tensor x = nnc::randn({2, 3});
  expectCompiledMatchesEager(
      [](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{in[0], in[0].relu()};
      },
      {x});
}

TEST_F(JitTest, InPlaceUpdatesAreCompiledAndTracingHasNoSideEffects) {
  // An accumulator updated in place, as an optimizer updates its state.
  Tensor total = nnc::zeros({3});
  auto accumulate = [&](const std::vector<Tensor> &in) {
    total.add_(in[0], 2.0f);
    return std::vector<Tensor>{total * 1.0f};
  };
  Tensor x = nnc::tensor({1.0f, 2.0f, 3.0f}, {3});
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(accumulate, {x});
  // Compiling traced the function (running it); the trace undid its update.
  EXPECT_TRUE(allClose(total, nnc::zeros({3}), 0, 0));
  compiled({x});
  std::vector<Tensor> second = compiled({x});
  EXPECT_TRUE(allClose(total, nnc::tensor({4.0f, 8.0f, 12.0f}, {3}), 0, 0));
  EXPECT_TRUE(allClose(second[0], total, 0, 0));
  EXPECT_EQ(compiled.numCompilations(), 1);
}

class MlpTest : public JitTest {
protected:
  void SetUp() override {
    JitTest::SetUp();
    w1 = nnc::randn({16, 12}) * 0.3f;
    b1 = nnc::randn({16});
    w2 = nnc::randn({4, 16}) * 0.3f;
    b2 = nnc::randn({4});
  }
  TensorFunction mlp() {
    return [this](const std::vector<Tensor> &in) {
      Tensor h = (in[0].matmul(w1.t()) + b1).relu();
      return std::vector<Tensor>{h.matmul(w2.t()) + b2};
    };
  }
  Tensor w1, b1, w2, b2;
};

TEST_F(MlpTest, TraceRecordsEveryOpAndCapturesParameters) {
  nnc::jit::TracedGraph graph = nnc::jit::trace(mlp(), {nnc::randn({8, 12})});
  std::string text = graph.str();
  EXPECT_THAT(text, HasSubstr("func.func @forward"));
  EXPECT_THAT(text, HasSubstr("nn.matmul"));
  EXPECT_THAT(text, HasSubstr("nn.transpose"));
  EXPECT_THAT(text, HasSubstr("nn.add"));
  EXPECT_THAT(text, HasSubstr("nn.relu"));
  EXPECT_EQ(graph.numInputs(), 1u);
  ASSERT_EQ(graph.captures().size(), 4u);
  EXPECT_EQ(graph.captures()[0].unsafeGetTensorImpl(),
            w1.unsafeGetTensorImpl());
}

TEST_F(MlpTest, CompiledMatchesEager) {
  expectCompiledMatchesEager(mlp(), {nnc::randn({8, 12})}, 1e-5, 1e-5);
}

TEST_F(MlpTest, ParametersAreBoundByReference) {
  Tensor x = nnc::randn({8, 12});
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(mlp(), {x});
  // Change a parameter in place after compiling: the compiled function must
  // see the new value, as eager does.
  b2.data_ptr<float>()[0] += 10.0f;
  EXPECT_TRUE(allClose(compiled({x})[0], mlp()({x})[0], 1e-5, 1e-5));
}

TEST_F(MlpTest, NewInputShapeRecompiles) {
  nnc::jit::CompiledFunction compiled =
      nnc::jit::compile(mlp(), {nnc::randn({8, 12})});
  EXPECT_EQ(compiled.numCompilations(), 1);
  Tensor x = nnc::randn({5, 12});
  EXPECT_TRUE(allClose(compiled({x})[0], mlp()({x})[0], 1e-5, 1e-5));
  EXPECT_EQ(compiled.numCompilations(), 2);
  // Both specializations stay cached.
  compiled({nnc::randn({8, 12})});
  compiled({x});
  EXPECT_EQ(compiled.numCompilations(), 2);
}

TEST_F(MlpTest, AShapeTheModelRejectsIsTheEagerError) {
  nnc::jit::CompiledFunction compiled =
      nnc::jit::compile(mlp(), {nnc::randn({8, 12})});
  try {
    compiled({nnc::randn({8, 13})});
    FAIL() << "expected nnc::Error";
  } catch (const nnc::Error &e) {
    EXPECT_THAT(e.what(), HasSubstr("matmul"));
    EXPECT_THAT(e.what(), HasSubstr("[8, 13]"));
  }
}

TEST_F(MlpTest, RepeatedRecompilesAreReportedWithTheFailedGuard) {
  nnc::jit::CompileOptions options;
  options.name = "mlp";
  options.recompileWarningLimit = 2;
  nnc::jit::CompiledFunction compiled =
      nnc::jit::compile(mlp(), {nnc::randn({1, 12})}, options);
  testing::internal::CaptureStderr();
  for (int64_t batch = 2; batch <= 4; ++batch)
    compiled({nnc::randn({batch, 12})});
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(compiled.numCompilations(), 4);
  // Recompiles 1 and 2 are within the limit; the third is reported.
  EXPECT_THAT(err, HasSubstr("mlp recompiled 3 times"));
  EXPECT_THAT(err, HasSubstr("input 0 shape changed from [3, 12] to [4, 12]"));
}

TEST_F(JitTest, ModeIsPartOfTheGuard) {
  std::string mode = "train";
  nnc::jit::CompileOptions options;
  options.mode = [&] { return mode; };
  auto fn = unary([](auto &t) { return t.relu(); });
  Tensor x = nnc::randn({3});
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(fn, {x}, options);
  compiled({x});
  EXPECT_EQ(compiled.numCompilations(), 1);
  mode = "eval";
  compiled({x});
  EXPECT_EQ(compiled.numCompilations(), 2);
}

//===----------------------------------------------------------------------===//
// Dynamic batch
//===----------------------------------------------------------------------===//

// One compilation serves every batch size; the results match eager.
TEST_F(MlpTest, DynamicBatchCompilesOnceForEveryBatchSize) {
  TensorFunction fn = [this](const std::vector<Tensor> &in) {
    Tensor logits = mlp()({in[0]})[0];
    return std::vector<Tensor>{
        logits.log_softmax(1),
        nnc::nn::functional::cross_entropy(logits, in[1])};
  };
  auto batch = [](int64_t n) {
    std::vector<int64_t> labels;
    for (int64_t i = 0; i < n; ++i)
      labels.push_back(i % 4);
    return std::vector<Tensor>{nnc::randn({n, 12}), nnc::tensor(labels)};
  };
  nnc::jit::CompiledFunction compiled = nnc::jit::compile(
      fn, batch(8), nnc::jit::CompileOptions().dynamic_batch(true));
  EXPECT_THAT(compiled.graphText(), HasSubstr("tensor<?x12xf32>"));
  for (int64_t n : {8, 1, 5, 64}) {
    std::vector<Tensor> inputs = batch(n);
    std::vector<Tensor> result = compiled(inputs);
    std::vector<Tensor> eager = fn(inputs);
    ASSERT_EQ(result.size(), 2u);
    EXPECT_EQ(result[0].sizes(), (nnc::IntList{n, 4}));
    EXPECT_TRUE(allClose(result[0], eager[0], 1e-5, 1e-5)) << "batch " << n;
    EXPECT_TRUE(allClose(result[1], eager[1], 1e-5, 1e-5)) << "batch " << n;
  }
  EXPECT_EQ(compiled.numCompilations(), 1);
}

TEST_F(JitTest, DynamicBatchRefusesGraphsThatDependOnTheBatchSize) {
  // A constant shaped by the batch (a mask built from x.size(0)).
  TensorFunction fn = [](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{in[0] * nnc::ones({in[0].size(0), 1})};
  };
  try {
    nnc::jit::compile(fn, {nnc::randn({4, 3})},
                      nnc::jit::CompileOptions().dynamic_batch(true));
    FAIL() << "expected an error";
  } catch (const nnc::Error &e) {
    EXPECT_THAT(e.what(), HasSubstr("dynamic_batch: "));
    EXPECT_THAT(e.what(), HasSubstr("'nn.constant'"));
  }
}

} // namespace
