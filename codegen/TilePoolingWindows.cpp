//===- codegen/TilePoolingWindows.cpp - Pooling windows in vector rows ----===//
//
// Pooling whose windows tile the input (stride = kernel, no padding; the
// common 2x2 max pool) lowers to ops over a windows view of the input,
// [N, C, OH, kH, OW, kW], loops (n, c, oh, kh, ow, kw): the forward pool a
// reduction of each window, its gradient a reduction (which tap won) and
// an expansion (the gradient written to the winning tap, zeros elsewhere).
// Left to LLVM, their innermost output loop touches memory with stride kW:
// it ran as gathers (vgatherdps) or scalar code at a few GB/s. Here each
// row of windows becomes one vector step: per kernel row, the row's kW row
// elements read or written whole, a window's value spread over its taps
// and the taps taken apart by shuffles. Tasks of the thread pool take
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

/// How a window op (loops (n, c, oh, kh, ow, kw) over a windows view)
/// reads an operand.
enum class WindowAccess {
  Elements, // (n, c, oh, kh, ow, kw): one value per window element
  Windows,  // (n, c, oh, ow): one value per window
  Taps,     // (kh, kw): one value per tap, the same in every window
  Other
};

WindowAccess accessOf(AffineMap map) {
  if (map.isIdentity())
    return WindowAccess::Elements;
  auto dimsAre = [&](ArrayRef<unsigned> dims) {
    if (map.getNumResults() != dims.size())
      return false;
    for (auto [result, dim] : llvm::zip(map.getResults(), dims))
      if (result != getAffineDimExpr(dim, map.getContext()))
        return false;
    return true;
  };
  if (dimsAre({0, 1, 2, 4}))
    return WindowAccess::Windows;
  if (dimsAre({3, 5}))
    return WindowAccess::Taps;
  return WindowAccess::Other;
}

/// A linalg.generic over a windows view that nnc-tile-pooling-windows
/// vectorizes: either a reduction of each window (kh and kw reduced, the
/// result read per window, `combiner` folding one element into it) or an
/// expansion (all loops parallel, the result per element).
struct WindowOp {
  linalg::GenericOp op;
  Operation *combiner; // null for an expansion
};

/// The op of `op`'s body that folds a window element into the result (its
/// yielded value, one of whose operands is the result's block argument),
/// or null when the body is not `combine(out, f(inputs))` with `out` read
/// only there.
Operation *windowCombiner(linalg::GenericOp op) {
  Block *body = op.getBody();
  Value out = body->getArgument(op.getNumDpsInputs());
  Operation *combiner = body->getTerminator()->getOperand(0).getDefiningOp();
  if (!combiner || combiner->getBlock() != body ||
      combiner->getNumOperands() != 2 || combiner->getNumResults() != 1 ||
      !out.hasOneUse() || out.getUses().begin()->getOwner() != combiner)
    return nullptr;
  return combiner;
}

/// `op` as a window op: loops (n, c, oh, kh, ow, kw), all static but n;
/// inputs read per element, window or tap, at least one not per element;
/// a body of single-result scalar ops without regions or linalg.index.
std::optional<WindowOp> matchWindowOp(linalg::GenericOp op) {
  if (op.getNumLoops() != 6 || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() == 0)
    return std::nullopt;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (llvm::any_of(ArrayRef(sizes).drop_front(), ShapedType::isDynamic))
    return std::nullopt;
  bool perElementOnly = true;
  for (OpOperand *input : op.getDpsInputOperands()) {
    WindowAccess access = accessOf(op.getMatchingIndexingMap(input));
    if (access == WindowAccess::Other)
      return std::nullopt;
    perElementOnly &= access == WindowAccess::Elements;
  }
  for (Operation &inner : op.getBody()->without_terminator())
    if (inner.getNumRegions() != 0 || inner.getNumResults() != 1 ||
        !isPure(&inner) || isa<linalg::IndexOp>(inner))
      return std::nullopt;
  WindowAccess result =
      accessOf(op.getMatchingIndexingMap(op.getDpsInitOperand(0)));
  SmallVector<IteratorType> iterators = op.getIteratorTypesArray();
  const IteratorType reduction[] = {
      IteratorType::parallel,  IteratorType::parallel, IteratorType::parallel,
      IteratorType::reduction, IteratorType::parallel, IteratorType::reduction};
  if (llvm::equal(iterators, reduction) && result == WindowAccess::Windows) {
    if (Operation *combiner = windowCombiner(op))
      return WindowOp{op, combiner};
    return std::nullopt;
  }
  // An expansion writes every element once, from windows and taps.
  bool allParallel = llvm::all_of(iterators, [](IteratorType type) {
    return type == IteratorType::parallel;
  });
  Value out = op.getBody()->getArgument(op.getNumDpsInputs());
  if (allParallel && result == WindowAccess::Elements && !perElementOnly &&
      out.use_empty())
    return WindowOp{op, nullptr};
  return std::nullopt;
}

/// The largest divisor of `size` that is at most `limit`.
int64_t largestDivisorUpTo(int64_t size, int64_t limit) {
  for (int64_t divisor = std::min(size, limit); divisor > 1; --divisor)
    if (size % divisor == 0)
      return divisor;
  return 1;
}

/// `op` (of the body, on scalars) on vectors of `shape`: operands through
/// `values`; scalars from outside the body, and constants, broadcast.
Value cloneOnVectors(OpBuilder &b, Operation *op, IRMapping &values,
                     ArrayRef<int64_t> shape) {
  Location loc = op->getLoc();
  auto vectorOf = [&](Type element) { return VectorType::get(shape, element); };
  if (op->hasTrait<OpTrait::ConstantLike>())
    return vector::BroadcastOp::create(b, loc,
                                       vectorOf(op->getResult(0).getType()),
                                       b.clone(*op)->getResult(0));
  OperationState state(loc, op->getName());
  for (Value operand : op->getOperands()) {
    Value vector = values.lookupOrNull(operand);
    if (!vector)
      vector = vector::BroadcastOp::create(b, loc, vectorOf(operand.getType()),
                                           operand);
    state.addOperands(vector);
  }
  state.addAttributes(op->getAttrs());
  state.addTypes(vectorOf(op->getResult(0).getType()));
  return b.create(state)->getResult(0);
}

/// Vector code for one step of a window op: loops [1, 1, 1, kH, row, kW]
/// (static), one row of windows.
class WindowRowVectorizer {
public:
  WindowRowVectorizer(RewriterBase &rewriter, WindowOp step)
      : rewriter(rewriter), op(step.op), combiner(step.combiner),
        loc(op.getLoc()) {
    SmallVector<int64_t> sizes = op.getStaticLoopRanges();
    kernelRows = sizes[3];
    row = sizes[4];
    kernelColumns = sizes[5];
  }

  /// Per kernel row, each input as a vector along the row's kW row
  /// elements and the body applied to them whole; a reduction then takes
  /// the kW taps apart by shuffles and folds them into the result row in
  /// the loops' (kh, kw) order, an expansion writes the row.
  void rewrite() {
    rewriter.setInsertionPoint(op);
    zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Block *body = op.getBody();
    Value out = body->getArgument(op.getNumDpsInputs());
    Value result = op.getDpsInits()[0];
    Value accumulator;
    if (combiner)
      accumulator = readAll(result);
    for (int64_t kh = 0; kh < kernelRows; ++kh) {
      IRMapping values;
      for (OpOperand *input : op.getDpsInputOperands())
        values.map(body->getArgument(input->getOperandNumber()),
                   readWide(input, kh));
      SmallVector<int64_t> wide = {row * kernelColumns};
      for (Operation &inner : body->without_terminator())
        if (&inner != combiner)
          values.map(inner.getResult(0),
                     cloneOnVectors(rewriter, &inner, values, wide));
      if (!combiner) {
        result = writeElements(
            values.lookup(body->getTerminator()->getOperand(0)), result, kh);
        continue;
      }
      Value element = combiner->getOperand(0) == out ? combiner->getOperand(1)
                                                     : combiner->getOperand(0);
      Value elements = values.lookup(element);
      for (int64_t kw = 0; kw < kernelColumns; ++kw) {
        IRMapping tap;
        tap.map(out, accumulator);
        tap.map(element,
                shuffle(
                    elements,
                    [&](int64_t lane) { return lane * kernelColumns + kw; },
                    row));
        accumulator = cloneOnVectors(rewriter, combiner, tap, {row});
      }
    }
    if (combiner)
      result = writeAll(accumulator, result);
    rewriter.replaceOp(op, result);
  }

private:
  /// `count` lanes of `vector`, lane i taken from `lane(i)`.
  Value shuffle(Value vector, function_ref<int64_t(int64_t)> lane,
                int64_t count) {
    SmallVector<int64_t> lanes;
    for (int64_t i = 0; i < count; ++i)
      lanes.push_back(lane(i));
    return vector::ShuffleOp::create(rewriter, loc, vector, vector, lanes);
  }

  /// All of `tensor` (static, one row of elements) read as one vector.
  Value readAll(Value tensor) {
    auto type = cast<RankedTensorType>(tensor.getType());
    Value padding =
        arith::ConstantOp::create(rewriter, loc, type.getElementType(),
                                  rewriter.getZeroAttr(type.getElementType()));
    return vector::TransferReadOp::create(
        rewriter, loc,
        VectorType::get(type.getNumElements(), type.getElementType()),
        joined(tensor), SmallVector<Value>(1, zero), padding,
        ArrayRef<bool>{true});
  }

  /// `tensor` with all its dims joined into one (contiguous in a slice of
  /// whole rows).
  Value joined(Value tensor) {
    auto type = cast<RankedTensorType>(tensor.getType());
    if (type.getRank() == 1)
      return tensor;
    ReassociationIndices all;
    for (int64_t dim = 0; dim < type.getRank(); ++dim)
      all.push_back(dim);
    return tensor::CollapseShapeOp::create(
        rewriter, loc, tensor, SmallVector<ReassociationIndices>{all});
  }

  /// Where kernel row `kh` lies in an [1, 1, 1, kH, row, kW] tensor: its
  /// offsets, sizes and (unit) strides.
  struct Box {
    SmallVector<OpFoldResult> offsets, sizes, strides;
  };
  Box kernelRow(int64_t kh) {
    Box box{SmallVector<OpFoldResult>(6, rewriter.getIndexAttr(0)),
            SmallVector<OpFoldResult>(4, rewriter.getIndexAttr(1)),
            SmallVector<OpFoldResult>(6, rewriter.getIndexAttr(1))};
    box.offsets[3] = rewriter.getIndexAttr(kh);
    box.sizes.push_back(rewriter.getIndexAttr(row));
    box.sizes.push_back(rewriter.getIndexAttr(kernelColumns));
    return box;
  }

  /// Kernel row `kh` of an [1, 1, 1, kH, row, kW] tensor as [row, kW].
  Value elementsRow(Value tensor, int64_t kh) {
    auto type = cast<RankedTensorType>(tensor.getType());
    Box box = kernelRow(kh);
    return tensor::ExtractSliceOp::create(
        rewriter, loc,
        RankedTensorType::get({row, kernelColumns}, type.getElementType()),
        tensor, box.offsets, box.sizes, box.strides);
  }

  /// `input` for kernel row `kh` as a vector of row kW lanes, lane
  /// i kW + kw for window i's tap (kh, kw).
  Value readWide(OpOperand *input, int64_t kh) {
    Value tensor = input->get();
    switch (accessOf(op.getMatchingIndexingMap(input))) {
    case WindowAccess::Elements:
      return readAll(elementsRow(tensor, kh));
    case WindowAccess::Windows:
      return shuffle(
          readAll(tensor), [&](int64_t lane) { return lane / kernelColumns; },
          row * kernelColumns);
    case WindowAccess::Taps: {
      auto type = cast<RankedTensorType>(tensor.getType());
      Value taps = tensor::ExtractSliceOp::create(
          rewriter, loc,
          RankedTensorType::get({kernelColumns}, type.getElementType()), tensor,
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(kh),
                                 rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                                 rewriter.getIndexAttr(kernelColumns)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                                 rewriter.getIndexAttr(1)});
      return shuffle(
          readAll(taps), [&](int64_t lane) { return lane % kernelColumns; },
          row * kernelColumns);
    }
    case WindowAccess::Other:
      break;
    }
    llvm_unreachable("matchWindowOp admits no other access");
  }

  /// `value` written over all of `tensor` (static, one row of elements).
  Value writeAll(Value value, Value tensor) {
    auto type = cast<RankedTensorType>(tensor.getType());
    Value row = joined(tensor);
    Value written =
        vector::TransferWriteOp::create(rewriter, loc, value, row,
                                        ValueRange{zero}, ArrayRef<bool>{true})
            .getResult();
    if (type.getRank() == 1)
      return written;
    return tensor::ExpandShapeOp::create(
        rewriter, loc, type, written,
        cast<tensor::CollapseShapeOp>(row.getDefiningOp())
            .getReassociationIndices());
  }

  /// `value` written as kernel row `kh` of the expansion's `result`.
  Value writeElements(Value value, Value result, int64_t kh) {
    Value rowTensor = writeAll(value, elementsRow(result, kh));
    Box box = kernelRow(kh);
    return tensor::InsertSliceOp::create(rewriter, loc, rowTensor, result,
                                         box.offsets, box.sizes, box.strides);
  }

  RewriterBase &rewriter;
  linalg::GenericOp op;
  Operation *combiner;
  Location loc;
  Value zero;
  int64_t kernelRows, row, kernelColumns;
};

LogicalResult tileWindows(RewriterBase &rewriter, linalg::GenericOp op) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  rewriter.setInsertionPoint(op);
  auto tasks =
      nnc::tileWith(rewriter, cast<TilingInterface>(*op), {1, 0, 0, 0, 0, 0},
                    scf::SCFTilingOptions::LoopType::ForallOp);
  if (failed(tasks))
    return failure();
  // One row of windows (up to 32 of them) per step: kH input rows of up to
  // 32 kW elements stay in registers.
  int64_t rowPart = largestDivisorUpTo(sizes[4], 32);
  auto steps =
      nnc::tileWith(rewriter, nnc::tiledOp(*tasks), {0, 1, 1, 0, rowPart, 0},
                    scf::SCFTilingOptions::LoopType::ForOp);
  if (failed(steps))
    return failure();
  // The tiled op has a body of its own: match it again.
  auto step = cast<linalg::GenericOp>(nnc::tiledOp(*steps).getOperation());
  std::optional<WindowOp> windowStep = matchWindowOp(step);
  if (!windowStep)
    return failure();
  WindowRowVectorizer(rewriter, *windowStep).rewrite();
  return success();
}

struct TilePoolingWindows
    : nnc::impl::TilePoolingWindowsBase<TilePoolingWindows> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> windows;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (matchWindowOp(op))
        windows.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : windows)
      if (failed(tileWindows(rewriter, op))) {
        op->emitOpError("could not be tiled into rows of windows");
        return signalPassFailure();
      }
  }
};

} // namespace
