//===- frontend/jit/Trace.cpp - The TraceHook that builds nn ops ----------===//
//
// Implements the eager core's TraceHook: each recorded eager op appends the
// matching `nn` op to `func.func @forward`. Tensors are identified by their
// TensorImpl; every tensor seen is kept alive until the trace ends so that
// an address is never reused for a different tensor while tracing.
//
//===----------------------------------------------------------------------===//
#include "frontend/jit/Trace.h"

#include "frontend/Error.h"
#include "frontend/TraceHook.h"
#include "ir/NNDialect.h"
#include "ir/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <sstream>
#include <unordered_map>

namespace nnc::jit {

struct TracedGraph::Storage {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

TracedGraph::TracedGraph() : storage_(std::make_unique<Storage>()) {}
TracedGraph::TracedGraph(TracedGraph &&) noexcept = default;
TracedGraph &TracedGraph::operator=(TracedGraph &&) noexcept = default;
TracedGraph::~TracedGraph() = default;

mlir::ModuleOp TracedGraph::module() const { return *storage_->module; }
mlir::MLIRContext &TracedGraph::context() const { return storage_->context; }

std::string TracedGraph::str() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  storage_->module->print(os);
  return text;
}

namespace {

mlir::RankedTensorType tensorTypeOf(const Tensor &t, mlir::MLIRContext &ctx) {
  mlir::Type element;
  switch (t.dtype()) {
  case ScalarType::Float32:
    element = mlir::Float32Type::get(&ctx);
    break;
  case ScalarType::Int64:
    element = mlir::IntegerType::get(&ctx, 64);
    break;
  }
  return mlir::RankedTensorType::get(t.sizes(), element);
}

/// Builds `func.func @forward` while the traced function runs eagerly.
class GraphBuilder final : public TraceHook {
public:
  GraphBuilder(mlir::MLIRContext &ctx, mlir::func::FuncOp func)
      : ctx_(ctx), func_(func), builder_(&ctx) {
    builder_.setInsertionPointToEnd(&func.getBody().front());
  }

  void addInput(const Tensor &t) { addArgument(t); }

  void recordOp(OpKind kind, const std::vector<Tensor> &inputs,
                const Tensor &output, const OpAttrs &attrs) override {
    // Eager calls made while building the op (contiguous() for a
    // constant's values) are not part of the traced program.
    TraceHookGuard suspend(nullptr);
    std::vector<mlir::Value> operands;
    for (const Tensor &t : inputs)
      operands.push_back(valueOf(t));
    bind(output, build(kind, operands, output, attrs));
  }

  /// The value a tensor has in the graph; a tensor not produced inside the
  /// trace is captured by reference as a new argument.
  mlir::Value valueOf(const Tensor &t) {
    auto it = values_.find(t.unsafeGetTensorImpl());
    if (it != values_.end())
      return it->second;
    captures_.push_back(t);
    return addArgument(t);
  }

  /// Arguments whose tensor was updated in place during the trace, with
  /// the value each holds at the end: the compiled function writes these
  /// back, so in-place updates (optimizer steps) keep their meaning.
  std::vector<std::pair<size_t, mlir::Value>> mutatedArguments() {
    std::vector<std::pair<size_t, mlir::Value>> mutated;
    for (size_t i = 0; i < arguments_.size(); ++i) {
      mlir::Value current = values_.at(arguments_[i].unsafeGetTensorImpl());
      if (current != func_.getBody().front().getArgument(i))
        mutated.emplace_back(i, current);
    }
    return mutated;
  }

  /// Saves the storage `self` is about to overwrite, once per storage.
  void willWrite(const Tensor &self) override {
    Storage *storage = self.unsafeGetTensorImpl()->storage.get();
    if (overwritten_.count(storage))
      return;
    const char *data = static_cast<const char *>(storage->data());
    overwritten_[storage] = std::vector<char>(data, data + storage->nbytes());
    alive_.push_back(self);
  }

  /// Puts back every storage an in-place op overwrote during the trace:
  /// tracing has no side effects, the compiled code makes the updates.
  void restoreOverwritten() {
    for (auto &[storage, bytes] : overwritten_)
      std::memcpy(storage->data(), bytes.data(), bytes.size());
    overwritten_.clear();
  }

  std::vector<Tensor> takeCaptures() { return std::move(captures_); }
  mlir::OpBuilder &builder() { return builder_; }

private:
  mlir::Value addArgument(const Tensor &t) {
    mlir::Value arg = func_.getBody().front().addArgument(
        tensorTypeOf(t, ctx_), builder_.getUnknownLoc());
    arguments_.push_back(t);
    bind(t, arg);
    return arg;
  }

  void bind(const Tensor &t, mlir::Value value) {
    values_[t.unsafeGetTensorImpl()] = value;
    alive_.push_back(t);
  }

  mlir::Value build(OpKind kind, const std::vector<mlir::Value> &in,
                    const Tensor &output, const OpAttrs &attrs) {
    mlir::Location loc = builder_.getUnknownLoc();
    mlir::OpBuilder &b = builder_;
    auto expectOperands = [&](size_t n, const char *what) {
      if (in.size() != n)
        throw Error(std::string("jit::trace: ") + what + " expects " +
                    std::to_string(n) + " operands, got " +
                    std::to_string(in.size()));
    };
    switch (kind) {
    case OpKind::Add:
      expectOperands(2, "add");
      return mlir::nn::AddOp::create(b, loc, in[0], in[1]);
    case OpKind::Sub:
      expectOperands(2, "sub");
      return mlir::nn::SubOp::create(b, loc, in[0], in[1]);
    case OpKind::Mul:
      expectOperands(2, "mul");
      return mlir::nn::MulOp::create(b, loc, in[0], in[1]);
    case OpKind::Div:
      expectOperands(2, "div");
      return mlir::nn::DivOp::create(b, loc, in[0], in[1]);
    case OpKind::Neg:
      expectOperands(1, "neg");
      return mlir::nn::NegOp::create(b, loc, in[0]);
    case OpKind::Exp:
      expectOperands(1, "exp");
      return mlir::nn::ExpOp::create(b, loc, in[0]);
    case OpKind::Log:
      expectOperands(1, "log");
      return mlir::nn::LogOp::create(b, loc, in[0]);
    case OpKind::Tanh:
      expectOperands(1, "tanh");
      return mlir::nn::TanhOp::create(b, loc, in[0]);
    case OpKind::Sigmoid:
      expectOperands(1, "sigmoid");
      return mlir::nn::SigmoidOp::create(b, loc, in[0]);
    case OpKind::Relu:
      expectOperands(1, "relu");
      return mlir::nn::ReluOp::create(b, loc, in[0]);
    case OpKind::MatMul:
      expectOperands(2, "matmul");
      return mlir::nn::MatMulOp::create(b, loc, in[0], in[1]);
    case OpKind::Transpose:
      expectOperands(1, "transpose");
      return mlir::nn::TransposeOp::create(b, loc, in[0], attrs.dims.at(0),
                                           attrs.dims.at(1));
    case OpKind::Reshape:
      expectOperands(1, "reshape");
      return mlir::nn::ReshapeOp::create(b, loc, tensorTypeOf(output, ctx_),
                                         in[0]);
    case OpKind::Sum:
      expectOperands(1, "sum");
      return mlir::nn::SumOp::create(b, loc, in[0], attrs.dims, attrs.keepdim);
    case OpKind::Mean:
      expectOperands(1, "mean");
      return mlir::nn::MeanOp::create(b, loc, in[0], attrs.dims, attrs.keepdim);
    case OpKind::Max:
      expectOperands(1, "max");
      return mlir::nn::MaxOp::create(b, loc, in[0], attrs.dims, attrs.keepdim);
    case OpKind::Pow:
      expectOperands(1, "pow");
      return mlir::nn::PowOp::create(b, loc, in[0], attrs.scalar);
    case OpKind::Sqrt:
      expectOperands(1, "sqrt");
      return mlir::nn::SqrtOp::create(b, loc, in[0]);
    case OpKind::Softmax:
      expectOperands(1, "softmax");
      return mlir::nn::SoftmaxOp::create(b, loc, in[0], attrs.dims.at(0));
    case OpKind::LogSoftmax:
      expectOperands(1, "log_softmax");
      return mlir::nn::LogSoftmaxOp::create(b, loc, in[0], attrs.dims.at(0));
    case OpKind::CrossEntropy:
      expectOperands(2, "cross_entropy");
      return mlir::nn::CrossEntropyOp::create(b, loc, in[0], in[1],
                                              reductionOf(attrs));
    case OpKind::MSELoss:
      expectOperands(2, "mse_loss");
      return mlir::nn::MSELossOp::create(b, loc, in[0], in[1],
                                         reductionOf(attrs));
    case OpKind::Alias:
      expectOperands(1, "alias");
      return in[0];
    case OpKind::Constant:
      return mlir::nn::ConstantOp::create(b, loc, constantAttr(output));
    }
    throw Error("jit::trace: unknown op kind");
  }

  static mlir::nn::Reduction reductionOf(const OpAttrs &attrs) {
    switch (attrs.reduction) {
    case 0:
      return mlir::nn::Reduction::None;
    case 1:
      return mlir::nn::Reduction::Mean;
    case 2:
      return mlir::nn::Reduction::Sum;
    }
    throw Error("jit::trace: unknown loss reduction " +
                std::to_string(attrs.reduction));
  }

  mlir::DenseElementsAttr constantAttr(const Tensor &t) {
    Tensor dense = t.contiguous();
    size_t n = static_cast<size_t>(dense.numel());
    if (dense.dtype() == kInt64)
      return mlir::DenseElementsAttr::get(
          tensorTypeOf(t, ctx_),
          llvm::ArrayRef<int64_t>(dense.data_ptr<int64_t>(), n));
    return mlir::DenseElementsAttr::get(
        tensorTypeOf(t, ctx_),
        llvm::ArrayRef<float>(dense.data_ptr<float>(), n));
  }

  mlir::MLIRContext &ctx_;
  mlir::func::FuncOp func_;
  mlir::OpBuilder builder_;
  std::unordered_map<const void *, mlir::Value> values_;
  std::vector<Tensor> alive_;
  std::unordered_map<Storage *, std::vector<char>> overwritten_;
  std::vector<Tensor> arguments_;
  std::vector<Tensor> captures_;
};

} // namespace

TracedGraph trace(const TensorFunction &fn,
                  const std::vector<Tensor> &exampleInputs) {
  TracedGraph graph;
  mlir::MLIRContext &ctx = graph.context();
  ctx.loadDialect<mlir::func::FuncDialect, mlir::nn::NNDialect>();

  mlir::OpBuilder moduleBuilder(&ctx);
  mlir::Location loc = moduleBuilder.getUnknownLoc();
  graph.storage_->module = mlir::ModuleOp::create(loc);
  moduleBuilder.setInsertionPointToEnd(graph.module().getBody());
  auto func =
      mlir::func::FuncOp::create(moduleBuilder, loc, TracedGraph::kEntryName,
                                 moduleBuilder.getFunctionType({}, {}));
  func.addEntryBlock();

  GraphBuilder recorder(ctx, func);
  for (const Tensor &input : exampleInputs) {
    recorder.addInput(input);
    graph.inputShapes_.push_back(input.sizes());
  }
  graph.numInputs_ = exampleInputs.size();

  std::vector<Tensor> outputs;
  try {
    TraceHookGuard guard(&recorder);
    outputs = fn(exampleInputs);
  } catch (...) {
    recorder.restoreOverwritten();
    throw;
  }
  recorder.restoreOverwritten();
  std::vector<mlir::Value> results;
  for (const Tensor &output : outputs)
    results.push_back(recorder.valueOf(output));
  graph.numOutputs_ = outputs.size();
  for (auto &[argument, value] : recorder.mutatedArguments()) {
    graph.mutatedArguments_.push_back(argument);
    results.push_back(value);
  }
  if (results.empty())
    throw Error("jit::trace: the traced function returned no tensors and "
                "updated none in place");
  mlir::func::ReturnOp::create(recorder.builder(), loc, results);

  mlir::Block &body = func.getBody().front();
  func.setFunctionType(moduleBuilder.getFunctionType(
      body.getArgumentTypes(), mlir::ValueRange(results).getTypes()));
  graph.captures_ = recorder.takeCaptures();

  if (mlir::failed(mlir::verify(graph.module())))
    throw Error("jit::trace: the recorded graph does not verify:\n" +
                graph.str());
  return graph;
}

} // namespace nnc::jit
