//===- frontend/jit/Compile.cpp - Trace, compile and run a function -------===//
#include "frontend/jit/Compile.h"

#include "codegen/JIT.h"
#include "frontend/Error.h"
#include "frontend/jit/RunExecutable.h"
#include "runtime/Executable.h"

#include "mlir/IR/BuiltinOps.h"

#include <iostream>
#include <mutex>
#include <optional>

namespace nnc::jit {
namespace {

/// What a specialization was compiled for.
struct Guard {
  std::vector<std::vector<int64_t>> shapes;
  std::vector<ScalarType> dtypes;
  std::string mode;

  /// Why `other` misses this guard, or nothing if it passes.
  std::optional<std::string> mismatch(const Guard &other) const {
    if (other.shapes.size() != shapes.size())
      return "number of inputs changed from " + std::to_string(shapes.size()) +
             " to " + std::to_string(other.shapes.size());
    for (size_t i = 0; i < shapes.size(); ++i) {
      if (other.dtypes[i] != dtypes[i])
        return "input " + std::to_string(i) + " dtype changed";
      if (other.shapes[i] != shapes[i])
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
  size_t numOutputs;
  std::vector<size_t> mutatedArguments;
  std::string graphText;
};

Guard guardOf(const std::vector<Tensor> &inputs, const CompileOptions &opts) {
  Guard guard;
  for (const Tensor &t : inputs) {
    guard.shapes.push_back(t.sizes());
    guard.dtypes.push_back(t.dtype());
  }
  guard.mode = opts.mode ? opts.mode() : std::string();
  return guard;
}

} // namespace

struct CompiledFunction::State {
  TensorFunction fn;
  CompileOptions options;
  std::mutex mutex;
  std::vector<std::shared_ptr<const Specialization>> specializations;
  int compilations = 0;

  std::shared_ptr<const Specialization>
  compileFor(const std::vector<Tensor> &inputs, Guard guard) {
    TracedGraph graph = trace(fn, inputs);
    auto executable = jitCompile(graph.module(), TracedGraph::kEntryName,
                                 CPUCodegenOptions());
    if (!executable)
      throw Error("jit::compile: " + options.name + ": " +
                  llvm::toString(executable.takeError()));
    ++compilations;
    return std::make_shared<const Specialization>(Specialization{
        std::move(guard), std::move(*executable), graph.captures(),
        graph.numOutputs(), graph.mutatedArguments(),
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
  std::vector<Tensor> results = runExecutable(s->executable, arguments);

  // Write back what the function updated in place (after the call, so the
  // generated code never reads a buffer it has already overwritten).
  for (size_t i = 0; i < s->mutatedArguments.size(); ++i) {
    size_t arg = s->mutatedArguments[i];
    writeBack(arguments[arg], results[s->numOutputs + i],
              "compiled " + state_->options.name + ": argument " +
                  std::to_string(arg));
  }
  results.resize(s->numOutputs);
  return results;
}

CompiledFunction compile(const TensorFunction &fn,
                         const std::vector<Tensor> &exampleInputs,
                         const CompileOptions &options) {
  auto state = std::make_shared<CompiledFunction::State>();
  state->fn = fn;
  state->options = options;
  state->specializations.push_back(
      state->compileFor(exampleInputs, guardOf(exampleInputs, options)));
  return CompiledFunction(std::move(state));
}

} // namespace nnc::jit
