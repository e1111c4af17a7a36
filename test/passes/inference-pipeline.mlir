// RUN: nnc-opt %s --pass-pipeline='builtin.module(nnc-inference)' | FileCheck %s
// RUN: nnc-opt %s --nnc-inference | FileCheck %s

// The nnc-inference pipeline on a traced two-layer MLP, written the way
// nn::Linear traces it (y = x @ W^T + b): canonicalize and CSE clean the
// nn graph, then it lowers to linalg/tensor/arith/math on tensors.

// The weights are [out, in]; the transposes become linalg.transpose. The
// tracer recorded the transpose of %w1 twice: CSE keeps one. A
// flatten/unflatten pair of reshapes folds away before lowering.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<?x784xf32>, %[[W1:.*]]: tensor<128x784xf32>, %[[B1:.*]]: tensor<128xf32>, %[[W2:.*]]: tensor<10x128xf32>, %[[B2:.*]]: tensor<10xf32>)
// CHECK-NOT: nn.
// CHECK-NOT: tensor.collapse_shape
// CHECK: %[[W1T:.*]] = linalg.transpose ins(%[[W1]] : tensor<128x784xf32>) outs(%{{.*}} : tensor<784x128xf32>) permutation = [1, 0]
// CHECK-NOT: linalg.transpose ins(%[[W1]]
// CHECK: %[[H:.*]] = linalg.matmul ins(%[[X]], %[[W1T]] : tensor<?x784xf32>, tensor<784x128xf32>)
// CHECK: %[[HB:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[H]], %[[B1]] : tensor<?x128xf32>, tensor<128xf32>)
// CHECK: arith.addf
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%[[HB]] : tensor<?x128xf32>)
// CHECK: arith.maximumf
// CHECK: %[[W2T:.*]] = linalg.transpose ins(%[[W2]] : tensor<10x128xf32>) outs(%{{.*}} : tensor<128x10xf32>) permutation = [1, 0]
// CHECK: %[[O:.*]] = linalg.matmul ins(%[[A]], %[[W2T]] : tensor<?x128xf32>, tensor<128x10xf32>)
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[O]], %[[B2]] : tensor<?x10xf32>, tensor<10xf32>)
// CHECK: arith.addf
// CHECK: %[[W1T_SUM:.*]] = linalg.reduce ins(%[[W1T]] : tensor<784x128xf32>)
// CHECK: return %[[Y]], %[[W1T_SUM]] : tensor<?x10xf32>, tensor<f32>
func.func @mlp(%x: tensor<?x784xf32>, %w1: tensor<128x784xf32>, %b1: tensor<128xf32>, %w2: tensor<10x128xf32>, %b2: tensor<10xf32>)
    -> (tensor<?x10xf32>, tensor<f32>) {
  %flat = nn.reshape %x : tensor<?x784xf32> -> tensor<?x28x28xf32>
  %x2 = nn.reshape %flat : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %w1t = nn.transpose %w1, dim0 = 0, dim1 = 1 : tensor<128x784xf32>
  %h = nn.matmul %x2, %w1t : tensor<?x784xf32>, tensor<784x128xf32>
  %hb = nn.add %h, %b1 : tensor<?x128xf32>, tensor<128xf32>
  %a = nn.relu %hb : tensor<?x128xf32>
  %w2t = nn.transpose %w2, dim0 = 0, dim1 = 1 : tensor<10x128xf32>
  %o = nn.matmul %a, %w2t : tensor<?x128xf32>, tensor<128x10xf32>
  %y = nn.add %o, %b2 : tensor<?x10xf32>, tensor<10xf32>
  // A weight-norm style statistic that reuses the transposed weight.
  %w1t_again = nn.transpose %w1, dim0 = 0, dim1 = 1 : tensor<128x784xf32>
  %s = nn.sum %w1t_again dims = [0, 1] : tensor<784x128xf32>
  return %y, %s : tensor<?x10xf32>, tensor<f32>
}
