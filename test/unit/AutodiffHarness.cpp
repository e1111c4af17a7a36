//===- test/unit/AutodiffHarness.cpp - checking compiled gradients --------===//
//
// See AutodiffHarness.h. Both functions are compiled from one module, so the
// forward function the differences are taken on is exactly the one whose
// gradient function is under test.
//
//===----------------------------------------------------------------------===//
#include "AutodiffHarness.h"

#include "codegen/JIT.h"
#include "ir/NNDialect.h"
#include "passes/Autodiff.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <functional>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace nnc::testing {

using runtime::ElementType;

//===----------------------------------------------------------------------===//
// HostTensor
//===----------------------------------------------------------------------===//

HostTensor HostTensor::ofF64(std::vector<int64_t> shape,
                             std::vector<double> values) {
  HostTensor tensor;
  tensor.shape = std::move(shape);
  tensor.type = ElementType::F64;
  tensor.f64 = std::move(values);
  if (static_cast<int64_t>(tensor.f64.size()) != tensor.numElements())
    throw std::invalid_argument("HostTensor: value count differs from shape");
  return tensor;
}

HostTensor HostTensor::ofI64(std::vector<int64_t> shape,
                             std::vector<int64_t> values) {
  HostTensor tensor;
  tensor.shape = std::move(shape);
  tensor.type = ElementType::I64;
  tensor.i64 = std::move(values);
  if (static_cast<int64_t>(tensor.i64.size()) != tensor.numElements())
    throw std::invalid_argument("HostTensor: value count differs from shape");
  return tensor;
}

HostTensor HostTensor::zeros(std::vector<int64_t> shape, ElementType type) {
  HostTensor tensor;
  tensor.shape = std::move(shape);
  tensor.type = type;
  if (type == ElementType::F64)
    tensor.f64.assign(tensor.numElements(), 0.0);
  else if (type == ElementType::I64)
    tensor.i64.assign(tensor.numElements(), 0);
  else
    throw std::invalid_argument("HostTensor holds only f64 or i64");
  return tensor;
}

int64_t HostTensor::numElements() const {
  return std::accumulate(shape.begin(), shape.end(), int64_t(1),
                         std::multiplies<int64_t>());
}

runtime::BufferView HostTensor::view() {
  runtime::BufferView view;
  view.data = type == ElementType::F64 ? static_cast<void *>(f64.data())
                                       : static_cast<void *>(i64.data());
  view.shape = shape;
  view.strides.assign(shape.size(), 1);
  for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d)
    view.strides[d] = view.strides[d + 1] * shape[d + 1];
  view.type = type;
  return view;
}

//===----------------------------------------------------------------------===//
// GradientChecker
//===----------------------------------------------------------------------===//

namespace {

runtime::Executable compileOrThrow(mlir::ModuleOp module,
                                   llvm::StringRef entry) {
  llvm::Expected<runtime::Executable> executable =
      nnc::jitCompile(module, entry);
  if (!executable)
    throw std::runtime_error("jitCompile(" + entry.str() +
                             ") failed: " + toString(executable.takeError()));
  return std::move(*executable);
}

} // namespace

GradientChecker::GradientChecker(llvm::StringRef source, llvm::StringRef entry)
    : context_(std::make_unique<mlir::MLIRContext>()) {
  context_->loadDialect<mlir::nn::NNDialect, mlir::func::FuncDialect>();
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(
      context_.get(), [&](mlir::Diagnostic &diagnostic) {
        llvm::raw_string_ostream(diagnostics)
            << diagnostic.getLocation() << ": " << diagnostic.str() << "\n";
        return mlir::success();
      });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, context_.get());
  if (!module)
    throw std::runtime_error("test input does not parse:\n" + diagnostics);
  auto forward = module->lookupSymbol<mlir::func::FuncOp>(entry);
  if (!forward)
    throw std::runtime_error("no function @" + entry.str());
  for (unsigned arg = 0; arg < forward.getNumArguments(); ++arg)
    if (forward.getArgAttr(arg, nnc::kRequiresGradAttrName))
      wrtArgs_.push_back(arg);

  mlir::FailureOr<mlir::func::FuncOp> gradient =
      nnc::buildGradientFunction(forward, wrtArgs_);
  if (failed(gradient))
    throw std::runtime_error("buildGradientFunction failed:\n" + diagnostics);
  llvm::raw_string_ostream(gradientIR_) << *gradient;

  forward_ =
      std::make_unique<runtime::Executable>(compileOrThrow(*module, entry));
  gradient_ = std::make_unique<runtime::Executable>(
      compileOrThrow(*module, gradient->getSymName()));
}

GradientChecker::~GradientChecker() = default;

std::vector<HostTensor>
GradientChecker::run(const runtime::Executable &executable,
                     const std::vector<HostTensor> &inputs) const {
  std::vector<HostTensor> inputCopies = inputs;
  std::vector<runtime::BufferView> inputViews;
  for (HostTensor &input : inputCopies)
    inputViews.push_back(input.view());
  std::vector<HostTensor> outputs;
  for (const runtime::ArgSpec &spec : executable.signature().outputs)
    outputs.push_back(HostTensor::zeros(spec.shape, spec.type));
  std::vector<runtime::BufferView> outputViews;
  for (HostTensor &output : outputs)
    outputViews.push_back(output.view());
  executable.run(inputViews, outputViews);
  return outputs;
}

std::vector<HostTensor>
GradientChecker::runForward(const std::vector<HostTensor> &inputs) const {
  return run(*forward_, inputs);
}

std::vector<HostTensor>
GradientChecker::runGradients(const std::vector<HostTensor> &inputs) const {
  std::vector<HostTensor> results = run(*gradient_, inputs);
  // The gradient function returns the forward results first.
  results.erase(results.begin(), results.end() - wrtArgs_.size());
  return results;
}

HostTensor
GradientChecker::finiteDifferences(const std::vector<HostTensor> &inputs,
                                   unsigned arg, double eps) const {
  std::vector<HostTensor> shifted = inputs;
  HostTensor result = HostTensor::zeros(inputs[arg].shape, ElementType::F64);
  auto loss = [&] { return runForward(shifted).front().f64.front(); };
  for (int64_t i = 0; i < result.numElements(); ++i) {
    double original = inputs[arg].f64[i];
    shifted[arg].f64[i] = original + eps;
    double above = loss();
    shifted[arg].f64[i] = original - eps;
    double below = loss();
    shifted[arg].f64[i] = original;
    result.f64[i] = (above - below) / (2 * eps);
  }
  return result;
}

std::vector<HostTensor> GradientChecker::makeInputs(double low, double high,
                                                    int64_t classes) const {
  std::vector<HostTensor> inputs;
  const runtime::Signature &signature = forward_->signature();
  for (size_t arg = 0; arg < signature.inputs.size(); ++arg) {
    HostTensor input = HostTensor::zeros(signature.inputs[arg].shape,
                                         signature.inputs[arg].type);
    int64_t count = input.numElements();
    for (int64_t i = 0; i < count; ++i) {
      // A low-discrepancy sequence: distinct, well spread values, so ties
      // (max) and kinks (relu at 0) are not hit by accident.
      double fraction = std::fmod(
          0.6180339887 * double(i + 1) + 0.3819660113 * double(arg), 1.0);
      if (input.type == ElementType::F64)
        input.f64[i] = low + (high - low) * fraction;
      else
        input.i64[i] = static_cast<int64_t>(fraction * double(classes));
    }
    inputs.push_back(std::move(input));
  }
  return inputs;
}

::testing::AssertionResult
gradientsMatchFiniteDifferences(const GradientChecker &checker,
                                const std::vector<HostTensor> &inputs,
                                const GradientTolerance &tolerance) {
  std::vector<HostTensor> gradients = checker.runGradients(inputs);
  std::ostringstream failures;
  int mismatches = 0;
  for (size_t k = 0; k < gradients.size(); ++k) {
    unsigned arg = checker.wrtArgs()[k];
    HostTensor expected = checker.finiteDifferences(inputs, arg, tolerance.eps);
    if (gradients[k].shape != expected.shape) {
      failures << "gradient of argument #" << arg << " has the wrong shape\n";
      ++mismatches;
      continue;
    }
    for (int64_t i = 0; i < expected.numElements(); ++i) {
      double actual = gradients[k].f64[i];
      double reference = expected.f64[i];
      double bound = tolerance.atol + tolerance.rtol * std::fabs(reference);
      if (std::fabs(actual - reference) <= bound)
        continue;
      if (++mismatches <= 8)
        failures << "argument #" << arg << " element " << i
                 << ": compiled gradient " << actual << ", central difference "
                 << reference << "\n";
    }
  }
  if (mismatches == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << mismatches << " gradient element(s) differ:\n"
         << failures.str() << "gradient function:\n"
         << checker.gradientIR();
}

} // namespace nnc::testing
