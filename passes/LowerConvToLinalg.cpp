//===- passes/LowerConvToLinalg.cpp - conv and pooling to linalg ----------===//
//
// Lowers the ops of ir/NNConvOps.td on tensors. Padding is a tensor.pad
// (zeros for convolution and average pooling, -inf for max pooling, plus
// the overhang of a ceil_mode window at the high end). Strided
// convolutions and the pooling windows are linalg's named NCHW ops (groups
// split the channel dims around linalg.conv_2d_ngchw_gfchw). Stride-1
// convolutions, which include every input gradient, run over wide rows (see
// buildWideRowConv) so that their innermost loop is long and contiguous:
// the CPU pipeline vectorizes innermost loops only, and a named
// convolution's are a few taps long. The input gradient of a convolution is
// a convolution of the stride-dilated, padded gradient with the flipped,
// per-group transposed kernel; the weight gradient is one linalg.generic
// correlating the input with the gradient; max pooling's gradient finds
// each window's argmax (PyTorch's tie rule) and gathers, per input element,
// the gradients of the windows it won.
//
//===----------------------------------------------------------------------===//
#include "passes/LowerConvToLinalg.h"

#include "passes/LinalgBuilders.h"

#include "ir/NNConvShapes.h"
#include "ir/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;

namespace {

using nnc::buildFilled;
using nnc::floatConstant;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// The dynamic sizes of a result whose only dynamic dim is the batch dim,
/// read from `like`'s dim 0.
SmallVector<Value> batchSizes(OpBuilder &b, Location loc,
                              RankedTensorType resultType, Value like) {
  if (!resultType.isDynamicDim(0))
    return {};
  return {tensor::DimOp::create(b, loc, like, 0)};
}

/// `input` [N, C, H, W] (or [N, H, W, C] with `heightDim` 1) padded along H
/// and W by `low` before and `high` after with `value`; `input` itself when
/// there is nothing to pad.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, Value value, int64_t heightDim = 2) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> lowPads(4, b.getIndexAttr(0));
  SmallVector<OpFoldResult> highPads(4, b.getIndexAttr(0));
  for (int dim = 0; dim < 2; ++dim) {
    shape[heightDim + dim] += low[dim] + high[dim];
    lowPads[heightDim + dim] = b.getIndexAttr(low[dim]);
    highPads[heightDim + dim] = b.getIndexAttr(high[dim]);
  }
  return tensor::PadOp::create(b, loc, type.clone(shape), input, lowPads,
                               highPads, value);
}

/// The reassociation that merges dims `dim` and `dim + 1` of a tensor of
/// rank `rank + 1` (the inverse of splitting dim `dim` of a rank-`rank` one).
SmallVector<ReassociationIndices> splitReassociation(int64_t rank,
                                                     int64_t dim) {
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0, split = 0; d < rank; ++d) {
    if (d == dim) {
      groups.push_back({d + split, d + split + 1});
      split = 1;
    } else {
      groups.push_back({d + split});
    }
  }
  return groups;
}

/// `value` with dim `dim` split into [groups, size / groups].
Value splitDim(OpBuilder &b, Location loc, Value value, int64_t dim,
               int64_t groups) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] /= groups;
  shape.insert(shape.begin() + dim, groups);
  return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), value,
                                       splitReassociation(type.getRank(), dim));
}

DenseIntElementsAttr pairAttr(OpBuilder &b, ArrayRef<int64_t> values) {
  return b.getI64VectorAttr(values);
}

/// The loop dims d0, d1, ... of a linalg.generic as affine expressions.
SmallVector<AffineExpr> loopDims(OpBuilder &b, int64_t count) {
  SmallVector<AffineExpr> dims;
  for (int64_t d = 0; d < count; ++d)
    dims.push_back(b.getAffineDimExpr(d));
  return dims;
}

/// The body of a convolution's linalg.generic: acc + lhs * rhs.
void multiplyAccumulate(OpBuilder &b, Location loc, ValueRange args) {
  Value product = arith::MulFOp::create(b, loc, args[0], args[1]);
  linalg::YieldOp::create(
      b, loc, Value(arith::AddFOp::create(b, loc, args[2], product)));
}

// Stride-1 convolutions (the forward one and every input gradient) run over
// wide rows: an output row is computed at the padded input's width Wp, its
// last Wp - OW entries discarded, so that output position p = oh Wp + ow of
// the joined rows reads the joined input rows at p + kh dH Wp + kw dW. That
// is one affine map in one loop over p, long and contiguous, which LLVM
// vectorizes; the convolution's own innermost loops (kw, or ow) run a few
// iterations each and stay scalar.

/// Whether `value` is a constant 0.
bool isZero(Value value) {
  return value && matchPattern(value, m_AnyZeroFloat());
}

/// `input` [N, C, H, W] with `rows` more rows of zeros below. Where `input`
/// is itself zeros around a tensor (a tensor.pad of zeros, or an
/// insert_slice into a zero fill: the padding and the spread gradient of a
/// convolution), the rows join those zeros, so that the tensor is copied
/// once, not twice.
Value withZeroRowsBelow(OpBuilder &b, Location loc, Value input, int64_t rows) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[2] += rows;
  auto taller = type.clone(shape);
  Value zero = floatConstant(b, loc, type.getElementType(), 0);
  if (auto pad = input.getDefiningOp<tensor::PadOp>();
      pad && isZero(pad.getConstantPaddingValue()) &&
      !ShapedType::isDynamicShape(pad.getStaticLow()) &&
      !ShapedType::isDynamicShape(pad.getStaticHigh())) {
    SmallVector<int64_t> high(pad.getStaticHigh());
    high[2] += rows;
    return tensor::PadOp::create(
        b, loc, taller, pad.getSource(),
        getAsIndexOpFoldResult(b.getContext(), pad.getStaticLow()),
        getAsIndexOpFoldResult(b.getContext(), high), zero);
  }
  if (auto insert = input.getDefiningOp<tensor::InsertSliceOp>()) {
    auto fill = insert.getDest().getDefiningOp<linalg::FillOp>();
    if (fill && isZero(fill.getInputs()[0])) {
      SmallVector<Value> sizes;
      if (type.isDynamicDim(0))
        sizes.push_back(tensor::DimOp::create(b, loc, input, 0));
      return tensor::InsertSliceOp::create(
          b, loc, insert.getSource(), buildFilled(b, loc, taller, sizes, zero),
          insert.getMixedOffsets(), insert.getMixedSizes(),
          insert.getMixedStrides());
    }
  }
  SmallVector<OpFoldResult> low(4, b.getIndexAttr(0));
  SmallVector<OpFoldResult> high(4, b.getIndexAttr(0));
  high[2] = b.getIndexAttr(rows);
  return tensor::PadOp::create(b, loc, taller, input, low, high, zero);
}

/// `input` [N, C, Hp, Wp] with each plane's rows joined, [N, C, (Hp + r)
/// Wp]: the r zero rows below the plane (the fewest that do) hold the
/// reach `tail` of the last row's last window past the plane.
Value joinRows(OpBuilder &b, Location loc, Value input, int64_t tail) {
  int64_t width = cast<RankedTensorType>(input.getType()).getDimSize(3);
  if (tail > 0)
    input = withZeroRowsBelow(b, loc, input, llvm::divideCeil(tail, width));
  return tensor::CollapseShapeOp::create(b, loc, input,
                                         splitReassociation(3, 2));
}

/// `value` [N, O, OH, OW] as wide rows [N, O, OH * width], zero-filled past
/// OW.
Value widenRows(OpBuilder &b, Location loc, Value value, int64_t width) {
  auto type = cast<RankedTensorType>(value.getType());
  const int64_t none[] = {0, 0};
  const int64_t past[] = {0, width - type.getDimSize(3)};
  Value wide = padSpatial(b, loc, value, none, past,
                          floatConstant(b, loc, type.getElementType(), 0));
  return tensor::CollapseShapeOp::create(b, loc, wide,
                                         splitReassociation(3, 2));
}

/// Wide rows [N, O, OH * width] back to `type` [N, O, OH, OW].
Value narrowRows(OpBuilder &b, Location loc, Value wide,
                 RankedTensorType type) {
  auto wideType = cast<RankedTensorType>(wide.getType());
  int64_t rows = type.getDimSize(2);
  auto rowsType = type.clone({type.getDimSize(0), type.getDimSize(1), rows,
                              wideType.getDimSize(2) / rows});
  Value split = tensor::ExpandShapeOp::create(b, loc, rowsType, wide,
                                              splitReassociation(3, 2));
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, split);
  sizes[3] = b.getIndexAttr(type.getDimSize(3));
  return tensor::ExtractSliceOp::create(
      b, loc, type, split, SmallVector<OpFoldResult>(4, b.getIndexAttr(0)),
      sizes, SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
}

/// A convolution's initial value of `type`: `bias` (ranked r) broadcast
/// along dims [biasDim, biasDim + r) over the others, or zeros without a
/// bias. The convolution then accumulates into it, which saves a pass over
/// the result.
Value initialValue(OpBuilder &b, Location loc, RankedTensorType type,
                   ValueRange dynamicSizes, Value bias, int64_t biasDim = 1) {
  Type element = type.getElementType();
  if (!bias)
    return buildFilled(b, loc, type, dynamicSizes,
                       floatConstant(b, loc, element, 0));
  int64_t rank = type.getRank();
  int64_t biasRank = cast<RankedTensorType>(bias.getType()).getRank();
  SmallVector<AffineExpr> d = loopDims(b, rank);
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, ArrayRef(d).slice(biasDim, biasRank),
                     b.getContext()),
      b.getMultiDimIdentityMap(rank)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{bias},
             ValueRange{tensor::EmptyOp::create(b, loc, type.getShape(),
                                                element, dynamicSizes)},
             maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

/// A stride-1 convolution over wide rows: loops (n, g, f, c, kh, kw, p),
/// the last one over the joined output rows. `bias` is [groups, O / groups]
/// or null.
Value buildWideRowConv(OpBuilder &b, Location loc, Value input, Value weight,
                       Value bias, RankedTensorType resultType,
                       ValueRange dynamicSizes, int64_t groups,
                       ArrayRef<int64_t> dilation) {
  MLIRContext *context = b.getContext();
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t width = cast<RankedTensorType>(input.getType()).getDimSize(3);
  int64_t kernelWidth = weightType.getDimSize(3);
  Value rows =
      splitDim(b, loc, joinRows(b, loc, input, (kernelWidth - 1) * dilation[1]),
               1, groups);
  int64_t outChannels = resultType.getDimSize(1);
  auto wideType =
      resultType.clone({resultType.getDimSize(0), groups, outChannels / groups,
                        resultType.getDimSize(2) * width});
  SmallVector<AffineExpr> d = loopDims(b, 7);
  SmallVector<AffineMap> maps = {
      AffineMap::get(7, 0,
                     {d[0], d[1], d[3],
                      d[6] + d[4] * (dilation[0] * width) + d[5] * dilation[1]},
                     context),
      AffineMap::get(7, 0, {d[1], d[2], d[3], d[4], d[5]}, context),
      AffineMap::get(7, 0, {d[0], d[1], d[2], d[6]}, context)};
  SmallVector<utils::IteratorType> iterators(3, utils::IteratorType::parallel);
  iterators.append(3, utils::IteratorType::reduction);
  iterators.push_back(utils::IteratorType::parallel);
  Value wide =
      linalg::GenericOp::create(
          b, loc, TypeRange{wideType},
          ValueRange{rows, splitDim(b, loc, weight, 0, groups)},
          ValueRange{initialValue(b, loc, wideType, dynamicSizes, bias)}, maps,
          iterators, multiplyAccumulate)
          .getResult(0);
  return narrowRows(
      b, loc,
      tensor::CollapseShapeOp::create(b, loc, wide, splitReassociation(3, 1)),
      resultType);
}

/// Convolves `input` [N, C, Hp, Wp] (padded already) with `weight`
/// [O, C / groups, kH, kW] into `resultType` [N, O, OH, OW], starting from
/// `bias` [O] (or zeros if null): over wide rows with stride 1, else a
/// linalg.conv_2d_nchw_fchw, or with groups a linalg.conv_2d_ngchw_gfchw on
/// the channel dims split into groups.
Value buildConv(OpBuilder &b, Location loc, Value input, Value weight,
                Value bias, RankedTensorType resultType, int64_t groups,
                ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation) {
  SmallVector<Value> sizes = batchSizes(b, loc, resultType, input);
  Value groupedBias = bias ? splitDim(b, loc, bias, 0, groups) : Value();
  if (stride[0] == 1 && stride[1] == 1)
    return buildWideRowConv(b, loc, input, weight, groupedBias, resultType,
                            sizes, groups, dilation);
  if (groups == 1)
    return linalg::Conv2DNchwFchwOp::create(
               b, loc, resultType, ValueRange{input, weight},
               ValueRange{initialValue(b, loc, resultType, sizes, bias)},
               pairAttr(b, stride), pairAttr(b, dilation))
        .getResult(0);
  ArrayRef<int64_t> shape = resultType.getShape();
  auto groupedType = resultType.clone(
      {shape[0], groups, shape[1] / groups, shape[2], shape[3]});
  Value grouped =
      linalg::Conv2DNgchwGfchwOp::create(
          b, loc, groupedType,
          ValueRange{splitDim(b, loc, input, 1, groups),
                     splitDim(b, loc, weight, 0, groups)},
          ValueRange{initialValue(b, loc, groupedType, sizes, groupedBias)},
          pairAttr(b, stride), pairAttr(b, dilation))
          .getResult(0);
  return tensor::CollapseShapeOp::create(b, loc, resultType, grouped,
                                         splitReassociation(4, 1));
}

/// A channels-last convolution (stride 1) over wide rows, the NCHW form's
/// scheme with channels innermost: `input` [N, Hp, Wp, C] (padded) has its
/// rows joined into [N, Hp Wp + tail, C], and loops (n, p, f, kh, kw, c)
/// compute out[n, p, f] += in[n, p + kh dH Wp + kw dW, c] w[kh, kw, c, f]
/// over p = oh Wp + ow. Each tap is then a matrix product [P, C] x [C, F]
/// whose rows are a shift of the joined input: output channels run along
/// vector lanes (nnc-tile-convolutions). A 1x1 convolution without padding
/// has no columns to drop.
Value buildChannelsLastWideRowConv(OpBuilder &b, Location loc, Value input,
                                   Value weight, Value bias,
                                   RankedTensorType resultType,
                                   ValueRange dynamicSizes,
                                   ArrayRef<int64_t> dilation) {
  MLIRContext *context = b.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  Type element = inputType.getElementType();
  int64_t width = inputType.getDimSize(2);
  int64_t tail = (weightType.getDimSize(1) - 1) * dilation[1];
  Value rows =
      tensor::CollapseShapeOp::create(b, loc, input, splitReassociation(3, 1));
  if (tail != 0) {
    auto rowsType = cast<RankedTensorType>(rows.getType());
    SmallVector<int64_t> shape(rowsType.getShape());
    shape[1] += tail;
    SmallVector<OpFoldResult> low(3, b.getIndexAttr(0));
    SmallVector<OpFoldResult> high(3, b.getIndexAttr(0));
    high[1] = b.getIndexAttr(tail);
    rows = tensor::PadOp::create(b, loc, rowsType.clone(shape), rows, low, high,
                                 floatConstant(b, loc, element, 0));
  }
  ArrayRef<int64_t> shape = resultType.getShape();
  auto wideType = resultType.clone({shape[0], shape[1] * width, shape[3]});
  SmallVector<AffineExpr> d = loopDims(b, 6);
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0,
                     {d[0],
                      d[1] + d[3] * (dilation[0] * width) + d[4] * dilation[1],
                      d[5]},
                     context),
      AffineMap::get(6, 0, {d[3], d[4], d[5], d[2]}, context),
      AffineMap::get(6, 0, {d[0], d[1], d[2]}, context)};
  SmallVector<utils::IteratorType> iterators(3, utils::IteratorType::parallel);
  iterators.append(3, utils::IteratorType::reduction);
  Value wide = linalg::GenericOp::create(
                   b, loc, TypeRange{wideType}, ValueRange{rows, weight},
                   ValueRange{initialValue(b, loc, wideType, dynamicSizes, bias,
                                           /*biasDim=*/2)},
                   maps, iterators, multiplyAccumulate)
                   .getResult(0);
  auto rowsType = resultType.clone({shape[0], shape[1], width, shape[3]});
  Value split = tensor::ExpandShapeOp::create(b, loc, rowsType, wide,
                                              splitReassociation(3, 1));
  if (width == shape[2])
    return split;
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, split);
  sizes[2] = b.getIndexAttr(shape[2]);
  return tensor::ExtractSliceOp::create(
      b, loc, resultType, split,
      SmallVector<OpFoldResult>(4, b.getIndexAttr(0)), sizes,
      SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
}

/// A channels-last convolution of `input` [N, Hp, Wp, C] (padded) with
/// `weight` [kH, kW, C, O]: over wide rows with stride 1, else a
/// linalg.conv_2d_nhwc_hwcf (the same layouts).
Value buildChannelsLastConv(OpBuilder &b, Location loc, Value input,
                            Value weight, Value bias,
                            RankedTensorType resultType,
                            ArrayRef<int64_t> stride,
                            ArrayRef<int64_t> dilation) {
  SmallVector<Value> sizes = batchSizes(b, loc, resultType, input);
  if (stride[0] == 1 && stride[1] == 1)
    return buildChannelsLastWideRowConv(b, loc, input, weight, bias, resultType,
                                        sizes, dilation);
  return linalg::Conv2DNhwcHwcfOp::create(
             b, loc, resultType, ValueRange{input, weight},
             ValueRange{initialValue(b, loc, resultType, sizes, bias,
                                     /*biasDim=*/3)},
             pairAttr(b, stride), pairAttr(b, dilation))
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct Conv2dToLinalg : OpConversionPattern<nn::Conv2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::Conv2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    Value input = adaptor.getInput();
    Value zero = floatConstant(rewriter, loc, element, 0.0);
    if (op.getChannelsLast()) {
      Value padded = padSpatial(rewriter, loc, input, op.getPadding(),
                                op.getPadding(), zero, /*heightDim=*/1);
      rewriter.replaceOp(
          op, buildChannelsLastConv(rewriter, loc, padded, adaptor.getWeight(),
                                    adaptor.getBias(), resultType,
                                    op.getStride(), op.getDilation()));
      return success();
    }
    Value padded = padSpatial(rewriter, loc, input, op.getPadding(),
                              op.getPadding(), zero);
    rewriter.replaceOp(op,
                       buildConv(rewriter, loc, padded, adaptor.getWeight(),
                                 adaptor.getBias(), resultType, op.getGroups(),
                                 op.getStride(), op.getDilation()));
    return success();
  }
};

/// dx = conv(dilate(dy), flip(transpose(w))): the gradient is spread `stride`
/// apart into zeros with a border of d (k - 1) on each side, so that a
/// stride-1 convolution (dilation d) with the kernel flipped in space, and
/// input and output channels exchanged per group, yields the gradient of
/// the padded input; the padding is then cut off. Rows of the padded input
/// that no window read get zeros, as they should.
struct Conv2dBackwardInputToLinalg
    : OpConversionPattern<nn::Conv2dBackwardInputOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::Conv2dBackwardInputOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    Value grad = adaptor.getGrad(), weight = adaptor.getWeight();
    auto gradType = cast<RankedTensorType>(grad.getType());
    auto weightType = cast<RankedTensorType>(weight.getType());
    ArrayRef<int64_t> inputSize = op.getInputSize(), stride = op.getStride(),
                      padding = op.getPadding(), dilation = op.getDilation();
    int64_t groups = op.getGroups();
    int64_t kernel[] = {weightType.getDimSize(2), weightType.getDimSize(3)};
    Value zero = floatConstant(rewriter, loc, element, 0.0);

    // dy spread out: [N, O, Hp + d (kH - 1), Wp + d (kW - 1)].
    SmallVector<int64_t> spreadShape(gradType.getShape().take_front(2));
    SmallVector<OpFoldResult> offsets(2, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(2, rewriter.getIndexAttr(1));
    for (int dim = 0; dim < 2; ++dim) {
      int64_t border = dilation[dim] * (kernel[dim] - 1);
      spreadShape.push_back(inputSize[dim] + 2 * padding[dim] + border);
      offsets.push_back(rewriter.getIndexAttr(border));
      strides.push_back(rewriter.getIndexAttr(stride[dim]));
    }
    SmallVector<Value> sizes = batchSizes(rewriter, loc, resultType, grad);
    Value spread = tensor::InsertSliceOp::create(
        rewriter, loc, grad,
        buildFilled(rewriter, loc, gradType.clone(spreadShape), sizes, zero),
        offsets, tensor::getMixedSizes(rewriter, loc, grad), strides);

    // w[g * Og + o, c, kh, kw] -> [g * Cg + c, o, kH - 1 - kh, kW - 1 - kw].
    Value grouped = splitDim(rewriter, loc, weight, 0, groups);
    auto groupedType = cast<RankedTensorType>(grouped.getType());
    ArrayRef<int64_t> g = groupedType.getShape();
    auto flippedType = groupedType.clone({g[0], g[2], g[1], g[3], g[4]});
    SmallVector<AffineExpr> d = loopDims(rewriter, 5);
    AffineMap readFlipped = AffineMap::get(
        5, 0, {d[0], d[2], d[1], kernel[0] - 1 - d[3], kernel[1] - 1 - d[4]},
        context);
    Value flipped =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{flippedType}, ValueRange{grouped},
            ValueRange{tensor::EmptyOp::create(
                rewriter, loc, flippedType.getShape(), element)},
            SmallVector<AffineMap>{readFlipped,
                                   rewriter.getMultiDimIdentityMap(5)},
            SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel),
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(b, l, args[0]);
            })
            .getResult(0);
    Value transposed = tensor::CollapseShapeOp::create(
        rewriter, loc, flipped, splitReassociation(4, 0));

    auto paddedType = resultType.clone(
        {resultType.getDimSize(0), resultType.getDimSize(1),
         inputSize[0] + 2 * padding[0], inputSize[1] + 2 * padding[1]});
    const int64_t unitStride[] = {1, 1};
    Value paddedGrad = buildConv(rewriter, loc, spread, transposed, Value(),
                                 paddedType, groups, unitStride, dilation);
    if (paddedType == resultType) {
      rewriter.replaceOp(op, paddedGrad);
      return success();
    }
    SmallVector<OpFoldResult> cutOffsets(2, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> cutSizes =
        tensor::getMixedSizes(rewriter, loc, paddedGrad);
    for (int dim = 0; dim < 2; ++dim) {
      cutOffsets.push_back(rewriter.getIndexAttr(padding[dim]));
      cutSizes[2 + dim] = rewriter.getIndexAttr(inputSize[dim]);
    }
    SmallVector<OpFoldResult> ones(4, rewriter.getIndexAttr(1));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, resultType, paddedGrad, cutOffsets, cutSizes, ones);
    return success();
  }
};

/// The weight gradient of a 1x1 convolution without stride, padding or
/// groups on a static batch of several images, dw [O, C, 1, 1], as one
/// matrix product dw[o, c] = sum over k = n P + p of dy[o, k] x[k, c]: dy
/// [N, O, P] copied to [O, N P] (whole rows moved) and x transposed to
/// [N P, C]. That is the plain matrix product nnc-tile-contractions tiles,
/// each output tile's accumulators in registers across all of k, where the
/// wide-row form reads all of dy again for each input channel. (Measured on
/// ResNet's 64 -> 256 over 56 x 56: 32 images 3 to 4x faster; one image,
/// which the wide-row form reads from cache, 1.7x slower.) The copies index
/// k as n P + p, not as two dims, and the result is a tensor.reshape:
/// elementwise fusion would otherwise fold the copies, or the result's unit
/// dims, into the product, which the tiler then does not take.
Value buildPointwiseWeightGrad(OpBuilder &b, Location loc, Value grad,
                               Value input, RankedTensorType resultType) {
  MLIRContext *context = b.getContext();
  auto gradType = cast<RankedTensorType>(grad.getType());
  auto inputType = cast<RankedTensorType>(input.getType());
  Type element = resultType.getElementType();
  int64_t images = gradType.getDimSize(0), outChannels = gradType.getDimSize(1),
          channels = inputType.getDimSize(1);
  int64_t positions = gradType.getDimSize(2) * gradType.getDimSize(3);
  int64_t k = images * positions;
  const ReassociationIndices plane[] = {{0}, {1}, {2, 3}};
  SmallVector<AffineExpr> d = loopDims(b, 3);
  // `value` [N, X, P] copied to [K, X] (`channelsFirst`: [X, K]).
  auto joinImages = [&](Value value, int64_t rows, bool channelsFirst) {
    AffineExpr at = d[0] * positions + d[2];
    auto type = RankedTensorType::get(
        channelsFirst ? ArrayRef<int64_t>{rows, k} : ArrayRef<int64_t>{k, rows},
        element);
    SmallVector<AffineMap> maps = {
        b.getMultiDimIdentityMap(3),
        AffineMap::get(3, 0,
                       channelsFirst ? ArrayRef<AffineExpr>{d[1], at}
                                     : ArrayRef<AffineExpr>{at, d[1]},
                       context)};
    return linalg::GenericOp::create(
               b, loc, TypeRange{type},
               ValueRange{
                   tensor::CollapseShapeOp::create(b, loc, value, plane)},
               ValueRange{
                   tensor::EmptyOp::create(b, loc, type.getShape(), element)},
               maps,
               SmallVector<utils::IteratorType>(3,
                                                utils::IteratorType::parallel),
               [](OpBuilder &nb, Location l, ValueRange args) {
                 linalg::YieldOp::create(nb, l, args[0]);
               })
        .getResult(0);
  };
  Value a = joinImages(grad, outChannels, /*channelsFirst=*/true);
  Value bMatrix = joinImages(input, channels, /*channelsFirst=*/false);
  auto productType = RankedTensorType::get({outChannels, channels}, element);
  SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {d[0], d[2]}, context),
                                 AffineMap::get(3, 0, {d[2], d[1]}, context),
                                 AffineMap::get(3, 0, {d[0], d[1]}, context)};
  Value product =
      linalg::GenericOp::create(
          b, loc, TypeRange{productType}, ValueRange{a, bMatrix},
          ValueRange{buildFilled(b, loc, productType, {},
                                 floatConstant(b, loc, element, 0))},
          maps,
          {utils::IteratorType::parallel, utils::IteratorType::parallel,
           utils::IteratorType::reduction},
          multiplyAccumulate)
          .getResult(0);
  Value shape = arith::ConstantOp::create(
      b, loc, b.getIndexTensorAttr(resultType.getShape()));
  return tensor::ReshapeOp::create(b, loc, resultType, product, shape);
}

/// dw[g, o, c, kh, kw] = sum over n, oh, ow of
/// dy[n, g, o, oh, ow] * x[n, g, c, oh s + kh d, ow s + kw d] (x padded), as
/// one linalg.generic on the channel dims split into groups: loops
/// (g, o, c, kh, kw) parallel, then (n, oh, ow) reduced. With stride 1, dy
/// is read as wide rows (zero past OW) and the loops are (g, o, n, c, kh,
/// kw, p): the reduction over p is innermost and contiguous (LLVM
/// vectorizes it), and one image's rows of dy and x stay in cache while
/// every tap reads them.
struct Conv2dBackwardWeightToLinalg
    : OpConversionPattern<nn::Conv2dBackwardWeightOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::Conv2dBackwardWeightOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();
    int64_t groups = op.getGroups();
    ArrayRef<int64_t> padding = op.getPadding();
    auto gradType = cast<RankedTensorType>(adaptor.getGrad().getType());
    if (resultType.getDimSize(2) == 1 && resultType.getDimSize(3) == 1 &&
        llvm::all_equal({stride[0], stride[1], int64_t(1)}) &&
        llvm::all_equal({padding[0], padding[1], int64_t(0)}) && groups == 1 &&
        gradType.hasStaticShape() && gradType.getDimSize(0) > 1) {
      rewriter.replaceOp(
          op, buildPointwiseWeightGrad(rewriter, loc, adaptor.getGrad(),
                                       adaptor.getInput(), resultType));
      return success();
    }
    Value zero = floatConstant(rewriter, loc, element, 0.0);
    Value padded =
        padSpatial(rewriter, loc, adaptor.getInput(), padding, padding, zero);
    int64_t width = cast<RankedTensorType>(padded.getType()).getDimSize(3);
    ArrayRef<int64_t> w = resultType.getShape();
    auto groupedType =
        resultType.clone({groups, w[0] / groups, w[1], w[2], w[3]});

    bool wideRows = stride[0] == 1 && stride[1] == 1;
    Value input, grad;
    SmallVector<AffineMap> maps;
    SmallVector<utils::IteratorType> iterators(5,
                                               utils::IteratorType::parallel);
    if (wideRows) {
      input = joinRows(rewriter, loc, padded, (w[3] - 1) * dilation[1]);
      grad = widenRows(rewriter, loc, adaptor.getGrad(), width);
      SmallVector<AffineExpr> d = loopDims(rewriter, 7);
      maps = {AffineMap::get(
                  7, 0,
                  {d[2], d[0], d[3],
                   d[6] + d[4] * (dilation[0] * width) + d[5] * dilation[1]},
                  context),
              AffineMap::get(7, 0, {d[2], d[0], d[1], d[6]}, context),
              AffineMap::get(7, 0, {d[0], d[1], d[3], d[4], d[5]}, context)};
      iterators = {
          utils::IteratorType::parallel,  utils::IteratorType::parallel,
          utils::IteratorType::reduction, utils::IteratorType::parallel,
          utils::IteratorType::parallel,  utils::IteratorType::parallel,
          utils::IteratorType::reduction};
    } else {
      input = padded;
      grad = adaptor.getGrad();
      SmallVector<AffineExpr> d = loopDims(rewriter, 8);
      maps = {AffineMap::get(8, 0,
                             {d[5], d[0], d[2],
                              d[6] * stride[0] + d[3] * dilation[0],
                              d[7] * stride[1] + d[4] * dilation[1]},
                             context),
              AffineMap::get(8, 0, {d[5], d[0], d[1], d[6], d[7]}, context),
              AffineMap::get(8, 0, {d[0], d[1], d[2], d[3], d[4]}, context)};
      iterators.append(3, utils::IteratorType::reduction);
    }
    Value groupedGrad =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{groupedType},
            ValueRange{splitDim(rewriter, loc, input, 1, groups),
                       splitDim(rewriter, loc, grad, 1, groups)},
            ValueRange{buildFilled(rewriter, loc, groupedType, {}, zero)}, maps,
            iterators, multiplyAccumulate)
            .getResult(0);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, resultType, groupedGrad, splitReassociation(4, 0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// The high padding of a pooled input: `padding` plus the overhang of a
/// ceil_mode window.
SmallVector<int64_t, 2>
highPadding(RankedTensorType input, RankedTensorType pooled,
            ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
            ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation) {
  SmallVector<int64_t, 2> high;
  for (int dim = 0; dim < 2; ++dim)
    high.push_back(padding[dim] +
                   nn::windowOverhang(
                       input.getDimSize(2 + dim), pooled.getDimSize(2 + dim),
                       kernel[dim], stride[dim], padding[dim], dilation[dim]));
  return high;
}

/// Whether the pooling windows tile the input exactly: stride = kernel, no
/// padding or dilation, nothing left over. Input element (h, w) then
/// belongs to window (h / kH, w / kW) only.
bool windowsTileInput(RankedTensorType input, RankedTensorType pooled,
                      ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
                      ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation) {
  bool tiles = true;
  for (int dim = 0; dim < 2; ++dim)
    tiles &=
        stride[dim] == kernel[dim] && padding[dim] == 0 && dilation[dim] == 1 &&
        input.getDimSize(2 + dim) == pooled.getDimSize(2 + dim) * stride[dim];
  return tiles;
}

/// `input` [N, C, OH kH, OW kW] as windows [N, C, OH, kH, OW, kW].
Value splitIntoWindows(OpBuilder &b, Location loc, Value input,
                       ArrayRef<int64_t> kernel) {
  auto type = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> shape = type.getShape();
  return tensor::ExpandShapeOp::create(
      b, loc,
      type.clone({shape[0], shape[1], shape[2] / kernel[0], kernel[0],
                  shape[3] / kernel[1], kernel[1]}),
      input, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}});
}

/// The indexing maps of ops over a windows view, loops (n, c, oh, kh, ow,
/// kw): an element of the view, its window [N, C, OH, OW], its tap [kH, kW].
AffineMap elementsMap(OpBuilder &b) { return b.getMultiDimIdentityMap(6); }
AffineMap windowsMap(OpBuilder &b) {
  SmallVector<AffineExpr> d = loopDims(b, 6);
  return AffineMap::get(6, 0, {d[0], d[1], d[2], d[4]}, b.getContext());
}
AffineMap tapsMap(OpBuilder &b) {
  SmallVector<AffineExpr> d = loopDims(b, 6);
  return AffineMap::get(6, 0, {d[3], d[5]}, b.getContext());
}

using BodyBuilder = function_ref<void(OpBuilder &, Location, ValueRange)>;

/// A reduction of every window into `init` [N, C, OH, OW]: loops (n, c, oh,
/// kh, ow, kw) in the view's memory order, `inputs` read through `maps`,
/// for nnc-tile-pooling-windows.
Value reduceWindows(OpBuilder &b, Location loc, ValueRange inputs,
                    ArrayRef<AffineMap> maps, Value init, BodyBuilder body) {
  using utils::IteratorType;
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(windowsMap(b));
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init},
             allMaps,
             SmallVector<IteratorType>{
                 IteratorType::parallel, IteratorType::parallel,
                 IteratorType::parallel, IteratorType::reduction,
                 IteratorType::parallel, IteratorType::reduction},
             body)
      .getResult(0);
}

/// The maximum of each window of `input` [N, C, OH kH, OW kW] (NaN if it
/// holds one, as PyTorch), of type `pooledType`.
Value windowMaxima(OpBuilder &b, Location loc, Value input,
                   RankedTensorType pooledType, ArrayRef<int64_t> kernel) {
  Value lowest = floatConstant(b, loc, pooledType.getElementType(),
                               -std::numeric_limits<double>::infinity());
  Value init = buildFilled(b, loc, pooledType,
                           batchSizes(b, loc, pooledType, input), lowest);
  Value view = splitIntoWindows(b, loc, input, kernel);
  return reduceWindows(
      b, loc, ValueRange{view}, {elementsMap(b)}, init,
      [](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(
            nb, l, Value(arith::MaximumFOp::create(nb, l, args[1], args[0])));
      });
}

struct MaxPool2dToLinalg : OpConversionPattern<nn::MaxPool2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::MaxPool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> kernel = op.getKernel();
    auto inputType = cast<RankedTensorType>(input.getType());
    if (windowsTileInput(inputType, resultType, kernel, op.getStride(),
                         op.getPadding(), op.getDilation())) {
      rewriter.replaceOp(
          op, windowMaxima(rewriter, loc, input, resultType, kernel));
      return success();
    }
    Value lowest = floatConstant(rewriter, loc, element,
                                 -std::numeric_limits<double>::infinity());
    Value padded = padSpatial(
        rewriter, loc, input, op.getPadding(),
        highPadding(cast<RankedTensorType>(input.getType()), resultType, kernel,
                    op.getStride(), op.getPadding(), op.getDilation()),
        lowest);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, element);
    Value init =
        buildFilled(rewriter, loc, resultType,
                    batchSizes(rewriter, loc, resultType, input), lowest);
    rewriter.replaceOp(op, linalg::PoolingNchwMaxOp::create(
                               rewriter, loc, TypeRange{resultType},
                               ValueRange{padded, window}, ValueRange{init},
                               pairAttr(rewriter, op.getStride()),
                               pairAttr(rewriter, op.getDilation()))
                               .getResult(0));
    return success();
  }
};

/// Window sums (linalg.pooling_nchw_sum of the zero-padded input) divided by
/// a constant [OH, OW] of divisors: the shape is static, so PyTorch's
/// count_include_pad and ceil_mode rules are settled at compile time.
struct AvgPool2dToLinalg : OpConversionPattern<nn::AvgPool2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::AvgPool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                      padding = op.getPadding();
    const int64_t noDilation[] = {1, 1};
    Value zero = floatConstant(rewriter, loc, element, 0.0);
    Value padded = padSpatial(
        rewriter, loc, input, padding,
        highPadding(inputType, resultType, kernel, stride, padding, noDilation),
        zero);
    SmallVector<Value> sizes = batchSizes(rewriter, loc, resultType, input);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, element);
    Value sums =
        linalg::PoolingNchwSumOp::create(
            rewriter, loc, TypeRange{resultType}, ValueRange{padded, window},
            ValueRange{buildFilled(rewriter, loc, resultType, sizes, zero)},
            pairAttr(rewriter, stride), pairAttr(rewriter, noDilation))
            .getResult(0);

    ArrayRef<int64_t> outputSize = resultType.getShape().drop_front(2);
    SmallVector<Attribute> divisors;
    for (double divisor :
         nn::avgPoolDivisors(inputType.getShape().drop_front(2), outputSize,
                             kernel, stride, padding, op.getCountIncludePad()))
      divisors.push_back(rewriter.getFloatAttr(element, divisor));
    Value divisorTensor = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(RankedTensorType::get(outputSize, element),
                               divisors));
    SmallVector<AffineExpr> d = loopDims(rewriter, 4);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(4),
                                   AffineMap::get(4, 0, {d[2], d[3]}, context),
                                   rewriter.getMultiDimIdentityMap(4)};
    Value empty = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                          element, sizes);
    rewriter.replaceOp(
        op,
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType},
            ValueRange{sums, divisorTensor}, ValueRange{empty}, maps,
            SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l, Value(arith::DivFOp::create(b, l, args[0], args[1])));
            })
            .getResult(0));
    return success();
  }
};

/// The gradient of a max pool whose windows tile `input` [N, C, OH kH,
/// OW kW], from `grad` [N, C, OH, OW], in three ops over the windows view
/// (vectorized by nnc-tile-pooling-windows): each window's maximum; the tap
/// that won it (a min over scores: the first tap equal to the maximum or,
/// when the window holds NaN, the last NaN, as PyTorch's CPU kernel
/// chooses); and the gradient written to that tap, zeros to the others.
Value tiledWindowsGradient(OpBuilder &b, Location loc, Value input, Value grad,
                           ArrayRef<int64_t> kernel) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto gradType = cast<RankedTensorType>(grad.getType());
  Type i32 = b.getI32Type();
  int64_t tapCount = kernel[0] * kernel[1];
  SmallVector<int32_t> tapNumbers;
  for (int64_t tap = 0; tap < tapCount; ++tap)
    tapNumbers.push_back(tap);
  Value taps = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get(kernel, i32),
                             ArrayRef(tapNumbers)));
  auto i32Constant = [](OpBuilder &nb, Location l, int64_t value) {
    return arith::ConstantOp::create(nb, l, nb.getI32IntegerAttr(value))
        .getResult();
  };
  Value view = splitIntoWindows(b, loc, input, kernel);
  Value maxima = windowMaxima(b, loc, input, gradType, kernel);
  SmallVector<Value> pooledSizes = batchSizes(b, loc, gradType, input);
  Value winners = reduceWindows(
      b, loc, ValueRange{view, maxima, taps},
      {elementsMap(b), windowsMap(b), tapsMap(b)},
      buildFilled(b, loc, gradType.clone(i32), pooledSizes,
                  i32Constant(b, loc, tapCount)),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value value = args[0], maximum = args[1], tap = args[2];
        auto isNaN = [&](Value x) {
          return arith::CmpFOp::create(nb, l, arith::CmpFPredicate::UNO, x, x)
              .getResult();
        };
        Value none = i32Constant(nb, l, tapCount);
        // A NaN at tap t scores -1 - t, so the min is the last NaN.
        Value nanScore = arith::SelectOp::create(
            nb, l, isNaN(value),
            arith::SubIOp::create(nb, l, i32Constant(nb, l, -1), tap), none);
        Value maxScore = arith::SelectOp::create(
            nb, l,
            arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, value,
                                  maximum),
            tap, none);
        Value score =
            arith::SelectOp::create(nb, l, isNaN(maximum), nanScore, maxScore);
        linalg::YieldOp::create(
            nb, l, Value(arith::MinSIOp::create(nb, l, args[3], score)));
      });
  auto viewType = cast<RankedTensorType>(view.getType());
  SmallVector<Value> viewSizes = batchSizes(b, loc, viewType, input);
  Value gradients =
      linalg::GenericOp::create(
          b, loc, TypeRange{viewType}, ValueRange{winners, grad, taps},
          ValueRange{tensor::EmptyOp::create(b, loc, viewType.getShape(),
                                             viewType.getElementType(),
                                             viewSizes)},
          SmallVector<AffineMap>{windowsMap(b), windowsMap(b), tapsMap(b),
                                 elementsMap(b)},
          SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value score = args[0], gradient = args[1], tap = args[2];
            Value negative = arith::CmpIOp::create(
                nb, l, arith::CmpIPredicate::slt, score, i32Constant(nb, l, 0));
            Value winner = arith::SelectOp::create(
                nb, l, negative,
                arith::SubIOp::create(nb, l, i32Constant(nb, l, -1), score),
                score);
            Value won = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                              winner, tap);
            linalg::YieldOp::create(
                nb, l,
                Value(arith::SelectOp::create(
                    nb, l, won, gradient,
                    floatConstant(nb, l, gradType.getElementType(), 0.0))));
          })
          .getResult(0);
  return tensor::CollapseShapeOp::create(
      b, loc, inputType, gradients,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}});
}

/// Two steps, both on tensors. First, each window's argmax as a flat index
/// h * W + w into its input plane (PyTorch's return_indices): a reduction
/// over the window taking the first in-bounds element, then any larger one
/// or NaN, as PyTorch's CPU kernel. Then, for every input element, the sum
/// of the gradients of the windows (at most kH kW of them) that could
/// contain it and chose it: a gather, so the loop nest stays parallel over
/// the input.
struct MaxPool2dBackwardToLinalg
    : OpConversionPattern<nn::MaxPool2dBackwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(nn::MaxPool2dBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    Value input = adaptor.getInput(), grad = adaptor.getGrad();
    auto gradType = cast<RankedTensorType>(grad.getType());
    ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride(),
                      padding = op.getPadding(), dilation = op.getDilation();
    int64_t height = resultType.getDimSize(2), width = resultType.getDimSize(3);
    int64_t pooledHeight = gradType.getDimSize(2);
    int64_t pooledWidth = gradType.getDimSize(3);
    Type i64 = rewriter.getI64Type();
    if (windowsTileInput(resultType, gradType, kernel, stride, padding,
                         dilation)) {
      rewriter.replaceOp(
          op, tiledWindowsGradient(rewriter, loc, input, grad, kernel));
      return success();
    }

    Value lowest = floatConstant(rewriter, loc, element,
                                 -std::numeric_limits<double>::infinity());
    Value padded = padSpatial(
        rewriter, loc, input, padding,
        highPadding(resultType, gradType, kernel, stride, padding, dilation),
        lowest);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, element);
    SmallVector<Value> pooledSizes = batchSizes(rewriter, loc, gradType, input);
    Value noIndex = arith::ConstantOp::create(rewriter, loc,
                                              rewriter.getI64IntegerAttr(-1));

    // Loops (n, c) parallel, (kh, kw) reduced, (oh, ow) parallel: the taps
    // outside the output positions, so that the innermost loop runs along
    // a row of outputs (vectorizable, with the running maximum and index in
    // contiguous rows) rather than over a window of a few taps. Each output
    // still sees its taps in (kh, kw) order, so the first maximum wins.
    SmallVector<AffineExpr> d = loopDims(rewriter, 6);
    SmallVector<AffineMap> argmaxMaps = {
        AffineMap::get(6, 0,
                       {d[0], d[1], d[4] * stride[0] + d[2] * dilation[0],
                        d[5] * stride[1] + d[3] * dilation[1]},
                       context),
        AffineMap::get(6, 0, {d[2], d[3]}, context),
        AffineMap::get(6, 0, {d[0], d[1], d[4], d[5]}, context),
        AffineMap::get(6, 0, {d[0], d[1], d[4], d[5]}, context)};
    using utils::IteratorType;
    SmallVector<IteratorType> iterators = {
        IteratorType::parallel,  IteratorType::parallel,
        IteratorType::reduction, IteratorType::reduction,
        IteratorType::parallel,  IteratorType::parallel};
    auto indicesType = gradType.clone(i64);
    auto argmax = linalg::GenericOp::create(
        rewriter, loc, TypeRange{gradType, indicesType},
        ValueRange{padded, window},
        ValueRange{
            buildFilled(rewriter, loc, gradType, pooledSizes, lowest),
            buildFilled(rewriter, loc, indicesType, pooledSizes, noIndex)},
        argmaxMaps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value value = args[0], best = args[2], bestIndex = args[3];
          // The tap's position in the unpadded input, and whether it is one.
          auto position = [&](int dim) {
            Value start = arith::MulIOp::create(
                b, l, linalg::IndexOp::create(b, l, 4 + dim),
                indexConstant(b, l, stride[dim]));
            Value tap = arith::MulIOp::create(
                b, l, linalg::IndexOp::create(b, l, 2 + dim),
                indexConstant(b, l, dilation[dim]));
            return arith::SubIOp::create(
                       b, l, arith::AddIOp::create(b, l, start, tap),
                       indexConstant(b, l, padding[dim]))
                .getResult();
          };
          auto inside = [&](Value at, int64_t size) {
            Value notBelow = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::sge, at, indexConstant(b, l, 0));
            Value below = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                                at, indexConstant(b, l, size));
            return arith::AndIOp::create(b, l, notBelow, below).getResult();
          };
          Value row = position(0), column = position(1);
          Value valid = arith::AndIOp::create(b, l, inside(row, height),
                                              inside(column, width));
          Value first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              bestIndex, noIndex);
          Value larger = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                               value, best);
          Value isNaN = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO,
                                              value, value);
          Value take = arith::AndIOp::create(
              b, l, valid,
              arith::OrIOp::create(b, l, first,
                                   arith::OrIOp::create(b, l, larger, isNaN)));
          Value flat = arith::AddIOp::create(
              b, l,
              arith::MulIOp::create(b, l, row, indexConstant(b, l, width)),
              column);
          Value flatIndex = arith::IndexCastOp::create(b, l, i64, flat);
          linalg::YieldOp::create(
              b, l,
              ValueRange{
                  arith::SelectOp::create(b, l, take, value, best),
                  arith::SelectOp::create(b, l, take, flatIndex, bestIndex)});
        });
    Value indices = argmax.getResult(1);
    Value zero = floatConstant(rewriter, loc, element, 0.0);
    SmallVector<Value> sizes = batchSizes(rewriter, loc, resultType, input);

    // Loops (n, c, h, w) parallel, (kh, kw) reduced: the window whose tap
    // (kh, kw) is (h, w) starts at (h + p - kh d) / s if that divides.
    SmallVector<AffineMap> gatherMaps = {
        AffineMap::get(6, 0, {d[4], d[5]}, context),
        AffineMap::get(6, 0, {d[0], d[1], d[2], d[3]}, context)};
    SmallVector<IteratorType> gatherIterators(4, IteratorType::parallel);
    gatherIterators.append(2, IteratorType::reduction);
    Value gathered =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType}, ValueRange{window},
            ValueRange{buildFilled(rewriter, loc, resultType, sizes, zero)},
            gatherMaps, gatherIterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              // The window along one dim, and whether there is one.
              auto windowAt = [&](int dim, int64_t windows) {
                Value shifted = arith::SubIOp::create(
                    b, l,
                    arith::AddIOp::create(
                        b, l, linalg::IndexOp::create(b, l, 2 + dim),
                        indexConstant(b, l, padding[dim])),
                    arith::MulIOp::create(
                        b, l, linalg::IndexOp::create(b, l, 4 + dim),
                        indexConstant(b, l, dilation[dim])));
                Value step = indexConstant(b, l, stride[dim]);
                Value start = arith::DivSIOp::create(b, l, shifted, step);
                Value aligned = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::eq,
                    arith::RemSIOp::create(b, l, shifted, step),
                    indexConstant(b, l, 0));
                Value notBelow =
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge,
                                          shifted, indexConstant(b, l, 0));
                Value below =
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                          start, indexConstant(b, l, windows));
                Value exists = arith::AndIOp::create(
                    b, l, aligned,
                    arith::AndIOp::create(b, l, notBelow, below));
                return std::make_pair(start, exists);
              };
              auto [windowRow, rowExists] = windowAt(0, pooledHeight);
              auto [windowColumn, columnExists] = windowAt(1, pooledWidth);
              Value exists =
                  arith::AndIOp::create(b, l, rowExists, columnExists);
              // A window that does not exist reads window (0, 0) instead,
              // which stays in bounds, and is then ignored.
              Value origin = indexConstant(b, l, 0);
              SmallVector<Value> at = {
                  linalg::IndexOp::create(b, l, 0),
                  linalg::IndexOp::create(b, l, 1),
                  arith::SelectOp::create(b, l, exists, windowRow, origin),
                  arith::SelectOp::create(b, l, exists, windowColumn, origin)};
              Value chosen = tensor::ExtractOp::create(b, l, indices, at);
              Value windowGrad = tensor::ExtractOp::create(b, l, grad, at);
              Value self = arith::AddIOp::create(
                  b, l,
                  arith::MulIOp::create(b, l, linalg::IndexOp::create(b, l, 2),
                                        indexConstant(b, l, width)),
                  linalg::IndexOp::create(b, l, 3));
              Value won = arith::AndIOp::create(
                  b, l, exists,
                  arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::eq, chosen,
                      arith::IndexCastOp::create(b, l, i64, self)));
              Value contribution = arith::SelectOp::create(
                  b, l, won, windowGrad, floatConstant(b, l, element, 0.0));
              linalg::YieldOp::create(
                  b, l,
                  Value(arith::AddFOp::create(b, l, args[1], contribution)));
            })
            .getResult(0);
    rewriter.replaceOp(op, gathered);
    return success();
  }
};

} // namespace

void nnc::populateConvToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2dToLinalg, Conv2dBackwardInputToLinalg,
               Conv2dBackwardWeightToLinalg, MaxPool2dToLinalg,
               AvgPool2dToLinalg, MaxPool2dBackwardToLinalg>(
      patterns.getContext());
}
