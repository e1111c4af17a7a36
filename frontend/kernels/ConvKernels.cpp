//===- frontend/kernels/ConvKernels.cpp - Conv and pooling kernels --------===//
//
// Describes dense NCHW tensors to the Halide pipelines of ConvGenerators.cpp
// (innermost dim first: W, H, C, N) and calls the float32 or float64 one.
// Adaptive average pooling is plain C++ (see ConvKernels.h).
//
//===----------------------------------------------------------------------===//
#include "frontend/kernels/ConvKernels.h"

#include "frontend/Error.h"
#include "frontend/kernels/Kernels.h"
#include "runtime/ThreadPool.h"

#include "HalideBuffer.h"
#include "nnc_halide_avg_pool2d.h"
#include "nnc_halide_avg_pool2d_f64.h"
#include "nnc_halide_avg_pool2d_grad.h"
#include "nnc_halide_avg_pool2d_grad_f64.h"
#include "nnc_halide_conv2d.h"
#include "nnc_halide_conv2d_f64.h"
#include "nnc_halide_conv2d_input_grad.h"
#include "nnc_halide_conv2d_input_grad_f64.h"
#include "nnc_halide_conv2d_weight_grad.h"
#include "nnc_halide_conv2d_weight_grad_f64.h"
#include "nnc_halide_max_pool2d.h"
#include "nnc_halide_max_pool2d_f64.h"
#include "nnc_halide_max_pool2d_grad.h"
#include "nnc_halide_max_pool2d_grad_f64.h"

#include <algorithm>
#include <climits>
#include <string>
#include <vector>

namespace nnc::kernels {

namespace {

int32_t toInt32(int64_t value) {
  if (value > INT32_MAX || value < INT32_MIN)
    throw Error("eager kernels: size " + std::to_string(value) +
                " does not fit the kernels' 32-bit indexing");
  return static_cast<int32_t>(value);
}

halide_type_t halideTypeOf(ScalarType type) {
  if (type == kFloat32)
    return halide_type_t(halide_type_float, 32, 1);
  if (type == kFloat64)
    return halide_type_t(halide_type_float, 64, 1);
  throw Error(std::string("internal error: no conv or pooling kernel for ") +
              toString(type));
}

/// A Halide view of a dense tensor of `sizes` (outermost first).
Halide::Runtime::Buffer<void> denseView(halide_type_t type, const void *data,
                                        const std::vector<int64_t> &sizes) {
  std::vector<halide_dimension_t> dims(sizes.size());
  int64_t stride = 1;
  for (size_t d = 0; d < sizes.size(); ++d) {
    int64_t size = sizes[sizes.size() - 1 - d];
    dims[d] = halide_dimension_t(0, toInt32(size), toInt32(stride));
    stride *= size;
  }
  return Halide::Runtime::Buffer<void>(type, const_cast<void *>(data),
                                       static_cast<int>(dims.size()),
                                       dims.data());
}

Halide::Runtime::Buffer<void> denseView(halide_type_t type, const void *data,
                                        const Sizes4 &sizes) {
  return denseView(type, data,
                   std::vector<int64_t>(sizes.begin(), sizes.end()));
}

int64_t numelOf(const Sizes4 &sizes) {
  return sizes[0] * sizes[1] * sizes[2] * sizes[3];
}

/// Halide's x (width) and y (height) parameters of a window.
struct HalideWindow {
  int32_t kernelX, kernelY, strideX, strideY, paddingX, paddingY, dilationX,
      dilationY;
  explicit HalideWindow(const Window2d &w)
      : kernelX(toInt32(w.kernel[1])), kernelY(toInt32(w.kernel[0])),
        strideX(toInt32(w.stride[1])), strideY(toInt32(w.stride[0])),
        paddingX(toInt32(w.padding[1])), paddingY(toInt32(w.padding[0])),
        dilationX(toInt32(w.dilation[1])), dilationY(toInt32(w.dilation[0])) {}
};

/// The adaptive window [start, end) of output `i` of `outSize` along a dim
/// of `inSize` (PyTorch's start_index / end_index).
int64_t adaptiveStart(int64_t i, int64_t inSize, int64_t outSize) {
  return (i * inSize) / outSize;
}
int64_t adaptiveEnd(int64_t i, int64_t inSize, int64_t outSize) {
  return ((i + 1) * inSize + outSize - 1) / outSize;
}

template <class T>
void adaptiveAvgPool2dLoops(const Sizes4 &inSizes, const T *in,
                            const Sizes4 &outSizes, T *out) {
  int64_t height = inSizes[2], width = inSizes[3];
  int64_t outHeight = outSizes[2], outWidth = outSizes[3];
  runtime::parallelFor(0, inSizes[0] * inSizes[1], [&](int64_t plane) {
    const T *src = in + plane * height * width;
    T *dst = out + plane * outHeight * outWidth;
    for (int64_t oy = 0; oy < outHeight; ++oy) {
      int64_t y0 = adaptiveStart(oy, height, outHeight);
      int64_t y1 = adaptiveEnd(oy, height, outHeight);
      for (int64_t ox = 0; ox < outWidth; ++ox) {
        int64_t x0 = adaptiveStart(ox, width, outWidth);
        int64_t x1 = adaptiveEnd(ox, width, outWidth);
        T sum = 0;
        for (int64_t y = y0; y < y1; ++y)
          for (int64_t x = x0; x < x1; ++x)
            sum += src[y * width + x];
        dst[oy * outWidth + ox] = sum / T((y1 - y0) * (x1 - x0));
      }
    }
  });
}

template <class T>
void adaptiveAvgPool2dGradLoops(const Sizes4 &gradOutSizes, const T *gradOut,
                                const Sizes4 &gradInSizes, T *gradIn) {
  int64_t height = gradInSizes[2], width = gradInSizes[3];
  int64_t outHeight = gradOutSizes[2], outWidth = gradOutSizes[3];
  runtime::parallelFor(0, gradInSizes[0] * gradInSizes[1], [&](int64_t plane) {
    const T *src = gradOut + plane * outHeight * outWidth;
    T *dst = gradIn + plane * height * width;
    std::fill(dst, dst + height * width, T(0));
    for (int64_t oy = 0; oy < outHeight; ++oy) {
      int64_t y0 = adaptiveStart(oy, height, outHeight);
      int64_t y1 = adaptiveEnd(oy, height, outHeight);
      for (int64_t ox = 0; ox < outWidth; ++ox) {
        int64_t x0 = adaptiveStart(ox, width, outWidth);
        int64_t x1 = adaptiveEnd(ox, width, outWidth);
        T share = src[oy * outWidth + ox] / T((y1 - y0) * (x1 - x0));
        for (int64_t y = y0; y < y1; ++y)
          for (int64_t x = x0; x < x1; ++x)
            dst[y * width + x] += share;
      }
    }
  });
}

} // namespace

void conv2d(ScalarType type, const Sizes4 &inSizes, const void *in,
            const Sizes4 &weightSizes, const void *weight, const void *bias,
            const Window2d &window, int64_t groups, const Sizes4 &outSizes,
            void *out) {
  if (numelOf(outSizes) == 0)
    return;
  halide_type_t htype = halideTypeOf(type);
  // The pipeline always adds a bias: zeros stand for none.
  std::vector<double> zeros;
  if (!bias) {
    zeros.assign(static_cast<size_t>(outSizes[1]), 0.0);
    bias = zeros.data(); // 0.0 is all-zero bits, so also float zeros
  }
  auto inView = denseView(htype, in, inSizes);
  auto weightView = denseView(htype, weight, weightSizes);
  auto biasView = denseView(htype, bias, std::vector<int64_t>{outSizes[1]});
  auto outView = denseView(htype, out, outSizes);
  HalideWindow w(window);
  auto pipeline = type == kFloat64 ? nnc_halide_conv2d_f64 : nnc_halide_conv2d;
  runHalidePipeline("conv2d", [&] {
    return pipeline(inView.raw_buffer(), weightView.raw_buffer(),
                    biasView.raw_buffer(), w.strideX, w.strideY, w.paddingX,
                    w.paddingY, w.dilationX, w.dilationY, toInt32(groups),
                    outView.raw_buffer());
  });
}

void conv2dInputGrad(ScalarType type, const Sizes4 &gradOutSizes,
                     const void *gradOut, const Sizes4 &weightSizes,
                     const void *weight, const Window2d &window, int64_t groups,
                     const Sizes4 &gradInSizes, void *gradIn) {
  if (numelOf(gradInSizes) == 0)
    return;
  halide_type_t htype = halideTypeOf(type);
  auto gradOutView = denseView(htype, gradOut, gradOutSizes);
  auto weightView = denseView(htype, weight, weightSizes);
  auto gradInView = denseView(htype, gradIn, gradInSizes);
  HalideWindow w(window);
  auto pipeline = type == kFloat64 ? nnc_halide_conv2d_input_grad_f64
                                   : nnc_halide_conv2d_input_grad;
  runHalidePipeline("conv2d_input_grad", [&] {
    return pipeline(gradOutView.raw_buffer(), weightView.raw_buffer(),
                    w.strideX, w.strideY, w.paddingX, w.paddingY, w.dilationX,
                    w.dilationY, toInt32(groups), gradInView.raw_buffer());
  });
}

void conv2dWeightGrad(ScalarType type, const Sizes4 &inSizes, const void *in,
                      const Sizes4 &gradOutSizes, const void *gradOut,
                      const Window2d &window, int64_t groups,
                      const Sizes4 &gradWeightSizes, void *gradWeight) {
  if (numelOf(gradWeightSizes) == 0)
    return;
  halide_type_t htype = halideTypeOf(type);
  auto inView = denseView(htype, in, inSizes);
  auto gradOutView = denseView(htype, gradOut, gradOutSizes);
  auto gradWeightView = denseView(htype, gradWeight, gradWeightSizes);
  HalideWindow w(window);
  auto pipeline = type == kFloat64 ? nnc_halide_conv2d_weight_grad_f64
                                   : nnc_halide_conv2d_weight_grad;
  runHalidePipeline("conv2d_weight_grad", [&] {
    return pipeline(inView.raw_buffer(), gradOutView.raw_buffer(), w.strideX,
                    w.strideY, w.paddingX, w.paddingY, w.dilationX, w.dilationY,
                    toInt32(groups), gradWeightView.raw_buffer());
  });
}

void maxPool2d(ScalarType type, const Sizes4 &inSizes, const void *in,
               const Window2d &window, const Sizes4 &outSizes, void *out,
               int64_t *indices) {
  if (numelOf(outSizes) == 0)
    return;
  halide_type_t htype = halideTypeOf(type);
  auto inView = denseView(htype, in, inSizes);
  auto indicesView =
      denseView(halide_type_t(halide_type_int, 64, 1), indices, outSizes);
  auto outView = denseView(htype, out, outSizes);
  HalideWindow w(window);
  auto pipeline =
      type == kFloat64 ? nnc_halide_max_pool2d_f64 : nnc_halide_max_pool2d;
  runHalidePipeline("max_pool2d", [&] {
    return pipeline(inView.raw_buffer(), w.kernelX, w.kernelY, w.strideX,
                    w.strideY, w.paddingX, w.paddingY, w.dilationX, w.dilationY,
                    indicesView.raw_buffer(), outView.raw_buffer());
  });
}

void maxPool2dGrad(ScalarType type, const Sizes4 &gradOutSizes,
                   const void *gradOut, const int64_t *indices,
                   const Sizes4 &gradInSizes, void *gradIn) {
  if (numelOf(gradInSizes) == 0)
    return;
  halide_type_t htype = halideTypeOf(type);
  auto gradOutView = denseView(htype, gradOut, gradOutSizes);
  auto indicesView =
      denseView(halide_type_t(halide_type_int, 64, 1), indices, gradOutSizes);
  auto gradInView = denseView(htype, gradIn, gradInSizes);
  auto pipeline = type == kFloat64 ? nnc_halide_max_pool2d_grad_f64
                                   : nnc_halide_max_pool2d_grad;
  runHalidePipeline("max_pool2d_grad", [&] {
    return pipeline(gradOutView.raw_buffer(), indicesView.raw_buffer(),
                    gradInView.raw_buffer());
  });
}

void avgPool2d(ScalarType type, const Sizes4 &inSizes, const void *in,
               const Window2d &window, bool countIncludePad,
               const Sizes4 &outSizes, void *out) {
  if (numelOf(outSizes) == 0)
    return;
  halide_type_t htype = halideTypeOf(type);
  auto inView = denseView(htype, in, inSizes);
  auto outView = denseView(htype, out, outSizes);
  HalideWindow w(window);
  auto pipeline =
      type == kFloat64 ? nnc_halide_avg_pool2d_f64 : nnc_halide_avg_pool2d;
  runHalidePipeline("avg_pool2d", [&] {
    return pipeline(inView.raw_buffer(), w.kernelX, w.kernelY, w.strideX,
                    w.strideY, w.paddingX, w.paddingY, countIncludePad,
                    outView.raw_buffer());
  });
}

void avgPool2dGrad(ScalarType type, const Sizes4 &gradOutSizes,
                   const void *gradOut, const Window2d &window,
                   bool countIncludePad, const Sizes4 &gradInSizes,
                   void *gradIn) {
  if (numelOf(gradInSizes) == 0)
    return;
  halide_type_t htype = halideTypeOf(type);
  auto gradOutView = denseView(htype, gradOut, gradOutSizes);
  auto gradInView = denseView(htype, gradIn, gradInSizes);
  HalideWindow w(window);
  auto pipeline = type == kFloat64 ? nnc_halide_avg_pool2d_grad_f64
                                   : nnc_halide_avg_pool2d_grad;
  runHalidePipeline("avg_pool2d_grad", [&] {
    return pipeline(gradOutView.raw_buffer(), w.kernelX, w.kernelY, w.strideX,
                    w.strideY, w.paddingX, w.paddingY, countIncludePad,
                    gradInView.raw_buffer());
  });
}

void adaptiveAvgPool2d(ScalarType type, const Sizes4 &inSizes, const void *in,
                       const Sizes4 &outSizes, void *out) {
  halideTypeOf(type); // float32 or float64 only, as the Halide kernels
  if (type == kFloat64)
    adaptiveAvgPool2dLoops(inSizes, static_cast<const double *>(in), outSizes,
                           static_cast<double *>(out));
  else
    adaptiveAvgPool2dLoops(inSizes, static_cast<const float *>(in), outSizes,
                           static_cast<float *>(out));
}

void adaptiveAvgPool2dGrad(ScalarType type, const Sizes4 &gradOutSizes,
                           const void *gradOut, const Sizes4 &gradInSizes,
                           void *gradIn) {
  halideTypeOf(type);
  if (type == kFloat64)
    adaptiveAvgPool2dGradLoops(gradOutSizes,
                               static_cast<const double *>(gradOut),
                               gradInSizes, static_cast<double *>(gradIn));
  else
    adaptiveAvgPool2dGradLoops(gradOutSizes,
                               static_cast<const float *>(gradOut), gradInSizes,
                               static_cast<float *>(gradIn));
}

} // namespace nnc::kernels
