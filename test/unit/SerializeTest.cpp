//===- test/unit/SerializeTest.cpp - safetensors, state_dicts, save/load --===//
//
// Files written by PyTorch (test/golden/serialize/, made by
// scripts/golden/make_serialize_goldens.py) are read back and rewritten
// byte for byte; module and optimizer state_dicts round-trip and match
// PyTorch's; malformed files give errors that say what and where.
// SafetensorsInterop writes the files scripts/check_safetensors_interop.py
// reads with PyTorch.
//
//===----------------------------------------------------------------------===//
#include "AllClose.h"
#include "EagerTestUtil.h"

#include "gmock/gmock.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <unistd.h>

using nnc::Tensor;
using nnc::testing::allClose;
using nnc::testing::hasValues;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
namespace nn = nnc::nn;
namespace optim = nnc::optim;
namespace safetensors = nnc::safetensors;

namespace {

std::string golden(const std::string &name) {
  return std::string(NNC_SERIALIZE_GOLDEN_DIR) + "/" + name;
}

/// A file name in the test temp dir, distinct per process.
std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "nnc_serialize_" + std::to_string(getpid()) +
         "_" + name;
}

std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// A safetensors file: the size prefix, `header` and `dataBytes` zeros.
std::string fileWithHeader(const std::string &header, size_t dataBytes) {
  std::string bytes;
  for (int i = 0; i < 8; ++i)
    bytes += char((uint64_t(header.size()) >> (8 * i)) & 0xff);
  return bytes + header + std::string(dataBytes, '\0');
}

std::vector<int64_t> int64Values(const Tensor &t) {
  const int64_t *data = t.data_ptr<int64_t>();
  return {data, data + t.numel()};
}

/// The module PyTorch's goldens come from.
nn::Sequential mlp() {
  return nn::Sequential(nn::Linear(4, 3), nn::ReLU(), nn::Linear(3, 2));
}

optim::AdamOptions goldenAdamOptions() {
  return optim::AdamOptions(0.01)
      .betas({0.9, 0.99})
      .eps(1e-6)
      .weight_decay(0.01);
}

void trainStep(nn::Sequential &model, optim::Optimizer &optimizer,
               const Tensor &x, const Tensor &y) {
  optimizer.zero_grad();
  (model->forward(x) - y).pow(2).mean().backward();
  optimizer.step();
}

/// Every entry of `actual` is close to `expected[prefix + name]`.
void expectCloseTo(const nnc::OrderedDict<std::string, Tensor> &actual,
                   const std::map<std::string, Tensor> &expected,
                   const std::string &prefix = "") {
  for (const auto &item : actual) {
    SCOPED_TRACE(item.key());
    auto it = expected.find(prefix + item.key());
    ASSERT_NE(it, expected.end());
    EXPECT_TRUE(allClose(item.value(), it->second, 1e-5, 1e-6));
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// safetensors files
//===----------------------------------------------------------------------===//

TEST(Safetensors, LoadsFileWrittenByPyTorch) {
  safetensors::Contents file =
      safetensors::load_file_with_metadata(golden("mixed.safetensors"));
  EXPECT_EQ(file.metadata, (safetensors::Metadata{{"note", "nnc golden"}}));
  ASSERT_EQ(file.tensors.size(), 5u);
  const Tensor &matrix = file.tensors.at("b.matrix");
  EXPECT_EQ(matrix.dtype(), nnc::kFloat32);
  EXPECT_TRUE(hasValues(matrix, {2, 3}, {-1, -0.5, 0, 0.5, 1, 1.5}, 0));
  const Tensor &labels = file.tensors.at("a.labels");
  EXPECT_EQ(labels.dtype(), nnc::kInt64);
  EXPECT_EQ(labels.sizes(), (nnc::IntList{3}));
  EXPECT_THAT(int64Values(labels), ElementsAre(-3, 0, int64_t(1) << 40));
  EXPECT_THAT(int64Values(file.tensors.at("A.upper")), ElementsAre(7));
  EXPECT_TRUE(hasValues(file.tensors.at("scalar"), {}, {2.5f}, 0));
  EXPECT_EQ(file.tensors.at("empty").sizes(), (nnc::IntList{0, 4}));
  EXPECT_FALSE(matrix.requires_grad());
}

TEST(Safetensors, LoadsEveryDtypeNncHas) {
  std::string bytes = readBytes(golden("dtypes.safetensors"));
  std::map<std::string, Tensor> tensors = safetensors::load(bytes);
  const std::map<std::string, std::pair<nnc::ScalarType, std::vector<double>>>
      expected{{"f32", {nnc::kFloat32, {0, 1, -2.5, 3}}},
               {"f64", {nnc::kFloat64, {0, 1, -2.5, 3}}},
               {"f16", {nnc::kFloat16, {0, 1, -2.5, 3}}},
               {"bf16", {nnc::kBFloat16, {0, 1, -2.5, 3}}},
               {"i64", {nnc::kInt64, {0, 1, -2, 3}}},
               {"i32", {nnc::kInt32, {0, 1, -2, 3}}},
               {"u8", {nnc::kUInt8, {0, 1, 254, 3}}},
               {"bool", {nnc::kBool, {0, 1, 1, 0}}}};
  ASSERT_EQ(tensors.size(), expected.size());
  for (const auto &[name, dtypeAndValues] : expected) {
    SCOPED_TRACE(name);
    const Tensor &t = tensors.at(name);
    EXPECT_EQ(t.dtype(), dtypeAndValues.first);
    Tensor asDouble = t.to(nnc::kFloat64);
    const double *data = asDouble.data_ptr<double>();
    EXPECT_EQ(std::vector<double>(data, data + t.numel()),
              dtypeAndValues.second);
  }
  EXPECT_EQ(safetensors::save(tensors), bytes);
}

TEST(Safetensors, RewritesPyTorchFileByteForByte) {
  // Same tensor order (dtype, largest first, then name), same compact JSON,
  // same space padding.
  std::string bytes = readBytes(golden("mixed.safetensors"));
  safetensors::Contents file = safetensors::load_with_metadata(bytes);
  EXPECT_EQ(safetensors::save(file.tensors, file.metadata), bytes);

  std::string mlpBytes = readBytes(golden("mlp.safetensors"));
  EXPECT_EQ(safetensors::save(safetensors::load(mlpBytes), {{"format", "pt"}}),
            mlpBytes);
}

TEST(Safetensors, LoadsPyTorchStateDictValues) {
  // mlp_expected.json holds the values as JSON numbers: a reading of the
  // file that does not go through the loader under test.
  std::ifstream in(golden("mlp_expected.json"));
  nlohmann::json expected = nlohmann::json::parse(in);
  std::map<std::string, Tensor> tensors =
      safetensors::load_file(golden("mlp.safetensors"));
  ASSERT_EQ(tensors.size(), expected.size());
  for (const auto &[name, entry] : expected.items()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(tensors.count(name));
    EXPECT_TRUE(hasValues(tensors.at(name), entry["shape"].get<nnc::IntList>(),
                          entry["values"].get<std::vector<float>>(), 0));
  }
}

TEST(Safetensors, RoundTripsThroughFileAndBytes) {
  Tensor base = nnc::tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  std::map<std::string, Tensor> tensors{
      {"transposed", base.t()},
      {"labels", nnc::tensor(std::vector<int64_t>{5, -1})},
      {"scalar", nnc::scalar_tensor(-0.25f)},
      {"empty", nnc::zeros({3, 0})}};
  std::string path = tempPath("roundtrip.safetensors");
  safetensors::save_file(tensors, path, {{"k", "v"}});
  safetensors::Contents file = safetensors::load_file_with_metadata(path);
  std::remove(path.c_str());
  EXPECT_EQ(file.metadata, (safetensors::Metadata{{"k", "v"}}));
  // The non-contiguous view is stored in its logical (row-major) order.
  EXPECT_TRUE(
      hasValues(file.tensors.at("transposed"), {3, 2}, {1, 4, 2, 5, 3, 6}, 0));
  EXPECT_TRUE(file.tensors.at("transposed").is_contiguous());
  EXPECT_THAT(int64Values(file.tensors.at("labels")), ElementsAre(5, -1));
  EXPECT_TRUE(hasValues(file.tensors.at("scalar"), {}, {-0.25f}, 0));
  EXPECT_EQ(file.tensors.at("empty").sizes(), (nnc::IntList{3, 0}));

  // Loaded tensors own their memory: changing one leaves the source alone.
  std::string bytes = safetensors::save(tensors);
  Tensor loaded = safetensors::load(bytes).at("labels");
  loaded.data_ptr<int64_t>()[0] = 9;
  EXPECT_EQ(safetensors::load(bytes).at("labels").data_ptr<int64_t>()[0], 5);
}

TEST(Safetensors, OrdersTensorsByDtypeThenNameAndPadsHeader) {
  nnc::OrderedDict<std::string, Tensor> tensors;
  tensors.insert("b", nnc::zeros({1}));
  tensors.insert("a", nnc::zeros({1}));
  tensors.insert("z", nnc::tensor(std::vector<int64_t>{1}));
  std::string bytes = safetensors::save(tensors);
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = headerSize << 8 | uint8_t(bytes[i]);
  EXPECT_EQ(headerSize % 8, 0u);
  EXPECT_EQ(bytes.size(), 8 + headerSize + 8 + 4 + 4);
  // Byte for byte what safetensors.torch.save writes for the same dict.
  EXPECT_EQ(bytes.substr(8, headerSize),
            "{\"z\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
            "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
            "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]"
            "}}     ");
}

TEST(Safetensors, MalformedFilesSayWhatAndWhere) {
  auto loadError = [](const std::string &message) {
    return ThrowsMessage<nnc::Error>(HasSubstr(message));
  };
  auto load = [](const std::string &bytes) {
    return [bytes] { safetensors::load(bytes, "model.safetensors"); };
  };
  const std::string f32x2 = R"({"dtype":"F32","shape":[2],"data_offsets":)";

  EXPECT_THAT(load("abc"), loadError("model.safetensors: file is 3 bytes, too "
                                     "short for the 8-byte header size"));
  std::string tooLong = fileWithHeader("{}", 0);
  tooLong[0] = char(200);
  EXPECT_THAT(load(tooLong),
              loadError("model.safetensors: header size 200 (file bytes 0-7) "
                        "is larger than the 2 bytes that follow it"));
  EXPECT_THAT(load(fileWithHeader(R"({"a": {"dtype": "F32",)", 0)),
              loadError("model.safetensors: header is not valid JSON (file "
                        "byte 30): parse error at line 1, column 23"));
  EXPECT_THAT(load(fileWithHeader("[1, 2]", 0)),
              loadError("model.safetensors: header must be a JSON object, "
                        "got a JSON array"));
  EXPECT_THAT(load(fileWithHeader(R"({"a":{"dtype":"Q7","shape":[2],)"
                                  R"("data_offsets":[0,8]}})",
                                  8)),
              loadError("model.safetensors: tensor 'a': unknown dtype 'Q7'"));
  EXPECT_THAT(load(fileWithHeader(R"({"a":{"dtype":"F8_E4M3","shape":[2],)"
                                  R"("data_offsets":[0,2]}})",
                                  2)),
              loadError("model.safetensors: tensor 'a': dtype F8_E4M3 is not "
                        "supported by nnc (supported: F32,"));
  EXPECT_THAT(load(fileWithHeader(R"({"a":{"dtype":"F32","shape":[2,-1],)"
                                  R"("data_offsets":[0,8]}})",
                                  8)),
              loadError("tensor 'a': 'shape' must be a list of non-negative "
                        "integers, got [2,-1]"));
  EXPECT_THAT(load(fileWithHeader(R"({"a":{"dtype":"F32","shape":[2]}})", 8)),
              loadError("model.safetensors: tensor 'a': missing "
                        "'data_offsets'"));
  EXPECT_THAT(
      load(fileWithHeader(R"({"fc1.weight":{"dtype":"F32","shape":[16,9],)"
                          R"("data_offsets":[0,100]}})",
                          100)),
      loadError("model.safetensors: tensor 'fc1.weight': data_offsets [0, "
                "100] hold 100 bytes but shape [16, 9] of F32 needs 576"));
  EXPECT_THAT(load(fileWithHeader(R"({"a":)" + f32x2 + "[8,16]}}", 8)),
              loadError("model.safetensors: tensor 'a': data_offsets [8, 16] "
                        "end past the 8-byte data buffer"));
  EXPECT_THAT(
      load(fileWithHeader(
          R"({"a":)" + f32x2 + R"([0,8]},"b":)" + f32x2 + "[4,12]}}", 12)),
      loadError("model.safetensors: tensor 'b': data_offsets [4, 12] "
                "overlap those of tensor 'a' [0, 8]"));
  EXPECT_THAT(
      load(fileWithHeader(
          R"({"a":)" + f32x2 + R"([0,8]},"b":)" + f32x2 + "[12,20]}}", 20)),
      loadError("model.safetensors: bytes [8, 12) of the data buffer "
                "belong to no tensor"));
  EXPECT_THAT(load(fileWithHeader(R"({"a":)" + f32x2 + "[0,8]}}", 12)),
              loadError("model.safetensors: the data buffer is 12 bytes but "
                        "the tensors cover only 8"));
  EXPECT_THAT(
      load(fileWithHeader(
          R"({"a":)" + f32x2 + R"([0,8]},"a":)" + f32x2 + "[0,8]}}", 8)),
      loadError("model.safetensors: duplicate key 'a' in the header"));
  EXPECT_THAT(load(fileWithHeader(R"({"__metadata__":{"n":1}})", 0)),
              loadError("model.safetensors: '__metadata__' entry 'n' must be "
                        "a string, got a JSON number"));
}

TEST(Safetensors, FileErrorsNameTheFile) {
  EXPECT_THAT([] { safetensors::load_file("/nonexistent/w.safetensors"); },
              ThrowsMessage<nnc::Error>(
                  HasSubstr("/nonexistent/w.safetensors: cannot open (No "
                            "such file or directory)")));

  std::string bytes = readBytes(golden("mlp.safetensors"));
  std::string path = tempPath("truncated.safetensors");
  writeBytes(path, bytes.substr(0, bytes.size() - 4));
  EXPECT_THAT([&] { safetensors::load_file(path); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  path + ": tensor '2.weight': data_offsets [68, 92] end past "
                         "the 88-byte data buffer")));
  std::remove(path.c_str());

  EXPECT_THAT(
      [] {
        safetensors::save_file({{"w", nnc::zeros({1})}},
                               "/nonexistent/out.safetensors");
      },
      ThrowsMessage<nnc::Error>(HasSubstr("/nonexistent/out.safetensors: "
                                          "cannot open for writing")));
  EXPECT_THAT(
      [] {
        safetensors::save({{"w", Tensor()}});
      },
      ThrowsMessage<nnc::Error>(
          HasSubstr("safetensors save: tensor 'w' is undefined")));
}

//===----------------------------------------------------------------------===//
// Module state_dict
//===----------------------------------------------------------------------===//

namespace {

struct NetImpl : nn::Module {
  NetImpl() : nn::Module("Net") {
    scale = register_buffer("scale", nnc::ones({1}));
    fc1 = register_module("fc1", nn::Linear(4, 3));
    fc2 =
        register_module("fc2", nn::Linear(nn::LinearOptions(3, 2).bias(false)));
  }
  Tensor forward(const Tensor &x) { return fc2(fc1(x).relu()) * scale; }
  nn::Linear fc1{nullptr}, fc2{nullptr};
  Tensor scale;
};
NNC_MODULE(Net);

} // namespace

TEST(ModuleStateDict, HasPyTorchNamesAndOrder) {
  Net net;
  auto state = net->state_dict();
  // PyTorch's order: a module's parameters, its buffers, then children.
  EXPECT_THAT(state.keys(),
              ElementsAre("scale", "fc1.weight", "fc1.bias", "fc2.weight"));
  EXPECT_FALSE(state["fc1.weight"].requires_grad());
  EXPECT_TRUE(state["fc1.weight"].is_same_storage(net->fc1->weight));
  EXPECT_THAT(mlp()->state_dict().keys(),
              ElementsAre("0.weight", "0.bias", "2.weight", "2.bias"));
}

TEST(ModuleStateDict, LoadCopiesInPlace) {
  nnc::manual_seed(1);
  Net source, target;
  source->scale.fill_(3);
  Tensor weight = target->fc1->weight;
  const nnc::TensorImpl *impl = weight.unsafeGetTensorImpl();
  nn::IncompatibleKeys keys = target->load_state_dict(source->state_dict());
  EXPECT_TRUE(keys.missing_keys.empty());
  EXPECT_TRUE(keys.unexpected_keys.empty());
  // Same tensors, new values: holders of the old handles see them.
  EXPECT_EQ(target->fc1->weight.unsafeGetTensorImpl(), impl);
  EXPECT_TRUE(target->fc1->weight.requires_grad());
  EXPECT_TRUE(allClose(weight, source->fc1->weight, 0, 0));
  EXPECT_TRUE(allClose(target->scale, nnc::full({1}, 3.0f), 0, 0));
  Tensor x = nnc::randn({2, 4});
  EXPECT_TRUE(allClose(target->forward(x), source->forward(x), 0, 0));
}

TEST(ModuleStateDict, LoadConvertsDtypesLikePyTorch) {
  Net net;
  std::map<std::string, Tensor> doubles{
      {"scale", nnc::full({1}, 0.5f).to(nnc::kFloat64)}};
  net->load_state_dict(doubles, /*strict=*/false);
  EXPECT_EQ(net->scale.dtype(), nnc::kFloat32);
  EXPECT_TRUE(hasValues(net->scale, {1}, {0.5f}, 0));
}

TEST(ModuleStateDict, StrictLoadListsEveryProblemLikePyTorch) {
  Net net;
  auto state = net->state_dict();
  nnc::OrderedDict<std::string, Tensor> bad;
  bad.insert("scale", state["scale"]);
  bad.insert("fc1.weight", nnc::zeros({3, 5}));
  bad.insert("fc2.weight", state["fc2.weight"]);
  bad.insert("fc3.bias", nnc::zeros({2}));
  Tensor before = net->fc2->weight.clone();
  EXPECT_THAT(
      [&] { net->load_state_dict(bad); },
      ThrowsMessage<nnc::Error>(::testing::StrEq(
          "Error(s) in loading state_dict for Net:\n"
          "\tMissing key(s) in state_dict: \"fc1.bias\".\n"
          "\tUnexpected key(s) in state_dict: \"fc3.bias\".\n"
          "\tsize mismatch for fc1.weight: copying a param with shape [3, "
          "5] from checkpoint, the shape in current model is [3, 4].")));
  // Nothing was copied.
  EXPECT_TRUE(allClose(net->fc2->weight, before, 0, 0));
}

TEST(ModuleStateDict, NonStrictLoadReturnsKeysButRejectsShapes) {
  Net net;
  std::map<std::string, Tensor> partial{{"fc1.bias", nnc::full({3}, 2.0f)},
                                        {"extra", nnc::zeros({1})}};
  nn::IncompatibleKeys keys = net->load_state_dict(partial, /*strict=*/false);
  EXPECT_THAT(keys.missing_keys,
              ElementsAre("scale", "fc1.weight", "fc2.weight"));
  EXPECT_THAT(keys.unexpected_keys, ElementsAre("extra"));
  EXPECT_TRUE(hasValues(net->fc1->bias, {3}, {2, 2, 2}));

  partial["fc1.bias"] = nnc::zeros({4});
  EXPECT_THAT([&] { net->load_state_dict(partial, false); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "size mismatch for fc1.bias: copying a param with shape "
                  "[4] from checkpoint, the shape in current model is [3].")));
}

TEST(ModuleStateDict, SaveAndLoadFiles) {
  nn::Sequential model = mlp();
  nnc::load(model, golden("mlp.safetensors"));
  std::map<std::string, Tensor> torch =
      safetensors::load_file(golden("mlp.safetensors"));
  expectCloseTo(model->state_dict(), torch);

  std::string path = tempPath("mlp.safetensors");
  nnc::save(model, path);
  EXPECT_EQ(readBytes(path), readBytes(golden("mlp.safetensors")));
  nn::Sequential copy = mlp();
  nnc::load(copy, path);
  std::remove(path.c_str());
  expectCloseTo(copy->state_dict(), torch);
}

//===----------------------------------------------------------------------===//
// Optimizer state_dict
//===----------------------------------------------------------------------===//

TEST(OptimizerStateDict, AdamMatchesPyTorchAfterTwoSteps) {
  std::map<std::string, Tensor> data =
      safetensors::load_file(golden("adam_data.safetensors"));
  nn::Sequential model = mlp();
  nnc::load(model, golden("mlp.safetensors"));
  optim::Adam adam(model->parameters(), goldenAdamOptions());
  trainStep(model, adam, data.at("x"), data.at("y"));
  trainStep(model, adam, data.at("x"), data.at("y"));
  expectCloseTo(model->state_dict(), data, "step2.");

  safetensors::Contents torch =
      safetensors::load_file_with_metadata(golden("adam_step2.safetensors"));
  optim::OptimizerStateDict mine = adam.state_dict();
  EXPECT_EQ(mine.state.size(), torch.tensors.size());
  expectCloseTo(mine.state, torch.tensors);

  nlohmann::json myGroups = nlohmann::json::parse(mine.param_groups);
  nlohmann::json torchGroups =
      nlohmann::json::parse(torch.metadata.at("param_groups"));
  ASSERT_EQ(myGroups.size(), 1u);
  for (const char *key :
       {"lr", "betas", "eps", "weight_decay", "amsgrad", "params"})
    EXPECT_EQ(myGroups[0][key], torchGroups[0][key]) << key;
}

TEST(OptimizerStateDict, AdamContinuesFromPyTorchState) {
  // PyTorch's state after two steps, loaded into a fresh Adam whose options
  // differ: the saved hyper-parameters win, and the third step matches.
  std::map<std::string, Tensor> data =
      safetensors::load_file(golden("adam_data.safetensors"));
  nn::Sequential model = mlp();
  nnc::OrderedDict<std::string, Tensor> step2;
  for (const std::string &name : model->state_dict().keys())
    step2.insert(name, data.at("step2." + name));
  model->load_state_dict(step2);
  optim::Adam adam(model->parameters(), optim::AdamOptions(1.0));
  adam.init_state();
  std::vector<Tensor> stateBefore = adam.state_tensors();
  nnc::load(adam, golden("adam_step2.safetensors"));

  const auto &options =
      static_cast<const optim::AdamOptions &>(adam.param_groups()[0].options());
  EXPECT_EQ(options.lr(), 0.01);
  EXPECT_EQ(options.betas(), std::make_tuple(0.9, 0.99));
  EXPECT_EQ(options.eps(), 1e-6);
  EXPECT_EQ(options.weight_decay(), 0.01);
  // The state tensors were updated in place.
  std::vector<Tensor> stateAfter = adam.state_tensors();
  ASSERT_EQ(stateAfter.size(), stateBefore.size());
  for (size_t i = 0; i < stateAfter.size(); ++i)
    EXPECT_EQ(stateAfter[i].unsafeGetTensorImpl(),
              stateBefore[i].unsafeGetTensorImpl());

  trainStep(model, adam, data.at("x"), data.at("y"));
  expectCloseTo(model->state_dict(), data, "step3.");
}

TEST(OptimizerStateDict, SGDRoundTripsThroughAFile) {
  nnc::manual_seed(3);
  nn::Sequential model = mlp(), copy = mlp();
  copy->load_state_dict(model->state_dict());
  Tensor x = nnc::randn({5, 4}), y = nnc::randn({5, 2});
  auto options = optim::SGDOptions(0.1).momentum(0.9).dampening(0.1);
  optim::SGD sgd(model->parameters(), options);
  trainStep(model, sgd, x, y);
  trainStep(model, sgd, x, y);

  std::string path = tempPath("sgd.safetensors");
  nnc::save(sgd, path);
  copy->load_state_dict(model->state_dict());
  optim::SGD restored(copy->parameters(), optim::SGDOptions(0.5));
  nnc::load(restored, path);
  std::remove(path.c_str());
  EXPECT_THAT(restored.state_dict().state.keys(),
              ::testing::Contains("state.3.momentum_initialized"));
  EXPECT_EQ(restored.state_dict().param_groups, sgd.state_dict().param_groups);

  trainStep(model, sgd, x, y);
  trainStep(copy, restored, x, y);
  expectCloseTo(copy->state_dict(), [&] {
    std::map<std::string, Tensor> expected;
    for (const auto &item : model->state_dict())
      expected.emplace(item.key(), item.value());
    return expected;
  }());
}

TEST(OptimizerStateDict, MismatchesAreErrorsThatChangeNothing) {
  nn::Sequential model = mlp();
  optim::Adam adam(model->parameters(), goldenAdamOptions());
  adam.init_state();
  optim::OptimizerStateDict saved = adam.state_dict();

  optim::Adam small({model->parameters()[0]}, optim::AdamOptions(0.5));
  EXPECT_THAT([&] { small.load_state_dict(saved); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "optimizer load_state_dict: param_groups[0]: loaded state "
                  "dict contains a parameter group that doesn't match the "
                  "size of optimizer's group (4 parameters, not 1)")));

  auto expectError = [&](optim::OptimizerStateDict broken,
                         const std::string &message) {
    optim::Adam target(model->parameters(), optim::AdamOptions(0.5));
    EXPECT_THAT([&] { target.load_state_dict(broken); },
                ThrowsMessage<nnc::Error>(HasSubstr(message)));
    EXPECT_EQ(target.param_groups()[0].options().get_lr(), 0.5);
    EXPECT_EQ(target.state(target.parameters()[0]), nullptr);
  };
  optim::OptimizerStateDict missing;
  for (const auto &item : saved.state)
    if (item.key() != "state.2.exp_avg_sq")
      missing.state.insert(item.key(), item.value());
  missing.param_groups = saved.param_groups;
  expectError(missing, "optimizer load_state_dict: missing "
                       "'state.2.exp_avg_sq'");

  optim::OptimizerStateDict extra = saved;
  extra.state.insert("state.1.momentum_buffer", nnc::zeros({3}));
  expectError(extra, "unexpected key 'state.1.momentum_buffer'");
  optim::OptimizerStateDict badKey = saved;
  badKey.state.insert("exp_avg", nnc::zeros({3}));
  expectError(badKey, "unexpected key 'exp_avg' (expected state.<parameter "
                      "index>.<name>)");
  optim::OptimizerStateDict unknownIndex = saved;
  unknownIndex.state.insert("state.9.step", nnc::zeros({}));
  expectError(unknownIndex, "'state.9.step' is the state of parameter 9, "
                            "which no param group lists");

  optim::OptimizerStateDict wrongShape;
  for (const auto &item : saved.state)
    wrongShape.state.insert(item.key(), item.key() == "state.1.exp_avg"
                                            ? nnc::zeros({4})
                                            : item.value());
  wrongShape.param_groups = saved.param_groups;
  expectError(wrongShape, "size mismatch for state.1.exp_avg: copying a "
                          "tensor with shape [4] from checkpoint, the shape "
                          "in the optimizer is [3].");

  optim::OptimizerStateDict badGroups = saved;
  badGroups.param_groups = R"([{"lr": 0.1, "params": [0, 1, 2, 3]}])";
  expectError(badGroups, "param_groups[0]: missing 'betas'");
  badGroups.param_groups = "[{";
  expectError(badGroups, "param_groups is not valid JSON");

  EXPECT_THAT([&] { nnc::load(adam, golden("mlp.safetensors")); },
              ThrowsMessage<nnc::Error>(HasSubstr(
                  "mlp.safetensors: no 'param_groups' in the metadata")));
}

//===----------------------------------------------------------------------===//
// Files for PyTorch
//===----------------------------------------------------------------------===//

/// Writes what scripts/check_safetensors_interop.py reads with PyTorch into
/// $NNC_INTEROP_DIR (the temp dir when unset), and checks nnc reads it back.
TEST(SafetensorsInterop, WritesFilesForPyTorch) {
  const char *dir = std::getenv("NNC_INTEROP_DIR");
  auto path = [&](const std::string &name) {
    return dir ? std::string(dir) + "/" + name : tempPath(name);
  };

  std::map<std::string, Tensor> tensors{
      {"matrix", nnc::tensor({-0.5, -0.25, 0, 0.25, 0.5, 0.75}, {2, 3}).t()},
      {"labels", nnc::tensor(std::vector<int64_t>{-3, 0, int64_t(1) << 40})},
      {"scalar", nnc::scalar_tensor(2.5)},
      {"empty", nnc::zeros({0, 4})}};
  // [0, 1, -2.5, 3] in each dtype, unsigned ones without the sign (a
  // negative float to uint8 is undefined in C++).
  Tensor values = nnc::tensor({0, 1, -2.5, 3});
  Tensor unsignedValues = nnc::tensor({0, 1, 2.5, 3});
  for (nnc::ScalarType type : {nnc::kFloat64, nnc::kFloat16, nnc::kBFloat16,
                               nnc::kInt32, nnc::kUInt8, nnc::kBool})
    tensors.emplace(
        std::string("values_") + safetensors::dtypeName(type),
        (type == nnc::kUInt8 || type == nnc::kBool ? unsignedValues : values)
            .to(type));
  safetensors::save_file(tensors, path("nnc_tensors.safetensors"),
                         {{"writer", "nnc"}});

  // A model, its output, and Adam's state after two steps with the
  // parameters after two and three steps.
  nnc::manual_seed(7);
  nn::Sequential model = mlp();
  Tensor x = nnc::randn({5, 4}), y = nnc::randn({5, 2});
  nnc::save(model, path("nnc_mlp.safetensors"));
  std::map<std::string, Tensor> io{{"x", x}, {"y", y}};
  {
    nnc::NoGradGuard noGrad;
    io.emplace("out", model->forward(x));
  }
  optim::Adam adam(model->parameters(), goldenAdamOptions());
  trainStep(model, adam, x, y);
  trainStep(model, adam, x, y);
  for (const auto &item : model->state_dict())
    io.emplace("step2." + item.key(), item.value().clone());
  nnc::save(adam, path("nnc_adam_step2.safetensors"));
  trainStep(model, adam, x, y);
  for (const auto &item : model->state_dict())
    io.emplace("step3." + item.key(), item.value().clone());
  safetensors::save_file(io, path("nnc_io.safetensors"));

  safetensors::Contents back =
      safetensors::load_file_with_metadata(path("nnc_tensors.safetensors"));
  EXPECT_EQ(back.metadata.at("writer"), "nnc");
  EXPECT_TRUE(hasValues(back.tensors.at("matrix"), {3, 2},
                        {-0.5, 0.25, -0.25, 0.5, 0, 0.75}, 0));
  std::map<std::string, Tensor> ioBack =
      safetensors::load_file(path("nnc_io.safetensors"));
  EXPECT_TRUE(allClose(ioBack.at("out"), io.at("out"), 0, 0));
  if (!dir)
    for (const char *name :
         {"nnc_tensors", "nnc_mlp", "nnc_io", "nnc_adam_step2"})
      std::remove(path(std::string(name) + ".safetensors").c_str());
}
