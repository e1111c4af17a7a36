//===- codegen/LowerVectorOps.cpp - vector ops to 1-D vector arithmetic ---===//
//
// What nnc-tile-contractions leaves, on buffers: vector.contract of an
// mr x 1 column and a 1 x nr row becomes mr vector.fma of a broadcast
// scalar times the row (the outer-product form BLAS micro-kernels use), and
// the transfers become plain vector loads and stores (a column of A, read
// through a permutation map, becomes broadcasts of scalar loads). What
// stays n-D afterwards (transfers of 2-D tiles) is unrolled to 1-D by
// convert-vector-to-scf; convert-vector-to-llvm then maps the 1-D ops to
// LLVM vectors.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace nnc {
#define GEN_PASS_DEF_LOWERVECTOROPS
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {

using namespace mlir;

struct LowerVectorOps : nnc::impl::LowerVectorOpsBase<LowerVectorOps> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    // 16 x 16 f32 transposes (nnc-tile-transposes) as shuffles of zmm rows.
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::Shuffle16x16);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerParallel);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
