//===- passes/Autodiff.cpp - nn-autodiff: reverse-mode differentiation ----===//
//
// A generic reverse sweep: the pass knows no op's derivative, only
// nn::DifferentiableOpInterface. It clones the forward function, finds the
// ops that lie between a differentiated argument and the loss, and walks
// them backwards asking each for its VJP, summing the gradients of values
// with several uses. New ops become differentiable by implementing the
// interface, never by changing this file.
//
//===----------------------------------------------------------------------===//
#include "passes/Autodiff.h"
#include "passes/Passes.h"

#include "ir/NNDialect.h"
#include "ir/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "nn-autodiff"

namespace nnc {
#define GEN_PASS_DEF_NNAUTODIFF
#include "passes/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

//===----------------------------------------------------------------------===//
// Checks on the forward function
//===----------------------------------------------------------------------===//

bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

LogicalResult checkForward(func::FuncOp forward, ArrayRef<unsigned> wrtArgs) {
  if (forward.isExternal() || !forward.getBody().hasOneBlock())
    return forward.emitOpError(
        "cannot be differentiated: nn-autodiff needs a body of one block");
  if (!isa<func::ReturnOp>(forward.getBody().front().getTerminator()))
    return forward.emitOpError(
        "cannot be differentiated: its body must end in func.return");
  ArrayRef<Type> results = forward.getFunctionType().getResults();
  if (results.empty() || !isFloatTensor(results.front()) ||
      cast<RankedTensorType>(results.front()).getRank() != 0)
    return forward.emitOpError("cannot be differentiated: its first result "
                               "must be the loss, a rank-0 float tensor, got ")
           << (results.empty() ? Type() : results.front());
  llvm::SmallDenseSet<unsigned> seen;
  for (unsigned arg : wrtArgs) {
    if (arg >= forward.getNumArguments())
      return forward.emitOpError("has no argument #")
             << arg << " to differentiate (it has " << forward.getNumArguments()
             << ")";
    if (!seen.insert(arg).second)
      return forward.emitOpError("argument #")
             << arg << " is listed twice for differentiation";
    if (!isFloatTensor(forward.getArgument(arg).getType()))
      return forward.emitOpError("argument #")
             << arg << " cannot be differentiated: it is "
             << forward.getArgument(arg).getType()
             << ", not a ranked float tensor";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The reverse sweep
//===----------------------------------------------------------------------===//

/// A tensor of zeros of `value`'s type (a splat constant, or for a dynamic
/// shape a broadcast of a rank-0 zero to the run-time shape of `value`).
Value zerosLike(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  Type element = type.getElementType();
  auto splat = [&](RankedTensorType splatType) -> Value {
    return nn::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(splatType, b.getFloatAttr(element, 0.0)));
  };
  if (type.hasStaticShape())
    return splat(type);
  return nn::BroadcastToOp::create(
      b, loc, splat(RankedTensorType::get({}, element)), value);
}

/// The gradients computed so far, one per value, summing contributions.
class GradientMap {
public:
  explicit GradientMap(OpBuilder &builder) : builder(builder) {}

  Value lookup(Value value) const { return gradients.lookup(value); }

  void accumulate(Location loc, Value value, Value gradient) {
    Value &slot = gradients[value];
    slot = slot ? Value(nn::AddOp::create(builder, loc, slot, gradient))
                : gradient;
  }

private:
  OpBuilder &builder;
  llvm::DenseMap<Value, Value> gradients;
};

/// Whether a gradient can flow through `value`: integer and bool tensors
/// (indices, masks, comparison results) have none, as in PyTorch.
bool carriesGradient(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && isa<FloatType>(type.getElementType());
}

/// The ops of `body` on a path from one of `sources` to `loss`: they read a
/// value that depends on a source and produce one that the loss depends on.
/// The path runs through float values only, so comparisons, arg-reductions
/// and conversions to integers are never on it.
SmallVector<Operation *> activeOps(Block &body, ArrayRef<Value> sources,
                                   Value loss) {
  llvm::DenseSet<Value> varied(sources.begin(), sources.end());
  for (Operation &op : body.without_terminator())
    if (llvm::any_of(op.getOperands(),
                     [&](Value operand) { return varied.contains(operand); }))
      for (Value result : op.getResults())
        if (carriesGradient(result))
          varied.insert(result);

  llvm::DenseSet<Value> useful = {loss};
  SmallVector<Operation *> active;
  for (Operation &op : llvm::reverse(body.without_terminator())) {
    if (!llvm::any_of(op.getResults(),
                      [&](Value result) { return useful.contains(result); }))
      continue;
    useful.insert(op.getOperands().begin(), op.getOperands().end());
    auto isVaried = [&](Value value) { return varied.contains(value); };
    if (llvm::any_of(op.getOperands(), isVaried) &&
        llvm::any_of(op.getResults(), isVaried))
      active.push_back(&op);
  }
  return active; // in reverse program order
}

/// Appends to `body` (before its terminator) the gradient of `loss` with
/// respect to each of `sources`, returned in order.
FailureOr<SmallVector<Value>>
buildBackwardSweep(Block &body, ArrayRef<Value> sources, Value loss) {
  SmallVector<Operation *> active = activeOps(body, sources, loss);
  for (Operation *op : active)
    if (!isa<nn::DifferentiableOpInterface>(op))
      return op->emitOpError("is not differentiable (no "
                             "DifferentiableOpInterface) but lies between an "
                             "argument marked nn.requires_grad and the loss");

  OpBuilder builder = OpBuilder::atBlockTerminator(&body);
  Location lossLoc = loss.getLoc();
  GradientMap gradients(builder);
  auto lossType = cast<RankedTensorType>(loss.getType());
  gradients.accumulate(
      lossLoc, loss,
      nn::ConstantOp::create(
          builder, lossLoc,
          DenseElementsAttr::get(
              lossType, builder.getFloatAttr(lossType.getElementType(), 1.0))));

  for (Operation *op : active) {
    SmallVector<Value> outputGrads;
    for (Value result : op->getResults()) {
      Value grad = gradients.lookup(result);
      outputGrads.push_back(grad ? grad
                                 : zerosLike(builder, op->getLoc(), result));
    }
    SmallVector<Value> inputGrads =
        cast<nn::DifferentiableOpInterface>(op).buildVJP(builder, outputGrads);
    if (inputGrads.size() != op->getNumOperands())
      return op->emitOpError("VJP returned ")
             << inputGrads.size() << " gradients for " << op->getNumOperands()
             << " operands";
    for (auto [index, operand, grad] :
         llvm::enumerate(op->getOperands(), inputGrads)) {
      // A null gradient means none flows (an integer operand, a constant
      // function of it).
      if (!grad)
        continue;
      if (grad.getType() != operand.getType())
        return op->emitOpError("VJP produced a gradient of type ")
               << grad.getType() << " for operand #" << index << " of type "
               << operand.getType();
      gradients.accumulate(op->getLoc(), operand, grad);
    }
  }

  SmallVector<Value> result;
  for (Value source : sources) {
    Value grad = gradients.lookup(source);
    result.push_back(grad ? grad : zerosLike(builder, lossLoc, source));
  }
  return result;
}

/// Erases the ops of `body` whose results nothing uses, last to first, so
/// chains of dead ops go at once (VJPs build gradients for operands that are
/// not differentiated; forward values only those need die with them).
void eraseDeadOps(Block &body) {
  Operation *op = body.getTerminator()->getPrevNode();
  while (op) {
    Operation *previous = op->getPrevNode();
    if (isOpTriviallyDead(op))
      op->erase();
    op = previous;
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

FailureOr<func::FuncOp> nnc::buildGradientFunction(func::FuncOp forward,
                                                   ArrayRef<unsigned> wrtArgs) {
  if (failed(checkForward(forward, wrtArgs)))
    return failure();
  Operation *symbolTableOp =
      forward->getParentWithTrait<OpTrait::SymbolTable>();
  if (!symbolTableOp)
    return forward.emitOpError(
        "cannot be differentiated outside a symbol table (a module)");

  func::FuncOp gradient = forward.clone();
  gradient.setSymName((forward.getSymName() + "_grad").str());
  for (unsigned arg = 0; arg < gradient.getNumArguments(); ++arg)
    gradient.removeArgAttr(arg, kRequiresGradAttrName);

  Block &body = gradient.getBody().front();
  auto terminator = cast<func::ReturnOp>(body.getTerminator());
  SmallVector<Value> sources = llvm::map_to_vector(
      wrtArgs, [&](unsigned arg) -> Value { return body.getArgument(arg); });
  FailureOr<SmallVector<Value>> grads =
      buildBackwardSweep(body, sources, terminator.getOperand(0));
  if (failed(grads)) {
    gradient.erase();
    return failure();
  }

  SmallVector<Value> results(terminator.getOperands());
  llvm::append_range(results, *grads);
  OpBuilder builder(terminator);
  func::ReturnOp::create(builder, terminator.getLoc(), results);
  terminator.erase();
  eraseDeadOps(body);
  gradient.setFunctionType(builder.getFunctionType(
      gradient.getArgumentTypes(), ValueRange(results).getTypes()));
  // Result attributes of the forward function describe its results only.
  gradient.removeResAttrsAttr();

  SymbolTable(symbolTableOp)
      .insert(gradient, std::next(forward->getIterator()));
  LLVM_DEBUG(llvm::dbgs() << "built " << gradient.getSymName() << " with "
                          << wrtArgs.size() << " gradients\n");
  return gradient;
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

struct NNAutodiff : public nnc::impl::NNAutodiffBase<NNAutodiff> {
  using NNAutodiffBase::NNAutodiffBase;

  void runOnOperation() override {
    // Collected first: the pass adds functions to the module it walks.
    SmallVector<func::FuncOp> forwards;
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (!markedArguments(function).empty())
        forwards.push_back(function);

    for (func::FuncOp forward : forwards) {
      FailureOr<func::FuncOp> gradient =
          nnc::buildGradientFunction(forward, markedArguments(forward));
      if (failed(gradient))
        return signalPassFailure();
      if (inPlace) {
        std::string name = forward.getSymName().str();
        forward.erase();
        gradient->setSymName(name);
      }
    }
  }

  static SmallVector<unsigned> markedArguments(func::FuncOp function) {
    SmallVector<unsigned> marked;
    for (unsigned arg = 0; arg < function.getNumArguments(); ++arg)
      if (function.getArgAttr(arg, nnc::kRequiresGradAttrName))
        marked.push_back(arg);
    return marked;
  }
};

} // namespace
