//===- codegen/LowerParallelLaunches.cpp - launches to the thread pool ----===//
//
// The second half of parallel kernels (see OutlineParallelLoops.cpp): in the
// LLVM dialect a launch's captures are scalars and pointers, so they are
// stored into a stack struct whose address is the context that
// nnc_runtime_parallel_for hands back to a small entry function per task.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#define DEBUG_TYPE "nnc-lower-parallel-launches"

namespace nnc {
#define GEN_PASS_DEF_LOWERPARALLELLAUNCHES
#include "codegen/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kLaunchPrefix = "__nnc_launch_";
constexpr llvm::StringLiteral kParallelFor = "nnc_runtime_parallel_for";

/// `void nnc_runtime_parallel_for(i64, i64, ptr body, ptr context)`,
/// declared once per module.
LLVM::LLVMFuncOp getOrDeclareParallelFor(ModuleOp module) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(kParallelFor))
    return existing;
  MLIRContext *context = module.getContext();
  auto i64 = IntegerType::get(context, 64);
  auto ptr = LLVM::LLVMPointerType::get(context);
  auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                          {i64, i64, ptr, ptr});
  OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
  return LLVM::LLVMFuncOp::create(builder, module.getLoc(), kParallelFor, type);
}

/// A pointer to field `index` of the context struct at `base`.
Value fieldAddress(OpBuilder &builder, Location loc,
                   LLVM::LLVMStructType context, Value base, int32_t index) {
  auto ptr = LLVM::LLVMPointerType::get(builder.getContext());
  return LLVM::GEPOp::create(builder, loc, ptr, context, base,
                             ArrayRef<LLVM::GEPArg>{0, index});
}

/// `void <task>_entry(ptr context, i64 i)`: loads the captures from the
/// context and calls the task for iteration i.
LLVM::LLVMFuncOp buildEntry(LLVM::LLVMFuncOp task,
                            LLVM::LLVMStructType context) {
  MLIRContext *mlirContext = task.getContext();
  Location loc = task.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(mlirContext);
  auto i64 = IntegerType::get(mlirContext, 64);
  auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(mlirContext),
                                          {ptr, i64});
  OpBuilder builder(mlirContext);
  builder.setInsertionPointAfter(task);
  auto entry = LLVM::LLVMFuncOp::create(builder, loc,
                                        (task.getSymName() + "_entry").str(),
                                        type, LLVM::Linkage::Internal);
  Block *block = entry.addEntryBlock(builder);
  builder.setInsertionPointToStart(block);
  SmallVector<Value> arguments = {block->getArgument(1)};
  for (auto [index, fieldType] : llvm::enumerate(context.getBody())) {
    Value address =
        fieldAddress(builder, loc, context, block->getArgument(0), index);
    arguments.push_back(LLVM::LoadOp::create(builder, loc, fieldType, address));
  }
  LLVM::CallOp::create(builder, loc, task, arguments);
  LLVM::ReturnOp::create(builder, loc, ValueRange{});
  return entry;
}

/// Replaces `call` (of a launch declaration) by a call of the pool.
void lowerLaunch(LLVM::CallOp call, LLVM::LLVMStructType context,
                 LLVM::LLVMFuncOp entry, LLVM::LLVMFuncOp parallelFor) {
  Location loc = call.getLoc();
  auto caller = call->getParentOfType<LLVM::LLVMFuncOp>();
  auto ptr = LLVM::LLVMPointerType::get(call.getContext());
  auto i64 = IntegerType::get(call.getContext(), 64);
  // In the entry block, so a launch inside a loop reuses one slot.
  OpBuilder builder = OpBuilder::atBlockBegin(&caller.getBody().front());
  Value one = LLVM::ConstantOp::create(builder, loc, i64, 1);
  Value slot = LLVM::AllocaOp::create(builder, loc, ptr, context, one);
  builder.setInsertionPoint(call);
  ValueRange operands = call.getArgOperands();
  for (auto [index, capture] : llvm::enumerate(operands.drop_front()))
    LLVM::StoreOp::create(builder, loc, capture,
                          fieldAddress(builder, loc, context, slot, index));
  Value zero = LLVM::ConstantOp::create(builder, loc, i64, 0);
  Value body = LLVM::AddressOfOp::create(builder, loc, entry);
  LLVM::CallOp::create(builder, loc, parallelFor,
                       ValueRange{zero, operands.front(), body, slot});
  call->erase();
}

struct LowerParallelLaunchesPass
    : nnc::impl::LowerParallelLaunchesBase<LowerParallelLaunchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> launches;
    for (auto function : module.getOps<LLVM::LLVMFuncOp>())
      if (function.getSymName().starts_with(kLaunchPrefix))
        launches.push_back(function);
    if (launches.empty())
      return;
    LLVM::LLVMFuncOp parallelFor = getOrDeclareParallelFor(module);
    for (LLVM::LLVMFuncOp launch : launches) {
      StringRef taskName = launch.getSymName().drop_front(kLaunchPrefix.size());
      auto task = module.lookupSymbol<LLVM::LLVMFuncOp>(taskName);
      ArrayRef<Type> parameters = launch.getFunctionType().getParams();
      if (!task || !launch.isExternal() || parameters.empty() ||
          !parameters.front().isInteger(64)) {
        launch.emitOpError("is not a launch made by "
                           "nnc-outline-parallel-loops (no task '@")
            << taskName << "', or not (i64 trip count, captures...)";
        return signalPassFailure();
      }
      auto context = LLVM::LLVMStructType::getLiteral(&getContext(),
                                                      parameters.drop_front());
      LLVM::LLVMFuncOp entry = buildEntry(task, context);
      SmallVector<LLVM::CallOp> calls;
      module.walk([&](LLVM::CallOp call) {
        if (call.getCallee() == launch.getSymName())
          calls.push_back(call);
      });
      for (LLVM::CallOp call : calls)
        lowerLaunch(call, context, entry, parallelFor);
      launch->erase();
    }
  }
};

} // namespace
