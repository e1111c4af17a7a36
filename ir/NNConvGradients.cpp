//===- ir/NNConvGradients.cpp - VJPs of conv and pooling ops -------------===//
//
// DifferentiableOpInterface for nn.conv2d, nn.max_pool2d and nn.avg_pool2d.
// Each gradient is one backward op (ir/NNConvOps.td) rather than a
// composition of forward ops, because none of the pieces exists as an nn
// op: a transposed convolution needs its gradient dilated with zeros and
// its kernel flipped, the weight gradient is a correlation of the input with
// the gradient, and max pooling routes each gradient to a position chosen
// at run time. One op per gradient lowers to one linalg convolution (or
// one gather loop nest) and gets a fusion class of its own.
//
//===----------------------------------------------------------------------===//
#include "ir/NNConvShapes.h"
#include "ir/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::nn;

/// nn-layout runs after nn-autodiff, so a channels_last convolution is
/// differentiated only when a graph is written that way: its gradients are
/// the NCHW form's, on operands permuted to NCHW/OIHW and back.
static SmallVector<Value> channelsLastConvVJP(OpBuilder &b, Conv2dOp op,
                                              Value grad) {
  Location loc = op.getLoc();
  const int64_t toNCHW[] = {0, 3, 1, 2}, toNHWC[] = {0, 2, 3, 1};
  const int64_t toOIHW[] = {3, 2, 0, 1}, toHWIO[] = {2, 3, 1, 0};
  Value gradNCHW = PermuteOp::create(b, loc, grad, toNCHW);
  Value input = PermuteOp::create(b, loc, op.getInput(), toNCHW);
  Value weight = PermuteOp::create(b, loc, op.getWeight(), toOIHW);
  Value inputGrad = Conv2dBackwardInputOp::create(
      b, loc, gradNCHW, weight,
      cast<RankedTensorType>(input.getType()).getShape().drop_front(2),
      op.getStride(), op.getPadding(), op.getDilation(), 1);
  Value weightGrad = Conv2dBackwardWeightOp::create(
      b, loc, gradNCHW, input,
      cast<RankedTensorType>(weight.getType()).getShape().drop_front(2),
      op.getStride(), op.getPadding(), op.getDilation(), 1);
  SmallVector<Value> operandGrads = {
      PermuteOp::create(b, loc, inputGrad, toNHWC),
      PermuteOp::create(b, loc, weightGrad, toHWIO)};
  if (op.getBias())
    operandGrads.push_back(
        SumOp::create(b, loc, grad, {0, 1, 2}, /*keepdim=*/false));
  return operandGrads;
}

SmallVector<Value> Conv2dOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  if (getChannelsLast())
    return channelsLastConvVJP(b, *this, grads[0]);
  Location loc = getLoc();
  int64_t groups = getGroups();
  SmallVector<Value> operandGrads = {
      Conv2dBackwardInputOp::create(
          b, loc, grads[0], getWeight(),
          getInput().getType().getShape().drop_front(2), getStride(),
          getPadding(), getDilation(), groups),
      Conv2dBackwardWeightOp::create(
          b, loc, grads[0], getInput(),
          getWeight().getType().getShape().drop_front(2), getStride(),
          getPadding(), getDilation(), groups)};
  // The bias is added at every (n, h, w): its gradient sums over them.
  if (getBias())
    operandGrads.push_back(
        SumOp::create(b, loc, grads[0], {0, 2, 3}, /*keepdim=*/false));
  return operandGrads;
}

SmallVector<Value> MaxPool2dOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {MaxPool2dBackwardOp::create(b, getLoc(), grads[0], getInput(),
                                      getKernel(), getStride(), getPadding(),
                                      getDilation(), getCeilMode())};
}

/// Average pooling is a depthwise convolution with a kernel of ones
/// followed by a division by each window's divisor, so its VJP divides the
/// gradient by the divisors and convolves back with the same kernel.
SmallVector<Value> AvgPool2dOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  RankedTensorType input = getInput().getType();
  RankedTensorType result = getType();
  Type element = input.getElementType();
  ArrayRef<int64_t> kernel = getKernel();
  int64_t channels = input.getDimSize(1);

  SmallVector<Attribute> divisors;
  for (double divisor : avgPoolDivisors(
           input.getShape().drop_front(2), result.getShape().drop_front(2),
           kernel, getStride(), getPadding(), getCountIncludePad()))
    divisors.push_back(b.getFloatAttr(element, divisor));
  auto divisorType =
      RankedTensorType::get(result.getShape().drop_front(2), element);
  Value divisorTensor =
      ConstantOp::create(b, loc, DenseElementsAttr::get(divisorType, divisors));
  Value scaled = DivOp::create(b, loc, grads[0], divisorTensor);

  auto onesType =
      RankedTensorType::get({channels, 1, kernel[0], kernel[1]}, element);
  Value ones = ConstantOp::create(
      b, loc, DenseElementsAttr::get(onesType, b.getFloatAttr(element, 1.0)));
  const int64_t noDilation[] = {1, 1};
  return {Conv2dBackwardInputOp::create(
      b, loc, scaled, ones, input.getShape().drop_front(2), getStride(),
      getPadding(), noDilation, channels)};
}
