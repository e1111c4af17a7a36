//===- codegen/OutlineParallelLoops.cpp - parallel loops as pool tasks ----===//
//
// The first half of running kernels on the runtime's thread pool: each
// outermost scf.parallel becomes a task function (one iteration of its
// first dim) and a call to a launch declaration. The call is rewritten to
// nnc_runtime_parallel_for only in the LLVM dialect
// (LowerParallelLaunches.cpp), where every captured value, memref
// descriptors included, is a plain scalar that fits a context struct.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"

#include <limits>

#define DEBUG_TYPE "nnc-outline-parallel-loops"

namespace nnc {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPS
#include "codegen/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

constexpr int64_t kUnknownWork = std::numeric_limits<int64_t>::max();

int64_t saturatingMultiply(int64_t a, int64_t b) {
  if (a != 0 && b > kUnknownWork / a)
    return kUnknownWork;
  return a * b;
}

/// Iterations of one loop dim, or kUnknownWork when not static.
int64_t tripCount(Value lower, Value upper, Value step) {
  std::optional<int64_t> lb = getConstantIntValue(lower);
  std::optional<int64_t> ub = getConstantIntValue(upper);
  std::optional<int64_t> st = getConstantIntValue(step);
  if (!lb || !ub || !st || *st <= 0)
    return kUnknownWork;
  return *ub <= *lb ? 0 : (*ub - *lb + *st - 1) / *st;
}

/// The vector registers (16 f32 lanes) the transfers in `loop`'s body read
/// per iteration, at least 1: a vectorized step (a pooling window row, a
/// transpose block) reads many registers where a scalar iteration reads
/// one element.
int64_t registersReadPerIteration(scf::ParallelOp loop) {
  int64_t registers = 0;
  loop.getBody()->walk([&](vector::TransferReadOp read) {
    registers += llvm::divideCeil(read.getVectorType().getNumElements(), 16);
  });
  return std::max<int64_t>(registers, 1);
}

/// Iterations of `loop` times those of every loop nested in it, times the
/// registers a step reads: an upper bound of the work (sibling loops count
/// as if nested).
int64_t estimatedWork(scf::ParallelOp loop) {
  int64_t work = registersReadPerIteration(loop);
  auto multiplyDims = [&](ValueRange lbs, ValueRange ubs, ValueRange steps) {
    for (auto [lb, ub, step] : llvm::zip_equal(lbs, ubs, steps))
      work = saturatingMultiply(work, tripCount(lb, ub, step));
  };
  multiplyDims(loop.getLowerBound(), loop.getUpperBound(), loop.getStep());
  loop.getBody()->walk([&](Operation *op) {
    if (auto inner = dyn_cast<scf::ForOp>(op))
      work = saturatingMultiply(work, tripCount(inner.getLowerBound(),
                                                inner.getUpperBound(),
                                                inner.getStep()));
    else if (auto inner = dyn_cast<scf::ParallelOp>(op))
      multiplyDims(inner.getLowerBound(), inner.getUpperBound(),
                   inner.getStep());
  });
  return work;
}

bool isOutlinable(scf::ParallelOp loop) {
  return loop.getInitVals().empty() &&
         !loop->getParentOfType<scf::ParallelOp>();
}

/// Outlines `loop` (in `function`) into `<function>_task<k>` and its launch
/// declaration, inserted after `previous`; returns the last one inserted.
Operation *outlineLoop(scf::ParallelOp loop, StringRef taskName,
                       Operation *previous, SymbolTable &symbols) {
  MLIRContext *context = loop->getContext();
  Location loc = loop.getLoc();
  // What the task needs from outside: captured values, the first dim's
  // lower bound and step, and the bounds of the other dims.
  llvm::SetVector<Value> needed;
  getUsedValuesDefinedAbove(loop.getRegion(), needed);
  needed.insert(loop.getLowerBound()[0]);
  needed.insert(loop.getStep()[0]);
  for (unsigned dim = 1; dim < loop.getNumLoops(); ++dim) {
    needed.insert(loop.getLowerBound()[dim]);
    needed.insert(loop.getUpperBound()[dim]);
    needed.insert(loop.getStep()[dim]);
  }
  SmallVector<Value> captures;
  SmallVector<Operation *> constants;
  for (Value value : needed) {
    Operation *producer = value.getDefiningOp();
    if (producer && producer->hasTrait<OpTrait::ConstantLike>())
      constants.push_back(producer);
    else
      captures.push_back(value);
  }

  OpBuilder builder(context);
  builder.setInsertionPointAfter(previous);
  SmallVector<Type> taskInputs = {builder.getIndexType()};
  llvm::append_range(taskInputs, ValueRange(captures).getTypes());
  auto taskType = FunctionType::get(context, taskInputs, {});
  auto task = func::FuncOp::create(builder, loc, taskName, taskType);
  task.setPrivate();
  symbols.insert(task);
  auto launch = func::FuncOp::create(
      builder, loc, ("__nnc_launch_" + task.getSymName()).str(), taskType);
  launch.setPrivate();
  symbols.insert(launch);

  // The task: iteration %i of dim 0, the remaining dims as a nested loop.
  Block *entry = task.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (Operation *constant : constants)
    builder.clone(*constant, mapping);
  for (auto [value, argument] :
       llvm::zip_equal(captures, entry->getArguments().drop_front()))
    mapping.map(value, argument);
  Value scaled = arith::MulIOp::create(builder, loc, entry->getArgument(0),
                                       mapping.lookup(loop.getStep()[0]));
  Value iv0 = arith::AddIOp::create(
      builder, loc, mapping.lookup(loop.getLowerBound()[0]), scaled);
  mapping.map(loop.getInductionVars()[0], iv0);
  auto cloneBody = [&](OpBuilder &bodyBuilder) {
    for (Operation &op : loop.getBody()->without_terminator())
      bodyBuilder.clone(op, mapping);
  };
  if (loop.getNumLoops() == 1) {
    cloneBody(builder);
  } else {
    auto inner = [&](ValueRange values) {
      return llvm::map_to_vector(values.drop_front(), [&](Value value) {
        return mapping.lookup(value);
      });
    };
    scf::ParallelOp::create(
        builder, loc, inner(loop.getLowerBound()), inner(loop.getUpperBound()),
        inner(loop.getStep()),
        [&](OpBuilder &nested, Location, ValueRange ivs) {
          for (auto [old, now] : llvm::zip_equal(
                   ValueRange(loop.getInductionVars()).drop_front(), ivs))
            mapping.map(old, now);
          cloneBody(nested);
        });
  }
  func::ReturnOp::create(builder, loc);

  // The loop becomes a launch of trip-count iterations of the task.
  builder.setInsertionPoint(loop);
  Value extent = arith::SubIOp::create(builder, loc, loop.getUpperBound()[0],
                                       loop.getLowerBound()[0]);
  Value iterations =
      arith::CeilDivSIOp::create(builder, loc, extent, loop.getStep()[0]);
  SmallVector<Value> operands = {iterations};
  llvm::append_range(operands, captures);
  func::CallOp::create(builder, loc, launch, operands);
  loop->erase();
  return launch;
}

struct OutlineParallelLoopsPass
    : nnc::impl::OutlineParallelLoopsBase<OutlineParallelLoopsPass> {
  using OutlineParallelLoopsBase::OutlineParallelLoopsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    for (func::FuncOp function : functions) {
      SmallVector<scf::ParallelOp> loops;
      function.walk([&](scf::ParallelOp loop) {
        if (isOutlinable(loop) && estimatedWork(loop) >= minWork)
          loops.push_back(loop);
      });
      Operation *previous = function;
      unsigned next = 0;
      for (scf::ParallelOp loop : loops) {
        std::string name =
            (function.getSymName() + "_task" + llvm::Twine(next++)).str();
        previous = outlineLoop(loop, name, previous, symbols);
      }
    }
  }
};

} // namespace
