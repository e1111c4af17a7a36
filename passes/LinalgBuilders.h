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

/// The element type a contraction of `element` sums in: f32 for the 16-bit
/// floats (as PyTorch's CPU matmul: a sum of thousands of products needs
/// more than 8 or 11 bits of mantissa), else `element` itself.
inline mlir::Type accumulatorType(mlir::Type element) {
  if (element.isBF16() || element.isF16())
    return mlir::Float32Type::get(element.getContext());
  return element;
}

/// `value` (a float tensor) rounded elementwise to `element` by a
/// linalg.generic of arith.truncf; `value` itself if it has that type.
inline mlir::Value truncateElements(mlir::OpBuilder &b, mlir::Location loc,
                                    mlir::Value value, mlir::Type element) {
  auto type = mlir::cast<mlir::RankedTensorType>(value.getType());
  if (type.getElementType() == element)
    return value;
  mlir::Value init = mlir::tensor::EmptyOp::create(
      b, loc, mlir::tensor::getMixedSizes(b, loc, value), element);
  mlir::AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  llvm::SmallVector<mlir::utils::IteratorType> iterators(
      type.getRank(), mlir::utils::IteratorType::parallel);
  return mlir::linalg::GenericOp::create(
             b, loc, init.getType(), mlir::ValueRange{value},
             mlir::ValueRange{init},
             llvm::ArrayRef<mlir::AffineMap>{identity, identity}, iterators,
             [&](mlir::OpBuilder &nested, mlir::Location nestedLoc,
                 mlir::ValueRange args) {
               mlir::Value rounded = mlir::arith::TruncFOp::create(
                   nested, nestedLoc, element, args[0]);
               mlir::linalg::YieldOp::create(nested, nestedLoc, rounded);
             })
      .getResult(0);
}

} // namespace nnc

#endif // NNC_PASSES_LINALGBUILDERS_H
