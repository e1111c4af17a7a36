// RUN: nnc-opt %s -nn-autodiff=in-place=true | FileCheck %s

// With in-place, the gradient function replaces the original under its
// name: one function, returning the loss and the gradient.
// CHECK-LABEL: func.func @loss
// CHECK-SAME: (%[[W:.*]]: tensor<3xf32>, %[[X:.*]]: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
// CHECK: %[[Y:.*]] = nn.mul %[[W]], %[[X]]
// CHECK: %[[DY:.*]] = nn.broadcast_to
// CHECK: %[[DW:.*]] = nn.mul %[[DY]], %[[X]]
// CHECK: return %{{.*}}, %[[DW]]
// CHECK-NOT: func.func
func.func @loss(%w: tensor<3xf32> {nn.requires_grad}, %x: tensor<3xf32>) -> tensor<f32> {
  %0 = nn.mul %w, %x : tensor<3xf32>, tensor<3xf32>
  %1 = nn.sum %0 dims = [0] : tensor<3xf32>
  return %1 : tensor<f32>
}
