//===- passes/LinalgBuilders.h - Small IR builders of the lowering -*- C++ -*-//
//
// The helpers both lowering files (LowerToLinalg.cpp, LowerConvToLinalg.cpp)
// build their linalg/tensor/arith IR with.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_PASSES_LINALGBUILDERS_H
#define NNC_PASSES_LINALGBUILDERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace nnc {

/// An arith.constant of the float `type`.
inline mlir::Value floatConstant(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::Type type, double value) {
  return mlir::arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

/// tensor.empty of `type` (its dynamic sizes given) filled with `value`.
inline mlir::Value buildFilled(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::RankedTensorType type,
                               mlir::ValueRange dynamicSizes,
                               mlir::Value value) {
  mlir::Value empty = mlir::tensor::EmptyOp::create(
      b, loc, type.getShape(), type.getElementType(), dynamicSizes);
  return mlir::linalg::FillOp::create(b, loc, mlir::ValueRange{value},
                                      mlir::ValueRange{empty})
      .getResult(0);
}

} // namespace nnc

#endif // NNC_PASSES_LINALGBUILDERS_H
