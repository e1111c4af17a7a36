//===- codegen/TileConvolutions.cpp - Register-tiled convolutions ---------===//
//
// The stride-1 convolutions nn-lower-to-linalg emits over "wide rows"
// (loops n, g, f, c, kh, kw, p: out[n, g, f, p] += in[n, g, c, p + kh W' +
// kw] w[g, f, c, kh, kw], p running over the output rows joined at the
// padded width W') are, for each tap (c, kh, kw), a matrix product of the
// weights [f, c] and a shifted row of the input. They get the matrix
// product's kernel: each task of the thread pool takes one image (and
// group), register tiles of mr output channels by nr consecutive outputs
// stay in vector registers while (c, kh, kw) walk the taps, and each tap
// adds mr broadcast weights times one row of nr inputs (FMAs).
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "codegen/Tiling.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace nnc {
#define GEN_PASS_DEF_TILECONVOLUTIONS
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {

using namespace mlir;
using nnc::isDims;
using nnc::isF32MultiplyAccumulate;
using nnc::isUnitShiftAlong;
using nnc::largestDividingMultiple;
using nnc::tiledOp;
using nnc::tileWith;

// The wide-row convolution's loop dims.
enum Dim : unsigned { N, G, F, C, KH, KW, P, NumDims };

/// Tile sizes of one wide-row convolution.
struct ConvolutionTiling {
  SmallVector<int64_t> parallelTile; // tasks: an image and group each
  SmallVector<int64_t> registerTile; // mr x nr outputs, one tap per step
  /// nr does not divide p: the last, narrower tile is peeled off.
  bool peelOutputs = false;
};

std::optional<ConvolutionTiling>
chooseTiling(linalg::GenericOp op, const nnc::TileConvolutionsOptions &opts) {
  if (op.getNumLoops() != NumDims || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics())
    return std::nullopt;
  using utils::IteratorType;
  SmallVector<IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned dim = 0; dim < NumDims; ++dim)
    if ((iterators[dim] == IteratorType::reduction) !=
        (dim == C || dim == KH || dim == KW))
      return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!isDims(maps[1], {G, F, C, KH, KW}) || !isDims(maps[2], {N, G, F, P}) ||
      maps[0].getNumResults() != 4 ||
      !isDims(maps[0].getSubMap({0, 1, 2}), {N, G, C}) ||
      !isUnitShiftAlong(maps[0].getResult(3), NumDims, P, {N, G, F, C}))
    return std::nullopt;
  if (!isF32MultiplyAccumulate(op))
    return std::nullopt;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  for (unsigned dim = G; dim < NumDims; ++dim)
    if (ShapedType::isDynamic(sizes[dim]))
      return std::nullopt;

  int64_t nr = nnc::registerTileWidth(sizes[P], opts.vectorWidth);
  int64_t mr = 0;
  for (int64_t candidate :
       {opts.registerRows, int64_t(4), int64_t(2), int64_t(1)})
    if (candidate > 0 && sizes[F] % candidate == 0) {
      mr = candidate;
      break;
    }
  if (nr == 0 || mr == 0)
    return std::nullopt;

  ConvolutionTiling tiling;
  tiling.parallelTile = {1, 1, sizes[F], 0, 0, 0, sizes[P]};
  // Rows that a whole vector does not divide (840 outputs, rows of 30):
  // whole-vector tiles and one narrower tile at the end, rather than
  // half-vector tiles throughout.
  if (nr < opts.vectorWidth && sizes[P] > 2 * opts.vectorWidth) {
    nr = opts.vectorWidth;
    tiling.peelOutputs = true;
  }
  // Few images: the rows of outputs are split among tasks too, in whole
  // register tiles (the last task may get a shorter, peeled share).
  int64_t images = ShapedType::isDynamic(sizes[N]) ? 0 : sizes[N] * sizes[G];
  if (images != 0 && images < 4) {
    int64_t tasksPerImage = (4 + images - 1) / images;
    int64_t tiles = (sizes[P] + nr - 1) / nr;
    tiling.parallelTile[P] =
        tiling.peelOutputs
            ? (tiles + tasksPerImage - 1) / tasksPerImage * nr
            : largestDividingMultiple(sizes[P], nr, sizes[P] / tasksPerImage);
  }
  tiling.registerTile = {0, 0, mr, 1, 1, 1, nr};
  return tiling;
}

/// Replaces the register tile `op` (a wide-row convolution of one tap over
/// mr x nr outputs) with vector code: mr weights broadcast, one row of nr
/// inputs, mr FMAs into the rows of the accumulator tile.
LogicalResult emitTap(RewriterBase &rewriter, linalg::GenericOp op, int64_t mr,
                      int64_t nr) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value input = op.getDpsInputOperand(0)->get();
  Value weight = op.getDpsInputOperand(1)->get();
  Value acc = op.getDpsInitOperand(0)->get();
  auto f32 = rewriter.getF32Type();
  auto row = VectorType::get({nr}, f32);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value padding = arith::ConstantOp::create(rewriter, loc, f32,
                                            rewriter.getF32FloatAttr(0));
  SmallVector<bool> inBounds = {true};
  Value inputs = vector::TransferReadOp::create(
      rewriter, loc, row, input, ValueRange{zero, zero, zero, zero}, padding,
      inBounds);
  for (int64_t i = 0; i < mr; ++i) {
    Value channel = arith::ConstantIndexOp::create(rewriter, loc, i);
    Value w = tensor::ExtractOp::create(
        rewriter, loc, weight, ValueRange{zero, channel, zero, zero, zero});
    Value weights = vector::BroadcastOp::create(rewriter, loc, row, w);
    SmallVector<Value> at = {zero, zero, channel, zero};
    Value sums = vector::TransferReadOp::create(rewriter, loc, row, acc, at,
                                                padding, inBounds);
    sums = vector::FMAOp::create(rewriter, loc, weights, inputs, sums);
    acc =
        vector::TransferWriteOp::create(rewriter, loc, sums, acc, at, inBounds)
            .getResult();
  }
  rewriter.replaceOp(op, acc);
  return success();
}

LogicalResult tileConvolution(RewriterBase &rewriter, linalg::GenericOp op,
                              const ConvolutionTiling &tiling) {
  rewriter.setInsertionPoint(op);
  auto parallel =
      tileWith(rewriter, cast<TilingInterface>(op.getOperation()),
               tiling.parallelTile, scf::SCFTilingOptions::LoopType::ForallOp);
  if (failed(parallel))
    return failure();
  // Register tiles over (f, p) outside, the taps (c, kh, kw) inside: the
  // weights of mr output channels stay in cache while p walks the outputs.
  // (Measured: p outside was no faster on the SmallCNN and ResNet shapes.)
  auto registers =
      tileWith(rewriter, tiledOp(*parallel), tiling.registerTile,
               scf::SCFTilingOptions::LoopType::ForOp, {N, G, F, P, C, KH, KW});
  if (failed(registers))
    return failure();
  if (!tiling.peelOutputs) {
    auto tap = cast<linalg::GenericOp>(tiledOp(*registers).getOperation());
    for (int64_t size : tap.getStaticLoopRanges())
      if (ShapedType::isDynamic(size))
        return failure();
    return emitTap(rewriter, tap, tiling.registerTile[F],
                   tiling.registerTile[P]);
  }
  // The p loop (the second tiled one) in full tiles and one remainder,
  // both of static size once canonicalized.
  auto outputs = cast<scf::ForOp>(registers->loops[1].getOperation());
  scf::ForOp remainder;
  if (failed(scf::peelForLoopAndSimplifyBounds(rewriter, outputs, remainder)))
    return failure();
  Operation *task = parallel->loops.front().getOperation();
  if (failed(nnc::canonicalizeInside(task)))
    return failure();
  SmallVector<linalg::GenericOp> taps;
  task->walk([&](linalg::GenericOp tap) { taps.push_back(tap); });
  for (linalg::GenericOp tap : taps) {
    // A task's remainder of unknown width (its share was shorter) stays a
    // plain loop nest: at most one register tile's outputs.
    SmallVector<int64_t> sizes = tap.getStaticLoopRanges();
    if (llvm::any_of(sizes, ShapedType::isDynamic))
      continue;
    if (failed(emitTap(rewriter, tap, sizes[F], sizes[P])))
      return failure();
  }
  return success();
}

struct TileConvolutions : nnc::impl::TileConvolutionsBase<TileConvolutions> {
  using TileConvolutionsBase::TileConvolutionsBase;

  void runOnOperation() override {
    nnc::TileConvolutionsOptions opts{vectorWidth, registerRows};
    SmallVector<std::pair<linalg::GenericOp, ConvolutionTiling>> work;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (auto tiling = chooseTiling(op, opts))
        work.push_back({op, *tiling});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, tiling] : work)
      if (failed(tileConvolution(rewriter, op, tiling))) {
        op->emitOpError("could not be tiled into register tiles");
        return signalPassFailure();
      }
  }
};

} // namespace
