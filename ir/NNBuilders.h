//===- ir/NNBuilders.h - nn graphs shared by VJPs and lowering -*- C++ -*-===//
//
// Helpers that build a few nn ops, used by the VJPs (ir/NNGradients.cpp) and
// by lowerings that decompose an op into simpler nn ops
// (passes/LowerToLinalg.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNBUILDERS_H
#define NNC_IR_NNBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"

namespace mlir::nn {

/// A rank-0 nn.constant holding `value` (of float type `elementType`); it
/// broadcasts against any operand of an nn binary op.
Value scalarConstant(OpBuilder &b, Location loc, Type elementType,
                     double value);

/// The number of elements a reduction of `input` over `dims` combines, as a
/// float value that broadcasts against the keepdim result: a rank-0
/// constant when the reduced dims are static, else a sum of ones (only the
/// run-time shape knows the count).
Value reducedCount(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> dims);

/// `reduced` (a reduction's result or its gradient) with the reduced dims
/// reinserted as size 1, so it broadcasts against the reduction's input.
Value withKeptDims(OpBuilder &b, Location loc, Value reduced, Value input,
                   ArrayRef<int64_t> dims, bool keepdim);

} // namespace mlir::nn

#endif // NNC_IR_NNBUILDERS_H
