//===- test/unit/AutodiffHarness.h - compiled-gradient checks --*- C++ -*-===//
//
// Compiles an nn function and its gradient function (nnc::
// buildGradientFunction) with the CPU JIT and runs both on host buffers, so
// a test can compare the compiled gradients with central finite
// differences of the compiled forward function (here) or with the eager
// autograd tape (frontend tests): the checker only needs inputs.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_TEST_UNIT_AUTODIFFHARNESS_H
#define NNC_TEST_UNIT_AUTODIFFHARNESS_H

#include "runtime/Executable.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringRef.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nnc::testing {

/// A dense row-major host tensor of f64 values or (for class indices) i64
/// values.
struct HostTensor {
  std::vector<int64_t> shape;
  runtime::ElementType type = runtime::ElementType::F64;
  std::vector<double> f64;
  std::vector<int64_t> i64;

  static HostTensor ofF64(std::vector<int64_t> shape,
                          std::vector<double> values);
  static HostTensor ofI64(std::vector<int64_t> shape,
                          std::vector<int64_t> values);
  /// Zeros of `type` and `shape` (an output buffer).
  static HostTensor zeros(std::vector<int64_t> shape,
                          runtime::ElementType type);

  int64_t numElements() const;
  runtime::BufferView view();
};

/// Tolerances of a gradient comparison (DESIGN.md section 9: central
/// differences in f64 with eps 1e-6, atol 1e-5, rtol 1e-3).
struct GradientTolerance {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

/// An nn function `entry` (first result: a rank-0 f64 loss) compiled
/// together with its gradient with respect to the arguments marked
/// `nn.requires_grad`.
class GradientChecker {
public:
  /// Parses `source`, builds `<entry>_grad` and JIT-compiles both. Throws
  /// std::runtime_error with the compiler's diagnostics on failure.
  GradientChecker(llvm::StringRef source, llvm::StringRef entry);
  ~GradientChecker();

  /// The argument numbers of the differentiated arguments, in order.
  const std::vector<unsigned> &wrtArgs() const { return wrtArgs_; }
  /// The compiled gradient function's MLIR (nn ops), for failure messages.
  const std::string &gradientIR() const { return gradientIR_; }

  /// Runs the forward function; returns its results.
  std::vector<HostTensor>
  runForward(const std::vector<HostTensor> &inputs) const;
  /// Runs the gradient function; returns the gradient of the loss with
  /// respect to each of wrtArgs(), in order.
  std::vector<HostTensor>
  runGradients(const std::vector<HostTensor> &inputs) const;
  /// Central differences of the loss with respect to argument `arg`,
  /// computed with the compiled forward function.
  HostTensor finiteDifferences(const std::vector<HostTensor> &inputs,
                               unsigned arg, double eps) const;

  /// Deterministic inputs for every argument: f64 arguments get values
  /// spread over [low, high) (varied per argument), i64 arguments class
  /// indices in [0, classes).
  std::vector<HostTensor> makeInputs(double low, double high,
                                     int64_t classes = 1) const;

private:
  std::vector<HostTensor> run(const runtime::Executable &executable,
                              const std::vector<HostTensor> &inputs) const;

  std::unique_ptr<mlir::MLIRContext> context_;
  std::vector<unsigned> wrtArgs_;
  std::string gradientIR_;
  std::unique_ptr<runtime::Executable> forward_;
  std::unique_ptr<runtime::Executable> gradient_;
};

/// Whether every compiled gradient of `checker` on `inputs` agrees with
/// central finite differences within `tolerance`; the failure message names
/// the argument, the element and both values, and shows the gradient IR.
::testing::AssertionResult
gradientsMatchFiniteDifferences(const GradientChecker &checker,
                                const std::vector<HostTensor> &inputs,
                                const GradientTolerance &tolerance = {});

} // namespace nnc::testing

#endif // NNC_TEST_UNIT_AUTODIFFHARNESS_H
