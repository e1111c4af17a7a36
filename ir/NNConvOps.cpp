//===- ir/NNConvOps.cpp - conv and pooling ops: shape rules ---------------===//
//
// Result-type inference of the ops in ir/NNConvOps.td, which is also their
// verifier (InferTypeOpAdaptor checks the result against it): every shape
// rule of convolution and pooling, with PyTorch's wording where PyTorch
// has a message for the same mistake. Their builders are in the ODS file
// (they call addInferredResultType in ir/NNOps.cpp).
//
//===----------------------------------------------------------------------===//
#include "ir/NNConvShapes.h"
#include "ir/NNOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::nn;

//===----------------------------------------------------------------------===//
// Window arithmetic (ir/NNConvShapes.h)
//===----------------------------------------------------------------------===//

/// Division rounding toward negative infinity, as PyTorch's div_rtn.
static int64_t floorDiv(int64_t numerator, int64_t denominator) {
  int64_t quotient = numerator / denominator;
  if ((numerator % denominator != 0) && ((numerator < 0) != (denominator < 0)))
    --quotient;
  return quotient;
}

int64_t mlir::nn::windowCount(int64_t size, int64_t kernel, int64_t stride,
                              int64_t padding, int64_t dilation,
                              bool ceilMode) {
  int64_t count = floorDiv(size + 2 * padding - dilation * (kernel - 1) - 1 +
                               (ceilMode ? stride - 1 : 0),
                           stride) +
                  1;
  // The last window must start inside the input or its left padding.
  if (ceilMode && (count - 1) * stride >= size + padding)
    --count;
  return count;
}

int64_t mlir::nn::windowOverhang(int64_t size, int64_t count, int64_t kernel,
                                 int64_t stride, int64_t padding,
                                 int64_t dilation) {
  int64_t reach = (count - 1) * stride + dilation * (kernel - 1) + 1;
  return std::max<int64_t>(0, reach - (size + 2 * padding));
}

SmallVector<double> mlir::nn::avgPoolDivisors(ArrayRef<int64_t> inputSize,
                                              ArrayRef<int64_t> outputSize,
                                              ArrayRef<int64_t> kernel,
                                              ArrayRef<int64_t> stride,
                                              ArrayRef<int64_t> padding,
                                              bool countIncludePad) {
  // PyTorch's avg_pool2d: a window is first clipped to the padded input
  // (pool_size), then to the input (the count without padding).
  auto extent = [&](int64_t dim, int64_t position, bool includePad) {
    int64_t start = position * stride[dim] - padding[dim];
    int64_t end = std::min(start + kernel[dim], inputSize[dim] + padding[dim]);
    if (includePad)
      return end - start;
    return std::min(end, inputSize[dim]) - std::max<int64_t>(start, 0);
  };
  SmallVector<double> divisors;
  for (int64_t row = 0; row < outputSize[0]; ++row)
    for (int64_t column = 0; column < outputSize[1]; ++column)
      divisors.push_back(double(extent(0, row, countIncludePad) *
                                extent(1, column, countIncludePad)));
  return divisors;
}

//===----------------------------------------------------------------------===//
// Operand checks
//===----------------------------------------------------------------------===//

namespace {

/// `values` (the attribute `name`) is a pair of integers >= `minimum`.
LogicalResult checkPair(std::optional<Location> location, StringRef opName,
                        StringRef name, ArrayRef<int64_t> values,
                        int64_t minimum) {
  if (values.size() == 2 && values[0] >= minimum && values[1] >= minimum)
    return success();
  return emitOptionalError(location, "'", opName, "' op ", name,
                           " must be 2 values (along H and W) >= ", minimum,
                           ", got [", values, "]");
}

/// `type` as a rank-4 tensor whose dims other than the first are static;
/// `what` describes the expected shape in the message.
FailureOr<RankedTensorType> checkRank4(std::optional<Location> location,
                                       StringRef opName, StringRef what,
                                       Type type, bool batchMayBeDynamic) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  bool fits = tensor && tensor.getRank() == 4;
  for (int64_t dim = batchMayBeDynamic ? 1 : 0; fits && dim < 4; ++dim)
    fits = !tensor.isDynamicDim(dim);
  if (!fits)
    return emitOptionalError(location, "'", opName, "' op expects ", what,
                             ", got ", type);
  return tensor;
}

constexpr const char *kInputShape =
    "an input of shape [N, C, H, W] with static C, H and W";

LogicalResult checkSameElementType(std::optional<Location> location,
                                   StringRef opName, RankedTensorType lhs,
                                   RankedTensorType rhs) {
  if (lhs.getElementType() == rhs.getElementType())
    return success();
  return emitOptionalError(location, "'", opName,
                           "' op operand element types must match, got ",
                           lhs.getElementType(), " and ", rhs.getElementType());
}

/// The window attributes of a convolution, checked.
LogicalResult checkConvAttributes(std::optional<Location> location,
                                  StringRef opName, ArrayRef<int64_t> stride,
                                  ArrayRef<int64_t> padding,
                                  ArrayRef<int64_t> dilation, int64_t groups) {
  if (failed(checkPair(location, opName, "stride", stride, 1)) ||
      failed(checkPair(location, opName, "padding", padding, 0)) ||
      failed(checkPair(location, opName, "dilation", dilation, 1)))
    return failure();
  if (groups < 1)
    return emitOptionalError(location, "'", opName,
                             "' op groups must be >= 1, got ", groups);
  return success();
}

/// Checks that `weight` ([O, C / groups, kH, kW]) fits an input of
/// `channels` channels and returns the output size [OH, OW] of a
/// convolution of an [H, W] input.
FailureOr<SmallVector<int64_t, 2>>
convOutputSize(std::optional<Location> location, StringRef opName,
               int64_t channels, ArrayRef<int64_t> inputSize,
               RankedTensorType weight, ArrayRef<int64_t> stride,
               ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation,
               int64_t groups) {
  ArrayRef<int64_t> w = weight.getShape();
  if (w[0] % groups != 0)
    return emitOptionalError(
        location, "'", opName, "' op given groups=", groups,
        ", expected weight to be divisible by ", groups,
        " at dimension 0, but got weight of size [", w, "] instead");
  if (w[1] * groups != channels)
    return emitOptionalError(
        location, "'", opName, "' op given groups=", groups,
        ", weight of size [", w, "], expected input to have ", w[1] * groups,
        " channels, but got ", channels, " channels instead");
  SmallVector<int64_t, 2> output;
  for (int dim = 0; dim < 2; ++dim) {
    int64_t count = windowCount(inputSize[dim], w[2 + dim], stride[dim],
                                padding[dim], dilation[dim], false);
    if (count < 1)
      return emitOptionalError(
          location, "'", opName,
          "' op calculated padded input size per "
          "channel: (",
          inputSize[0] + 2 * padding[0], " x ", inputSize[1] + 2 * padding[1],
          "). Kernel size: (", dilation[0] * (w[2] - 1) + 1, " x ",
          dilation[1] * (w[3] - 1) + 1,
          "). Kernel size can't be greater than actual input size");
    output.push_back(count);
  }
  return output;
}

/// Two sizes that may describe the same dim: equal, or one of them dynamic.
bool compatibleSizes(int64_t lhs, int64_t rhs) {
  return lhs == rhs || ShapedType::isDynamic(lhs) || ShapedType::isDynamic(rhs);
}

/// The pooled type of `inputType` under the window attributes, checked as
/// PyTorch's pool2d_shape_check does.
FailureOr<RankedTensorType>
inferPooledType(std::optional<Location> location, StringRef opName,
                Type inputType, ArrayRef<int64_t> kernel,
                ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
                ArrayRef<int64_t> dilation, bool ceilMode) {
  FailureOr<RankedTensorType> input =
      checkRank4(location, opName, kInputShape, inputType, true);
  if (failed(input) ||
      failed(checkPair(location, opName, "kernel", kernel, 1)) ||
      failed(checkPair(location, opName, "stride", stride, 1)) ||
      failed(checkPair(location, opName, "padding", padding, 0)) ||
      failed(checkPair(location, opName, "dilation", dilation, 1)))
    return failure();
  SmallVector<int64_t> shape(input->getShape());
  for (int dim = 0; dim < 2; ++dim) {
    if (padding[dim] > (dilation[dim] * (kernel[dim] - 1) + 1) / 2)
      return emitOptionalError(
          location, "'", opName,
          "' op pad should be at most half of effective kernel size, but "
          "got pad=",
          padding[dim], ", kernel_size=", kernel[dim],
          " and dilation=", dilation[dim]);
    shape[2 + dim] = windowCount(shape[2 + dim], kernel[dim], stride[dim],
                                 padding[dim], dilation[dim], ceilMode);
  }
  if (shape[2] < 1 || shape[3] < 1)
    return emitOptionalError(
        location, "'", opName, "' op given input size: (", input->getDimSize(1),
        "x", input->getDimSize(2), "x", input->getDimSize(3),
        "). Calculated output size: (", shape[1], "x", shape[2], "x", shape[3],
        "). Output size is too small");
  return input->clone(shape);
}

} // namespace

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

/// nn.conv2d's shape rules, in either form: NCHW (input [N, C, H, W],
/// weight [O, C / groups, kH, kW]) or channels_last (input [N, H, W, C],
/// weight [kH, kW, C, O], groups 1), whose window rules are the NCHW
/// form's on the shapes permuted back.
LogicalResult Conv2dOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef name = getOperationName();
  bool channelsLast = adaptor.getChannelsLast();
  FailureOr<RankedTensorType> input = checkRank4(
      location, name,
      channelsLast ? "a channels_last input of shape [N, H, W, C] with static "
                     "H, W and C"
                   : kInputShape,
      adaptor.getInput().getType(), true);
  if (failed(input))
    return failure();
  FailureOr<RankedTensorType> weight = checkRank4(
      location, name,
      channelsLast ? "a static channels_last weight of shape [kH, kW, C, O]"
                   : "a static weight of shape [O, C / groups, kH, kW]",
      adaptor.getWeight().getType(), false);
  if (failed(weight) ||
      failed(checkSameElementType(location, name, *input, *weight)) ||
      failed(checkConvAttributes(location, name, adaptor.getStride(),
                                 adaptor.getPadding(), adaptor.getDilation(),
                                 adaptor.getGroups())))
    return failure();
  if (channelsLast && adaptor.getGroups() != 1)
    return emitOptionalError(location, "'", name,
                             "' op channels_last needs groups = 1, got ",
                             adaptor.getGroups());
  ArrayRef<int64_t> w = weight->getShape();
  StringRef form = channelsLast ? "channels_last weight" : "weight";
  int64_t outChannels = channelsLast ? w[3] : w[0];
  if (Value bias = adaptor.getBias()) {
    auto biasType = dyn_cast<RankedTensorType>(bias.getType());
    if (!biasType || biasType.getShape() != ArrayRef<int64_t>(outChannels))
      return emitOptionalError(
          location, "'", name, "' op given ", form, " of size [", w,
          "], expected bias to be 1-dimensional with ", outChannels,
          " elements, but got bias ", bias.getType(), " instead");
    if (failed(checkSameElementType(location, name, *input, biasType)))
      return failure();
  }
  ArrayRef<int64_t> x = input->getShape();
  int64_t channels = channelsLast ? x[3] : x[1];
  if (channelsLast && w[2] != channels)
    return emitOptionalError(location, "'", name, "' op given ", form,
                             " of size [", w, "], expected input to have ",
                             w[2], " channels, but got ", channels,
                             " channels instead");
  RankedTensorType oihw =
      channelsLast ? weight->clone({w[3], w[2], w[0], w[1]}) : *weight;
  FailureOr<SmallVector<int64_t, 2>> outputSize =
      convOutputSize(location, name, channels, x.slice(channelsLast ? 1 : 2, 2),
                     oihw, adaptor.getStride(), adaptor.getPadding(),
                     adaptor.getDilation(), adaptor.getGroups());
  if (failed(outputSize))
    return failure();
  auto [oh, ow] = std::pair((*outputSize)[0], (*outputSize)[1]);
  inferred.push_back(input->clone(
      channelsLast ? SmallVector<int64_t>{x[0], oh, ow, outChannels}
                   : SmallVector<int64_t>{x[0], outChannels, oh, ow}));
  return success();
}

LogicalResult Conv2dBackwardInputOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  StringRef name = getOperationName();
  FailureOr<RankedTensorType> grad = checkRank4(
      location, name, "a grad of shape [N, O, OH, OW] with static O, OH, OW",
      adaptor.getGrad().getType(), true);
  if (failed(grad))
    return failure();
  FailureOr<RankedTensorType> weight = checkRank4(
      location, name, "a static weight of shape [O, C / groups, kH, kW]",
      adaptor.getWeight().getType(), false);
  ArrayRef<int64_t> inputSize = adaptor.getInputSize();
  ArrayRef<int64_t> stride = adaptor.getStride();
  ArrayRef<int64_t> padding = adaptor.getPadding();
  int64_t groups = adaptor.getGroups();
  if (failed(weight) ||
      failed(checkSameElementType(location, name, *grad, *weight)) ||
      failed(checkPair(location, name, "input_size", inputSize, 1)) ||
      failed(checkConvAttributes(location, name, stride, padding,
                                 adaptor.getDilation(), groups)))
    return failure();
  int64_t channels = weight->getDimSize(1) * groups;
  FailureOr<SmallVector<int64_t, 2>> outputSize =
      convOutputSize(location, name, channels, inputSize, *weight, stride,
                     padding, adaptor.getDilation(), groups);
  if (failed(outputSize))
    return failure();
  // One window more is allowed if it starts inside the padded input: a
  // ceil_mode pooling's last window.
  bool fits = grad->getDimSize(1) == weight->getDimSize(0);
  for (int dim = 0; fits && dim < 2; ++dim) {
    int64_t windows = grad->getDimSize(2 + dim);
    fits = windows == (*outputSize)[dim] ||
           (windows == (*outputSize)[dim] + 1 &&
            (windows - 1) * stride[dim] < inputSize[dim] + 2 * padding[dim]);
  }
  if (!fits)
    return emitOptionalError(
        location, "'", name, "' op grad ", adaptor.getGrad().getType(),
        " does not have the shape of the convolution's result [N, ",
        weight->getDimSize(0), ", ", (*outputSize)[0], ", ", (*outputSize)[1],
        "]");
  inferred.push_back(
      grad->clone({grad->getDimSize(0), channels, inputSize[0], inputSize[1]}));
  return success();
}

LogicalResult Conv2dBackwardWeightOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  StringRef name = getOperationName();
  FailureOr<RankedTensorType> grad = checkRank4(
      location, name, "a grad of shape [N, O, OH, OW] with static O, OH, OW",
      adaptor.getGrad().getType(), true);
  if (failed(grad))
    return failure();
  FailureOr<RankedTensorType> input = checkRank4(
      location, name, kInputShape, adaptor.getInput().getType(), true);
  ArrayRef<int64_t> kernelSize = adaptor.getKernelSize();
  int64_t groups = adaptor.getGroups();
  if (failed(input) ||
      failed(checkSameElementType(location, name, *grad, *input)) ||
      failed(checkPair(location, name, "kernel_size", kernelSize, 1)) ||
      failed(checkConvAttributes(location, name, adaptor.getStride(),
                                 adaptor.getPadding(), adaptor.getDilation(),
                                 groups)))
    return failure();
  int64_t outChannels = grad->getDimSize(1);
  int64_t channels = input->getDimSize(1);
  if (channels % groups != 0)
    return emitOptionalError(location, "'", name, "' op input channels ",
                             channels, " are not divisible by groups=", groups);
  auto weight = RankedTensorType::get(
      {outChannels, channels / groups, kernelSize[0], kernelSize[1]},
      grad->getElementType());
  FailureOr<SmallVector<int64_t, 2>> outputSize = convOutputSize(
      location, name, channels, input->getShape().drop_front(2), weight,
      adaptor.getStride(), adaptor.getPadding(), adaptor.getDilation(), groups);
  if (failed(outputSize))
    return failure();
  if (!compatibleSizes(grad->getDimSize(0), input->getDimSize(0)) ||
      grad->getShape().drop_front(2) != ArrayRef<int64_t>(*outputSize))
    return emitOptionalError(
        location, "'", name, "' op grad ", adaptor.getGrad().getType(),
        " does not have the shape of the convolution's result [",
        input->getDimSize(0), ", ", outChannels, ", ", (*outputSize)[0], ", ",
        (*outputSize)[1], "]");
  inferred.push_back(weight);
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPool2dOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  FailureOr<RankedTensorType> pooled = inferPooledType(
      location, getOperationName(), adaptor.getInput().getType(),
      adaptor.getKernel(), adaptor.getStride(), adaptor.getPadding(),
      adaptor.getDilation(), adaptor.getCeilMode());
  if (failed(pooled))
    return failure();
  inferred.push_back(*pooled);
  return success();
}

LogicalResult MaxPool2dBackwardOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  Type inputType = adaptor.getInput().getType();
  FailureOr<RankedTensorType> pooled = inferPooledType(
      location, getOperationName(), inputType, adaptor.getKernel(),
      adaptor.getStride(), adaptor.getPadding(), adaptor.getDilation(),
      adaptor.getCeilMode());
  if (failed(pooled))
    return failure();
  auto grad = dyn_cast<RankedTensorType>(adaptor.getGrad().getType());
  if (!grad || grad.getElementType() != pooled->getElementType() ||
      grad.getRank() != 4 ||
      !llvm::all_of_zip(grad.getShape(), pooled->getShape(), compatibleSizes))
    return emitOptionalError(location, "'", getOperationName(), "' op grad ",
                             adaptor.getGrad().getType(),
                             " does not have the type of the pooled result ",
                             *pooled);
  inferred.push_back(inputType);
  return success();
}

LogicalResult AvgPool2dOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  const int64_t noDilation[] = {1, 1};
  FailureOr<RankedTensorType> pooled = inferPooledType(
      location, getOperationName(), adaptor.getInput().getType(),
      adaptor.getKernel(), adaptor.getStride(), adaptor.getPadding(),
      noDilation, adaptor.getCeilMode());
  if (failed(pooled))
    return failure();
  inferred.push_back(*pooled);
  return success();
}
