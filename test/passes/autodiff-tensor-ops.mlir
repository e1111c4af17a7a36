// RUN: nnc-opt %s -nn-autodiff -split-input-file | FileCheck %s

// Backward graphs of the selection, slicing and gather ops, and the rule
// that no gradient flows through integer or bool values.

// where: the gradient goes to the side each element was taken from; the
// broadcast rhs sums it back. The condition gets none.
// CHECK-LABEL: func.func @where_grad
// CHECK-SAME: (%[[C:.*]]: tensor<4x3xi1>, %{{.*}}: tensor<4x3xf32>, %{{.*}}: tensor<3xf32>)
// CHECK: %[[DY:.*]] = nn.broadcast_to
// CHECK: %[[ZERO:.*]] = nn.constant dense<0.000000e+00> : tensor<f32>
// CHECK: %[[DX:.*]] = nn.where %[[C]], %[[DY]], %[[ZERO]] : tensor<4x3xi1>, tensor<4x3xf32>, tensor<f32>
// CHECK: %[[DYS:.*]] = nn.where %[[C]], %[[ZERO]], %[[DY]] : tensor<4x3xi1>, tensor<f32>, tensor<4x3xf32>
// CHECK: %[[DB:.*]] = nn.sum %[[DYS]] dims = [0] : tensor<4x3xf32>
// CHECK: return %{{.*}}, %[[DX]], %[[DB]]
func.func @where(%c: tensor<4x3xi1>, %x: tensor<4x3xf32> {nn.requires_grad}, %y: tensor<3xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.where %c, %x, %y : tensor<4x3xi1>, tensor<4x3xf32>, tensor<3xf32>
  %1 = nn.sum %0 dims = [0, 1] : tensor<4x3xf32>
  return %1 : tensor<f32>
}

// -----

// concat hands each operand its slice of the gradient; slice places its
// gradient into zeros (nn.slice_grad); the two uses of %x add up.
// CHECK-LABEL: func.func @slice_concat_grad
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[DC:.*]] = nn.broadcast_to
// CHECK: %[[D0:.*]] = nn.slice %[[DC]] dim = 1 start = 0 end = 4 step = 1 : tensor<4x12xf32>
// CHECK: %[[D1:.*]] = nn.slice %[[DC]] dim = 1 start = 4 end = 12 step = 1 : tensor<4x12xf32>
// CHECK: %[[DS:.*]] = nn.slice_grad %[[D0]] like %[[X]] dim = 1 start = 0 end = 4 step = 1 : tensor<4x4xf32>, tensor<4x8xf32>
// CHECK: %[[DX:.*]] = nn.add %[[D1]], %[[DS]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @slice_concat(%x: tensor<4x8xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.slice %x dim = 1 start = 0 end = 4 step = 1 : tensor<4x8xf32>
  %1 = nn.concat %0, %x dim = 1 : tensor<4x4xf32>, tensor<4x8xf32>
  %2 = nn.sum %1 dims = [0, 1] : tensor<4x12xf32>
  return %2 : tensor<f32>
}

// -----

// gather's VJP scatters the gradient into zeros shaped like the input.
// CHECK-LABEL: func.func @gather_grad
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>, %[[I:.*]]: tensor<4x10xi64>)
// CHECK: %[[DY:.*]] = nn.broadcast_to %{{.*}} like %{{.*}} : tensor<1x1xf32>, tensor<4x10xf32>
// CHECK: %[[ZEROS:.*]] = nn.broadcast_to %{{.*}} like %[[X]] : tensor<f32>, tensor<4x10xf32>
// CHECK: %[[DX:.*]] = nn.scatter_add %[[ZEROS]], %[[I]], %[[DY]] dim = 1
// CHECK: return %{{.*}}, %[[DX]]
func.func @gather(%x: tensor<4x10xf32> {nn.requires_grad}, %i: tensor<4x10xi64>) -> tensor<f32> {
  %0 = nn.gather %x, %i dim = 1 : tensor<4x10xf32>, tensor<4x10xi64>
  %1 = nn.sum %0 dims = [0, 1] : tensor<4x10xf32>
  return %1 : tensor<f32>
}

// -----

// A mask computed from %x is bool: the comparison is not differentiated
// (it has no VJP and needs none), only the where.
// CHECK-LABEL: func.func @mask_not_differentiated_grad
// CHECK: %[[M:.*]] = nn.gt
// CHECK: %[[DY:.*]] = nn.broadcast_to
// CHECK: %[[DX:.*]] = nn.where %[[M]], %[[DY]], %{{.*}} : tensor<4x3xi1>, tensor<4x3xf32>, tensor<f32>
// CHECK-NEXT: return %{{.*}}, %[[DX]]
func.func @mask_not_differentiated(%x: tensor<4x3xf32> {nn.requires_grad}) -> tensor<f32> {
  %zero = nn.constant dense<0.0> : tensor<f32>
  %m = nn.gt %x, %zero : tensor<4x3xf32>, tensor<f32>
  %0 = nn.where %m, %x, %zero : tensor<4x3xi1>, tensor<4x3xf32>, tensor<f32>
  %1 = nn.sum %0 dims = [0, 1] : tensor<4x3xf32>
  return %1 : tensor<f32>
}

// -----

// An integer result (argmax) converted back to float carries no gradient:
// the loss depends on %x only through the sum.
// CHECK-LABEL: func.func @argmax_path_grad
// CHECK: %[[DX:.*]] = nn.broadcast_to %{{.*}} like %{{.*}} : tensor<1x1xf32>, tensor<4x3xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @argmax_path(%x: tensor<4x3xf32> {nn.requires_grad}) -> tensor<f32> {
  %i = nn.argmax %x dim = 1 : tensor<4x3xf32>
  %f = nn.convert %i : tensor<4xi64> -> tensor<4xf32>
  %s = nn.sum %f dims = [0] : tensor<4xf32>
  %t = nn.sum %x dims = [0, 1] : tensor<4x3xf32>
  %0 = nn.add %s, %t : tensor<f32>, tensor<f32>
  return %0 : tensor<f32>
}
