//===- codegen/Pipelines.h - CPU codegen pipelines --------------*- C++ -*-===//
//
// From `func.func` on tensors (linalg/tensor/arith/math, what
// nnc::buildInferencePipeline produces) to the LLVM dialect, in the calling
// convention runtime::Executable expects: every result becomes a
// caller-provided output buffer, and every public function gets a
// `_mlir_ciface_<name>` wrapper taking one descriptor pointer per memref.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_CODEGEN_PIPELINES_H
#define NNC_CODEGEN_PIPELINES_H

#include <cstdint>
#include <string>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace nnc {

/// How CPU code is generated. The defaults target the machine nnc runs on.
struct CPUCodegenOptions {
  /// LLVM optimization level (0-3) for the IR optimizer and the backend.
  unsigned optLevel = 3;
  /// Target CPU, e.g. "skylake-avx512"; empty means the host CPU.
  std::string targetCPU;
  /// Target features, e.g. "+avx512f,+fma"; empty means the host's features
  /// when targetCPU is empty too, and the CPU's defaults otherwise.
  std::string targetFeatures;
  /// Form nn.fusion regions (nn-fuse) in buildCPUPipeline; without it every
  /// nn op still becomes its own kernel-free loop nest in its function.
  bool fuse = true;
  /// nn-fuse prints every candidate edge and its decision to stderr.
  bool reportFusion = false;
  /// Parallel loop nests with fewer iterations in all run sequentially
  /// (nnc-outline-parallel-loops{min-work}); 0 hands every one to the pool.
  int64_t minParallelWork = 16384;
  /// Matrix products and stride-1 convolutions as parallel tasks of
  /// register-tiled, vectorized kernels (nnc-tile-contractions,
  /// nnc-tile-convolutions); off: plain interchanged loops that LLVM
  /// vectorizes (for comparison and debugging).
  bool tileContractions = true;
  /// Convolutions whose channels-last kernel is faster run channels-last
  /// (nn-layout, before fusion); off: every convolution stays NCHW. Off by
  /// default: the permutes at the layout boundaries (NHWC -> NCHW at 2.5-6
  /// GB/s) cost more than the channels-last kernels gain, measured on the
  /// SmallCNN and ResNet blocks (nnc-bench --case layout).
  bool layout = false;
};

/// Appends the steps from linalg on tensors to the LLVM dialect to `pm`
/// (anchored on builtin.module). Registered as `nnc-cpu-codegen`. Of
/// `options`, minParallelWork and whether the target has AVX512-BF16
/// (vdpbf16ps for bf16 products) affect MLIR steps: the level and target
/// apply where LLVM IR is optimized and compiled (codegen/Emit.h,
/// codegen/JIT.h). Parallel loops call `nnc_runtime_parallel_for`, which
/// the JIT resolves to the runtime linked into the process and an object
/// file leaves undefined for the linker (link NNCRuntime).
void buildCPUCodegenPipeline(mlir::OpPassManager &pm,
                             const CPUCodegenOptions &options);

/// The whole CPU compiler: canonicalize and CSE the nn graph, form
/// nn.fusion regions (nn-fuse, when options.fuse) and outline each into a
/// kernel function (nnc-outline-fusion-regions), then the graph pipeline
/// (nn -> linalg on tensors, nnc::buildInferencePipeline, which lowers the
/// kernels' bodies like any function) and buildCPUCodegenPipeline.
/// Registered as `nnc-cpu`. Input that is already linalg on tensors passes
/// through the graph steps unchanged.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUCodegenOptions &options);

/// Registers the dialects the CPU pipelines produce and the external
/// interface models they rely on (bufferization, deallocation, tiling,
/// LLVM IR translation). A context that runs the pipelines must have these:
/// jitCompile appends them to the module's context itself.
void registerCPUCodegenDialects(mlir::DialectRegistry &registry);

} // namespace nnc

#endif // NNC_CODEGEN_PIPELINES_H
