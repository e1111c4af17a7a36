//===- codegen/Passes.td - CPU codegen passes --------------*- tablegen -*-===//
//
// The few steps of nnc's CPU pipeline that upstream MLIR does not offer as a
// pass. The pipeline itself (upstream passes included) is built in
// codegen/Pipelines.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_CODEGEN_PASSES_TD
#define NNC_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Calling convention
//===----------------------------------------------------------------------===//

def ExposeCInterface : Pass<"nnc-expose-c-interface", "mlir::ModuleOp"> {
  let summary = "Mark public functions for a C-interface wrapper";
  let description = [{
    Sets `llvm.emit_c_interface` on every public `func.func` definition, so
    that `convert-func-to-llvm` emits `_mlir_ciface_<name>`, which takes each
    memref as a pointer to its descriptor. That wrapper is the entry point the
    runtime's `Executable` calls (through the JIT's packed wrapper) and the
    symbol an AOT object exports. Private functions are internal helpers and
    keep the plain expanded-descriptor convention.

    Example:

    ```mlir
    func.func @f(%a: memref<4xf32>, %out: memref<4xf32>)
    // becomes
    func.func @f(%a: memref<4xf32>, %out: memref<4xf32>)
        attributes {llvm.emit_c_interface}
    ```
  }];
  // The attribute belongs to the LLVM dialect.
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

//===----------------------------------------------------------------------===//
// Loops
//===----------------------------------------------------------------------===//

def InterchangeContractionLoops : Pass<"nnc-interchange-contraction-loops"> {
  let summary = "Order matmul-like loops so the innermost one is contiguous";
  let description = [{
    `convert-linalg-to-loops` emits loops in the order of a linalg op's
    iteration dims. For `linalg.matmul` that is (m, n, k): the innermost loop
    is the reduction, walking a column of B, and LLVM cannot vectorize it
    without reassociating the sum. This pass generalizes every contraction
    (matmul, batch_matmul, or a generic of that shape) whose innermost loop
    is a reduction and reorders its loops to (batch, m, k, n): the innermost
    loop then runs along rows of B and of the result, which LLVM vectorizes
    to the target's vector width. The accumulation order over k is
    unchanged, so results are bit-identical. Contractions with no n dim
    (matrix-vector products) are left alone.

    Example:

    ```mlir
    linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>)
                  outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
    // becomes a linalg.generic with
    //   indexing_maps = [(d0, d1, d2) -> (d0, d1),   // A[m, k]
    //                    (d0, d1, d2) -> (d1, d2),   // B[k, n]
    //                    (d0, d1, d2) -> (d0, d2)]   // C[m, n]
    //   iterator_types = ["parallel", "reduction", "parallel"]
    ```

    A first step only: tiling, packing and explicit vectorization come later.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

def LowerMemRefCopy : Pass<"nnc-lower-memref-copy"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    Bufferization and `buffer-results-to-out-params` express copies (e.g. a
    function returning its argument, or a view of it, into an out-param) as
    `memref.copy`. Its LLVM lowering calls `memrefCopy` from
    `libmlir_c_runner_utils` whenever a side is not contiguous, a library
    neither the JIT nor an AOT object links. As `linalg.copy` the copy
    becomes plain loops with the rest of the kernel (LLVM turns contiguous
    ones back into `memcpy`).

    Example:

    ```mlir
    memref.copy %a, %b : memref<4xf32> to memref<4xf32>
    // becomes
    linalg.copy ins(%a : memref<4xf32>) outs(%b : memref<4xf32>)
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // NNC_CODEGEN_PASSES_TD
