// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// nn.erf (GELU's exact form) round-trips, in f32 and f64, with a dynamic
// batch dim; its result type is the operand's.

// CHECK-LABEL: func.func @erf
// CHECK: %[[A:.*]] = nn.erf %{{.*}} : tensor<?x3xf32>
// CHECK: %[[B:.*]] = nn.erf %{{.*}} : tensor<2xf64>
// CHECK: return %[[A]], %[[B]]
func.func @erf(%x: tensor<?x3xf32>, %y: tensor<2xf64>) -> (tensor<?x3xf32>, tensor<2xf64>) {
  %0 = nn.erf %x : tensor<?x3xf32>
  %1 = nn.erf %y : tensor<2xf64>
  return %0, %1 : tensor<?x3xf32>, tensor<2xf64>
}
