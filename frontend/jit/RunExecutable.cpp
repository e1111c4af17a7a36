//===- frontend/jit/RunExecutable.cpp - Executables on tensors ------------===//
#include "frontend/jit/RunExecutable.h"

#include "frontend/Error.h"

#include <cstring>

namespace nnc::jit {

static runtime::ElementType runtimeTypeOf(ScalarType type) {
  switch (type) {
  case ScalarType::Float32:
    return runtime::ElementType::F32;
  case ScalarType::Int64:
    return runtime::ElementType::I64;
  }
  throw Error("jit: unsupported dtype");
}

runtime::BufferView bufferViewOf(const Tensor &t) {
  runtime::BufferView view;
  view.data = static_cast<char *>(t.unsafeGetTensorImpl()->storage->data()) +
              t.storage_offset() * elementSize(t.dtype());
  view.shape = t.sizes();
  view.strides = t.strides();
  view.type = runtimeTypeOf(t.dtype());
  return view;
}

std::vector<Tensor> runExecutable(const runtime::Executable &executable,
                                  const std::vector<Tensor> &arguments) {
  std::vector<Tensor> dense;
  std::vector<runtime::BufferView> in, out;
  for (const Tensor &t : arguments) {
    dense.push_back(t.contiguous());
    in.push_back(bufferViewOf(dense.back()));
  }
  // Every result of the `nn` ops compiled so far is float32; Executable::run
  // refuses a mismatch rather than writing past a buffer.
  std::vector<Tensor> results;
  for (const runtime::ArgSpec &spec : executable.signature().outputs) {
    results.push_back(empty(spec.shape));
    out.push_back(bufferViewOf(results.back()));
  }
  executable.run(in, out);
  return results;
}

void writeBack(const Tensor &target, const Tensor &value,
               const std::string &what) {
  if (!target.is_contiguous())
    throw Error(what + " was updated in place but is not contiguous");
  std::memcpy(bufferViewOf(target).data, bufferViewOf(value).data,
              value.numel() * elementSize(value.dtype()));
}

} // namespace nnc::jit
