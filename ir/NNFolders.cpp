//===- ir/NNFolders.cpp - folds and constant materialization of nn ops ----===//
//
// Folds that hold for every value, NaN and infinity included: identity
// reshapes, transposes, permutations and conversions, chains of reshapes and
// transposes, permutations of constants, and elementwise arithmetic on
// constants of one shape (broadcasting constants are left to the lowering);
// and the canonicalization of a transposed product of a transpose.
//
//===----------------------------------------------------------------------===//
#include "ir/NNDialect.h"
#include "ir/NNOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/Sequence.h"

#include <cstring>
#include <vector>

using namespace mlir;
using namespace mlir::nn;

Operation *NNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type || !isa<RankedTensorType>(type))
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Elementwise arithmetic on constants
//===----------------------------------------------------------------------===//

/// Folds `onFloats` or `onIntegers` (by `resultType`'s element type) over
/// two constants of the same type, so no broadcasting is involved; APFloat
/// rounds as the hardware does, APInt wraps as integer hardware (and u8)
/// does.
template <typename OnFloats, typename OnIntegers>
static OpFoldResult
foldSameTypeConstants(Type resultType, ArrayRef<Attribute> operands,
                      OnFloats onFloats, OnIntegers onIntegers) {
  if (isa<FloatType>(getElementTypeOrSelf(resultType)))
    return constFoldBinaryOp<FloatAttr, APFloat, /*PoisonAttr=*/void>(operands,
                                                                      onFloats);
  return constFoldBinaryOp<IntegerAttr, APInt, /*PoisonAttr=*/void>(operands,
                                                                    onIntegers);
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldSameTypeConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a + b; },
      [](const APInt &a, const APInt &b) { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldSameTypeConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a - b; },
      [](const APInt &a, const APInt &b) { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldSameTypeConstants(
      getType(), adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a * b; },
      [](const APInt &a, const APInt &b) { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  // Float only (the op's type constraint).
  return constFoldBinaryOp<FloatAttr, APFloat, /*PoisonAttr=*/void>(
      adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a / b; });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  // -(-x) == x bit for bit: negation only flips the sign bit.
  if (auto producer = getInput().getDefiningOp<NegOp>())
    return producer.getInput();
  if (!isa<FloatType>(getElementTypeOrSelf(getType())))
    return constFoldUnaryOp<IntegerAttr, APInt, /*PoisonAttr=*/void>(
        adaptor.getOperands(), [](const APInt &a) { return -a; });
  return constFoldUnaryOp<FloatAttr, APFloat, /*PoisonAttr=*/void>(
      adaptor.getOperands(), [](const APFloat &a) { return llvm::neg(a); });
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  if (getDim0() == getDim1())
    return getInput();
  // Swapping the same pair twice (in either order) restores the input.
  if (auto producer = getInput().getDefiningOp<TransposeOp>()) {
    bool samePair =
        (producer.getDim0() == getDim0() && producer.getDim1() == getDim1()) ||
        (producer.getDim0() == getDim1() && producer.getDim1() == getDim0());
    if (samePair)
      return producer.getInput();
  }
  return {};
}

namespace {

/// transpose(matmul(transpose(a), b)) -> matmul(transpose(b), a) on
/// matrices: one transpose fewer, and the product comes out in the layout
/// its users read. The autodiff of x . W^T (nn.Linear) yields the former
/// for W's gradient: without this, the gradient is computed as [in, out]
/// and every Adam update reads it transposed, element by element. The
/// remaining transpose is the product's left operand, which codegen reads
/// in place (a [k, m] map) rather than copying.
struct TransposeOfProductOfTranspose : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto product = op.getInput().getDefiningOp<MatMulOp>();
    if (!product || !product->hasOneUse() || product.getType().getRank() != 2 ||
        op.getDim0() == op.getDim1())
      return failure();
    auto lhs = product.getLhs().getDefiningOp<TransposeOp>();
    if (!lhs || product.getRhs().getType().getRank() != 2 ||
        lhs.getInput().getType().getRank() != 2 ||
        lhs.getDim0() == lhs.getDim1())
      return failure();
    Value rhs =
        TransposeOp::create(rewriter, op.getLoc(), product.getRhs(), 0, 1);
    rewriter.replaceOpWithNewOp<MatMulOp>(op, rhs, lhs.getInput());
    return success();
  }
};

} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<TransposeOfProductOfTranspose>(context);
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // Only the final shape matters: reshape(reshape(x)) reads x directly. The
  // verifier's rules are transitive, so the shortened op stays valid.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    if (getType().hasStaticShape())
      return dense.reshape(getType());
  return {};
}

/// `dense` with its dims permuted as nn.permute `dims` does, element by
/// element on the raw storage (any element type of whole bytes).
static DenseElementsAttr permuteElements(DenseElementsAttr dense,
                                         RankedTensorType resultType,
                                         ArrayRef<int64_t> dims) {
  if (dense.isSplat())
    return dense.reshape(resultType);
  int64_t bits = dense.getElementType().getIntOrFloatBitWidth();
  if (bits % 8 != 0)
    return {};
  size_t bytes = bits / 8;
  ArrayRef<int64_t> shape = dense.getType().getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  ArrayRef<char> source = dense.getRawData();
  std::vector<char> result(source.size());
  SmallVector<int64_t> index(rank, 0); // over the result's dims
  for (int64_t out = 0, count = dense.getNumElements(); out < count; ++out) {
    int64_t in = 0;
    for (int64_t d = 0; d < rank; ++d)
      in += index[d] * strides[dims[d]];
    std::memcpy(&result[out * bytes], &source[in * bytes], bytes);
    for (int64_t d = rank - 1; d >= 0 && ++index[d] == resultType.getDimSize(d);
         --d)
      index[d] = 0;
  }
  return DenseElementsAttr::getFromRawBuffer(resultType, result);
}

OpFoldResult PermuteOp::fold(FoldAdaptor adaptor) {
  if (llvm::equal(getDims(), llvm::seq<int64_t>(0, getDims().size())))
    return getInput();
  // A permuted constant (a frozen weight in another layout) is a constant.
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    if (getType().hasStaticShape())
      return permuteElements(dense, getType(), getDims());
  return {};
}

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

OpFoldResult ConvertOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}
