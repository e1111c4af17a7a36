// MLIR's own flags and --pass-pipeline work in the nnc driver.

// --pass-pipeline replaces nnc-cpu; with --emit=mlir it prints the result
// of just that pipeline.
// RUN: nnc %s --pass-pipeline='builtin.module(nnc-inference)' | FileCheck %s --check-prefix=GRAPH
// GRAPH-LABEL: func.func @relu_layer(
// GRAPH:         linalg.matmul
// GRAPH:         arith.maximumf
// GRAPH-NOT:     nn.

// RUN: nnc %s --pass-pipeline='builtin.module(nnc-cpu)' | FileCheck %s --check-prefix=FULL
// FULL: llvm.func @_mlir_ciface_relu_layer(

// RUN: nnc %s --mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=AFTER
// AFTER: // -----// IR Dump After {{.*}}LowerToLinalg
// AFTER: linalg.matmul
// AFTER: // -----// IR Dump After OneShotBufferizePass
// AFTER: memref<4x2xf32>
// AFTER: // -----// IR Dump After ReconcileUnrealizedCastsPass
// AFTER: llvm.func @_mlir_ciface_relu_layer(

// RUN: nnc %s --mlir-print-ir-before-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=BEFORE
// BEFORE: // -----// IR Dump Before {{.*}}LowerToLinalg
// BEFORE: nn.matmul

// RUN: nnc %s --mlir-timing -o /dev/null 2>&1 | FileCheck %s --check-prefix=TIMING
// TIMING: Execution time report
// TIMING: Parse
// TIMING: OneShotBufferizePass
// TIMING: Emit

func.func @relu_layer(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>) -> tensor<4x2xf32> {
  %0 = nn.matmul %x, %w : tensor<4x3xf32>, tensor<3x2xf32>
  %1 = nn.relu %0 : tensor<4x2xf32>
  return %1 : tensor<4x2xf32>
}
