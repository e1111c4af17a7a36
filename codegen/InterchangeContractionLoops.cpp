//===- codegen/InterchangeContractionLoops.cpp - matmul/conv loop order ---===//
//
// Puts the n loop of every contraction innermost, where consecutive
// iterations touch consecutive elements of B and C, so LLVM's loop
// vectorizer can use full vector registers without reassociating sums.
// Convolutions and pooling likewise get their last output-image loop (the
// output width) innermost, under the reductions over input channels and
// the window: a weight times a contiguous input row, added into a
// contiguous output row.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "nnc-interchange-contraction-loops"

namespace nnc {
#define GEN_PASS_DEF_INTERCHANGECONTRACTIONLOOPS
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {

/// The loop order (batch, m, k, n) for `op`, or nothing if `op` is not a
/// contraction with an n dim whose innermost loop is a reduction.
std::optional<llvm::SmallVector<unsigned>>
vectorFriendlyLoopOrder(mlir::linalg::LinalgOp op) {
  if (!mlir::linalg::isaContractionOpInterface(op))
    return std::nullopt;
  auto dims = mlir::linalg::inferContractionDims(op);
  if (mlir::failed(dims) || dims->n.empty() || dims->k.empty())
    return std::nullopt;
  unsigned innermost = op.getNumLoops() - 1;
  if (!llvm::is_contained(dims->k, innermost))
    return std::nullopt;
  llvm::SmallVector<unsigned> order;
  llvm::append_range(order, dims->batch);
  llvm::append_range(order, dims->m);
  llvm::append_range(order, dims->k);
  llvm::append_range(order, dims->n);
  if (order.size() != op.getNumLoops())
    return std::nullopt;
  return order;
}

/// The loop order (batch, output and depth channels, output rows, input
/// channels, window, output width) for a convolution or pooling `op` whose
/// innermost loop is a reduction, or nothing.
std::optional<llvm::SmallVector<unsigned>>
vectorFriendlyConvolutionOrder(mlir::linalg::LinalgOp op) {
  if (!mlir::linalg::isaConvolutionOpInterface(op))
    return std::nullopt;
  auto dims = mlir::linalg::inferConvolutionDims(op);
  if (mlir::failed(dims) || dims->outputImage.empty() ||
      dims->filterLoop.empty())
    return std::nullopt;
  unsigned innermost = op.getNumLoops() - 1;
  if (op.getIteratorTypesArray()[innermost] !=
      mlir::utils::IteratorType::reduction)
    return std::nullopt;
  llvm::SmallVector<unsigned> order;
  llvm::append_range(order, dims->batch);
  llvm::append_range(order, dims->outputChannel);
  llvm::append_range(order, dims->depth);
  llvm::append_range(order, llvm::drop_end(dims->outputImage));
  llvm::append_range(order, dims->inputChannel);
  llvm::append_range(order, dims->filterLoop);
  order.push_back(dims->outputImage.back());
  if (order.size() != op.getNumLoops())
    return std::nullopt;
  return order;
}

/// The loop order to give `op`, if it is a contraction or a convolution.
std::optional<llvm::SmallVector<unsigned>>
vectorFriendlyOrder(mlir::linalg::LinalgOp op) {
  if (auto order = vectorFriendlyLoopOrder(op))
    return order;
  return vectorFriendlyConvolutionOrder(op);
}

/// `op` itself if it is a linalg.generic, else its generalization.
mlir::FailureOr<mlir::linalg::GenericOp> asGeneric(mlir::RewriterBase &rewriter,
                                                   mlir::linalg::LinalgOp op) {
  if (auto generic = llvm::dyn_cast<mlir::linalg::GenericOp>(*op))
    return generic;
  return mlir::linalg::generalizeNamedOp(rewriter, op);
}

struct InterchangeContractionLoopsPass
    : nnc::impl::InterchangeContractionLoopsBase<
          InterchangeContractionLoopsPass> {
  void runOnOperation() override {
    llvm::SmallVector<mlir::linalg::LinalgOp> contractions;
    getOperation()->walk([&](mlir::linalg::LinalgOp op) {
      if (vectorFriendlyOrder(op))
        contractions.push_back(op);
    });
    mlir::IRRewriter rewriter(&getContext());
    for (mlir::linalg::LinalgOp op : contractions) {
      llvm::SmallVector<unsigned> order = *vectorFriendlyOrder(op);
      rewriter.setInsertionPoint(op);
      auto generic = asGeneric(rewriter, op);
      if (mlir::failed(generic)) {
        op->emitOpError("cannot be generalized to reorder its loops");
        return signalPassFailure();
      }
      if (mlir::failed(
              mlir::linalg::interchangeGenericOp(rewriter, *generic, order))) {
        generic->emitOpError("cannot reorder its loops");
        return signalPassFailure();
      }
      LLVM_DEBUG(llvm::dbgs() << "reordered loops of " << *generic << "\n");
    }
  }
};

} // namespace
