//===- test/unit/SavedGraphTest.cpp - interpreter, graphs on disk ---------===//
//
// The reference interpreter against eager (forward and generated backward
// graphs), traced graphs saved as .mlir + .safetensors and loaded back, run
// eagerly and compiled, and the errors for files that do not fit.
//
//===----------------------------------------------------------------------===//
#include "frontend/jit/Interpreter.h"
#include "frontend/nnc.h"
#include "passes/Autodiff.h"
#include "test/unit/AllClose.h"
#include "test/unit/InterpretTraced.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <cstdio>
#include <fstream>
#include <string>

using nnc::Tensor;
using nnc::testing::allClose;
using testing::HasSubstr;

namespace {

/// 784-128-10 classifier with log-softmax output, as the seeds' MLP.
nnc::nn::Sequential makeClassifier() {
  return nnc::nn::Sequential(nnc::nn::Linear(20, 16), nnc::nn::ReLU(),
                             nnc::nn::Linear(16, 5), nnc::nn::LogSoftmax(1));
}

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "nnc_saved_graph_" + name;
}

class SavedGraphTest : public ::testing::Test {
protected:
  void SetUp() override { nnc::manual_seed(7); }
};

TEST_F(SavedGraphTest, InterpreterMatchesEagerOnATracedForward) {
  auto model = makeClassifier();
  Tensor x = nnc::randn({8, 20});
  std::vector<Tensor> result = nnc::testing::interpretTraced(
      [&](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{model->forward(in[0])};
      },
      {x});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_TRUE(allClose(result[0], model->forward(x), 1.3e-6, 1e-6));
}

// The generated backward graph (nn-autodiff) holds the backward-only ops:
// relu_grad, cross_entropy_grad, broadcast_to. Interpreted, it must give
// the gradients eager autograd gives.
TEST_F(SavedGraphTest, InterpreterRunsGeneratedBackwardGraphs) {
  auto l1 = nnc::nn::Linear(6, 4), l2 = nnc::nn::Linear(4, 3);
  Tensor x = nnc::randn({5, 6});
  Tensor y = nnc::tensor(std::vector<int64_t>{0, 2, 1, 1, 0});
  auto loss = [&](const Tensor &input) {
    Tensor logits = l2->forward(l1->forward(input).relu());
    return nnc::nn::functional::cross_entropy(logits, y);
  };
  nnc::jit::TracedGraph graph = nnc::jit::trace(
      [&](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{loss(in[0])};
      },
      {x});
  auto forward = graph.module().lookupSymbol<mlir::func::FuncOp>(
      nnc::jit::TracedGraph::kEntryName);
  std::vector<unsigned> wrt; // the parameters, not the int64 target
  for (size_t c = 0; c < graph.captures().size(); ++c)
    if (graph.captures()[c].requires_grad())
      wrt.push_back(static_cast<unsigned>(1 + c));
  auto grad = nnc::buildGradientFunction(forward, wrt);
  ASSERT_TRUE(mlir::succeeded(grad));

  std::vector<Tensor> arguments{x};
  for (const Tensor &t : graph.captures())
    arguments.push_back(t);
  std::vector<Tensor> result = nnc::jit::interpret(*grad, arguments);

  Tensor eagerLoss = loss(x);
  eagerLoss.backward();
  ASSERT_EQ(result.size(), 1 + wrt.size());
  EXPECT_TRUE(allClose(result[0], eagerLoss, 1e-6, 1e-6));
  for (size_t k = 0; k < wrt.size(); ++k)
    EXPECT_TRUE(allClose(result[1 + k], graph.captures()[wrt[k] - 1].grad(),
                         1e-5, 1e-6))
        << "gradient of argument " << wrt[k];
}

// Convolution and pooling, forward and the generated backward graph
// (conv2d_backward_input/weight, max_pool2d_backward), against eager.
TEST_F(SavedGraphTest, InterpreterRunsConvolutionGraphsAndTheirGradients) {
  auto conv1 = nnc::nn::Conv2d(nnc::nn::Conv2dOptions(2, 4, 3).padding(1));
  auto conv2 =
      nnc::nn::Conv2d(nnc::nn::Conv2dOptions(4, 4, 3).stride(2).groups(2));
  Tensor x = nnc::randn({2, 2, 9, 9});
  Tensor y = nnc::tensor(std::vector<int64_t>{1, 3});
  auto loss = [&](const Tensor &input) {
    namespace F = nnc::nn::functional;
    Tensor h = F::max_pool2d(conv1->forward(input).relu(), 2, 1);
    // ceil_mode: partial windows, whose VJP reads a larger gradient.
    Tensor z = F::avg_pool2d(conv2->forward(h), 2, 2, 0, /*ceil_mode=*/true);
    return F::cross_entropy(z.flatten(1), y);
  };
  nnc::jit::TracedGraph graph = nnc::jit::trace(
      [&](const std::vector<Tensor> &in) {
        return std::vector<Tensor>{loss(in[0])};
      },
      {x});
  auto forward = graph.module().lookupSymbol<mlir::func::FuncOp>(
      nnc::jit::TracedGraph::kEntryName);
  std::vector<unsigned> wrt;
  for (size_t c = 0; c < graph.captures().size(); ++c)
    if (graph.captures()[c].requires_grad())
      wrt.push_back(static_cast<unsigned>(1 + c));
  wrt.push_back(0); // the input too: conv2d_backward_input of conv1
  auto grad = nnc::buildGradientFunction(forward, wrt);
  ASSERT_TRUE(mlir::succeeded(grad));
  std::string text;
  llvm::raw_string_ostream os(text);
  grad->print(os);
  EXPECT_THAT(text, HasSubstr("nn.conv2d_backward_input"));
  EXPECT_THAT(text, HasSubstr("nn.conv2d_backward_weight"));
  EXPECT_THAT(text, HasSubstr("nn.max_pool2d_backward"));

  std::vector<Tensor> arguments{x};
  for (const Tensor &t : graph.captures())
    arguments.push_back(t);
  std::vector<Tensor> result = nnc::jit::interpret(*grad, arguments);

  Tensor input = x.clone().requires_grad_();
  Tensor eagerLoss = loss(input);
  eagerLoss.backward();
  ASSERT_EQ(result.size(), 1 + wrt.size());
  EXPECT_TRUE(allClose(result[0], eagerLoss, 1e-6, 1e-6));
  for (size_t k = 0; k < wrt.size(); ++k) {
    const Tensor &expected =
        wrt[k] == 0 ? input.grad() : graph.captures()[wrt[k] - 1].grad();
    EXPECT_TRUE(allClose(result[1 + k], expected, 1e-5, 1e-6))
        << "gradient of argument " << wrt[k];
  }
}

TEST_F(SavedGraphTest, SavedGraphLoadsAndRunsEagerAndCompiled) {
  auto model = makeClassifier();
  Tensor x = nnc::randn({8, 20});
  std::string mlir = tempPath("mlp.mlir"), weights = tempPath("mlp.st");
  nnc::jit::save(model, x, mlir, weights);
  Tensor expected = model->forward(x);

  // The weights are a snapshot: changing the model afterwards does not
  // change the saved graph.
  {
    nnc::NoGradGuard noGrad;
    for (const Tensor &p : model->parameters())
      p.zero_();
  }

  std::ifstream text(mlir);
  std::string source((std::istreambuf_iterator<char>(text)),
                     std::istreambuf_iterator<char>());
  EXPECT_THAT(source, HasSubstr("nn.name = \"0.weight\""));
  EXPECT_THAT(source, HasSubstr("nn.name = \"input0\""));

  nnc::jit::SavedGraph graph = nnc::jit::SavedGraph::load(mlir, weights);
  EXPECT_EQ(graph.input_names(), std::vector<std::string>{"input0"});
  Tensor eager = graph.run({x}, nnc::jit::ExecutionMode::Eager)[0];
  Tensor compiled = graph.run({x}, nnc::jit::ExecutionMode::Compiled)[0];
  EXPECT_TRUE(allClose(eager, expected, 1.3e-6, 1e-6));
  EXPECT_TRUE(allClose(compiled, expected, 1e-5, 1e-5));
  std::remove(mlir.c_str());
  std::remove(weights.c_str());
}

void writeFile(const std::string &path, const std::string &text) {
  std::ofstream(path) << text;
}

TEST_F(SavedGraphTest, LoadingReportsWhatDoesNotFit) {
  std::string mlir = tempPath("bad.mlir"), weights = tempPath("bad.st");
  writeFile(mlir, R"mlir(
func.func @forward(%x: tensor<2x3xf32> {nn.name = "input0"},
                   %w: tensor<3x4xf32> {nn.name = "w"}) -> tensor<2x4xf32> {
  %y = nn.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32>
  return %y : tensor<2x4xf32>
}
)mlir");
  auto loadError = [&](const std::string &weightsPath) {
    try {
      nnc::jit::SavedGraph::load(mlir, weightsPath);
    } catch (const nnc::Error &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };

  nnc::safetensors::save_file({{"w", nnc::zeros({4, 3})}}, weights);
  EXPECT_THAT(loadError(weights),
              HasSubstr("tensor 'w' has shape [4, 3] but argument 1 of "
                        "@forward"));
  nnc::safetensors::save_file(
      {{"w", nnc::zeros({3, 4})}, {"extra", nnc::zeros({1})}}, weights);
  EXPECT_THAT(loadError(weights),
              HasSubstr("tensor(s) 'extra' are not arguments of @forward"));

  // Without the weight, `w` becomes a second input, which run() checks.
  nnc::jit::SavedGraph twoInputs = nnc::jit::SavedGraph::load(mlir);
  EXPECT_EQ(twoInputs.input_names(), (std::vector<std::string>{"input0", "w"}));
  EXPECT_THROW(twoInputs.run({nnc::zeros({2, 3})}), nnc::Error);

  writeFile(mlir, "func.func @forward(%x: tensor<2xf32>) {\n  nn.bogus\n}\n");
  std::string parse = loadError("");
  EXPECT_THAT(parse, HasSubstr("cannot load '" + mlir + "'"));
  EXPECT_THAT(parse, HasSubstr(mlir + ":2:"));
  std::remove(mlir.c_str());
  std::remove(weights.c_str());
}

TEST_F(SavedGraphTest, InterpreterChecksArgumentsAndNamesUnknownOps) {
  mlir::MLIRContext context;
  context.loadDialect<mlir::func::FuncDialect>();
  std::string path = tempPath("unknown.mlir");
  writeFile(path, R"mlir(
func.func @forward(%x: tensor<3xf32>) -> tensor<3xf32> {
  %c = func.constant @forward : (tensor<3xf32>) -> tensor<3xf32>
  %y = func.call_indirect %c(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}
)mlir");
  nnc::jit::SavedGraph graph = nnc::jit::SavedGraph::load(path);
  try {
    graph.run({nnc::zeros({3})}, nnc::jit::ExecutionMode::Eager);
    FAIL() << "expected an error";
  } catch (const nnc::Error &e) {
    EXPECT_THAT(e.what(), HasSubstr("'func.constant' at"));
    EXPECT_THAT(e.what(),
                HasSubstr("is not supported by the reference interpreter"));
  }
  try {
    graph.run({nnc::zeros({4})}, nnc::jit::ExecutionMode::Eager);
    FAIL() << "expected an error";
  } catch (const nnc::Error &e) {
    EXPECT_THAT(e.what(), HasSubstr("argument 0 should be tensor<3xf32> but "
                                    "is a Float tensor of shape [4]"));
  }
  std::remove(path.c_str());
}

} // namespace
