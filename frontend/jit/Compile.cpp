//===- frontend/jit/Compile.cpp - Trace, compile and run a function -------===//
#include "frontend/jit/Compile.h"

#include "codegen/JIT.h"
#include "frontend/Error.h"
#include "runtime/Executable.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstring>
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
  std::vector<std::vector<int64_t>> resultShapes;
  std::string graphText;
};

runtime::ElementType runtimeTypeOf(ScalarType type) {
  switch (type) {
  case ScalarType::Float32:
    return runtime::ElementType::F32;
  case ScalarType::Int64:
    return runtime::ElementType::I64;
  }
  throw Error("jit: unsupported dtype");
}

/// The runtime's view of a contiguous tensor.
runtime::BufferView bufferOf(const Tensor &t) {
  runtime::BufferView view;
  view.data = static_cast<char *>(t.unsafeGetTensorImpl()->storage->data()) +
              t.storage_offset() * elementSize(t.dtype());
  view.shape = t.sizes();
  view.strides = t.strides();
  view.type = runtimeTypeOf(t.dtype());
  return view;
}

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
    std::vector<std::vector<int64_t>> resultShapes;
    for (const runtime::ArgSpec &spec : executable->signature().outputs)
      resultShapes.push_back(spec.shape);
    ++compilations;
    return std::make_shared<const Specialization>(Specialization{
        std::move(guard), std::move(*executable), graph.captures(),
        graph.numOutputs(), graph.mutatedArguments(), std::move(resultShapes),
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

  // The generated code takes dense row-major buffers: views are copied.
  std::vector<Tensor> arguments;
  for (const Tensor &t : inputs)
    arguments.push_back(t.contiguous());
  for (const Tensor &t : s->captures)
    arguments.push_back(t.contiguous());

  std::vector<runtime::BufferView> inViews, outViews;
  for (const Tensor &t : arguments)
    inViews.push_back(bufferOf(t));
  std::vector<Tensor> results;
  for (const auto &shape : s->resultShapes) {
    results.push_back(empty(shape)); // float32: every result op is float
    outViews.push_back(bufferOf(results.back()));
  }
  s->executable.run(inViews, outViews);

  // Write back what the function updated in place (after the call, so the
  // generated code never reads a buffer it has already overwritten).
  for (size_t i = 0; i < s->mutatedArguments.size(); ++i) {
    size_t arg = s->mutatedArguments[i];
    const Tensor &target =
        arg < inputs.size() ? inputs[arg] : s->captures[arg - inputs.size()];
    const Tensor &value = results[s->numOutputs + i];
    if (!target.is_contiguous())
      throw Error("compiled " + state_->options.name + ": argument " +
                  std::to_string(arg) +
                  " was updated in place but is not contiguous");
    std::memcpy(bufferOf(target).data, bufferOf(value).data,
                value.numel() * elementSize(value.dtype()));
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
