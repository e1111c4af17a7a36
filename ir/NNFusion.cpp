//===- ir/NNFusion.cpp - nn.fusion and nn.yield
//----------------------------===//
//
// The region verifier of nn.fusion: the body's yield must match the results
// exactly, because outlining turns the yield into the kernel's return.
//
//===----------------------------------------------------------------------===//
#include "ir/NNOps.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace mlir::nn;

YieldOp FusionOp::getYield() {
  return dyn_cast<YieldOp>(getBody().front().getTerminator());
}

LogicalResult FusionOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.empty() || !isa<YieldOp>(body.back()))
    return emitOpError("body must end with nn.yield");
  YieldOp yield = getYield();
  if (yield.getValues().size() != getNumResults())
    return emitOpError("yields ")
           << yield.getValues().size() << " values but has " << getNumResults()
           << " results";
  for (auto [index, pair] :
       llvm::enumerate(llvm::zip(yield.getValues(), getResults()))) {
    auto [yielded, result] = pair;
    if (yielded.getType() != result.getType())
      return emitOpError("yields ")
             << yielded.getType() << " as value " << index << " but result "
             << index << " has type " << result.getType();
  }
  WalkResult nested = getBody().walk([&](FusionOp inner) {
    inner.emitOpError("cannot be nested in another nn.fusion");
    return WalkResult::interrupt();
  });
  return failure(nested.wasInterrupted());
}
