//===- test/unit/ModuleTest.cpp - nn::Module, holders, layers, losses -----===//
#include "EagerTestUtil.h"

#include "gmock/gmock.h"

#include <cmath>

using nnc::Tensor;
using nnc::testing::hasValues;
using nnc::testing::valuesOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
namespace nn = nnc::nn;

namespace {

struct NetImpl : nn::Module {
  NetImpl() : nn::Module("Net") {
    fc1 = register_module("fc1", nn::Linear(4, 3));
    fc2 =
        register_module("fc2", nn::Linear(nn::LinearOptions(3, 2).bias(false)));
    scale = register_buffer("scale", nnc::ones({1}));
  }
  Tensor forward(const Tensor &x) { return fc2(fc1(x).relu()) * scale; }
  nn::Linear fc1{nullptr}, fc2{nullptr};
  Tensor scale;
};
NNC_MODULE(Net);

} // namespace

TEST(Module, SequentialNamesParametersByPosition) {
  nn::Sequential model(nn::Linear(9, 16), nn::ReLU(), nn::Linear(16, 8),
                       nn::Tanh(), nn::Linear(8, 1));
  EXPECT_EQ(model->size(), 5u);
  EXPECT_EQ(model->parameters().size(), 6u);
  EXPECT_THAT(model->named_parameters().keys(),
              ElementsAre("0.weight", "0.bias", "2.weight", "2.bias",
                          "4.weight", "4.bias"));
  EXPECT_EQ(model->named_parameters()["2.weight"].sizes(),
            (nnc::IntList{8, 16}));
  EXPECT_EQ(model->children().size(), 5u);
  ASSERT_NE(model[0]->as<nn::Linear>(), nullptr);
  EXPECT_EQ(model[1]->as<nn::Linear>(), nullptr);
  EXPECT_EQ(model->at<nn::LinearImpl>(4).options.out_features(), 1);
  for (const Tensor &p : model->parameters())
    EXPECT_TRUE(p.requires_grad() && p.is_leaf());
  Tensor y = model(nnc::ones({5, 9}));
  EXPECT_EQ(y.sizes(), (nnc::IntList{5, 1}));
  EXPECT_THAT([&] { model->ptr(5); },
              ThrowsMessage<nnc::Error>(HasSubstr("out of range")));
}

TEST(Module, CustomModuleNamesChildrenParametersAndBuffers) {
  Net net;
  EXPECT_THAT(net->named_parameters().keys(),
              ElementsAre("fc1.weight", "fc1.bias", "fc2.weight"));
  EXPECT_EQ(net->parameters(/*recurse=*/false).size(), 0u);
  EXPECT_THAT(net->named_buffers().keys(), ElementsAre("scale"));
  EXPECT_FALSE(net->buffers()[0].requires_grad());
  EXPECT_THAT(net->named_children().keys(), ElementsAre("fc1", "fc2"));
  EXPECT_EQ(net(nnc::ones({2, 4})).sizes(), (nnc::IntList{2, 2}));
  EXPECT_THAT([&] { net->register_parameter("fc1", nnc::ones({1})); },
              ThrowsMessage<nnc::Error>(HasSubstr("already defined")));
  EXPECT_THAT([&] { net->register_buffer("a.b", nnc::ones({1})); },
              ThrowsMessage<nnc::Error>(HasSubstr("dot")));
}

TEST(Module, TrainAndEvalReachEveryDescendant) {
  Net net;
  EXPECT_TRUE(net->is_training());
  net->eval();
  EXPECT_FALSE(net->is_training());
  EXPECT_FALSE(net->fc1->is_training());
  net->train();
  EXPECT_TRUE(net->fc2->is_training());
  net->train(false);
  EXPECT_FALSE(net->fc2->is_training());
}

TEST(Module, ZeroGradResetsOrZeroes) {
  Net net;
  net(nnc::ones({2, 4})).sum().backward();
  for (const Tensor &p : net->parameters())
    EXPECT_TRUE(p.grad().defined());
  net->zero_grad(/*set_to_none=*/false);
  for (const Tensor &p : net->parameters()) {
    ASSERT_TRUE(p.grad().defined());
    for (float v : valuesOf(p.grad()))
      EXPECT_EQ(v, 0.0f);
  }
  net->zero_grad();
  for (const Tensor &p : net->parameters())
    EXPECT_FALSE(p.grad().defined());
}

TEST(Module, LinearInitIsPyTorchsRangeAndDeterministic) {
  nnc::manual_seed(42);
  nn::Linear a(100, 50);
  nnc::manual_seed(42);
  nn::Linear b(100, 50);
  EXPECT_EQ(valuesOf(a->weight), valuesOf(b->weight));
  EXPECT_EQ(valuesOf(a->bias), valuesOf(b->bias));
  float bound = 1.0f / std::sqrt(100.0f);
  float maxAbs = 0;
  for (const Tensor &p : {a->weight, a->bias})
    for (float v : valuesOf(p)) {
      EXPECT_LE(std::abs(v), bound);
      maxAbs = std::max(maxAbs, std::abs(v));
    }
  EXPECT_GT(maxAbs, 0.9f * bound); // fills the range, not a narrower one
  nn::Linear c(100, 50);
  EXPECT_NE(valuesOf(a->weight), valuesOf(c->weight));
  EXPECT_EQ(a->weight.sizes(), (nnc::IntList{50, 100}));
}

TEST(Module, LinearComputesXWtPlusB) {
  nn::Linear fc(2, 2);
  {
    nnc::NoGradGuard noGrad;
    fc->weight.copy_(nnc::tensor({1, 2, 3, 4}, {2, 2}));
    fc->bias.copy_(nnc::tensor({10, 20}));
  }
  EXPECT_TRUE(hasValues(fc(nnc::tensor({1, 1}, {1, 2})), {1, 2}, {13, 27}));
  nn::Linear noBias(nn::LinearOptions(2, 3).bias(false));
  EXPECT_FALSE(noBias->bias.defined());
  EXPECT_EQ(noBias->parameters().size(), 1u);
  EXPECT_THAT(
      [&] {
        fc(nnc::ones({1, 3}));
      },
      ThrowsMessage<nnc::Error>(HasSubstr("last dim 2")));
}

TEST(Module, ActivationModules) {
  Tensor x = nnc::tensor({-1, 0, 2});
  EXPECT_TRUE(hasValues(nn::ReLU()(x), {3}, {0, 0, 2}));
  EXPECT_TRUE(
      hasValues(nn::Tanh()(x), {3}, {std::tanh(-1.0f), 0, std::tanh(2.0f)}));
  EXPECT_TRUE(
      hasValues(nn::Sigmoid()(x), {3},
                {1 / (1 + std::exp(1.0f)), 0.5f, 1 / (1 + std::exp(-2.0f))}));
  Tensor p = nn::Softmax(0)(x);
  EXPECT_NEAR(valuesOf(p)[0] + valuesOf(p)[1] + valuesOf(p)[2], 1.0, 1e-6);
  EXPECT_TRUE(hasValues(nn::LogSoftmax(0)(x).exp(), {3}, valuesOf(p), 1e-6));
}

TEST(Module, LossModules) {
  nn::CrossEntropyLoss ce;
  nn::MSELoss mse(nn::MSELossOptions().reduction("sum"));
  Tensor logits = nnc::tensor({0, 0}, {1, 2});
  EXPECT_TRUE(hasValues(ce(logits, nnc::tensor(std::vector<int64_t>{1})), {},
                        {std::log(2.0f)}));
  EXPECT_TRUE(
      hasValues(mse(nnc::tensor({1, 2}), nnc::tensor({0, 0})), {}, {5}));
  EXPECT_THAT([] { nn::MSELoss(nn::MSELossOptions().reduction("avg")); },
              ThrowsMessage<nnc::Error>(HasSubstr("avg is not a valid value")));
}

TEST(Module, EmptyHolderThrows) {
  nn::Linear empty{nullptr};
  EXPECT_TRUE(empty.is_empty());
  EXPECT_THAT([&] { empty->forward(nnc::ones({1})); },
              ThrowsMessage<nnc::Error>(HasSubstr("empty ModuleHolder")));
}
