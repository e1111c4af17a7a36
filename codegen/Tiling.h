//===- codegen/Tiling.h - Shared helpers of the tiling passes ---*- C++ -*-===//
//
// What nnc-tile-contractions and nnc-tile-convolutions both do: pick tile
// sizes that divide a dim exactly, and tile an op with scf loops.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_CODEGEN_TILING_H
#define NNC_CODEGEN_TILING_H

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"

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

/// The op a tiling produced.
inline mlir::TilingInterface tiledOp(const mlir::scf::SCFTilingResult &tiling) {
  return mlir::cast<mlir::TilingInterface>(tiling.tiledOps.back());
}

} // namespace nnc

#endif // NNC_CODEGEN_TILING_H
