//===- test/unit/VjpVsTapeTest.cpp - nn-autodiff against the eager tape ---===//
//
// For every differentiable op: the gradient nn-autodiff builds from the
// traced graph, compiled, equals the gradient the eager autograd tape
// computes. (AutodiffTests checks the same VJPs against f64 central
// differences.) The loss is sum(op(x...) * w) with a random weight w so that
// every output element carries a different cotangent.
//
//===----------------------------------------------------------------------===//
#include "codegen/JIT.h"
#include "frontend/jit/RunExecutable.h"
#include "frontend/nnc.h"
#include "passes/Autodiff.h"
#include "test/unit/AllClose.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "gtest/gtest.h"

#include <cmath>
#include <functional>
#include <string>

using nnc::Tensor;
using Op = std::function<Tensor(const std::vector<Tensor> &)>;

namespace {

testing::AssertionResult allClose(const Tensor &actual, const Tensor &expected,
                                  double rtol = 1e-4, double atol = 1e-5) {
  return nnc::testing::allClose(actual, expected, rtol, atol);
}

/// Gradients of sum(op(inputs) * w) for every float input, from the tape.
std::vector<Tensor> tapeGradients(const Op &op, std::vector<Tensor> inputs,
                                  const Tensor &w) {
  for (Tensor &t : inputs)
    if (t.dtype() == nnc::kFloat32) {
      t = t.clone();
      t.requires_grad_();
    }
  (op(inputs) * w).sum().backward();
  std::vector<Tensor> grads;
  for (const Tensor &t : inputs)
    if (t.dtype() == nnc::kFloat32)
      grads.push_back(t.grad());
  return grads;
}

/// The same gradients from nn-autodiff on the traced graph, compiled.
std::vector<Tensor> compiledGradients(const Op &op,
                                      const std::vector<Tensor> &inputs,
                                      const Tensor &w) {
  nnc::jit::TracedGraph graph = nnc::jit::trace(
      [&](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{(op(in) * w).sum()};
      },
      inputs);
  std::vector<unsigned> wrt;
  for (unsigned i = 0; i < inputs.size(); ++i)
    if (inputs[i].dtype() == nnc::kFloat32)
      wrt.push_back(i);
  auto forward = graph.module().lookupSymbol<mlir::func::FuncOp>(
      nnc::jit::TracedGraph::kEntryName);
  mlir::FailureOr<mlir::func::FuncOp> gradFn =
      nnc::buildGradientFunction(forward, wrt);
  if (mlir::failed(gradFn))
    throw std::runtime_error("nn-autodiff failed on\n" + graph.str());
  auto executable = nnc::jitCompile(graph.module(), gradFn->getSymName());
  if (!executable)
    throw std::runtime_error(llvm::toString(executable.takeError()));

  std::vector<Tensor> arguments = inputs;
  for (const Tensor &t : graph.captures())
    arguments.push_back(t);
  std::vector<Tensor> results = nnc::jit::runExecutable(*executable, arguments);
  return std::vector<Tensor>(results.begin() + 1, results.end());
}

void expectVjpMatchesTape(const std::string &name, const Op &op,
                          const std::vector<Tensor> &inputs) {
  SCOPED_TRACE(name);
  Tensor w;
  {
    nnc::NoGradGuard noGrad;
    w = nnc::randn(op(inputs).sizes());
  }
  std::vector<Tensor> tape = tapeGradients(op, inputs, w);
  std::vector<Tensor> compiled = compiledGradients(op, inputs, w);
  ASSERT_EQ(compiled.size(), tape.size());
  for (size_t i = 0; i < tape.size(); ++i)
    EXPECT_TRUE(allClose(compiled[i], tape[i])) << "gradient " << i;
}

Op unary(std::function<Tensor(const Tensor &)> f) {
  return [f](const std::vector<Tensor> &in) { return f(in[0]); };
}

Op binary(std::function<Tensor(const Tensor &, const Tensor &)> f) {
  return [f](const std::vector<Tensor> &in) { return f(in[0], in[1]); };
}

class VjpVsTape : public testing::Test {
protected:
  void SetUp() override { nnc::manual_seed(11); }
};

TEST_F(VjpVsTape, ElementwiseUnary) {
  Tensor x = nnc::randn({4, 5});
  Tensor positive = nnc::rand({4, 5}) + 0.5f;
  expectVjpMatchesTape("neg", unary([](auto &t) { return -t; }), {x});
  expectVjpMatchesTape("exp", unary([](auto &t) { return t.exp(); }), {x});
  expectVjpMatchesTape("log", unary([](auto &t) { return t.log(); }),
                       {positive});
  expectVjpMatchesTape("tanh", unary([](auto &t) { return t.tanh(); }), {x});
  expectVjpMatchesTape("sigmoid", unary([](auto &t) { return t.sigmoid(); }),
                       {x});
  expectVjpMatchesTape("relu", unary([](auto &t) { return t.relu(); }), {x});
  expectVjpMatchesTape("sqrt", unary([](auto &t) { return t.sqrt(); }),
                       {positive});
  expectVjpMatchesTape("erf", unary([](auto &t) { return t.erf(); }), {x});
  expectVjpMatchesTape("pow", unary([](auto &t) { return t.pow(3.0f); }), {x});
}

TEST_F(VjpVsTape, ElementwiseBinaryWithBroadcasting) {
  Tensor a = nnc::randn({3, 4}), b = nnc::randn({4}), c = nnc::randn({3, 1});
  Tensor positive = nnc::rand({4}) + 0.5f;
  expectVjpMatchesTape("add", binary([](auto &x, auto &y) { return x + y; }),
                       {a, b});
  expectVjpMatchesTape("sub", binary([](auto &x, auto &y) { return x - y; }),
                       {c, a});
  expectVjpMatchesTape("mul", binary([](auto &x, auto &y) { return x * y; }),
                       {a, c});
  expectVjpMatchesTape("div", binary([](auto &x, auto &y) { return x / y; }),
                       {a, positive});
}

TEST_F(VjpVsTape, MatMulAndViews) {
  Tensor a = nnc::randn({5, 3}), b = nnc::randn({3, 4});
  expectVjpMatchesTape(
      "matmul", binary([](auto &x, auto &y) { return x.matmul(y); }), {a, b});
  expectVjpMatchesTape("batched matmul",
                       binary([](auto &x, auto &y) { return x.matmul(y); }),
                       {nnc::randn({2, 5, 3}), b});
  expectVjpMatchesTape("transpose",
                       unary([](auto &t) { return t.transpose(0, 1); }), {a});
  expectVjpMatchesTape("reshape", unary([](auto &t) {
                         return t.reshape({3, 5});
                       }),
                       {a});
}

TEST_F(VjpVsTape, ReductionsWithKeepdim) {
  Tensor x = nnc::randn({3, 4, 5});
  for (bool keepdim : {false, true}) {
    expectVjpMatchesTape(
        "sum", unary([=](auto &t) { return t.sum({1}, keepdim); }), {x});
    expectVjpMatchesTape("mean", unary([=](auto &t) {
                           return t.mean({0, 2}, keepdim);
                         }),
                         {x});
    expectVjpMatchesTape(
        "amax", unary([=](auto &t) { return t.amax({2}, keepdim); }), {x});
  }
}

TEST_F(VjpVsTape, SoftmaxAndLosses) {
  Tensor logits = nnc::randn({6, 5});
  expectVjpMatchesTape("softmax", unary([](auto &t) { return t.softmax(1); }),
                       {logits});
  expectVjpMatchesTape(
      "log_softmax", unary([](auto &t) { return t.log_softmax(0); }), {logits});
  Tensor target = nnc::tensor(std::vector<int64_t>{0, 4, 2, 2, 1, 3}, {6});
  expectVjpMatchesTape("cross_entropy", binary([](auto &x, auto &y) {
                         return nnc::nn::functional::cross_entropy(x, y);
                       }),
                       {logits, target});
  expectVjpMatchesTape("mse_loss", binary([](auto &x, auto &y) {
                         return nnc::nn::functional::mse_loss(x, y);
                       }),
                       {logits, nnc::randn({6, 5})});
}

TEST_F(VjpVsTape, SelectionAndClamping) {
  Tensor x = nnc::randn({4, 5}), y = nnc::randn({5});
  Tensor positive = nnc::rand({4, 5}) + 0.5f;
  expectVjpMatchesTape("abs", unary([](auto &t) { return t.abs(); }), {x});
  expectVjpMatchesTape("clamp",
                       unary([](auto &t) { return t.clamp(-0.5, 0.5); }), {x});
  expectVjpMatchesTape(
      "where", binary([](auto &a, auto &b) { return nnc::where(a > b, a, b); }),
      {x, y});
  expectVjpMatchesTape("masked_fill",
                       unary([](auto &t) { return t.masked_fill(t < 0, 2.0); }),
                       {x});
  expectVjpMatchesTape("pow tensor",
                       binary([](auto &a, auto &b) { return a.pow(b); }),
                       {positive, y});
}

TEST_F(VjpVsTape, SlicesJoinsAndGathers) {
  Tensor x = nnc::randn({4, 6}), y = nnc::randn({4, 2});
  Tensor rows = nnc::tensor(std::vector<int64_t>{3, 0, 3});
  Tensor index =
      nnc::tensor(std::vector<int64_t>{0, 5, 5, 1, 2, 2, 4, 0}, {4, 2});
  expectVjpMatchesTape("slice",
                       unary([](auto &t) { return t.slice(1, 1, 6, 2); }), {x});
  expectVjpMatchesTape("select", unary([](auto &t) { return t.select(0, 2); }),
                       {x});
  expectVjpMatchesTape("cat", binary([](auto &a, auto &b) {
                         return nnc::cat({b, a, b}, 1);
                       }),
                       {x, y});
  expectVjpMatchesTape(
      "index_select",
      binary([](auto &t, auto &i) { return t.index_select(0, i); }), {x, rows});
  expectVjpMatchesTape("gather",
                       binary([](auto &t, auto &i) { return t.gather(1, i); }),
                       {x, index});
  expectVjpMatchesTape("scatter_add",
                       [](const std::vector<Tensor> &in) {
                         return in[0].scatter_add(1, in[1], in[2]);
                       },
                       {x, index, y});
}

TEST_F(VjpVsTape, MoreReductionsAndMatMulOfVectors) {
  Tensor x = nnc::randn({3, 5});
  Tensor positive = nnc::rand({3, 5}) + 0.5f;
  Tensor v = nnc::randn({5});
  for (bool keepdim : {false, true}) {
    expectVjpMatchesTape(
        "amin", unary([=](auto &t) { return t.amin({1}, keepdim); }), {x});
    expectVjpMatchesTape(
        "max(dim)",
        unary([=](auto &t) { return std::get<0>(t.max(0, keepdim)); }), {x});
    expectVjpMatchesTape(
        "prod", unary([=](auto &t) { return t.prod(1, keepdim); }), {positive});
    expectVjpMatchesTape(
        "logsumexp", unary([=](auto &t) { return t.logsumexp({1}, keepdim); }),
        {x});
    expectVjpMatchesTape(
        "var", unary([=](auto &t) { return t.var({1}, true, keepdim); }), {x});
    expectVjpMatchesTape(
        "std", unary([=](auto &t) { return t.std({0}, false, keepdim); }), {x});
  }
  expectVjpMatchesTape("dot",
                       binary([](auto &a, auto &b) { return a.matmul(b); }),
                       {v, nnc::randn({5})});
  expectVjpMatchesTape("matrix-vector",
                       binary([](auto &a, auto &b) { return a.matmul(b); }),
                       {x, v});
  expectVjpMatchesTape("vector-matrix",
                       binary([](auto &a, auto &b) { return a.matmul(b); }),
                       {nnc::randn({3}), x});
}

} // namespace
