//===- codegen/TilePoolingWindows.cpp - Pooling windows in vector rows ----===//
//
// Pooling whose windows tile the input (stride = kernel, no padding; the
// common 2x2 max pool) lowers to a reduction over a windows view of the
// input, [N, C, OH, kH, OW, kW], loops (n, c, oh, kh, ow, kw). Left to
// LLVM, its innermost output loop reads the input with stride kW: it ran
// as gathers (vgatherdps) or scalar code at a few GB/s. Here each output
// row becomes one vector step: kH contiguous input rows of OW kW elements
// read whole, the window's kW taps separated by shuffles
// (vector.multi_reduction, lowered with the reduced dims outermost), and
// the row of OW results written once. Tasks of the thread pool take
// images.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "codegen/Tiling.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace nnc {
#define GEN_PASS_DEF_TILEPOOLINGWINDOWS
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {

using namespace mlir;
using utils::IteratorType;

/// Whether `op` reduces windows of a windows view: loops (n, c, oh, kh, ow,
/// kw) with kh and kw reduced, every input read through the identity, the
/// one result through (n, c, oh, ow), and all but n static.
bool isWindowReduction(linalg::GenericOp op) {
  if (op.getNumLoops() != 6 || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() == 0)
    return false;
  SmallVector<IteratorType> iterators = op.getIteratorTypesArray();
  const IteratorType expected[] = {
      IteratorType::parallel,  IteratorType::parallel, IteratorType::parallel,
      IteratorType::reduction, IteratorType::parallel, IteratorType::reduction};
  if (!llvm::equal(iterators, expected))
    return false;
  for (OpOperand *input : op.getDpsInputOperands())
    if (!op.getMatchingIndexingMap(input).isIdentity())
      return false;
  MLIRContext *context = op.getContext();
  AffineMap pooled = AffineMap::get(
      6, 0,
      {getAffineDimExpr(0, context), getAffineDimExpr(1, context),
       getAffineDimExpr(2, context), getAffineDimExpr(4, context)},
      context);
  if (op.getMatchingIndexingMap(op.getDpsInitOperand(0)) != pooled)
    return false;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  return llvm::none_of(ArrayRef(sizes).drop_front(), ShapedType::isDynamic);
}

/// The largest divisor of `size` that is at most `limit`.
int64_t largestDivisorUpTo(int64_t size, int64_t limit) {
  for (int64_t divisor = std::min(size, limit); divisor > 1; --divisor)
    if (size % divisor == 0)
      return divisor;
  return 1;
}

/// The op of `op`'s body that folds a window element into the result (its
/// yielded value, one of whose operands is the result's block argument),
/// or null when the body is not `combine(out, f(inputs))` with `out` read
/// only there, or `f` is not elementwise arithmetic.
Operation *windowCombiner(linalg::GenericOp op) {
  Block *body = op.getBody();
  Value out = body->getArgument(op.getNumDpsInputs());
  Operation *combiner = body->getTerminator()->getOperand(0).getDefiningOp();
  if (!combiner || combiner->getBlock() != body ||
      combiner->getNumOperands() != 2 || combiner->getNumResults() != 1 ||
      !out.hasOneUse() || out.getUses().begin()->getOwner() != combiner)
    return nullptr;
  for (Operation &inner : body->without_terminator())
    if (inner.getNumRegions() != 0 || inner.getNumResults() != 1 ||
        !isPure(&inner) || isa<linalg::IndexOp>(inner))
      return nullptr;
  return combiner;
}

/// `op` (of the body, on scalars) on vectors of `type`'s shape: operands
/// through `values`, scalars from outside the body broadcast.
Value cloneOnVectors(OpBuilder &b, Operation *op, IRMapping &values,
                     VectorType type) {
  OperationState state(op->getLoc(), op->getName());
  for (Value operand : op->getOperands()) {
    Value vector = values.lookupOrNull(operand);
    if (!vector)
      vector = vector::BroadcastOp::create(
          b, op->getLoc(), type.clone(operand.getType()), operand);
    state.addOperands(vector);
  }
  state.addAttributes(op->getAttrs());
  state.addTypes(type.clone(op->getResult(0).getType()));
  return b.create(state)->getResult(0);
}

/// Replaces the window reduction `step` of one row of outputs (loop sizes
/// [1, 1, 1, kH, row, kW], static) by vector code: per kernel row, each
/// input's row of row kW elements read as one vector and `f` applied to it
/// whole; then its kW taps taken apart by shuffles and folded into the
/// result row in the loops' own (kh, kw) order.
LogicalResult vectorizeWindowRow(RewriterBase &rewriter, linalg::GenericOp step,
                                 Operation *combiner) {
  SmallVector<int64_t> sizes = step.getStaticLoopRanges();
  int64_t kernelRows = sizes[3], row = sizes[4], kernelColumns = sizes[5];
  Location loc = step.getLoc();
  rewriter.setInsertionPoint(step);
  Type resultElement = getElementTypeOrSelf(step.getDpsInits()[0].getType());
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  auto readRow = [&](Value tensor, ArrayRef<int64_t> shape) {
    Type element = getElementTypeOrSelf(tensor.getType());
    auto type = VectorType::get(shape.back(), element);
    SmallVector<Value> indices(shape.size(), zero);
    Value padding = arith::ConstantOp::create(rewriter, loc, element,
                                              rewriter.getZeroAttr(element));
    return vector::TransferReadOp::create(rewriter, loc, type, tensor, indices,
                                          padding, ArrayRef<bool>{true})
        .getResult();
  };
  // The result row [1, 1, 1, row] as [row].
  Value init = step.getDpsInits()[0];
  auto initType = cast<RankedTensorType>(init.getType());
  SmallVector<ReassociationIndices> allInOne = {{0, 1, 2, 3}};
  Value initRow =
      tensor::CollapseShapeOp::create(rewriter, loc, init, allInOne);
  Value accumulator = readRow(initRow, {row});
  Block *body = step.getBody();
  auto wide = VectorType::get(row * kernelColumns, resultElement);
  for (int64_t kh = 0; kh < kernelRows; ++kh) {
    IRMapping values;
    for (auto [input, argument] :
         llvm::zip(step.getDpsInputs(), body->getArguments())) {
      // [1, 1, 1, kH, row, kW] -> this kernel row as [row kW].
      auto type = cast<RankedTensorType>(input.getType());
      SmallVector<OpFoldResult> offsets(6, rewriter.getIndexAttr(0));
      offsets[3] = rewriter.getIndexAttr(kh);
      SmallVector<OpFoldResult> extents = {
          rewriter.getIndexAttr(1),   rewriter.getIndexAttr(1),
          rewriter.getIndexAttr(1),   rewriter.getIndexAttr(1),
          rewriter.getIndexAttr(row), rewriter.getIndexAttr(kernelColumns)};
      Value slice = tensor::ExtractSliceOp::create(
          rewriter, loc,
          RankedTensorType::get({row, kernelColumns}, type.getElementType()),
          input, offsets, extents,
          SmallVector<OpFoldResult>(6, rewriter.getIndexAttr(1)));
      Value joined = tensor::CollapseShapeOp::create(
          rewriter, loc, slice, SmallVector<ReassociationIndices>{{0, 1}});
      values.map(argument, readRow(joined, {row * kernelColumns}));
    }
    for (Operation &op : body->without_terminator())
      if (&op != combiner)
        values.map(op.getResult(0),
                   cloneOnVectors(rewriter, &op, values, wide));
    Value out = body->getArgument(step.getNumDpsInputs());
    Value element = combiner->getOperand(0) == out ? combiner->getOperand(1)
                                                   : combiner->getOperand(0);
    Value elements = values.lookup(element);
    for (int64_t kw = 0; kw < kernelColumns; ++kw) {
      SmallVector<int64_t> lanes;
      for (int64_t i = 0; i < row; ++i)
        lanes.push_back(i * kernelColumns + kw);
      IRMapping tap;
      tap.map(out, accumulator);
      tap.map(element, vector::ShuffleOp::create(rewriter, loc, elements,
                                                 elements, lanes)
                           .getResult());
      accumulator = cloneOnVectors(rewriter, combiner, tap,
                                   VectorType::get(row, resultElement));
    }
  }
  Value written =
      vector::TransferWriteOp::create(rewriter, loc, accumulator, initRow,
                                      ValueRange{zero}, ArrayRef<bool>{true})
          .getResult();
  rewriter.replaceOp(step, tensor::ExpandShapeOp::create(
                               rewriter, loc, initType, written, allInOne));
  return success();
}

LogicalResult tileWindows(RewriterBase &rewriter, linalg::GenericOp op,
                          Operation *combiner) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  rewriter.setInsertionPoint(op);
  auto tasks =
      nnc::tileWith(rewriter, cast<TilingInterface>(*op), {1, 0, 0, 0, 0, 0},
                    scf::SCFTilingOptions::LoopType::ForallOp);
  if (failed(tasks))
    return failure();
  // One output row (up to 32 of it) per step: kH input rows of up to 32 kW
  // elements stay in registers.
  int64_t rowPart = largestDivisorUpTo(sizes[4], 32);
  auto steps =
      nnc::tileWith(rewriter, nnc::tiledOp(*tasks), {0, 1, 1, 0, rowPart, 0},
                    scf::SCFTilingOptions::LoopType::ForOp);
  if (failed(steps))
    return failure();
  auto step = cast<linalg::GenericOp>(nnc::tiledOp(*steps).getOperation());
  // The tiled body is a copy: find its combiner again.
  Operation *tiledCombiner = windowCombiner(step);
  (void)combiner;
  if (!tiledCombiner)
    return failure();
  return vectorizeWindowRow(rewriter, step, tiledCombiner);
}

struct TilePoolingWindows
    : nnc::impl::TilePoolingWindowsBase<TilePoolingWindows> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> windows;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (isWindowReduction(op) && windowCombiner(op))
        windows.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : windows)
      if (failed(tileWindows(rewriter, op, windowCombiner(op)))) {
        op->emitOpError("could not be tiled into rows of windows");
        return signalPassFailure();
      }
  }
};

} // namespace
