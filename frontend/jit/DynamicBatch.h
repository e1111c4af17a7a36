//===- frontend/jit/DynamicBatch.h - One graph for every batch size -*- C++
//-*-//
//
// CompileOptions().dynamic_batch(true) compiles a function once for every
// batch size. The function is traced twice, at the example's batch size and
// at one more; the two graphs must be the same op for op, and every
// dimension whose size differs between them depends on the batch: it
// becomes `?` in the graph that is compiled. A graph that is not the same
// (control flow or a constant that depends on the batch size) cannot be
// generalized, and the error names the first op that differs.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_JIT_DYNAMICBATCH_H
#define NNC_FRONTEND_JIT_DYNAMICBATCH_H

#include "frontend/jit/Trace.h"

#include <vector>

namespace nnc::jit {

/// The inputs that carry the batch: those whose leading dim has the first
/// input's leading size. The others keep their shape in every call.
std::vector<bool> batchedInputs(const std::vector<Tensor> &inputs);

/// `inputs` with every batched input's leading dim grown by one (values
/// repeat the last row: any values trace the same ops).
std::vector<Tensor> withLargerBatch(const std::vector<Tensor> &inputs,
                                    const std::vector<bool> &batched);

/// Makes `graph` (traced at the example batch) dynamic in every dim that
/// differs in `larger` (the same function traced at a larger batch).
/// Throws nnc::Error if the graphs differ in anything but those sizes.
void generalizeBatch(TracedGraph &graph, const TracedGraph &larger);

} // namespace nnc::jit

#endif // NNC_FRONTEND_JIT_DYNAMICBATCH_H
