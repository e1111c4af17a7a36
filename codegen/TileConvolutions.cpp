//===- codegen/TileConvolutions.cpp - Register-tiled convolutions ---------===//
//
// The stride-1 convolutions nn-lower-to-linalg emits over "wide rows" (p
// running over the output rows joined at the padded width W', the input
// read at p + kh W' + kw) are, for each tap (c, kh, kw), a matrix product
// of the weights [f, c] and a shifted block of the input. They get the
// matrix product's kernel: each task of the thread pool takes one image
// (and group), register tiles of mr x nr outputs stay in vector registers
// while the taps go by, and each tap adds mr broadcast scalars times one
// row of nr consecutive values (FMAs). Two layouts, one kernel with the
// operands' roles exchanged:
//  - channels first (out[n, g, f, p]): rows of nr consecutive outputs p of
//    the input, mr output channels' weights broadcast;
//  - channels last (out[n, p, f]): rows of nr output channels of the
//    weights w[kh, kw, c, f], mr consecutive outputs' inputs broadcast.
// Initial values computed by a fill or a bias broadcast start the
// accumulators in registers, rather than being written over the output
// first. Channels first, a task's outputs go in blocks whose inputs stay
// in L2 while all output channels go by.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "codegen/Tiling.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
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

/// Where the loops of one form of wide-row convolution are, and which
/// roles its operands play in the register tile.
struct ConvolutionForm {
  unsigned numDims;
  /// Dims split into one task each (images, groups).
  SmallVector<unsigned> tasks;
  /// The output positions (joined rows): split among tasks when there are
  /// few images, peeled when the register tile does not divide them.
  unsigned outputs;
  /// The register tile's rows (mr, one broadcast scalar each) and lanes
  /// (nr, consecutive in memory in the row operand and the output).
  unsigned rows, lanes;
  /// The input operand (0 or 1) read as rows of nr lanes per tap; the
  /// other one gives the broadcast scalars.
  unsigned rowOperand;
  /// The order of the loops inside a task: register tiles, then taps.
  SmallVector<int64_t> loopOrder;
};

// The channels-first form (nn.conv2d on NCHW): loops (n, g, f, c, kh, kw,
// p), out[n, g, f, p] += in[n, g, c, p + kh W' + kw] * w[g, f, c, kh, kw].
// Register tiles of mr output channels by nr outputs: mr weights broadcast
// times a row of nr inputs. Tiles over (f, p) outside, the taps inside: the
// weights of mr output channels stay in cache while p walks the outputs.
// (Measured: p outside was no faster on the SmallCNN and ResNet shapes.)
namespace nchw {
enum Dim : unsigned { N, G, F, C, KH, KW, P, NumDims };
} // namespace nchw

// The channels-last form (nn.conv2d on NHWC): loops (n, p, f, kh, kw, c),
// out[n, p, f] += in[n, p + kh W' + kw, c] * w[kh, kw, c, f]. Register
// tiles of mr outputs by nr output channels: mr inputs broadcast times a
// row of nr weights. Tiles over (p, f), p outside, the taps inside with c
// innermost (consecutive inputs): the inputs of mr outputs stay in L1
// while the f tiles go by, the weights (KH KW C F floats: 64 to 147 KB on
// ResNet's) stream from L2. (Measured: f outside, its weights resident,
// was 25% slower on the 1x1 64 -> 256 convolution of 32 images, and no
// faster on the others.)
namespace nhwc {
enum Dim : unsigned { N, P, F, KH, KW, C, NumDims };
} // namespace nhwc

/// Whether `op`'s loops are `numDims` with reductions exactly `reductions`.
bool hasLoops(linalg::GenericOp op, unsigned numDims,
              ArrayRef<unsigned> reductions) {
  if (op.getNumLoops() != numDims)
    return false;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned dim = 0; dim < numDims; ++dim)
    if ((iterators[dim] == utils::IteratorType::reduction) !=
        llvm::is_contained(reductions, dim))
      return false;
  return true;
}

/// The form of `op`, if it is one of the wide-row convolutions.
std::optional<ConvolutionForm> matchForm(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics() || !isF32MultiplyAccumulate(op))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap input = maps[0];
  {
    using namespace nchw;
    if (hasLoops(op, NumDims, {C, KH, KW}) &&
        isDims(maps[1], {G, F, C, KH, KW}) && isDims(maps[2], {N, G, F, P}) &&
        input.getNumResults() == 4 &&
        isDims(input.getSubMap({0, 1, 2}), {N, G, C}) &&
        isUnitShiftAlong(input.getResult(3), NumDims, P, {N, G, F, C}))
      return ConvolutionForm{
          NumDims, {N, G}, P, F, P, 0, {N, G, F, P, C, KH, KW}};
  }
  {
    using namespace nhwc;
    if (hasLoops(op, NumDims, {KH, KW, C}) && isDims(maps[1], {KH, KW, C, F}) &&
        isDims(maps[2], {N, P, F}) && input.getNumResults() == 3 &&
        isDims(input.getSubMap({0}), {N}) &&
        isDims(input.getSubMap({2}), {C}) &&
        isUnitShiftAlong(input.getResult(1), NumDims, P, {N, F, C}))
      return ConvolutionForm{NumDims, {N}, P, P, F, 1, {N, P, F, KH, KW, C}};
  }
  return std::nullopt;
}

/// The most bytes of input rows a block of outputs reads (see chooseTiling).
constexpr int64_t kBlockBytes = 128 * 1024;

/// Tile sizes of one wide-row convolution.
struct ConvolutionTiling {
  ConvolutionForm form;
  SmallVector<int64_t> parallelTile; // tasks: an image (and group) each
  /// Blocks of outputs inside a task (all 0: none), each run over every
  /// output channel before the next.
  SmallVector<int64_t> blockTile;
  SmallVector<int64_t> registerTile; // mr x nr outputs, one tap per step
  /// The register tile does not divide the outputs: the last, smaller tile
  /// is peeled off.
  bool peelOutputs = false;
};

std::optional<ConvolutionTiling>
chooseTiling(linalg::GenericOp op, const nnc::TileConvolutionsOptions &opts) {
  std::optional<ConvolutionForm> form = matchForm(op);
  if (!form)
    return std::nullopt;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  for (unsigned dim = 0; dim < form->numDims; ++dim)
    if (dim != form->tasks.front() && ShapedType::isDynamic(sizes[dim]))
      return std::nullopt;

  ConvolutionTiling tiling;
  tiling.form = *form;
  int64_t outputs = sizes[form->outputs];
  int64_t nr = nnc::registerTileWidth(sizes[form->lanes], opts.vectorWidth);
  int64_t mr = 0;
  if (form->rows == form->outputs) {
    // mr consecutive outputs, the last tile peeled if mr does not divide.
    // Channels that four vectors divide (ResNet's 64, 256) get tiles of 6
    // outputs by four vectors: 24 accumulators, and per tap 4 weight loads
    // and 6 broadcasts for 24 FMAs rather than 2 and 8 for 16. (Measured:
    // 5 to 10% faster than 8 x 32 on ResNet's 3x3 64 -> 64 and 1x1 64 ->
    // 256, one image or 32.)
    mr = opts.registerRows;
    if (sizes[form->lanes] % (4 * opts.vectorWidth) == 0) {
      nr = 4 * opts.vectorWidth;
      mr = 6;
    }
    mr = std::min(mr, outputs);
    tiling.peelOutputs = outputs % mr != 0;
  } else {
    for (int64_t candidate :
         {opts.registerRows, int64_t(4), int64_t(2), int64_t(1)})
      if (candidate > 0 && sizes[form->rows] % candidate == 0) {
        mr = candidate;
        break;
      }
    // Rows that a whole vector does not divide (840 outputs, rows of 30):
    // whole-vector tiles and one narrower tile at the end, rather than
    // half-vector tiles throughout.
    if (nr < opts.vectorWidth && outputs > 2 * opts.vectorWidth) {
      nr = opts.vectorWidth;
      tiling.peelOutputs = true;
    }
  }
  if (nr == 0 || mr <= 0)
    return std::nullopt;
  tiling.registerTile.assign(form->numDims, 1);
  tiling.registerTile[form->rows] = mr;
  tiling.registerTile[form->lanes] = nr;
  for (unsigned dim : form->tasks)
    tiling.registerTile[dim] = 0;

  tiling.parallelTile.assign(form->numDims, 0);
  for (unsigned dim : form->tasks)
    tiling.parallelTile[dim] = 1;
  for (unsigned dim : {form->rows, form->lanes})
    tiling.parallelTile[dim] = sizes[dim];
  // Few images: the outputs are split among tasks too, in whole register
  // tiles (the last task may get a shorter, peeled share).
  int64_t images = 1;
  for (unsigned dim : form->tasks)
    images = ShapedType::isDynamic(sizes[dim]) ? 0 : images * sizes[dim];
  int64_t step = tiling.registerTile[form->outputs];
  if (images != 0 && images < 4) {
    int64_t tasksPerImage = (4 + images - 1) / images;
    int64_t tiles = (outputs + step - 1) / step;
    tiling.parallelTile[form->outputs] =
        tiling.peelOutputs
            ? (tiles + tasksPerImage - 1) / tasksPerImage * step
            : largestDividingMultiple(outputs, step, outputs / tasksPerImage);
  }
  // Channels first, each task's outputs in blocks whose rows of inputs (all
  // channels, one block wide) fit in 128 KB of L2, each block run over all
  // output channels: otherwise each block of mr output channels streams
  // the image's whole input again, from L3 or memory once it outgrows L2.
  // (Measured: 1x1 64 -> 256 of 32 images 25% faster with blocks of 448
  // outputs; no change on the 3x3 64 -> 64 and the 1x1 256 -> 64.)
  tiling.blockTile.assign(form->numDims, 0);
  int64_t share = tiling.parallelTile[form->outputs];
  if (form->rows != form->outputs && !tiling.peelOutputs && share % step == 0) {
    int64_t channels = 1;
    AffineMap rowMap = op.getIndexingMapsArray()[form->rowOperand];
    for (unsigned dim = 0; dim < form->numDims; ++dim)
      if (op.getIteratorTypesArray()[dim] == utils::IteratorType::reduction &&
          rowMap.getResultPosition(getAffineDimExpr(dim, op.getContext())))
        channels *= sizes[dim];
    int64_t block = largestDividingMultiple(
        share, step, std::max(step, kBlockBytes / (4 * channels)));
    if (block < share)
      tiling.blockTile[form->outputs] = block;
  }
  return tiling;
}

/// The first values of the accumulator rows of register tile `op`, and the
/// tile they are finally written into. A fill or bias broadcast fused into
/// the tile (see hasFusableInit) starts the rows in registers (a constant,
/// a broadcast bias scalar, or a vector of biases along the lanes) and is
/// dropped: the rows then cover its tile, and the output's lines are not
/// written and read back before the first tap (on a fresh output that was
/// a wait on memory per tile). Any other initial values are read.
std::pair<SmallVector<Value>, Value> initialRows(RewriterBase &rewriter,
                                                 linalg::GenericOp op,
                                                 const ConvolutionForm &form,
                                                 int64_t mr, VectorType row) {
  Location loc = op.getLoc();
  Value init = op.getDpsInitOperand(0)->get();
  auto producer = init.getDefiningOp<linalg::GenericOp>();
  // The producer's loops are the output's dims.
  AffineMap output = op.getIndexingMapsArray()[2];
  Value yielded;
  if (producer && init.hasOneUse() && producer.getNumDpsInits() == 1 &&
      producer.getNumParallelLoops() == output.getNumResults() &&
      producer.getNumLoops() == output.getNumResults() &&
      producer.getMatchingIndexingMap(producer.getDpsInitOperand(0))
          .isIdentity())
    yielded = cast<linalg::YieldOp>(producer.getBody()->getTerminator())
                  .getOperand(0);
  auto argument = dyn_cast_if_present<BlockArgument>(yielded);
  // A yielded input (a bias) is broadcast when constant along the lanes, or
  // read as a row when they are its innermost dim.
  OpOperand *input = nullptr;
  if (argument && argument.getOwner() == producer.getBody() &&
      argument.getArgNumber() < producer.getNumDpsInputs())
    input = producer.getDpsInputOperand(argument.getArgNumber());
  AffineExpr lanes = getAffineDimExpr(form.lanes, rewriter.getContext());
  AffineMap inputMap;
  if (input)
    inputMap = producer.getMatchingIndexingMap(input).compose(output);
  bool isInput = input && (!inputMap.isFunctionOfDim(form.lanes) ||
                           inputMap.getResults().back() == lanes);
  bool isInvariant =
      yielded && !argument &&
      !producer->isAncestor(yielded.getParentBlock()->getParentOp());
  SmallVector<Value> rows;
  SmallVector<int64_t> point(form.numDims, 0);
  auto indicesAt = [&](AffineMap map) {
    SmallVector<Value> indices;
    for (int64_t index : map.compose(point))
      indices.push_back(arith::ConstantIndexOp::create(rewriter, loc, index));
    return indices;
  };
  Value padding = arith::ConstantOp::create(rewriter, loc, row.getElementType(),
                                            rewriter.getF32FloatAttr(0));
  if (!isInput && !isInvariant) {
    for (int64_t i = 0; i < mr; ++i) {
      point[form.rows] = i;
      rows.push_back(vector::TransferReadOp::create(rewriter, loc, row, init,
                                                    indicesAt(output), padding,
                                                    ArrayRef<bool>{true}));
    }
    return {rows, init};
  }
  Value tile = producer.getDpsInitOperand(0)->get();
  if (isInvariant) {
    rows.assign(mr, vector::BroadcastOp::create(rewriter, loc, row, yielded));
    return {rows, tile};
  }
  for (int64_t i = 0; i < mr; ++i) {
    point[form.rows] = i;
    if (inputMap.isFunctionOfDim(form.lanes))
      rows.push_back(vector::TransferReadOp::create(
          rewriter, loc, row, input->get(), indicesAt(inputMap), padding,
          ArrayRef<bool>{true}));
    else
      rows.push_back(vector::BroadcastOp::create(
          rewriter, loc, row,
          tensor::ExtractOp::create(rewriter, loc, input->get(),
                                    indicesAt(inputMap))));
  }
  return {rows, tile};
}

/// Replaces the register tile `op` (a wide-row convolution over mr x nr
/// outputs and all its taps) with vector code: mr rows of nr accumulators,
/// loop-carried in registers through loops over the taps, each of which
/// reads one row of nr lanes from the row operand and, for each of the mr
/// rows, broadcasts one scalar of the other operand into one FMA; the rows
/// are written once after the last tap.
LogicalResult emitTile(RewriterBase &rewriter, linalg::GenericOp op,
                       const ConvolutionForm &form) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (llvm::any_of(sizes, ShapedType::isDynamic))
    return failure();
  int64_t mr = sizes[form.rows], nr = sizes[form.lanes];
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned scalarOperand = 1 - form.rowOperand;
  Value rowSource = op.getDpsInputOperand(form.rowOperand)->get();
  Value scalarSource = op.getDpsInputOperand(scalarOperand)->get();
  auto f32 = rewriter.getF32Type();
  auto row = VectorType::get({nr}, f32);
  Operation *producer = op.getDpsInitOperand(0)->get().getDefiningOp();
  auto [initial, tile] = initialRows(rewriter, op, form, mr, row);

  // The taps' loops, in loop order.
  SmallVector<unsigned> taps;
  for (int64_t dim : form.loopOrder)
    if (op.getIteratorTypesArray()[dim] == utils::IteratorType::reduction)
      taps.push_back(dim);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  SmallVector<Value> lower(taps.size(), zero), steps(taps.size(), one), upper;
  for (unsigned dim : taps)
    upper.push_back(arith::ConstantIndexOp::create(rewriter, loc, sizes[dim]));
  Value padding = arith::ConstantOp::create(rewriter, loc, f32,
                                            rewriter.getF32FloatAttr(0));
  scf::LoopNest nest = scf::buildLoopNest(
      rewriter, loc, lower, upper, steps, initial,
      [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange sums) {
        // An operand's indices at the tap `ivs`, row `i` of the tile.
        auto indicesAt = [&](AffineMap map, int64_t i) {
          SmallVector<OpFoldResult> point(form.numDims, b.getIndexAttr(0));
          point[form.rows] = b.getIndexAttr(i);
          for (auto [dim, iv] : llvm::zip(taps, ivs))
            point[dim] = iv;
          SmallVector<Value> indices;
          for (AffineExpr result : map.getResults())
            indices.push_back(getValueOrCreateConstantIndexOp(
                b, l,
                affine::makeComposedFoldedAffineApply(
                    b, l, AffineMap::get(form.numDims, 0, result), point)));
          return indices;
        };
        Value rowValues = vector::TransferReadOp::create(
            b, l, row, rowSource, indicesAt(maps[form.rowOperand], 0), padding,
            ArrayRef<bool>{true});
        SmallVector<Value> next;
        for (int64_t i = 0; i < mr; ++i) {
          Value scalar = tensor::ExtractOp::create(
              b, l, scalarSource, indicesAt(maps[scalarOperand], i));
          Value broadcast = vector::BroadcastOp::create(b, l, row, scalar);
          next.push_back(
              vector::FMAOp::create(b, l, broadcast, rowValues, sums[i]));
        }
        return next;
      });
  SmallVector<int64_t> point(form.numDims, 0);
  for (int64_t i = 0; i < mr; ++i) {
    point[form.rows] = i;
    SmallVector<Value> at;
    for (int64_t index : maps[2].compose(point))
      at.push_back(arith::ConstantIndexOp::create(rewriter, loc, index));
    tile = vector::TransferWriteOp::create(rewriter, loc, nest.results[i], tile,
                                           at, ArrayRef<bool>{true})
               .getResult();
  }
  rewriter.replaceOp(op, tile);
  if (producer && producer->use_empty())
    rewriter.eraseOp(producer);
  return success();
}

/// Whether `op`'s initial values come from an op that computes them
/// without reading its own destination (a fill, a bias broadcast), for `op`
/// alone: then each tile of `op` may start from its own slice of them,
/// computed in place, rather than from whole initial values written to
/// memory first and read back.
bool hasFusableInit(linalg::GenericOp op) {
  Value initialValues = op.getDpsInitOperand(0)->get();
  auto init = initialValues.getDefiningOp<linalg::LinalgOp>();
  if (!init || !initialValues.hasOneUse() ||
      init.getNumParallelLoops() != init.getNumLoops())
    return false;
  return llvm::none_of(init.getDpsInitsMutable(), [&](OpOperand &operand) {
    return init.payloadUsesValueFromOperand(&operand);
  });
}

/// Tiles `op` as tileWith does, with the producer of its initial values
/// fused into the tiles if `fuseInit` (see hasFusableInit); returns the
/// tiled op and the loops.
FailureOr<scf::SCFTileAndFuseResult>
tileFusingInit(RewriterBase &rewriter, TilingInterface op,
               ArrayRef<int64_t> sizes, scf::SCFTilingOptions::LoopType type,
               bool fuseInit, ArrayRef<int64_t> interchange = {}) {
  scf::SCFTileAndFuseOptions options;
  options.tilingOptions.setLoopType(type);
  options.tilingOptions.setTileSizes(
      getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  if (!interchange.empty())
    options.tilingOptions.setInterchange(interchange);
  options.setFusionControlFn(
      [fuseInit](tensor::ExtractSliceOp, OpResult producer, bool isDestination)
          -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (!fuseInit || !isDestination ||
            !isa<linalg::LinalgOp>(producer.getOwner()))
          return std::nullopt;
        return scf::SCFTileAndFuseOptions::ControlFnResult{};
      });
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(rewriter, op, options);
  if (failed(tiled))
    return failure();
  for (OpResult result : op->getResults())
    rewriter.replaceAllUsesWith(result, tiled->replacements.lookup(result));
  rewriter.eraseOp(op);
  for (Operation *producer : tiled->fusedProducers)
    if (producer->use_empty())
      rewriter.eraseOp(producer);
  return tiled;
}

LogicalResult tileConvolution(RewriterBase &rewriter, linalg::GenericOp op,
                              const ConvolutionTiling &tiling) {
  const ConvolutionForm &form = tiling.form;
  rewriter.setInsertionPoint(op);
  // Tasks, (blocks of outputs,) then register tiles, each with its initial
  // values fused in and all its taps.
  bool fuseInit = hasFusableInit(op);
  auto parallel = tileFusingInit(
      rewriter, cast<TilingInterface>(op.getOperation()), tiling.parallelTile,
      scf::SCFTilingOptions::LoopType::ForallOp, fuseInit);
  if (failed(parallel))
    return failure();
  auto taskOp = cast<TilingInterface>(parallel->tiledAndFusedOps.front());
  if (llvm::any_of(tiling.blockTile, [](int64_t size) { return size != 0; })) {
    auto blocks =
        tileFusingInit(rewriter, taskOp, tiling.blockTile,
                       scf::SCFTilingOptions::LoopType::ForOp, fuseInit);
    if (failed(blocks))
      return failure();
    taskOp = cast<TilingInterface>(blocks->tiledAndFusedOps.front());
  }
  SmallVector<int64_t> outputTile(form.numDims, 0);
  for (unsigned dim : {form.rows, form.lanes})
    outputTile[dim] = tiling.registerTile[dim];
  auto registers = tileFusingInit(rewriter, taskOp, outputTile,
                                  scf::SCFTilingOptions::LoopType::ForOp,
                                  fuseInit, form.loopOrder);
  if (failed(registers))
    return failure();
  if (!tiling.peelOutputs)
    return emitTile(
        rewriter, cast<linalg::GenericOp>(registers->tiledAndFusedOps.front()),
        form);
  // The outputs' loop in full tiles and one remainder, both of static size
  // once canonicalized. (Loops are made for the tiled dims, in loop order.)
  unsigned outputsLoop = 0;
  for (int64_t dim : form.loopOrder) {
    if (dim == form.outputs)
      break;
    outputsLoop += outputTile[dim] != 0;
  }
  auto outputs = cast<scf::ForOp>(registers->loops[outputsLoop].getOperation());
  scf::ForOp remainder;
  if (failed(scf::peelForLoopAndSimplifyBounds(rewriter, outputs, remainder)))
    return failure();
  Operation *task = parallel->loops.front().getOperation();
  if (failed(nnc::canonicalizeInside(task)))
    return failure();
  SmallVector<linalg::GenericOp> tiles;
  task->walk([&](linalg::GenericOp tile) {
    if (matchForm(tile))
      tiles.push_back(tile);
  });
  for (linalg::GenericOp tile : tiles) {
    // A task's remainder of unknown size (its share was shorter) stays a
    // plain loop nest: at most one register tile's outputs.
    if (llvm::any_of(tile.getStaticLoopRanges(), ShapedType::isDynamic))
      continue;
    if (failed(emitTile(rewriter, tile, form)))
      return failure();
  }
  return success();
}

struct TileConvolutions : nnc::impl::TileConvolutionsBase<TileConvolutions> {
  using TileConvolutionsBase::TileConvolutionsBase;

  void runOnOperation() override {
    nnc::TileConvolutionsOptions opts{vectorWidth, registerRows};
    std::vector<std::pair<linalg::GenericOp, ConvolutionTiling>> work;
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

bool nnc::isWideRowConvolution(mlir::linalg::GenericOp op) {
  return matchForm(op).has_value();
}
