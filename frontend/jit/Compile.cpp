//===- frontend/jit/Compile.cpp - Trace, compile and run a function -------===//
#include "frontend/jit/Compile.h"

#include "codegen/JIT.h"
#include "codegen/Passes.h"
#include "frontend/Autocast.h"
#include "frontend/Error.h"
#include "frontend/jit/DynamicBatch.h"
#include "frontend/jit/ElementTypes.h"
#include "frontend/jit/RunExecutable.h"
#include "ir/NNOps.h"
#include "runtime/Executable.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/BitVector.h"

#include <algorithm>
#include <iostream>
#include <mutex>
#include <numeric>
#include <optional>

namespace nnc::jit {
namespace {

/// What a specialization was compiled for.
struct Guard {
  std::vector<std::vector<int64_t>> shapes;
  std::vector<ScalarType> dtypes;
  /// Inputs whose leading dim is the (dynamic) batch: any size passes.
  std::vector<bool> batched;
  std::string mode;

  /// Whether input `i` of `other` has the shape this guard expects.
  bool shapeMatches(const Guard &other, size_t i) const {
    if (!batched[i] || other.shapes[i].empty() || shapes[i].empty())
      return other.shapes[i] == shapes[i];
    return other.shapes[i].size() == shapes[i].size() &&
           std::equal(shapes[i].begin() + 1, shapes[i].end(),
                      other.shapes[i].begin() + 1);
  }

  /// Why `other` misses this guard, or nothing if it passes.
  std::optional<std::string> mismatch(const Guard &other) const {
    if (other.shapes.size() != shapes.size())
      return "number of inputs changed from " + std::to_string(shapes.size()) +
             " to " + std::to_string(other.shapes.size());
    for (size_t i = 0; i < shapes.size(); ++i) {
      if (other.dtypes[i] != dtypes[i])
        return "input " + std::to_string(i) + " dtype changed";
      if (!shapeMatches(other, i))
        return "input " + std::to_string(i) + " shape changed from " +
               shapeToString(shapes[i]) + " to " +
               shapeToString(other.shapes[i]);
    }
    if (other.mode != mode)
      return "mode changed from '" + mode + "' to '" + other.mode + "'";
    return std::nullopt;
  }
};

/// One traced and compiled version of the function.
struct Specialization {
  Guard guard;
  runtime::Executable executable;
  std::vector<Tensor> captures;
  std::string graphText;
};

Guard guardOf(const std::vector<Tensor> &inputs, const CompileOptions &opts) {
  Guard guard;
  for (const Tensor &t : inputs) {
    guard.shapes.push_back(t.sizes());
    guard.dtypes.push_back(t.dtype());
  }
  guard.batched = opts.dynamicBatch ? batchedInputs(inputs)
                                    : std::vector<bool>(inputs.size(), false);
  guard.mode = opts.mode ? opts.mode() : std::string();
  return guard;
}

/// The graph's final values of arguments the traced function updated in
/// place are donated to those arguments: the executable updates them in
/// their own memory, as the eager function did. `argumentIndex` maps a
/// traced argument to its index in the entry function now.
void donateMutatedArguments(TracedGraph &graph,
                            llvm::ArrayRef<int64_t> argumentIndex) {
  auto entry =
      graph.module().lookupSymbol<mlir::func::FuncOp>(TracedGraph::kEntryName);
  mlir::Builder b(entry.getContext());
  for (auto [i, argument] : llvm::enumerate(graph.mutatedArguments()))
    entry.setResultAttr(graph.numOutputs() + i, kDonatedArgumentAttr,
                        b.getI64IntegerAttr(argumentIndex[argument]));
}

/// The entry function's arguments, the traced function's inputs then its
/// captures (all of them, or with `freeze` those it updates in place; the
/// others become constants). Returns the captures still passed, and fills
/// `argumentIndex` with each traced argument's index in the entry (-1 for a
/// frozen one).
std::vector<Tensor>
bindCaptures(TracedGraph &graph, bool freeze,
             llvm::SmallVectorImpl<int64_t> &argumentIndex) {
  auto entry =
      graph.module().lookupSymbol<mlir::func::FuncOp>(TracedGraph::kEntryName);
  size_t numArguments = entry.getNumArguments();
  argumentIndex.assign(numArguments, 0);
  std::iota(argumentIndex.begin(), argumentIndex.end(), 0);
  if (!freeze)
    return graph.captures();
  const std::vector<size_t> &mutated = graph.mutatedArguments();
  mlir::OpBuilder b = mlir::OpBuilder::atBlockBegin(&entry.getBody().front());
  llvm::BitVector frozen(numArguments);
  std::vector<Tensor> kept;
  for (auto [j, capture] : llvm::enumerate(graph.captures())) {
    size_t argument = graph.numInputs() + j;
    if (llvm::is_contained(mutated, argument)) {
      kept.push_back(capture);
      continue;
    }
    mlir::Value constant = mlir::nn::ConstantOp::create(
        b, entry.getLoc(), denseAttrOf(capture, entry.getContext()));
    entry.getArgument(argument).replaceAllUsesWith(constant);
    frozen.set(argument);
  }
  if (mlir::failed(entry.eraseArguments(frozen)))
    throw Error("jit::compile: could not fold the frozen captures");
  for (size_t i = 0, next = 0; i < numArguments; ++i)
    argumentIndex[i] = frozen.test(i) ? -1 : static_cast<int64_t>(next++);
  return kept;
}

} // namespace

struct CompiledFunction::State {
  TensorFunction fn;
  CompileOptions options;
  /// The autocast settings compile() was called under: every (re)trace
  /// runs under them, whatever the caller's settings then.
  autocast::State autocast;
  std::mutex mutex;
  std::vector<std::shared_ptr<const Specialization>> specializations;
  int compilations = 0;

  std::shared_ptr<const Specialization>
  compileFor(const std::vector<Tensor> &inputs, Guard guard) {
    AutocastGuard tracedAutocast(autocast);
    TracedGraph graph = trace(fn, inputs);
    if (options.dynamicBatch)
      generalizeBatch(
          graph, trace(fn, withLargerBatch(inputs, batchedInputs(inputs))));
    llvm::SmallVector<int64_t> argumentIndex;
    std::vector<Tensor> captures =
        bindCaptures(graph, options.freeze, argumentIndex);
    donateMutatedArguments(graph, argumentIndex);
    auto executable = jitCompile(graph.module(), TracedGraph::kEntryName,
                                 CPUCodegenOptions());
    if (!executable)
      throw Error("jit::compile: " + options.name + ": " +
                  llvm::toString(executable.takeError()));
    ++compilations;
    return std::make_shared<const Specialization>(Specialization{
        std::move(guard), std::move(*executable), std::move(captures),
        options.keepGraphText ? graph.str() : std::string()});
  }

  /// The specialization for `inputs`, compiling one on a guard miss.
  std::shared_ptr<const Specialization>
  specializationFor(const std::vector<Tensor> &inputs) {
    Guard guard = guardOf(inputs, options);
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto &s : specializations)
      if (!s->guard.mismatch(guard))
        return s;
    if (!specializations.empty()) {
      int recompiles = compilations; // this compilation is one more
      if (recompiles > options.recompileWarningLimit)
        std::cerr << "nnc: warning: " << options.name << " recompiled "
                  << recompiles << " times (limit "
                  << options.recompileWarningLimit
                  << "): " << *specializations.back()->guard.mismatch(guard)
                  << "\n";
    }
    specializations.push_back(compileFor(inputs, std::move(guard)));
    return specializations.back();
  }
};

CompiledFunction::CompiledFunction(std::shared_ptr<State> state)
    : state_(std::move(state)) {}

const std::string &CompiledFunction::graphText() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->specializations.back()->graphText;
}

int CompiledFunction::numCompilations() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->compilations;
}

std::vector<Tensor>
CompiledFunction::operator()(const std::vector<Tensor> &inputs) const {
  std::shared_ptr<const Specialization> s = state_->specializationFor(inputs);

  std::vector<Tensor> arguments = inputs;
  arguments.insert(arguments.end(), s->captures.begin(), s->captures.end());
  // What the function updates in place is donated: the call writes it in
  // its own memory and returns only the outputs.
  return runExecutable(s->executable, arguments);
}

CompiledFunction compile(const TensorFunction &fn,
                         const std::vector<Tensor> &exampleInputs,
                         const CompileOptions &options) {
  auto state = std::make_shared<CompiledFunction::State>();
  state->fn = fn;
  state->options = options;
  state->autocast = autocast::current_state();
  state->specializations.push_back(
      state->compileFor(exampleInputs, guardOf(exampleInputs, options)));
  return CompiledFunction(std::move(state));
}

} // namespace nnc::jit
