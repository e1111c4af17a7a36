//===- ir/NNGradients.cpp - VJPs of nn ops (DifferentiableOpInterface) ----===//
//
// Each differentiable op's vector-Jacobian product, written in nn ops so the
// backward graph goes through the same passes (fusion, lowering) as the
// forward one. The formulas follow PyTorch's derivatives.yaml, so compiled
// gradients agree with the eager tape; where a formula has a choice (which
// value to reuse), it reuses the op's result rather than recomputing.
//
// Broadcasting ops reduce each operand's gradient back to the operand's shape
// (sumToShape); reductions broadcast their result's gradient back
// (nn.broadcast_to).
//
//===----------------------------------------------------------------------===//
#include "ir/NNDialect.h"
#include "ir/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"

using namespace mlir;
using namespace mlir::nn;

namespace {

RankedTensorType tensorTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// A rank-0 nn.constant holding `value`; it broadcasts against any operand
/// of an nn binary op.
Value scalarConstant(OpBuilder &b, Location loc, Type elementType,
                     double value) {
  auto type = RankedTensorType::get({}, elementType);
  return ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getFloatAttr(elementType, value)));
}

/// Sums `grad` (the gradient of a broadcast result) over the dims along
/// which an operand of type `target` was broadcast, so it gets the
/// operand's shape: leading dims the operand lacks are summed away, size-1
/// dims it stretched are summed with keepdim.
Value sumToShape(OpBuilder &b, Location loc, Value grad,
                 RankedTensorType target) {
  RankedTensorType gradType = tensorTypeOf(grad);
  int64_t offset = gradType.getRank() - target.getRank();
  SmallVector<int64_t> stretched;
  for (int64_t dim = 0; dim < target.getRank(); ++dim)
    if (target.getDimSize(dim) == 1 && gradType.getDimSize(dim + offset) != 1)
      stretched.push_back(dim);
  Value result = grad;
  if (offset > 0)
    result = SumOp::create(
        b, loc, result, llvm::to_vector(llvm::seq<int64_t>(0, offset)), false);
  if (!stretched.empty())
    result = SumOp::create(b, loc, result, stretched, /*keepdim=*/true);
  return result;
}

/// `value` broadcast to the shape of `like`, or `value` when it has that
/// shape already.
Value broadcastLike(OpBuilder &b, Location loc, Value value, Value like) {
  if (tensorTypeOf(value).getShape() == tensorTypeOf(like).getShape())
    return value;
  return BroadcastToOp::create(b, loc, value, like);
}

/// The type of a reduction of `input` over `dims` with keepdim.
RankedTensorType keepdimType(Value input, ArrayRef<int64_t> dims) {
  RankedTensorType type = tensorTypeOf(input);
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t dim : dims)
    shape[dim] = 1;
  return RankedTensorType::get(shape, type.getElementType());
}

/// `reduced` (a reduction's result or its gradient) with the reduced dims
/// reinserted as size 1, so it broadcasts against the reduction's input.
Value withKeptDims(OpBuilder &b, Location loc, Value reduced, Value input,
                   ArrayRef<int64_t> dims, bool keepdim) {
  if (keepdim)
    return reduced;
  RankedTensorType kept = keepdimType(input, dims);
  if (kept == reduced.getType())
    return reduced;
  return ReshapeOp::create(b, loc, kept, reduced);
}

/// The number of elements a reduction of `input` over `dims` combines, as a
/// value that broadcasts against the keepdim result: a rank-0 constant when
/// the reduced dims are static, else a sum of ones (only the run-time shape
/// knows the count).
Value reducedCount(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> dims) {
  RankedTensorType type = tensorTypeOf(input);
  Type element = type.getElementType();
  int64_t count = 1;
  bool dynamic = false;
  for (int64_t dim : dims) {
    dynamic |= type.isDynamicDim(dim);
    if (!type.isDynamicDim(dim))
      count *= type.getDimSize(dim);
  }
  if (!dynamic)
    return scalarConstant(b, loc, element, double(count));
  Value ones = BroadcastToOp::create(
      b, loc, scalarConstant(b, loc, element, 1.0), input);
  return SumOp::create(b, loc, ones, dims, /*keepdim=*/true);
}

/// The dims [0, rank) of `value`.
SmallVector<int64_t> allDims(Value value) {
  return llvm::to_vector(llvm::seq<int64_t>(0, tensorTypeOf(value).getRank()));
}

} // namespace

//===----------------------------------------------------------------------===//
// Constants and elementwise ops
//===----------------------------------------------------------------------===//

SmallVector<Value> ConstantOp::buildVJP(OpBuilder &, ArrayRef<Value>) {
  return {};
}

SmallVector<Value> AddOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  return {sumToShape(b, loc, grads[0], getLhs().getType()),
          sumToShape(b, loc, grads[0], getRhs().getType())};
}

SmallVector<Value> SubOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value rhsGrad = sumToShape(b, loc, grads[0], getRhs().getType());
  return {sumToShape(b, loc, grads[0], getLhs().getType()),
          NegOp::create(b, loc, rhsGrad)};
}

SmallVector<Value> MulOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value lhsGrad = MulOp::create(b, loc, grads[0], getRhs());
  Value rhsGrad = MulOp::create(b, loc, grads[0], getLhs());
  return {sumToShape(b, loc, lhsGrad, getLhs().getType()),
          sumToShape(b, loc, rhsGrad, getRhs().getType())};
}

SmallVector<Value> DivOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value lhs = getLhs(), rhs = getRhs();
  // d(l/r)/dl = 1/r; d(l/r)/dr = -l/r^2 (PyTorch's div_tensor_other_backward).
  Value lhsGrad = DivOp::create(b, loc, grads[0], rhs);
  Value rhsGrad = DivOp::create(b, loc, MulOp::create(b, loc, grads[0], lhs),
                                MulOp::create(b, loc, rhs, rhs));
  Value rhsGradSummed = sumToShape(b, loc, rhsGrad, tensorTypeOf(rhs));
  return {sumToShape(b, loc, lhsGrad, tensorTypeOf(lhs)),
          NegOp::create(b, loc, rhsGradSummed)};
}

SmallVector<Value> EqualMaskOp::buildVJP(OpBuilder &, ArrayRef<Value>) {
  // Piecewise constant: the gradient is zero wherever it exists.
  return {Value(), Value()};
}

SmallVector<Value> NegOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {NegOp::create(b, getLoc(), grads[0])};
}

SmallVector<Value> ExpOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {MulOp::create(b, getLoc(), grads[0], getResult())};
}

SmallVector<Value> LogOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {DivOp::create(b, getLoc(), grads[0], getInput())};
}

SmallVector<Value> TanhOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value y = getResult();
  Value one = scalarConstant(b, loc, getType().getElementType(), 1.0);
  Value slope = SubOp::create(b, loc, one, MulOp::create(b, loc, y, y));
  return {MulOp::create(b, loc, grads[0], slope)};
}

SmallVector<Value> SigmoidOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value y = getResult();
  Value one = scalarConstant(b, loc, getType().getElementType(), 1.0);
  Value slope = MulOp::create(b, loc, y, SubOp::create(b, loc, one, y));
  return {MulOp::create(b, loc, grads[0], slope)};
}

SmallVector<Value> ReluOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {ReluGradOp::create(b, getLoc(), grads[0], getInput())};
}

SmallVector<Value> SqrtOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value two = scalarConstant(b, loc, getType().getElementType(), 2.0);
  return {
      DivOp::create(b, loc, grads[0], MulOp::create(b, loc, two, getResult()))};
}

SmallVector<Value> PowOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  double exponent = getExponent().convertToDouble();
  Type element = getType().getElementType();
  // x^0 is constant (PyTorch returns zeros): no gradient flows.
  if (exponent == 0.0)
    return {Value()};
  if (exponent == 1.0)
    return {grads[0]};
  Value power = exponent == 2.0
                    ? getInput()
                    : Value(PowOp::create(b, loc, getInput(), exponent - 1.0));
  Value slope =
      MulOp::create(b, loc, power, scalarConstant(b, loc, element, exponent));
  return {MulOp::create(b, loc, grads[0], slope)};
}

//===----------------------------------------------------------------------===//
// Matmul and shape ops
//===----------------------------------------------------------------------===//

/// `value` with its last two dims swapped.
static Value transposeLastTwo(OpBuilder &b, Location loc, Value value) {
  int64_t rank = tensorTypeOf(value).getRank();
  return TransposeOp::create(b, loc, value, rank - 2, rank - 1);
}

/// `value` as the matrix [product of all dims but the last, last dim]; null
/// when that takes more than one dynamic dim (nn.reshape's limit).
static Value flattenToMatrix(OpBuilder &b, Location loc, Value value) {
  RankedTensorType type = tensorTypeOf(value);
  int64_t rows = 1;
  int dynamicDims = 0;
  for (int64_t size : type.getShape().drop_back()) {
    if (ShapedType::isDynamic(size))
      ++dynamicDims;
    else
      rows *= size;
  }
  if (dynamicDims > 1)
    return {};
  auto matrix = RankedTensorType::get(
      {dynamicDims ? ShapedType::kDynamic : rows, type.getShape().back()},
      type.getElementType());
  return ReshapeOp::create(b, loc, matrix, value);
}

SmallVector<Value> MatMulOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value lhs = getLhs(), rhs = getRhs(), grad = grads[0];
  // [..., M, N] x [..., K, N]^T -> [..., M, K], summed over broadcast batch
  // dims of lhs.
  Value lhsGrad = MatMulOp::create(b, loc, grad, transposeLastTwo(b, loc, rhs));
  lhsGrad = sumToShape(b, loc, lhsGrad, tensorTypeOf(lhs));

  // A rank-2 weight met every row of a batched lhs: one [K, rows] x
  // [rows, N] product gives its gradient without a batch of partial
  // products to sum.
  if (getRhs().getType().getRank() == 2 && getLhs().getType().getRank() > 2) {
    Value lhsMatrix = flattenToMatrix(b, loc, lhs);
    Value gradMatrix = lhsMatrix ? flattenToMatrix(b, loc, grad) : Value();
    if (gradMatrix) {
      Value rhsGrad = MatMulOp::create(
          b, loc, transposeLastTwo(b, loc, lhsMatrix), gradMatrix);
      return {lhsGrad, rhsGrad};
    }
  }
  Value rhsGrad = MatMulOp::create(b, loc, transposeLastTwo(b, loc, lhs), grad);
  return {lhsGrad, sumToShape(b, loc, rhsGrad, tensorTypeOf(rhs))};
}

SmallVector<Value> TransposeOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {TransposeOp::create(b, getLoc(), grads[0], getDim0(), getDim1())};
}

SmallVector<Value> ReshapeOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {ReshapeOp::create(b, getLoc(), getInput().getType(), grads[0])};
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

SmallVector<Value> SumOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value grad =
      withKeptDims(b, loc, grads[0], getInput(), getDims(), getKeepdim());
  return {broadcastLike(b, loc, grad, getInput())};
}

SmallVector<Value> MeanOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value grad =
      withKeptDims(b, loc, grads[0], getInput(), getDims(), getKeepdim());
  if (!getDims().empty())
    grad = DivOp::create(b, loc, grad,
                         reducedCount(b, loc, getInput(), getDims()));
  return {broadcastLike(b, loc, grad, getInput())};
}

SmallVector<Value> MaxOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value input = getInput();
  if (getDims().empty())
    return {grads[0]};
  // torch.amax's backward: the gradient is shared evenly by the elements
  // that attained the maximum.
  Value grad = withKeptDims(b, loc, grads[0], input, getDims(), getKeepdim());
  Value max = withKeptDims(b, loc, getResult(), input, getDims(), getKeepdim());
  Value mask = EqualMaskOp::create(b, loc, input, max);
  Value ties = SumOp::create(b, loc, mask, getDims(), /*keepdim=*/true);
  return {MulOp::create(b, loc, mask, DivOp::create(b, loc, grad, ties))};
}

//===----------------------------------------------------------------------===//
// Softmax and losses
//===----------------------------------------------------------------------===//

SmallVector<Value> SoftmaxOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value y = getResult(), grad = grads[0];
  // y * (g - sum(g * y, dim))
  Value dot = SumOp::create(b, loc, MulOp::create(b, loc, grad, y),
                            {static_cast<int64_t>(getDim())}, true);
  return {MulOp::create(b, loc, y, SubOp::create(b, loc, grad, dot))};
}

SmallVector<Value> LogSoftmaxOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value grad = grads[0];
  // g - exp(y) * sum(g, dim)
  Value total =
      SumOp::create(b, loc, grad, {static_cast<int64_t>(getDim())}, true);
  Value softmax = ExpOp::create(b, loc, getResult());
  return {SubOp::create(b, loc, grad, MulOp::create(b, loc, softmax, total))};
}

SmallVector<Value> CrossEntropyOp::buildVJP(OpBuilder &b,
                                            ArrayRef<Value> grads) {
  Value logitsGrad = CrossEntropyGradOp::create(
      b, getLoc(), grads[0], getLogits(), getTarget(), getReduction());
  // Class indices are integers: no gradient.
  return {logitsGrad, Value()};
}

SmallVector<Value> MSELossOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value input = getInput();
  Type element = getType().getElementType();
  // d/dinput (input - target)^2 = 2 (input - target), scaled by the loss
  // gradient (per element for none, / numel for mean).
  Value scale =
      MulOp::create(b, loc, grads[0], scalarConstant(b, loc, element, 2.0));
  if (getReduction() == Reduction::Mean) {
    auto scalarType = RankedTensorType::get({}, element);
    Value count = reducedCount(b, loc, input, allDims(input));
    if (count.getType() != scalarType)
      count = ReshapeOp::create(b, loc, scalarType, count);
    scale = DivOp::create(b, loc, scale, count);
  }
  Value diff = SubOp::create(b, loc, input, getTarget());
  Value inputGrad = MulOp::create(b, loc, diff, scale);
  return {inputGrad, NegOp::create(b, loc, inputGrad)};
}

//===----------------------------------------------------------------------===//
// Backward ops (second order)
//===----------------------------------------------------------------------===//

SmallVector<Value> BroadcastToOp::buildVJP(OpBuilder &b,
                                           ArrayRef<Value> grads) {
  // Only the shape of `like` is read: it gets no gradient.
  return {sumToShape(b, getLoc(), grads[0], getInput().getType()), Value()};
}

SmallVector<Value> ReluGradOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // Linear in `grad` with a mask that is piecewise constant in `input`.
  return {ReluGradOp::create(b, getLoc(), grads[0], getInput()), Value()};
}
