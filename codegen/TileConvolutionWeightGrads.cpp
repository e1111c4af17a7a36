//===- codegen/TileConvolutionWeightGrads.cpp - Conv weight gradients -----===//
//
// The weight gradient of a stride-1 convolution over wide rows (loops g, f,
// n, c, kh, kw, p: dw[g, f, c, kh, kw] += in[n, g, c, p + kh W' + kw]
// dy[n, g, f, p], reduced over the images n and the outputs p) is a sum of
// long dot products. Each task of the thread pool computes the weights of
// mr output channels for one input channel and kernel row: mr x kW
// accumulators of partial sums, one vector lane per output, stay in
// registers while n and p walk all the outputs (mr rows of dy and kW
// shifted rows of the input per step, mr kW FMAs); they are summed across
// lanes once at the end.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "codegen/Tiling.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace nnc {
#define GEN_PASS_DEF_TILECONVOLUTIONWEIGHTGRADS
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {

using namespace mlir;
using nnc::isDims;
using nnc::isF32MultiplyAccumulate;
using nnc::isUnitShiftAlong;

// The weight gradient's loop dims.
enum Dim : unsigned { G, F, N, C, KH, KW, P, NumDims };

/// How a weight gradient is computed: mr output channels per task.
struct WeightGradTiling {
  int64_t mr = 0, nr = 0;
};

std::optional<WeightGradTiling>
chooseTiling(linalg::GenericOp op,
             const nnc::TileConvolutionWeightGradsOptions &opts) {
  if (op.getNumLoops() != NumDims || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics())
    return std::nullopt;
  using utils::IteratorType;
  SmallVector<IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned dim = 0; dim < NumDims; ++dim)
    if ((iterators[dim] == IteratorType::reduction) != (dim == N || dim == P))
      return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!isDims(maps[1], {N, G, F, P}) || !isDims(maps[2], {G, F, C, KH, KW}) ||
      maps[0].getNumResults() != 4 ||
      !isDims(maps[0].getSubMap({0, 1, 2}), {N, G, C}))
    return std::nullopt;
  // The input's position: p + a kh + b kw.
  if (!isUnitShiftAlong(maps[0].getResult(3), NumDims, P, {G, F, N, C}) ||
      !isF32MultiplyAccumulate(op))
    return std::nullopt;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  for (unsigned dim = 0; dim < NumDims; ++dim)
    if (dim != N && ShapedType::isDynamic(sizes[dim]))
      return std::nullopt;
  WeightGradTiling tiling;
  // One vector of outputs per step (the accumulators are mr x kW vectors).
  for (int64_t width : {opts.vectorWidth, opts.vectorWidth / 2})
    if (width > 0 && sizes[P] % width == 0) {
      tiling.nr = width;
      break;
    }
  int64_t maxRows = std::max<int64_t>(1, opts.accumulators / sizes[KW]);
  for (int64_t rows : {int64_t(8), int64_t(4), int64_t(2), int64_t(1)})
    if (rows <= maxRows && sizes[F] % rows == 0) {
      tiling.mr = rows;
      break;
    }
  if (tiling.nr == 0 || tiling.mr == 0 || sizes[KW] > opts.accumulators)
    return std::nullopt;
  return tiling;
}

/// Replaces `op` with an scf.forall over (g, f blocks, c, kh) whose body
/// accumulates mr x kW vectors of partial sums over n and p.
void emitWeightGrad(RewriterBase &rewriter, linalg::GenericOp op,
                    const WeightGradTiling &tiling) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  int64_t mr = tiling.mr, nr = tiling.nr, kw = sizes[KW];
  Value input = op.getDpsInputOperand(0)->get();
  Value grad = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  AffineMap position = op.getIndexingMapsArray()[0].getSubMap({3});
  auto f32 = rewriter.getF32Type();
  auto row = VectorType::get({nr}, f32);
  auto index = [&](OpBuilder &b, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value images = tensor::DimOp::create(rewriter, loc, grad, 0);

  SmallVector<OpFoldResult> upper = {
      rewriter.getIndexAttr(sizes[G]), rewriter.getIndexAttr(sizes[F] / mr),
      rewriter.getIndexAttr(sizes[C]), rewriter.getIndexAttr(sizes[KH])};
  auto forall = scf::ForallOp::create(
      rewriter, loc, upper, ValueRange{init}, std::nullopt,
      [&](OpBuilder &b, Location l, ValueRange ivs) {
        Value g = ivs[0], block = ivs[1], c = ivs[2], kh = ivs[3];
        Value f0 = arith::MulIOp::create(b, l, block, index(b, mr)).getResult();
        Value zeros = arith::ConstantOp::create(
            b, l, row, DenseElementsAttr::get(row, b.getF32FloatAttr(0)));
        SmallVector<Value> accs(mr * kw, zeros);
        Value zero = index(b, 0), one = index(b, 1);
        Value padding =
            arith::ConstantOp::create(b, l, f32, b.getF32FloatAttr(0));
        SmallVector<bool> inBounds = {true};
        auto overImages = scf::ForOp::create(
            b, l, zero, images, one, accs,
            [&](OpBuilder &b1, Location l1, Value n, ValueRange imageAccs) {
              auto overOutputs = scf::ForOp::create(
                  b1, l1, zero, index(b1, sizes[P]), index(b1, nr), imageAccs,
                  [&](OpBuilder &b2, Location l2, Value p, ValueRange sums) {
                    // The kW shifted input rows, then one row of dy at a
                    // time: mr kW accumulators, kW inputs and one row of dy
                    // live (27 of 32 registers for 8 x 3), where all mr
                    // rows of dy at once spilled.
                    SmallVector<Value> inputs;
                    for (int64_t j = 0; j < kw; ++j) {
                      // The input element of output p at tap (kh, j).
                      SmallVector<Value> dims = {g,  zero,         n, c,
                                                 kh, index(b2, j), p};
                      Value at =
                          affine::AffineApplyOp::create(b2, l2, position, dims);
                      inputs.push_back(vector::TransferReadOp::create(
                          b2, l2, row, input, ValueRange{n, g, c, at}, padding,
                          inBounds));
                    }
                    SmallVector<Value> next(sums.begin(), sums.end());
                    for (int64_t i = 0; i < mr; ++i) {
                      Value f = arith::AddIOp::create(b2, l2, f0, index(b2, i));
                      Value grads = vector::TransferReadOp::create(
                          b2, l2, row, grad, ValueRange{n, g, f, p}, padding,
                          inBounds);
                      for (int64_t j = 0; j < kw; ++j)
                        next[i * kw + j] = vector::FMAOp::create(
                            b2, l2, grads, inputs[j], next[i * kw + j]);
                    }
                    scf::YieldOp::create(b2, l2, next);
                  });
              scf::YieldOp::create(b1, l1, overOutputs.getResults());
            });
        // Sum each accumulator's lanes into its weight.
        Value out = ivs.back(); // the shared output
        auto tileType = RankedTensorType::get({1, mr, 1, 1, kw}, f32);
        SmallVector<OpFoldResult> offsets = {g, f0, c, kh, b.getIndexAttr(0)};
        SmallVector<OpFoldResult> tileSizes = {
            b.getIndexAttr(1), b.getIndexAttr(mr), b.getIndexAttr(1),
            b.getIndexAttr(1), b.getIndexAttr(kw)};
        SmallVector<OpFoldResult> strides(5, b.getIndexAttr(1));
        Value tile = tensor::ExtractSliceOp::create(
            b, l, tileType, out, offsets, tileSizes, strides);
        for (int64_t i = 0; i < mr; ++i)
          for (int64_t j = 0; j < kw; ++j) {
            SmallVector<Value> at = {zero, index(b, i), zero, zero,
                                     index(b, j)};
            Value sum =
                vector::ReductionOp::create(b, l, vector::CombiningKind::ADD,
                                            overImages.getResult(i * kw + j));
            Value old = tensor::ExtractOp::create(b, l, tile, at);
            Value updated = arith::AddFOp::create(b, l, old, sum);
            tile = tensor::InsertOp::create(b, l, updated, tile, at);
          }
        auto inParallel = scf::InParallelOp::create(b, l);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(b, l, tile, out, offsets,
                                              tileSizes, strides);
      });
  rewriter.replaceOp(op, forall.getResults());
}

struct TileConvolutionWeightGrads
    : nnc::impl::TileConvolutionWeightGradsBase<TileConvolutionWeightGrads> {
  using TileConvolutionWeightGradsBase::TileConvolutionWeightGradsBase;

  void runOnOperation() override {
    nnc::TileConvolutionWeightGradsOptions opts{vectorWidth, accumulators};
    SmallVector<std::pair<linalg::GenericOp, WeightGradTiling>> work;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (auto tiling = chooseTiling(op, opts))
        work.push_back({op, *tiling});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, tiling] : work)
      emitWeightGrad(rewriter, op, tiling);
  }
};

} // namespace
