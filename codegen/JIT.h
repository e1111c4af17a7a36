//===- codegen/JIT.h - Compile a module and run it in-process ---*- C++ -*-===//
//
// jitCompile takes a module (nn ops, or linalg on tensors), lowers it with
// the nnc-cpu pipeline, JIT-compiles it with ORC (mlir::ExecutionEngine) for
// the host CPU and hands back a runtime::Executable for one entry function.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_CODEGEN_JIT_H
#define NNC_CODEGEN_JIT_H

#include "codegen/Pipelines.h"
#include "runtime/Executable.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace nnc {

/// The runtime signature of `entry` (a public func.func in `module` whose
/// arguments and results are ranked tensors of f32, f64, f16, bf16, i64, i32
/// or i1): its arguments as inputs, its results as outputs, in order, with
/// -1 for dynamic dimensions.
llvm::Expected<runtime::Signature> entrySignature(mlir::ModuleOp module,
                                                  llvm::StringRef entry);

/// Compiles `module` for the CPU and returns an Executable for `entry`.
///
/// `module` is not modified: a clone is lowered. Its context gets the
/// dialects and interfaces the pipeline needs (registerCPUCodegenDialects).
/// The Executable calls `_mlir_ciface_<entry>` through the JIT's packed
/// wrapper: inputs first, then one caller-provided, dense row-major output
/// buffer per result. Outputs must not overlap inputs: results are computed
/// straight into them while inputs may still be read. The Executable owns
/// the JIT session; copies share it.
///
/// Errors (no such entry, unsupported types, a module that does not verify,
/// a lowering failure) carry the compiler's diagnostics as text.
///
/// With the environment variable NNC_FUSE_REPORT set (not to "0"), nn-fuse
/// prints its decisions to stderr, as options.reportFusion does.
llvm::Expected<runtime::Executable>
jitCompile(mlir::ModuleOp module, llvm::StringRef entry,
           const CPUCodegenOptions &options = CPUCodegenOptions());

} // namespace nnc

#endif // NNC_CODEGEN_JIT_H
