//===- frontend/jit/Compile.cpp - Trace, compile and run a function -------===//
#include "frontend/jit/Compile.h"

#include "codegen/JIT.h"
#include "frontend/Error.h"
#include "runtime/Executable.h"

#include "mlir/IR/BuiltinOps.h"

#include <sstream>

namespace nnc::jit {

struct CompiledFunction::State {
  runtime::Executable executable;
  std::vector<std::vector<int64_t>> inputShapes;
  std::vector<Tensor> captures;
  std::vector<std::vector<int64_t>> outputShapes;
  std::string graphText;
};

CompiledFunction::CompiledFunction(std::shared_ptr<const State> state)
    : state_(std::move(state)) {}

const std::string &CompiledFunction::graphText() const {
  return state_->graphText;
}

static std::string shapeString(const std::vector<int64_t> &shape) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

/// The runtime's view of a contiguous float32 tensor.
static runtime::BufferView bufferOf(const Tensor &t) {
  runtime::BufferView view;
  view.data = const_cast<float *>(t.data_ptr<float>());
  view.shape = t.sizes();
  view.strides = t.strides();
  view.type = runtime::ElementType::F32;
  return view;
}

std::vector<Tensor>
CompiledFunction::operator()(const std::vector<Tensor> &inputs) const {
  const State &s = *state_;
  if (inputs.size() != s.inputShapes.size())
    throw Error("compiled function: expected " +
                std::to_string(s.inputShapes.size()) + " inputs, got " +
                std::to_string(inputs.size()));
  // The generated code takes dense row-major buffers: views are copied.
  std::vector<Tensor> dense;
  dense.reserve(inputs.size() + s.captures.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dtype() != kFloat32)
      throw Error("compiled function: input " + std::to_string(i) +
                  ": expected float32");
    if (inputs[i].sizes() != s.inputShapes[i])
      throw Error("compiled function: input " + std::to_string(i) +
                  " has shape " + shapeString(inputs[i].sizes()) +
                  " but the function was compiled for " +
                  shapeString(s.inputShapes[i]));
    dense.push_back(inputs[i].contiguous());
  }
  for (const Tensor &capture : s.captures)
    dense.push_back(capture.contiguous());

  std::vector<runtime::BufferView> inViews, outViews;
  for (const Tensor &t : dense)
    inViews.push_back(bufferOf(t));
  std::vector<Tensor> outputs;
  for (const auto &shape : s.outputShapes) {
    outputs.push_back(empty(shape));
    outViews.push_back(bufferOf(outputs.back()));
  }
  s.executable.run(inViews, outViews);
  return outputs;
}

CompiledFunction compile(const TensorFunction &fn,
                         const std::vector<Tensor> &exampleInputs,
                         const CompileOptions &options) {
  TracedGraph graph = trace(fn, exampleInputs);
  std::string text = options.keepGraphText ? graph.str() : std::string();

  auto executable = jitCompile(graph.module(), TracedGraph::kEntryName,
                               CPUCodegenOptions());
  if (!executable)
    throw Error("jit::compile: " + llvm::toString(executable.takeError()));

  std::vector<std::vector<int64_t>> outputShapes;
  for (const runtime::ArgSpec &spec : executable->signature().outputs)
    outputShapes.push_back(spec.shape);

  auto state = std::make_shared<CompiledFunction::State>(
      CompiledFunction::State{std::move(*executable), graph.inputShapes(),
                              graph.captures(), std::move(outputShapes),
                              std::move(text)});
  return CompiledFunction(std::move(state));
}

} // namespace nnc::jit
