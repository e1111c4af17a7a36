//===- frontend/nn/ConvFunctional.cpp - Convolution and pooling -----------===//
//
// Argument checks and output sizes as PyTorch's (ConvUtils.h,
// Pool.h: pooling_output_shape, pool2d_shape_check) with its messages;
// the computation runs the kernels of frontend/kernels/ConvKernels.h on
// dense copies. An unbatched [C, H, W] input runs as a batch of one.
//
//===----------------------------------------------------------------------===//
#include "frontend/nn/ConvFunctional.h"

#include "frontend/Autocast.h"
#include "frontend/TensorInternal.h"
#include "frontend/kernels/ConvKernels.h"

namespace nnc::nn::functional {

namespace {

using autograd::BackwardArgs;
using Grads = std::vector<Tensor>;
using kernels::Sizes4;
using kernels::Window2d;

Sizes4 sizes4(const Tensor &t) {
  return {t.size(0), t.size(1), t.size(2), t.size(3)};
}

std::string pairToString(const char *name, const ExpandingArray<2> &a) {
  return std::string(name) + " (" + std::to_string(a[0]) + ", " +
         std::to_string(a[1]) + ")";
}

/// Throws unless `t` is a defined floating tensor.
void checkFloating(const char *op, const char *what, const Tensor &t) {
  detail::checkDefined(op, t);
  if (!isFloatingType(t.dtype()))
    throw Error(std::string(op) + ": expected " + what +
                " to be a floating tensor, got " + toString(t.dtype()));
}

/// `t` (if defined) as float32. The window kernels are float32/float64:
/// Half and BFloat16 ops that accumulate (conv2d, the average pools) run
/// as float32 ops between traced conversions, so eager and compiled code
/// both sum in float32 and round once, as PyTorch's CPU kernels.
Tensor asFloat32(const Tensor &t) { return t.defined() ? t.to(kFloat32) : t; }

/// A dense uninitialized [sizes] tensor of `like`'s dtype.
Tensor allocateLike(const Tensor &like, const Sizes4 &sizes) {
  return detail::allocate(IntList(sizes.begin(), sizes.end()), like.dtype());
}

/// The 3-D (unbatched) form of a 4-D op: run on a batch of one.
template <class Op> Tensor unbatched(const Tensor &input, Op &&op) {
  return op(input.unsqueeze(0)).squeeze(0);
}

void checkRank(const char *op, const Tensor &input) {
  if (input.dim() != 3 && input.dim() != 4)
    throw Error(std::string(op) +
                ": Expected 3D (unbatched) or 4D (batched) input to " + op +
                ", but got input of size: " + shapeToString(input.sizes()));
}

//===----------------------------------------------------------------------===//
// Pooling windows
//===----------------------------------------------------------------------===//

/// PyTorch's pooling_output_shape along one dim.
int64_t poolOutputSize(int64_t size, int64_t kernel, int64_t stride,
                       int64_t padding, int64_t dilation, bool ceilMode) {
  int64_t numerator = size + 2 * padding - dilation * (kernel - 1) - 1 +
                      (ceilMode ? stride - 1 : 0);
  // Floor division (the numerator may be negative).
  int64_t quotient = numerator / stride;
  if (numerator % stride != 0 && numerator < 0)
    --quotient;
  int64_t count = quotient + 1;
  // The last window must start inside the input or its left padding.
  if (ceilMode && (count - 1) * stride >= size + padding)
    --count;
  return count;
}

/// Checks a pooling window (pool2d_shape_check) and fills `window`; returns
/// the output's [N, C, OH, OW] for the 4-D `input`.
Sizes4 poolWindow(const char *op, const Tensor &input,
                  const ExpandingArray<2> &kernel, ExpandingArray<2> stride,
                  const ExpandingArray<2> &padding,
                  const ExpandingArray<2> &dilation, bool ceilMode,
                  Window2d &window) {
  std::string name = op;
  if (kernel.empty())
    throw Error(name + ": kernel_size must either be a single int, or a "
                       "tuple of two ints");
  if (stride.empty())
    stride = kernel;
  if (padding.empty() || dilation.empty())
    throw Error(name + ": padding and dilation must either be a single "
                       "int, or a tuple of two ints");
  if (kernel[0] <= 0 || kernel[1] <= 0)
    throw Error(name + ": kernel size should be greater than zero, but got " +
                "kH: " + std::to_string(kernel[0]) +
                " kW: " + std::to_string(kernel[1]));
  if (stride[0] <= 0 || stride[1] <= 0)
    throw Error(name + ": stride should be greater than zero, but got dH: " +
                std::to_string(stride[0]) +
                " dW: " + std::to_string(stride[1]));
  if (dilation[0] <= 0 || dilation[1] <= 0)
    throw Error(name +
                ": dilation should be greater than zero, but got dilationH: " +
                std::to_string(dilation[0]) +
                " dilationW: " + std::to_string(dilation[1]));
  if (padding[0] < 0 || padding[1] < 0 || kernel[1] / 2 < padding[1] ||
      kernel[0] / 2 < padding[0])
    throw Error(name +
                ": pad should be at least zero and at most half of kernel "
                "size, but got padW = " +
                std::to_string(padding[1]) +
                ", padH = " + std::to_string(padding[0]) +
                ", kW = " + std::to_string(kernel[1]) +
                ", kH = " + std::to_string(kernel[0]));
  int64_t channels = input.size(1), height = input.size(2),
          width = input.size(3);
  if (channels == 0 || height == 0 || width == 0)
    throw Error(name +
                ": Expected input's non-batch dimensions to have "
                "positive length, but input has a shape of " +
                shapeToString(input.sizes()));
  int64_t outHeight = poolOutputSize(height, kernel[0], stride[0], padding[0],
                                     dilation[0], ceilMode);
  int64_t outWidth = poolOutputSize(width, kernel[1], stride[1], padding[1],
                                    dilation[1], ceilMode);
  if (outHeight < 1 || outWidth < 1)
    throw Error(name + ": Given input size: (" + std::to_string(channels) +
                "x" + std::to_string(height) + "x" + std::to_string(width) +
                "). Calculated output size: (" + std::to_string(channels) +
                "x" + std::to_string(outHeight) + "x" +
                std::to_string(outWidth) + "). Output size is too small");
  window.kernel = *kernel;
  window.stride = *stride;
  window.padding = *padding;
  window.dilation = *dilation;
  return {input.size(0), channels, outHeight, outWidth};
}

void setWindowAttrs(OpAttrs &attrs, const Window2d &window) {
  attrs.kernel = IntList(window.kernel.begin(), window.kernel.end());
  attrs.stride = IntList(window.stride.begin(), window.stride.end());
  attrs.padding = IntList(window.padding.begin(), window.padding.end());
  attrs.dilation = IntList(window.dilation.begin(), window.dilation.end());
}

} // namespace

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

Tensor conv2d(const Tensor &input, const Tensor &weight, const Tensor &bias,
              ExpandingArray<2> stride, Conv2dPadding padding,
              ExpandingArray<2> dilation, int64_t groups) {
  // Autocast's lower-precision list: operands cast first, as own ops.
  if (autocast::detail::castsToLowerPrecision({input, weight, bias}))
    return conv2d(autocast::detail::toLowerPrecision(input),
                  autocast::detail::toLowerPrecision(weight),
                  autocast::detail::toLowerPrecision(bias), stride, padding,
                  dilation, groups);
  checkFloating("conv2d", "input", input);
  checkFloating("conv2d", "weight", weight);
  checkRank("conv2d", input);
  if (input.dim() == 3)
    return unbatched(input, [&](const Tensor &batch) {
      return conv2d(batch, weight, bias, stride, padding, dilation, groups);
    });
  if (weight.dtype() != input.dtype() ||
      (bias.defined() && bias.dtype() != input.dtype()))
    throw Error(
        std::string("conv2d: expected input, weight and bias to "
                    "have the same dtype, got input ") +
        toString(input.dtype()) + ", weight " + toString(weight.dtype()) +
        (bias.defined() ? std::string(", bias ") + toString(bias.dtype())
                        : std::string()));
  if (isReducedFloatingType(input.dtype())) {
    // Autocast would cast the float32 copies straight back.
    AutocastGuard autocastOff(autocast::get_autocast_dtype(),
                              /*enabled=*/false);
    return conv2d(asFloat32(input), asFloat32(weight), asFloat32(bias), stride,
                  padding, dilation, groups)
        .to(input.dtype());
  }
  if (stride.empty() || dilation.empty())
    throw Error("conv2d: stride and dilation must either be a single int, or "
                "a tuple of two ints");
  if (groups <= 0)
    throw Error("conv2d: non-positive groups is not supported");
  if (stride[0] <= 0 || stride[1] <= 0)
    throw Error("conv2d: non-positive stride is not supported, got " +
                pairToString("stride", stride));
  if (dilation[0] <= 0 || dilation[1] <= 0)
    throw Error("conv2d: dilation should be greater than zero, got " +
                pairToString("dilation", dilation));
  if (weight.dim() != 4)
    throw Error("conv2d: Expected 4-dimensional weight for 4-dimensional "
                "input " +
                shapeToString(input.sizes()) + ", but got " +
                std::to_string(weight.dim()) + "-dimensional weight of size " +
                shapeToString(weight.sizes()) + " instead");
  int64_t outChannels = weight.size(0);
  if (outChannels % groups != 0)
    throw Error("conv2d: Given groups=" + std::to_string(groups) +
                ", expected weight to be divisible by " +
                std::to_string(groups) +
                " at dimension 0, but got weight of "
                "size " +
                shapeToString(weight.sizes()) + " instead");
  if (input.size(1) != weight.size(1) * groups)
    throw Error("conv2d: Given groups=" + std::to_string(groups) +
                ", weight of size " + shapeToString(weight.sizes()) +
                ", expected input" + shapeToString(input.sizes()) +
                " to have " + std::to_string(weight.size(1) * groups) +
                " channels, but got " + std::to_string(input.size(1)) +
                " channels instead");
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != outChannels))
    throw Error("conv2d: Given weight of size " +
                shapeToString(weight.sizes()) +
                ", expected bias to be 1-dimensional with " +
                std::to_string(outChannels) +
                " elements, but got bias of "
                "size " +
                shapeToString(bias.sizes()) + " instead");

  Window2d window;
  window.kernel = {weight.size(2), weight.size(3)};
  window.stride = *stride;
  window.dilation = *dilation;
  for (int d = 0; d < 2; ++d) {
    int64_t extent = dilation[d] * (window.kernel[d] - 1); // kernel span - 1
    if (padding.same()) {
      if (stride[0] != 1 || stride[1] != 1)
        throw Error("conv2d: padding='same' is not supported for strided "
                    "convolutions");
      if (extent % 2 != 0)
        throw Error("conv2d: padding='same' with an even kernel span (" +
                    std::to_string(extent + 1) +
                    ") needs asymmetric padding, which is not supported yet");
      window.padding[d] = extent / 2;
    } else {
      window.padding[d] = padding.sizes()[d];
    }
  }
  if (window.padding[0] < 0 || window.padding[1] < 0)
    throw Error("conv2d: negative padding is not supported, got (" +
                std::to_string(window.padding[0]) + ", " +
                std::to_string(window.padding[1]) + ")");
  Sizes4 outSizes{input.size(0), outChannels, 0, 0};
  for (int d = 0; d < 2; ++d) {
    int64_t padded = input.size(2 + d) + 2 * window.padding[d];
    int64_t span = dilation[d] * (window.kernel[d] - 1) + 1;
    if (padded < span)
      throw Error(
          "conv2d: Calculated padded input size per channel: (" +
          std::to_string(input.size(2) + 2 * window.padding[0]) + " x " +
          std::to_string(input.size(3) + 2 * window.padding[1]) +
          "). Kernel size: (" +
          std::to_string(dilation[0] * (window.kernel[0] - 1) + 1) + " x " +
          std::to_string(dilation[1] * (window.kernel[1] - 1) + 1) +
          "). Kernel size can't be greater than actual input size");
    outSizes[2 + d] = (padded - span) / stride[d] + 1;
  }

  OpAttrs attrs;
  attrs.stride = stride.vec();
  attrs.padding = IntList(window.padding.begin(), window.padding.end());
  attrs.dilation = dilation.vec();
  attrs.groups = groups;
  std::vector<Tensor> inputs{input, weight};
  if (bias.defined())
    inputs.push_back(bias);
  Tensor denseInput, denseWeight;
  Tensor out = detail::traced(OpKind::Conv2d, inputs, attrs, [&] {
    denseInput = input.contiguous();
    denseWeight = weight.contiguous();
    Tensor denseBias = bias.defined() ? bias.contiguous() : Tensor();
    Tensor result = allocateLike(input, outSizes);
    kernels::conv2d(input.dtype(), sizes4(denseInput), denseInput.data_ptr(),
                    sizes4(denseWeight), denseWeight.data_ptr(),
                    denseBias.defined() ? denseBias.data_ptr() : nullptr,
                    window, groups, outSizes, result.data_ptr());
    return result;
  });
  autograd::recordGradient(
      out, "ConvolutionBackward0", inputs, {denseInput, denseWeight},
      [window, groups](const BackwardArgs &g) {
        const Tensor &x = g.saved[0], &w = g.saved[1];
        Tensor grad = g.grad.contiguous();
        Grads grads(g.needsGrad.size());
        if (g.needsGrad[0]) {
          grads[0] = allocateLike(x, sizes4(x));
          kernels::conv2dInputGrad(x.dtype(), sizes4(grad), grad.data_ptr(),
                                   sizes4(w), w.data_ptr(), window, groups,
                                   sizes4(x), grads[0].data_ptr());
        }
        if (g.needsGrad[1]) {
          grads[1] = allocateLike(w, sizes4(w));
          kernels::conv2dWeightGrad(x.dtype(), sizes4(x), x.data_ptr(),
                                    sizes4(grad), grad.data_ptr(), window,
                                    groups, sizes4(w), grads[1].data_ptr());
        }
        if (g.needsGrad.size() == 3 && g.needsGrad[2])
          grads[2] = grad.sum({0, 2, 3});
        return grads;
      });
  return out;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

std::tuple<Tensor, Tensor>
max_pool2d_with_indices(const Tensor &input, ExpandingArray<2> kernel_size,
                        ExpandingArray<2> stride, ExpandingArray<2> padding,
                        ExpandingArray<2> dilation, bool ceil_mode) {
  checkFloating("max_pool2d", "input", input);
  checkRank("max_pool2d", input);
  if (input.dim() == 3) {
    Tensor indices;
    Tensor out = unbatched(input, [&](const Tensor &batch) {
      auto [values, batchIndices] = max_pool2d_with_indices(
          batch, kernel_size, stride, padding, dilation, ceil_mode);
      indices = batchIndices.squeeze(0);
      return values;
    });
    return {out, indices};
  }
  Window2d window;
  Sizes4 outSizes = poolWindow("max_pool2d", input, kernel_size, stride,
                               padding, dilation, ceil_mode, window);
  OpAttrs attrs;
  setWindowAttrs(attrs, window);
  attrs.ceil_mode = ceil_mode;
  Tensor indices =
      detail::allocate(IntList(outSizes.begin(), outSizes.end()), kInt64);
  // A maximum is exact in any dtype: Half and BFloat16 pool through float32
  // copies inside the one traced op.
  ScalarType computeType =
      isReducedFloatingType(input.dtype()) ? kFloat32 : input.dtype();
  Tensor out = detail::traced(OpKind::MaxPool2d, {input}, attrs, [&] {
    Tensor dense = detail::convert(input.contiguous(), computeType);
    Tensor result = detail::allocate(IntList(outSizes.begin(), outSizes.end()),
                                     computeType);
    kernels::maxPool2d(computeType, sizes4(dense), dense.data_ptr(), window,
                       outSizes, result.data_ptr(),
                       indices.data_ptr<int64_t>());
    return detail::convert(result, input.dtype());
  });
  Sizes4 inSizes = sizes4(input);
  autograd::recordGradient(
      out, "MaxPool2DWithIndicesBackward0", {input}, {indices},
      [inSizes, computeType](const BackwardArgs &g) {
        Tensor grad = detail::convert(g.grad.contiguous(), computeType);
        Tensor gradIn = allocateLike(grad, inSizes);
        kernels::maxPool2dGrad(computeType, sizes4(grad), grad.data_ptr(),
                               g.saved[0].data_ptr<int64_t>(), inSizes,
                               gradIn.data_ptr());
        return Grads{detail::convert(gradIn, g.grad.dtype())};
      });
  return {out, indices};
}

Tensor max_pool2d(const Tensor &input, ExpandingArray<2> kernel_size,
                  ExpandingArray<2> stride, ExpandingArray<2> padding,
                  ExpandingArray<2> dilation, bool ceil_mode) {
  return std::get<0>(max_pool2d_with_indices(input, kernel_size, stride,
                                             padding, dilation, ceil_mode));
}

Tensor avg_pool2d(const Tensor &input, ExpandingArray<2> kernel_size,
                  ExpandingArray<2> stride, ExpandingArray<2> padding,
                  bool ceil_mode, bool count_include_pad) {
  checkFloating("avg_pool2d", "input", input);
  checkRank("avg_pool2d", input);
  if (input.dim() == 3)
    return unbatched(input, [&](const Tensor &batch) {
      return avg_pool2d(batch, kernel_size, stride, padding, ceil_mode,
                        count_include_pad);
    });
  if (isReducedFloatingType(input.dtype()))
    return avg_pool2d(asFloat32(input), kernel_size, stride, padding, ceil_mode,
                      count_include_pad)
        .to(input.dtype());
  Window2d window;
  Sizes4 outSizes = poolWindow("avg_pool2d", input, kernel_size, stride,
                               padding, 1, ceil_mode, window);
  OpAttrs attrs;
  setWindowAttrs(attrs, window);
  attrs.ceil_mode = ceil_mode;
  attrs.count_include_pad = count_include_pad;
  Tensor out = detail::traced(OpKind::AvgPool2d, {input}, attrs, [&] {
    Tensor dense = input.contiguous();
    Tensor result = allocateLike(input, outSizes);
    kernels::avgPool2d(input.dtype(), sizes4(dense), dense.data_ptr(), window,
                       count_include_pad, outSizes, result.data_ptr());
    return result;
  });
  Sizes4 inSizes = sizes4(input);
  autograd::recordGradient(
      out, "AvgPool2DBackward0", {input}, {},
      [inSizes, window, count_include_pad](const BackwardArgs &g) {
        Tensor grad = g.grad.contiguous();
        Tensor gradIn = allocateLike(grad, inSizes);
        kernels::avgPool2dGrad(grad.dtype(), sizes4(grad), grad.data_ptr(),
                               window, count_include_pad, inSizes,
                               gradIn.data_ptr());
        return Grads{gradIn};
      });
  return out;
}

Tensor adaptive_avg_pool2d(const Tensor &input, ExpandingArray<2> output_size) {
  checkFloating("adaptive_avg_pool2d", "input", input);
  checkRank("adaptive_avg_pool2d", input);
  if (input.dim() == 3)
    return unbatched(input, [&](const Tensor &batch) {
      return adaptive_avg_pool2d(batch, output_size);
    });
  if (output_size.empty() || output_size[0] < 0 || output_size[1] < 0)
    throw Error("adaptive_avg_pool2d: output_size must be 2 non-negative "
                "sizes, got " +
                shapeToString(output_size.vec()));
  for (int64_t d = 1; d < 4; ++d)
    if (input.size(d) == 0)
      throw Error("adaptive_avg_pool2d: Expected input to have non-zero size "
                  "for non-batch dimensions, but input has sizes " +
                  shapeToString(input.sizes()) + " with dimension " +
                  std::to_string(d) + " being empty");
  if (isReducedFloatingType(input.dtype()))
    return adaptive_avg_pool2d(asFloat32(input), output_size).to(input.dtype());
  Sizes4 outSizes{input.size(0), input.size(1), output_size[0], output_size[1]};
  OpAttrs attrs;
  attrs.shape = output_size.vec();
  Tensor out = detail::traced(OpKind::AdaptiveAvgPool2d, {input}, attrs, [&] {
    Tensor dense = input.contiguous();
    Tensor result = allocateLike(input, outSizes);
    kernels::adaptiveAvgPool2d(input.dtype(), sizes4(dense), dense.data_ptr(),
                               outSizes, result.data_ptr());
    return result;
  });
  Sizes4 inSizes = sizes4(input);
  autograd::recordGradient(out, "AdaptiveAvgPool2DBackward0", {input}, {},
                           [inSizes](const BackwardArgs &g) {
                             Tensor grad = g.grad.contiguous();
                             Tensor gradIn = allocateLike(grad, inSizes);
                             kernels::adaptiveAvgPool2dGrad(
                                 grad.dtype(), sizes4(grad), grad.data_ptr(),
                                 inSizes, gradIn.data_ptr());
                             return Grads{gradIn};
                           });
  return out;
}

} // namespace nnc::nn::functional
