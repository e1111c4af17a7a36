//===- codegen/DistinctResults.cpp - One tensor per function result -------===//
//
// buffer-results-to-out-params gives each result its own output buffer and
// crashes (MLIR 22) when one allocation is returned in two positions; a
// traced graph returns one value twice whenever a fold makes two outputs
// equal. Copying the repeats keeps every output buffer written.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include "llvm/ADT/DenseSet.h"

#define DEBUG_TYPE "nnc-distinct-results"

namespace nnc {
#define GEN_PASS_DEF_DISTINCTRESULTS
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {
bool isDonated(mlir::func::FuncOp function, unsigned result) {
  return function.getResultAttr(result, nnc::kDonatedArgumentAttr) != nullptr;
}

struct DistinctResultsPass
    : nnc::impl::DistinctResultsBase<DistinctResultsPass> {
  void runOnOperation() override {
    mlir::func::FuncOp function = getOperation();
    function.walk([&](mlir::func::ReturnOp ret) {
      mlir::OpBuilder b(ret);
      // A donated result must stay its argument's buffer, so a value it
      // shares with other results is copied for those.
      llvm::DenseSet<mlir::Value> seen;
      for (mlir::OpOperand &operand : ret->getOpOperands())
        if (isDonated(function, operand.getOperandNumber()))
          seen.insert(operand.get());
      for (mlir::OpOperand &operand : ret->getOpOperands()) {
        mlir::Value v = operand.get();
        auto type = llvm::dyn_cast<mlir::RankedTensorType>(v.getType());
        if (!type || isDonated(function, operand.getOperandNumber()) ||
            seen.insert(v).second)
          continue;
        // A new allocation holding a copy; bufferization keeps it (a
        // linalg.copy into tensor.empty would be folded back onto `v`).
        operand.set(mlir::bufferization::AllocTensorOp::create(
            b, ret.getLoc(), type, mlir::ValueRange(), v));
      }
    });
  }
};
} // namespace
