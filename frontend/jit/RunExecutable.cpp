//===- frontend/jit/RunExecutable.cpp - Executables on tensors ------------===//
#include "frontend/jit/RunExecutable.h"

#include "frontend/Error.h"
#include "frontend/jit/ElementTypes.h"

namespace nnc::jit {

runtime::BufferView bufferViewOf(const Tensor &t) {
  runtime::BufferView view;
  view.data = static_cast<char *>(t.unsafeGetTensorImpl()->storage->data()) +
              t.storage_offset() * elementSize(t.dtype());
  view.shape = t.sizes();
  view.strides = t.strides();
  view.type = runtimeTypeOf(t.dtype());
  return view;
}

/// The size of the inputs' dynamic dims in this call: only the batch dim
/// may be dynamic, and runtime::Executable checks that they all agree, so
/// an output's dynamic dims have this size too. -1 if no dim is dynamic.
static int64_t batchSizeOf(const std::vector<runtime::ArgSpec> &inputs,
                           const std::vector<Tensor> &arguments) {
  for (size_t i = 0; i < inputs.size() && i < arguments.size(); ++i)
    for (size_t d = 0; d < inputs[i].shape.size(); ++d)
      if (inputs[i].shape[d] < 0 && arguments[i].dim() > int64_t(d))
        return arguments[i].size(static_cast<int64_t>(d));
  return -1;
}

std::vector<Tensor> runExecutable(const runtime::Executable &executable,
                                  const std::vector<Tensor> &arguments) {
  std::vector<Tensor> dense;
  std::vector<runtime::BufferView> in, out;
  const std::vector<runtime::ArgSpec> &inputs = executable.signature().inputs;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const Tensor &t = arguments[i];
    // A donated argument is updated in its own memory; a dense copy would
    // receive the update instead.
    if (i < inputs.size() && inputs[i].donated && !t.is_contiguous())
      throw Error(executable.name() + ": argument " + std::to_string(i) +
                  " is updated in place but is not contiguous");
    dense.push_back(t.contiguous());
    in.push_back(bufferViewOf(dense.back()));
  }
  int64_t batch = batchSizeOf(inputs, arguments);
  std::vector<Tensor> results;
  for (const runtime::ArgSpec &spec : executable.signature().outputs) {
    IntList shape = spec.shape;
    for (int64_t &size : shape)
      if (size < 0)
        size = batch;
    results.push_back(empty(shape, scalarTypeOf(spec.type)));
    out.push_back(bufferViewOf(results.back()));
  }
  executable.run(in, out);
  return results;
}

} // namespace nnc::jit
