//===- passes/LowerToLinalg.cpp - nn-lower-to-linalg ----------------------===//
//
// Lowers nn ops to linalg/tensor/arith/math on tensors with the dialect
// conversion framework. Broadcasting is spelled out in indexing maps rather
// than materialized, except for matmul batch dims, which linalg's named
// matmul ops need explicitly.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/NNDialect.h"
#include "ir/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

#define DEBUG_TYPE "nn-lower-to-linalg"

namespace nnc {
#define GEN_PASS_DEF_NNLOWERTOLINALG
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

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

/// A linalg.generic computing `computeElement` over `operands` broadcast to
/// `resultType`; `dynamicSizes` gives the result's dynamic dims in order.
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
        Value result = computeElement(nested, nestedLoc, args.drop_back());
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

Value floatConstant(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

/// tensor.empty of `type` filled with `value`.
Value buildFilled(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange dynamicSizes, Value value) {
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                        type.getElementType(), dynamicSizes);
  return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{empty})
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

/// The scalar body of each elementwise op.
template <typename OpTy>
Value computeElement(OpBuilder &b, Location loc, ValueRange x);

template <>
Value computeElement<nn::AddOp>(OpBuilder &b, Location loc, ValueRange x) {
  return arith::AddFOp::create(b, loc, x[0], x[1]);
}
template <>
Value computeElement<nn::SubOp>(OpBuilder &b, Location loc, ValueRange x) {
  return arith::SubFOp::create(b, loc, x[0], x[1]);
}
template <>
Value computeElement<nn::MulOp>(OpBuilder &b, Location loc, ValueRange x) {
  return arith::MulFOp::create(b, loc, x[0], x[1]);
}
template <>
Value computeElement<nn::DivOp>(OpBuilder &b, Location loc, ValueRange x) {
  return arith::DivFOp::create(b, loc, x[0], x[1]);
}
template <>
Value computeElement<nn::NegOp>(OpBuilder &b, Location loc, ValueRange x) {
  return arith::NegFOp::create(b, loc, x[0]);
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

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

struct MatMulToLinalg : OpConversionPattern<nn::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;

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
    Value zero = floatConstant(rewriter, loc, elementType, 0.0);

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
          {lhs2dType.getDimSize(0), rhsType.getDimSize(1)}, elementType);
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
                              elementType);
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

struct TransposeToLinalg : OpConversionPattern<nn::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
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
    SmallVector<Value> sizes;
    for (int64_t dim = 0; dim < resultType.getRank(); ++dim)
      if (resultType.isDynamicDim(dim))
        sizes.push_back(
            tensor::DimOp::create(rewriter, loc, input, permutation[dim]));
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                         resultType.getElementType(), sizes);
    rewriter.replaceOp(
        op, linalg::TransposeOp::create(rewriter, loc, input, init, permutation)
                .getResult()[0]);
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

enum class ReductionKind { Sum, Mean, Max };

template <typename OpTy, ReductionKind kind>
struct ReductionToLinalg : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> dims = op.getDims();
    // Reducing over no dims leaves every element as it is.
    if (dims.empty()) {
      rewriter.replaceOp(op, input);
      return success();
    }
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = inputType.getElementType();

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
    Value identity =
        kind == ReductionKind::Max
            ? arith::ConstantOp::create(
                  rewriter, loc,
                  rewriter.getFloatAttr(
                      elementType,
                      APFloat::getInf(
                          cast<FloatType>(elementType).getFloatSemantics(),
                          /*Negative=*/true)))
                  .getResult()
            : floatConstant(rewriter, loc, elementType, 0.0);
    Value init = buildFilled(rewriter, loc, keptType, keptSizes, identity);
    Value reduced =
        linalg::ReduceOp::create(
            rewriter, loc, ValueRange{input}, ValueRange{init}, dims,
            [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
              Value combined = kind == ReductionKind::Max
                                   ? Value(arith::MaximumFOp::create(
                                         b, nestedLoc, args[0], args[1]))
                                   : Value(arith::AddFOp::create(
                                         b, nestedLoc, args[0], args[1]));
              linalg::YieldOp::create(b, nestedLoc, combined);
            })
            .getResult(0);

    if (kind == ReductionKind::Mean) {
      Value count =
          reducedElementCount(rewriter, loc, input, dims, elementType);
      reduced = buildElementwise(
          rewriter, loc, keptType, reduced, keptSizes,
          [&](OpBuilder &b, Location nestedLoc, ValueRange elements) {
            return arith::DivFOp::create(b, nestedLoc, elements[0], count);
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
// Constants
//===----------------------------------------------------------------------===//

struct ConstantToArith : OpConversionPattern<nn::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
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
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();

    RewritePatternSet patterns(context);
    patterns.add<
        ElementwiseToLinalg<nn::AddOp>, ElementwiseToLinalg<nn::SubOp>,
        ElementwiseToLinalg<nn::MulOp>, ElementwiseToLinalg<nn::DivOp>,
        ElementwiseToLinalg<nn::NegOp>, ElementwiseToLinalg<nn::ExpOp>,
        ElementwiseToLinalg<nn::LogOp>, ElementwiseToLinalg<nn::TanhOp>,
        ElementwiseToLinalg<nn::SigmoidOp>, ElementwiseToLinalg<nn::ReluOp>,
        MatMulToLinalg, TransposeToLinalg, ReshapeToTensor, ConstantToArith,
        ReductionToLinalg<nn::SumOp, ReductionKind::Sum>,
        ReductionToLinalg<nn::MeanOp, ReductionKind::Mean>,
        ReductionToLinalg<nn::MaxOp, ReductionKind::Max>>(context);

    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
