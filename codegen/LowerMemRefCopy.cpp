//===- codegen/LowerMemRefCopy.cpp - memref.copy as linalg.copy -----------===//
//
// Keeps copies inside the generated code: memref.copy of a non-contiguous
// view lowers to a call into libmlir_c_runner_utils, which neither the JIT
// nor an AOT object links, whereas linalg.copy becomes loops. A copy between
// two contiguous buffers runs over their outermost dim (the thread pool's
// tasks) and all the others joined: left as a nest with a short innermost
// dim (28 of [64, 16, 28, 28]), LLVM unrolled that loop and vectorized the
// next one out with gathers. For the same reason a copy between views whose
// rows are short and contiguous but not adjacent (a convolution's 30-wide
// rows cut to 28) moves each row as one vector, in a parallel loop over the
// rows.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "nnc-lower-memref-copy"

namespace nnc {
#define GEN_PASS_DEF_LOWERMEMREFCOPY
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {

/// Whether `buffer` has more than two dims and an identity layout (its
/// elements contiguous in row-major order).
bool isContiguousNest(mlir::Value buffer) {
  auto type = llvm::cast<mlir::MemRefType>(buffer.getType());
  return type.getRank() > 2 && type.getLayout().isIdentity();
}

/// A contiguous `buffer` as [its outermost dim, the others joined].
mlir::Value rowsOf(mlir::OpBuilder &b, mlir::Value buffer) {
  mlir::ReassociationIndices rest;
  for (int64_t dim = 1;
       dim < llvm::cast<mlir::MemRefType>(buffer.getType()).getRank(); ++dim)
    rest.push_back(dim);
  return mlir::memref::CollapseShapeOp::create(
      b, buffer.getLoc(), buffer,
      llvm::SmallVector<mlir::ReassociationIndices>{{0}, rest});
}

/// The length of `buffer`'s rows when they are static, contiguous (unit
/// innermost stride) and shorter than four vectors of 16 lanes, the rows
/// LLVM unrolls fully; else nothing.
std::optional<int64_t> shortRowLength(mlir::Value buffer) {
  auto type = llvm::cast<mlir::MemRefType>(buffer.getType());
  int64_t rank = type.getRank();
  if (rank < 2 || type.isDynamicDim(rank - 1) ||
      type.getDimSize(rank - 1) >= 64)
    return std::nullopt;
  llvm::SmallVector<int64_t> strides;
  int64_t offset;
  if (mlir::failed(type.getStridesAndOffset(strides, offset)) ||
      strides.back() != 1)
    return std::nullopt;
  // The row's vector needs a padding constant: floats and signless
  // integers only (arith.constant has no unsigned integers).
  auto integer = llvm::dyn_cast<mlir::IntegerType>(type.getElementType());
  if (!type.getElementType().isFloat() && !(integer && integer.isSignless()))
    return std::nullopt;
  return type.getDimSize(rank - 1);
}

/// Copies `source` into `target` (rows of `length`) as an scf.parallel over
/// the outer dims whose body moves one row as one vector.
void copyRowsAsVectors(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value source, mlir::Value target, int64_t length) {
  auto type = llvm::cast<mlir::MemRefType>(source.getType());
  int64_t outerDims = type.getRank() - 1;
  mlir::Value zero = mlir::arith::ConstantIndexOp::create(b, loc, 0);
  mlir::Value one = mlir::arith::ConstantIndexOp::create(b, loc, 1);
  llvm::SmallVector<mlir::Value> upper;
  for (int64_t dim = 0; dim < outerDims; ++dim)
    upper.push_back(b.createOrFold<mlir::memref::DimOp>(loc, source, dim));
  mlir::Type element = type.getElementType();
  mlir::Value padding =
      mlir::arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  auto row = mlir::VectorType::get({length}, element);
  mlir::scf::ParallelOp::create(
      b, loc, llvm::SmallVector<mlir::Value>(outerDims, zero), upper,
      llvm::SmallVector<mlir::Value>(outerDims, one),
      [&](mlir::OpBuilder &nb, mlir::Location l, mlir::ValueRange ivs) {
        llvm::SmallVector<mlir::Value> at(ivs);
        at.push_back(zero);
        mlir::Value values = mlir::vector::TransferReadOp::create(
            nb, l, row, source, at, padding, llvm::ArrayRef<bool>{true});
        mlir::vector::TransferWriteOp::create(nb, l, values, target, at,
                                              llvm::ArrayRef<bool>{true});
      });
}

struct LowerMemRefCopyPass
    : nnc::impl::LowerMemRefCopyBase<LowerMemRefCopyPass> {
  void runOnOperation() override {
    llvm::SmallVector<mlir::memref::CopyOp> copies;
    getOperation()->walk(
        [&](mlir::memref::CopyOp copy) { copies.push_back(copy); });
    mlir::IRRewriter rewriter(&getContext());
    for (mlir::memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      mlir::Value source = copy.getSource(), target = copy.getTarget();
      if (isContiguousNest(source) && isContiguousNest(target)) {
        source = rowsOf(rewriter, source);
        target = rowsOf(rewriter, target);
      } else if (std::optional<int64_t> length = shortRowLength(source);
                 length && length == shortRowLength(target)) {
        copyRowsAsVectors(rewriter, copy.getLoc(), source, target, *length);
        rewriter.eraseOp(copy);
        continue;
      }
      rewriter.replaceOpWithNewOp<mlir::linalg::CopyOp>(
          copy, mlir::ValueRange{source}, mlir::ValueRange{target});
    }
  }
};
} // namespace
