//===- codegen/MaterializeDonatedResults.cpp - Results into arguments -----===//
//
// Donation on tensors: a donated result is written into its argument with
// bufferization.materialize_in_destination, and, when an nn.fusion region
// computes it, inside that region too, so that the region's kernel writes
// the argument itself. Whether each write can happen in place is left to
// one-shot bufferization's read-after-write analysis, which copies only
// where a later kernel still reads the old value.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "ir/NNOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/DenseSet.h"

#define DEBUG_TYPE "nnc-materialize-donated-results"

namespace nnc {
#define GEN_PASS_DEF_MATERIALIZEDONATEDRESULTS
#include "codegen/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

/// Writes operand `index` of `terminator` into `dest` just before it.
void materializeOperandIn(Operation *terminator, unsigned index, Value dest) {
  OpOperand &operand = terminator->getOpOperand(index);
  OpBuilder b(terminator);
  operand.set(bufferization::MaterializeInDestinationOp::create(
                  b, terminator->getLoc(), operand.get(), dest)
                  .getResult());
}

/// Whether `value` is already `dest`'s materialized new value (the pass runs
/// in nnc-cpu before outlining and again in nnc-cpu-codegen).
bool isMaterializedIn(Value value, Value dest) {
  auto op = value.getDefiningOp<bufferization::MaterializeInDestinationOp>();
  return op && op.getDest() == dest;
}

/// If an nn.fusion region computes `value`, also writes it into `dest`
/// inside the region (its kernel then takes `dest` as an argument and
/// computes into it).
void materializeInProducingRegion(Value value, Value dest) {
  auto result = dyn_cast<OpResult>(value);
  auto fusion = result ? dyn_cast<nn::FusionOp>(result.getOwner()) : nullptr;
  if (!fusion)
    return;
  materializeOperandIn(fusion.getYield(), result.getResultNumber(), dest);
}

/// The donated argument index of result `index`, or -1 when the result is
/// not donated; emits an error and fails on a malformed attribute.
FailureOr<int64_t> donatedArgument(func::FuncOp function, unsigned index) {
  Attribute attr = function.getResultAttr(index, nnc::kDonatedArgumentAttr);
  if (!attr)
    return -1;
  auto integer = dyn_cast<IntegerAttr>(attr);
  int64_t argument = integer ? integer.getInt() : -1;
  if (!integer || argument < 0 ||
      argument >= static_cast<int64_t>(function.getNumArguments()))
    return function.emitOpError()
           << "result " << index << ": " << nnc::kDonatedArgumentAttr
           << " must be the index of an argument, got " << attr;
  Type argumentType = function.getArgumentTypes()[argument];
  Type resultType = function.getResultTypes()[index];
  if (argumentType != resultType || !isa<RankedTensorType>(resultType))
    return function.emitOpError()
           << "result " << index << " (" << resultType
           << ") is donated to argument " << argument << " (" << argumentType
           << "); both must be the same ranked tensor type";
  return argument;
}

LogicalResult materializeDonatedResults(func::FuncOp function) {
  llvm::DenseSet<int64_t> donated;
  for (unsigned index = 0; index < function.getNumResults(); ++index) {
    FailureOr<int64_t> argument = donatedArgument(function, index);
    if (failed(argument))
      return failure();
    if (*argument < 0)
      continue;
    if (!donated.insert(*argument).second)
      return function.emitOpError()
             << "argument " << *argument << " is donated to two results";
    Value dest = function.getArgument(*argument);
    for (Block &block : function.getBody()) {
      auto ret = dyn_cast<func::ReturnOp>(block.getTerminator());
      if (!ret)
        continue;
      Value returned = ret.getOperand(index);
      if (isMaterializedIn(returned, dest))
        continue;
      materializeInProducingRegion(returned, dest);
      materializeOperandIn(ret, index, dest);
    }
  }
  return success();
}

/// Uses of a written value after the write use the write's result instead.
/// Same value, but bufferization then sees them read the destination after
/// the write rather than a buffer the write may have overwritten (lowering
/// and CSE can make a kernel return the value it also wrote).
///
/// One exception: where the source is itself an earlier write's result (a
/// value donated to two arguments is written into the second from the
/// first), the terminator that returns it keeps it: there it stands for the
/// first argument's buffer.
void readWrittenValues(ModuleOp module) {
  module.walk([](bufferization::MaterializeInDestinationOp write) {
    if (!write.getResult())
      return;
    Value source = write.getSource();
    bool sourceIsAWrite =
        source.getDefiningOp<bufferization::MaterializeInDestinationOp>() !=
        nullptr;
    source.replaceUsesWithIf(write.getResult(), [&](OpOperand &use) {
      Operation *user = use.getOwner();
      if (sourceIsAWrite && user->hasTrait<OpTrait::IsTerminator>())
        return false;
      return user->getBlock() == write->getBlock() &&
             write->isBeforeInBlock(user);
    });
  });
}

struct MaterializeDonatedResultsPass
    : nnc::impl::MaterializeDonatedResultsBase<MaterializeDonatedResultsPass> {
  void runOnOperation() override {
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (!function.isExternal() && failed(materializeDonatedResults(function)))
        return signalPassFailure();
    readWrittenValues(getOperation());
  }
};

} // namespace
