//===- frontend/jit/SavedGraph.h - Traced graphs on disk --------*- C++ -*-===//
//
// A traced graph saves as two files: `.mlir`, the `nn` module whose entry
// function's arguments are named (`{nn.name = "fc1.weight"}`), and
// `.safetensors`, the captured tensors (parameters, buffers, constants)
// under those names. `SavedGraph::load` reads both back and runs the graph
// compiled, or op by op on the eager kernels (the reference interpreter);
// `nnc run` is the command-line form.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_JIT_SAVEDGRAPH_H
#define NNC_FRONTEND_JIT_SAVEDGRAPH_H

#include "frontend/jit/Trace.h"
#include "frontend/nn/Module.h"

#include <memory>
#include <string>
#include <vector>

namespace nnc::jit {

/// Writes `graph` to `mlirPath` and its captured tensors' current values to
/// `weightsPath`. Inputs are named "input0", "input1", ...; capture i is
/// named `captureNames[i]` where given (non-empty), else "constant<i>".
void save(const TracedGraph &graph, const std::string &mlirPath,
          const std::string &weightsPath,
          const std::vector<std::string> &captureNames = {});

/// Traces `model.forward(example)` and saves it, naming the captured
/// parameters and buffers as model.state_dict() does.
void save(nn::Module &model, const TensorFunction &forward,
          const Tensor &example, const std::string &mlirPath,
          const std::string &weightsPath);
template <class Model, class = std::enable_if_t<nn::isModuleHolder<Model>>>
void save(Model model, const Tensor &example, const std::string &mlirPath,
          const std::string &weightsPath) {
  save(
      *model,
      [model](const std::vector<Tensor> &in) mutable {
        return std::vector<Tensor>{model(in.at(0))};
      },
      example, mlirPath, weightsPath);
}

/// How a loaded graph runs.
enum class ExecutionMode {
  Eager,    ///< op by op on the eager kernels (jit::interpret)
  Compiled, ///< through the nnc-cpu pipeline and the JIT
};

/// A graph loaded from disk with its weights bound.
class SavedGraph {
public:
  /// Reads `mlirPath` and binds every named argument found in
  /// `weightsPath` (which may be empty when the graph captures nothing).
  /// `entry` names the function to run; empty means the only public one.
  /// Throws nnc::Error naming the file and what is wrong: a parse error, a
  /// missing or ill-shaped weight, or a weight the graph does not use.
  static SavedGraph load(const std::string &mlirPath,
                         const std::string &weightsPath = "",
                         const std::string &entry = "");

  SavedGraph(SavedGraph &&) noexcept;
  SavedGraph &operator=(SavedGraph &&) noexcept;
  ~SavedGraph();

  /// Names of the arguments the caller provides, in order.
  const std::vector<std::string> &input_names() const;
  /// Runs the graph on `inputs` (one per input name). Compiled mode
  /// compiles on first use.
  std::vector<Tensor> run(const std::vector<Tensor> &inputs,
                          ExecutionMode mode = ExecutionMode::Compiled);

private:
  struct State;
  explicit SavedGraph(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

} // namespace nnc::jit

#endif // NNC_FRONTEND_JIT_SAVEDGRAPH_H
