// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// Round trip of every nn op: the custom syntax parses, prints and parses
// again to the same ops; the generic form parses back too.

// CHECK-LABEL: func.func @constant
func.func @constant() -> (tensor<2x2xf32>, tensor<3xi64>, tensor<i1>) {
  // CHECK: nn.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: nn.constant dense<[1, 2, 3]> : tensor<3xi64>
  %1 = nn.constant dense<[1, 2, 3]> : tensor<3xi64>
  // CHECK: nn.constant dense<true> : tensor<i1>
  %2 = nn.constant dense<true> : tensor<i1>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<3xi64>, tensor<i1>
}

// CHECK-LABEL: func.func @binary_same_shape
func.func @binary_same_shape(%a: tensor<4x3xf32>, %b: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // CHECK: %[[ADD:.*]] = nn.add %{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<4x3xf32>
  // CHECK: %[[SUB:.*]] = nn.sub %[[ADD]], %{{.*}} : tensor<4x3xf32>, tensor<4x3xf32>
  // CHECK: %[[MUL:.*]] = nn.mul %[[SUB]], %{{.*}} : tensor<4x3xf32>, tensor<4x3xf32>
  // CHECK: nn.div %[[MUL]], %{{.*}} : tensor<4x3xf32>, tensor<4x3xf32>
  %0 = nn.add %a, %b : tensor<4x3xf32>, tensor<4x3xf32>
  %1 = nn.sub %0, %b : tensor<4x3xf32>, tensor<4x3xf32>
  %2 = nn.mul %1, %b : tensor<4x3xf32>, tensor<4x3xf32>
  %3 = nn.div %2, %b : tensor<4x3xf32>, tensor<4x3xf32>
  return %3 : tensor<4x3xf32>
}

// Broadcasting infers the result type: returning it with the broadcast type
// only verifies if inference got it right.
// CHECK-LABEL: func.func @binary_broadcast
func.func @binary_broadcast(%a: tensor<4x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1x3xf32>, %s: tensor<f32>)
    -> (tensor<4x3xf32>, tensor<2x4x3xf32>, tensor<4x3xf32>, tensor<3xf32>) {
  // CHECK: nn.add %{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3xf32>
  %0 = nn.add %a, %b : tensor<4x3xf32>, tensor<3xf32>
  // CHECK: nn.mul %{{.*}}, %{{.*}} : tensor<2x1x3xf32>, tensor<4x3xf32>
  %1 = nn.mul %c, %a : tensor<2x1x3xf32>, tensor<4x3xf32>
  // CHECK: nn.sub %{{.*}}, %{{.*}} : tensor<f32>, tensor<4x3xf32>
  %2 = nn.sub %s, %a : tensor<f32>, tensor<4x3xf32>
  // CHECK: nn.div %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<f32>
  %3 = nn.div %b, %s : tensor<3xf32>, tensor<f32>
  return %0, %1, %2, %3 : tensor<4x3xf32>, tensor<2x4x3xf32>, tensor<4x3xf32>, tensor<3xf32>
}

// A dynamic leading (batch) dim is carried through.
// CHECK-LABEL: func.func @binary_dynamic_batch
func.func @binary_dynamic_batch(%x: tensor<?x3xf32>, %bias: tensor<3xf32>, %col: tensor<?x1xf32>)
    -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  // CHECK: nn.add %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<3xf32>
  %0 = nn.add %x, %bias : tensor<?x3xf32>, tensor<3xf32>
  // CHECK: nn.div %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<?x1xf32>
  %1 = nn.div %0, %col : tensor<?x3xf32>, tensor<?x1xf32>
  return %0, %1 : tensor<?x3xf32>, tensor<?x3xf32>
}

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<?x3xf32>, %h: tensor<2xf16>, %g: tensor<2xbf16>, %d: tensor<2xf64>)
    -> (tensor<?x3xf32>, tensor<2xf16>, tensor<2xbf16>, tensor<2xf64>) {
  // CHECK: %[[NEG:.*]] = nn.neg %{{.*}} : tensor<?x3xf32>
  // CHECK: %[[EXP:.*]] = nn.exp %[[NEG]] : tensor<?x3xf32>
  // CHECK: %[[LOG:.*]] = nn.log %[[EXP]] : tensor<?x3xf32>
  // CHECK: %[[TANH:.*]] = nn.tanh %[[LOG]] : tensor<?x3xf32>
  // CHECK: %[[SIG:.*]] = nn.sigmoid %[[TANH]] : tensor<?x3xf32>
  // CHECK: nn.relu %[[SIG]] : tensor<?x3xf32>
  %0 = nn.neg %x : tensor<?x3xf32>
  %1 = nn.exp %0 : tensor<?x3xf32>
  %2 = nn.log %1 : tensor<?x3xf32>
  %3 = nn.tanh %2 : tensor<?x3xf32>
  %4 = nn.sigmoid %3 : tensor<?x3xf32>
  %5 = nn.relu %4 : tensor<?x3xf32>
  // CHECK: nn.exp %{{.*}} : tensor<2xf16>
  %6 = nn.exp %h : tensor<2xf16>
  // CHECK: nn.tanh %{{.*}} : tensor<2xbf16>
  %7 = nn.tanh %g : tensor<2xbf16>
  // CHECK: nn.sigmoid %{{.*}} : tensor<2xf64>
  %8 = nn.sigmoid %d : tensor<2xf64>
  return %5, %6, %7, %8 : tensor<?x3xf32>, tensor<2xf16>, tensor<2xbf16>, tensor<2xf64>
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%x: tensor<?x16xf32>, %w: tensor<16x4xf32>, %b: tensor<?x8x16xf32>, %c: tensor<2x1x4x8xf32>, %d: tensor<3x8x5xf32>)
    -> (tensor<?x4xf32>, tensor<?x8x4xf32>, tensor<2x3x4x5xf32>) {
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : tensor<?x16xf32>, tensor<16x4xf32>
  %0 = nn.matmul %x, %w : tensor<?x16xf32>, tensor<16x4xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : tensor<?x8x16xf32>, tensor<16x4xf32>
  %1 = nn.matmul %b, %w : tensor<?x8x16xf32>, tensor<16x4xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : tensor<2x1x4x8xf32>, tensor<3x8x5xf32>
  %2 = nn.matmul %c, %d : tensor<2x1x4x8xf32>, tensor<3x8x5xf32>
  return %0, %1, %2 : tensor<?x4xf32>, tensor<?x8x4xf32>, tensor<2x3x4x5xf32>
}

// CHECK-LABEL: func.func @transpose
func.func @transpose(%x: tensor<4x3xf32>, %y: tensor<?x2x5xi32>) -> (tensor<3x4xf32>, tensor<5x2x?xi32>) {
  // CHECK: nn.transpose %{{.*}}, dim0 = 0, dim1 = 1 : tensor<4x3xf32>
  %0 = nn.transpose %x, dim0 = 0, dim1 = 1 : tensor<4x3xf32>
  // CHECK: nn.transpose %{{.*}}, dim0 = 2, dim1 = 0 : tensor<?x2x5xi32>
  %1 = nn.transpose %y, dim0 = 2, dim1 = 0 : tensor<?x2x5xi32>
  return %0, %1 : tensor<3x4xf32>, tensor<5x2x?xi32>
}

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<2x3xf32>, %y: tensor<?x4x4xf32>, %s: tensor<1x1xi1>) -> (tensor<6xf32>, tensor<?x16xf32>, tensor<i1>) {
  // CHECK: nn.reshape %{{.*}} : tensor<2x3xf32> -> tensor<6xf32>
  %0 = nn.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  // CHECK: nn.reshape %{{.*}} : tensor<?x4x4xf32> -> tensor<?x16xf32>
  %1 = nn.reshape %y : tensor<?x4x4xf32> -> tensor<?x16xf32>
  // CHECK: nn.reshape %{{.*}} : tensor<1x1xi1> -> tensor<i1>
  %2 = nn.reshape %s : tensor<1x1xi1> -> tensor<i1>
  return %0, %1, %2 : tensor<6xf32>, tensor<?x16xf32>, tensor<i1>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<4x3xf32>, %y: tensor<?x3x5xf32>)
    -> (tensor<4x1xf32>, tensor<f32>, tensor<?x5xf32>, tensor<?x1x1xf32>, tensor<4x3xf32>) {
  // CHECK: nn.sum %{{.*}} dims = [1] keepdim : tensor<4x3xf32>
  %0 = nn.sum %x dims = [1] keepdim : tensor<4x3xf32>
  // CHECK: nn.mean %{{.*}} dims = [0, 1] : tensor<4x3xf32>
  %1 = nn.mean %x dims = [0, 1] : tensor<4x3xf32>
  // CHECK: nn.max %{{.*}} dims = [1] : tensor<?x3x5xf32>
  %2 = nn.max %y dims = [1] : tensor<?x3x5xf32>
  // CHECK: nn.mean %{{.*}} dims = [1, 2] keepdim : tensor<?x3x5xf32>
  %3 = nn.mean %y dims = [1, 2] keepdim : tensor<?x3x5xf32>
  // CHECK: nn.sum %{{.*}} dims = [] : tensor<4x3xf32>
  %4 = nn.sum %x dims = [] : tensor<4x3xf32>
  return %0, %1, %2, %3, %4 : tensor<4x1xf32>, tensor<f32>, tensor<?x5xf32>, tensor<?x1x1xf32>, tensor<4x3xf32>
}

// CHECK-LABEL: func.func @pow_sqrt
func.func @pow_sqrt(%x: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  // CHECK: nn.pow %{{.*}}, exponent = 2.500000e+00 : tensor<?x3xf32>
  %0 = nn.pow %x, exponent = 2.5 : tensor<?x3xf32>
  // CHECK: nn.sqrt %{{.*}} : tensor<?x3xf32>
  %1 = nn.sqrt %0 : tensor<?x3xf32>
  return %0, %1 : tensor<?x3xf32>, tensor<?x3xf32>
}

// CHECK-LABEL: func.func @softmax
func.func @softmax(%x: tensor<?x10xf64>) -> (tensor<?x10xf64>, tensor<?x10xf64>) {
  // CHECK: nn.softmax %{{.*}} dim = 1 : tensor<?x10xf64>
  %0 = nn.softmax %x dim = 1 : tensor<?x10xf64>
  // CHECK: nn.log_softmax %{{.*}} dim = 0 : tensor<?x10xf64>
  %1 = nn.log_softmax %x dim = 0 : tensor<?x10xf64>
  return %0, %1 : tensor<?x10xf64>, tensor<?x10xf64>
}

// Losses infer their result type from the reduction: rank 0 for mean and
// sum, per row (cross_entropy) or per element (mse_loss) for none.
// CHECK-LABEL: func.func @losses
func.func @losses(%logits: tensor<?x10xf32>, %target: tensor<?xi64>, %y: tensor<4x1xf32>, %t: tensor<4x1xf32>)
    -> (tensor<f32>, tensor<?xf32>, tensor<f32>, tensor<4x1xf32>) {
  // CHECK: nn.cross_entropy %{{.*}}, %{{.*}} reduction = mean : tensor<?x10xf32>, tensor<?xi64>
  %0 = nn.cross_entropy %logits, %target reduction = mean : tensor<?x10xf32>, tensor<?xi64>
  // CHECK: nn.cross_entropy %{{.*}}, %{{.*}} reduction = none : tensor<?x10xf32>, tensor<?xi64>
  %1 = nn.cross_entropy %logits, %target reduction = none : tensor<?x10xf32>, tensor<?xi64>
  // CHECK: nn.mse_loss %{{.*}}, %{{.*}} reduction = sum : tensor<4x1xf32>, tensor<4x1xf32>
  %2 = nn.mse_loss %y, %t reduction = sum : tensor<4x1xf32>, tensor<4x1xf32>
  // CHECK: nn.mse_loss %{{.*}}, %{{.*}} reduction = none : tensor<4x1xf32>, tensor<4x1xf32>
  %3 = nn.mse_loss %y, %t reduction = none : tensor<4x1xf32>, tensor<4x1xf32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<?xf32>, tensor<f32>, tensor<4x1xf32>
}

// The backward ops that VJPs emit.
// CHECK-LABEL: func.func @backward_ops
func.func @backward_ops(%g: tensor<1x3xf32>, %x: tensor<?x3xf32>, %dy: tensor<?x3xf32>,
                        %dl: tensor<f32>, %logits: tensor<4x10xf32>, %target: tensor<4xi64>)
    -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<4x10xf32>) {
  // CHECK: nn.broadcast_to %{{.*}} like %{{.*}} : tensor<1x3xf32>, tensor<?x3xf32>
  %0 = nn.broadcast_to %g like %x : tensor<1x3xf32>, tensor<?x3xf32>
  // CHECK: nn.equal_mask %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<1x3xf32>
  %1 = nn.equal_mask %x, %g : tensor<?x3xf32>, tensor<1x3xf32>
  // CHECK: nn.relu_grad %{{.*}}, %{{.*}} : tensor<?x3xf32>
  %2 = nn.relu_grad %dy, %x : tensor<?x3xf32>
  // CHECK: nn.cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} reduction = mean : tensor<f32>, tensor<4x10xf32>, tensor<4xi64>
  %3 = nn.cross_entropy_grad %dl, %logits, %target reduction = mean : tensor<f32>, tensor<4x10xf32>, tensor<4xi64>
  return %0, %1, %2, %3 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<4x10xf32>
}
