//===- codegen/ReassociateReductions.cpp - vectorizable reductions --------===//
//
// A reduction's combiner (sum's addf, max's maximumf) chains every element
// through one accumulator; without permission to reassociate, LLVM keeps
// that chain scalar. Marking the combiner `reassoc` lets the loop
// vectorizer keep one partial result per vector lane. The order is fixed by
// the generated code, so results stay deterministic (and identical for any
// thread count: a reduction row is never split between threads).
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

#define DEBUG_TYPE "nnc-reassociate-reductions"

namespace nnc {
#define GEN_PASS_DEF_REASSOCIATEREDUCTIONS
#include "codegen/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// The op of `generic`'s body that combines a value into output `index`'s
/// accumulator (block argument) and is yielded, if there is one.
Operation *combiner(linalg::GenericOp generic, unsigned index) {
  Block *body = generic.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  Operation *combine = yield.getValues()[index].getDefiningOp();
  BlockArgument accumulator = generic.getRegionOutputArgs()[index];
  if (!combine || combine->getBlock() != body ||
      !llvm::is_contained(combine->getOperands(), accumulator))
    return nullptr;
  return combine;
}

struct ReassociateReductionsPass
    : nnc::impl::ReassociateReductionsBase<ReassociateReductionsPass> {
  void runOnOperation() override {
    getOperation()->walk([&](linalg::GenericOp generic) {
      if (generic.getNumReductionLoops() == 0)
        return;
      for (unsigned index = 0; index < generic.getNumDpsInits(); ++index) {
        Operation *combine = combiner(generic, index);
        if (!combine ||
            !isa<arith::AddFOp, arith::MulFOp, arith::MaximumFOp,
                 arith::MinimumFOp, arith::MaxNumFOp, arith::MinNumFOp>(
                combine))
          continue;
        auto fastMath = cast<arith::ArithFastMathInterface>(combine);
        arith::FastMathFlags flags =
            fastMath.getFastMathFlagsAttr().getValue() |
            arith::FastMathFlags::reassoc;
        combine->setAttr(fastMath.getFastMathAttrName(),
                         arith::FastMathFlagsAttr::get(&getContext(), flags));
      }
    });
  }
};

} // namespace
