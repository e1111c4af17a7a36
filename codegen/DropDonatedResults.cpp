//===- codegen/DropDonatedResults.cpp - Donated results leave the type ----===//
//
// After bufferization a donated result is its argument's buffer; returning
// it would cost an output buffer and a copy. Upstream's
// drop-equivalent-buffer-results does the same for private functions only,
// and entry points are public.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/BitVector.h"

#define DEBUG_TYPE "nnc-drop-donated-results"

namespace nnc {
#define GEN_PASS_DEF_DROPDONATEDRESULTS
#include "codegen/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// `value` without the casts bufferization may put between an argument and
/// a return.
Value stripCasts(Value value) {
  while (auto cast = value.getDefiningOp<memref::CastOp>())
    value = cast.getSource();
  return value;
}

LogicalResult dropDonatedResults(func::FuncOp function, ModuleOp module) {
  llvm::BitVector dropped(function.getNumResults());
  for (unsigned index = 0; index < function.getNumResults(); ++index) {
    auto attr = function.getResultAttrOfType<IntegerAttr>(
        index, nnc::kDonatedArgumentAttr);
    if (!attr)
      continue;
    int64_t argument = attr.getInt();
    BlockArgument dest = function.getArgument(argument);
    for (Block &block : function.getBody()) {
      auto ret = dyn_cast<func::ReturnOp>(block.getTerminator());
      if (ret && stripCasts(ret.getOperand(index)) != dest)
        return ret.emitOpError()
               << "donated result " << index << " is not the buffer of "
               << "argument " << argument
               << " after bufferization (internal error)";
    }
    dropped.set(index);
    function.setArgAttr(argument, nnc::kDonatedAttr,
                        UnitAttr::get(function.getContext()));
  }
  if (dropped.none())
    return success();
  if (!SymbolTable::symbolKnownUseEmpty(function, module))
    return function.emitOpError()
           << "has donated results and is called; only entry points may "
              "donate arguments";
  for (Block &block : function.getBody())
    if (auto ret = dyn_cast<func::ReturnOp>(block.getTerminator()))
      ret->eraseOperands(dropped);
  return function.eraseResults(dropped);
}

struct DropDonatedResultsPass
    : nnc::impl::DropDonatedResultsBase<DropDonatedResultsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto function : module.getOps<func::FuncOp>())
      if (!function.isExternal() &&
          failed(dropDonatedResults(function, module)))
        return signalPassFailure();
  }
};

} // namespace
