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
#include "frontend/jit/ElementTypes.h"
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
    mlir::Block &body = func_.getBody().front();
    for (size_t i = 0; i < arguments_.size(); ++i) {
      const void *impl = arguments_[i].unsafeGetTensorImpl();
      mlir::Value current = values_.at(impl);
      // The same tensor passed as two inputs is bound to its last
      // argument; that is no update of the others.
      bool unchanged = false;
      for (size_t j = 0; j < arguments_.size(); ++j)
        unchanged |= arguments_[j].unsafeGetTensorImpl() == impl &&
                     current == body.getArgument(j);
      if (!unchanged)
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
        tensorTypeOf(t, &ctx_), builder_.getUnknownLoc());
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
    case OpKind::Permute:
      expectOperands(1, "permute");
      return mlir::nn::PermuteOp::create(b, loc, in[0], attrs.dims);
    case OpKind::Expand: {
      // broadcast_to reads only its `like` operand's shape: a splat
      // constant of the result's shape, which folds away after lowering.
      expectOperands(1, "expand");
      auto type = tensorTypeOf(output, &ctx_);
      mlir::Value like = mlir::nn::ConstantOp::create(
          b, loc,
          mlir::DenseElementsAttr::get(type,
                                       b.getZeroAttr(type.getElementType())));
      return mlir::nn::BroadcastToOp::create(b, loc, in[0], like);
    }
    case OpKind::Reshape:
      expectOperands(1, "reshape");
      return mlir::nn::ReshapeOp::create(b, loc, tensorTypeOf(output, &ctx_),
                                         in[0]);
    case OpKind::Sum:
      expectOperands(1, "sum");
      return mlir::nn::SumOp::create(b, loc, in[0], attrs.dims, attrs.keepdim);
    case OpKind::Mean:
      expectOperands(1, "mean");
      return mlir::nn::MeanOp::create(b, loc, in[0], attrs.dims, attrs.keepdim);
    case OpKind::Var:
      expectOperands(1, "var");
      return mlir::nn::VarOp::create(b, loc, in[0], attrs.dims,
                                     attrs.correction, attrs.keepdim);
    case OpKind::Max:
      expectOperands(1, "max");
      return mlir::nn::MaxOp::create(b, loc, in[0], attrs.dims, attrs.keepdim);
    case OpKind::Pow:
      expectOperands(1, "pow");
      return mlir::nn::PowOp::create(b, loc, in[0], attrs.scalar);
    case OpKind::Sqrt:
      expectOperands(1, "sqrt");
      return mlir::nn::SqrtOp::create(b, loc, in[0]);
    case OpKind::Erf:
      expectOperands(1, "erf");
      return mlir::nn::ErfOp::create(b, loc, in[0]);
    case OpKind::RandomUniform:
      expectOperands(1, "random_uniform");
      return mlir::nn::RandomUniformOp::create(
          b, loc, tensorTypeOf(output, &ctx_), in[0]);
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
    case OpKind::Cast:
      expectOperands(1, "to");
      return mlir::nn::ConvertOp::create(b, loc, in[0],
                                         elementTypeOf(attrs.dtype, &ctx_));
    case OpKind::Abs:
      expectOperands(1, "abs");
      return mlir::nn::AbsOp::create(b, loc, in[0]);
    case OpKind::Sign:
      expectOperands(1, "sign");
      return mlir::nn::SignOp::create(b, loc, in[0]);
    case OpKind::Eq:
      expectOperands(2, "eq");
      return mlir::nn::EqOp::create(b, loc, in[0], in[1]);
    case OpKind::Ne:
      expectOperands(2, "ne");
      return mlir::nn::NeOp::create(b, loc, in[0], in[1]);
    case OpKind::Lt:
      expectOperands(2, "lt");
      return mlir::nn::LtOp::create(b, loc, in[0], in[1]);
    case OpKind::Le:
      expectOperands(2, "le");
      return mlir::nn::LeOp::create(b, loc, in[0], in[1]);
    case OpKind::Gt:
      expectOperands(2, "gt");
      return mlir::nn::GtOp::create(b, loc, in[0], in[1]);
    case OpKind::Ge:
      expectOperands(2, "ge");
      return mlir::nn::GeOp::create(b, loc, in[0], in[1]);
    case OpKind::Where:
      expectOperands(3, "where");
      return mlir::nn::WhereOp::create(b, loc, in[0], in[1], in[2]);
    case OpKind::Clamp:
      expectOperands(1, "clamp");
      return mlir::nn::ClampOp::create(b, loc, in[0], attrs.min, attrs.max);
    case OpKind::PowTensor:
      expectOperands(2, "pow");
      return mlir::nn::PowTensorOp::create(b, loc, in[0], in[1]);
    case OpKind::Slice:
      expectOperands(1, "slice");
      return mlir::nn::SliceOp::create(b, loc, in[0], attrs.dims.at(0),
                                       attrs.start, attrs.end, attrs.step);
    case OpKind::Select: {
      // A slice of one entry, then the dim dropped.
      expectOperands(1, "select");
      mlir::Value entry = mlir::nn::SliceOp::create(
          b, loc, in[0], attrs.dims.at(0), attrs.start, attrs.start + 1);
      return mlir::nn::ReshapeOp::create(b, loc, tensorTypeOf(output, &ctx_),
                                         entry);
    }
    case OpKind::IndexSelect:
      expectOperands(2, "index_select");
      return mlir::nn::IndexSelectOp::create(b, loc, in[0], in[1],
                                             attrs.dims.at(0));
    case OpKind::Gather:
      expectOperands(2, "gather");
      return mlir::nn::GatherOp::create(b, loc, in[0], in[1], attrs.dims.at(0));
    case OpKind::ScatterAdd:
      expectOperands(3, "scatter_add");
      return mlir::nn::ScatterAddOp::create(b, loc, in[0], in[1], in[2],
                                            attrs.dims.at(0));
    case OpKind::MaskedSelect:
      throw Error("jit::trace: masked_select cannot be compiled: its result "
                  "size depends on the mask's values (use where or "
                  "masked_fill to keep shapes static)");
    case OpKind::Cat:
      if (in.empty())
        throw Error("jit::trace: cat expects at least one operand");
      return mlir::nn::ConcatOp::create(b, loc, in, attrs.dims.at(0));
    case OpKind::Prod:
      expectOperands(1, "prod");
      return mlir::nn::ProdOp::create(b, loc, in[0], attrs.dims, attrs.keepdim);
    case OpKind::Min:
      expectOperands(1, "min");
      return mlir::nn::MinOp::create(b, loc, in[0], attrs.dims, attrs.keepdim);
    case OpKind::Any:
      expectOperands(1, "any");
      return mlir::nn::AnyOp::create(b, loc, in[0], attrs.dims, attrs.keepdim);
    case OpKind::All:
      expectOperands(1, "all");
      return mlir::nn::AllOp::create(b, loc, in[0], attrs.dims, attrs.keepdim);
    case OpKind::ArgMax:
      expectOperands(1, "argmax");
      return mlir::nn::ArgMaxOp::create(b, loc, in[0], attrs.dims.at(0),
                                        attrs.keepdim);
    case OpKind::ArgMin:
      expectOperands(1, "argmin");
      return mlir::nn::ArgMinOp::create(b, loc, in[0], attrs.dims.at(0),
                                        attrs.keepdim);
    case OpKind::Conv2d:
      if (in.size() != 2 && in.size() != 3)
        throw Error("jit::trace: conv2d expects 2 or 3 operands, got " +
                    std::to_string(in.size()));
      return mlir::nn::Conv2dOp::create(
          b, loc, in[0], in[1], in.size() == 3 ? in[2] : mlir::Value(),
          attrs.stride, attrs.padding, attrs.dilation, attrs.groups);
    case OpKind::MaxPool2d:
      expectOperands(1, "max_pool2d");
      return mlir::nn::MaxPool2dOp::create(b, loc, in[0], attrs.kernel,
                                           attrs.stride, attrs.padding,
                                           attrs.dilation, attrs.ceil_mode);
    case OpKind::AvgPool2d:
      expectOperands(1, "avg_pool2d");
      return mlir::nn::AvgPool2dOp::create(
          b, loc, in[0], attrs.kernel, attrs.stride, attrs.padding,
          attrs.ceil_mode, attrs.count_include_pad);
    case OpKind::AdaptiveAvgPool2d:
      expectOperands(1, "adaptive_avg_pool2d");
      return adaptiveAvgPool2d(in[0], attrs.shape);
    case OpKind::Alias:
      expectOperands(1, "alias");
      return in[0];
    case OpKind::Constant:
      return mlir::nn::ConstantOp::create(b, loc, denseAttrOf(output, &ctx_));
    }
    throw Error("jit::trace: op kind " +
                std::to_string(static_cast<int>(kind)) +
                " has no nn op (frontend/jit/Trace.cpp maps each OpKind)");
  }

  /// adaptive_avg_pool2d as the nn.avg_pool2d it equals when each output
  /// size divides the input size (equal windows, kernel = stride = input /
  /// output). Otherwise PyTorch's windows differ in size and may overlap,
  /// but the op stays linear and separable: out = P_h x P_w^T per plane,
  /// two nn.matmul with constant window matrices, so autodiff, fusion and
  /// lowering treat it like any other matmul.
  mlir::Value adaptiveAvgPool2d(mlir::Value input,
                                const std::vector<int64_t> &outputSize) {
    auto type = mlir::cast<mlir::RankedTensorType>(input.getType());
    int64_t height = type.getDimSize(2), width = type.getDimSize(3);
    int64_t outHeight = outputSize.at(0), outWidth = outputSize.at(1);
    mlir::Location loc = builder_.getUnknownLoc();
    if (outHeight > 0 && outWidth > 0 && height % outHeight == 0 &&
        width % outWidth == 0) {
      std::vector<int64_t> kernel = {height / outHeight, width / outWidth};
      return mlir::nn::AvgPool2dOp::create(builder_, loc, input, kernel, kernel,
                                           {0, 0}, /*ceilMode=*/false,
                                           /*countIncludePad=*/true);
    }
    mlir::Type elementType = type.getElementType();
    // [N, C, H, W] x [W, OW] -> [N, C, H, OW]: a rank-2 rhs, one matmul
    // over all rows; then [OH, H] x [N, C, H, OW], broadcast over N and C.
    mlir::Value widthPooled = mlir::nn::MatMulOp::create(
        builder_, loc, input,
        adaptiveWindows(width, outWidth, /*transposed=*/true, elementType));
    return mlir::nn::MatMulOp::create(
        builder_, loc,
        adaptiveWindows(height, outHeight, /*transposed=*/false, elementType),
        widthPooled);
  }

  /// The [output, input] matrix (or its transpose) whose row i averages
  /// adaptive pooling window i: columns [floor(i * input / output),
  /// ceil((i + 1) * input / output)) hold 1 / the window's length.
  mlir::Value adaptiveWindows(int64_t input, int64_t output, bool transposed,
                              mlir::Type elementType) {
    auto type = mlir::RankedTensorType::get(
        {transposed ? input : output, transposed ? output : input},
        elementType);
    std::vector<double> weights(input * output, 0.0);
    for (int64_t i = 0; i < output; ++i) {
      int64_t start = i * input / output;
      int64_t end = ((i + 1) * input + output - 1) / output;
      for (int64_t j = start; j < end; ++j)
        weights[transposed ? j * output + i : i * input + j] =
            1.0 / static_cast<double>(end - start);
    }
    llvm::SmallVector<mlir::Attribute> elements;
    for (double weight : weights)
      elements.push_back(builder_.getFloatAttr(elementType, weight));
    return mlir::nn::ConstantOp::create(
        builder_, builder_.getUnknownLoc(),
        mlir::DenseElementsAttr::get(type, elements));
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
