//===- passes/Layout.cpp - nn-layout: channels-last convolutions ----------===//
//
// Chooses the channels-last form of nn.conv2d where its kernel is the
// faster one, then moves the layout changes out of the way: each chosen
// convolution reads its input and weight through nn.permute and its result
// is permuted back, and the permutes then sink through layout-agnostic ops
// (elementwise unary and binary ops), compose, and cancel against each
// other. Between two channels-last convolutions joined by elementwise ops
// (a ResNet block: conv, relu, conv, add, relu) no permute is left; a
// permute of a constant (a frozen weight) is folded into the constant
// (PermuteOp's folder), so inference with frozen weights packs them at
// compile time.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/NNDialect.h"
#include "ir/NNOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nnc {
#define GEN_PASS_DEF_NNLAYOUT
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

constexpr int64_t kToChannelsLast[] = {0, 2, 3, 1};  // NCHW -> NHWC
constexpr int64_t kToChannelsFirst[] = {0, 3, 1, 2}; // NHWC -> NCHW
constexpr int64_t kToHWIO[] = {2, 3, 1, 0};          // OIHW -> [kH, kW, C, O]

/// The inverse permutation: inverse[dims[i]] = i.
SmallVector<int64_t> inversePermutation(ArrayRef<int64_t> dims) {
  SmallVector<int64_t> inverse(dims.size());
  for (auto [i, dim] : llvm::enumerate(dims))
    inverse[dim] = i;
  return inverse;
}

/// `type` permuted as nn.permute with `dims` would: dim i is dims[i].
RankedTensorType permuted(RankedTensorType type, ArrayRef<int64_t> dims) {
  SmallVector<int64_t> shape;
  for (int64_t dim : dims)
    shape.push_back(type.getDimSize(dim));
  return type.clone(shape);
}

/// Does the channels-last kernel win for `conv`? It does when output
/// channels fill vector lanes and input channels give each tap a matrix
/// product worth its name; the wide-row kernels exist for stride 1 only,
/// and a static batch.
/// A convolution whose input or weight is also read by a backward op (a
/// training step) stays NCHW: its gradients are NCHW ops, so a
/// channels-last forward would only add copies.
bool prefersChannelsLast(nn::Conv2dOp conv, int64_t minChannels) {
  if (conv.getChannelsLast() || conv.getGroups() != 1 ||
      !conv.getType().getElementType().isF32() ||
      llvm::any_of(conv.getStride(), [](int64_t s) { return s != 1; }) ||
      llvm::any_of(conv.getDilation(), [](int64_t d) { return d != 1; }))
    return false;
  ArrayRef<int64_t> weight = conv.getWeight().getType().getShape();
  if (weight[0] < minChannels || weight[1] < minChannels)
    return false;
  // With a dynamic batch, elementwise fusion folds the weight's permute
  // into the convolution's loop nest, which nnc-tile-convolutions then no
  // longer recognizes: the SmallCNN's inference ran 9x slower. Such
  // convolutions stay NCHW until the permute is kept apart.
  if (conv.getInput().getType().isDynamicDim(0))
    return false;
  auto readByBackward = [](Value value) {
    return llvm::any_of(value.getUsers(), [](Operation *user) {
      return isa<nn::Conv2dBackwardInputOp, nn::Conv2dBackwardWeightOp>(user);
    });
  };
  return !readByBackward(conv.getInput()) && !readByBackward(conv.getWeight());
}

/// conv(x, w, b) -> permute(conv_channels_last(permute(x), permute(w), b)).
void convertToChannelsLast(RewriterBase &rewriter, nn::Conv2dOp conv) {
  Location loc = conv.getLoc();
  rewriter.setInsertionPoint(conv);
  Value input =
      nn::PermuteOp::create(rewriter, loc, conv.getInput(), kToChannelsLast);
  Value weight =
      nn::PermuteOp::create(rewriter, loc, conv.getWeight(), kToHWIO);
  Value result = nn::Conv2dOp::create(
      rewriter, loc, input, weight, conv.getBias(), conv.getStride(),
      conv.getPadding(), conv.getDilation(), /*groups=*/1,
      /*channelsLast=*/true);
  rewriter.replaceOpWithNewOp<nn::PermuteOp>(conv, result, kToChannelsFirst);
}

/// permute(permute(x, p), q) -> permute(x, p[q[i]]); the identity then
/// folds away (PermuteOp's folder).
struct ComposePermutes : OpRewritePattern<nn::PermuteOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::PermuteOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<nn::PermuteOp>();
    if (!producer)
      return failure();
    SmallVector<int64_t> dims;
    for (int64_t dim : op.getDims())
      dims.push_back(producer.getDims()[dim]);
    rewriter.replaceOpWithNewOp<nn::PermuteOp>(op, producer.getInput(), dims);
    return success();
  }
};

/// The layout-agnostic ops a permute sinks through.
bool isElementwiseUnary(Operation *op) {
  return isa<nn::NegOp, nn::ExpOp, nn::LogOp, nn::TanhOp, nn::SigmoidOp,
             nn::ReluOp, nn::SqrtOp, nn::ErfOp, nn::AbsOp, nn::SignOp,
             nn::ClampOp, nn::PowOp>(op);
}
bool isElementwiseBinary(Operation *op) {
  return isa<nn::AddOp, nn::SubOp, nn::MulOp, nn::DivOp, nn::PowTensorOp>(op);
}

/// A broadcast operand small enough that permuting it costs nothing next to
/// the op (a bias, a per-channel scale, a scalar).
constexpr int64_t kSmallOperandElements = 4096;

/// `operand` in the layout before `dims` was applied: its permute's input
/// when it is permuted the same way, an existing inverse permute of it, or
/// (a small static operand broadcast against `resultType`) itself extended
/// to `dims.size()` dims with leading 1s and permuted by the inverse. Null
/// when none of these.
Value beforePermute(PatternRewriter &rewriter, Location loc, Value operand,
                    ArrayRef<int64_t> dims, RankedTensorType resultType) {
  if (auto permute = operand.getDefiningOp<nn::PermuteOp>())
    if (permute.getDims() == dims)
      return permute.getInput();
  auto type = cast<RankedTensorType>(operand.getType());
  if (type.getRank() == 0)
    return operand; // broadcasts the same in any layout
  // The operand already exists in that layout (a block's input, permuted
  // for its first convolution, meeting the residual add): reuse it.
  SmallVector<int64_t> inverse = inversePermutation(dims);
  for (Operation *user : operand.getUsers())
    if (auto permute = dyn_cast<nn::PermuteOp>(user))
      if (permute.getDims() == ArrayRef<int64_t>(inverse) &&
          permute->getBlock() == rewriter.getInsertionBlock() &&
          permute->isBeforeInBlock(&*rewriter.getInsertionPoint()))
        return permute.getResult();
  // Only a broadcast operand: permuting a full-size one would just move the
  // copy (and let this pattern undo itself).
  if (!type.hasStaticShape() || type.getNumElements() > kSmallOperandElements ||
      type.getRank() > static_cast<int64_t>(dims.size()) ||
      type.getShape() == resultType.getShape())
    return {};
  if (type.getRank() < static_cast<int64_t>(dims.size())) {
    SmallVector<int64_t> shape(dims.size() - type.getRank(), 1);
    llvm::append_range(shape, type.getShape());
    operand = nn::ReshapeOp::create(rewriter, loc, type.clone(shape), operand);
  }
  return nn::PermuteOp::create(rewriter, loc, operand, inverse);
}

/// op(permute(x, p), ...) -> permute(op(x, ...), p) for an elementwise op
/// whose permuted operand has no other user: the permute moves towards the
/// next layout change, where it may cancel.
struct SinkPermuteThroughElementwise : RewritePattern {
  SinkPermuteThroughElementwise(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isElementwiseUnary(op) && !isElementwiseBinary(op))
      return failure();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    // The permuted operand must have the result's shape (not be a
    // broadcast one, whose permute is cheap and which this pattern itself
    // creates): the other operand then broadcasts against it in the
    // permuted layout too.
    nn::PermuteOp permute;
    for (Value operand : op->getOperands())
      if (auto candidate = operand.getDefiningOp<nn::PermuteOp>())
        if (candidate->hasOneUse() &&
            candidate.getType().getShape() == resultType.getShape()) {
          permute = candidate;
          break;
        }
    if (!permute)
      return failure();
    ArrayRef<int64_t> dims = permute.getDims();
    rewriter.setInsertionPoint(op);
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      Value moved = operand == permute.getResult()
                        ? permute.getInput()
                        : beforePermute(rewriter, op->getLoc(), operand, dims,
                                        resultType);
      if (!moved)
        return failure();
      operands.push_back(moved);
    }
    Operation *moved = rewriter.clone(*op);
    moved->setOperands(operands);
    moved->getResult(0).setType(permuted(resultType, inversePermutation(dims)));
    rewriter.replaceOpWithNewOp<nn::PermuteOp>(op, moved->getResult(0), dims);
    return success();
  }
};

struct Layout : nnc::impl::NNLayoutBase<Layout> {
  using NNLayoutBase::NNLayoutBase;

  void runOnOperation() override {
    SmallVector<nn::Conv2dOp> chosen;
    getOperation()->walk([&](nn::Conv2dOp conv) {
      if (prefersChannelsLast(conv, minChannels))
        chosen.push_back(conv);
    });
    if (chosen.empty())
      return;
    IRRewriter rewriter(&getContext());
    for (nn::Conv2dOp conv : chosen)
      convertToChannelsLast(rewriter, conv);

    RewritePatternSet patterns(&getContext());
    patterns.add<ComposePermutes, SinkPermuteThroughElementwise>(&getContext());
    // Each rewrite moves a permute forward or removes one, so a few per op
    // suffice; the bound turns a pattern that undoes another into an error
    // rather than a hang.
    int64_t ops = 0;
    getOperation()->walk([&](Operation *) { ++ops; });
    GreedyRewriteConfig config;
    config.setMaxNumRewrites(8 * ops);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config))) {
      getOperation()->emitError("nn-layout: moving permutes did not converge");
      return signalPassFailure();
    }
  }
};

} // namespace
