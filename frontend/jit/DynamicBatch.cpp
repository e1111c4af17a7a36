//===- frontend/jit/DynamicBatch.cpp - One graph for every batch size -----===//
#include "frontend/jit/DynamicBatch.h"

#include "codegen/DiagnosticCapture.h"
#include "frontend/Autograd.h"
#include "frontend/Error.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

namespace nnc::jit {

std::vector<bool> batchedInputs(const std::vector<Tensor> &inputs) {
  std::vector<bool> batched(inputs.size(), false);
  if (inputs.empty() || inputs[0].dim() == 0)
    return batched;
  int64_t batch = inputs[0].size(0);
  for (size_t i = 0; i < inputs.size(); ++i)
    batched[i] = inputs[i].dim() > 0 && inputs[i].size(0) == batch;
  return batched;
}

std::vector<Tensor> withLargerBatch(const std::vector<Tensor> &inputs,
                                    const std::vector<bool> &batched) {
  NoGradGuard noGrad;
  std::vector<Tensor> larger;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor &t = inputs[i];
    if (!batched[i] || t.size(0) == 0) {
      larger.push_back(t);
      continue;
    }
    larger.push_back(cat({t, t.narrow(0, t.size(0) - 1, 1)}, 0));
  }
  return larger;
}

namespace {

std::string print(mlir::Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "'" << op->getName() << "' at " << op->getLoc();
  return text;
}

template <class AttrOrType> std::string print(AttrOrType value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << value;
  return text;
}

/// The type of `value` with every dim that differs in `other` (the same
/// value at batch + 1) dynamic. Throws if such a dim is not the batch.
mlir::Type generalize(mlir::Type type, mlir::Type other, int64_t batch,
                      const std::string &where) {
  auto a = llvm::dyn_cast<mlir::RankedTensorType>(type);
  auto b = llvm::dyn_cast<mlir::RankedTensorType>(other);
  // The traces have their own contexts: types compare by their text.
  if (!a || !b || a.getRank() != b.getRank() ||
      print(a.getElementType()) != print(b.getElementType()))
    throw Error("dynamic_batch: " + where +
                " has another rank or dtype at a larger batch");
  llvm::SmallVector<int64_t> shape(a.getShape());
  for (int64_t d = 0; d < a.getRank(); ++d) {
    if (a.getDimSize(d) == b.getDimSize(d))
      continue;
    if (a.getDimSize(d) != batch || b.getDimSize(d) != batch + 1)
      throw Error("dynamic_batch: " + where + ": dim " + std::to_string(d) +
                  " is " + std::to_string(a.getDimSize(d)) + " at batch " +
                  std::to_string(batch) + " and " +
                  std::to_string(b.getDimSize(d)) + " at batch " +
                  std::to_string(batch + 1) +
                  "; only dims equal to the batch size can be dynamic");
    shape[d] = mlir::ShapedType::kDynamic;
  }
  return mlir::RankedTensorType::get(shape, a.getElementType());
}

std::vector<mlir::Operation *> opsOf(mlir::func::FuncOp fn) {
  std::vector<mlir::Operation *> ops;
  fn.walk<mlir::WalkOrder::PreOrder>([&](mlir::Operation *op) {
    if (op != fn.getOperation())
      ops.push_back(op);
  });
  return ops;
}

} // namespace

void generalizeBatch(TracedGraph &graph, const TracedGraph &larger) {
  auto fn =
      graph.module().lookupSymbol<mlir::func::FuncOp>(TracedGraph::kEntryName);
  auto other =
      larger.module().lookupSymbol<mlir::func::FuncOp>(TracedGraph::kEntryName);
  if (graph.inputShapes().empty() || graph.inputShapes()[0].empty())
    throw Error("dynamic_batch: the first input has no batch dimension");
  int64_t batch = graph.inputShapes()[0][0];

  // Same graph, op for op: only sizes may differ.
  std::vector<mlir::Operation *> ops = opsOf(fn), otherOps = opsOf(other);
  if (ops.size() != otherOps.size() ||
      fn.getNumArguments() != other.getNumArguments())
    throw Error("dynamic_batch: the function records " +
                std::to_string(ops.size()) + " ops at batch " +
                std::to_string(batch) + " but " +
                std::to_string(otherOps.size()) + " at batch " +
                std::to_string(batch + 1) +
                ": its control flow depends on the batch size");
  for (size_t i = 0; i < ops.size(); ++i) {
    mlir::Operation *op = ops[i], *otherOp = otherOps[i];
    if (op->getName().getStringRef() != otherOp->getName().getStringRef() ||
        op->getNumOperands() != otherOp->getNumOperands() ||
        op->getNumResults() != otherOp->getNumResults())
      throw Error("dynamic_batch: op " + std::to_string(i) + " is " +
                  print(op) + " at batch " + std::to_string(batch) + " but '" +
                  otherOp->getName().getStringRef().str() +
                  "' at a larger batch: the graph depends on the batch size");
    std::string attrs = print(op->getAttrDictionary());
    std::string otherAttrs = print(otherOp->getAttrDictionary());
    // Properties (an op's inherent attributes) print as attributes too.
    if (attrs != otherAttrs || print(op->getPropertiesAsAttribute()) !=
                                   print(otherOp->getPropertiesAsAttribute()))
      throw Error("dynamic_batch: " + print(op) +
                  " has other attributes at a larger batch (a constant or "
                  "size computed from the batch size?)");
  }

  for (auto [arg, otherArg] :
       llvm::zip_equal(fn.getArguments(), other.getArguments()))
    arg.setType(generalize(arg.getType(), otherArg.getType(), batch,
                           "argument " + std::to_string(arg.getArgNumber())));
  for (size_t i = 0; i < ops.size(); ++i)
    for (auto [result, otherResult] :
         llvm::zip_equal(ops[i]->getResults(), otherOps[i]->getResults()))
      result.setType(generalize(result.getType(), otherResult.getType(), batch,
                                "the result of " + print(ops[i])));
  mlir::Operation *ret = fn.getBody().front().getTerminator();
  fn.setFunctionType(mlir::FunctionType::get(
      fn.getContext(), fn.getBody().front().getArgumentTypes(),
      ret->getOperandTypes()));

  DiagnosticCapture diagnostics(fn.getContext());
  if (mlir::failed(mlir::verify(graph.module())))
    throw Error(llvm::toString(diagnostics.makeError(
        "dynamic_batch: the graph is not valid with a dynamic batch")));
}

} // namespace nnc::jit
