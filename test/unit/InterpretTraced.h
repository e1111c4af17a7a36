//===- test/unit/InterpretTraced.h - Trace, then interpret ------*- C++ -*-===//
//
// The reference interpreter's result for a traced function: the tests that
// compare compiled code with eager compare the interpreted graph too.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_TEST_UNIT_INTERPRETTRACED_H
#define NNC_TEST_UNIT_INTERPRETTRACED_H

#include "frontend/jit/Interpreter.h"
#include "frontend/jit/Trace.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <vector>

namespace nnc::testing {

/// Traces `fn` on `inputs` and runs the graph op by op (jit::interpret).
inline std::vector<Tensor> interpretTraced(const jit::TensorFunction &fn,
                                           const std::vector<Tensor> &inputs) {
  jit::TracedGraph graph = jit::trace(fn, inputs);
  std::vector<Tensor> arguments = inputs;
  for (const Tensor &t : graph.captures())
    arguments.push_back(t);
  return jit::interpret(graph.module().lookupSymbol<mlir::func::FuncOp>(
                            jit::TracedGraph::kEntryName),
                        arguments);
}

} // namespace nnc::testing

#endif // NNC_TEST_UNIT_INTERPRETTRACED_H
