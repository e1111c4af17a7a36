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
// bf16 products summed in f32 have a kernel of their own where the target
// has AVX512-BF16: vdpbf16ps takes two k at a time (twice the products of
// an FMA per instruction), so B is packed into k pairs and the register
// tiles are written out as vector ops (x86vector.avx512.dot) directly.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "codegen/Tiling.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"
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

//===----------------------------------------------------------------------===//
// bf16 products through vdpbf16ps
//===----------------------------------------------------------------------===//

/// Whether `op`'s body is acc + extf(a) * extf(b) with bf16 operands and an
/// f32 accumulator: the product vdpbf16ps computes (two k at a time).
bool isBF16DotProduct(linalg::LinalgOp op) {
  auto elementOf = [](Value v) { return getElementTypeOrSelf(v.getType()); };
  if (!elementOf(op.getDpsInputOperand(0)->get()).isBF16() ||
      !elementOf(op.getDpsInputOperand(1)->get()).isBF16() ||
      !elementOf(op.getDpsInitOperand(0)->get()).isF32())
    return false;
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || body->getOperations().size() != 5)
    return false;
  Value accumulator = body->getArgument(2);
  Value product = add.getLhs() == accumulator ? add.getRhs() : add.getLhs();
  auto multiply = product.getDefiningOp<arith::MulFOp>();
  if (!multiply || (add.getLhs() != accumulator && add.getRhs() != accumulator))
    return false;
  auto isExtendedArgument = [&](Value v, unsigned argument) {
    auto extend = v.getDefiningOp<arith::ExtFOp>();
    return extend && extend.getIn() == body->getArgument(argument);
  };
  return (isExtendedArgument(multiply.getLhs(), 0) &&
          isExtendedArgument(multiply.getRhs(), 1)) ||
         (isExtendedArgument(multiply.getLhs(), 1) &&
          isExtendedArgument(multiply.getRhs(), 0));
}

/// How a bf16 x bf16 -> f32 product C[M, N] += A[M, K] . B[K, N] is cut for
/// vdpbf16ps: the tasks and register tiles of the f32 kernel, the
/// reduction in blocks of k pairs.
struct DotTiling {
  int64_t rows, cols, depth;   // M (may be dynamic), N, K
  int64_t taskRows, taskCols;  // one parallel task's tile
  int64_t pairsPerBlock;       // cache block along k, in pairs of k
  int64_t registerRows, panel; // mr x nr accumulators; nr is B's panel width
  /// f32 lanes of one vdpbf16ps (16: zmm, 8: ymm).
  int64_t lanes() const { return std::min<int64_t>(panel, 16); }
};

/// The vdpbf16ps tiling of `op` (already cut as `tiling` for the f32
/// kernel), or nothing where that kernel must do it: A stored [k, m] (not
/// done yet), or a register tile whose width is no whole number of ymm or
/// zmm vectors.
std::optional<DotTiling>
chooseDotTiling(linalg::LinalgOp op, const ContractionTiling &tiling,
                const nnc::TileContractionsOptions &opts) {
  if (!opts.bf16Dot || !isBF16DotProduct(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
  if (!isDims(op.getIndexingMapsArray()[0], {m, k}))
    return std::nullopt;
  DotTiling dot;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  dot.rows = sizes[m];
  dot.cols = sizes[n];
  dot.depth = sizes[k];
  dot.taskRows = tiling.parallelTile[m];
  dot.taskCols = tiling.parallelTile[n];
  dot.registerRows = tiling.registerTile[m];
  dot.panel = tiling.registerTile[n];
  if (dot.panel != 8 && dot.panel != 16 && dot.panel != 32)
    return std::nullopt;
  // A block of B pairs per task as large as the f32 kernel's block of k.
  dot.pairsPerBlock = largestDividingMultiple(
      dot.depth / 2, 1, std::max<int64_t>(1, opts.reductionTile / 2));
  return dot;
}

/// `matrix` [K, N] (bf16) as panels of `width` columns of k pairs:
/// [N / width][ceil(K / 2)][width][2], the last two dims as one, each
/// 32-bit lane holding (matrix[2p][j], matrix[2p + 1][j]) as vdpbf16ps
/// reads them; an odd K gets a zero row. A panel is one contiguous stream
/// for the register tiles that walk it along k. One task per panel.
Value packPairs(ImplicitLocOpBuilder &b, Value matrix, int64_t width) {
  auto type = cast<RankedTensorType>(matrix.getType());
  int64_t depth = type.getDimSize(0), panels = type.getDimSize(1) / width;
  int64_t fullPairs = depth / 2, pairs = (depth + 1) / 2;
  Type bf16 = b.getBF16Type();
  auto row = VectorType::get({width}, bf16);
  auto panelType = RankedTensorType::get({1, pairs, 2 * width}, bf16);
  Value empty = tensor::EmptyOp::create(
      b, ArrayRef<int64_t>{panels, pairs, 2 * width}, bf16);
  auto index = [&](OpBuilder &nested, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nested, b.getLoc(), v);
  };
  Value padding = arith::ConstantOp::create(b, bf16, b.getZeroAttr(bf16));
  SmallVector<bool> inBounds = {true};
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{b.getIndexAttr(panels)}, ValueRange{empty},
      std::nullopt, [&](OpBuilder &nested, Location loc, ValueRange ivs) {
        ImplicitLocOpBuilder pb(loc, nested);
        Value p = ivs[0], out = ivs[1];
        Value zero = index(pb, 0), one = index(pb, 1);
        Value column = arith::MulIOp::create(pb, p, index(pb, width));
        SmallVector<OpFoldResult> offsets = {p, pb.getIndexAttr(0),
                                             pb.getIndexAttr(0)};
        SmallVector<OpFoldResult> extents = {pb.getIndexAttr(1),
                                             pb.getIndexAttr(pairs),
                                             pb.getIndexAttr(2 * width)};
        SmallVector<OpFoldResult> strides(3, pb.getIndexAttr(1));
        Value slice = tensor::ExtractSliceOp::create(pb, panelType, out,
                                                     offsets, extents, strides);
        auto writePair = [&](ImplicitLocOpBuilder &lb, Value panelSlice,
                             Value pair, Value low, Value high) -> Value {
          Value interleaved = vector::InterleaveOp::create(lb, low, high);
          return vector::TransferWriteOp::create(
                     lb, interleaved, panelSlice,
                     ValueRange{index(lb, 0), pair, index(lb, 0)}, inBounds)
              .getResult();
        };
        auto overPairs = scf::ForOp::create(
            pb, zero, index(pb, fullPairs), one, ValueRange{slice},
            [&](OpBuilder &lb0, Location l, Value pair, ValueRange iter) {
              ImplicitLocOpBuilder lb(l, lb0);
              Value k = arith::MulIOp::create(lb, pair, index(lb, 2));
              Value k1 = arith::AddIOp::create(lb, k, index(lb, 1));
              Value low = vector::TransferReadOp::create(
                  lb, row, matrix, ValueRange{k, column}, padding, inBounds);
              Value high = vector::TransferReadOp::create(
                  lb, row, matrix, ValueRange{k1, column}, padding, inBounds);
              scf::YieldOp::create(lb, writePair(lb, iter[0], pair, low, high));
            });
        Value packedPanel = overPairs.getResult(0);
        if (depth % 2) {
          Value low = vector::TransferReadOp::create(
              pb, row, matrix, ValueRange{index(pb, depth - 1), column},
              padding, inBounds);
          Value high = arith::ConstantOp::create(
              pb, row, DenseElementsAttr::get(row, pb.getZeroAttr(bf16)));
          packedPanel =
              writePair(pb, packedPanel, index(pb, fullPairs), low, high);
        }
        auto inParallel = scf::InParallelOp::create(pb);
        OpBuilder::InsertionGuard guard(pb);
        pb.setInsertionPointToStart(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(pb, packedPanel, out, offsets,
                                              extents, strides);
      });
  return forall.getResult(0);
}

/// The values every register tile of a bf16 product reads.
struct DotOperands {
  Value a;                // A [M, K], bf16
  Value packedB;          // packPairs(B, panel)
  Value taskRow, taskCol; // the task's tile in C
  /// The task's rows where M is dynamic (the last task's may be fewer than
  /// taskRows), else null.
  Value taskRowCount;
};

/// `accumulators` (mr x panel / lanes vectors of f32) plus the products of
/// k pair `pair` (k = 2 pair, 2 pair + 1) of rows row0 .. row0 + mr - 1 of A
/// and panel `panel` of the packed B: per row of A its pair broadcast to
/// every 32-bit lane, one vdpbf16ps per accumulator. In the odd tail, k + 1
/// = K is past A's rows and read as 0.
SmallVector<Value> emitDotStep(ImplicitLocOpBuilder &b, const DotTiling &dot,
                               const DotOperands &in, ValueRange accumulators,
                               Value row0, int64_t mr, Value panel, Value pair,
                               bool oddTail) {
  Type bf16 = b.getBF16Type(), i32 = b.getI32Type();
  int64_t lanes = dot.lanes(), perRow = dot.panel / lanes;
  auto pairsType = VectorType::get({2 * lanes}, bf16);
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  Value padding = arith::ConstantOp::create(b, bf16, b.getZeroAttr(bf16));
  SmallVector<Value> panelPairs;
  for (int64_t h = 0; h < perRow; ++h)
    panelPairs.push_back(vector::TransferReadOp::create(
        b, pairsType, in.packedB, ValueRange{panel, pair, index(2 * lanes * h)},
        padding, ArrayRef<bool>{true}));
  Value k = arith::MulIOp::create(b, pair, index(2));
  SmallVector<Value> next(accumulators.begin(), accumulators.end());
  for (int64_t r = 0; r < mr; ++r) {
    Value row = arith::AddIOp::create(b, row0, index(r));
    Value aPair = vector::TransferReadOp::create(
        b, VectorType::get({2}, bf16), in.a, ValueRange{row, k}, padding,
        ArrayRef<bool>{!oddTail});
    Value word = vector::ExtractOp::create(
        b, vector::BitCastOp::create(b, VectorType::get({1}, i32), aPair),
        ArrayRef<int64_t>{0});
    Value broadcast = vector::BitCastOp::create(
        b, pairsType,
        vector::BroadcastOp::create(b, VectorType::get({lanes}, i32), word));
    for (int64_t h = 0; h < perRow; ++h) {
      Value &accumulator = next[r * perRow + h];
      accumulator = x86vector::DotBF16Op::create(b, accumulator, broadcast,
                                                 panelPairs[h]);
    }
  }
  return next;
}

/// One pass of register tiles over a task's tile: each tile's accumulators
/// start at zero (`fromZero`), or from `sums` (an f32 tile; null: from
/// `out` itself), take k pairs [firstPair, firstPair + pairs) (pairs = 0:
/// the last k of an odd K alone, its pair read with a zero for k = K), and
/// are written to `out` (f32, or bf16 rounded from the sums); returns
/// `out` updated. Where M is dynamic, the rows that fill no whole register
/// tile are tiles of one row.
Value emitDotTiles(ImplicitLocOpBuilder &b, const DotTiling &dot,
                   const DotOperands &in, Value firstPair, int64_t pairs,
                   bool fromZero, Value sums, Value out) {
  Type f32 = b.getF32Type(), bf16 = b.getBF16Type();
  int64_t lanes = dot.lanes(), perRow = dot.panel / lanes;
  bool rounded = getElementTypeOrSelf(out.getType()).isBF16();
  auto accumulatorType = VectorType::get({lanes}, f32);
  auto index = [&](OpBuilder &nested, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nested, b.getLoc(), v);
  };
  Value f32Zero = arith::ConstantOp::create(b, f32, b.getZeroAttr(f32));
  SmallVector<bool> inBounds = {true};
  bool oddTail = pairs == 0;

  // Register tiles of `mr` rows from row `begin` to `end` of the task.
  auto overRows = [&](Value begin, Value end, int64_t mr, Value tile) {
    auto rowLoop = scf::ForOp::create(
        b, begin, end, index(b, mr), ValueRange{tile},
        [&](OpBuilder &rb0, Location rl, Value i, ValueRange rowIter) {
          ImplicitLocOpBuilder rb(rl, rb0);
          Value row0 = arith::AddIOp::create(rb, in.taskRow, i);
          auto overCols = scf::ForOp::create(
              rb, index(rb, 0), index(rb, dot.taskCols), index(rb, dot.panel),
              ValueRange{rowIter[0]},
              [&](OpBuilder &cb0, Location cl, Value j, ValueRange colIter) {
                ImplicitLocOpBuilder cb(cl, cb0);
                Value current = colIter[0];
                Value panel = arith::DivUIOp::create(
                    cb, arith::AddIOp::create(cb, in.taskCol, j),
                    index(cb, dot.panel));
                auto at = [&](int64_t r, int64_t h) -> SmallVector<Value> {
                  return {arith::AddIOp::create(cb, i, index(cb, r)),
                          arith::AddIOp::create(cb, j, index(cb, h * lanes))};
                };
                Value zeros = arith::ConstantOp::create(
                    cb, accumulatorType,
                    DenseElementsAttr::get(accumulatorType,
                                           cb.getZeroAttr(f32)));
                SmallVector<Value> accumulators;
                for (int64_t r = 0; r < mr; ++r)
                  for (int64_t h = 0; h < perRow; ++h)
                    accumulators.push_back(
                        fromZero
                            ? zeros
                            : vector::TransferReadOp::create(
                                  cb, accumulatorType, sums ? sums : current,
                                  at(r, h), f32Zero, inBounds)
                                  .getResult());
                if (oddTail) {
                  accumulators = emitDotStep(cb, dot, in, accumulators, row0,
                                             mr, panel, firstPair, oddTail);
                } else {
                  Value end =
                      arith::AddIOp::create(cb, firstPair, index(cb, pairs));
                  auto overK = scf::ForOp::create(
                      cb, firstPair, end, index(cb, 1), accumulators,
                      [&](OpBuilder &kb0, Location kl, Value pair,
                          ValueRange partial) {
                        ImplicitLocOpBuilder kb(kl, kb0);
                        scf::YieldOp::create(
                            kb, emitDotStep(kb, dot, in, partial, row0, mr,
                                            panel, pair, oddTail));
                      });
                  accumulators.assign(overK.getResults().begin(),
                                      overK.getResults().end());
                }
                for (int64_t r = 0; r < mr; ++r)
                  for (int64_t h = 0; h < perRow; ++h) {
                    Value sum = accumulators[r * perRow + h];
                    if (rounded)
                      sum = arith::TruncFOp::create(
                          cb, VectorType::get({lanes}, bf16), sum);
                    current = vector::TransferWriteOp::create(
                                  cb, sum, current, at(r, h), inBounds)
                                  .getResult();
                  }
                scf::YieldOp::create(cb, current);
              });
          scf::YieldOp::create(rb, overCols.getResult(0));
        });
    return rowLoop.getResult(0);
  };
  if (!in.taskRowCount)
    return overRows(index(b, 0), index(b, dot.taskRows), dot.registerRows, out);
  // Full register tiles, then the rows left one at a time.
  Value rows = in.taskRowCount;
  Value full = arith::SubIOp::create(
      b, rows, arith::RemUIOp::create(b, rows, index(b, dot.registerRows)));
  out = overRows(index(b, 0), full, dot.registerRows, out);
  return overRows(full, rows, 1, out);
}

/// The tensor a zero fill of `init` (linalg.fill, or the generic it
/// generalizes to) fills, or null: a product into it may start its sums
/// at zero and never read it.
Value zeroFilled(Value init) {
  Operation *fill = init.getDefiningOp();
  if (auto named = dyn_cast_or_null<linalg::FillOp>(fill))
    return matchPattern(named.value(), m_AnyZeroFloat()) ? named.output()
                                                         : Value();
  auto generic = dyn_cast_or_null<linalg::GenericOp>(fill);
  if (!generic || generic.getNumDpsInputs() != 0 ||
      generic.getNumDpsInits() != 1 ||
      generic.getBlock()->getOperations().size() != 1)
    return Value();
  Value yielded = generic.getBlock()->getTerminator()->getOperand(0);
  if (!matchPattern(yielded, m_AnyZeroFloat()))
    return Value();
  return generic.getDpsInitOperand(0)->get();
}

/// The only user of `product`'s result if it rounds it elementwise to bf16
/// (the truncation after an nn.matmul of bf16 tensors), else null: the
/// last pass of register tiles can round and write it instead.
linalg::GenericOp bf16Rounding(linalg::LinalgOp product) {
  Value result = product->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  auto rounding = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!rounding || rounding.getNumDpsInputs() != 1 ||
      rounding.getNumDpsInits() != 1 ||
      rounding.getDpsInputOperand(0)->get() != result ||
      !llvm::all_of(rounding.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }) ||
      rounding.getBlock()->getOperations().size() != 2)
    return nullptr;
  auto truncate =
      dyn_cast<arith::TruncFOp>(rounding.getBlock()->getOperations().front());
  if (!truncate || !truncate.getType().isBF16() ||
      truncate.getIn() != rounding.getBlock()->getArgument(0))
    return nullptr;
  return rounding;
}

/// Replaces `op` by B packed into k pairs and parallel tasks of register
/// tiles that step k by pairs with vdpbf16ps. A zero-filled init is never
/// read (the first pass starts at zero), and a rounding of the result to
/// bf16 is done by the last pass, which writes bf16 directly.
void emitDotProduct(RewriterBase &rewriter, linalg::LinalgOp op,
                    const DotTiling &dot) {
  rewriter.setInsertionPoint(op);
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  Value packedB = packPairs(b, op.getDpsInputOperand(1)->get(), dot.panel);
  Value init = op.getDpsInitOperand(0)->get();
  Value zeroInit = zeroFilled(init);
  linalg::GenericOp rounding = bf16Rounding(op);
  // The passes over k: full blocks of pairs, then the odd k alone.
  int64_t blocks = dot.depth / 2 / dot.pairsPerBlock;
  int64_t passes = blocks + dot.depth % 2;
  // Partial sums live in an f32 tile between passes, in the result when it
  // is not rounded, and the init is read unless it is zero.
  bool keepSums = !rounding || passes > 1 || !zeroInit;
  SmallVector<Value> outputs;
  if (keepSums)
    outputs.push_back(zeroInit ? zeroInit : init);
  if (rounding)
    outputs.push_back(rounding.getDpsInitOperand(0)->get());
  // The rounding's destination may be defined after `op`.
  if (rounding)
    b.setInsertionPoint(rounding);
  SmallVector<OpFoldResult> zeros(2, b.getIndexAttr(0));
  Value a = op.getDpsInputOperand(0)->get();
  bool dynamicRows = ShapedType::isDynamic(dot.rows);
  OpFoldResult rows = b.getIndexAttr(dot.rows);
  if (dynamicRows)
    rows = tensor::DimOp::create(b, a, 0).getResult();
  auto forall = scf::ForallOp::create(
      b, zeros, ArrayRef<OpFoldResult>{rows, b.getIndexAttr(dot.cols)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(dot.taskRows),
                             b.getIndexAttr(dot.taskCols)},
      outputs, std::nullopt,
      [&](OpBuilder &nested, Location loc, ValueRange ivs) {
        ImplicitLocOpBuilder tb(loc, nested);
        DotOperands in{a, packedB, ivs[0], ivs[1], Value()};
        SmallVector<OpFoldResult> offsets = {in.taskRow, in.taskCol};
        SmallVector<OpFoldResult> extents = {tb.getIndexAttr(dot.taskRows),
                                             tb.getIndexAttr(dot.taskCols)};
        if (dynamicRows) {
          // min(taskRows, M - taskRow)
          AffineExpr row, count;
          bindSymbols(tb.getContext(), row, count);
          in.taskRowCount = affine::AffineMinOp::create(
              tb,
              AffineMap::get(
                  0, 2, {tb.getAffineConstantExpr(dot.taskRows), count - row},
                  tb.getContext()),
              ValueRange{in.taskRow, cast<Value>(rows)});
          extents[0] = in.taskRowCount;
        }
        SmallVector<OpFoldResult> strides(2, tb.getIndexAttr(1));
        auto pair = [&](int64_t p) -> Value {
          return arith::ConstantIndexOp::create(tb, p);
        };
        SmallVector<Value> tiles;
        for (Value shared : ivs.drop_front(2))
          tiles.push_back(tensor::ExtractSliceOp::create(
              tb,
              RankedTensorType::get(
                  {dynamicRows ? ShapedType::kDynamic : dot.taskRows,
                   dot.taskCols},
                  getElementTypeOrSelf(shared.getType())),
              shared, offsets, extents, strides));
        Value &last = tiles.back();
        Value sums = keepSums ? tiles.front() : Value();
        // Every pass but the last accumulates into the f32 sums: the first
        // block (from zero where the init is zero), then the blocks up to
        // the last pass as a loop.
        if (passes > 1)
          sums = emitDotTiles(tb, dot, in, pair(0), dot.pairsPerBlock,
                              static_cast<bool>(zeroInit), Value(), sums);
        if (passes > 2) {
          auto overBlocks = scf::ForOp::create(
              tb, pair(dot.pairsPerBlock),
              pair((passes - 1) * dot.pairsPerBlock), pair(dot.pairsPerBlock),
              ValueRange{sums},
              [&](OpBuilder &bb0, Location bl, Value first, ValueRange iter) {
                ImplicitLocOpBuilder bb(bl, bb0);
                scf::YieldOp::create(
                    bb, emitDotTiles(bb, dot, in, first, dot.pairsPerBlock,
                                     /*fromZero=*/false, Value(), iter[0]));
              });
          sums = overBlocks.getResult(0);
        }
        // The last pass: the odd k, else the last block; into the result.
        bool tail = dot.depth % 2;
        Value result =
            emitDotTiles(tb, dot, in, pair((passes - 1) * dot.pairsPerBlock),
                         tail ? 0 : dot.pairsPerBlock, passes == 1 && zeroInit,
                         rounding ? sums : Value(), rounding ? last : sums);
        if (keepSums)
          tiles.front() = sums;
        last = result;
        auto inParallel = scf::InParallelOp::create(tb);
        OpBuilder::InsertionGuard guard(tb);
        tb.setInsertionPointToStart(inParallel.getBody());
        for (auto [tile, shared] : llvm::zip(tiles, ivs.drop_front(2)))
          tensor::ParallelInsertSliceOp::create(tb, tile, shared, offsets,
                                                extents, strides);
      });
  if (rounding) {
    rewriter.replaceOp(rounding, forall.getResults().back());
    rewriter.eraseOp(op);
  } else {
    rewriter.replaceOp(op, forall.getResults());
  }
}

struct TileContractions : nnc::impl::TileContractionsBase<TileContractions> {
  using TileContractionsBase::TileContractionsBase;

  void runOnOperation() override {
    nnc::TileContractionsOptions opts{vectorWidth,      registerRows,
                                      parallelTileRows, parallelTileCols,
                                      reductionTile,    bf16Dot};
    SmallVector<std::pair<linalg::LinalgOp, ContractionTiling>> work;
    SmallVector<std::pair<linalg::LinalgOp, DotTiling>> dotWork;
    getOperation()->walk([&](linalg::LinalgOp op) {
      std::optional<ContractionTiling> tiling = chooseTiling(op, opts);
      if (!tiling)
        return;
      if (auto dot = chooseDotTiling(op, *tiling, opts))
        dotWork.push_back({op, *dot});
      else
        work.push_back({op, *tiling});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, dot] : dotWork)
      emitDotProduct(rewriter, op, dot);
    for (auto &[op, tiling] : work)
      if (failed(tileContraction(rewriter, op, tiling))) {
        op->emitOpError("could not be tiled into register tiles");
        return signalPassFailure();
      }
  }
};

} // namespace
