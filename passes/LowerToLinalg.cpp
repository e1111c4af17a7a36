//===- passes/LowerToLinalg.cpp - nn-lower-to-linalg ----------------------===//
//
// Lowers nn ops to linalg/tensor/arith/math on tensors with the dialect
// conversion framework. Broadcasting is spelled out in indexing maps rather
// than materialized, except for matmul batch dims, which linalg's named
// matmul ops need explicitly. Scalar bodies pick arith's float or integer
// ops by element type; f16 and bf16 compute in f32 inside the loop body and
// round once, as PyTorch's CPU kernels do. A few ops (var, std, logsumexp,
// matmul of vectors) rewrite into simpler nn ops, which the conversion then
// lowers in turn.
//
//===----------------------------------------------------------------------===//
#include "passes/LinalgBuilders.h"
#include "passes/LowerConvToLinalg.h"
#include "passes/Passes.h"

#include "ir/NNBuilders.h"
#include "ir/NNDialect.h"
#include "ir/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

#define DEBUG_TYPE "nn-lower-to-linalg"

namespace nnc {
#define GEN_PASS_DEF_NNLOWERTOLINALG
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

using nnc::accumulatorType;
using nnc::buildFilled;
using nnc::floatConstant;
using nnc::truncateElements;

//===----------------------------------------------------------------------===//
// Shapes and broadcasting
//===----------------------------------------------------------------------===//

/// The size of `targetDim` of a `targetRank` shape that `operands` broadcast
/// to, read with tensor.dim from the first operand that has it dynamic. Each
/// operand's dims [0, alignedRank) are aligned with the target's trailing
/// dims (alignedRank is the operand's rank, or its batch rank for matmul).
Value dynamicBroadcastSize(OpBuilder &b, Location loc, ValueRange operands,
                           ArrayRef<int64_t> alignedRanks, int64_t targetRank,
                           int64_t targetDim) {
  for (auto [operand, alignedRank] : llvm::zip_equal(operands, alignedRanks)) {
    int64_t dim = targetDim - (targetRank - alignedRank);
    auto type = cast<RankedTensorType>(operand.getType());
    if (dim >= 0 && type.isDynamicDim(dim))
      return tensor::DimOp::create(b, loc, operand, dim);
  }
  llvm_unreachable("a dynamic broadcast dim comes from a dynamic operand dim");
}

/// The tensor.dim values for every dynamic dim of `targetShape`, taking
/// each from the operands as described at dynamicBroadcastSize.
SmallVector<Value> dynamicBroadcastSizes(OpBuilder &b, Location loc,
                                         ArrayRef<int64_t> targetShape,
                                         ValueRange operands,
                                         ArrayRef<int64_t> alignedRanks) {
  SmallVector<Value> sizes;
  int64_t rank = targetShape.size();
  for (int64_t dim = 0; dim < rank; ++dim)
    if (ShapedType::isDynamic(targetShape[dim]))
      sizes.push_back(
          dynamicBroadcastSize(b, loc, operands, alignedRanks, rank, dim));
  return sizes;
}

SmallVector<int64_t> ranksOf(ValueRange values) {
  return llvm::map_to_vector(values, [](Value value) {
    return cast<RankedTensorType>(value.getType()).getRank();
  });
}

/// The map reading `operandType` inside a loop nest over `resultShape`:
/// dims aligned at the end, a static 1 against a larger dim reads index 0.
AffineMap broadcastIndexingMap(RankedTensorType operandType,
                               ArrayRef<int64_t> resultShape,
                               MLIRContext *context) {
  int64_t resultRank = resultShape.size();
  int64_t offset = resultRank - operandType.getRank();
  SmallVector<AffineExpr> exprs;
  for (auto [dim, size] : llvm::enumerate(operandType.getShape())) {
    int64_t resultDim = dim + offset;
    bool stretches = size == 1 && resultShape[resultDim] != 1;
    exprs.push_back(stretches ? getAffineConstantExpr(0, context)
                              : getAffineDimExpr(resultDim, context));
  }
  return AffineMap::get(resultRank, 0, exprs, context);
}

using ScalarBuilder =
    function_ref<Value(OpBuilder &, Location, ValueRange /*elements*/)>;

bool isHalf(Type type) { return type.isF16() || type.isBF16(); }

/// A linalg.generic computing `computeElement` over `operands` broadcast to
/// `resultType`; `dynamicSizes` gives the result's dynamic dims in order.
/// f16 and bf16 elements reach `computeElement` extended to f32, and a f32
/// result is rounded to the result's half type.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange operands, ValueRange dynamicSizes,
                       ScalarBuilder computeElement) {
  MLIRContext *context = b.getContext();
  Value init = tensor::EmptyOp::create(
      b, loc, resultType.getShape(), resultType.getElementType(), dynamicSizes);
  SmallVector<AffineMap> maps;
  for (Value operand : operands)
    maps.push_back(
        broadcastIndexingMap(cast<RankedTensorType>(operand.getType()),
                             resultType.getShape(), context));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, operands, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        SmallVector<Value> elements;
        for (Value arg : args.drop_back())
          elements.push_back(
              isHalf(arg.getType())
                  ? Value(arith::ExtFOp::create(nested, nestedLoc,
                                                nested.getF32Type(), arg))
                  : arg);
        Value result = computeElement(nested, nestedLoc, elements);
        Type resultElement = resultType.getElementType();
        if (result.getType() != resultElement && isHalf(resultElement))
          result =
              arith::TruncFOp::create(nested, nestedLoc, resultElement, result);
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

/// `value` broadcast to `targetType` (a copy through a linalg.generic).
Value materializeBroadcast(OpBuilder &b, Location loc, Value value,
                           RankedTensorType targetType,
                           ValueRange dynamicSizes) {
  return buildElementwise(
      b, loc, targetType, value, dynamicSizes,
      [](OpBuilder &, Location, ValueRange elements) { return elements[0]; });
}

/// `value` as a constant of the float or integer `type` (an integer value
/// is truncated toward zero).
Value numberConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (isa<FloatType>(type))
    return floatConstant(b, loc, type, value);
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

bool isFloat(Value value) { return isa<FloatType>(value.getType()); }

/// Converts the scalar `value` to `target` as Tensor.to(dtype) does; the
/// signedness of integers is passed in, since arith works on signless ones.
Value convertScalar(OpBuilder &b, Location loc, Value value, Type target,
                    bool sourceUnsigned, bool targetUnsigned) {
  Type source = value.getType();
  if (source == target)
    return value;
  bool sourceFloat = isa<FloatType>(source);
  // To bool: nonzero (NaN included) is true.
  if (target.isInteger(1))
    return sourceFloat
               ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE,
                                             value,
                                             floatConstant(b, loc, source, 0)))
               : Value(arith::CmpIOp::create(
                     b, loc, arith::CmpIPredicate::ne, value,
                     arith::ConstantOp::create(b, loc, b.getZeroAttr(source))));
  unsigned sourceWidth = source.getIntOrFloatBitWidth();
  unsigned targetWidth = target.getIntOrFloatBitWidth();
  sourceUnsigned |= source.isInteger(1);
  if (sourceFloat && isa<FloatType>(target)) {
    // f16 <-> bf16 have one width and neither holds the other: via f32.
    if (sourceWidth == targetWidth)
      value = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
    if (cast<FloatType>(value.getType()).getWidth() < targetWidth)
      return arith::ExtFOp::create(b, loc, target, value);
    return arith::TruncFOp::create(b, loc, target, value);
  }
  if (sourceFloat)
    return targetUnsigned
               ? Value(arith::FPToUIOp::create(b, loc, target, value))
               : Value(arith::FPToSIOp::create(b, loc, target, value));
  if (isa<FloatType>(target))
    return sourceUnsigned
               ? Value(arith::UIToFPOp::create(b, loc, target, value))
               : Value(arith::SIToFPOp::create(b, loc, target, value));
  if (targetWidth < sourceWidth)
    return arith::TruncIOp::create(b, loc, target, value);
  return sourceUnsigned ? Value(arith::ExtUIOp::create(b, loc, target, value))
                        : Value(arith::ExtSIOp::create(b, loc, target, value));
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

/// The scalar body of each elementwise op.
template <typename OpTy>
Value computeElement(OpBuilder &b, Location loc, ValueRange x);

template <>
Value computeElement<nn::AddOp>(OpBuilder &b, Location loc, ValueRange x) {
  if (isFloat(x[0]))
    return arith::AddFOp::create(b, loc, x[0], x[1]);
  return arith::AddIOp::create(b, loc, x[0], x[1]);
}
template <>
Value computeElement<nn::SubOp>(OpBuilder &b, Location loc, ValueRange x) {
  if (isFloat(x[0]))
    return arith::SubFOp::create(b, loc, x[0], x[1]);
  return arith::SubIOp::create(b, loc, x[0], x[1]);
}
template <>
Value computeElement<nn::MulOp>(OpBuilder &b, Location loc, ValueRange x) {
  if (isFloat(x[0]))
    return arith::MulFOp::create(b, loc, x[0], x[1]);
  return arith::MulIOp::create(b, loc, x[0], x[1]);
}
template <>
Value computeElement<nn::DivOp>(OpBuilder &b, Location loc, ValueRange x) {
  return arith::DivFOp::create(b, loc, x[0], x[1]);
}
template <>
Value computeElement<nn::NegOp>(OpBuilder &b, Location loc, ValueRange x) {
  if (isFloat(x[0]))
    return arith::NegFOp::create(b, loc, x[0]);
  return arith::SubIOp::create(b, loc,
                               numberConstant(b, loc, x[0].getType(), 0), x[0]);
}
template <>
Value computeElement<nn::ExpOp>(OpBuilder &b, Location loc, ValueRange x) {
  return math::ExpOp::create(b, loc, x[0]);
}
template <>
Value computeElement<nn::LogOp>(OpBuilder &b, Location loc, ValueRange x) {
  return math::LogOp::create(b, loc, x[0]);
}
template <>
Value computeElement<nn::TanhOp>(OpBuilder &b, Location loc, ValueRange x) {
  return math::TanhOp::create(b, loc, x[0]);
}
template <>
Value computeElement<nn::SigmoidOp>(OpBuilder &b, Location loc, ValueRange x) {
  // 1 / (1 + exp(-x)): exp overflows to +inf for very negative x, giving 0,
  // the right limit, and never NaN.
  Value one = floatConstant(b, loc, x[0].getType(), 1.0);
  Value negated = arith::NegFOp::create(b, loc, x[0]);
  Value exp = math::ExpOp::create(b, loc, negated);
  Value denominator = arith::AddFOp::create(b, loc, one, exp);
  return arith::DivFOp::create(b, loc, one, denominator);
}
template <>
Value computeElement<nn::ReluOp>(OpBuilder &b, Location loc, ValueRange x) {
  // maximumf propagates NaN, as torch.relu does.
  Value zero = floatConstant(b, loc, x[0].getType(), 0.0);
  return arith::MaximumFOp::create(b, loc, x[0], zero);
}
template <>
Value computeElement<nn::SqrtOp>(OpBuilder &b, Location loc, ValueRange x) {
  return math::SqrtOp::create(b, loc, x[0]);
}
template <>
Value computeElement<nn::ErfOp>(OpBuilder &b, Location loc, ValueRange x) {
  return math::ErfOp::create(b, loc, x[0]);
}
template <>
Value computeElement<nn::EqualMaskOp>(OpBuilder &b, Location loc,
                                      ValueRange x) {
  Type type = x[0].getType();
  Value equal =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x[0], x[1]);
  return arith::SelectOp::create(b, loc, equal, floatConstant(b, loc, type, 1),
                                 floatConstant(b, loc, type, 0));
}
template <>
Value computeElement<nn::ReluGradOp>(OpBuilder &b, Location loc, ValueRange x) {
  // x = (grad, input). PyTorch's threshold_backward: input <= 0 ? 0 : grad,
  // so a NaN input passes the gradient through.
  Value zero = floatConstant(b, loc, x[1].getType(), 0.0);
  Value blocked =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, x[1], zero);
  return arith::SelectOp::create(b, loc, blocked, zero, x[0]);
}

template <>
Value computeElement<nn::AbsOp>(OpBuilder &b, Location loc, ValueRange x) {
  if (isFloat(x[0]))
    return math::AbsFOp::create(b, loc, x[0]);
  return math::AbsIOp::create(b, loc, x[0]);
}
template <>
Value computeElement<nn::SignOp>(OpBuilder &b, Location loc, ValueRange x) {
  // x > 0 ? 1 : (x < 0 ? -1 : x): zero and NaN map to themselves.
  Type type = x[0].getType();
  Value zero = numberConstant(b, loc, type, 0);
  auto compare = [&](bool greater) -> Value {
    if (isFloat(x[0]))
      return arith::CmpFOp::create(b, loc,
                                   greater ? arith::CmpFPredicate::OGT
                                           : arith::CmpFPredicate::OLT,
                                   x[0], zero);
    return arith::CmpIOp::create(
        b, loc, greater ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
        x[0], zero);
  };
  Value negativeOrSame = arith::SelectOp::create(
      b, loc, compare(false), numberConstant(b, loc, type, -1), x[0]);
  return arith::SelectOp::create(
      b, loc, compare(true), numberConstant(b, loc, type, 1), negativeOrSame);
}
template <>
Value computeElement<nn::PowTensorOp>(OpBuilder &b, Location loc,
                                      ValueRange x) {
  return math::PowFOp::create(b, loc, x[0], x[1]);
}
template <>
Value computeElement<nn::WhereOp>(OpBuilder &b, Location loc, ValueRange x) {
  return arith::SelectOp::create(b, loc, x[0], x[1], x[2]);
}

/// A comparison of two scalars: ordered float predicates (false with NaN)
/// except `ne`, signed integer ones, unsigned ones for bool.
Value compareElements(OpBuilder &b, Location loc, ValueRange x,
                      arith::CmpFPredicate floatPredicate,
                      arith::CmpIPredicate signedPredicate,
                      arith::CmpIPredicate unsignedPredicate) {
  if (isFloat(x[0]))
    return arith::CmpFOp::create(b, loc, floatPredicate, x[0], x[1]);
  return arith::CmpIOp::create(
      b, loc, x[0].getType().isInteger(1) ? unsignedPredicate : signedPredicate,
      x[0], x[1]);
}
#define NN_COMPARE_ELEMENT(OP, FLOAT, SIGNED, UNSIGNED)                        \
  template <>                                                                  \
  Value computeElement<nn::OP>(OpBuilder & b, Location loc, ValueRange x) {    \
    return compareElements(b, loc, x, arith::CmpFPredicate::FLOAT,             \
                           arith::CmpIPredicate::SIGNED,                       \
                           arith::CmpIPredicate::UNSIGNED);                    \
  }
NN_COMPARE_ELEMENT(EqOp, OEQ, eq, eq)
NN_COMPARE_ELEMENT(NeOp, UNE, ne, ne)
NN_COMPARE_ELEMENT(LtOp, OLT, slt, ult)
NN_COMPARE_ELEMENT(LeOp, OLE, sle, ule)
NN_COMPARE_ELEMENT(GtOp, OGT, sgt, ugt)
NN_COMPARE_ELEMENT(GeOp, OGE, sge, uge)
#undef NN_COMPARE_ELEMENT

template <typename OpTy>
struct ElementwiseToLinalg : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    ValueRange operands = adaptor.getOperands();
    SmallVector<Value> dynamicSizes = dynamicBroadcastSizes(
        rewriter, loc, resultType.getShape(), operands, ranksOf(operands));
    rewriter.replaceOp(op,
                       buildElementwise(rewriter, loc, resultType, operands,
                                        dynamicSizes, computeElement<OpTy>));
    return success();
  }
};

struct PowToLinalg : OpConversionPattern<nn::PowOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::PowOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value input = adaptor.getInput();
    double exponent = op.getExponent().convertToDouble();
    // Squares and square roots, the common cases, avoid a libm pow call.
    auto power = [&](OpBuilder &b, Location nestedLoc, ValueRange x) -> Value {
      if (exponent == 1.0)
        return x[0];
      if (exponent == 2.0)
        return arith::MulFOp::create(b, nestedLoc, x[0], x[0]);
      if (exponent == 0.5)
        return math::SqrtOp::create(b, nestedLoc, x[0]);
      Value constant =
          floatConstant(b, nestedLoc, resultType.getElementType(), exponent);
      return math::PowFOp::create(b, nestedLoc, x[0], constant);
    };
    SmallVector<Value> sizes = dynamicBroadcastSizes(
        rewriter, loc, resultType.getShape(), input, ranksOf(input));
    rewriter.replaceOp(
        op, buildElementwise(rewriter, loc, resultType, input, sizes, power));
    return success();
  }
};

struct ClampToLinalg : OpConversionPattern<nn::ClampOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::ClampOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value input = adaptor.getInput();
    std::optional<double> min, max;
    if (FloatAttr attr = op.getMinAttr())
      min = attr.getValueAsDouble();
    if (FloatAttr attr = op.getMaxAttr())
      max = attr.getValueAsDouble();
    // min(max(x, lo), hi) as torch.clamp: lo > hi gives hi; maximumf and
    // minimumf propagate NaN.
    auto clamp = [&](OpBuilder &b, Location l, ValueRange x) -> Value {
      Value value = x[0];
      Type type = value.getType();
      if (min) {
        Value bound = numberConstant(b, l, type, *min);
        value = isFloat(value)
                    ? Value(arith::MaximumFOp::create(b, l, value, bound))
                    : Value(arith::MaxSIOp::create(b, l, value, bound));
      }
      if (max) {
        Value bound = numberConstant(b, l, type, *max);
        value = isFloat(value)
                    ? Value(arith::MinimumFOp::create(b, l, value, bound))
                    : Value(arith::MinSIOp::create(b, l, value, bound));
      }
      return value;
    };
    SmallVector<Value> sizes =
        tensor::createDynamicDimValues(rewriter, loc, input);
    rewriter.replaceOp(
        op, buildElementwise(rewriter, loc, resultType, input, sizes, clamp));
    return success();
  }
};

/// `value` (a scalar) reinterpreted as `type`, an integer of the same width
/// and other signedness: arith works on signless integers only, and the
/// reinterpretation is free (it disappears when the types lower to LLVM's
/// signless ones).
Value reinterpretInteger(OpBuilder &b, Location loc, Value value, Type type) {
  return UnrealizedConversionCastOp::create(b, loc, type, value).getResult(0);
}

struct ConvertToLinalg : OpConversionPattern<nn::ConvertOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::ConvertOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type target = resultType.getElementType();
    bool sourceUnsigned =
        op.getInput().getType().getElementType().isUnsignedInteger();
    bool targetUnsigned = target.isUnsignedInteger();
    auto signless = [&](Type type) -> Type {
      return IntegerType::get(type.getContext(), type.getIntOrFloatBitWidth());
    };
    auto convert = [&](OpBuilder &b, Location l, ValueRange x) -> Value {
      Value value = x[0];
      if (sourceUnsigned)
        value = reinterpretInteger(b, l, value, signless(value.getType()));
      Value converted =
          convertScalar(b, l, value, targetUnsigned ? signless(target) : target,
                        sourceUnsigned, targetUnsigned);
      return targetUnsigned ? reinterpretInteger(b, l, converted, target)
                            : converted;
    };
    Value input = adaptor.getInput();
    SmallVector<Value> sizes =
        tensor::createDynamicDimValues(rewriter, loc, input);
    rewriter.replaceOp(
        op, buildElementwise(rewriter, loc, resultType, input, sizes, convert));
    return success();
  }
};

bool isUInt8(Type type) {
  return getElementTypeOrSelf(type).isUnsignedInteger(8);
}

/// An arithmetic nn op on u8 (ui8) tensors, computed in i32: u8 operands
/// are converted (zero-extended), the op is rebuilt on them, and a u8
/// result is converted back, which wraps modulo 256 exactly as PyTorch's u8
/// arithmetic does. The rebuilt op then lowers through its usual pattern.
/// (arith has no unsigned types; this keeps signedness out of every scalar
/// body.)
template <typename OpTy> struct WidenUInt8 : OpConversionPattern<OpTy> {
  WidenUInt8(MLIRContext *context)
      : OpConversionPattern<OpTy>(context, /*benefit=*/2) {
    // The rebuilt op has the same kind; it no longer matches.
    this->setHasBoundedRewriteRecursion();
  }

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!llvm::any_of(op->getOperandTypes(), isUInt8))
      return failure();
    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type();
    SmallVector<Value> operands;
    for (Value operand : adaptor.getOperands())
      operands.push_back(
          isUInt8(operand.getType())
              ? Value(nn::ConvertOp::create(rewriter, loc, operand, i32))
              : operand);
    Operation *widened = rewriter.clone(*op);
    rewriter.modifyOpInPlace(widened, [&] {
      widened->setOperands(operands);
      for (OpResult result : widened->getResults())
        if (isUInt8(result.getType()))
          result.setType(cast<RankedTensorType>(result.getType()).clone(i32));
    });
    SmallVector<Value> results;
    for (auto [original, value] :
         llvm::zip_equal(op->getResults(), widened->getResults()))
      results.push_back(isUInt8(original.getType())
                            ? Value(nn::ConvertOp::create(
                                  rewriter, loc, value,
                                  getElementTypeOrSelf(original.getType())))
                            : value);
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// nn.broadcast_to: a copy through broadcasting maps; the dynamic sizes
/// come from `like`.
struct BroadcastToLinalg : OpConversionPattern<nn::BroadcastToOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::BroadcastToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value like = adaptor.getLike();
    // The result has `like`'s shape: its dynamic sizes are `like`'s.
    SmallVector<Value> sizes =
        tensor::createDynamicDimValues(rewriter, loc, like);
    rewriter.replaceOp(op,
                       materializeBroadcast(rewriter, loc, adaptor.getInput(),
                                            resultType, sizes));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

/// torch.matmul with a vector operand, as nn ops the conversion lowers in
/// turn: a vector lhs becomes the row [1, K], a vector rhs the column
/// [K, 1], and the product loses the added dims again.
Value matmulOfVectors(OpBuilder &b, Location loc, Value lhs, Value rhs,
                      RankedTensorType resultType) {
  auto asMatrix = [&](Value vector, bool row) -> Value {
    auto type = cast<RankedTensorType>(vector.getType());
    if (type.getRank() != 1)
      return vector;
    int64_t size = type.getDimSize(0);
    return nn::ReshapeOp::create(b, loc,
                                 type.clone(row ? ArrayRef<int64_t>{1, size}
                                                : ArrayRef<int64_t>{size, 1}),
                                 vector);
  };
  Value product = nn::MatMulOp::create(b, loc, asMatrix(lhs, /*row=*/true),
                                       asMatrix(rhs, /*row=*/false));
  return nn::ReshapeOp::create(b, loc, resultType, product);
}

struct MatMulToLinalg : OpConversionPattern<nn::MatMulOp> {
  // A matmul of vectors rewrites into one of matrices, which this pattern
  // lowers in turn.
  MatMulToLinalg(MLIRContext *context) : OpConversionPattern(context) {
    setHasBoundedRewriteRecursion();
  }

  LogicalResult
  matchAndRewrite(nn::MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs();
    Value rhs = adaptor.getRhs();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    if (lhsType.getRank() == 1 || rhsType.getRank() == 1) {
      rewriter.replaceOp(op,
                         matmulOfVectors(rewriter, loc, lhs, rhs, resultType));
      return success();
    }
    // 16-bit operands multiply into an f32 accumulator (linalg's named ops
    // extend each product's operands to the output type); the sum rounds
    // once at the end, as eager's matmul.
    Type accumulator = accumulatorType(elementType);
    Value zero = floatConstant(rewriter, loc, accumulator, 0.0);

    if (rhsType.getRank() == 2) {
      // [..., M, K] x [K, N]: every row of lhs meets the same matrix, so the
      // batch dims fold into M and one linalg.matmul does it all without
      // copying rhs per batch.
      int64_t lhsRank = lhsType.getRank();
      SmallVector<ReassociationIndices> rowsAndColumns = {
          llvm::to_vector_of<int64_t, 2>(llvm::seq<int64_t>(0, lhsRank - 1)),
          {lhsRank - 1}};
      Value lhs2d = lhs;
      if (lhsRank > 2)
        lhs2d =
            tensor::CollapseShapeOp::create(rewriter, loc, lhs, rowsAndColumns);
      auto lhs2dType = cast<RankedTensorType>(lhs2d.getType());
      auto product2dType = RankedTensorType::get(
          {lhs2dType.getDimSize(0), rhsType.getDimSize(1)}, accumulator);
      SmallVector<Value> sizes;
      if (product2dType.isDynamicDim(0))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, lhs2d, 0));
      if (product2dType.isDynamicDim(1))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, rhs, 1));
      Value init = buildFilled(rewriter, loc, product2dType, sizes, zero);
      Value product =
          linalg::MatmulOp::create(rewriter, loc, ValueRange{lhs2d, rhs},
                                   ValueRange{init})
              .getResult(0);
      product = truncateElements(rewriter, loc, product, elementType);
      if (lhsRank > 2) {
        SmallVector<OpFoldResult> outputShape =
            tensor::getMixedSizes(rewriter, loc, lhs);
        outputShape.back() = tensor::getMixedSize(rewriter, loc, rhs, 1);
        product = tensor::ExpandShapeOp::create(
            rewriter, loc, resultType, product, rowsAndColumns, outputShape);
      }
      rewriter.replaceOp(op, product);
      return success();
    }

    // Batched rhs: give both operands the full broadcast batch shape,
    // collapse the batch dims into one for linalg.batch_matmul, and expand
    // back.
    ArrayRef<int64_t> batchShape = resultType.getShape().drop_back(2);
    int64_t batchRank = batchShape.size();
    SmallVector<int64_t> batchAlignedRanks = {lhsType.getRank() - 2,
                                              rhsType.getRank() - 2};
    SmallVector<Value> batchSizes = dynamicBroadcastSizes(
        rewriter, loc, batchShape, ValueRange{lhs, rhs}, batchAlignedRanks);

    auto withBatch = [&](Value operand, RankedTensorType type) -> Value {
      SmallVector<int64_t> shape(batchShape);
      shape.append({type.getDimSize(type.getRank() - 2),
                    type.getDimSize(type.getRank() - 1)});
      auto batchedType = RankedTensorType::get(shape, type.getElementType());
      if (batchedType == type)
        return operand;
      SmallVector<Value> sizes(batchSizes);
      for (int64_t dim : {type.getRank() - 2, type.getRank() - 1})
        if (type.isDynamicDim(dim))
          sizes.push_back(tensor::DimOp::create(rewriter, loc, operand, dim));
      return materializeBroadcast(rewriter, loc, operand, batchedType, sizes);
    };
    Value batchedLhs = withBatch(lhs, lhsType);
    Value batchedRhs = withBatch(rhs, rhsType);

    ReassociationIndices batchGroup =
        llvm::to_vector(llvm::seq<int64_t>(0, batchRank));
    SmallVector<ReassociationIndices> reassociation = {
        batchGroup, {batchRank}, {batchRank + 1}};
    auto collapseBatch = [&](Value value) -> Value {
      if (batchRank == 1)
        return value;
      return tensor::CollapseShapeOp::create(rewriter, loc, value,
                                             reassociation);
    };
    Value lhs3d = collapseBatch(batchedLhs);
    Value rhs3d = collapseBatch(batchedRhs);

    auto lhs3dType = cast<RankedTensorType>(lhs3d.getType());
    auto rhs3dType = cast<RankedTensorType>(rhs3d.getType());
    auto result3dType =
        RankedTensorType::get({lhs3dType.getDimSize(0), lhs3dType.getDimSize(1),
                               rhs3dType.getDimSize(2)},
                              accumulator);
    // The batch size is known already when there is one batch dim; M comes
    // from the lhs, N from the rhs.
    SmallVector<Value> sizes;
    if (result3dType.isDynamicDim(0))
      sizes.push_back(batchRank == 1
                          ? batchSizes.front()
                          : tensor::DimOp::create(rewriter, loc, lhs3d, 0));
    if (result3dType.isDynamicDim(1))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, lhs3d, 1));
    if (result3dType.isDynamicDim(2))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, rhs3d, 2));
    Value init = buildFilled(rewriter, loc, result3dType, sizes, zero);
    Value product =
        linalg::BatchMatmulOp::create(rewriter, loc, ValueRange{lhs3d, rhs3d},
                                      ValueRange{init})
            .getResult(0);
    product = truncateElements(rewriter, loc, product, elementType);
    if (batchRank != 1) {
      SmallVector<OpFoldResult> outputShape;
      auto batchSize = batchSizes.begin();
      for (int64_t size : batchShape)
        outputShape.push_back(ShapedType::isDynamic(size)
                                  ? OpFoldResult(*batchSize++)
                                  : OpFoldResult(rewriter.getIndexAttr(size)));
      for (int64_t dim : {1, 2})
        outputShape.push_back(result3dType.isDynamicDim(dim)
                                  ? OpFoldResult(tensor::DimOp::create(
                                        rewriter, loc, product, dim))
                                  : OpFoldResult(rewriter.getIndexAttr(
                                        result3dType.getDimSize(dim))));
      product = tensor::ExpandShapeOp::create(
          rewriter, loc, resultType, product, reassociation, outputShape);
    }
    rewriter.replaceOp(op, product);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

/// linalg.transpose of `input` into `resultType`: result dim i is input dim
/// permutation[i].
Value buildTranspose(OpBuilder &b, Location loc, Value input,
                     RankedTensorType resultType,
                     ArrayRef<int64_t> permutation) {
  SmallVector<Value> sizes;
  for (int64_t dim = 0; dim < resultType.getRank(); ++dim)
    if (resultType.isDynamicDim(dim))
      sizes.push_back(tensor::DimOp::create(b, loc, input, permutation[dim]));
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType(), sizes);
  return linalg::TransposeOp::create(b, loc, input, init, permutation)
      .getResult()[0];
}

struct TransposeToLinalg : OpConversionPattern<nn::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t dim0 = op.getDim0(), dim1 = op.getDim1();
    if (dim0 == dim1) {
      rewriter.replaceOp(op, input);
      return success();
    }
    SmallVector<int64_t> permutation =
        llvm::to_vector(llvm::seq<int64_t>(0, resultType.getRank()));
    std::swap(permutation[dim0], permutation[dim1]);
    rewriter.replaceOp(op, buildTranspose(rewriter, op.getLoc(), input,
                                          resultType, permutation));
    return success();
  }
};

struct PermuteToLinalg : OpConversionPattern<nn::PermuteOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::PermuteOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, buildTranspose(rewriter, op.getLoc(), adaptor.getInput(),
                           cast<RankedTensorType>(op.getType()), op.getDims()));
    return success();
  }
};

/// The offsets, sizes and strides of an nn.slice of `input` (the sizes of
/// `sliceType`, dynamic ones read from `input`).
struct SliceBox {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};

template <typename SliceLikeOp>
SliceBox sliceBox(OpBuilder &b, Location loc, SliceLikeOp op, Value input,
                  RankedTensorType sliceType) {
  SliceBox box;
  int64_t rank = sliceType.getRank();
  box.offsets.assign(rank, b.getIndexAttr(0));
  box.strides.assign(rank, b.getIndexAttr(1));
  box.sizes = tensor::getMixedSizes(b, loc, input);
  int64_t dim = op.getDim();
  box.offsets[dim] = b.getIndexAttr(op.getStart());
  box.strides[dim] = b.getIndexAttr(op.getStep());
  box.sizes[dim] = b.getIndexAttr(sliceType.getDimSize(dim));
  return box;
}

struct SliceToTensor : OpConversionPattern<nn::SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    Value input = adaptor.getInput();
    SliceBox box = sliceBox(rewriter, op.getLoc(), op, input, resultType);
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, resultType, input, box.offsets, box.sizes, box.strides);
    return success();
  }
};

/// nn.random_uniform: each element from its row-major index and the state
/// [seed, offset], by the splitmix64 frontend/Random.cpp computes eagerly.
struct RandomUniformToLinalg : OpConversionPattern<nn::RandomUniformOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::RandomUniformOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    auto stateAt = [&](int64_t i) -> Value {
      return tensor::ExtractOp::create(
          rewriter, loc, adaptor.getState(),
          ValueRange{arith::ConstantIndexOp::create(rewriter, loc, i)});
    };
    Value seed = stateAt(0), offset = stateAt(1);
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    int64_t rank = type.getRank();
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{}, ValueRange{init},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
        iterators, [&](OpBuilder &b, Location l, ValueRange) {
          auto i64 = [&](uint64_t v) -> Value {
            return arith::ConstantOp::create(
                b, l, b.getI64IntegerAttr(static_cast<int64_t>(v)));
          };
          Value counter = offset;
          Value linear = i64(0);
          for (int64_t d = 0; d < rank; ++d) {
            Value index = arith::IndexCastOp::create(
                b, l, b.getI64Type(), linalg::IndexOp::create(b, l, d));
            linear = arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(b, l, linear, i64(type.getDimSize(d))),
                index);
          }
          counter = arith::AddIOp::create(b, l, counter, linear);
          Value z = arith::AddIOp::create(
              b, l, seed,
              arith::MulIOp::create(b, l, counter, i64(0x9E3779B97F4A7C15ull)));
          auto mix = [&](Value v, uint64_t shift, uint64_t factor) -> Value {
            Value x = arith::XOrIOp::create(
                b, l, v, arith::ShRUIOp::create(b, l, v, i64(shift)));
            return arith::MulIOp::create(b, l, x, i64(factor));
          };
          z = mix(z, 30, 0xBF58476D1CE4E5B9ull);
          z = mix(z, 27, 0x94D049BB133111EBull);
          z = arith::XOrIOp::create(b, l, z,
                                    arith::ShRUIOp::create(b, l, z, i64(31)));
          Value top = arith::ShRUIOp::create(b, l, z, i64(40));
          Value sample = arith::MulFOp::create(
              b, l, arith::UIToFPOp::create(b, l, b.getF32Type(), top),
              floatConstant(b, l, b.getF32Type(), 1.0 / 16777216.0));
          linalg::YieldOp::create(b, l,
                                  convertScalar(b, l, sample,
                                                type.getElementType(),
                                                /*sourceUnsigned=*/false,
                                                /*targetUnsigned=*/false));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// nn.slice_grad: zeros, with the gradient inserted where the slice read.
struct SliceGradToTensor : OpConversionPattern<nn::SliceGradOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::SliceGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value like = adaptor.getLike();
    Value grad = adaptor.getGrad();
    Value zeros = buildFilled(
        rewriter, loc, resultType,
        tensor::createDynamicDimValues(rewriter, loc, like),
        arith::ConstantOp::create(
            rewriter, loc, rewriter.getZeroAttr(resultType.getElementType())));
    SliceBox box = sliceBox(rewriter, loc, op, like,
                            cast<RankedTensorType>(grad.getType()));
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, grad, zeros, box.offsets, box.sizes, box.strides);
    return success();
  }
};

/// nn.concat: each operand inserted at its static offset along the dim.
struct ConcatToTensor : OpConversionPattern<nn::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t dim = op.getDim();
    ValueRange inputs = adaptor.getInputs();
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < resultType.getRank(); ++d)
      if (resultType.isDynamicDim(d))
        sizes.push_back(
            tensor::DimOp::create(rewriter, loc, inputs.front(), d));
    Value result = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                           resultType.getElementType(), sizes);
    int64_t offset = 0;
    for (Value input : inputs) {
      SmallVector<OpFoldResult> offsets(resultType.getRank(),
                                        rewriter.getIndexAttr(0));
      offsets[dim] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> strides(resultType.getRank(),
                                        rewriter.getIndexAttr(1));
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, offsets,
          tensor::getMixedSizes(rewriter, loc, input), strides);
      offset += cast<RankedTensorType>(input.getType()).getDimSize(dim);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// collapse_shape or expand_shape from `value` to `targetType` grouped by
/// `reassociation`, whichever direction the ranks call for.
Value reshapeByReassociation(OpBuilder &b, Location loc, Value value,
                             RankedTensorType targetType,
                             ArrayRef<ReassociationIndices> reassociation) {
  auto sourceType = cast<RankedTensorType>(value.getType());
  if (sourceType.getRank() >= targetType.getRank())
    return tensor::CollapseShapeOp::create(b, loc, targetType, value,
                                           reassociation);
  return tensor::ExpandShapeOp::create(b, loc, targetType, value,
                                       reassociation);
}

struct ReshapeToTensor : OpConversionPattern<nn::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto sourceType = cast<RankedTensorType>(input.getType());
    auto targetType = cast<RankedTensorType>(op.getType());
    if (sourceType == targetType) {
      rewriter.replaceOp(op, input);
      return success();
    }
    // A rank-0 side has no dims to group: an empty reassociation.
    if (sourceType.getRank() == 0 || targetType.getRank() == 0) {
      rewriter.replaceOp(
          op, reshapeByReassociation(rewriter, loc, input, targetType, {}));
      return success();
    }
    if (std::optional<SmallVector<ReassociationIndices>> reassociation =
            getReassociationIndicesForReshape(sourceType, targetType)) {
      rewriter.replaceOp(op,
                         reshapeByReassociation(rewriter, loc, input,
                                                targetType, *reassociation));
      return success();
    }
    // No single grouping (e.g. 2x3 -> 3x2): go through the flat tensor.
    int64_t flatSize = sourceType.hasStaticShape() ? sourceType.getNumElements()
                                                   : ShapedType::kDynamic;
    auto flatType =
        RankedTensorType::get({flatSize}, sourceType.getElementType());
    auto allDims = [](int64_t rank) {
      return SmallVector<ReassociationIndices>{
          llvm::to_vector(llvm::seq<int64_t>(0, rank))};
    };
    Value flat = tensor::CollapseShapeOp::create(rewriter, loc, flatType, input,
                                                 allDims(sourceType.getRank()));
    rewriter.replaceOp(
        op, tensor::ExpandShapeOp::create(rewriter, loc, targetType, flat,
                                          allDims(targetType.getRank())));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Groups the dims of a keepdim result so that each group holds one kept dim
/// and the size-1 reduced dims beside it (leading reduced dims join the
/// first group); empty when every dim is reduced.
SmallVector<ReassociationIndices> keepdimReassociation(int64_t rank,
                                                       ArrayRef<int64_t> dims) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leadingReduced;
  for (int64_t dim = 0; dim < rank; ++dim) {
    if (!llvm::is_contained(dims, dim)) {
      groups.push_back(leadingReduced);
      leadingReduced.clear();
      groups.back().push_back(dim);
    } else if (groups.empty()) {
      leadingReduced.push_back(dim);
    } else {
      groups.back().push_back(dim);
    }
  }
  return groups;
}

/// The number of elements each output of a reduction over `dims` combines,
/// as a float of `elementType`.
Value reducedElementCount(OpBuilder &b, Location loc, Value input,
                          ArrayRef<int64_t> dims, Type elementType) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t staticCount = 1;
  Value dynamicCount;
  for (int64_t dim : dims) {
    if (!type.isDynamicDim(dim)) {
      staticCount *= type.getDimSize(dim);
      continue;
    }
    Value size = tensor::DimOp::create(b, loc, input, dim);
    dynamicCount =
        dynamicCount ? Value(arith::MulIOp::create(b, loc, dynamicCount, size))
                     : size;
  }
  Value count = floatConstant(b, loc, elementType, double(staticCount));
  if (!dynamicCount)
    return count;
  Value asInteger =
      arith::IndexCastOp::create(b, loc, b.getI64Type(), dynamicCount);
  Value asFloat = arith::UIToFPOp::create(b, loc, elementType, asInteger);
  return arith::MulFOp::create(b, loc, asFloat, count);
}

enum class ReductionKind { Sum, Mean, Max, Min, Prod, Any, All };

/// The value a reduction of `kind` starts from, of the result's `type`.
Value reductionIdentity(OpBuilder &b, Location loc, ReductionKind kind,
                        Type type) {
  switch (kind) {
  case ReductionKind::Sum:
  case ReductionKind::Mean:
    return numberConstant(b, loc, type, 0);
  case ReductionKind::Prod:
    return numberConstant(b, loc, type, 1);
  case ReductionKind::Any:
  case ReductionKind::All:
    return arith::ConstantIntOp::create(b, loc, type,
                                        kind == ReductionKind::All);
  case ReductionKind::Max:
  case ReductionKind::Min:
    break;
  }
  bool max = kind == ReductionKind::Max;
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(type, APFloat::getInf(floatType.getFloatSemantics(),
                                             /*Negative=*/max)));
  unsigned width = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(type, max ? APInt::getSignedMinValue(width)
                                 : APInt::getSignedMaxValue(width)));
}

/// `acc` combined with the element `x` by a reduction of `kind`.
Value combineReduction(OpBuilder &b, Location loc, ReductionKind kind, Value x,
                       Value acc) {
  bool floats = isFloat(x);
  switch (kind) {
  case ReductionKind::Sum:
  case ReductionKind::Mean:
    return floats ? Value(arith::AddFOp::create(b, loc, x, acc))
                  : Value(arith::AddIOp::create(b, loc, x, acc));
  case ReductionKind::Prod:
    return floats ? Value(arith::MulFOp::create(b, loc, x, acc))
                  : Value(arith::MulIOp::create(b, loc, x, acc));
  // maximumf/minimumf propagate NaN, as torch.amax/amin do.
  case ReductionKind::Max:
    return floats ? Value(arith::MaximumFOp::create(b, loc, x, acc))
                  : Value(arith::MaxSIOp::create(b, loc, x, acc));
  case ReductionKind::Min:
    return floats ? Value(arith::MinimumFOp::create(b, loc, x, acc))
                  : Value(arith::MinSIOp::create(b, loc, x, acc));
  case ReductionKind::Any:
  case ReductionKind::All: {
    Value nonzero = convertScalar(b, loc, x, b.getI1Type(), false, false);
    return kind == ReductionKind::Any
               ? Value(arith::OrIOp::create(b, loc, nonzero, acc))
               : Value(arith::AndIOp::create(b, loc, nonzero, acc));
  }
  }
  llvm_unreachable("unknown reduction kind");
}

/// The reductions over `dims` (sum, max, any, ...): one linalg.reduce into
/// the kept dims, a division for the mean, an expand_shape for keepdim.
template <typename OpTy, ReductionKind kind>
struct ReductionToLinalg : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> dims = op.getDims();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    // Reducing over no dims leaves every element as it is (any/all still
    // test it for nonzero).
    if (dims.empty() && inputType == resultType) {
      rewriter.replaceOp(op, input);
      return success();
    }
    if (dims.empty()) {
      rewriter.replaceOp(
          op, buildElementwise(
                  rewriter, loc, resultType, input,
                  tensor::createDynamicDimValues(rewriter, loc, input),
                  [&](OpBuilder &b, Location l, ValueRange x) {
                    return convertScalar(b, l, x[0], elementType, false, false);
                  }));
      return success();
    }

    SmallVector<int64_t> keptShape;
    SmallVector<Value> keptSizes;
    for (int64_t dim = 0; dim < inputType.getRank(); ++dim) {
      if (llvm::is_contained(dims, dim))
        continue;
      keptShape.push_back(inputType.getDimSize(dim));
      if (inputType.isDynamicDim(dim))
        keptSizes.push_back(tensor::DimOp::create(rewriter, loc, input, dim));
    }
    auto keptType = RankedTensorType::get(keptShape, elementType);
    // f16 and bf16 accumulate in f32, as PyTorch's CPU reductions do, and
    // round once at the end.
    Type accumulator =
        isHalf(elementType) ? rewriter.getF32Type() : elementType;
    Value init =
        buildFilled(rewriter, loc, keptType.clone(accumulator), keptSizes,
                    reductionIdentity(rewriter, loc, kind, accumulator));
    Value reduced =
        linalg::ReduceOp::create(
            rewriter, loc, ValueRange{input}, ValueRange{init}, dims,
            [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
              Value element = args[0];
              if (accumulator != elementType)
                element =
                    arith::ExtFOp::create(b, nestedLoc, accumulator, element);
              linalg::YieldOp::create(
                  b, nestedLoc,
                  combineReduction(b, nestedLoc, kind, element, args[1]));
            })
            .getResult(0);

    // The mean divides by the count; a half result rounds the accumulator.
    if (kind == ReductionKind::Mean || accumulator != elementType) {
      Value count =
          kind == ReductionKind::Mean
              ? reducedElementCount(rewriter, loc, input, dims, accumulator)
              : Value();
      reduced = buildElementwise(
          rewriter, loc, keptType, reduced, keptSizes,
          [&](OpBuilder &b, Location nestedLoc, ValueRange elements) {
            return count ? Value(arith::DivFOp::create(b, nestedLoc,
                                                       elements[0], count))
                         : elements[0];
          });
    }
    if (op.getKeepdim())
      reduced = tensor::ExpandShapeOp::create(
          rewriter, loc, resultType, reduced,
          keepdimReassociation(inputType.getRank(), dims));
    rewriter.replaceOp(op, reduced);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Gathers and scatters
//===----------------------------------------------------------------------===//

/// The position `index` (an i64 or i32 element) as an `index` clamped to
/// [0, size): compiled code must not read out of bounds, whatever the data.
Value clampedPosition(OpBuilder &b, Location loc, Value index, Value size) {
  Value position = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value last = arith::SubIOp::create(b, loc, size,
                                     arith::ConstantIndexOp::create(b, loc, 1));
  return arith::MaxSIOp::create(b, loc, zero,
                                arith::MinSIOp::create(b, loc, position, last));
}

/// A linalg.generic over `resultType` reading `input` with tensor.extract
/// at the loop's own position, except along `dim`, where it reads the
/// position held by `index` (an operand read through `indexMap`).
Value buildIndexedRead(OpBuilder &b, Location loc, Value input, Value index,
                       AffineMap indexMap, int64_t dim,
                       RankedTensorType resultType,
                       ValueRange resultDynamicSizes) {
  int64_t rank = resultType.getRank();
  Value init =
      tensor::EmptyOp::create(b, loc, resultType.getShape(),
                              resultType.getElementType(), resultDynamicSizes);
  Value size = tensor::DimOp::create(b, loc, input, dim);
  SmallVector<AffineMap> maps = {indexMap, b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{index}, ValueRange{init},
             maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               SmallVector<Value> position;
               for (int64_t d = 0; d < rank; ++d)
                 position.push_back(
                     d == dim ? clampedPosition(nb, l, args[0], size)
                              : Value(linalg::IndexOp::create(nb, l, d)));
               linalg::YieldOp::create(
                   nb, l,
                   tensor::ExtractOp::create(nb, l, input, position)
                       .getResult());
             })
      .getResult(0);
}

struct IndexSelectToLinalg : OpConversionPattern<nn::IndexSelectOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::IndexSelectOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value input = adaptor.getInput(), index = adaptor.getIndex();
    int64_t dim = op.getDim();
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < resultType.getRank(); ++d)
      if (resultType.isDynamicDim(d))
        sizes.push_back(tensor::DimOp::create(
            rewriter, loc, d == dim ? index : input, d == dim ? 0 : d));
    AffineMap indexMap =
        AffineMap::get(resultType.getRank(), 0, rewriter.getAffineDimExpr(dim),
                       rewriter.getContext());
    rewriter.replaceOp(op, buildIndexedRead(rewriter, loc, input, index,
                                            indexMap, dim, resultType, sizes));
    return success();
  }
};

struct GatherToLinalg : OpConversionPattern<nn::GatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value index = adaptor.getIndex();
    rewriter.replaceOp(
        op,
        buildIndexedRead(rewriter, loc, adaptor.getInput(), index,
                         rewriter.getMultiDimIdentityMap(resultType.getRank()),
                         op.getDim(), resultType,
                         tensor::createDynamicDimValues(rewriter, loc, index)));
    return success();
  }
};

/// nn.scatter_add as a loop nest over `src` carrying the result, which
/// starts as `input`: each src element is added at its own position with
/// `index`'s entry along `dim`; an index outside [0, size) adds nothing.
/// Serial and O(size of src): the writes of a scatter conflict, and a
/// parallel linalg form would have to visit every (result, src) pair, too
/// slow for an embedding table's gradient.
struct ScatterAddToLoops : OpConversionPattern<nn::ScatterAddOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::ScatterAddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), index = adaptor.getIndex(),
          src = adaptor.getSrc();
    int64_t dim = op.getDim();
    int64_t rank = cast<RankedTensorType>(src.getType()).getRank();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> lowerBounds(rank, zero), steps(rank, one);
    SmallVector<Value> upperBounds =
        llvm::map_to_vector(llvm::seq<int64_t>(0, rank), [&](int64_t d) {
          return Value(tensor::DimOp::create(rewriter, loc, src, d));
        });
    Value size = tensor::DimOp::create(rewriter, loc, input, dim);
    scf::LoopNest loops = scf::buildLoopNest(
        rewriter, loc, lowerBounds, upperBounds, steps, ValueRange{input},
        [&](OpBuilder &b, Location l, ValueRange ivs,
            ValueRange result) -> scf::ValueVector {
          Value target = arith::IndexCastOp::create(
              b, l, b.getIndexType(),
              tensor::ExtractOp::create(b, l, index, ivs));
          Value nonNegative = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::sge, target, zero);
          Value below = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                              target, size);
          Value inRange = arith::AndIOp::create(b, l, nonNegative, below);
          SmallVector<Value> position(ivs);
          position[dim] = arith::SelectOp::create(b, l, inRange, target, zero);
          Value old = tensor::ExtractOp::create(b, l, result[0], position);
          Value element = tensor::ExtractOp::create(b, l, src, ivs);
          Value sum = combineReduction(b, l, ReductionKind::Sum, element, old);
          Value updated = arith::SelectOp::create(b, l, inRange, sum, old);
          return {tensor::InsertOp::create(b, l, updated, result[0], position)
                      .getResult()};
        });
    rewriter.replaceOp(op, loops.results.front());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Decompositions into simpler nn ops (lowered in turn by the conversion)
//===----------------------------------------------------------------------===//

/// The sum of squared deviations from the mean over `dims`, divided by
/// N - correction (var); its square root for std.
template <typename OpTy, bool isStd>
struct VarianceToNN : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> dims = op.getDims();
    Type element = cast<RankedTensorType>(input.getType()).getElementType();
    Value mean = nn::MeanOp::create(rewriter, loc, input, dims,
                                    /*keepdim=*/true);
    Value centered = nn::SubOp::create(rewriter, loc, input, mean);
    Value squares = nn::MulOp::create(rewriter, loc, centered, centered);
    Value divisor = nn::SubOp::create(
        rewriter, loc, nn::reducedCount(rewriter, loc, input, dims),
        nn::scalarConstant(rewriter, loc, element, double(op.getCorrection())));
    Value result = nn::DivOp::create(
        rewriter, loc, nn::SumOp::create(rewriter, loc, squares, dims, true),
        divisor);
    if (isStd)
      result = nn::SqrtOp::create(rewriter, loc, result);
    if (!op.getKeepdim())
      result = nn::ReshapeOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// logsumexp as torch computes it: m + log(sum(exp(x - m))) with m the
/// maximum over `dims`, taken as 0 where it is infinite (so a slice of
/// -inf gives -inf, not NaN).
struct LogSumExpToNN : OpConversionPattern<nn::LogSumExpOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::LogSumExpOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> dims = op.getDims();
    if (dims.empty()) {
      rewriter.replaceOp(op, input);
      return success();
    }
    Type element = cast<RankedTensorType>(input.getType()).getElementType();
    Value zero = nn::scalarConstant(rewriter, loc, element, 0.0);
    Value max = nn::MaxOp::create(rewriter, loc, input, dims, true);
    Value infinite = nn::EqOp::create(
        rewriter, loc, nn::AbsOp::create(rewriter, loc, max),
        nn::scalarConstant(rewriter, loc, element,
                           std::numeric_limits<double>::infinity()));
    Value shift = nn::WhereOp::create(rewriter, loc, infinite, zero, max);
    Value exp = nn::ExpOp::create(
        rewriter, loc, nn::SubOp::create(rewriter, loc, input, shift));
    Value result = nn::AddOp::create(
        rewriter, loc,
        nn::LogOp::create(rewriter, loc,
                          nn::SumOp::create(rewriter, loc, exp, dims, true)),
        shift);
    if (!op.getKeepdim())
      result = nn::ReshapeOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Softmax and losses
//===----------------------------------------------------------------------===//

/// The map, in a loop nest over `rank` dims, reading a tensor that lacks
/// loop dim `dim` (a per-row value of a reduction along `dim`).
AffineMap dropDimMap(int64_t rank, int64_t dim, MLIRContext *context) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (d != dim)
      exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, exprs, context);
}

/// The shape of `input` without `dim`, with its dynamic sizes.
RankedTensorType rowsType(OpBuilder &b, Location loc, Value input, int64_t dim,
                          SmallVectorImpl<Value> &dynamicSizes) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (d == dim)
      continue;
    shape.push_back(type.getDimSize(d));
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, input, d));
  }
  return RankedTensorType::get(shape, type.getElementType());
}

using RowCombiner = function_ref<Value(OpBuilder &, Location, Value element,
                                       ValueRange rowValues, Value acc)>;

/// A linalg.generic reducing `input` along `dim`, starting from `identity`.
/// `rowOperands` (shaped like the result) are read beside each element, so
/// the combiner can use e.g. the row maximum: no intermediate tensor of the
/// input's size is materialized.
Value reduceAlongDim(OpBuilder &b, Location loc, Value input, int64_t dim,
                     ValueRange rowOperands, double identity,
                     RowCombiner combine) {
  MLIRContext *context = b.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  SmallVector<Value> sizes;
  RankedTensorType resultType = rowsType(b, loc, input, dim, sizes);
  Value init =
      buildFilled(b, loc, resultType, sizes,
                  floatConstant(b, loc, resultType.getElementType(), identity));
  SmallVector<Value> inputs = {input};
  llvm::append_range(inputs, rowOperands);
  AffineMap rowMap = dropDimMap(rank, dim, context);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  maps.append(rowOperands.size() + 1, rowMap);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators[dim] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
             iterators,
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               Value acc = combine(nested, nestedLoc, args.front(),
                                   args.drop_front().drop_back(), args.back());
               linalg::YieldOp::create(nested, nestedLoc, acc);
             })
      .getResult(0);
}

/// A linalg.generic over the shape of `input` computing `computeElement`
/// from the element of `input` and the values of `rowOperands` (shaped
/// like `input` without `dim`) for its row.
Value mapWithRows(OpBuilder &b, Location loc, Value input, int64_t dim,
                  ValueRange rowOperands, ScalarBuilder computeElement) {
  MLIRContext *context = b.getContext();
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<Value> sizes = tensor::createDynamicDimValues(b, loc, input);
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType(), sizes);
  SmallVector<Value> inputs = {input};
  llvm::append_range(inputs, rowOperands);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  maps.append(rowOperands.size(), dropDimMap(rank, dim, context));
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, inputs, ValueRange{init}, maps, iterators,
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               Value result =
                   computeElement(nested, nestedLoc, args.drop_back());
               linalg::YieldOp::create(nested, nestedLoc, result);
             })
      .getResult(0);
}

/// The per-row statistics of a numerically stable softmax along `dim`:
/// the maximum m and sum(exp(x - m)).
struct SoftmaxRows {
  Value max;
  Value sumExp;
};

/// The row maxima of `input` along `dim`, only ever subtracted before an
/// exp that is summed: maxnumf (which skips a NaN) is enough, as a NaN in
/// the row still makes the sum, and so every result of the row, NaN. It
/// vectorizes to fewer instructions than maximumf's NaN propagation.
Value buildRowMax(OpBuilder &b, Location loc, Value input, int64_t dim) {
  return reduceAlongDim(
      b, loc, input, dim, {}, -std::numeric_limits<double>::infinity(),
      [](OpBuilder &nb, Location l, Value x, ValueRange, Value acc) -> Value {
        return arith::MaxNumFOp::create(nb, l, x, acc);
      });
}

SoftmaxRows buildSoftmaxRows(OpBuilder &b, Location loc, Value input,
                             int64_t dim) {
  Value max = buildRowMax(b, loc, input, dim);
  Value sumExp =
      reduceAlongDim(b, loc, input, dim, max, 0.0,
                     [](OpBuilder &nb, Location l, Value x, ValueRange rows,
                        Value acc) -> Value {
                       Value shifted = arith::SubFOp::create(nb, l, x, rows[0]);
                       Value exp = math::ExpOp::create(nb, l, shifted);
                       return arith::AddFOp::create(nb, l, acc, exp);
                     });
  return {max, sumExp};
}

/// log(sum(exp(x))) per row, as m + log(sum(exp(x - m))).
Value buildLogSumExp(OpBuilder &b, Location loc, const SoftmaxRows &rows) {
  auto type = cast<RankedTensorType>(rows.max.getType());
  SmallVector<Value> sizes = tensor::createDynamicDimValues(b, loc, rows.max);
  return buildElementwise(b, loc, type, ValueRange{rows.max, rows.sumExp},
                          sizes,
                          [](OpBuilder &nb, Location l, ValueRange x) -> Value {
                            Value log = math::LogOp::create(nb, l, x[1]);
                            return arith::AddFOp::create(nb, l, x[0], log);
                          });
}

/// argmax/argmin along one dim: a linalg.generic carrying the extreme value
/// and its position. A later element replaces the carried one only when it
/// is strictly more extreme, so ties keep the first; a NaN beats any
/// number, so the first NaN wins (PyTorch's rule).
template <typename OpTy, bool isMax>
struct ArgReductionToLinalg : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    Value input = adaptor.getInput();
    int64_t dim = op.getDim();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    Type element = inputType.getElementType();
    SmallVector<Value> sizes;
    RankedTensorType valuesType = rowsType(rewriter, loc, input, dim, sizes);
    auto indicesType = valuesType.clone(rewriter.getI64Type());
    Value values = buildFilled(
        rewriter, loc, valuesType, sizes,
        reductionIdentity(rewriter, loc,
                          isMax ? ReductionKind::Max : ReductionKind::Min,
                          element));
    Value indices = buildFilled(
        rewriter, loc, indicesType, sizes,
        arith::ConstantIntOp::create(rewriter, loc, rewriter.getI64Type(), 0));
    AffineMap rowMap = dropDimMap(rank, dim, context);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank),
                                   rowMap, rowMap};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[dim] = utils::IteratorType::reduction;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valuesType, indicesType}, ValueRange{input},
        ValueRange{values, indices}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value better;
          if (isFloat(x)) {
            Value beats = arith::CmpFOp::create(
                b, l,
                isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
                x, best);
            Value xIsNaN =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, x, x);
            Value bestIsNumber = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::ORD, best, best);
            better = arith::OrIOp::create(
                b, l, beats, arith::AndIOp::create(b, l, xIsNaN, bestIsNumber));
          } else {
            better = arith::CmpIOp::create(b, l,
                                           isMax ? arith::CmpIPredicate::sgt
                                                 : arith::CmpIPredicate::slt,
                                           x, best);
          }
          Value position = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, dim));
          linalg::YieldOp::create(
              b, l,
              ValueRange{
                  arith::SelectOp::create(b, l, better, x, best),
                  arith::SelectOp::create(b, l, better, position, bestIndex)});
        });
    Value result = generic.getResult(1);
    if (op.getKeepdim())
      result =
          tensor::ExpandShapeOp::create(rewriter, loc, op.getType(), result,
                                        keepdimReassociation(rank, {dim}));
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SoftmaxToLinalg : OpConversionPattern<nn::SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    int64_t dim = op.getDim();
    // e = exp(x - max), then e / sum(e): each exp computed once (two
    // thirds of softmax's arithmetic). e is a tensor of the input's size,
    // but nnc-tile-memory-bound-kernels computes all three in blocks of
    // rows, so it only lives in cache, one block at a time.
    Value max = buildRowMax(rewriter, loc, input, dim);
    Value exp =
        mapWithRows(rewriter, loc, input, dim, ValueRange{max},
                    [](OpBuilder &b, Location l, ValueRange x) -> Value {
                      return math::ExpOp::create(
                          b, l, arith::SubFOp::create(b, l, x[0], x[1]));
                    });
    Value sum = reduceAlongDim(
        rewriter, loc, exp, dim, {}, 0.0,
        [](OpBuilder &b, Location l, Value e, ValueRange, Value acc) -> Value {
          return arith::AddFOp::create(b, l, acc, e);
        });
    rewriter.replaceOp(
        op, mapWithRows(rewriter, loc, exp, dim, ValueRange{sum},
                        [](OpBuilder &b, Location l, ValueRange x) -> Value {
                          return arith::DivFOp::create(b, l, x[0], x[1]);
                        }));
    return success();
  }
};

struct LogSoftmaxToLinalg : OpConversionPattern<nn::LogSoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::LogSoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    int64_t dim = op.getDim();
    Value logSumExp = buildLogSumExp(
        rewriter, loc, buildSoftmaxRows(rewriter, loc, input, dim));
    rewriter.replaceOp(
        op, mapWithRows(rewriter, loc, input, dim, logSumExp,
                        [](OpBuilder &b, Location l, ValueRange x) -> Value {
                          return arith::SubFOp::create(b, l, x[0], x[1]);
                        }));
    return success();
  }
};

/// `value` summed over all its dims into a rank-0 tensor, divided by the
/// element count when `mean`.
Value reduceAll(OpBuilder &b, Location loc, Value value, bool mean) {
  auto type = cast<RankedTensorType>(value.getType());
  Type element = type.getElementType();
  auto scalarType = RankedTensorType::get({}, element);
  SmallVector<int64_t> dims =
      llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  Value init =
      buildFilled(b, loc, scalarType, {}, floatConstant(b, loc, element, 0.0));
  Value sum =
      linalg::ReduceOp::create(
          b, loc, ValueRange{value}, ValueRange{init}, dims,
          [](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(
                nb, l,
                arith::AddFOp::create(nb, l, args[0], args[1]).getResult());
          })
          .getResult(0);
  if (!mean)
    return sum;
  Value count = reducedElementCount(b, loc, value, dims, element);
  return buildElementwise(b, loc, scalarType, sum, {},
                          [&](OpBuilder &nb, Location l, ValueRange x) {
                            return arith::DivFOp::create(nb, l, x[0], count);
                          });
}

/// Whether class index `target` (i64) lies in [0, classes).
Value isValidClass(OpBuilder &b, Location loc, Value target, Value classes) {
  Value zero = arith::ConstantIntOp::create(b, loc, b.getI64Type(), 0);
  Value nonNegative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, target, zero);
  Value below =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, target, classes);
  return arith::AndIOp::create(b, loc, nonNegative, below);
}

Value quietNaN(OpBuilder &b, Location loc, Type type) {
  return arith::ConstantOp::create(
      b, loc,
      b.getFloatAttr(
          type, APFloat::getQNaN(cast<FloatType>(type).getFloatSemantics())));
}

/// The number of classes (logits dim 1) as an i64.
Value classCount(OpBuilder &b, Location loc, Value logits) {
  Value size = tensor::DimOp::create(b, loc, logits, 1);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), size);
}

struct CrossEntropyToLinalg : OpConversionPattern<nn::CrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::CrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = adaptor.getLogits();
    Value target = adaptor.getTarget();
    Value logSumExp = buildLogSumExp(
        rewriter, loc, buildSoftmaxRows(rewriter, loc, logits, /*dim=*/1));
    Value classes = classCount(rewriter, loc, logits);

    // Per row n: logsumexp - logits[n, target[n]], read with tensor.extract
    // (a gather); NaN for a target outside [0, C), whose read is clamped to
    // stay in bounds.
    auto rowsType = cast<RankedTensorType>(logSumExp.getType());
    SmallVector<Value> sizes;
    if (rowsType.isDynamicDim(0))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, logits, 0));
    Value losses = buildElementwise(
        rewriter, loc, rowsType, ValueRange{logSumExp, target}, sizes,
        [&](OpBuilder &b, Location l, ValueRange x) -> Value {
          Value valid = isValidClass(b, l, x[1], classes);
          Value zero = arith::ConstantIntOp::create(b, l, b.getI64Type(), 0);
          Value column = arith::IndexCastOp::create(
              b, l, b.getIndexType(),
              arith::SelectOp::create(b, l, valid, x[1], zero));
          Value row = linalg::IndexOp::create(b, l, 0);
          Value picked =
              tensor::ExtractOp::create(b, l, logits, ValueRange{row, column});
          Value loss = arith::SubFOp::create(b, l, x[0], picked);
          return arith::SelectOp::create(b, l, valid, loss,
                                         quietNaN(b, l, loss.getType()));
        });
    nn::Reduction reduction = op.getReduction();
    if (reduction != nn::Reduction::None)
      losses = reduceAll(rewriter, loc, losses,
                         /*mean=*/reduction == nn::Reduction::Mean);
    rewriter.replaceOp(op, losses);
    return success();
  }
};

struct CrossEntropyGradToLinalg : OpConversionPattern<nn::CrossEntropyGradOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::CrossEntropyGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = adaptor.getLogits();
    Value target = adaptor.getTarget();
    Value grad = adaptor.getGrad();
    Type element = cast<RankedTensorType>(logits.getType()).getElementType();
    SoftmaxRows rows = buildSoftmaxRows(rewriter, loc, logits, /*dim=*/1);
    Value classes = classCount(rewriter, loc, logits);
    nn::Reduction reduction = op.getReduction();
    // A rank-0 loss gradient is the same for every row: a per-row tensor
    // of it lets one generic body serve every reduction.
    if (reduction != nn::Reduction::None) {
      SmallVector<Value> sizes;
      auto rowType = cast<RankedTensorType>(rows.max.getType());
      if (rowType.isDynamicDim(0))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, logits, 0));
      Value count =
          reduction == nn::Reduction::Mean
              ? reducedElementCount(rewriter, loc, logits, {0}, element)
              : Value();
      grad = buildElementwise(
          rewriter, loc, RankedTensorType::get(rowType.getShape(), element),
          grad, sizes, [&](OpBuilder &b, Location l, ValueRange x) -> Value {
            return count ? Value(arith::DivFOp::create(b, l, x[0], count))
                         : x[0];
          });
    }
    // (exp(x - m) / s - onehot(target)) * g, NaN for an invalid target.
    Value result = mapWithRows(
        rewriter, loc, logits, /*dim=*/1,
        ValueRange{rows.max, rows.sumExp, target, grad},
        [&](OpBuilder &b, Location l, ValueRange x) -> Value {
          Value shifted = arith::SubFOp::create(b, l, x[0], x[1]);
          Value probability = arith::DivFOp::create(
              b, l, math::ExpOp::create(b, l, shifted), x[2]);
          Value column = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 1));
          Value isTarget = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                 column, x[3]);
          Value oneHot = arith::SelectOp::create(
              b, l, isTarget, floatConstant(b, l, element, 1.0),
              floatConstant(b, l, element, 0.0));
          Value scaled = arith::MulFOp::create(
              b, l, arith::SubFOp::create(b, l, probability, oneHot), x[4]);
          return arith::SelectOp::create(b, l,
                                         isValidClass(b, l, x[3], classes),
                                         scaled, quietNaN(b, l, element));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct MSELossToLinalg : OpConversionPattern<nn::MSELossOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::MSELossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    Value target = adaptor.getTarget();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto squaredError = [](OpBuilder &b, Location l, Value a,
                           Value t) -> Value {
      Value diff = arith::SubFOp::create(b, l, a, t);
      return arith::MulFOp::create(b, l, diff, diff);
    };
    nn::Reduction reduction = op.getReduction();
    if (reduction == nn::Reduction::None) {
      SmallVector<Value> sizes = dynamicBroadcastSizes(
          rewriter, loc, inputType.getShape(), ValueRange{input, target},
          ranksOf(ValueRange{input, target}));
      rewriter.replaceOp(
          op,
          buildElementwise(rewriter, loc, inputType, ValueRange{input, target},
                           sizes, [&](OpBuilder &b, Location l, ValueRange x) {
                             return squaredError(b, l, x[0], x[1]);
                           }));
      return success();
    }
    // One reduction reading both operands; no squared-error tensor.
    MLIRContext *context = rewriter.getContext();
    int64_t rank = inputType.getRank();
    Type element = inputType.getElementType();
    auto scalarType = RankedTensorType::get({}, element);
    Value init = buildFilled(rewriter, loc, scalarType, {},
                             floatConstant(rewriter, loc, element, 0.0));
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    SmallVector<AffineMap> maps = {identity, identity,
                                   AffineMap::get(rank, 0, {}, context)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::reduction);
    Value sum =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{scalarType}, ValueRange{input, target},
            ValueRange{init}, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value error = squaredError(b, l, args[0], args[1]);
              linalg::YieldOp::create(
                  b, l,
                  arith::AddFOp::create(b, l, args[2], error).getResult());
            })
            .getResult(0);
    if (reduction == nn::Reduction::Mean) {
      Value count = reducedElementCount(
          rewriter, loc, input, llvm::to_vector(llvm::seq<int64_t>(0, rank)),
          element);
      sum = buildElementwise(rewriter, loc, scalarType, sum, {},
                             [&](OpBuilder &b, Location l, ValueRange x) {
                               return arith::DivFOp::create(b, l, x[0], count);
                             });
    }
    rewriter.replaceOp(op, sum);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

struct ConstantToArith : OpConversionPattern<nn::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
    if (!dense || !isUInt8(type)) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, cast<TypedAttr>(op.getValue()));
      return success();
    }
    // arith constants are signless: a u8 constant is an i8 one, copied
    // into a u8 tensor element by element (reinterpretInteger).
    Location loc = op.getLoc();
    Type i8 = rewriter.getI8Type();
    Value bytes = arith::ConstantOp::create(rewriter, loc, dense.bitcast(i8));
    rewriter.replaceOp(
        op, buildElementwise(rewriter, loc, type, bytes, {},
                             [&](OpBuilder &b, Location l, ValueRange x) {
                               return reinterpretInteger(b, l, x[0],
                                                         type.getElementType());
                             }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct NNLowerToLinalg
    : public nnc::impl::NNLowerToLinalgBase<NNLowerToLinalg> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addIllegalDialect<nn::NNDialect>();
    // Region structure stays: only the ops inside nn.fusion bodies lower.
    target.addLegalOp<nn::FusionOp, nn::YieldOp>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect>();
    // Reinterprets a ui8 scalar as i8 for arith (reinterpretInteger).
    target.addLegalOp<UnrealizedConversionCastOp>();

    RewritePatternSet patterns(context);
    patterns.add<
        ElementwiseToLinalg<nn::AddOp>, ElementwiseToLinalg<nn::SubOp>,
        ElementwiseToLinalg<nn::MulOp>, ElementwiseToLinalg<nn::DivOp>,
        ElementwiseToLinalg<nn::NegOp>, ElementwiseToLinalg<nn::ExpOp>,
        ElementwiseToLinalg<nn::LogOp>, ElementwiseToLinalg<nn::TanhOp>,
        ElementwiseToLinalg<nn::SigmoidOp>, ElementwiseToLinalg<nn::ReluOp>,
        ElementwiseToLinalg<nn::SqrtOp>, ElementwiseToLinalg<nn::ErfOp>,
        ElementwiseToLinalg<nn::EqualMaskOp>,
        ElementwiseToLinalg<nn::ReluGradOp>, PowToLinalg, BroadcastToLinalg,
        SoftmaxToLinalg, LogSoftmaxToLinalg, CrossEntropyToLinalg,
        CrossEntropyGradToLinalg, MSELossToLinalg, MatMulToLinalg,
        TransposeToLinalg, ReshapeToTensor, ConstantToArith,
        ReductionToLinalg<nn::SumOp, ReductionKind::Sum>,
        ReductionToLinalg<nn::MeanOp, ReductionKind::Mean>,
        ReductionToLinalg<nn::MaxOp, ReductionKind::Max>,
        ReductionToLinalg<nn::MinOp, ReductionKind::Min>,
        ReductionToLinalg<nn::ProdOp, ReductionKind::Prod>,
        ReductionToLinalg<nn::AnyOp, ReductionKind::Any>,
        ReductionToLinalg<nn::AllOp, ReductionKind::All>,
        ArgReductionToLinalg<nn::ArgMaxOp, /*isMax=*/true>,
        ArgReductionToLinalg<nn::ArgMinOp, /*isMax=*/false>,
        VarianceToNN<nn::VarOp, /*isStd=*/false>,
        VarianceToNN<nn::StdOp, /*isStd=*/true>, LogSumExpToNN>(context);
    // The dtype and indexing ops (ir/NNTensorOps.td).
    patterns.add<
        ElementwiseToLinalg<nn::AbsOp>, ElementwiseToLinalg<nn::SignOp>,
        ElementwiseToLinalg<nn::PowTensorOp>, ElementwiseToLinalg<nn::WhereOp>,
        ElementwiseToLinalg<nn::EqOp>, ElementwiseToLinalg<nn::NeOp>,
        ElementwiseToLinalg<nn::LtOp>, ElementwiseToLinalg<nn::LeOp>,
        ElementwiseToLinalg<nn::GtOp>, ElementwiseToLinalg<nn::GeOp>,
        ClampToLinalg, ConvertToLinalg, PermuteToLinalg, SliceToTensor,
        SliceGradToTensor, ConcatToTensor, IndexSelectToLinalg, GatherToLinalg,
        ScatterAddToLoops, RandomUniformToLinalg>(context);
    // Convolution and pooling (ir/NNConvOps.td).
    nnc::populateConvToLinalgPatterns(patterns);
    patterns.add<
        WidenUInt8<nn::AddOp>, WidenUInt8<nn::SubOp>, WidenUInt8<nn::MulOp>,
        WidenUInt8<nn::NegOp>, WidenUInt8<nn::AbsOp>, WidenUInt8<nn::SignOp>,
        WidenUInt8<nn::ClampOp>, WidenUInt8<nn::EqOp>, WidenUInt8<nn::NeOp>,
        WidenUInt8<nn::LtOp>, WidenUInt8<nn::LeOp>, WidenUInt8<nn::GtOp>,
        WidenUInt8<nn::GeOp>, WidenUInt8<nn::SumOp>, WidenUInt8<nn::MaxOp>,
        WidenUInt8<nn::MinOp>, WidenUInt8<nn::ProdOp>, WidenUInt8<nn::AnyOp>,
        WidenUInt8<nn::AllOp>, WidenUInt8<nn::ArgMaxOp>,
        WidenUInt8<nn::ArgMinOp>, WidenUInt8<nn::ScatterAddOp>>(context);

    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
