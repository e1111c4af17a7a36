//===- codegen/ApproximateMath.cpp - vectorizable exp, log, tanh ----------===//
//
// math.exp/log/tanh on f32 lower to libm calls (or LLVM intrinsics that
// become libm calls) one element at a time: the loop vectorizer cannot
// widen them, and softmax or a tanh epilogue then runs at scalar speed.
// MLIR's polynomial approximations are plain arithmetic that vectorizes,
// accurate to a few ulp. exp has its own, shorter one (see ExpOnFMAs): it
// is the arithmetic that bounds softmax.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/STLExtras.h"

#define DEBUG_TYPE "nnc-approximate-math"

namespace nnc {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "codegen/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// f32 exp in 13 vector instructions (MLIR's approximation takes 24, with
/// clamps of both x and the exponent and a 2^n built in four steps):
///   n = round(x log2 e), r = x - n ln 2 (two FMAs: ln 2 in two parts),
///   exp(x) = 2 e^r * 2^(n-1), with 2 e^r a degree-5 polynomial on
///   [-ln2/2, ln2/2] (minimax for relative error, 2x the coefficients,
///   those of oneDNN's exp) and 2^(n-1) the float whose exponent bits are
///   n - 1 + 127.
/// The rounding adds 1.5 * 2^23 + 126 to x log2 e in one FMA: the sum's low
/// mantissa bits are then n + 126 as an integer, and shifting them by 23
/// makes 2^(n-1) directly. x is clamped to [-87.5, 88.8], so n + 126 stays
/// in [0, 254]: below, the scale is 0 and exp is 0 (for x < -86.99, results
/// under 2^-125.5 flush to zero); above, 2 e^r 2^127 overflows to inf
/// exactly where exp does (x > ln FLT_MAX), which is why the polynomial
/// carries the factor 2 rather than the scale. A NaN passes the clamps and
/// the polynomial. Against exp in double over [-86.98, 88.72]: at most 1.95
/// ulp (test/unit/ApproximateMathTest.cpp holds it under 3).
struct ExpOnFMAs : OpRewritePattern<math::ExpOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::ExpOp op,
                                PatternRewriter &rewriter) const override {
    // f32 or a vector of f32 (the ops of the tiled kernels).
    Type type = op.getType();
    auto vectorType = dyn_cast<VectorType>(type);
    if (!(vectorType ? vectorType.getElementType() : type).isF32())
      return failure();
    Location loc = op.getLoc();
    // A constant of `type`'s shape, of f32 or i32.
    auto splat = [&](Type elementType, TypedAttr value) -> Value {
      if (vectorType)
        value = SplatElementsAttr::get(vectorType.clone(elementType), value);
      return arith::ConstantOp::create(rewriter, loc, value);
    };
    Type intType = rewriter.getI32Type();
    if (vectorType)
      intType = vectorType.clone(intType);
    auto constant = [&](float value) {
      return splat(rewriter.getF32Type(), rewriter.getF32FloatAttr(value));
    };
    auto fma = [&](Value a, Value b, Value c) -> Value {
      return math::FmaOp::create(rewriter, loc, a, b, c);
    };

    Value x = arith::MaximumFOp::create(rewriter, loc, op.getOperand(),
                                        constant(-87.5f));
    x = arith::MinimumFOp::create(rewriter, loc, x, constant(88.8f));
    const float magic = 12582912.0f + 126.0f; // 1.5 * 2^23 + 126
    Value shifted = fma(x, constant(1.44269504088896341f), constant(magic));
    Value n = arith::SubFOp::create(rewriter, loc, shifted, constant(magic));
    // ln 2 = kLn2High + kLn2Low, kLn2High its f32 rounding: n kLn2High is
    // exact inside the FMA, so r is accurate to its own last bit.
    const float kLn2High = 0.693147182464599609375f;
    const float kLn2Low = -1.904654323148236e-09f;
    Value r = fma(n, constant(-kLn2High), x);
    r = fma(n, constant(-kLn2Low), r);
    const float coefficients[] = {
        2 * 0.008290302939713001f, 2 * 0.04189792275428772f,
        2 * 0.1666763573884964f,   2 * 0.4999915063381195f,
        2 * 0.9999997019767761f,   2.0f};
    Value poly = constant(coefficients[0]);
    for (float coefficient : ArrayRef(coefficients).drop_front())
      poly = fma(poly, r, constant(coefficient));
    Value bits = arith::BitcastOp::create(rewriter, loc, intType, shifted);
    Value exponent = arith::ShLIOp::create(
        rewriter, loc, bits,
        splat(rewriter.getI32Type(), rewriter.getI32IntegerAttr(23)));
    Value scale = arith::BitcastOp::create(rewriter, loc, type, exponent);
    rewriter.replaceOpWithNewOp<arith::MulFOp>(op, poly, scale);
    return success();
  }
};

struct ApproximateMathPass
    : nnc::impl::ApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // expm1's approximation is built on math.exp, which ExpOnFMAs then
    // rewrites too.
    patterns.add<ExpOnFMAs>(&getContext());
    // tanh keeps MLIR's rational approximation with its exact division:
    // vrcp14ps and a Newton step instead (LLVM's "reciprocal-estimates")
    // ran a bias + tanh kernel in cache 1.3x slower than vdivps.
    populateMathPolynomialApproximationPatterns(
        patterns, [](llvm::StringRef name) {
          name.consume_front("math.");
          return llvm::is_contained({"log", "tanh", "expm1", "log1p"}, name);
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
