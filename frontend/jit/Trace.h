//===- frontend/jit/Trace.h - Record eager code as an nn graph --*- C++ -*-===//
//
// `nnc::jit::trace` runs a function of tensors eagerly with a TraceHook
// installed and returns the `nn` graph it recorded. Like torch.jit.trace,
// control flow is recorded as taken. Tensors the function reads but did not
// receive as inputs (parameters, captured constants) become extra arguments
// of the graph, bound by reference: the compiled function reads their
// current values on every call.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_JIT_TRACE_H
#define NNC_FRONTEND_JIT_TRACE_H

#include "frontend/Tensor.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
class ModuleOp;
} // namespace mlir

namespace nnc::jit {

/// The functions nnc traces: tensors in, tensors out.
using TensorFunction =
    std::function<std::vector<Tensor>(const std::vector<Tensor> &)>;

/// A traced graph: a module holding `func.func @forward` of `nn.*` ops whose
/// arguments are the inputs followed by the captured tensors, and whose
/// results are the function's outputs followed by the final values of the
/// arguments it updated in place.
class TracedGraph {
public:
  TracedGraph(TracedGraph &&) noexcept;
  TracedGraph &operator=(TracedGraph &&) noexcept;
  ~TracedGraph();

  /// The entry function's name in module().
  static constexpr const char *kEntryName = "forward";

  mlir::ModuleOp module() const;
  mlir::MLIRContext &context() const;

  /// Number of graph arguments that are the traced function's inputs.
  size_t numInputs() const { return numInputs_; }
  /// Tensors the graph reads by reference, in argument order after inputs.
  const std::vector<Tensor> &captures() const { return captures_; }
  /// Number of results that are the traced function's outputs.
  size_t numOutputs() const { return numOutputs_; }
  /// Graph arguments (inputs, then captures) updated in place by the traced
  /// function; result numOutputs() + i holds the final value of argument
  /// mutatedArguments()[i].
  const std::vector<size_t> &mutatedArguments() const {
    return mutatedArguments_;
  }
  /// Shapes of the example inputs the graph was traced with.
  const std::vector<std::vector<int64_t>> &inputShapes() const {
    return inputShapes_;
  }

  /// The graph in MLIR's textual form.
  std::string str() const;

private:
  friend TracedGraph trace(const TensorFunction &, const std::vector<Tensor> &);
  TracedGraph();

  // MLIR types stay out of this header so that user code including
  // frontend/nnc.h needs no MLIR headers.
  struct Storage;
  std::unique_ptr<Storage> storage_;
  size_t numInputs_ = 0;
  size_t numOutputs_ = 0;
  std::vector<size_t> mutatedArguments_;
  std::vector<Tensor> captures_;
  std::vector<std::vector<int64_t>> inputShapes_;
};

/// Runs `fn(exampleInputs)` eagerly and records every op it performs.
/// Throws nnc::Error if the function uses an op that cannot be traced.
TracedGraph trace(const TensorFunction &fn,
                  const std::vector<Tensor> &exampleInputs);

} // namespace nnc::jit

#endif // NNC_FRONTEND_JIT_TRACE_H
