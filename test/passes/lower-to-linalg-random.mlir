// RUN: nnc-opt %s --nn-lower-to-linalg | FileCheck %s

// nn.random_uniform: one generic over the result, each element a splitmix64
// of [seed, offset] and offset + its row-major index, scaled to [0, 1).
// CHECK-LABEL: func.func @uniform(
// CHECK-SAME:      %[[STATE:.*]]: tensor<2xi64>)
// CHECK:         %[[SEED:.*]] = tensor.extract %[[STATE]][%{{.*}}] : tensor<2xi64>
// CHECK:         %[[OFFSET:.*]] = tensor.extract %[[STATE]][%{{.*}}] : tensor<2xi64>
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<3x4xf32>)
// CHECK:           linalg.index 0
// CHECK:           linalg.index 1
// CHECK:           arith.shrui
// CHECK:           arith.xori
// CHECK:           arith.uitofp
// CHECK:           arith.mulf
// CHECK-NOT:     nn.random_uniform
func.func @uniform(%state: tensor<2xi64>) -> tensor<3x4xf32> {
  %u = nn.random_uniform %state : tensor<2xi64> -> tensor<3x4xf32>
  return %u : tensor<3x4xf32>
}
