//===- codegen/TileContractions.cpp - Register-tiled, vectorized GEMM -----===//
//
// Matrix products as the fast BLAS kernels compute them: the output is cut
// into tiles the thread pool runs in parallel (scf.forall), the reduction
// into cache-sized blocks, and each block into register tiles of mr x nr
// accumulators that stay in vector registers while k walks the block (a
// vector.contract per k, lowered to broadcast-times-row FMAs). Everything
// else about the op (its operands' element types, a fused prologue on the
// operands) is kept: the tiles are the same linalg op on slices.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "codegen/Tiling.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>

namespace nnc {
#define GEN_PASS_DEF_TILECONTRACTIONS
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {

using namespace mlir;
using nnc::isDims;
using nnc::largestDividingMultiple;
using nnc::tiledOp;
using nnc::tileWith;

/// How one contraction is cut: sizes per loop dim of the op (0: not cut).
struct ContractionTiling {
  SmallVector<int64_t> parallelTile;  // the thread pool's tasks
  SmallVector<int64_t> reductionTile; // cache blocks along k (may be all 0)
  SmallVector<int64_t> registerTile;  // mr x nr accumulators, k step 1
  /// The m loop dim when m is dynamic: its register-tile loop is peeled
  /// into full tiles and a remainder.
  std::optional<unsigned> rowLoop;
};

/// The tiling of a plain matrix product C[m, n] += A . B with static n and
/// k (m, the batch rows, may be dynamic) whose result and B operand run
/// along n (n contiguous in memory), or nothing for any other op.
std::optional<ContractionTiling>
chooseTiling(linalg::LinalgOp op, const nnc::TileContractionsOptions &opts) {
  if (!isa<linalg::GenericOp>(op) || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() != 2 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || !dims->batch.empty() || dims->m.size() != 1 ||
      dims->n.size() != 1 || dims->k.size() != 1)
    return std::nullopt;
  unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (ShapedType::isDynamic(sizes[n]) || ShapedType::isDynamic(sizes[k]))
    return std::nullopt;
  bool dynamicRows = ShapedType::isDynamic(sizes[m]);
  // The result's and B's rows must be contiguous along n: the register
  // tile loads and stores nr consecutive elements of each.
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!isDims(maps[2], {m, n}) || !isDims(maps[1], {k, n}) ||
      !(isDims(maps[0], {m, k}) || isDims(maps[0], {k, m})))
    return std::nullopt;
  // Accumulate in f32 (16-bit operands are extended in the body).
  auto resultType = cast<ShapedType>(op.getDpsInitOperand(0)->get().getType());
  if (!resultType.getElementType().isF32())
    return std::nullopt;

  int64_t nr = nnc::registerTileWidth(sizes[n], opts.vectorWidth);
  int64_t mr = 0;
  // Dynamic rows take full register tiles and a peeled remainder.
  for (int64_t candidate : {opts.registerRows, int64_t(4), int64_t(2)})
    if (candidate > 0 && (dynamicRows || sizes[m] % candidate == 0)) {
      mr = candidate;
      break;
    }
  // Too small to be worth a register tile (or not divisible into whole
  // ones): the plain loops (interchanged for vector loads) do it.
  if (nr == 0 || mr == 0 || sizes[k] < 4)
    return std::nullopt;

  ContractionTiling tiling;
  size_t loops = sizes.size();
  tiling.parallelTile.assign(loops, 0);
  tiling.reductionTile.assign(loops, 0);
  tiling.registerTile.assign(loops, 0);
  int64_t nt = largestDividingMultiple(sizes[n], nr, opts.parallelTileCols);
  // Rows per task: at most parallelTileRows, and at least four tasks where
  // the rows allow it, so both threads (and more) have work.
  int64_t rowLimit = opts.parallelTileRows;
  int64_t tasksAlongN = sizes[n] / nt;
  if (dynamicRows) {
    // The batch is unknown: tasks of two register tiles of rows, so that a
    // batch of 64 still makes four tasks (more rows per task would leave
    // threads idle at the batch sizes training uses).
    tiling.parallelTile[m] = std::min(std::max(mr, rowLimit / mr * mr), 2 * mr);
  } else {
    if (tasksAlongN < 4)
      rowLimit = std::min(rowLimit, std::max(mr, sizes[m] * tasksAlongN / 4));
    tiling.parallelTile[m] = largestDividingMultiple(sizes[m], mr, rowLimit);
  }
  tiling.parallelTile[n] = nt;
  int64_t kc = largestDividingMultiple(sizes[k], 1, opts.reductionTile);
  if (kc < sizes[k])
    tiling.reductionTile[k] = kc;
  tiling.registerTile[m] = mr;
  tiling.registerTile[n] = nr;
  tiling.registerTile[k] = 1;
  tiling.rowLoop = dynamicRows ? std::optional<unsigned>(m) : std::nullopt;
  return tiling;
}

/// Peels the last, partial iteration off the register tiles' row loop
/// `rows` and returns the contraction of its full tiles, whose sizes are
/// then static (the partial tile keeps a dynamic linalg op, lowered to
/// plain loops).
FailureOr<TilingInterface> peelRowRemainder(RewriterBase &rewriter,
                                            scf::ForOp rows) {
  scf::ForOp remainder;
  if (failed(scf::peelForLoopAndSimplifyBounds(rewriter, rows, remainder)))
    return failure();
  if (failed(nnc::canonicalizeInside(rows)))
    return failure();
  TilingInterface full;
  rows.walk([&](linalg::ContractOp op) {
    if (!llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
      full = cast<TilingInterface>(op.getOperation());
  });
  if (!full)
    return failure();
  return full;
}

/// Tiles and vectorizes one contraction; leaves it unchanged on failure.
LogicalResult tileContraction(RewriterBase &rewriter, linalg::LinalgOp op,
                              const ContractionTiling &tiling) {
  // As linalg.contract (the same maps; its implicit body is the generic's
  // cast, multiply and add), which vectorizes to a vector.contract with
  // matmul maps that lowers to outer-product FMAs.
  rewriter.setInsertionPoint(op);
  auto contract = linalg::ContractOp::create(
      rewriter, op.getLoc(), op->getResultTypes(), op.getDpsInputs(),
      op.getDpsInits(),
      rewriter.getAffineMapArrayAttr(op.getIndexingMapsArray()));
  rewriter.replaceOp(op, contract->getResults());
  auto parallel =
      tileWith(rewriter, cast<TilingInterface>(contract.getOperation()),
               tiling.parallelTile, scf::SCFTilingOptions::LoopType::ForallOp);
  if (failed(parallel))
    return failure();
  TilingInterface current = tiledOp(*parallel);
  if (llvm::any_of(tiling.reductionTile, [](int64_t s) { return s != 0; })) {
    auto blocked = tileWith(rewriter, current, tiling.reductionTile,
                            scf::SCFTilingOptions::LoopType::ForOp);
    if (failed(blocked))
      return failure();
    current = tiledOp(*blocked);
  }
  auto registerTiling = tileWith(rewriter, current, tiling.registerTile,
                                 scf::SCFTilingOptions::LoopType::ForOp);
  if (failed(registerTiling))
    return failure();
  FailureOr<TilingInterface> registers = tiledOp(*registerTiling);
  if (tiling.rowLoop) {
    // One loop per tiled dim, in loop-dim order.
    unsigned position = llvm::count_if(
        ArrayRef(tiling.registerTile).take_front(*tiling.rowLoop),
        [](int64_t size) { return size != 0; });
    auto rows =
        cast<scf::ForOp>(registerTiling->loops[position].getOperation());
    registers = peelRowRemainder(rewriter, rows);
    if (failed(registers))
      return failure();
  }
  rewriter.setInsertionPoint(*registers);
  FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
      rewriter, *registers, /*inputVectorSizes=*/{},
      /*inputScalableVecDims=*/{}, /*vectorizeNDExtract=*/false,
      /*flatten1DDepthwiseConv=*/false,
      /*assumeDynamicDimsMatchVecSizes=*/false,
      /*createNamedContraction=*/true);
  if (failed(vectorized))
    return failure();
  rewriter.replaceOp(*registers, vectorized->replacements);
  return success();
}

struct TileContractions : nnc::impl::TileContractionsBase<TileContractions> {
  using TileContractionsBase::TileContractionsBase;

  void runOnOperation() override {
    nnc::TileContractionsOptions opts{vectorWidth, registerRows,
                                      parallelTileRows, parallelTileCols,
                                      reductionTile};
    SmallVector<std::pair<linalg::LinalgOp, ContractionTiling>> work;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (auto tiling = chooseTiling(op, opts))
        work.push_back({op, *tiling});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, tiling] : work)
      if (failed(tileContraction(rewriter, op, tiling))) {
        op->emitOpError("could not be tiled into register tiles");
        return signalPassFailure();
      }
  }
};

} // namespace
