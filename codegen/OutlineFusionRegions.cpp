//===- codegen/OutlineFusionRegions.cpp - one kernel per nn.fusion --------===//
//
// Each nn.fusion becomes a private kernel function and a call. Everything
// downstream (lowering, linalg fusion, bufferization, parallelization) then
// sees a kernel as a function: its intermediates are local, and what flows
// between kernels is exactly the calls' operands and results.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "ir/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"

#define DEBUG_TYPE "nnc-outline-fusion-regions"

namespace nnc {
#define GEN_PASS_DEF_OUTLINEFUSIONREGIONS
#include "codegen/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

bool hasDynamicResult(nn::FusionOp fusion) {
  return llvm::any_of(fusion.getResultTypes(), [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return shaped && !shaped.hasStaticShape();
  });
}

/// Replaces `fusion` by its body, in place.
void inlineRegion(nn::FusionOp fusion) {
  Block &body = fusion.getBody().front();
  nn::YieldOp yield = fusion.getYield();
  fusion->replaceAllUsesWith(yield.getValues());
  yield->erase();
  fusion->getBlock()->getOperations().splice(fusion->getIterator(),
                                             body.getOperations());
  fusion->erase();
}

/// Moves the body of `fusion` into a new private function named `name`
/// (inserted after `previous`) and calls it in place of the region.
func::FuncOp outlineRegion(nn::FusionOp fusion, Operation *previous,
                           StringRef name, SymbolTable &symbols) {
  MLIRContext *context = fusion->getContext();
  Region &region = fusion.getBody();
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(region, captured);
  SmallVector<Value> arguments;
  SmallVector<Operation *> constants;
  for (Value value : captured) {
    Operation *producer = value.getDefiningOp();
    if (producer && producer->hasTrait<OpTrait::ConstantLike>())
      constants.push_back(producer);
    else
      arguments.push_back(value);
  }

  OpBuilder builder(context);
  builder.setInsertionPointAfter(previous);
  auto type = FunctionType::get(context, ValueRange(arguments).getTypes(),
                                fusion.getResultTypes());
  auto kernel = func::FuncOp::create(builder, fusion.getLoc(), name, type);
  kernel.setPrivate();
  kernel->setAttr("nnc.kernel", UnitAttr::get(context));
  symbols.insert(kernel);
  Block *entry = kernel.addEntryBlock();

  // Constants are cloned rather than passed: the kernel folds them.
  builder.setInsertionPointToStart(entry);
  for (Operation *constant : constants) {
    Operation *copy = builder.clone(*constant);
    replaceAllUsesInRegionWith(constant->getResult(0), copy->getResult(0),
                               region);
  }
  for (auto [value, argument] :
       llvm::zip_equal(arguments, entry->getArguments()))
    replaceAllUsesInRegionWith(value, argument, region);
  entry->getOperations().splice(entry->end(), region.front().getOperations());
  nn::YieldOp yield = cast<nn::YieldOp>(entry->getTerminator());
  builder.setInsertionPoint(yield);
  func::ReturnOp::create(builder, yield.getLoc(), yield.getValues());
  yield->erase();

  builder.setInsertionPoint(fusion);
  auto call = func::CallOp::create(builder, fusion.getLoc(), kernel, arguments);
  fusion->replaceAllUsesWith(call.getResults());
  fusion->erase();
  return kernel;
}

struct OutlineFusionRegionsPass
    : nnc::impl::OutlineFusionRegionsBase<OutlineFusionRegionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    for (func::FuncOp function : functions) {
      SmallVector<nn::FusionOp> fusions;
      function.walk([&](nn::FusionOp fusion) { fusions.push_back(fusion); });
      unsigned next = 0;
      // Kernels follow their function, in the order of their regions.
      Operation *previous = function;
      for (nn::FusionOp fusion : fusions) {
        if (hasDynamicResult(fusion)) {
          inlineRegion(fusion);
          continue;
        }
        std::string name =
            (function.getSymName() + "_fusion" + llvm::Twine(next++)).str();
        previous = outlineRegion(fusion, previous, name, symbols);
      }
    }
  }
};

} // namespace
