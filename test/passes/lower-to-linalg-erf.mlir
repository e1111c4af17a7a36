// RUN: nnc-opt %s -nn-lower-to-linalg | FileCheck %s
// RUN: nnc-opt %s --pass-pipeline='builtin.module(nnc-cpu)' | FileCheck %s --check-prefix=LLVM

// nn.erf lowers to a linalg.generic computing math.erf; math.erf has no
// LLVM intrinsic, so CPU codegen calls libm's erff (f32) and erf (f64).

// CHECK-LABEL: func.func @error_function
// CHECK: linalg.generic
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[E:.*]] = math.erf %[[A]] : f32
// CHECK:   linalg.yield %[[E]] : f32
// CHECK: linalg.generic
// CHECK: ^bb0(%[[B:.*]]: f64, %{{.*}}: f64):
// CHECK:   %[[F:.*]] = math.erf %[[B]] : f64
// CHECK:   linalg.yield %[[F]] : f64
// LLVM-DAG: llvm.func @erff(f32) -> f32
// LLVM-DAG: llvm.func @erf(f64) -> f64
// LLVM-DAG: llvm.call @erff(%{{.*}}) : (f32) -> f32
// LLVM-DAG: llvm.call @erf(%{{.*}}) : (f64) -> f64
func.func @error_function(%x: tensor<?x3xf32>, %y: tensor<4xf64>) -> (tensor<?x3xf32>, tensor<4xf64>) {
  %0 = nn.erf %x : tensor<?x3xf32>
  %1 = nn.erf %y : tensor<4xf64>
  return %0, %1 : tensor<?x3xf32>, tensor<4xf64>
}
