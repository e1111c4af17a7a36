//===- codegen/LowerMemRefCopy.cpp - memref.copy as linalg.copy -----------===//
//
// Keeps copies inside the generated code: memref.copy of a non-contiguous
// view lowers to a call into libmlir_c_runner_utils, which neither the JIT
// nor an AOT object links, whereas linalg.copy becomes loops. A copy between
// two contiguous buffers runs over their outermost dim (the thread pool's
// tasks) and all the others joined: left as a nest with a short innermost
// dim (28 of [64, 16, 28, 28]), LLVM unrolled that loop and vectorized the
// next one out with gathers.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
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
      }
      rewriter.replaceOpWithNewOp<mlir::linalg::CopyOp>(
          copy, mlir::ValueRange{source}, mlir::ValueRange{target});
    }
  }
};
} // namespace
