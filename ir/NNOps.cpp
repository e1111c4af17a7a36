//===- ir/NNOps.cpp - nn dialect: builders, verifiers, type inference -----===//
//
// Result-type inference is the single place where shape and dtype rules live:
// the parser, the builders and the verifier (through InferTypeOpInterface)
// all call it, so a bad shape gets the same message wherever it shows up.
//
//===----------------------------------------------------------------------===//
#include "ir/NNOps.h"
#include "ir/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

using namespace mlir;
using namespace mlir::nn;

//===----------------------------------------------------------------------===//
// Dialect
//===----------------------------------------------------------------------===//

#include "ir/NNOpsDialect.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ir/NNOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Shape rules
//===----------------------------------------------------------------------===//

namespace mlir::nn {
namespace {

/// `[2, 0]` for diagnostics.
std::string formatDims(ArrayRef<int64_t> dims) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(dims, os);
  os << ']';
  return text;
}

/// One dim of a PyTorch broadcast, or nullopt when the sizes conflict. A
/// dynamic size is trusted to match the other operand's size at run time
/// (DESIGN.md: only the batch dim is dynamic, and it never stretches).
std::optional<int64_t> broadcastDim(int64_t lhs, int64_t rhs) {
  if (lhs == rhs || rhs == 1)
    return lhs;
  if (lhs == 1)
    return rhs;
  if (ShapedType::isDynamic(lhs))
    return rhs;
  if (ShapedType::isDynamic(rhs))
    return lhs;
  return std::nullopt;
}

/// Broadcasts two shapes aligned at their trailing dims. On a conflict,
/// returns the offset from the end (1 = last dim) of the first bad dim.
std::optional<int64_t> broadcastShapes(ArrayRef<int64_t> lhs,
                                       ArrayRef<int64_t> rhs,
                                       SmallVectorImpl<int64_t> &result) {
  size_t rank = std::max(lhs.size(), rhs.size());
  result.assign(rank, 1);
  for (size_t fromEnd = 1; fromEnd <= rank; ++fromEnd) {
    int64_t lhsDim = fromEnd <= lhs.size() ? lhs[lhs.size() - fromEnd] : 1;
    int64_t rhsDim = fromEnd <= rhs.size() ? rhs[rhs.size() - fromEnd] : 1;
    std::optional<int64_t> dim = broadcastDim(lhsDim, rhsDim);
    if (!dim)
      return fromEnd;
    result[rank - fromEnd] = *dim;
  }
  return std::nullopt;
}

/// Both operands as ranked tensors of one element type, or a diagnostic.
LogicalResult checkSameElementTensors(std::optional<Location> location,
                                      StringRef opName, Type lhs, Type rhs) {
  auto lhsTensor = dyn_cast<RankedTensorType>(lhs);
  auto rhsTensor = dyn_cast<RankedTensorType>(rhs);
  if (!lhsTensor || !rhsTensor)
    return emitOptionalError(location, "'", opName,
                             "' op expects ranked tensor operands, got ", lhs,
                             " and ", rhs);
  if (lhsTensor.getElementType() != rhsTensor.getElementType())
    return emitOptionalError(
        location, "'", opName, "' op operand element types must match, got ",
        lhsTensor.getElementType(), " and ", rhsTensor.getElementType());
  return success();
}

LogicalResult inferBroadcastResultType(std::optional<Location> location,
                                       StringRef opName, Type lhs, Type rhs,
                                       SmallVectorImpl<Type> &inferred) {
  if (failed(checkSameElementTensors(location, opName, lhs, rhs)))
    return failure();
  auto lhsTensor = cast<RankedTensorType>(lhs);
  auto rhsTensor = cast<RankedTensorType>(rhs);
  SmallVector<int64_t> shape;
  if (std::optional<int64_t> badDim =
          broadcastShapes(lhsTensor.getShape(), rhsTensor.getShape(), shape))
    return emitOptionalError(location, "'", opName, "' op operand shapes ", lhs,
                             " and ", rhs, " are not broadcastable (dim -",
                             *badDim, " from the end differs)");
  inferred.push_back(RankedTensorType::get(shape, lhsTensor.getElementType()));
  return success();
}

/// A comparison's result: the broadcast shape of its operands, of i1.
LogicalResult inferCompareResultType(MLIRContext *context,
                                     std::optional<Location> location,
                                     StringRef opName, Type lhs, Type rhs,
                                     SmallVectorImpl<Type> &inferred) {
  SmallVector<Type, 1> broadcast;
  if (failed(inferBroadcastResultType(location, opName, lhs, rhs, broadcast)))
    return failure();
  inferred.push_back(cast<RankedTensorType>(broadcast.front())
                         .clone(IntegerType::get(context, 1)));
  return success();
}

/// The type of a reduction of `input` over `dims`: of `resultElement`, or
/// of the input's element type when that is null.
LogicalResult inferReductionResultType(std::optional<Location> location,
                                       StringRef opName, Type input,
                                       ArrayRef<int64_t> dims, bool keepdim,
                                       SmallVectorImpl<Type> &inferred,
                                       Type resultElement = {}) {
  auto tensor = dyn_cast<RankedTensorType>(input);
  if (!tensor)
    return emitOptionalError(location, "'", opName,
                             "' op expects a ranked tensor operand, got ",
                             input);
  int64_t rank = tensor.getRank();
  for (auto [index, dim] : llvm::enumerate(dims)) {
    if (dim < 0 || dim >= rank)
      return emitOptionalError(location, "'", opName, "' op dim ", dim,
                               " in dims ", formatDims(dims),
                               " is out of range for ", input, " (rank ", rank,
                               ")");
    if (index > 0 && dims[index - 1] >= dim)
      return emitOptionalError(location, "'", opName, "' op dims ",
                               formatDims(dims), " must be sorted and unique");
  }
  SmallVector<int64_t> shape;
  for (int64_t dim = 0; dim < rank; ++dim) {
    bool reduced = llvm::is_contained(dims, dim);
    if (!reduced)
      shape.push_back(tensor.getDimSize(dim));
    else if (keepdim)
      shape.push_back(1);
  }
  inferred.push_back(RankedTensorType::get(
      shape, resultElement ? resultElement : tensor.getElementType()));
  return success();
}

LogicalResult inferSoftmaxResultType(std::optional<Location> location,
                                     StringRef opName, Type input, int64_t dim,
                                     SmallVectorImpl<Type> &inferred) {
  auto tensor = dyn_cast<RankedTensorType>(input);
  if (!tensor)
    return emitOptionalError(location, "'", opName,
                             "' op expects a ranked tensor operand, got ",
                             input);
  if (dim < 0 || dim >= tensor.getRank())
    return emitOptionalError(location, "'", opName, "' op dim = ", dim,
                             " is out of range for ", input, " (rank ",
                             tensor.getRank(), ")");
  inferred.push_back(input);
  return success();
}

/// Two sizes that may describe the same dim: equal, or one of them dynamic.
bool compatibleDims(int64_t lhs, int64_t rhs) {
  return lhs == rhs || ShapedType::isDynamic(lhs) || ShapedType::isDynamic(rhs);
}

/// Checks `logits` ([N, C], float) and `target` ([N], i64) of a
/// cross-entropy op and gives the type of its loss under `reduction`.
FailureOr<RankedTensorType>
inferCrossEntropyLossType(std::optional<Location> location, StringRef opName,
                          Type logitsType, Type targetType,
                          Reduction reduction) {
  auto logits = dyn_cast<RankedTensorType>(logitsType);
  auto target = dyn_cast<RankedTensorType>(targetType);
  if (!logits || !target)
    return emitOptionalError(location, "'", opName,
                             "' op expects ranked tensor operands, got ",
                             logitsType, " and ", targetType);
  if (logits.getRank() != 2)
    return emitOptionalError(location, "'", opName,
                             "' op expects logits of shape [N, C], got ",
                             logitsType);
  if (target.getRank() != 1 || !target.getElementType().isInteger(64))
    return emitOptionalError(
        location, "'", opName,
        "' op expects a target of class indices of shape [N] and type i64, "
        "got ",
        targetType);
  int64_t rows = logits.getDimSize(0);
  if (!compatibleDims(rows, target.getDimSize(0)))
    return emitOptionalError(location, "'", opName, "' op logits ", logitsType,
                             " have ", rows, " rows but target ", targetType,
                             " has ", target.getDimSize(0), " class indices");
  Type element = logits.getElementType();
  if (reduction != Reduction::None)
    return RankedTensorType::get({}, element);
  if (ShapedType::isDynamic(rows))
    rows = target.getDimSize(0);
  return RankedTensorType::get({rows}, element);
}

/// Adds OpTy's inferred result type to `state`. When inference fails, its
/// diagnostic has been reported at `state.location` and the op takes its
/// first operand's type instead: a ranked tensor, so typed accessors stay
/// valid, which the verifier then rejects because it differs from the
/// (failing) inference. A bad trace thus ends in a verification failure with
/// one message at the culprit, never in an abort.
template <typename OpTy>
void addInferredResultType(OpBuilder &builder, OperationState &state) {
  MLIRContext *context = builder.getContext();
  SmallVector<Type, 1> inferred;
  if (succeeded(OpTy::inferReturnTypes(context, state.location, state.operands,
                                       state.attributes.getDictionary(context),
                                       state.getRawProperties(), state.regions,
                                       inferred))) {
    state.addTypes(inferred);
    return;
  }
  Type operandType =
      state.operands.empty() ? Type() : state.operands.front().getType();
  if (isa_and_nonnull<RankedTensorType>(operandType))
    state.addTypes(operandType);
  else
    state.addTypes(RankedTensorType::get({}, builder.getF32Type()));
}

} // namespace
} // namespace mlir::nn

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> location,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  ElementsAttr value = adaptor.getValue();
  if (!value)
    return emitOptionalError(location,
                             "'nn.constant' op requires a 'value' attribute");
  inferred.push_back(value.getType());
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

void MatMulOp::build(OpBuilder &builder, OperationState &state, Value lhs,
                     Value rhs) {
  state.addOperands({lhs, rhs});
  addInferredResultType<MatMulOp>(builder, state);
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  Type lhsType = adaptor.getLhs().getType();
  Type rhsType = adaptor.getRhs().getType();
  if (failed(checkSameElementTensors(location, getOperationName(), lhsType,
                                     rhsType)))
    return failure();
  auto lhs = cast<RankedTensorType>(lhsType);
  auto rhs = cast<RankedTensorType>(rhsType);
  if (lhs.getRank() == 0 || rhs.getRank() == 0)
    return emitOptionalError(location,
                             "'nn.matmul' op expects operands of rank >= 1, "
                             "got ",
                             lhsType, " and ", rhsType);
  // torch.matmul: a vector lhs is a row, a vector rhs a column; the added
  // dim is dropped from the result.
  SmallVector<int64_t> lhsShape(lhs.getShape()), rhsShape(rhs.getShape());
  if (lhs.getRank() == 1)
    lhsShape.insert(lhsShape.begin(), 1);
  if (rhs.getRank() == 1)
    rhsShape.push_back(1);

  int64_t lhsInner = lhsShape.back();
  int64_t rhsInner = rhsShape[rhsShape.size() - 2];
  if (!ShapedType::isDynamic(lhsInner) && !ShapedType::isDynamic(rhsInner) &&
      lhsInner != rhsInner)
    return emitOptionalError(location,
                             "'nn.matmul' op inner dims do not match: lhs ",
                             lhsType, " has ", lhsInner, " columns but rhs ",
                             rhsType, " has ", rhsInner, " rows");

  SmallVector<int64_t> shape;
  if (broadcastShapes(ArrayRef(lhsShape).drop_back(2),
                      ArrayRef(rhsShape).drop_back(2), shape))
    return emitOptionalError(location, "'nn.matmul' op batch dims of ", lhsType,
                             " and ", rhsType, " are not broadcastable");
  if (lhs.getRank() > 1)
    shape.push_back(lhsShape[lhsShape.size() - 2]);
  if (rhs.getRank() > 1)
    shape.push_back(rhsShape.back());
  inferred.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

void TransposeOp::build(OpBuilder &builder, OperationState &state, Value input,
                        int64_t dim0, int64_t dim1) {
  state.addOperands(input);
  Properties &properties = state.getOrAddProperties<Properties>();
  properties.dim0 = builder.getI64IntegerAttr(dim0);
  properties.dim1 = builder.getI64IntegerAttr(dim1);
  addInferredResultType<TransposeOp>(builder, state);
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  Type inputType = adaptor.getInput().getType();
  auto input = dyn_cast<RankedTensorType>(inputType);
  if (!input)
    return emitOptionalError(
        location, "'nn.transpose' op expects a ranked tensor operand, got ",
        inputType);
  int64_t rank = input.getRank();
  const int64_t dims[] = {static_cast<int64_t>(adaptor.getDim0()),
                          static_cast<int64_t>(adaptor.getDim1())};
  for (int i = 0; i < 2; ++i)
    if (dims[i] < 0 || dims[i] >= rank)
      return emitOptionalError(
          location, "'nn.transpose' op ", i == 0 ? "dim0" : "dim1", " = ",
          dims[i], " is out of range for ", inputType, " (rank ", rank, ")");
  SmallVector<int64_t> shape(input.getShape());
  std::swap(shape[dims[0]], shape[dims[1]]);
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

namespace {
/// Product of the static dims and the number of dynamic ones.
struct StaticShapeSummary {
  int64_t staticElements = 1;
  int64_t dynamicDims = 0;
};
} // namespace

static StaticShapeSummary summarizeShape(ArrayRef<int64_t> shape) {
  StaticShapeSummary summary;
  for (int64_t dim : shape) {
    if (ShapedType::isDynamic(dim))
      ++summary.dynamicDims;
    else
      summary.staticElements *= dim;
  }
  return summary;
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType input = getInput().getType();
  RankedTensorType result = getType();
  if (input.getElementType() != result.getElementType())
    return emitOpError("cannot change the element type: ")
           << input << " -> " << result;

  StaticShapeSummary in = summarizeShape(input.getShape());
  StaticShapeSummary out = summarizeShape(result.getShape());
  if (in.dynamicDims > 1 || out.dynamicDims > 1)
    return emitOpError("supports at most one dynamic dim per side, got ")
           << input << " -> " << result;
  if (in.dynamicDims != out.dynamicDims)
    return emitOpError("cannot reshape ")
           << input << " to " << result
           << ": a dynamic dim must appear on both sides or on neither";
  // With a dynamic dim on each side, the run-time size makes up the rest;
  // whether it divides evenly is only known at run time.
  if (in.dynamicDims == 0 && in.staticElements != out.staticElements)
    return emitOpError("element counts differ: ")
           << input << " has " << in.staticElements << " elements but "
           << result << " has " << out.staticElements;
  return success();
}

//===----------------------------------------------------------------------===//
// PowOp
//===----------------------------------------------------------------------===//

void PowOp::build(OpBuilder &builder, OperationState &state, Value input,
                  double exponent) {
  state.addOperands(input);
  state.getOrAddProperties<Properties>().exponent =
      builder.getF64FloatAttr(exponent);
  addInferredResultType<PowOp>(builder, state);
}

LogicalResult PowOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

void CrossEntropyOp::build(OpBuilder &builder, OperationState &state,
                           Value logits, Value target, Reduction reduction) {
  state.addOperands({logits, target});
  state.getOrAddProperties<Properties>().reduction =
      ReductionAttr::get(builder.getContext(), reduction);
  addInferredResultType<CrossEntropyOp>(builder, state);
}

LogicalResult CrossEntropyOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  FailureOr<RankedTensorType> loss = inferCrossEntropyLossType(
      location, getOperationName(), adaptor.getLogits().getType(),
      adaptor.getTarget().getType(), adaptor.getReduction());
  if (failed(loss))
    return failure();
  inferred.push_back(*loss);
  return success();
}

void MSELossOp::build(OpBuilder &builder, OperationState &state, Value input,
                      Value target, Reduction reduction) {
  state.addOperands({input, target});
  state.getOrAddProperties<Properties>().reduction =
      ReductionAttr::get(builder.getContext(), reduction);
  addInferredResultType<MSELossOp>(builder, state);
}

LogicalResult MSELossOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  Type inputType = adaptor.getInput().getType();
  Type targetType = adaptor.getTarget().getType();
  if (failed(checkSameElementTensors(location, getOperationName(), inputType,
                                     targetType)))
    return failure();
  auto input = cast<RankedTensorType>(inputType);
  auto target = cast<RankedTensorType>(targetType);
  if (input.getRank() != target.getRank() ||
      !llvm::all_of_zip(input.getShape(), target.getShape(), compatibleDims))
    return emitOptionalError(location,
                             "'nn.mse_loss' op input and target shapes "
                             "must match, got ",
                             inputType, " and ", targetType);
  if (adaptor.getReduction() == Reduction::None)
    inferred.push_back(input);
  else
    inferred.push_back(RankedTensorType::get({}, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Backward ops
//===----------------------------------------------------------------------===//

void BroadcastToOp::build(OpBuilder &builder, OperationState &state,
                          Value input, Value like) {
  state.addOperands({input, like});
  addInferredResultType<BroadcastToOp>(builder, state);
}

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> location,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  Type inputType = adaptor.getInput().getType();
  Type likeType = adaptor.getLike().getType();
  auto input = dyn_cast<RankedTensorType>(inputType);
  auto like = dyn_cast<RankedTensorType>(likeType);
  if (!input || !like)
    return emitOptionalError(location,
                             "'nn.broadcast_to' op expects ranked tensor "
                             "operands, got ",
                             inputType, " and ", likeType);
  int64_t offset = like.getRank() - input.getRank();
  for (int64_t dim = 0; dim < input.getRank() && offset >= 0; ++dim) {
    int64_t size = input.getDimSize(dim);
    if (size != 1 && !compatibleDims(size, like.getDimSize(dim + offset)))
      offset = -1;
  }
  if (offset < 0)
    return emitOptionalError(location, "'nn.broadcast_to' op cannot broadcast ",
                             inputType, " to the shape of ", likeType);
  inferred.push_back(
      RankedTensorType::get(like.getShape(), input.getElementType()));
  return success();
}

void CrossEntropyGradOp::build(OpBuilder &builder, OperationState &state,
                               Value grad, Value logits, Value target,
                               Reduction reduction) {
  state.addOperands({grad, logits, target});
  state.getOrAddProperties<Properties>().reduction =
      ReductionAttr::get(builder.getContext(), reduction);
  addInferredResultType<CrossEntropyGradOp>(builder, state);
}

LogicalResult CrossEntropyGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  Type logitsType = adaptor.getLogits().getType();
  FailureOr<RankedTensorType> loss = inferCrossEntropyLossType(
      location, getOperationName(), logitsType, adaptor.getTarget().getType(),
      adaptor.getReduction());
  if (failed(loss))
    return failure();
  auto grad = dyn_cast<RankedTensorType>(adaptor.getGrad().getType());
  if (!grad || grad.getElementType() != loss->getElementType() ||
      grad.getRank() != loss->getRank() ||
      !llvm::all_of_zip(grad.getShape(), loss->getShape(), compatibleDims))
    return emitOptionalError(location,
                             "'nn.cross_entropy_grad' op grad must have the "
                             "type of the loss, ",
                             *loss, ", got ", adaptor.getGrad().getType());
  inferred.push_back(logitsType);
  return success();
}

//===----------------------------------------------------------------------===//
// ConvertOp
//===----------------------------------------------------------------------===//

void ConvertOp::build(OpBuilder &builder, OperationState &state, Value input,
                      Type elementType) {
  auto inputType = dyn_cast<RankedTensorType>(input.getType());
  Type resultType = inputType ? Type(inputType.clone(elementType))
                              : Type(RankedTensorType::get({}, elementType));
  build(builder, state, resultType, input);
}

LogicalResult ConvertOp::verify() {
  if (getInput().getType().getShape() != getType().getShape())
    return emitOpError("cannot change the shape: ")
           << getInput().getType() << " -> " << getType();
  return success();
}

LogicalResult RandomUniformOp::verify() {
  auto state = cast<RankedTensorType>(getState().getType());
  if (state.getShape() != ArrayRef<int64_t>{2})
    return emitOpError("state must be tensor<2xi64> ([seed, offset]), got ")
           << state;
  if (!getType().hasStaticShape())
    return emitOpError("result shape must be static, got ") << getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Selection and clamping
//===----------------------------------------------------------------------===//

void WhereOp::build(OpBuilder &builder, OperationState &state, Value condition,
                    Value lhs, Value rhs) {
  state.addOperands({condition, lhs, rhs});
  addInferredResultType<WhereOp>(builder, state);
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  SmallVector<Type, 1> values;
  if (failed(inferBroadcastResultType(location, getOperationName(),
                                      adaptor.getLhs().getType(),
                                      adaptor.getRhs().getType(), values)))
    return failure();
  auto valueType = cast<RankedTensorType>(values.front());
  Type conditionType = adaptor.getCondition().getType();
  auto condition = dyn_cast<RankedTensorType>(conditionType);
  if (!condition)
    return emitOptionalError(location,
                             "'nn.where' op expects a ranked tensor "
                             "condition, got ",
                             conditionType);
  SmallVector<int64_t> shape;
  if (broadcastShapes(condition.getShape(), valueType.getShape(), shape))
    return emitOptionalError(location, "'nn.where' op condition ",
                             conditionType, " does not broadcast with values ",
                             valueType);
  inferred.push_back(valueType.clone(shape));
  return success();
}

void ClampOp::build(OpBuilder &builder, OperationState &state, Value input,
                    std::optional<double> min, std::optional<double> max) {
  state.addOperands(input);
  Properties &properties = state.getOrAddProperties<Properties>();
  if (min)
    properties.min = builder.getF64FloatAttr(*min);
  if (max)
    properties.max = builder.getF64FloatAttr(*max);
  addInferredResultType<ClampOp>(builder, state);
}

LogicalResult ClampOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult ClampOp::verify() {
  if (!getMin() && !getMax())
    return emitOpError("needs at least one of min and max");
  if (!isa<IntegerType>(getType().getElementType()))
    return success();
  for (FloatAttr bound : {getMinAttr(), getMaxAttr()})
    if (bound && !bound.getValue().isInteger())
      return emitOpError("bounds of an integer tensor must be integers, got ")
             << bound.getValueAsDouble();
  return success();
}

//===----------------------------------------------------------------------===//
// Slices
//===----------------------------------------------------------------------===//

/// The type of `input[..., start:end:step, ...]` along `dim`, or a
/// diagnostic naming `opName`.
static FailureOr<RankedTensorType>
inferSliceType(std::optional<Location> location, StringRef opName,
               Type inputType, int64_t dim, int64_t start, int64_t end,
               int64_t step) {
  auto input = dyn_cast<RankedTensorType>(inputType);
  if (!input)
    return emitOptionalError(location, "'", opName,
                             "' op expects a ranked tensor, got ", inputType);
  if (dim < 0 || dim >= input.getRank())
    return emitOptionalError(location, "'", opName, "' op dim = ", dim,
                             " is out of range for ", inputType, " (rank ",
                             input.getRank(), ")");
  if (step < 1)
    return emitOptionalError(location, "'", opName, "' op step = ", step,
                             " must be at least 1");
  int64_t size = input.getDimSize(dim);
  if (start < 0 || start > end || (!ShapedType::isDynamic(size) && end > size))
    return emitOptionalError(location, "'", opName, "' op [start, end) = [",
                             start, ", ", end, ") is not within [0, ", size,
                             "] of dim ", dim, " of ", inputType);
  SmallVector<int64_t> shape(input.getShape());
  shape[dim] = (end - start + step - 1) / step;
  return input.clone(shape);
}

void SliceOp::build(OpBuilder &builder, OperationState &state, Value input,
                    int64_t dim, int64_t start, int64_t end, int64_t step) {
  state.addOperands(input);
  Properties &properties = state.getOrAddProperties<Properties>();
  properties.dim = builder.getI64IntegerAttr(dim);
  properties.start = builder.getI64IntegerAttr(start);
  properties.end = builder.getI64IntegerAttr(end);
  properties.step = builder.getI64IntegerAttr(step);
  addInferredResultType<SliceOp>(builder, state);
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  FailureOr<RankedTensorType> type =
      inferSliceType(location, getOperationName(), adaptor.getInput().getType(),
                     adaptor.getDim(), adaptor.getStart(), adaptor.getEnd(),
                     adaptor.getStep());
  if (failed(type))
    return failure();
  inferred.push_back(*type);
  return success();
}

void SliceGradOp::build(OpBuilder &builder, OperationState &state, Value grad,
                        Value like, int64_t dim, int64_t start, int64_t end,
                        int64_t step) {
  state.addOperands({grad, like});
  Properties &properties = state.getOrAddProperties<Properties>();
  properties.dim = builder.getI64IntegerAttr(dim);
  properties.start = builder.getI64IntegerAttr(start);
  properties.end = builder.getI64IntegerAttr(end);
  properties.step = builder.getI64IntegerAttr(step);
  addInferredResultType<SliceGradOp>(builder, state);
}

LogicalResult SliceGradOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  Type likeType = adaptor.getLike().getType();
  FailureOr<RankedTensorType> slice =
      inferSliceType(location, getOperationName(), likeType, adaptor.getDim(),
                     adaptor.getStart(), adaptor.getEnd(), adaptor.getStep());
  if (failed(slice))
    return failure();
  auto grad = dyn_cast<RankedTensorType>(adaptor.getGrad().getType());
  if (!grad || grad.getRank() != slice->getRank() ||
      !llvm::all_of_zip(grad.getShape(), slice->getShape(), compatibleDims))
    return emitOptionalError(location,
                             "'nn.slice_grad' op grad must have the shape of "
                             "the slice, ",
                             *slice, ", got ", adaptor.getGrad().getType());
  inferred.push_back(
      cast<RankedTensorType>(likeType).clone(grad.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ConcatOp and PermuteOp
//===----------------------------------------------------------------------===//

void ConcatOp::build(OpBuilder &builder, OperationState &state,
                     ValueRange inputs, int64_t dim) {
  state.addOperands(inputs);
  state.getOrAddProperties<Properties>().dim = builder.getI64IntegerAttr(dim);
  addInferredResultType<ConcatOp>(builder, state);
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(location, "'nn.concat' op needs an operand");
  auto first = dyn_cast<RankedTensorType>(inputs.front().getType());
  if (!first)
    return emitOptionalError(location, "'nn.concat' op expects ranked "
                                       "tensors");
  int64_t dim = adaptor.getDim();
  if (dim < 0 || dim >= first.getRank())
    return emitOptionalError(location, "'nn.concat' op dim = ", dim,
                             " is out of range for ", first, " (rank ",
                             first.getRank(), ")");
  SmallVector<int64_t> shape(first.getShape());
  shape[dim] = 0;
  for (Value input : inputs) {
    auto type = dyn_cast<RankedTensorType>(input.getType());
    if (!type || type.getElementType() != first.getElementType() ||
        type.getRank() != first.getRank())
      return emitOptionalError(location,
                               "'nn.concat' op operands must have one rank "
                               "and element type, got ",
                               first, " and ", input.getType());
    for (int64_t d = 0; d < type.getRank(); ++d) {
      int64_t size = type.getDimSize(d);
      if (d == dim) {
        if (ShapedType::isDynamic(size))
          return emitOptionalError(location, "'nn.concat' op operand ",
                                   input.getType(),
                                   " has a dynamic size along dim ", dim);
        shape[d] += size;
      } else if (!compatibleDims(shape[d], size)) {
        return emitOptionalError(location, "'nn.concat' op operands ", first,
                                 " and ", input.getType(), " differ in dim ",
                                 d);
      } else if (ShapedType::isDynamic(shape[d])) {
        shape[d] = size;
      }
    }
  }
  inferred.push_back(first.clone(shape));
  return success();
}

void PermuteOp::build(OpBuilder &builder, OperationState &state, Value input,
                      ArrayRef<int64_t> dims) {
  state.addOperands(input);
  state.getOrAddProperties<Properties>().dims =
      builder.getDenseI64ArrayAttr(dims);
  addInferredResultType<PermuteOp>(builder, state);
}

LogicalResult PermuteOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  Type inputType = adaptor.getInput().getType();
  auto input = dyn_cast<RankedTensorType>(inputType);
  if (!input)
    return emitOptionalError(
        location, "'nn.permute' op expects a ranked tensor, got ", inputType);
  ArrayRef<int64_t> dims = adaptor.getDims();
  SmallVector<bool> seen(input.getRank(), false);
  bool isPermutation = int64_t(dims.size()) == input.getRank();
  for (int64_t dim : dims) {
    if (!isPermutation || dim < 0 || dim >= input.getRank() || seen[dim]) {
      isPermutation = false;
      break;
    }
    seen[dim] = true;
  }
  if (!isPermutation)
    return emitOptionalError(location, "'nn.permute' op dims ",
                             formatDims(dims), " are not a permutation of the ",
                             input.getRank(), " dims of ", inputType);
  SmallVector<int64_t> shape;
  for (int64_t dim : dims)
    shape.push_back(input.getDimSize(dim));
  inferred.push_back(input.clone(shape));
  return success();
}

//===----------------------------------------------------------------------===//
// Gathers and scatters
//===----------------------------------------------------------------------===//

/// Checks that `input` and `index` are ranked tensors and that `dim` lies in
/// `[0, rank of input)`.
static FailureOr<std::pair<RankedTensorType, RankedTensorType>>
checkIndexedOperands(std::optional<Location> location, StringRef opName,
                     Type inputType, Type indexType, int64_t dim) {
  auto input = dyn_cast<RankedTensorType>(inputType);
  auto index = dyn_cast<RankedTensorType>(indexType);
  if (!input || !index)
    return emitOptionalError(location, "'", opName,
                             "' op expects ranked tensor operands, got ",
                             inputType, " and ", indexType);
  if (dim < 0 || dim >= input.getRank())
    return emitOptionalError(location, "'", opName, "' op dim = ", dim,
                             " is out of range for ", inputType, " (rank ",
                             input.getRank(), ")");
  return std::make_pair(input, index);
}

void IndexSelectOp::build(OpBuilder &builder, OperationState &state,
                          Value input, Value index, int64_t dim) {
  state.addOperands({input, index});
  state.getOrAddProperties<Properties>().dim = builder.getI64IntegerAttr(dim);
  addInferredResultType<IndexSelectOp>(builder, state);
}

LogicalResult IndexSelectOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> location,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  auto operands = checkIndexedOperands(
      location, getOperationName(), adaptor.getInput().getType(),
      adaptor.getIndex().getType(), adaptor.getDim());
  if (failed(operands))
    return failure();
  auto [input, index] = *operands;
  if (index.getRank() != 1)
    return emitOptionalError(
        location, "'nn.index_select' op expects a 1-D index, got ", index);
  SmallVector<int64_t> shape(input.getShape());
  shape[adaptor.getDim()] = index.getDimSize(0);
  inferred.push_back(input.clone(shape));
  return success();
}

void GatherOp::build(OpBuilder &builder, OperationState &state, Value input,
                     Value index, int64_t dim) {
  state.addOperands({input, index});
  state.getOrAddProperties<Properties>().dim = builder.getI64IntegerAttr(dim);
  addInferredResultType<GatherOp>(builder, state);
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  int64_t dim = adaptor.getDim();
  auto operands = checkIndexedOperands(location, getOperationName(),
                                       adaptor.getInput().getType(),
                                       adaptor.getIndex().getType(), dim);
  if (failed(operands))
    return failure();
  auto [input, index] = *operands;
  bool fits = index.getRank() == input.getRank();
  for (int64_t d = 0; fits && d < index.getRank(); ++d) {
    int64_t indexSize = index.getDimSize(d), inputSize = input.getDimSize(d);
    fits = d == dim || ShapedType::isDynamic(indexSize) ||
           ShapedType::isDynamic(inputSize) || indexSize <= inputSize;
  }
  if (!fits)
    return emitOptionalError(location, "'nn.gather' op index ", index,
                             " must have the rank of input ", input,
                             " and no larger size outside dim ", dim);
  inferred.push_back(index.clone(input.getElementType()));
  return success();
}

void ScatterAddOp::build(OpBuilder &builder, OperationState &state, Value input,
                         Value index, Value src, int64_t dim) {
  state.addOperands({input, index, src});
  state.getOrAddProperties<Properties>().dim = builder.getI64IntegerAttr(dim);
  addInferredResultType<ScatterAddOp>(builder, state);
}

LogicalResult ScatterAddOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  int64_t dim = adaptor.getDim();
  auto operands = checkIndexedOperands(location, getOperationName(),
                                       adaptor.getInput().getType(),
                                       adaptor.getIndex().getType(), dim);
  if (failed(operands))
    return failure();
  auto [input, index] = *operands;
  Type srcType = adaptor.getSrc().getType();
  if (failed(checkSameElementTensors(location, getOperationName(), input,
                                     srcType)))
    return failure();
  auto src = cast<RankedTensorType>(srcType);
  bool fits =
      index.getRank() == input.getRank() && src.getRank() == index.getRank() &&
      llvm::all_of_zip(src.getShape(), index.getShape(), compatibleDims);
  for (int64_t d = 0; fits && d < index.getRank(); ++d)
    fits = d == dim || compatibleDims(index.getDimSize(d), input.getDimSize(d));
  if (!fits)
    return emitOptionalError(
        location, "'nn.scatter_add' op index ", index, " and src ", srcType,
        " must have one shape, equal to input ", input, " outside dim ", dim);
  inferred.push_back(input);
  return success();
}

#include "ir/NNEnums.cpp.inc"
#include "ir/NNInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "ir/NNOps.cpp.inc"
