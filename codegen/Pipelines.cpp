//===- codegen/Pipelines.cpp - CPU codegen pipelines ----------------------===//
//
// Every step of the CPU pipeline, in order, with why it is there. The input
// is what the graph pipeline emits: func.func on ranked tensors whose bodies
// are linalg (named and generic), tensor, arith and math ops.
//
//===----------------------------------------------------------------------===//
#include "codegen/Pipelines.h"

#include "codegen/Emit.h"
#include "codegen/Passes.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/AllInterfaces.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/IR/TensorInferTypeOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/TensorTilingInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/SubsetOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Target/TargetMachine.h"

namespace nnc {

/// Whether the target CPU of `options` has vdpbf16ps (AVX512-BF16, with
/// AVX512-VL for its ymm form): otherwise bf16 products widen to f32 FMAs,
/// and no code is generated that the CPU cannot run.
static bool targetHasBF16Dot(const CPUCodegenOptions &options) {
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createCPUTargetMachine(options);
  if (!machine) {
    llvm::consumeError(machine.takeError());
    return false;
  }
  return (*machine)->getMCSubtargetInfo()->checkFeatures(
      "+avx512bf16,+avx512vl");
}

void buildCPUCodegenPipeline(mlir::OpPassManager &pm,
                             const CPUCodegenOptions &options) {
  using namespace mlir;

  //--- Tensor level ---------------------------------------------------------
  // Fold what the graph lowering left (reshapes of reshapes, constant shapes)
  // so bufferization sees the simplest IR.
  pm.addPass(createCanonicalizerPass());
  // Named ops (linalg.reduce, linalg.transpose, ...) as linalg.generic, the
  // form elementwise fusion works on: a reduction then absorbs its
  // elementwise prologue (exp before sum).
  pm.addPass(createLinalgGeneralizeNamedOpsPass());
  // Fuse single-use elementwise producers (bias add, activation, ...) into
  // their consumers, one loop nest per chain: inside a kernel, no temporary
  // buffer between them. Producers with several uses are not recomputed.
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCSEPass());
  // Reductions (sum, max, softmax's and losses' row reductions) may be
  // reassociated, so LLVM vectorizes them.
  pm.addPass(createReassociateReductions());
  if (options.tileContractions) {
    // Pooling windows that tile the input: one vector step per output row
    // (before the blocking below, which would take them as plain kernels).
    pm.addPass(createTilePoolingWindows());
    // Kernels without matrix products or convolutions run in blocks of
    // rows, their reductions fused with what reads them: each block is read
    // from memory once, and each task walks a contiguous block.
    pm.addPass(createTileMemoryBoundKernels());
    // Matrix products become parallel tasks of register-tiled vector
    // kernels (see the pass); the accumulator tile's read and write then
    // move out of the k loop, so it lives in registers across k.
    TileContractionsOptions contractions;
    contractions.bf16Dot = targetHasBF16Dot(options);
    pm.addPass(createTileContractions(contractions));
    // Stride-1 convolutions (and input gradients) likewise: one image per
    // task, register tiles of output channels by outputs across the taps.
    pm.addPass(createTileConvolutions());
    // Their weight gradients: partial sums in registers across the images
    // and outputs, one task per (output-channel block, channel, kernel row).
    pm.addPass(createTileConvolutionWeightGrads());
    // Transposes (nn.permute) in 16 x 16 register blocks.
    pm.addPass(createTileTransposes());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createLoopInvariantSubsetHoistingPass());
  }
  // The other matmul-like ops iterate (batch, m, k, n) so their innermost
  // loop is contiguous and vectorizable (see the pass for why).
  pm.addPass(createInterchangeContractionLoops());
  pm.addPass(createCanonicalizerPass());

  //--- Bufferization --------------------------------------------------------
  // Donated results (nn.donated_argument) are written into their arguments
  // (already done before kernel outlining when coming from nnc-cpu).
  pm.addPass(createMaterializeDonatedResults());
  // A value returned in two positions gets a copy for the second: each
  // result needs its own output buffer (after the last canonicalization,
  // which would fold the copy away again).
  pm.addNestedPass<func::FuncOp>(createDistinctResults());
  // A tensor.empty that is only the destination of a tensor.insert_slice can
  // reuse the slice's target buffer; the others become allocations.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createEmptyTensorToAllocTensorPass());
  // Whole-module bufferization including function signatures. Identity
  // layouts at function boundaries: the runtime hands in dense row-major
  // buffers, and static strides let LLVM vectorize the loops.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // A kernel that updated a donated argument in place returns that
  // argument's buffer: the result goes, the caller uses its operand. Then
  // the entry point's donated results go too: the caller passed their
  // buffers.
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  pm.addPass(createDropDonatedResults());
  // A result returned reshaped (a convolution's wide rows as [N, O, OH,
  // OW]) is allocated in its returned shape, so that it too is computed
  // straight into the caller's buffer (below).
  pm.addNestedPass<func::FuncOp>(createAllocateReshapedResults());
  // Results become trailing output parameters: the runtime's
  // destination-passing convention (runtime/Executable.h). A result computed
  // into a fresh allocation is computed straight into the caller's buffer
  // (hoist-*-allocs); a result that is an argument or a view of one is
  // copied, so outputs never alias inputs. Public functions are the entry
  // points, so they must be rewritten too.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.hoistDynamicAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  // A tile that bufferization wrote in place is then "copied" onto itself
  // through a second, identical subview: merged, the copy folds away (it
  // doubled the traffic of tiled memory-bound kernels).
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // The temporaries of each function (the buffers between kernels in the
  // entry function) become views of one arena allocated per call, reusing
  // the bytes of dead buffers. Before deallocation, which then frees the
  // arena once.
  pm.addPass(createPlanBuffers());
  // Free every internal temporary on every path (ownership-based
  // deallocation), then lower the bufferization.dealloc ops it inserts.
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  // Copies as loops rather than calls into libmlir_c_runner_utils.
  pm.addPass(createLowerMemRefCopy());

  //--- Loops ----------------------------------------------------------------
  // linalg on buffers -> loop nests of loads and stores: scf.parallel for
  // parallel dims, scf.for for reductions. LLVM's O3 loop vectorizer then
  // vectorizes the innermost loops for the target.
  // The tiled contractions' task loops join the other parallel loops.
  pm.addPass(createForallToParallelLoopPass());
  pm.addPass(createConvertLinalgToParallelLoopsPass());
  // Outermost parallel loops with enough work become tasks of the runtime's
  // thread pool (their launches are lowered in the LLVM dialect, below);
  // the others, and every inner one, run as sequential loops.
  OutlineParallelLoopsOptions parallel;
  parallel.minWork = options.minParallelWork;
  pm.addPass(createOutlineParallelLoops(parallel));
  // The tiled contractions' vector ops: FMAs of broadcasts and rows, 1-D
  // loads and stores; n-D transfers unrolled to 1-D ones.
  pm.addPass(createLowerVectorOps());
  pm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());

  //--- LLVM dialect ---------------------------------------------------------
  // Views (subview, expand/collapse_shape) become explicit descriptor
  // arithmetic, which finalize-memref-to-llvm requires.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // x86vector: the tiled bf16 products' vdpbf16ps.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  // Heap buffers (the per-call arena) through the runtime's allocator
  // (runtime/Memory.h): its cache of large blocks hands a call back the
  // pages the previous call used instead of freshly mapped ones.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  // f32 exp/log/tanh as polynomials (arith only) that the loop vectorizer
  // widens; the rest become LLVM intrinsics, and what has none (erf) a libm
  // call, which the JIT resolves in the process.
  pm.addPass(createApproximateMath());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  // `_mlir_ciface_<name>` wrappers for the runtime, then the functions.
  pm.addPass(createExposeCInterface());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  // The casts the partial conversions left between them cancel out now.
  pm.addPass(createReconcileUnrealizedCastsPass());
  // Parallel launches: captures into a context struct, then
  // nnc_runtime_parallel_for (every capture is a scalar or pointer now).
  pm.addPass(createLowerParallelLaunches());
  pm.addPass(createCanonicalizerPass());
}

void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUCodegenOptions &options) {
  if (options.layout) {
    // Channels-last convolutions where their kernel is faster, with the
    // permutes between them cancelled; then fold permuted constants
    // (frozen weights packed at compile time) and merge duplicate permutes.
    pm.addPass(createNNLayout());
    pm.addPass(mlir::createCanonicalizerPass());
    pm.addPass(mlir::createCSEPass());
  }
  if (options.fuse) {
    // Regions are formed on the cleaned-up graph: folded reshapes and
    // merged duplicates are not fused twice.
    pm.addPass(mlir::createCanonicalizerPass());
    pm.addPass(mlir::createCSEPass());
    NNFuseOptions fuse;
    fuse.report = options.reportFusion;
    pm.addPass(createNNFuse(fuse));
  }
  // Donated results are written into their arguments, inside the region
  // that computes them, so their kernels can update the arguments in place.
  pm.addPass(createMaterializeDonatedResults());
  if (options.fuse) {
    // One kernel function per region; the lowering below then works on
    // kernels like on any function.
    pm.addPass(createOutlineFusionRegions());
  }
  // nn.* -> linalg/tensor/arith/math on tensors (a no-op on linalg input).
  buildInferencePipeline(pm, PipelineOptions());
  buildCPUCodegenPipeline(pm, options);
}

void registerCPUCodegenDialects(mlir::DialectRegistry &registry) {
  using namespace mlir;
  registry
      .insert<affine::AffineDialect, arith::ArithDialect,
              bufferization::BufferizationDialect, cf::ControlFlowDialect,
              func::FuncDialect, linalg::LinalgDialect, LLVM::LLVMDialect,
              math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
              tensor::TensorDialect, ub::UBDialect, vector::VectorDialect>();
  // One-shot bufferization.
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  cf::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerAllDialectInterfaceImplementations(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  vector::registerBufferizableOpInterfaceExternalModels(registry);
  // Ownership-based deallocation.
  arith::registerBufferDeallocationOpInterfaceExternalModels(registry);
  cf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  scf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  memref::registerAllocationOpInterfaceExternalModels(registry);
  // Subsets (extract/insert_slice, vector transfers), which
  // loop-invariant-subset-hoisting matches to keep a register tile's
  // accumulators out of memory across its k loop.
  tensor::registerSubsetOpInterfaceExternalModels(registry);
  vector::registerSubsetOpInterfaceExternalModels(registry);
  // Shapes of tensor ops (reifying dynamic dims, tiling).
  tensor::registerInferTypeOpInterfaceExternalModels(registry);
  tensor::registerTilingInterfaceExternalModels(registry);
  tensor::registerValueBoundsOpInterfaceExternalModels(registry);
  // LLVM dialect -> LLVM IR.
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

} // namespace nnc
