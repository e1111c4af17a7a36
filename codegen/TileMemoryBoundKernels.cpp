//===- codegen/TileMemoryBoundKernels.cpp - row blocks of fused kernels ---===//
//
// A kernel without matrix products or convolutions moves each element from
// memory and back once at best; what decides its speed is how often it
// walks its tensors and how its threads share them. Lowered as it stands,
// every linalg.generic is its own loop nest over the whole tensors (softmax:
// one pass for the row maxima, one for the sums, one for the result) and
// its own parallel loop of one row per task. Here each result-producing
// generic (a root) is tiled along its outermost dim in blocks of rows, as an
// scf.forall, and its producers are fused into the tile: a block's rows are
// read from memory once, the later passes over them hit the cache, and each
// task covers a contiguous block large enough for the hardware prefetchers
// (tasks of one 4 KiB row measured at half the bandwidth of 64 KiB ones).
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

#define DEBUG_TYPE "nnc-tile-memory-bound-kernels"

namespace nnc {
#define GEN_PASS_DEF_TILEMEMORYBOUNDKERNELS
#include "codegen/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Whether `function` is left alone: it has a contraction or convolution
/// (the compute-bound tilers' work), a linalg op that is not a generic
/// (after generalization, one whose tiling nothing here has checked), or a
/// generic indexing an operand other than by plain dims (a flipped or
/// windowed access, as convolution gradients make).
bool isLeftAlone(func::FuncOp function) {
  WalkResult result = function.walk([](linalg::LinalgOp op) {
    if (!isa<linalg::GenericOp>(op) || linalg::isaContractionOpInterface(op) ||
        linalg::isaConvolutionOpInterface(op) ||
        !llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
          return map.isProjectedPermutation(/*allowZeroInResults=*/true);
        }))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// The generics of `function` whose results no other linalg op reads: the
/// last op of each chain, which the tiling starts from.
SmallVector<linalg::GenericOp> roots(func::FuncOp function) {
  SmallVector<linalg::GenericOp> found;
  function.walk([&](linalg::GenericOp op) {
    bool readByLinalg = llvm::any_of(op->getUsers(), [](Operation *user) {
      return isa<linalg::LinalgOp>(user);
    });
    if (!readByLinalg)
      found.push_back(op);
  });
  return found;
}

/// The generics that `root` reads, transitively: the ops its tile may fuse.
llvm::SmallPtrSet<Operation *, 8> producersOf(linalg::GenericOp root) {
  llvm::SmallPtrSet<Operation *, 8> producers;
  SmallVector<Operation *> worklist = {root};
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    for (Value operand : op->getOperands()) {
      auto producer = operand.getDefiningOp<linalg::GenericOp>();
      if (producer && producers.insert(producer).second)
        worklist.push_back(producer);
    }
  }
  return producers;
}

/// Whether `slice` takes all of its source: fusing its producer would
/// compute the whole producer in every tile (a reduction over the tiled
/// dim, or a value broadcast along it), so it stays outside the loop.
bool isWholeTensor(tensor::ExtractSliceOp slice) {
  auto source = cast<RankedTensorType>(slice.getSourceType());
  for (auto [dim, offset, size, stride] :
       llvm::enumerate(slice.getMixedOffsets(), slice.getMixedSizes(),
                       slice.getMixedStrides())) {
    std::optional<int64_t> staticSize = getConstantIntValue(size);
    if (!isConstantIntValue(offset, 0) || !isConstantIntValue(stride, 1) ||
        !staticSize || source.isDynamicDim(dim) ||
        *staticSize != source.getDimSize(dim))
      return false;
  }
  return true;
}

/// Rows per tile of `root`: enough that a tile covers `minTileElements` of
/// its iteration space; 0 when `root` cannot or need not be tiled (its
/// outermost dim is a reduction, the other dims are not static, or one
/// tile would cover all of it).
/// Whether `op` reads an operand in another dim order than it loops (a
/// transpose): tiled by blocks of its outer dim, each task would read a
/// few elements of every cache line of the whole operand (a permute of
/// [3136, 64] to [64, 3136] in blocks of 6 output rows ran 2x slower than
/// untiled), so it is left as it is.
bool transposesAnOperand(linalg::GenericOp op) {
  return llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *operand) {
    int64_t previous = -1;
    for (AffineExpr result : op.getMatchingIndexingMap(operand).getResults()) {
      auto dim = dyn_cast<AffineDimExpr>(result);
      if (!dim)
        continue;
      if (static_cast<int64_t>(dim.getPosition()) < previous)
        return true;
      previous = dim.getPosition();
    }
    return false;
  });
}

int64_t rowsPerTile(linalg::GenericOp root, int64_t minTileElements) {
  if (root.getNumLoops() == 0 ||
      root.getIteratorTypesArray().front() != utils::IteratorType::parallel ||
      transposesAnOperand(root))
    return 0;
  SmallVector<int64_t> ranges = root.getStaticLoopRanges();
  int64_t rowElements = 1;
  for (int64_t range : ArrayRef(ranges).drop_front()) {
    if (ShapedType::isDynamic(range))
      return 0;
    rowElements *= range;
  }
  int64_t rows =
      std::max<int64_t>(1, (minTileElements + rowElements - 1) / rowElements);
  if (!ShapedType::isDynamic(ranges.front()) && rows >= ranges.front())
    return 0;
  return rows;
}

/// Lets the tiles of `loop` be written straight into the tensors its
/// results are materialized in (an optimizer's donated parameters and
/// state): such a result's shared output starts as its destination rather
/// than an empty tensor, and the tile of the destination that an
/// iteration reads, where that iteration also writes it, is read through
/// the shared output. Bufferization then sees each tile read and written in
/// place, rather than a conflict that copies every tensor twice.
void writeInDestinations(RewriterBase &rewriter, scf::ForallOp loop) {
  scf::InParallelOp terminator = loop.getTerminator();
  for (auto [result, init, shared] :
       llvm::zip_equal(loop.getResults(), loop.getOutputsMutable(),
                       loop.getRegionIterArgs())) {
    if (!result.hasOneUse() || !init.get().getDefiningOp<tensor::EmptyOp>())
      continue;
    auto materialize = dyn_cast<bufferization::MaterializeInDestinationOp>(
        *result.getUsers().begin());
    if (!materialize || materialize.getSource() != result)
      continue;
    Value destination = materialize.getDest();
    auto argument = dyn_cast<BlockArgument>(destination);
    if (!argument || argument.getOwner() != loop->getBlock())
      continue;
    tensor::ParallelInsertSliceOp insert;
    for (Operation &op : terminator.getYieldingOps())
      if (auto candidate = dyn_cast<tensor::ParallelInsertSliceOp>(op);
          candidate && candidate.getDest() == shared)
        insert = candidate;
    if (!insert)
      continue;
    rewriter.modifyOpInPlace(loop, [&] { init.set(destination); });
    loop.getBody()->walk([&](tensor::ExtractSliceOp slice) {
      if (slice.getSource() == destination &&
          slice.getMixedOffsets() == insert.getMixedOffsets() &&
          slice.getMixedSizes() == insert.getMixedSizes() &&
          slice.getMixedStrides() == insert.getMixedStrides())
        rewriter.modifyOpInPlace(slice,
                                 [&] { slice.getSourceMutable().set(shared); });
    });
  }
}

/// Drops the unit dims of `function`'s generics (a keepdim reduction reads
/// its input through a reshape to 4096x1x1024 and yields 4096x1), so the
/// reshapes between the generics of a chain fold away and fusion sees the
/// whole chain.
LogicalResult foldUnitDims(func::FuncOp function) {
  MLIRContext *context = function.getContext();
  RewritePatternSet patterns(context);
  linalg::ControlDropUnitDims options;
  linalg::populateFoldUnitExtentDimsPatterns(patterns, options);
  linalg::populateFoldUnitExtentDimsCanonicalizationPatterns(patterns, options);
  tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
  tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
  return applyPatternsGreedily(function, std::move(patterns));
}

/// Joins all dims of each elementwise generic of `function` that reads and
/// writes every operand through the identity (a ReLU gradient of [64, 16,
/// 28, 28]) into one. Left with its short innermost dim, LLVM unrolled that
/// loop fully and vectorized the next one out, at a stride of a row:
/// gathers at a few GB/s.
void flattenElementwise(RewriterBase &rewriter, func::FuncOp function) {
  // Rows of fewer elements than four vectors of 16 lanes.
  constexpr int64_t kShortRow = 64;
  SmallVector<linalg::GenericOp> elementwise;
  function.walk([&](linalg::GenericOp op) {
    SmallVector<int64_t> sizes = op.getStaticLoopRanges();
    if (op.getNumLoops() >= 2 && sizes.back() < kShortRow &&
        llvm::none_of(sizes, ShapedType::isDynamic) &&
        op.getNumParallelLoops() == op.getNumLoops() &&
        llvm::all_of(op.getIndexingMapsArray(),
                     [](AffineMap map) { return map.isIdentity(); }))
      elementwise.push_back(op);
  });
  for (linalg::GenericOp op : elementwise) {
    ReassociationIndices allDims;
    for (unsigned dim = 0; dim < op.getNumLoops(); ++dim)
      allDims.push_back(dim);
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::CollapseResult> collapsed =
        linalg::collapseOpIterationDims(op, {allDims}, rewriter);
    if (succeeded(collapsed))
      rewriter.replaceOp(op, collapsed->results);
  }
}

LogicalResult tileAndFuse(RewriterBase &rewriter, linalg::GenericOp root,
                          int64_t rows) {
  llvm::SmallPtrSet<Operation *, 8> producers = producersOf(root);
  // A fused producer whose result is also read outside the chain (returned,
  // or written to a donated argument) yields its tiles from the loop. Known
  // before tiling: the slices that fusion adds read the producers too.
  // One read by a non-linalg op before the root (a reshape feeding the
  // chain) is not fused: the loop's value could not replace it there.
  llvm::DenseSet<Value> readOutsideChain, readBeforeRoot;
  for (Operation *producer : producers)
    for (Value result : producer->getResults())
      for (Operation *user : result.getUsers()) {
        if (user == root || producers.contains(user))
          continue;
        readOutsideChain.insert(result);
        if (user->getBlock() != root->getBlock() || user->isBeforeInBlock(root))
          readBeforeRoot.insert(result);
      }
  SmallVector<int64_t> sizes(root.getNumLoops(), 0);
  sizes.front() = rows;
  scf::SCFTileAndFuseOptions options;
  options.tilingOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  options.tilingOptions.setTileSizes(
      getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp slice, OpResult producer,
          bool isDestinationOperand)
          -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (isWholeTensor(slice) || readBeforeRoot.contains(producer))
          return std::nullopt;
        return scf::SCFTileAndFuseOptions::ControlFnResult{
            /*yieldProducerReplacement=*/!isDestinationOperand &&
            readOutsideChain.contains(producer)};
      });
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(root.getOperation()), options);
  if (failed(tiled))
    return failure();
  Operation *loop = tiled->loops.front();
  // The untiled chain keeps its own uses until it is erased as dead.
  for (auto [original, replacement] : tiled->replacements)
    rewriter.replaceUsesWithIf(original, replacement, [&](OpOperand &use) {
      Operation *user = use.getOwner();
      return user != root && !producers.contains(user) &&
             !loop->isAncestor(user);
    });
  rewriter.eraseOp(root);
  writeInDestinations(rewriter, cast<scf::ForallOp>(loop));
  return success();
}

/// Whether `value`, in the body of `op`, changes along `op`'s innermost
/// loop: it reads an operand indexed by that dim, the output (an
/// accumulator), or the dim's index.
bool variesAlongInnermost(linalg::GenericOp op, Value value,
                          llvm::DenseMap<Value, bool> &known) {
  if (auto it = known.find(value); it != known.end())
    return it->second;
  unsigned innermost = op.getNumLoops() - 1;
  bool varies = false;
  if (auto argument = dyn_cast<BlockArgument>(value)) {
    if (argument.getOwner() == op.getBody()) {
      OpOperand *operand = op.getMatchingOpOperand(argument);
      varies = op.isDpsInit(operand) ||
               op.getMatchingIndexingMap(operand).isFunctionOfDim(innermost);
    }
  } else if (Operation *producer = value.getDefiningOp();
             producer && op->isProperAncestor(producer)) {
    if (auto index = dyn_cast<linalg::IndexOp>(producer))
      varies = index.getDim() == innermost;
    else
      varies = llvm::any_of(producer->getOperands(), [&](Value operand) {
        return variesAlongInnermost(op, operand, known);
      });
  }
  known[value] = varies;
  return varies;
}

/// Marks `arcp` every division of `op`'s body by a value that is the same
/// along the innermost loop (softmax's row sum, layer norm's standard
/// deviation, a 0-d bias correction): LLVM then computes the reciprocal
/// once per row and multiplies, as PyTorch's softmax and layer norm
/// kernels do, instead of a vector division per element (among the hottest
/// instructions of both kernels in a profile). At most an ulp changes.
void multiplyByReciprocals(linalg::GenericOp op) {
  if (op.getNumLoops() == 0)
    return;
  llvm::DenseMap<Value, bool> known;
  op.getBody()->walk([&](arith::DivFOp divide) {
    if (variesAlongInnermost(op, divide.getRhs(), known))
      return;
    divide.setFastmath(divide.getFastmath() | arith::FastMathFlags::arcp);
  });
}

/// Whether recomputing `producer` in each of its consumers costs less than
/// writing its result and reading it back: a few arith ops per element, and
/// no division or transcendental function by a value that changes along the
/// innermost loop (layer norm's x - mean is one subtraction; softmax's exp
/// is not recomputed).
bool isCheapToRecompute(linalg::GenericOp producer) {
  constexpr int64_t kMaxOps = 4;
  Block *body = producer.getBody();
  if (static_cast<int64_t>(body->getOperations().size()) > kMaxOps + 1)
    return false;
  llvm::DenseMap<Value, bool> known;
  return llvm::all_of(body->without_terminator(), [&](Operation &op) {
    if (!isa<arith::ArithDialect>(op.getDialect()))
      return false;
    if (isa<arith::DivFOp, arith::RemFOp>(op))
      return !variesAlongInnermost(producer, op.getOperand(1), known);
    return true;
  });
}

/// Whether `operand` of a generic reads the result of an elementwise generic
/// of the same block over the same iteration space (not a broadcast, whose
/// fusion would recompute each value along the broadcast dims), and
/// elementwise fusion may merge the two.
bool isFusableElementwise(OpOperand &operand) {
  auto producer = operand.get().getDefiningOp<linalg::GenericOp>();
  auto consumer = cast<linalg::GenericOp>(operand.getOwner());
  return producer && producer->getBlock() == consumer->getBlock() &&
         producer.getNumLoops() == producer.getNumParallelLoops() &&
         consumer.getMatchingIndexingMap(&operand).isPermutation() &&
         linalg::areElementwiseOpsFusable(&operand);
}

/// Merges elementwise producers into the generics that read them, where
/// nn-fuse's single-use rule (linalg's elementwise fusion) left them apart
/// because their results have other uses. Each pass over a block's rows then
/// does the work of several: layer norm's centered rows are recomputed in
/// the two passes that read them instead of written and read back; Adam's
/// moments are updated in the loop that updates the parameter, which yields
/// them too, so each element of the four tensors is loaded once (in three
/// loops, re-reading the moments and the gradient from L2, Adam's update ran
/// at 0.6x of STREAM's bandwidth; in one, at 0.9-1x).
///  - A producer cheap to recompute (isCheapToRecompute) is cloned for every
///    generic that reads it, and each clone fused into its reader.
///  - Otherwise, a producer with one generic reader, elementwise too, whose
///    other users all come after that reader (a slice inserted into the
///    loop's result, a return) is fused into it, the fused op yielding the
///    producer's result for those users.
void fuseElementwiseProducers(RewriterBase &rewriter, func::FuncOp function) {
  bool changed = true;
  while (changed) {
    changed = false;
    DominanceInfo dominance(function);
    function.walk([&](linalg::GenericOp consumer) {
      for (OpOperand *operand : consumer.getDpsInputOperands()) {
        if (!isFusableElementwise(*operand))
          continue;
        auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
        SmallVector<OpOperand *> linalgUses;
        bool othersComeLater = true;
        for (OpOperand &use : producer->getUses()) {
          if (isa<linalg::LinalgOp>(use.getOwner()))
            linalgUses.push_back(&use);
          else if (!dominance.properlyDominates(consumer, use.getOwner()))
            othersComeLater = false;
        }
        bool recompute = linalgUses.size() > 1 && isCheapToRecompute(producer);
        // A reduction yielding the producer's result would write a tensor
        // indexed by its reduction dim, which the later passes do not
        // expect of a reduction.
        bool yieldFromConsumer =
            linalgUses.size() == 1 && othersComeLater &&
            consumer.getNumLoops() == consumer.getNumParallelLoops();
        if (!recompute && !yieldFromConsumer)
          continue;
        if (recompute) {
          rewriter.setInsertionPoint(producer);
          auto clone = cast<linalg::GenericOp>(rewriter.clone(*producer));
          rewriter.modifyOpInPlace(consumer, [&] {
            operand->set(clone->getResult(
                cast<OpResult>(operand->get()).getResultNumber()));
          });
        }
        rewriter.setInsertionPoint(consumer);
        FailureOr<linalg::ElementwiseOpFusionResult> fused =
            linalg::fuseElementwiseOps(rewriter, operand);
        if (failed(fused))
          continue;
        // The consumer's results, and the producer's for its later users.
        for (auto [original, replacement] : fused->replacements)
          rewriter.replaceUsesWithIf(original, replacement,
                                     [&](OpOperand &use) {
                                       return dominance.properlyDominates(
                                           fused->fusedOp, use.getOwner());
                                     });
        rewriter.eraseOp(consumer);
        changed = true;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
  }
}

struct TileMemoryBoundKernelsPass
    : nnc::impl::TileMemoryBoundKernelsBase<TileMemoryBoundKernelsPass> {
  using TileMemoryBoundKernelsBase::TileMemoryBoundKernelsBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    for (auto function : getOperation().getOps<func::FuncOp>()) {
      if (function.isExternal() || isLeftAlone(function))
        continue;
      if (failed(foldUnitDims(function)))
        return signalPassFailure();
      flattenElementwise(rewriter, function);
      function.walk(multiplyByReciprocals);
      SmallVector<linalg::GenericOp> chainEnds = roots(function);
      for (linalg::GenericOp root : llvm::reverse(chainEnds)) {
        int64_t rows = rowsPerTile(root, minTileElements);
        if (rows == 0)
          continue;
        if (failed(tileAndFuse(rewriter, root, rows))) {
          root.emitOpError("could not be tiled in blocks of rows");
          return signalPassFailure();
        }
      }
      // The tiles of empty tensors become empty tiles (rather than slices
      // of one full-size tensor that CSE would share between the results
      // and the temporaries of a tile, which bufferization then copies).
      // Then a producer read by two fused ops (softmax's row maxima), fused
      // once for each, is computed once; and the untiled ops go.
      RewritePatternSet emptyTiles(&getContext());
      tensor::populateFoldTensorEmptyPatterns(emptyTiles);
      if (failed(applyPatternsGreedily(function, std::move(emptyTiles))))
        return signalPassFailure();
      DominanceInfo dominance(function);
      eliminateCommonSubExpressions(rewriter, dominance, function);
      if (failed(applyPatternsGreedily(function, FrozenRewritePatternSet())))
        return signalPassFailure();
      fuseElementwiseProducers(rewriter, function);
      if (failed(applyPatternsGreedily(function, FrozenRewritePatternSet())))
        return signalPassFailure();
    }
  }
};

} // namespace
