//===- codegen/LowerMemRefCopy.cpp - memref.copy as linalg.copy -----------===//
//
// Keeps copies inside the generated code: memref.copy of a non-contiguous
// view lowers to a call into libmlir_c_runner_utils, which neither the JIT
// nor an AOT object links, whereas linalg.copy becomes loops.
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
struct LowerMemRefCopyPass
    : nnc::impl::LowerMemRefCopyBase<LowerMemRefCopyPass> {
  void runOnOperation() override {
    llvm::SmallVector<mlir::memref::CopyOp> copies;
    getOperation()->walk(
        [&](mlir::memref::CopyOp copy) { copies.push_back(copy); });
    mlir::IRRewriter rewriter(&getContext());
    for (mlir::memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<mlir::linalg::CopyOp>(
          copy, mlir::ValueRange{copy.getSource()},
          mlir::ValueRange{copy.getTarget()});
    }
  }
};
} // namespace
