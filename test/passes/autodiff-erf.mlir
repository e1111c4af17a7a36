// RUN: nnc-opt %s -nn-autodiff | FileCheck %s

// The gradient of erf: g * 2 / sqrt(pi) * exp(-x^2).

// CHECK-LABEL: func.func @erf_grad
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK: %[[Y:.*]] = nn.erf %[[X]]
// CHECK: %[[G:.*]] = nn.broadcast_to %{{.*}} like %[[Y]]
// CHECK: %[[SCALE:.*]] = nn.constant dense<1.12837923> : tensor<f32>
// CHECK: %[[SQUARE:.*]] = nn.mul %[[X]], %[[X]]
// CHECK: %[[NEG:.*]] = nn.neg %[[SQUARE]]
// CHECK: %[[GAUSS:.*]] = nn.exp %[[NEG]]
// CHECK: %[[SLOPE:.*]] = nn.mul %[[SCALE]], %[[GAUSS]]
// CHECK: %[[DX:.*]] = nn.mul %[[G]], %[[SLOPE]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @erf(%x: tensor<?x3xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.erf %x : tensor<?x3xf32>
  %1 = nn.sum %0 dims = [0, 1] : tensor<?x3xf32>
  return %1 : tensor<f32>
}
