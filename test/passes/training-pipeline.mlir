// RUN: nnc-opt %s --pass-pipeline='builtin.module(nnc-training)' | FileCheck %s
// RUN: nnc-opt %s --nnc-training | FileCheck %s

// The nnc-training pipeline on a traced linear regressor (x @ W^T + b with
// a mean squared error): nn-autodiff adds @regressor_grad, canonicalize
// folds the seed arithmetic (1 * 2 / 4 elements = 0.5) and the transpose of
// the transposed weight, and both functions lower to linalg on tensors.

// CHECK-LABEL: func.func @regressor(
// CHECK-NOT: nn.{{[a-z_]+}} %
// CHECK: linalg.matmul
// CHECK: return
// CHECK-LABEL: func.func @regressor_grad
// CHECK-SAME: -> (tensor<f32>, tensor<1x3xf32>, tensor<1xf32>)
// CHECK-NOT: nn.{{[a-z_]+}} %
// CHECK-DAG: arith.constant dense<5.000000e-01> : tensor<f32>
// The forward product, then the weight gradient (0.5 * (p - y))^T @ x,
// in W's layout (canonicalize turns transpose(x^T @ g) into g^T @ x).
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3x1xf32>)
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<1x4xf32>, tensor<4x3xf32>)
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}} : tensor<f32>, tensor<1x3xf32>, tensor<1xf32>
func.func @regressor(%x: tensor<4x3xf32>, %y: tensor<4x1xf32>,
                     %w: tensor<1x3xf32> {nn.requires_grad},
                     %b: tensor<1xf32> {nn.requires_grad}) -> tensor<f32> {
  %wt = nn.transpose %w, dim0 = 0, dim1 = 1 : tensor<1x3xf32>
  %p = nn.matmul %x, %wt : tensor<4x3xf32>, tensor<3x1xf32>
  %pb = nn.add %p, %b : tensor<4x1xf32>, tensor<1xf32>
  %l = nn.mse_loss %pb, %y reduction = mean : tensor<4x1xf32>, tensor<4x1xf32>
  return %l : tensor<f32>
}
