//===- codegen/ApproximateMath.cpp - vectorizable exp, log, tanh ----------===//
//
// math.exp/log/tanh on f32 lower to libm calls (or LLVM intrinsics that
// become libm calls) one element at a time: the loop vectorizer cannot
// widen them, and softmax or a tanh epilogue then runs at scalar speed.
// MLIR's polynomial approximations are plain arithmetic that vectorizes,
// accurate to a few ulp.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/StringSwitch.h"

#define DEBUG_TYPE "nnc-approximate-math"

namespace nnc {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {
struct ApproximateMathPass
    : nnc::impl::ApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    mlir::RewritePatternSet patterns(&getContext());
    mlir::populateMathPolynomialApproximationPatterns(
        patterns, [](llvm::StringRef name) {
          return llvm::StringSwitch<bool>(name)
              .Cases({"exp", "math.exp", "log", "math.log", "tanh", "math.tanh",
                      "expm1", "math.expm1", "log1p", "math.log1p"},
                     true)
              .Default(false);
        });
    if (mlir::failed(
            mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
