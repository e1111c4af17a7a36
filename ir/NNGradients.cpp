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
#include "ir/NNBuilders.h"
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

/// The dims [0, rank) of `value`.
SmallVector<int64_t> allDims(Value value) {
  return llvm::to_vector(llvm::seq<int64_t>(0, tensorTypeOf(value).getRank()));
}

} // namespace

//===----------------------------------------------------------------------===//
// Shared builders (ir/NNBuilders.h)
//===----------------------------------------------------------------------===//

Value mlir::nn::scalarConstant(OpBuilder &b, Location loc, Type elementType,
                               double value) {
  auto type = RankedTensorType::get({}, elementType);
  return ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getFloatAttr(elementType, value)));
}

Value mlir::nn::withKeptDims(OpBuilder &b, Location loc, Value reduced,
                             Value input, ArrayRef<int64_t> dims,
                             bool keepdim) {
  if (keepdim)
    return reduced;
  RankedTensorType kept = keepdimType(input, dims);
  if (kept == reduced.getType())
    return reduced;
  return ReshapeOp::create(b, loc, kept, reduced);
}

Value mlir::nn::reducedCount(OpBuilder &b, Location loc, Value input,
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

SmallVector<Value> ErfOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // d/dx erf(x) = 2 / sqrt(pi) * exp(-x^2).
  constexpr double kTwoOverSqrtPi = 1.1283791670955126;
  Location loc = getLoc();
  Value x = getInput();
  Value scale =
      scalarConstant(b, loc, getType().getElementType(), kTwoOverSqrtPi);
  Value gaussian =
      ExpOp::create(b, loc, NegOp::create(b, loc, MulOp::create(b, loc, x, x)));
  return {
      MulOp::create(b, loc, grads[0], MulOp::create(b, loc, scale, gaussian))};
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

SmallVector<Value> AbsOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  return {MulOp::create(b, loc, grads[0], SignOp::create(b, loc, getInput()))};
}

SmallVector<Value> SignOp::buildVJP(OpBuilder &, ArrayRef<Value>) {
  // Piecewise constant: the gradient is zero wherever it exists.
  return {Value()};
}

SmallVector<Value> PowTensorOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value base = getLhs(), exponent = getRhs(), grad = grads[0];
  Type element = getType().getElementType();
  Value zero = scalarConstant(b, loc, element, 0.0);
  Value one = scalarConstant(b, loc, element, 1.0);
  // PyTorch's pow_backward_self: e * x^(e - 1), and 0 where e == 0 (which
  // would be 0 * inf at x == 0).
  Value slope = MulOp::create(
      b, loc, exponent,
      PowTensorOp::create(b, loc, base, SubOp::create(b, loc, exponent, one)));
  Value baseGrad = WhereOp::create(b, loc, EqOp::create(b, loc, exponent, zero),
                                   zero, MulOp::create(b, loc, grad, slope));
  // pow_backward_exponent: x^e * log(x), and 0 where x == 0 and e >= 0.
  Value exponentGrad = MulOp::create(
      b, loc, grad,
      MulOp::create(b, loc, getResult(), LogOp::create(b, loc, base)));
  Value zeroBase = EqOp::create(b, loc, base, zero);
  exponentGrad = WhereOp::create(
      b, loc, zeroBase,
      WhereOp::create(b, loc, GeOp::create(b, loc, exponent, zero), zero,
                      exponentGrad),
      exponentGrad);
  return {sumToShape(b, loc, baseGrad, tensorTypeOf(base)),
          sumToShape(b, loc, exponentGrad, tensorTypeOf(exponent))};
}

SmallVector<Value> ConvertOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // Only a float-to-float conversion carries a gradient (nn-autodiff never
  // differentiates through integers); it flows back converted.
  Type inputElement = getInput().getType().getElementType();
  if (!isa<FloatType>(inputElement))
    return {Value()};
  return {ConvertOp::create(b, getLoc(), grads[0], inputElement)};
}

SmallVector<Value> WhereOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value condition = getCondition(), grad = grads[0];
  Value zero = scalarConstant(b, loc, getType().getElementType(), 0.0);
  Value lhsGrad = WhereOp::create(b, loc, condition, grad, zero);
  Value rhsGrad = WhereOp::create(b, loc, condition, zero, grad);
  return {Value(), sumToShape(b, loc, lhsGrad, getLhs().getType()),
          sumToShape(b, loc, rhsGrad, getRhs().getType())};
}

SmallVector<Value> ClampOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value input = getInput(), grad = grads[0];
  Type element = getType().getElementType();
  Value zero = scalarConstant(b, loc, element, 0.0);
  // PyTorch's clamp_backward: the gradient passes where min <= x <= max
  // (so at the bounds too), and not at NaN.
  if (FloatAttr min = getMinAttr())
    grad = WhereOp::create(
        b, loc,
        GeOp::create(b, loc, input,
                     scalarConstant(b, loc, element, min.getValueAsDouble())),
        grad, zero);
  if (FloatAttr max = getMaxAttr())
    grad = WhereOp::create(
        b, loc,
        LeOp::create(b, loc, input,
                     scalarConstant(b, loc, element, max.getValueAsDouble())),
        grad, zero);
  return {grad};
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

/// The gradients of `lhs` and `rhs` (both of rank >= 2) of a matmul whose
/// result has gradient `grad`.
static std::pair<Value, Value> matmulVJP(OpBuilder &b, Location loc, Value lhs,
                                         Value rhs, Value grad) {
  // [..., M, N] x [..., K, N]^T -> [..., M, K], summed over broadcast batch
  // dims of lhs.
  Value lhsGrad = MatMulOp::create(b, loc, grad, transposeLastTwo(b, loc, rhs));
  lhsGrad = sumToShape(b, loc, lhsGrad, tensorTypeOf(lhs));

  // A rank-2 weight met every row of a batched lhs: one [K, rows] x
  // [rows, N] product gives its gradient without a batch of partial
  // products to sum.
  if (tensorTypeOf(rhs).getRank() == 2 && tensorTypeOf(lhs).getRank() > 2) {
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

/// `value` reshaped to `shape` (same element type).
static Value reshapeTo(OpBuilder &b, Location loc, Value value,
                       ArrayRef<int64_t> shape) {
  return ReshapeOp::create(b, loc, tensorTypeOf(value).clone(shape), value);
}

SmallVector<Value> MatMulOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value lhs = getLhs(), rhs = getRhs(), grad = grads[0];
  bool lhsVector = getLhs().getType().getRank() == 1;
  bool rhsVector = getRhs().getType().getRank() == 1;
  if (!lhsVector && !rhsVector) {
    auto [lhsGrad, rhsGrad] = matmulVJP(b, loc, lhs, rhs, grad);
    return {lhsGrad, rhsGrad};
  }
  // A vector operand is the row [1, K] or the column [K, 1] that the op
  // reads it as; the product then has the dropped dims back.
  SmallVector<int64_t> productShape(getType().getShape());
  if (rhsVector) {
    rhs = reshapeTo(b, loc, rhs, {getRhs().getType().getDimSize(0), 1});
    productShape.push_back(1);
  }
  if (lhsVector) {
    lhs = reshapeTo(b, loc, lhs, {1, getLhs().getType().getDimSize(0)});
    productShape.insert(productShape.end() - 1, 1);
  }
  auto [lhsGrad, rhsGrad] =
      matmulVJP(b, loc, lhs, rhs, reshapeTo(b, loc, grad, productShape));
  return {reshapeTo(b, loc, lhsGrad, getLhs().getType().getShape()),
          reshapeTo(b, loc, rhsGrad, getRhs().getType().getShape())};
}

SmallVector<Value> TransposeOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {TransposeOp::create(b, getLoc(), grads[0], getDim0(), getDim1())};
}

SmallVector<Value> ReshapeOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {ReshapeOp::create(b, getLoc(), getInput().getType(), grads[0])};
}

SmallVector<Value> PermuteOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  SmallVector<int64_t> inverse(getDims().size());
  for (auto [position, dim] : llvm::enumerate(getDims()))
    inverse[dim] = position;
  return {PermuteOp::create(b, getLoc(), grads[0], inverse)};
}

SmallVector<Value> SliceOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {SliceGradOp::create(b, getLoc(), grads[0], getInput(), getDim(),
                              getStart(), getEnd(), getStep())};
}

SmallVector<Value> SliceGradOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // Linear in `grad`; only the shape of `like` is read.
  return {SliceOp::create(b, getLoc(), grads[0], getDim(), getStart(), getEnd(),
                          getStep()),
          Value()};
}

SmallVector<Value> ConcatOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  // Each operand's gradient is its slice of the result's; sizes along the
  // dim are static (the verifier's rule).
  int64_t dim = getDim(), offset = 0;
  SmallVector<Value> inputGrads;
  for (Value input : getInputs()) {
    int64_t size = tensorTypeOf(input).getDimSize(dim);
    inputGrads.push_back(
        SliceOp::create(b, getLoc(), grads[0], dim, offset, offset + size));
    offset += size;
  }
  return inputGrads;
}

/// Zeros of `like`'s shape and element type.
static Value zerosLike(OpBuilder &b, Location loc, Value like) {
  return BroadcastToOp::create(
      b, loc, scalarConstant(b, loc, tensorTypeOf(like).getElementType(), 0.0),
      like);
}

SmallVector<Value> IndexSelectOp::buildVJP(OpBuilder &b,
                                           ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value grad = grads[0];
  int64_t dim = getDim();
  // index_add into zeros: scatter_add with the index spread over the
  // gradient's shape.
  SmallVector<int64_t> indexShape(tensorTypeOf(grad).getRank(), 1);
  indexShape[dim] = getIndex().getType().getDimSize(0);
  Value index = BroadcastToOp::create(
      b, loc, reshapeTo(b, loc, getIndex(), indexShape), grad);
  return {ScatterAddOp::create(b, loc, zerosLike(b, loc, getInput()), index,
                               grad, dim),
          Value()};
}

SmallVector<Value> GatherOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  return {ScatterAddOp::create(b, loc, zerosLike(b, loc, getInput()),
                               getIndex(), grads[0], getDim()),
          Value()};
}

SmallVector<Value> ScatterAddOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {grads[0], Value(),
          GatherOp::create(b, getLoc(), grads[0], getIndex(), getDim())};
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

/// The VJP of torch.amax/amin over `dims`: the gradient is shared evenly by
/// the elements that attained the extremum `result`.
static Value extremumVJP(OpBuilder &b, Location loc, Value input, Value result,
                         ArrayRef<int64_t> dims, bool keepdim, Value grad) {
  if (dims.empty())
    return grad;
  grad = withKeptDims(b, loc, grad, input, dims, keepdim);
  Value extremum = withKeptDims(b, loc, result, input, dims, keepdim);
  Value mask = EqualMaskOp::create(b, loc, input, extremum);
  Value ties = SumOp::create(b, loc, mask, dims, /*keepdim=*/true);
  return MulOp::create(b, loc, mask, DivOp::create(b, loc, grad, ties));
}

SmallVector<Value> MaxOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {extremumVJP(b, getLoc(), getInput(), getResult(), getDims(),
                      getKeepdim(), grads[0])};
}

SmallVector<Value> MinOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {extremumVJP(b, getLoc(), getInput(), getResult(), getDims(),
                      getKeepdim(), grads[0])};
}

SmallVector<Value> ProdOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value input = getInput();
  if (getDims().empty())
    return {grads[0]};
  // d prod / d x_i = prod / x_i. Unlike PyTorch's prod_backward, which
  // recomputes products of the other elements, a zero element makes this
  // NaN or inf.
  Value grad = withKeptDims(b, loc, grads[0], input, getDims(), getKeepdim());
  Value product =
      withKeptDims(b, loc, getResult(), input, getDims(), getKeepdim());
  return {DivOp::create(b, loc, MulOp::create(b, loc, grad, product), input)};
}

SmallVector<Value> LogSumExpOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  Location loc = getLoc();
  Value input = getInput();
  if (getDims().empty())
    return {grads[0]};
  // g * softmax(x) = g * exp(x - logsumexp(x)).
  Value grad = withKeptDims(b, loc, grads[0], input, getDims(), getKeepdim());
  Value result =
      withKeptDims(b, loc, getResult(), input, getDims(), getKeepdim());
  Value softmax = ExpOp::create(b, loc, SubOp::create(b, loc, input, result));
  return {MulOp::create(b, loc, grad, softmax)};
}

/// The VJP of var (`std` null) or std (`std` its result) over `dims`:
/// g * (x - mean) * 2 / (N - correction), and for std divided by 2 * std.
static Value varianceVJP(OpBuilder &b, Location loc, Value input,
                         ArrayRef<int64_t> dims, int64_t correction,
                         bool keepdim, Value grad, Value std) {
  Type element = tensorTypeOf(input).getElementType();
  grad = withKeptDims(b, loc, grad, input, dims, keepdim);
  Value mean = MeanOp::create(b, loc, input, dims, /*keepdim=*/true);
  Value centered = SubOp::create(b, loc, input, mean);
  Value divisor =
      SubOp::create(b, loc, reducedCount(b, loc, input, dims),
                    scalarConstant(b, loc, element, double(correction)));
  if (std)
    divisor = MulOp::create(b, loc, divisor,
                            withKeptDims(b, loc, std, input, dims, keepdim));
  else
    grad = MulOp::create(b, loc, grad, scalarConstant(b, loc, element, 2.0));
  return DivOp::create(b, loc, MulOp::create(b, loc, grad, centered), divisor);
}

SmallVector<Value> VarOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {varianceVJP(b, getLoc(), getInput(), getDims(), getCorrection(),
                      getKeepdim(), grads[0], Value())};
}

SmallVector<Value> StdOp::buildVJP(OpBuilder &b, ArrayRef<Value> grads) {
  return {varianceVJP(b, getLoc(), getInput(), getDims(), getCorrection(),
                      getKeepdim(), grads[0], getResult())};
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
