//===- codegen/TileTransposes.cpp - Transposes in 16x16 register blocks ---===//
//
// A transpose (a linalg.generic that copies its input read through a
// permutation moving the innermost dim, as nn.permute lowers: NHWC <-> NCHW
// around channels-last convolutions) left to LLVM reads or writes one
// element per cache line and runs at 2-6 GB/s. Here it is tiled so that
// each step moves a 16 x 16 block: 16 contiguous row reads, a transpose in
// registers (vector.transpose, lowered to shuffles by nnc-lower-vector-ops)
// and 16 contiguous row writes. Tasks of the thread pool take strips of 16
// along the input's innermost dim.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "codegen/Tiling.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace nnc {
#define GEN_PASS_DEF_TILETRANSPOSES
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {

using namespace mlir;

/// The block moved per step: 16 f32 rows of 16, one zmm each.
constexpr int64_t kBlock = 16;

/// The two loop dims a transpose swaps: the output's innermost (`written`)
/// and the input's innermost (`read`).
struct TransposedDims {
  unsigned written, read;
};

/// `op` as a transpose of f32: a copy whose input map is a permutation with
/// another innermost dim than the identity output map.
std::optional<TransposedDims> matchTranspose(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics() || op.getNumLoops() < 2 ||
      op.getNumReductionLoops() != 0)
    return std::nullopt;
  Block &body = op.getRegion().front();
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 || !yield ||
      yield.getValues().front() != body.getArgument(0) ||
      !body.getArgument(0).getType().isF32())
    return std::nullopt;
  AffineMap input = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap output = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!input.isPermutation() || !output.isIdentity())
    return std::nullopt;
  unsigned written = op.getNumLoops() - 1;
  unsigned read = cast<AffineDimExpr>(input.getResults().back()).getPosition();
  if (read == written)
    return std::nullopt;
  return TransposedDims{written, read};
}

/// Whether the dims `dims` swaps are static multiples of kBlock.
bool fitsBlocks(linalg::GenericOp op, TransposedDims dims) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  for (unsigned dim : {dims.written, dims.read})
    if (ShapedType::isDynamic(sizes[dim]) || sizes[dim] % kBlock != 0)
      return false;
  return true;
}

/// Loop dims that are adjacent, in order, in the input too (h and w of an
/// NCHW <-> NHWC permute), merged: [C, H, W] <- [H, W, C] becomes
/// [C, HW] <- [HW, C], whose dims are then more likely multiples of kBlock.
linalg::GenericOp collapseAdjacentDims(RewriterBase &rewriter,
                                       linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return op;
  AffineMap input = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  if (!input.isPermutation())
    return op;
  SmallVector<unsigned> positionInInput(op.getNumLoops());
  for (auto [position, result] : llvm::enumerate(input.getResults()))
    positionInInput[cast<AffineDimExpr>(result).getPosition()] = position;
  SmallVector<ReassociationIndices> groups;
  for (unsigned dim = 0; dim < op.getNumLoops(); ++dim) {
    if (!groups.empty() &&
        positionInInput[groups.back().back()] + 1 == positionInInput[dim])
      groups.back().push_back(dim);
    else
      groups.push_back({static_cast<int64_t>(dim)});
  }
  SmallVector<ReassociationIndices> folded;
  for (const ReassociationIndices &group : groups)
    if (group.size() > 1)
      folded.push_back(group);
  if (folded.empty())
    return op;
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(op, folded, rewriter);
  if (failed(collapsed))
    return op;
  rewriter.replaceOp(op, collapsed->results);
  return cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
}

LogicalResult tileTranspose(RewriterBase &rewriter, linalg::GenericOp op,
                            TransposedDims dims) {
  unsigned loops = op.getNumLoops();
  // Tasks: strips of kBlock along the read dim (each reads whole cache
  // lines of the input and writes kBlock whole output rows), one per
  // index of the other outer dims.
  SmallVector<int64_t> strips(loops, 1);
  strips[dims.written] = 0;
  strips[dims.read] = kBlock;
  rewriter.setInsertionPoint(op);
  auto tasks = nnc::tileWith(rewriter, cast<TilingInterface>(*op), strips,
                             scf::SCFTilingOptions::LoopType::ForallOp);
  if (failed(tasks))
    return failure();
  SmallVector<int64_t> blocks(loops, 0);
  blocks[dims.written] = kBlock;
  auto steps = nnc::tileWith(rewriter, nnc::tiledOp(*tasks), blocks,
                             scf::SCFTilingOptions::LoopType::ForOp);
  if (failed(steps))
    return failure();
  auto block = cast<linalg::LinalgOp>(nnc::tiledOp(*steps).getOperation());
  rewriter.setInsertionPoint(block);
  FailureOr<linalg::VectorizationResult> vectorized =
      linalg::vectorize(rewriter, block);
  if (failed(vectorized))
    return failure();
  rewriter.replaceOp(block, vectorized->replacements);
  return success();
}

struct TileTransposes : nnc::impl::TileTransposesBase<TileTransposes> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (op.getNumLoops() >= 2 && op.getNumReductionLoops() == 0)
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp candidate : candidates) {
      std::optional<TransposedDims> dims = matchTranspose(candidate);
      if (!dims)
        continue;
      linalg::GenericOp op = collapseAdjacentDims(rewriter, candidate);
      dims = matchTranspose(op);
      if (!dims || !fitsBlocks(op, *dims))
        continue;
      if (failed(tileTranspose(rewriter, op, *dims))) {
        op->emitOpError("could not be tiled into 16x16 blocks");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
