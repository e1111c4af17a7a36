//===- codegen/AllocateReshapedResults.cpp - Results in their own shape ---===//
//
// A kernel that computes its result in one shape and returns it reshaped (a
// convolution over wide rows [N, G, F, OH OW] returned as [N, O, OH, OW])
// returns a view of an allocation, not the allocation: buffer-results-to-
// out-params then computes into a fresh buffer and copies it into the
// caller's. Allocating the returned shape instead, and viewing it in the
// shape the kernel computes in, lets the kernel write straight into the
// caller's buffer.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "nnc-allocate-reshaped-results"

namespace nnc {
#define GEN_PASS_DEF_ALLOCATERESHAPEDRESULTS
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {

using namespace mlir;

/// Whether `type` is a static memref with the identity layout: the only
/// kind buffer-results-to-out-params hoists into the caller.
bool isStaticIdentity(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

/// The reshapes from an allocation to `value` (first the one reading the
/// allocation) and the allocation, or nothing if `value` is not a chain of
/// expand_shape and collapse_shape ops of a static allocation.
std::optional<std::pair<memref::AllocOp, SmallVector<Operation *>>>
reshapedAllocation(Value value) {
  SmallVector<Operation *> reshapes;
  while (Operation *op = value.getDefiningOp()) {
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      if (reshapes.empty() || !isStaticIdentity(alloc.getType()))
        return std::nullopt;
      std::reverse(reshapes.begin(), reshapes.end());
      return std::make_pair(alloc, reshapes);
    }
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(op))
      return std::nullopt;
    reshapes.push_back(op);
    value = op->getOperand(0);
  }
  return std::nullopt;
}

struct AllocateReshapedResults
    : nnc::impl::AllocateReshapedResultsBase<AllocateReshapedResults> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    func.walk([&](func::ReturnOp ret) {
      for (OpOperand &result : ret->getOpOperands()) {
        if (!isStaticIdentity(result.get().getType()))
          continue;
        auto found = reshapedAllocation(result.get());
        if (!found)
          continue;
        auto [alloc, reshapes] = *found;
        // The returned shape allocated where the original was, and the
        // original as the reshapes undone, in reverse order.
        rewriter.setInsertionPoint(alloc);
        auto resultType = cast<MemRefType>(result.get().getType());
        auto returned = memref::AllocOp::create(
            rewriter, alloc.getLoc(), resultType, alloc.getAlignmentAttr());
        Value view = returned;
        for (Operation *reshape : llvm::reverse(reshapes)) {
          auto sourceType = cast<MemRefType>(reshape->getOperand(0).getType());
          if (auto expand = dyn_cast<memref::ExpandShapeOp>(reshape))
            view = memref::CollapseShapeOp::create(
                rewriter, reshape->getLoc(), sourceType, view,
                expand.getReassociationIndices());
          else
            view = memref::ExpandShapeOp::create(
                rewriter, reshape->getLoc(), sourceType, view,
                cast<memref::CollapseShapeOp>(reshape)
                    .getReassociationIndices());
        }
        result.set(returned);
        rewriter.replaceOp(alloc, view);
        for (Operation *reshape : llvm::reverse(reshapes))
          if (reshape->use_empty())
            rewriter.eraseOp(reshape);
      }
    });
  }
};

} // namespace
