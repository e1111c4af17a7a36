//===- frontend/jit/SavedGraph.cpp - Traced graphs on disk ----------------===//
#include "frontend/jit/SavedGraph.h"

#include "codegen/DiagnosticCapture.h"
#include "codegen/JIT.h"
#include "frontend/Error.h"
#include "frontend/jit/Interpreter.h"
#include "frontend/jit/RunExecutable.h"
#include "frontend/serialize/Safetensors.h"
#include "ir/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <fstream>
#include <optional>
#include <set>

namespace nnc::jit {
namespace {

/// The argument attribute that names a saved graph's arguments.
constexpr llvm::StringLiteral kNameAttr = "nn.name";

std::string inputName(size_t i) { return "input" + std::to_string(i); }

void writeText(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out)
    throw Error("jit::save: cannot write '" + path + "'");
}

} // namespace

void save(const TracedGraph &graph, const std::string &mlirPath,
          const std::string &weightsPath,
          const std::vector<std::string> &captureNames) {
  // The names go on a copy: the traced graph itself stays as it was.
  mlir::OwningOpRef<mlir::ModuleOp> module(graph.module().clone());
  auto entry =
      module->lookupSymbol<mlir::func::FuncOp>(TracedGraph::kEntryName);
  mlir::Builder b(module->getContext());
  std::map<std::string, Tensor> weights;
  for (size_t i = 0; i < entry.getNumArguments(); ++i) {
    std::string name;
    if (i < graph.numInputs()) {
      name = inputName(i);
    } else {
      size_t c = i - graph.numInputs();
      name = c < captureNames.size() && !captureNames[c].empty()
                 ? captureNames[c]
                 : "constant" + std::to_string(c);
      if (!weights.emplace(name, graph.captures()[c]).second)
        throw Error("jit::save: two captured tensors are named '" + name + "'");
    }
    entry.setArgAttr(i, kNameAttr, b.getStringAttr(name));
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  writeText(mlirPath, text);
  safetensors::save_file(weights, weightsPath);
}

void save(nn::Module &model, const TensorFunction &forward,
          const Tensor &example, const std::string &mlirPath,
          const std::string &weightsPath) {
  TracedGraph graph = trace(forward, {example});
  // state_dict() hands out views of the parameters and buffers; a capture
  // is the one viewing the same elements of the same storage.
  auto sameElements = [](const Tensor &a, const Tensor &b) {
    return a.is_same_storage(b) && a.storage_offset() == b.storage_offset() &&
           a.sizes() == b.sizes() && a.strides() == b.strides();
  };
  OrderedDict<std::string, Tensor> state = model.state_dict();
  std::vector<std::string> captureNames;
  for (const Tensor &t : graph.captures()) {
    std::string name;
    for (const auto &item : state)
      if (sameElements(item.value(), t))
        name = item.key();
    captureNames.push_back(name);
  }
  save(graph, mlirPath, weightsPath, captureNames);
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

struct SavedGraph::State {
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp entry;
  std::vector<std::string> inputNames;
  /// One per entry argument: the bound weight, or undefined for an input.
  std::vector<Tensor> bound;
  std::optional<runtime::Executable> executable;
};

namespace {

/// The function to run: `name`, or the only public function.
mlir::func::FuncOp findEntry(mlir::ModuleOp module, const std::string &name,
                             const std::string &path) {
  if (!name.empty()) {
    auto fn = module.lookupSymbol<mlir::func::FuncOp>(name);
    if (!fn)
      throw Error(path + ": no function @" + name);
    return fn;
  }
  mlir::func::FuncOp found;
  for (auto fn : module.getOps<mlir::func::FuncOp>()) {
    if (!fn.isPublic() || fn.isExternal())
      continue;
    if (found)
      throw Error(path + ": several public functions (@" +
                  found.getSymName().str() + ", @" + fn.getSymName().str() +
                  "); name the one to run");
    found = fn;
  }
  if (!found)
    throw Error(path + ": no public function to run");
  return found;
}

std::string typeString(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

} // namespace

SavedGraph SavedGraph::load(const std::string &mlirPath,
                            const std::string &weightsPath,
                            const std::string &entryName) {
  auto state = std::make_unique<State>();
  state->context.loadDialect<mlir::func::FuncDialect, mlir::nn::NNDialect>();
  {
    DiagnosticCapture diagnostics(&state->context);
    state->module =
        mlir::parseSourceFile<mlir::ModuleOp>(mlirPath, &state->context);
    if (!state->module)
      throw Error(llvm::toString(
          diagnostics.makeError("cannot load '" + mlirPath + "'")));
  }
  state->entry = findEntry(*state->module, entryName, mlirPath);

  std::map<std::string, Tensor> weights;
  if (!weightsPath.empty())
    weights = safetensors::load_file(weightsPath);
  std::set<std::string> used;
  mlir::func::FuncOp entry = state->entry;
  for (size_t i = 0; i < entry.getNumArguments(); ++i) {
    auto name = entry.getArgAttrOfType<mlir::StringAttr>(i, kNameAttr);
    std::string argName = name ? name.str() : inputName(i);
    auto it = weights.find(argName);
    if (it == weights.end()) {
      state->inputNames.push_back(argName);
      state->bound.emplace_back();
      continue;
    }
    mlir::Type type = entry.getArgumentTypes()[i];
    auto ranked = llvm::cast<mlir::RankedTensorType>(type);
    if (IntList(ranked.getShape()) != it->second.sizes())
      throw Error(weightsPath + ": tensor '" + argName + "' has shape " +
                  shapeToString(it->second.sizes()) + " but argument " +
                  std::to_string(i) + " of @" + entry.getSymName().str() +
                  " in " + mlirPath + " is " + typeString(type));
    state->bound.push_back(it->second);
    used.insert(argName);
  }
  std::string unexpected;
  for (const auto &[name, t] : weights)
    if (!used.count(name))
      unexpected += (unexpected.empty() ? "'" : ", '") + name + "'";
  if (!unexpected.empty())
    throw Error(weightsPath + ": tensor(s) " + unexpected +
                " are not arguments of @" + entry.getSymName().str() + " in " +
                mlirPath);
  return SavedGraph(std::move(state));
}

SavedGraph::SavedGraph(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
SavedGraph::SavedGraph(SavedGraph &&) noexcept = default;
SavedGraph &SavedGraph::operator=(SavedGraph &&) noexcept = default;
SavedGraph::~SavedGraph() = default;

const std::vector<std::string> &SavedGraph::input_names() const {
  return state_->inputNames;
}

std::vector<Tensor> SavedGraph::run(const std::vector<Tensor> &inputs,
                                    ExecutionMode mode) {
  if (inputs.size() != state_->inputNames.size())
    throw Error("SavedGraph::run: the graph takes " +
                std::to_string(state_->inputNames.size()) + " inputs, got " +
                std::to_string(inputs.size()));
  std::vector<Tensor> arguments;
  size_t next = 0;
  for (const Tensor &bound : state_->bound)
    arguments.push_back(bound.defined() ? bound : inputs[next++]);
  if (mode == ExecutionMode::Eager)
    return interpret(state_->entry, arguments);
  if (!state_->executable) {
    auto executable = jitCompile(*state_->module, state_->entry.getSymName(),
                                 CPUCodegenOptions());
    if (!executable)
      throw Error("SavedGraph::run: " + llvm::toString(executable.takeError()));
    state_->executable.emplace(std::move(*executable));
  }
  return runExecutable(*state_->executable, arguments);
}

} // namespace nnc::jit
