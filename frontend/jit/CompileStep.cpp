//===- frontend/jit/CompileStep.cpp - A whole training step, compiled -----===//
//
// The step is assembled from two traces in one module:
//   @forward(input, target, captures...) -> loss, new values of the
//       buffers it updated (BatchNorm's running stats)   (traced forward+loss)
//   @forward_grad(...) -> (those, d loss / d params...)  (nn-autodiff)
//   @update(grads..., captures...) -> new values of the tensors it updated
//                                                        (traced step())
//   @step(input, target, tensors...) -> (loss, new values...) holds the
// bodies of both, so forward, backward and update fuse together. Each new
// value is donated to its tensor's argument (nn.donated_argument): the
// executable updates parameters, buffers and optimizer state in their own
// memory.
//
//===----------------------------------------------------------------------===//
#include "frontend/jit/CompileStep.h"

#include "codegen/DiagnosticCapture.h"
#include "codegen/JIT.h"
#include "codegen/Passes.h"
#include "frontend/Autocast.h"
#include "frontend/Error.h"
#include "frontend/jit/DynamicBatch.h"
#include "frontend/jit/ElementTypes.h"
#include "frontend/jit/RunExecutable.h"
#include "passes/Autodiff.h"
#include "runtime/Executable.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <iostream>
#include <mutex>
#include <unordered_map>

namespace nnc::jit {
namespace {

/// What a compiled step is guarded by: the batch's shapes (with a dynamic
/// batch, all but the batch size) and dtypes, and the mode.
std::string signatureOf(const Tensor &input, const Tensor &target,
                        const CompileOptions &options) {
  std::vector<bool> batched = options.dynamicBatch
                                  ? batchedInputs({input, target})
                                  : std::vector<bool>{false, false};
  auto shape = [](const Tensor &t, bool dynamic) {
    IntList sizes = t.sizes();
    if (dynamic)
      sizes[0] = -1; // any batch size
    return shapeToString(sizes);
  };
  std::string key = shape(input, batched[0]) + toString(input.dtype()) +
                    shape(target, batched[1]) + toString(target.dtype());
  return key + "|" + (options.mode ? options.mode() : std::string());
}

const void *idOf(const Tensor &t) { return t.unsafeGetTensorImpl(); }

/// Clones the body of single-block `fn` at `b`'s insertion point with its
/// arguments replaced by `operands`; returns the values it returns. (The
/// step is assembled from whole functions, so this is all the inlining it
/// needs.)
llvm::SmallVector<mlir::Value> inlineBody(mlir::OpBuilder &b,
                                          mlir::func::FuncOp fn,
                                          mlir::ValueRange operands) {
  mlir::IRMapping mapping;
  mlir::Block &body = fn.getBody().front();
  mapping.map(body.getArguments(), operands);
  for (mlir::Operation &op : body.without_terminator())
    b.clone(op, mapping);
  llvm::SmallVector<mlir::Value> results;
  for (mlir::Value v : body.getTerminator()->getOperands())
    results.push_back(mapping.lookupOrDefault(v));
  return results;
}

} // namespace

/// One compiled version of the step.
struct CompiledStepProgram {
  std::string guard;
  runtime::Executable executable;
  std::vector<Tensor> arguments; // after input and target, in order
  std::string graphText;
};

namespace {

/// Traces the step for (input, target) and compiles it.
std::shared_ptr<const CompiledStepProgram>
buildStep(const TrainingStepSpec &spec, const Tensor &input,
          const Tensor &target, const CompileOptions &options,
          const autocast::State &autocastState) {
  // 1. Forward + loss, under the autocast settings compile_step was called
  // under (the optimizer's update is traced with autocast off, as PyTorch's
  // AMP recipe steps the optimizer outside autocast).
  AutocastGuard forwardAutocast(autocastState);
  TensorFunction lossOf = [&](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{spec.loss(in[0], in[1])};
  };
  TracedGraph forward = trace(lossOf, {input, target});
  // A dynamic batch: traced again one example larger, the dims that differ
  // become dynamic (DynamicBatch.h); autodiff and the update follow them.
  if (options.dynamicBatch)
    generalizeBatch(
        forward,
        trace(lossOf, withLargerBatch({input, target},
                                      batchedInputs({input, target}))));
  if (forward.numOutputs() != 1)
    throw Error("compile_step: the loss function must return one tensor");
  // The forward may update captured buffers in place (BatchNorm's running
  // statistics): their new values follow the loss among its results.
  const std::vector<size_t> &forwardMutated = forward.mutatedArguments();
  for (size_t arg : forwardMutated)
    if (arg < forward.numInputs())
      throw Error("compile_step: the loss function must not update its "
                  "input or target in place");

  std::unordered_map<const void *, size_t> parameterIndex;
  for (size_t i = 0; i < spec.parameters.size(); ++i)
    parameterIndex[idOf(spec.parameters[i])] = i;

  // 2. Backward: gradients with respect to the captured parameters.
  std::vector<unsigned> wrtArgs;
  std::vector<size_t> wrtParams;
  for (size_t c = 0; c < forward.captures().size(); ++c) {
    auto it = parameterIndex.find(idOf(forward.captures()[c]));
    if (it == parameterIndex.end())
      continue;
    wrtArgs.push_back(static_cast<unsigned>(forward.numInputs() + c));
    wrtParams.push_back(it->second);
  }
  mlir::MLIRContext &ctx = forward.context();
  mlir::ModuleOp module = forward.module();
  auto forwardFn =
      module.lookupSymbol<mlir::func::FuncOp>(TracedGraph::kEntryName);
  mlir::FailureOr<mlir::func::FuncOp> gradFn;
  {
    DiagnosticCapture diagnostics(&ctx);
    gradFn = nnc::buildGradientFunction(forwardFn, wrtArgs);
    if (mlir::failed(gradFn))
      throw Error(llvm::toString(diagnostics.makeError(
          "compile_step: cannot differentiate the loss")));
  }

  // 3. The optimizer's update, traced with placeholder gradients. The
  //    optimizer's state must exist before tracing (so it is captured, not
  //    created inside the graph); the tracer undoes step()'s in-place
  //    updates when the trace ends.
  AutocastGuard updateAutocast(autocastState.dtype, /*enabled=*/false);
  std::vector<Tensor> gradients;
  for (const Tensor &p : spec.parameters)
    gradients.push_back(zeros(p.sizes()));
  spec.optimizerState();
  TracedGraph update = trace(
      [&](const std::vector<Tensor> &in) {
        spec.applyGradients(in);
        return std::vector<Tensor>{};
      },
      gradients);
  std::string updateText = update.str();
  std::vector<Tensor> updateCaptures = update.captures();
  std::vector<size_t> updateMutated = update.mutatedArguments();
  // Each trace owns its MLIRContext: the update moves into the forward's
  // context by printing and re-parsing (compile time only, and small).
  mlir::OwningOpRef<mlir::ModuleOp> updateModule =
      mlir::parseSourceString<mlir::ModuleOp>(updateText, &ctx);
  if (!updateModule)
    throw Error("compile_step: internal error: cannot re-read the update");
  auto updateFn =
      updateModule->lookupSymbol<mlir::func::FuncOp>(TracedGraph::kEntryName);
  updateFn->remove();
  updateFn.setName("update");
  module.push_back(updateFn);

  // 4. @step: every tensor either graph reads becomes one argument.
  std::vector<Tensor> arguments;
  std::unordered_map<const void *, size_t> argumentIndex;
  auto argumentFor = [&](const Tensor &t) {
    auto [it, inserted] = argumentIndex.emplace(idOf(t), arguments.size());
    if (inserted)
      arguments.push_back(t);
    return it->second;
  };
  for (const Tensor &t : forward.captures())
    argumentFor(t);
  for (const Tensor &t : updateCaptures)
    argumentFor(t);

  mlir::OpBuilder b(&ctx);
  mlir::Location loc = b.getUnknownLoc();
  b.setInsertionPointToEnd(module.getBody());
  llvm::SmallVector<mlir::Type> argTypes{forwardFn.getArgumentTypes()[0],
                                         forwardFn.getArgumentTypes()[1]};
  for (const Tensor &t : arguments)
    argTypes.push_back(tensorTypeOf(t, &ctx));
  auto stepFn = mlir::func::FuncOp::create(b, loc, "step",
                                           b.getFunctionType(argTypes, {}));
  mlir::Block *body = stepFn.addEntryBlock();
  b.setInsertionPointToEnd(body);
  auto stepArg = [&](const Tensor &t) {
    return body->getArgument(2 + argumentIndex.at(idOf(t)));
  };

  llvm::SmallVector<mlir::Value> gradOperands{body->getArgument(0),
                                              body->getArgument(1)};
  for (const Tensor &t : forward.captures())
    gradOperands.push_back(stepArg(t));
  llvm::SmallVector<mlir::Value> gradResults =
      inlineBody(b, *gradFn, gradOperands);
  mlir::Value loss = gradResults[0];

  // Gradients in parameter order. PyTorch skips a parameter whose grad is
  // None; a compiled step has one fixed update, so such a parameter is an
  // error rather than a silently different update.
  llvm::SmallVector<mlir::Value> updateOperands(spec.parameters.size());
  for (size_t k = 0; k < wrtParams.size(); ++k)
    updateOperands[wrtParams[k]] = gradResults[1 + forwardMutated.size() + k];
  for (size_t i = 0; i < spec.parameters.size(); ++i)
    if (!updateOperands[i])
      throw Error("compile_step: parameter " + std::to_string(i) +
                  " does not contribute to the loss; compiled steps need "
                  "every optimized parameter to be used");
  for (const Tensor &t : updateCaptures)
    updateOperands.push_back(stepArg(t));
  llvm::SmallVector<mlir::Value> updateResults =
      inlineBody(b, updateFn, updateOperands);

  // Each updated tensor's new value is donated to its argument.
  llvm::SmallVector<mlir::Value> results{loss};
  llvm::SmallVector<size_t> donatedTo;
  for (size_t k = 0; k < forwardMutated.size(); ++k) {
    results.push_back(gradResults[1 + k]);
    donatedTo.push_back(
        2 + argumentIndex.at(idOf(
                forward.captures()[forwardMutated[k] - forward.numInputs()])));
  }
  for (size_t k = 0; k < updateMutated.size(); ++k) {
    size_t arg = updateMutated[k];
    if (arg < spec.parameters.size())
      throw Error("compile_step: the optimizer updated a gradient in place");
    results.push_back(updateResults[k]);
    donatedTo.push_back(2 + argumentIndex.at(idOf(
                                updateCaptures[arg - spec.parameters.size()])));
  }
  mlir::func::ReturnOp::create(b, loc, results);
  stepFn.setFunctionType(
      b.getFunctionType(argTypes, mlir::ValueRange(results).getTypes()));
  for (size_t k = 0; k < donatedTo.size(); ++k)
    stepFn.setResultAttr(1 + k, kDonatedArgumentAttr,
                         b.getI64IntegerAttr(donatedTo[k]));
  // The pieces are now inside @step.
  gradFn->erase();
  updateFn.erase();
  forwardFn.erase();
  {
    DiagnosticCapture diagnostics(&ctx);
    if (mlir::failed(mlir::verify(module)))
      throw Error(llvm::toString(diagnostics.makeError(
          "compile_step: internal error assembling the step")));
  }

  std::string graphText;
  if (options.keepGraphText) {
    llvm::raw_string_ostream os(graphText);
    module.print(os);
  }
  auto executable = jitCompile(module, "step", CPUCodegenOptions());
  if (!executable)
    throw Error("compile_step: " + llvm::toString(executable.takeError()));
  return std::make_shared<const CompiledStepProgram>(CompiledStepProgram{
      signatureOf(input, target, options), std::move(*executable),
      std::move(arguments), std::move(graphText)});
}

} // namespace

struct CompiledStep::State {
  TrainingStepSpec spec;
  CompileOptions options;
  /// The autocast settings compile_step was called under (see buildStep).
  autocast::State autocast;
  std::mutex mutex;
  std::vector<std::shared_ptr<const CompiledStepProgram>> programs;
  int compilations = 0;

  std::shared_ptr<const CompiledStepProgram> programFor(const Tensor &input,
                                                        const Tensor &target) {
    std::string guard = signatureOf(input, target, options);
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto &p : programs)
      if (p->guard == guard)
        return p;
    if (compilations > options.recompileWarningLimit)
      std::cerr << "nnc: warning: " << options.name << " recompiled "
                << compilations << " times (limit "
                << options.recompileWarningLimit << "): batch signature "
                << programs.back()->guard << " -> " << guard << "\n";
    programs.push_back(buildStep(spec, input, target, options, autocast));
    ++compilations;
    return programs.back();
  }
};

CompiledStep::CompiledStep(std::shared_ptr<State> state)
    : state_(std::move(state)) {}

const std::string &CompiledStep::graphText() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->programs.back()->graphText;
}

const runtime::Signature &CompiledStep::signature() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->programs.back()->executable.signature();
}

int CompiledStep::numCompilations() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->compilations;
}

Tensor CompiledStep::operator()(const Tensor &input,
                                const Tensor &target) const {
  std::shared_ptr<const CompiledStepProgram> p =
      state_->programFor(input, target);
  std::vector<Tensor> arguments{input, target};
  arguments.insert(arguments.end(), p->arguments.begin(), p->arguments.end());
  // Parameters and optimizer state are donated: the call updates them in
  // their own memory, and only the loss comes back.
  return runExecutable(p->executable, arguments)[0];
}

std::string trainingMode(bool training, const optim::Optimizer &optimizer) {
  // The update reads each group's lr tensor, so a new lr needs no retrace;
  // reading the tensors brings them up to date with options().set_lr().
  for (const optim::OptimizerParamGroup &group : optimizer.param_groups())
    group.lr_tensor();
  return std::string(training ? "train " : "eval ") +
         optimizer.traced_hyperparameters();
}

CompiledStep compileTrainingStep(const TrainingStepSpec &spec,
                                 const Tensor &exampleInput,
                                 const Tensor &exampleTarget,
                                 const CompileOptions &options) {
  auto state = std::make_shared<CompiledStep::State>();
  state->spec = spec;
  state->options = options;
  state->autocast = autocast::current_state();
  state->programFor(exampleInput, exampleTarget);
  return CompiledStep(std::move(state));
}

} // namespace nnc::jit
