//===- runtime/Executable.h - A compiled graph, ready to run ----*- C++ -*-===//
//
// The runtime half of a compiled nnc graph. The compiler (codegen/) produces
// a packed entry point with MLIR's C-interface calling convention; this class
// holds it with the argument signature and invokes it on caller buffers.
// It knows nothing about MLIR or LLVM, so an AOT library links only runtime/.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_EXECUTABLE_H
#define NNC_RUNTIME_EXECUTABLE_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nnc::runtime {

/// Element types a compiled entry point may take. Mirrors the `nn` dialect's
/// element types; only the runtime's own spelling, no MLIR types.
enum class ElementType { F32, F64, F16, BF16, I64, I32, U8, I1 };

/// Size in bytes of one element of `type`.
std::size_t elementSize(ElementType type);
/// Human-readable name ("f32", ...) for error messages.
const char *elementTypeName(ElementType type);

/// One argument of an entry point: its static shape (-1 for a dynamic dim)
/// and element type.
struct ArgSpec {
  std::vector<int64_t> shape;
  ElementType type = ElementType::F32;
  /// An input the call overwrites with its new value (a parameter or
  /// optimizer state a training step updates in place). Its buffer must not
  /// overlap any other argument's.
  bool donated = false;
};

/// The calling signature of an entry point: inputs first, then the output
/// buffers the caller provides (destination-passing style). Output buffers
/// must not overlap input buffers: generated code may write an output
/// before it has read every input. Donated inputs are written too.
struct Signature {
  std::vector<ArgSpec> inputs;
  std::vector<ArgSpec> outputs;
};

/// A strided view of caller memory passed to an entry point.
struct BufferView {
  void *data = nullptr;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides; // in elements
  ElementType type = ElementType::F32;
};

/// `void fn(void **args)`: MLIR's packed interface. For the C-interface
/// wrapper of a function taking N memrefs, args[i] points to a pointer to the
/// i-th memref descriptor {allocated, aligned, offset, sizes[R], strides[R]}.
using PackedEntryFn = void (*)(void **);

class Executable {
public:
  /// `keepAlive` owns whatever backs `entry` (a JIT session, a loaded
  /// object); it is released with the last copy of this Executable.
  Executable(std::string name, PackedEntryFn entry, Signature signature,
             std::shared_ptr<void> keepAlive);

  const std::string &name() const { return name_; }
  const Signature &signature() const { return signature_; }

  /// Runs the entry point. Checks that the buffers match the signature
  /// (count, rank, static sizes, element type) and throws
  /// std::invalid_argument naming the offending argument otherwise.
  void run(const std::vector<BufferView> &inputs,
           const std::vector<BufferView> &outputs) const;

private:
  void
  checkDonatedInputsDoNotOverlap(const std::vector<BufferView> &inputs,
                                 const std::vector<BufferView> &outputs) const;
  void checkDynamicDimsAgree(const std::vector<BufferView> &inputs,
                             const std::vector<BufferView> &outputs) const;

  std::string name_;
  PackedEntryFn entry_;
  Signature signature_;
  std::shared_ptr<void> keepAlive_;
};

} // namespace nnc::runtime

#endif // NNC_RUNTIME_EXECUTABLE_H
