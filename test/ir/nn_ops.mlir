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

// Dtypes: integer arithmetic and reductions, and conversions between every
// pair of kinds (u8 is ui8, bool is i1).
// CHECK-LABEL: func.func @dtypes
func.func @dtypes(%i: tensor<4xi64>, %j: tensor<4xi32>, %h: tensor<4xf16>, %u: tensor<4xui8>)
    -> (tensor<4xi64>, tensor<i32>, tensor<4xbf16>, tensor<4xf32>, tensor<4xi1>) {
  // CHECK: nn.add %{{.*}}, %{{.*}} : tensor<4xi64>, tensor<4xi64>
  %0 = nn.add %i, %i : tensor<4xi64>, tensor<4xi64>
  // CHECK: nn.sum %{{.*}} dims = [0] : tensor<4xi32>
  %1 = nn.sum %j dims = [0] : tensor<4xi32>
  // CHECK: nn.convert %{{.*}} : tensor<4xf16> -> tensor<4xbf16>
  %2 = nn.convert %h : tensor<4xf16> -> tensor<4xbf16>
  // CHECK: nn.convert %{{.*}} : tensor<4xui8> -> tensor<4xf32>
  %3 = nn.convert %u : tensor<4xui8> -> tensor<4xf32>
  // CHECK: nn.convert %{{.*}} : tensor<4xi64> -> tensor<4xi1>
  %4 = nn.convert %i : tensor<4xi64> -> tensor<4xi1>
  return %0, %1, %2, %3, %4 : tensor<4xi64>, tensor<i32>, tensor<4xbf16>, tensor<4xf32>, tensor<4xi1>
}

// Comparisons give i1 in the broadcast shape; where selects.
// CHECK-LABEL: func.func @compare_and_select
func.func @compare_and_select(%a: tensor<4x3xf32>, %b: tensor<3xf32>, %m: tensor<4x3xi1>)
    -> (tensor<4x3xi1>, tensor<4x3xi1>, tensor<4x3xi1>, tensor<4x3xi1>, tensor<4x3xi1>, tensor<4x3xi1>, tensor<4x3xf32>) {
  // CHECK: nn.eq %{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3xf32>
  %0 = nn.eq %a, %b : tensor<4x3xf32>, tensor<3xf32>
  // CHECK: nn.ne %{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3xf32>
  %1 = nn.ne %a, %b : tensor<4x3xf32>, tensor<3xf32>
  // CHECK: nn.lt %{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3xf32>
  %2 = nn.lt %a, %b : tensor<4x3xf32>, tensor<3xf32>
  // CHECK: nn.le %{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3xf32>
  %3 = nn.le %a, %b : tensor<4x3xf32>, tensor<3xf32>
  // CHECK: nn.gt %{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3xf32>
  %4 = nn.gt %a, %b : tensor<4x3xf32>, tensor<3xf32>
  // CHECK: nn.ge %{{.*}}, %{{.*}} : tensor<4x3xi1>, tensor<4x3xi1>
  %5 = nn.ge %m, %0 : tensor<4x3xi1>, tensor<4x3xi1>
  // CHECK: nn.where %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x3xi1>, tensor<4x3xf32>, tensor<3xf32>
  %6 = nn.where %5, %a, %b : tensor<4x3xi1>, tensor<4x3xf32>, tensor<3xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4x3xi1>, tensor<4x3xi1>, tensor<4x3xi1>, tensor<4x3xi1>, tensor<4x3xi1>, tensor<4x3xi1>, tensor<4x3xf32>
}

// CHECK-LABEL: func.func @elementwise_math
func.func @elementwise_math(%x: tensor<?x3xf32>, %e: tensor<3xf32>, %i: tensor<?x3xi64>)
    -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xi64>, tensor<?x3xi64>) {
  // CHECK: nn.abs %{{.*}} : tensor<?x3xf32>
  %0 = nn.abs %x : tensor<?x3xf32>
  // CHECK: nn.sign %{{.*}} : tensor<?x3xf32>
  %1 = nn.sign %x : tensor<?x3xf32>
  // CHECK: nn.pow_tensor %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<3xf32>
  %2 = nn.pow_tensor %x, %e : tensor<?x3xf32>, tensor<3xf32>
  // CHECK: nn.clamp %{{.*}} min = -1.000000e+00 max = 1.000000e+00 : tensor<?x3xf32>
  %3 = nn.clamp %x min = -1.0 max = 1.0 : tensor<?x3xf32>
  // CHECK: nn.clamp %{{.*}} max = 5.000000e+00 : tensor<?x3xi64>
  %4 = nn.clamp %i max = 5.0 : tensor<?x3xi64>
  // CHECK: nn.abs %{{.*}} : tensor<?x3xi64>
  %5 = nn.abs %i : tensor<?x3xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xi64>, tensor<?x3xi64>
}

// CHECK-LABEL: func.func @slices_and_concat
func.func @slices_and_concat(%x: tensor<?x8xf32>, %y: tensor<?x2xf32>, %g: tensor<?x2xf32>)
    -> (tensor<?x2xf32>, tensor<?x8xf32>, tensor<?x10xf32>, tensor<8x?xf32>) {
  // CHECK: nn.slice %{{.*}} dim = 1 start = 1 end = 5 step = 2 : tensor<?x8xf32>
  %0 = nn.slice %x dim = 1 start = 1 end = 5 step = 2 : tensor<?x8xf32>
  // CHECK: nn.slice_grad %{{.*}} like %{{.*}} dim = 1 start = 1 end = 5 step = 2 : tensor<?x2xf32>, tensor<?x8xf32>
  %1 = nn.slice_grad %g like %x dim = 1 start = 1 end = 5 step = 2 : tensor<?x2xf32>, tensor<?x8xf32>
  // CHECK: nn.concat %{{.*}}, %{{.*}} dim = 1 : tensor<?x8xf32>, tensor<?x2xf32>
  %2 = nn.concat %x, %y dim = 1 : tensor<?x8xf32>, tensor<?x2xf32>
  // CHECK: nn.permute %{{.*}} dims = [1, 0] : tensor<?x8xf32>
  %3 = nn.permute %x dims = [1, 0] : tensor<?x8xf32>
  return %0, %1, %2, %3 : tensor<?x2xf32>, tensor<?x8xf32>, tensor<?x10xf32>, tensor<8x?xf32>
}

// CHECK-LABEL: func.func @gathers
func.func @gathers(%table: tensor<100x16xf32>, %ids: tensor<?xi64>, %x: tensor<4x10xf32>, %idx: tensor<4x1xi32>, %src: tensor<4x1xf32>)
    -> (tensor<?x16xf32>, tensor<4x1xf32>, tensor<4x10xf32>) {
  // CHECK: nn.index_select %{{.*}}, %{{.*}} dim = 0 : tensor<100x16xf32>, tensor<?xi64>
  %0 = nn.index_select %table, %ids dim = 0 : tensor<100x16xf32>, tensor<?xi64>
  // CHECK: nn.gather %{{.*}}, %{{.*}} dim = 1 : tensor<4x10xf32>, tensor<4x1xi32>
  %1 = nn.gather %x, %idx dim = 1 : tensor<4x10xf32>, tensor<4x1xi32>
  // CHECK: nn.scatter_add %{{.*}}, %{{.*}}, %{{.*}} dim = 1 : tensor<4x10xf32>, tensor<4x1xi32>, tensor<4x1xf32>
  %2 = nn.scatter_add %x, %idx, %src dim = 1 : tensor<4x10xf32>, tensor<4x1xi32>, tensor<4x1xf32>
  return %0, %1, %2 : tensor<?x16xf32>, tensor<4x1xf32>, tensor<4x10xf32>
}

// CHECK-LABEL: func.func @more_reductions
func.func @more_reductions(%x: tensor<?x8xf32>, %m: tensor<?x8xi1>)
    -> (tensor<?xf32>, tensor<?x1xf32>, tensor<8xf32>, tensor<f32>, tensor<?x1xf32>, tensor<?xi64>, tensor<?x1xi64>, tensor<i1>, tensor<?xi1>) {
  // CHECK: nn.min %{{.*}} dims = [1] : tensor<?x8xf32>
  %0 = nn.min %x dims = [1] : tensor<?x8xf32>
  // CHECK: nn.prod %{{.*}} dims = [1] keepdim : tensor<?x8xf32>
  %1 = nn.prod %x dims = [1] keepdim : tensor<?x8xf32>
  // CHECK: nn.logsumexp %{{.*}} dims = [0] : tensor<?x8xf32>
  %2 = nn.logsumexp %x dims = [0] : tensor<?x8xf32>
  // CHECK: nn.var %{{.*}} dims = [0, 1] correction = 0 : tensor<?x8xf32>
  %3 = nn.var %x dims = [0, 1] correction = 0 : tensor<?x8xf32>
  // CHECK: nn.std %{{.*}} dims = [1] correction = 1 keepdim : tensor<?x8xf32>
  %4 = nn.std %x dims = [1] correction = 1 keepdim : tensor<?x8xf32>
  // CHECK: nn.argmax %{{.*}} dim = 1 : tensor<?x8xf32>
  %5 = nn.argmax %x dim = 1 : tensor<?x8xf32>
  // CHECK: nn.argmin %{{.*}} dim = 1 keepdim : tensor<?x8xf32>
  %6 = nn.argmin %x dim = 1 keepdim : tensor<?x8xf32>
  // CHECK: nn.any %{{.*}} dims = [0, 1] : tensor<?x8xi1>
  %7 = nn.any %m dims = [0, 1] : tensor<?x8xi1>
  // CHECK: nn.all %{{.*}} dims = [1] : tensor<?x8xf32>
  %8 = nn.all %x dims = [1] : tensor<?x8xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<?xf32>, tensor<?x1xf32>, tensor<8xf32>, tensor<f32>, tensor<?x1xf32>, tensor<?xi64>, tensor<?x1xi64>, tensor<i1>, tensor<?xi1>
}

// torch.matmul's vector cases and bmm.
// CHECK-LABEL: func.func @matmul_ranks
func.func @matmul_ranks(%v: tensor<3xf32>, %m: tensor<3x4xf32>, %b: tensor<2x4x3xf32>, %c: tensor<2x3x5xf32>)
    -> (tensor<f32>, tensor<4xf32>, tensor<2x4xf32>, tensor<2x4x5xf32>) {
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xf32>
  %0 = nn.matmul %v, %v : tensor<3xf32>, tensor<3xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3x4xf32>
  %1 = nn.matmul %v, %m : tensor<3xf32>, tensor<3x4xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : tensor<2x4x3xf32>, tensor<3xf32>
  %2 = nn.matmul %b, %v : tensor<2x4x3xf32>, tensor<3xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : tensor<2x4x3xf32>, tensor<2x3x5xf32>
  %3 = nn.matmul %b, %c : tensor<2x4x3xf32>, tensor<2x3x5xf32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<4xf32>, tensor<2x4xf32>, tensor<2x4x5xf32>
}
