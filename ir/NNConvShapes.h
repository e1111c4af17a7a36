//===- ir/NNConvShapes.h - window sizes of conv and pooling ---*- C++ -*-===//
//
// The size rules of nn.conv2d, nn.max_pool2d and nn.avg_pool2d along one
// spatial dim, as PyTorch computes them, shared by their type inference
// (ir/NNConvOps.cpp), their VJPs (ir/NNConvGradients.cpp) and their lowering
// (passes/LowerConvToLinalg.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNCONVSHAPES_H
#define NNC_IR_NNCONVSHAPES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace mlir::nn {

/// The number of windows along a dim of `size` elements padded by `padding`
/// on both sides (PyTorch's pooling_output_shape; with ceilMode false also
/// the convolution's output size). May be <= 0 when the kernel does not fit.
int64_t windowCount(int64_t size, int64_t kernel, int64_t stride,
                    int64_t padding, int64_t dilation, bool ceilMode);

/// How far the last of `count` windows reaches past the padded input (a
/// ceil_mode window); 0 when it stays inside. The lowering pads this much
/// more at the high end.
int64_t windowOverhang(int64_t size, int64_t count, int64_t kernel,
                       int64_t stride, int64_t padding, int64_t dilation);

/// The divisor of each window of an nn.avg_pool2d of an `[H, W]` input, row
/// major over the `[OH, OW]` output, as PyTorch's avg_pool2d computes it:
/// the window clipped to the padded input (countIncludePad) or to the
/// input.
llvm::SmallVector<double> avgPoolDivisors(llvm::ArrayRef<int64_t> inputSize,
                                          llvm::ArrayRef<int64_t> outputSize,
                                          llvm::ArrayRef<int64_t> kernel,
                                          llvm::ArrayRef<int64_t> stride,
                                          llvm::ArrayRef<int64_t> padding,
                                          bool countIncludePad);

} // namespace mlir::nn

#endif // NNC_IR_NNCONVSHAPES_H
