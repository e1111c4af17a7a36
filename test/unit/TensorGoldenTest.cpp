//===- test/unit/TensorGoldenTest.cpp - Tensor ops against PyTorch --------===//
//
// test/golden/tensor/ops.safetensors (scripts/golden/make_tensor_goldens.py)
// holds inputs and PyTorch 1.13's results of the tensor ops; each case here
// recomputes them in nnc and compares dtype, shape and values (exact for
// integers and bools, PyTorch's assert_close tolerances per floating
// dtype), and compares printed text with PyTorch's str().
//
//===----------------------------------------------------------------------===//
#include "EagerTestUtil.h"

#include "frontend/serialize/Safetensors.h"

#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <sstream>

using nnc::Tensor;

namespace {

using Golden = std::map<std::string, Tensor>;
using Input = std::function<Tensor(const char *role)>;
using Case = std::function<std::vector<Tensor>(const Input &in)>;

const Golden &golden() {
  static const Golden tensors = nnc::safetensors::load_file(
      std::string(NNC_TENSOR_GOLDEN_DIR) + "/ops.safetensors");
  return tensors;
}

/// PyTorch's assert_close defaults per dtype (rtol, atol).
std::pair<double, double> tolerances(nnc::ScalarType type) {
  switch (type) {
  case nnc::ScalarType::Float16:
    return {1e-3, 1e-5};
  case nnc::ScalarType::BFloat16:
    return {1.6e-2, 1e-5};
  case nnc::ScalarType::Float32:
    return {1.3e-6, 1e-5};
  case nnc::ScalarType::Float64:
    return {1e-7, 1e-7};
  default:
    return {0, 0};
  }
}

::testing::AssertionResult matches(const Tensor &actual,
                                   const Tensor &expected) {
  if (actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure()
           << "dtype " << actual.dtype() << ", expected " << expected.dtype();
  if (actual.sizes() != expected.sizes())
    return ::testing::AssertionFailure()
           << "shape " << nnc::shapeToString(actual.sizes()) << ", expected "
           << nnc::shapeToString(expected.sizes());
  auto [rtol, atol] = tolerances(expected.dtype());
  Tensor a = actual.to(nnc::kDouble).contiguous();
  Tensor e = expected.to(nnc::kDouble).contiguous();
  for (int64_t i = 0; i < a.numel(); ++i) {
    double x = a.data_ptr<double>()[i], y = e.data_ptr<double>()[i];
    bool same = (std::isnan(x) && std::isnan(y)) || x == y ||
                std::abs(x - y) <= atol + rtol * std::abs(y);
    if (!same)
      return ::testing::AssertionFailure()
             << "element " << i << ": " << x << ", expected " << y;
  }
  return ::testing::AssertionSuccess();
}

std::vector<Tensor> one(const Tensor &t) { return {t}; }

const std::map<std::string, Case> &cases() {
  static const std::map<std::string, Case> table = {
      {"add_int32_double0d", [](auto &in) { return one(in("a") + in("b")); }},
      {"div_long", [](auto &in) { return one(in("a") / in("b")); }},
      {"add_byte_int", [](auto &in) { return one(in("a") + in("b")); }},
      {"mul_half_float", [](auto &in) { return one(in("a") * in("b")); }},
      {"sub_bf16", [](auto &in) { return one(in("a") - in("b")); }},
      {"add_bool_long", [](auto &in) { return one(in("a") + in("b")); }},
      {"lt_long_float", [](auto &in) { return one(in("a") < in("b")); }},
      {"eq_int", [](auto &in) { return one(in("a") == in("b")); }},
      {"where",
       [](auto &in) { return one(nnc::where(in("a"), in("b"), in("c"))); }},
      {"clamp_float", [](auto &in) { return one(in("a").clamp(-0.5, 0.7)); }},
      {"clamp_long", [](auto &in) { return one(in("a").clamp(-2, 3)); }},
      {"abs_long", [](auto &in) { return one(in("a").abs()); }},
      {"sign_float", [](auto &in) { return one(in("a").sign()); }},
      {"pow_tensor", [](auto &in) { return one(in("a").pow(in("b"))); }},
      {"pow_long", [](auto &in) { return one(in("a").pow(3)); }},
      {"add_half", [](auto &in) { return one(in("a") + in("b")); }},
      {"exp_bf16", [](auto &in) { return one(in("a").exp()); }},
      {"sigmoid_double", [](auto &in) { return one(in("a").sigmoid()); }},
      {"log_double", [](auto &in) { return one(in("a").log()); }},
      {"tanh_float", [](auto &in) { return one(in("a").tanh()); }},
      {"softmax_double", [](auto &in) { return one(in("a").softmax(1)); }},
      {"log_softmax_float",
       [](auto &in) { return one(in("a").log_softmax(0)); }},
      {"to_half", [](auto &in) { return one(in("a").to(nnc::kHalf)); }},
      {"to_bf16", [](auto &in) { return one(in("a").to(nnc::kBFloat16)); }},
      {"to_int", [](auto &in) { return one(in("a").to(nnc::kInt)); }},
      {"to_byte", [](auto &in) { return one(in("a").to(nnc::kByte)); }},
      {"to_bool", [](auto &in) { return one(in("a").to(nnc::kBool)); }},
      {"sum_half_dim", [](auto &in) { return one(in("a").sum({1})); }},
      {"mean_bf16", [](auto &in) { return one(in("a").mean()); }},
      {"sum_int", [](auto &in) { return one(in("a").sum()); }},
      {"prod_double_dim", [](auto &in) { return one(in("a").prod(0)); }},
      {"prod_long", [](auto &in) { return one(in("a").prod()); }},
      {"var_float_dim", [](auto &in) { return one(in("a").var({1})); }},
      {"std_double", [](auto &in) { return one(in("a").std()); }},
      {"logsumexp_float", [](auto &in) { return one(in("a").logsumexp({1})); }},
      {"max_dim",
       [](auto &in) {
         auto [values, indices] = in("a").max(1);
         return std::vector<Tensor>{values, indices};
       }},
      {"min_long_keepdim",
       [](auto &in) {
         auto [values, indices] = in("a").min(0, true);
         return std::vector<Tensor>{values, indices};
       }},
      {"argmax_double", [](auto &in) { return one(in("a").argmax()); }},
      {"argmin_dim", [](auto &in) { return one(in("a").argmin(0)); }},
      {"any_dim", [](auto &in) { return one(in("a").any(1)); }},
      {"all_dim", [](auto &in) { return one(in("a").all(0)); }},
      {"amin_dim", [](auto &in) { return one(in("a").amin({1})); }},
      {"index_select",
       [](auto &in) { return one(in("a").index_select(1, in("b"))); }},
      {"index_tensor", [](auto &in) { return one(in("a")[in("b")]); }},
      {"gather", [](auto &in) { return one(in("a").gather(1, in("b"))); }},
      {"scatter_add",
       [](auto &in) { return one(in("a").scatter_add(0, in("b"), in("c"))); }},
      {"masked_select",
       [](auto &in) { return one(in("a").masked_select(in("b"))); }},
      {"masked_fill",
       [](auto &in) { return one(in("a").masked_fill(in("b"), 7)); }},
      {"cat_mixed",
       [](auto &in) {
         return one(nnc::cat({in("a"), in("b"), in("c")}, 1));
       }},
      {"stack",
       [](auto &in) {
         return one(nnc::stack({in("a"), in("b")}, 1));
       }},
      {"matmul_vector_matrix",
       [](auto &in) { return one(in("a").matmul(in("b"))); }},
      {"matmul_batched_broadcast",
       [](auto &in) { return one(in("a").matmul(in("b"))); }},
      {"matmul_matrix_vector",
       [](auto &in) { return one(in("a").matmul(in("b"))); }},
      {"bmm", [](auto &in) { return one(in("a").bmm(in("b"))); }},
      {"linspace", [](auto &) { return one(nnc::linspace(-1, 2, 7)); }},
      {"arange_float", [](auto &) { return one(nnc::arange(0.5, 3, 0.4)); }},
  };
  return table;
}

} // namespace

TEST(TensorGolden, OpsMatchPyTorch) {
  const Golden &g = golden();
  for (const auto &[name, run] : cases()) {
    SCOPED_TRACE(name);
    Input in = [&, name = name](const char *role) {
      auto it = g.find(name + "." + role);
      if (it == g.end())
        throw nnc::Error("golden file has no " + name + "." + role);
      return it->second;
    };
    std::vector<Tensor> outputs = run(in);
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string key = name + ".out" + (i ? std::to_string(i) : "");
      ASSERT_TRUE(g.count(key)) << key;
      EXPECT_TRUE(matches(outputs[i], g.at(key))) << key;
    }
  }
}

TEST(TensorGolden, EveryGoldenCaseIsChecked) {
  std::set<std::string> checked;
  for (const auto &entry : cases())
    checked.insert(entry.first);
  for (const auto &entry : golden()) {
    const std::string &key = entry.first;
    if (key.rfind("print.", 0) == 0 || key.size() < 4 ||
        key.compare(key.size() - 4, 4, ".out") != 0)
      continue;
    EXPECT_TRUE(checked.count(key.substr(0, key.size() - 4))) << key;
  }
}

TEST(TensorGolden, PrintingMatchesPyTorch) {
  int printedCases = 0;
  for (const auto &[key, text] : golden()) {
    if (key.rfind("print.", 0) != 0 || key.size() < 5 ||
        key.compare(key.size() - 5, 5, ".text") != 0)
      continue;
    std::string name = key.substr(0, key.size() - 5);
    SCOPED_TRACE(name);
    const uint8_t *bytes = text.data_ptr<uint8_t>();
    std::string expected(bytes, bytes + text.numel());
    std::ostringstream os;
    os << golden().at(name + ".a");
    EXPECT_EQ(os.str(), expected);
    ++printedCases;
  }
  EXPECT_GE(printedCases, 9);
}
