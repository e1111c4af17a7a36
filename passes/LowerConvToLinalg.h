//===- passes/LowerConvToLinalg.h - conv and pooling lowering ---*- C++ -*-===//
//
// The nn-lower-to-linalg patterns of the convolution and pooling ops
// (ir/NNConvOps.td), kept apart from passes/LowerToLinalg.cpp, which adds
// them to its pattern set.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_PASSES_LOWERCONVTOLINALG_H
#define NNC_PASSES_LOWERCONVTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace nnc {

/// Adds the conversion patterns of nn.conv2d, nn.max_pool2d, nn.avg_pool2d
/// and their backward ops to linalg/tensor/arith on tensors.
void populateConvToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace nnc

#endif // NNC_PASSES_LOWERCONVTOLINALG_H
