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
// Large f32 products take the same kernel with one k per lane and FMAs:
// the register tiles then read B as one contiguous stream per panel
// instead of rows 4 or 8 KiB apart (n = 1024, 2048), which map onto few
// cache sets. A constant B (a frozen weight) is packed when compiling.
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
#include <vector>

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
// Products over packed panels of B: bf16 through vdpbf16ps, large f32
//===----------------------------------------------------------------------===//

/// The k that one 32-bit lane of a packed panel of B holds for `op`'s
/// product: 2 where its body is acc + extf(a) * extf(b) with bf16 operands
/// and an f32 accumulator (vdpbf16ps takes k pairs), 1 where it is
/// acc + a * b in f32 (an FMA per k), else 0 (no packed kernel).
int64_t packedGroup(linalg::LinalgOp op) {
  auto elementOf = [](Value v) { return getElementTypeOrSelf(v.getType()); };
  Type aType = elementOf(op.getDpsInputOperand(0)->get());
  if (aType != elementOf(op.getDpsInputOperand(1)->get()) ||
      !elementOf(op.getDpsInitOperand(0)->get()).isF32() ||
      !(aType.isBF16() || aType.isF32()))
    return 0;
  int64_t group = aType.isBF16() ? 2 : 1;
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  // The add, the multiply, the yield, and for bf16 the two extensions.
  if (!add || body->getOperations().size() != (group == 2 ? 5u : 3u))
    return 0;
  Value accumulator = body->getArgument(2);
  Value product = add.getLhs() == accumulator ? add.getRhs() : add.getLhs();
  auto multiply = product.getDefiningOp<arith::MulFOp>();
  if (!multiply || (add.getLhs() != accumulator && add.getRhs() != accumulator))
    return 0;
  auto isArgument = [&](Value v, unsigned argument) {
    if (group == 2) {
      auto extend = v.getDefiningOp<arith::ExtFOp>();
      v = extend ? extend.getIn() : Value();
    }
    return v == body->getArgument(argument);
  };
  bool operandsMatch =
      (isArgument(multiply.getLhs(), 0) && isArgument(multiply.getRhs(), 1)) ||
      (isArgument(multiply.getLhs(), 1) && isArgument(multiply.getRhs(), 0));
  return operandsMatch ? group : 0;
}

/// How a product C[M, N] += A[M, K] . B[K, N] over packed panels of B is
/// cut: the tasks and register tiles of the f32 kernel, the reduction in
/// blocks of k groups (a group: the k one 32-bit lane of a panel holds).
struct PanelTiling {
  int64_t rows, cols, depth;   // M (may be dynamic), N, K
  int64_t taskRows, taskCols;  // one parallel task's tile
  int64_t group;               // k per lane: 2 (bf16 pairs) or 1 (f32)
  int64_t groupsPerBlock;      // cache block along k, in groups
  int64_t registerRows, panel; // mr x nr accumulators; nr is B's panel width
  /// f32 lanes of one vdpbf16ps or FMA (16: zmm, 8: ymm).
  int64_t lanes() const { return std::min<int64_t>(panel, 16); }
};

/// The packed-panel tiling of `op` (already cut as `tiling` for the f32
/// kernel), or nothing where that kernel must do it: a bf16 product on a
/// target without vdpbf16ps, an f32 product whose B is too small for its
/// packing to pay (`pack-f32-min-size`), A stored [k, m] (not done yet), or
/// a register tile whose width is no whole number of ymm or zmm vectors.
std::optional<PanelTiling>
choosePanelTiling(linalg::LinalgOp op, const ContractionTiling &tiling,
                  const nnc::TileContractionsOptions &opts) {
  int64_t group = packedGroup(op);
  if (group == 0 || (group == 2 && !opts.bf16Dot))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
  if (!isDims(op.getIndexingMapsArray()[0], {m, k}))
    return std::nullopt;
  PanelTiling packed;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  packed.rows = sizes[m];
  packed.cols = sizes[n];
  packed.depth = sizes[k];
  // Packing B costs a pass over it per call, repaid by the rows of A that
  // walk the packed panels. For f32 it is done only where B's strided rows
  // miss in cache without it: k, n >= pack-f32-min-size (at 2 threads,
  // medians of alternating runs: 2048^3 went from 0.72x to 1.08x OpenBLAS
  // with it, 1024^3 from 1.00x to 1.19x; 512^3 was as fast either way,
  // and, at 1024, packing is 6% of the product's time, 2% at 2048). Fewer
  // rows than half of that (estimated, not measured: about where the pass
  // over B costs what the packed panels save) keep the plain kernel, as
  // does an unknown batch.
  int64_t minSize = opts.packF32MinSize;
  if (group == 1 &&
      (minSize <= 0 || packed.cols < minSize || packed.depth < minSize ||
       ShapedType::isDynamic(packed.rows) || packed.rows < minSize / 2))
    return std::nullopt;
  packed.taskRows = tiling.parallelTile[m];
  packed.taskCols = tiling.parallelTile[n];
  packed.registerRows = tiling.registerTile[m];
  packed.panel = tiling.registerTile[n];
  if (packed.panel != 8 && packed.panel != 16 && packed.panel != 32)
    return std::nullopt;
  packed.group = group;
  // A block of B per task as large as the f32 kernel's block of k.
  packed.groupsPerBlock =
      largestDividingMultiple(packed.depth / group, 1,
                              std::max<int64_t>(1, opts.reductionTile / group));
  return packed;
}

/// `values` [K, N] packed as packPanels packs them at run time.
DenseElementsAttr packedConstant(DenseElementsAttr values, int64_t width,
                                 int64_t group) {
  auto type = cast<RankedTensorType>(values.getType());
  int64_t depth = type.getDimSize(0), cols = type.getDimSize(1);
  int64_t groups = (depth + group - 1) / group;
  auto packedType = RankedTensorType::get({cols / width, groups, group * width},
                                          type.getElementType());
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  ArrayRef<char> raw = values.getRawData();
  // Rows past K (an odd K of pairs) stay zero.
  std::vector<char> packed(packedType.getNumElements() * bytes, 0);
  for (int64_t p = 0; p < cols / width; ++p)
    for (int64_t k = 0; k < depth; ++k)
      for (int64_t j = 0; j < width; ++j) {
        int64_t from = values.isSplat() ? 0 : k * cols + p * width + j;
        int64_t to = ((p * groups + k / group) * width + j) * group + k % group;
        std::copy_n(raw.begin() + from * bytes, bytes,
                    packed.begin() + to * bytes);
      }
  return DenseElementsAttr::getFromRawBuffer(packedType, packed);
}

/// `matrix` [K, N] as panels of `width` columns of k groups of `group`:
/// [N / width][ceil(K / group)][width][group], the last two dims as one.
/// For bf16 (group 2) each 32-bit lane holds (matrix[2p][j],
/// matrix[2p + 1][j]) as vdpbf16ps reads them, an odd K with a zero row;
/// for f32 (group 1) a panel row is the row's `width` columns. A panel is
/// one contiguous stream for the register tiles that walk it along k. One
/// task per panel.
Value packPanels(ImplicitLocOpBuilder &b, Value matrix, int64_t width,
                 int64_t group) {
  auto type = cast<RankedTensorType>(matrix.getType());
  Type element = type.getElementType();
  int64_t depth = type.getDimSize(0), panels = type.getDimSize(1) / width;
  int64_t fullGroups = depth / group, groups = (depth + group - 1) / group;
  // A constant (a frozen weight) is packed now, at compile time.
  DenseElementsAttr constant;
  if (matchPattern(matrix, m_Constant(&constant)))
    return arith::ConstantOp::create(b, packedConstant(constant, width, group));
  auto row = VectorType::get({width}, element);
  auto panelType = RankedTensorType::get({1, groups, group * width}, element);
  Value empty = tensor::EmptyOp::create(
      b, ArrayRef<int64_t>{panels, groups, group * width}, element);
  auto index = [&](OpBuilder &nested, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nested, b.getLoc(), v);
  };
  Value padding = arith::ConstantOp::create(b, element, b.getZeroAttr(element));
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
                                             pb.getIndexAttr(groups),
                                             pb.getIndexAttr(group * width)};
        SmallVector<OpFoldResult> strides(3, pb.getIndexAttr(1));
        Value slice = tensor::ExtractSliceOp::create(pb, panelType, out,
                                                     offsets, extents, strides);
        // The panel row of group `q` from rows `low` (k = group q) and, for
        // pairs, `high` (k = 2q + 1).
        auto writeGroup = [&](ImplicitLocOpBuilder &lb, Value panelSlice,
                              Value q, Value low, Value high) -> Value {
          Value lanes =
              group == 2 ? vector::InterleaveOp::create(lb, low, high) : low;
          return vector::TransferWriteOp::create(
                     lb, lanes, panelSlice,
                     ValueRange{index(lb, 0), q, index(lb, 0)}, inBounds)
              .getResult();
        };
        auto readRow = [&](ImplicitLocOpBuilder &lb, Value k) -> Value {
          return vector::TransferReadOp::create(
              lb, row, matrix, ValueRange{k, column}, padding, inBounds);
        };
        auto overGroups = scf::ForOp::create(
            pb, zero, index(pb, fullGroups), one, ValueRange{slice},
            [&](OpBuilder &lb0, Location l, Value q, ValueRange iter) {
              ImplicitLocOpBuilder lb(l, lb0);
              Value k = arith::MulIOp::create(lb, q, index(lb, group));
              Value high;
              if (group == 2)
                high = readRow(lb, arith::AddIOp::create(lb, k, index(lb, 1)));
              scf::YieldOp::create(
                  lb, writeGroup(lb, iter[0], q, readRow(lb, k), high));
            });
        Value packedPanel = overGroups.getResult(0);
        if (fullGroups < groups) {
          Value high = arith::ConstantOp::create(
              pb, row, DenseElementsAttr::get(row, pb.getZeroAttr(element)));
          packedPanel = writeGroup(pb, packedPanel, index(pb, fullGroups),
                                   readRow(pb, index(pb, depth - 1)), high);
        }
        auto inParallel = scf::InParallelOp::create(pb);
        OpBuilder::InsertionGuard guard(pb);
        pb.setInsertionPointToStart(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(pb, packedPanel, out, offsets,
                                              extents, strides);
      });
  return forall.getResult(0);
}

/// The values every register tile of a packed product reads.
struct PanelOperands {
  Value a;                // A [M, K]
  Value packedB;          // packPanels(B, panel, group)
  Value taskRow, taskCol; // the task's tile in C
  /// The task's rows where M is dynamic (the last task's may be fewer than
  /// taskRows), else null.
  Value taskRowCount;
};

/// `accumulators` (mr x panel / lanes vectors of f32) plus the products of
/// k group `q` of rows row0 .. row0 + mr - 1 of A and panel `panel` of the
/// packed B: per row of A its group broadcast to every 32-bit lane, one
/// vdpbf16ps (k pair 2q, 2q + 1) or FMA (k = q) per accumulator. In the odd
/// tail of bf16 pairs, k + 1 = K is past A's rows and read as 0.
SmallVector<Value>
emitPanelStep(ImplicitLocOpBuilder &b, const PanelTiling &packed,
              const PanelOperands &in, ValueRange accumulators, Value row0,
              int64_t mr, Value panel, Value q, bool oddTail) {
  Type element = getElementTypeOrSelf(in.a.getType()), i32 = b.getI32Type();
  int64_t group = packed.group, lanes = packed.lanes(),
          perRow = packed.panel / lanes;
  auto panelRowType = VectorType::get({group * lanes}, element);
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  Value padding = arith::ConstantOp::create(b, element, b.getZeroAttr(element));
  SmallVector<Value> panelRows;
  for (int64_t h = 0; h < perRow; ++h)
    panelRows.push_back(vector::TransferReadOp::create(
        b, panelRowType, in.packedB,
        ValueRange{panel, q, index(group * lanes * h)}, padding,
        ArrayRef<bool>{true}));
  Value k = group == 1 ? q : arith::MulIOp::create(b, q, index(group));
  SmallVector<Value> next(accumulators.begin(), accumulators.end());
  for (int64_t r = 0; r < mr; ++r) {
    Value row = arith::AddIOp::create(b, row0, index(r));
    Value broadcast;
    if (group == 1) {
      broadcast = vector::BroadcastOp::create(
          b, panelRowType,
          tensor::ExtractOp::create(b, in.a, ValueRange{row, k}));
    } else {
      // The pair as one 32-bit word, broadcast, seen as bf16 pairs again.
      Value aPair = vector::TransferReadOp::create(
          b, VectorType::get({2}, element), in.a, ValueRange{row, k}, padding,
          ArrayRef<bool>{!oddTail});
      Value word = vector::ExtractOp::create(
          b, vector::BitCastOp::create(b, VectorType::get({1}, i32), aPair),
          ArrayRef<int64_t>{0});
      broadcast = vector::BitCastOp::create(
          b, panelRowType,
          vector::BroadcastOp::create(b, VectorType::get({lanes}, i32), word));
    }
    for (int64_t h = 0; h < perRow; ++h) {
      Value &accumulator = next[r * perRow + h];
      accumulator =
          group == 1
              ? vector::FMAOp::create(b, broadcast, panelRows[h], accumulator)
                    .getResult()
              : x86vector::DotBF16Op::create(b, accumulator, broadcast,
                                             panelRows[h])
                    .getResult();
    }
  }
  return next;
}

/// One pass of register tiles over a task's tile: each tile's accumulators
/// start at zero (`fromZero`), or from `sums` (an f32 tile; null: from
/// `out` itself), take k groups [firstGroup, firstGroup + groups) (groups =
/// 0: the last k of an odd K of bf16 pairs alone, its pair read with a zero
/// for k = K), and
/// are written to `out` (f32, or bf16 rounded from the sums); returns
/// `out` updated. Where M is dynamic, the rows that fill no whole register
/// tile are tiles of one row.
Value emitPanelTiles(ImplicitLocOpBuilder &b, const PanelTiling &packed,
                     const PanelOperands &in, Value firstGroup, int64_t groups,
                     bool fromZero, Value sums, Value out) {
  Type f32 = b.getF32Type(), bf16 = b.getBF16Type();
  int64_t lanes = packed.lanes(), perRow = packed.panel / lanes;
  bool rounded = getElementTypeOrSelf(out.getType()).isBF16();
  auto accumulatorType = VectorType::get({lanes}, f32);
  auto index = [&](OpBuilder &nested, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nested, b.getLoc(), v);
  };
  Value f32Zero = arith::ConstantOp::create(b, f32, b.getZeroAttr(f32));
  SmallVector<bool> inBounds = {true};
  bool oddTail = groups == 0;

  // Register tiles of `mr` rows from row `begin` to `end` of the task.
  auto overRows = [&](Value begin, Value end, int64_t mr, Value tile) {
    auto rowLoop = scf::ForOp::create(
        b, begin, end, index(b, mr), ValueRange{tile},
        [&](OpBuilder &rb0, Location rl, Value i, ValueRange rowIter) {
          ImplicitLocOpBuilder rb(rl, rb0);
          Value row0 = arith::AddIOp::create(rb, in.taskRow, i);
          auto overCols = scf::ForOp::create(
              rb, index(rb, 0), index(rb, packed.taskCols),
              index(rb, packed.panel), ValueRange{rowIter[0]},
              [&](OpBuilder &cb0, Location cl, Value j, ValueRange colIter) {
                ImplicitLocOpBuilder cb(cl, cb0);
                Value current = colIter[0];
                Value panel = arith::DivUIOp::create(
                    cb, arith::AddIOp::create(cb, in.taskCol, j),
                    index(cb, packed.panel));
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
                  accumulators =
                      emitPanelStep(cb, packed, in, accumulators, row0, mr,
                                    panel, firstGroup, oddTail);
                } else {
                  Value end =
                      arith::AddIOp::create(cb, firstGroup, index(cb, groups));
                  auto overK = scf::ForOp::create(
                      cb, firstGroup, end, index(cb, 1), accumulators,
                      [&](OpBuilder &kb0, Location kl, Value q,
                          ValueRange partial) {
                        ImplicitLocOpBuilder kb(kl, kb0);
                        scf::YieldOp::create(
                            kb, emitPanelStep(kb, packed, in, partial, row0, mr,
                                              panel, q, oddTail));
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
    return overRows(index(b, 0), index(b, packed.taskRows), packed.registerRows,
                    out);
  // Full register tiles, then the rows left one at a time.
  Value rows = in.taskRowCount;
  Value full = arith::SubIOp::create(
      b, rows, arith::RemUIOp::create(b, rows, index(b, packed.registerRows)));
  out = overRows(index(b, 0), full, packed.registerRows, out);
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

/// Replaces `op` by B packed into panels and parallel tasks of register
/// tiles that step k by groups (vdpbf16ps on bf16 pairs, FMAs on f32 k) along
/// them. A zero-filled init is never
/// read (the first pass starts at zero), and a rounding of the result to
/// bf16 is done by the last pass, which writes bf16 directly.
void emitPanelProduct(RewriterBase &rewriter, linalg::LinalgOp op,
                      const PanelTiling &packed) {
  rewriter.setInsertionPoint(op);
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  Value packedB = packPanels(b, op.getDpsInputOperand(1)->get(), packed.panel,
                             packed.group);
  Value init = op.getDpsInitOperand(0)->get();
  Value zeroInit = zeroFilled(init);
  linalg::GenericOp rounding = bf16Rounding(op);
  // The passes over k: full blocks of groups, then an odd k alone.
  int64_t blocks = packed.depth / packed.group / packed.groupsPerBlock;
  bool tail = packed.depth % packed.group;
  int64_t passes = blocks + tail;
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
  bool dynamicRows = ShapedType::isDynamic(packed.rows);
  OpFoldResult rows = b.getIndexAttr(packed.rows);
  if (dynamicRows)
    rows = tensor::DimOp::create(b, a, 0).getResult();
  auto forall = scf::ForallOp::create(
      b, zeros, ArrayRef<OpFoldResult>{rows, b.getIndexAttr(packed.cols)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(packed.taskRows),
                             b.getIndexAttr(packed.taskCols)},
      outputs, std::nullopt,
      [&](OpBuilder &nested, Location loc, ValueRange ivs) {
        ImplicitLocOpBuilder tb(loc, nested);
        PanelOperands in{a, packedB, ivs[0], ivs[1], Value()};
        SmallVector<OpFoldResult> offsets = {in.taskRow, in.taskCol};
        SmallVector<OpFoldResult> extents = {tb.getIndexAttr(packed.taskRows),
                                             tb.getIndexAttr(packed.taskCols)};
        if (dynamicRows) {
          // min(taskRows, M - taskRow)
          AffineExpr row, count;
          bindSymbols(tb.getContext(), row, count);
          in.taskRowCount = affine::AffineMinOp::create(
              tb,
              AffineMap::get(
                  0, 2,
                  {tb.getAffineConstantExpr(packed.taskRows), count - row},
                  tb.getContext()),
              ValueRange{in.taskRow, cast<Value>(rows)});
          extents[0] = in.taskRowCount;
        }
        SmallVector<OpFoldResult> strides(2, tb.getIndexAttr(1));
        auto group = [&](int64_t q) -> Value {
          return arith::ConstantIndexOp::create(tb, q);
        };
        SmallVector<Value> tiles;
        for (Value shared : ivs.drop_front(2))
          tiles.push_back(tensor::ExtractSliceOp::create(
              tb,
              RankedTensorType::get(
                  {dynamicRows ? ShapedType::kDynamic : packed.taskRows,
                   packed.taskCols},
                  getElementTypeOrSelf(shared.getType())),
              shared, offsets, extents, strides));
        Value &last = tiles.back();
        Value sums = keepSums ? tiles.front() : Value();
        // Every pass but the last accumulates into the f32 sums: the first
        // block (from zero where the init is zero), then the blocks up to
        // the last pass as a loop.
        if (passes > 1)
          sums = emitPanelTiles(tb, packed, in, group(0), packed.groupsPerBlock,
                                static_cast<bool>(zeroInit), Value(), sums);
        if (passes > 2) {
          auto overBlocks = scf::ForOp::create(
              tb, group(packed.groupsPerBlock),
              group((passes - 1) * packed.groupsPerBlock),
              group(packed.groupsPerBlock), ValueRange{sums},
              [&](OpBuilder &bb0, Location bl, Value first, ValueRange iter) {
                ImplicitLocOpBuilder bb(bl, bb0);
                scf::YieldOp::create(bb, emitPanelTiles(bb, packed, in, first,
                                                        packed.groupsPerBlock,
                                                        /*fromZero=*/false,
                                                        Value(), iter[0]));
              });
          sums = overBlocks.getResult(0);
        }
        // The last pass: the odd k, else the last block; into the result.
        Value result = emitPanelTiles(
            tb, packed, in, group((passes - 1) * packed.groupsPerBlock),
            tail ? 0 : packed.groupsPerBlock, passes == 1 && zeroInit,
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
    nnc::TileContractionsOptions opts{
        vectorWidth,   registerRows, parallelTileRows, parallelTileCols,
        reductionTile, bf16Dot,      packF32MinSize};
    SmallVector<std::pair<linalg::LinalgOp, ContractionTiling>> work;
    SmallVector<std::pair<linalg::LinalgOp, PanelTiling>> panelWork;
    getOperation()->walk([&](linalg::LinalgOp op) {
      std::optional<ContractionTiling> tiling = chooseTiling(op, opts);
      if (!tiling)
        return;
      if (auto packed = choosePanelTiling(op, *tiling, opts))
        panelWork.push_back({op, *packed});
      else
        work.push_back({op, *tiling});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, packed] : panelWork)
      emitPanelProduct(rewriter, op, packed);
    for (auto &[op, tiling] : work)
      if (failed(tileContraction(rewriter, op, tiling))) {
        op->emitOpError("could not be tiled into register tiles");
        return signalPassFailure();
      }
  }
};

} // namespace
