//===- codegen/Tiling.h - Shared helpers of the tiling passes ---*- C++ -*-===//
//
// What nnc-tile-contractions and nnc-tile-convolutions both do: pick tile
// sizes that divide a dim exactly, and tile an op with scf loops.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_CODEGEN_TILING_H
#define NNC_CODEGEN_TILING_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>

namespace nnc {

/// The largest divisor of `size` that is a multiple of `step` and at most
/// `limit` (at least `step`, which must divide `size`).
inline int64_t largestDividingMultiple(int64_t size, int64_t step,
                                       int64_t limit) {
  int64_t best = step;
  for (int64_t tile = step; tile <= std::min(size, limit); tile += step)
    if (size % tile == 0)
      best = tile;
  return best;
}

/// Whether `map` is exactly (d_dims[0], d_dims[1], ...).
inline bool isDims(mlir::AffineMap map, llvm::ArrayRef<unsigned> dims) {
  if (map.getNumResults() != dims.size())
    return false;
  for (auto [result, dim] : llvm::zip(map.getResults(), dims))
    if (!mlir::isa<mlir::AffineDimExpr>(result) ||
        mlir::cast<mlir::AffineDimExpr>(result).getPosition() != dim)
      return false;
  return true;
}

/// Whether `expr` (over `numDims` dims) is d_along + terms in dims other
/// than `independent` and `along`: consecutive values of d_along read
/// consecutive elements, whatever the other dims (a convolution's input
/// position p + kh W' + kw).
inline bool isUnitShiftAlong(mlir::AffineExpr expr, unsigned numDims,
                             unsigned along,
                             llvm::ArrayRef<unsigned> independent) {
  // expr's value with d_hot = 1 and the other dims 0 (all 0 for numDims).
  auto valueAt = [&](unsigned hot) -> std::optional<int64_t> {
    llvm::SmallVector<mlir::AffineExpr> point;
    for (unsigned dim = 0; dim < numDims; ++dim)
      point.push_back(
          mlir::getAffineConstantExpr(dim == hot ? 1 : 0, expr.getContext()));
    auto value = mlir::dyn_cast<mlir::AffineConstantExpr>(
        mlir::simplifyAffineExpr(expr.replaceDims(point), 0, 0));
    if (!value)
      return std::nullopt;
    return value.getValue();
  };
  if (valueAt(numDims) != 0 || valueAt(along) != 1)
    return false;
  return llvm::all_of(independent,
                      [&](unsigned dim) { return valueAt(dim) == 0; });
}

/// Whether `op`'s body is out + a * b (in any order) with an f32 result.
inline bool isF32MultiplyAccumulate(mlir::linalg::GenericOp op) {
  mlir::Block &body = op.getRegion().front();
  auto yield = mlir::cast<mlir::linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<mlir::arith::AddFOp>();
  auto result =
      mlir::dyn_cast<mlir::RankedTensorType>(op->getResult(0).getType());
  return add && body.getOperations().size() == 3 && result &&
         result.getElementType().isF32() &&
         llvm::any_of(add->getOperands(), [](mlir::Value v) {
           return v.getDefiningOp<mlir::arith::MulFOp>() != nullptr;
         });
}

/// The width of a register tile along a dim of `size` that is contiguous
/// in memory: two vectors (`vectorWidth` lanes each), one or half a vector,
/// whichever divides `size` first, or `size` itself when it is at most two
/// vectors wide (a head of 10 logits: one vector of 10 lanes); 0 when none
/// fits. (A width of 24 measured 6x slower than 8 on a conv input
/// gradient: only power-of-two multiples are tried.)
inline int64_t registerTileWidth(int64_t size, int64_t vectorWidth) {
  for (int64_t width : {2 * vectorWidth, vectorWidth, vectorWidth / 2})
    if (width > 0 && size % width == 0)
      return width;
  return size <= 2 * vectorWidth ? size : 0;
}

/// Whether `op` is a stride-1 convolution over wide rows, channels first or
/// channels last, of the forms nnc-tile-convolutions register-tiles (the
/// passes before it leave these to it). Defined in TileConvolutions.cpp.
bool isWideRowConvolution(mlir::linalg::GenericOp op);

/// Tiles `op` with `sizes` (one per loop dim, 0: not tiled) in loops of
/// `type`, ordered by `interchange` if given, and replaces `op`; returns
/// the tiling (the tiled op is the last of tiledOps).
inline mlir::FailureOr<mlir::scf::SCFTilingResult>
tileWith(mlir::RewriterBase &rewriter, mlir::TilingInterface op,
         llvm::ArrayRef<int64_t> sizes,
         mlir::scf::SCFTilingOptions::LoopType type,
         llvm::ArrayRef<int64_t> interchange = {}) {
  mlir::scf::SCFTilingOptions options;
  options.setLoopType(type);
  options.setTileSizes(
      mlir::getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  if (!interchange.empty())
    options.setInterchange(interchange);
  mlir::FailureOr<mlir::scf::SCFTilingResult> tiled =
      mlir::scf::tileUsingSCF(rewriter, op, options);
  if (mlir::failed(tiled))
    return mlir::failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled;
}

/// Canonicalizes the ops nested in `op` with every loaded dialect's and
/// registered op's patterns (after peeling: folds the now-constant tile
/// sizes into static types).
inline mlir::LogicalResult canonicalizeInside(mlir::Operation *op) {
  mlir::MLIRContext *context = op->getContext();
  mlir::RewritePatternSet patterns(context);
  for (mlir::Dialect *dialect : context->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (mlir::RegisteredOperationName name : context->getRegisteredOperations())
    name.getCanonicalizationPatterns(patterns, context);
  return mlir::applyPatternsGreedily(op, std::move(patterns));
}

/// The op a tiling produced.
inline mlir::TilingInterface tiledOp(const mlir::scf::SCFTilingResult &tiling) {
  return mlir::cast<mlir::TilingInterface>(tiling.tiledOps.back());
}

} // namespace nnc

#endif // NNC_CODEGEN_TILING_H
