// RUN: nnc-opt %s -nn-autodiff -split-input-file | FileCheck %s

// nn-autodiff adds @<name>_grad beside each function with arguments marked
// nn.requires_grad: the forward ops, then the VJPs in reverse order, seeded
// with 1, returning the original results and one gradient per marked
// argument. Each case shows one op kind's backward graph.

// The original function is kept, unchanged.
// CHECK-LABEL: func.func @add_bias(
// CHECK-SAME: %{{.*}}: tensor<3xf32> {nn.requires_grad}
// CHECK-NEXT: nn.add
// CHECK-NEXT: nn.sum
// CHECK-NEXT: return
// Broadcasting: the bias gradient sums the broadcast dim away. The marker
// is gone from the gradient function.
// CHECK-LABEL: func.func @add_bias_grad
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
// CHECK: %[[Y:.*]] = nn.add %[[X]], %[[B]]
// CHECK: %[[LOSS:.*]] = nn.sum %[[Y]] dims = [0, 1]
// CHECK: %[[SEED:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[SEED2:.*]] = nn.reshape %[[SEED]] : tensor<f32> -> tensor<1x1xf32>
// CHECK: %[[DY:.*]] = nn.broadcast_to %[[SEED2]] like %[[Y]] : tensor<1x1xf32>, tensor<4x3xf32>
// CHECK: %[[DB:.*]] = nn.sum %[[DY]] dims = [0] : tensor<4x3xf32>
// CHECK: return %[[LOSS]], %[[DB]] : tensor<f32>, tensor<3xf32>
func.func @add_bias(%x: tensor<4x3xf32>, %b: tensor<3xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.add %x, %b : tensor<4x3xf32>, tensor<3xf32>
  %1 = nn.sum %0 dims = [0, 1] : tensor<4x3xf32>
  return %1 : tensor<f32>
}

// -----

// sub: the rhs gradient is negated after it is reduced (fewer elements).
// CHECK-LABEL: func.func @sub_grad
// CHECK: %[[DY:.*]] = nn.broadcast_to
// CHECK: %[[DB:.*]] = nn.sum %[[DY]] dims = [0] : tensor<2x3xf32>
// CHECK: %[[NEG:.*]] = nn.neg %[[DB]] : tensor<3xf32>
// CHECK: return %{{.*}}, %[[DY]], %[[NEG]] : tensor<f32>, tensor<2x3xf32>, tensor<3xf32>
func.func @sub(%a: tensor<2x3xf32> {nn.requires_grad}, %b: tensor<3xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.sub %a, %b : tensor<2x3xf32>, tensor<3xf32>
  %1 = nn.sum %0 dims = [0, 1] : tensor<2x3xf32>
  return %1 : tensor<f32>
}

// -----

// mul: each operand's gradient is g times the other operand; the stretched
// size-1 dim of %b is summed with keepdim.
// CHECK-LABEL: func.func @mul_grad
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x1xf32>)
// CHECK: %[[DY:.*]] = nn.broadcast_to
// CHECK: %[[DA:.*]] = nn.mul %[[DY]], %[[B]] : tensor<2x3xf32>, tensor<2x1xf32>
// CHECK: %[[GB:.*]] = nn.mul %[[DY]], %[[A]] : tensor<2x3xf32>, tensor<2x3xf32>
// CHECK: %[[DB:.*]] = nn.sum %[[GB]] dims = [1] keepdim : tensor<2x3xf32>
// CHECK: return %{{.*}}, %[[DA]], %[[DB]] : tensor<f32>, tensor<2x3xf32>, tensor<2x1xf32>
func.func @mul(%a: tensor<2x3xf32> {nn.requires_grad}, %b: tensor<2x1xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.mul %a, %b : tensor<2x3xf32>, tensor<2x1xf32>
  %1 = nn.sum %0 dims = [0, 1] : tensor<2x3xf32>
  return %1 : tensor<f32>
}

// -----

// div: d/da = g / b, d/db = -(g * a / (b * b)).
// CHECK-LABEL: func.func @div_grad
// CHECK-SAME: (%[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: %[[DY:.*]] = nn.broadcast_to
// CHECK: %[[DA:.*]] = nn.div %[[DY]], %[[B]]
// CHECK: %[[BB:.*]] = nn.mul %[[B]], %[[B]]
// CHECK: %[[GA:.*]] = nn.mul %[[DY]], %[[A]]
// CHECK: %[[Q:.*]] = nn.div %[[GA]], %[[BB]]
// CHECK: %[[DB:.*]] = nn.neg %[[Q]]
// CHECK: return %{{.*}}, %[[DA]], %[[DB]]
func.func @div(%a: tensor<3xf32> {nn.requires_grad}, %b: tensor<3xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.div %a, %b : tensor<3xf32>, tensor<3xf32>
  %1 = nn.sum %0 dims = [0] : tensor<3xf32>
  return %1 : tensor<f32>
}

// -----

// A chain of unary ops, differentiated last to first; each VJP reuses the
// forward values (results where the derivative is a function of them).
// CHECK-LABEL: func.func @unary_grad
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK: %[[NEG:.*]] = nn.neg %[[X]]
// CHECK: %[[EXP:.*]] = nn.exp %[[NEG]]
// CHECK: %[[LOG:.*]] = nn.log %[[EXP]]
// CHECK: %[[TANH:.*]] = nn.tanh %[[LOG]]
// CHECK: %[[SIG:.*]] = nn.sigmoid %[[TANH]]
// CHECK: %[[RELU:.*]] = nn.relu %[[SIG]]
// CHECK: %[[SQRT:.*]] = nn.sqrt %[[RELU]]
// CHECK: %[[POW:.*]] = nn.pow %[[SQRT]], exponent = 3.000000e+00
// CHECK: %[[D_POW:.*]] = nn.broadcast_to %{{.*}} like %[[POW]]
// pow: g * 3 * x^2
// CHECK: %[[SQUARE:.*]] = nn.pow %[[SQRT]], exponent = 2.000000e+00
// CHECK: %[[THREE:.*]] = nn.constant dense<3.000000e+00> : tensor<f32>
// CHECK: %[[SLOPE:.*]] = nn.mul %[[SQUARE]], %[[THREE]]
// CHECK: %[[D_SQRT:.*]] = nn.mul %[[D_POW]], %[[SLOPE]]
// sqrt: g / (2 * sqrt(x))
// CHECK: %[[TWO:.*]] = nn.constant dense<2.000000e+00> : tensor<f32>
// CHECK: %[[TWICE:.*]] = nn.mul %[[TWO]], %[[SQRT]]
// CHECK: %[[D_RELU:.*]] = nn.div %[[D_SQRT]], %[[TWICE]]
// relu: masked by its input
// CHECK: %[[D_SIG:.*]] = nn.relu_grad %[[D_RELU]], %[[SIG]]
// sigmoid: g * y * (1 - y)
// CHECK: %[[ONE:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[ONE_MINUS:.*]] = nn.sub %[[ONE]], %[[SIG]]
// CHECK: %[[SIG_SLOPE:.*]] = nn.mul %[[SIG]], %[[ONE_MINUS]]
// CHECK: %[[D_TANH:.*]] = nn.mul %[[D_SIG]], %[[SIG_SLOPE]]
// tanh: g * (1 - y * y)
// CHECK: %[[SQ:.*]] = nn.mul %[[TANH]], %[[TANH]]
// CHECK: %[[TANH_SLOPE:.*]] = nn.sub %{{.*}}, %[[SQ]]
// CHECK: %[[D_LOG:.*]] = nn.mul %[[D_TANH]], %[[TANH_SLOPE]]
// log: g / x; exp: g * y; neg: -g
// CHECK: %[[D_EXP:.*]] = nn.div %[[D_LOG]], %[[EXP]]
// CHECK: %[[D_NEG:.*]] = nn.mul %[[D_EXP]], %[[EXP]]
// CHECK: %[[DX:.*]] = nn.neg %[[D_NEG]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @unary(%x: tensor<3xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.neg %x : tensor<3xf32>
  %1 = nn.exp %0 : tensor<3xf32>
  %2 = nn.log %1 : tensor<3xf32>
  %3 = nn.tanh %2 : tensor<3xf32>
  %4 = nn.sigmoid %3 : tensor<3xf32>
  %5 = nn.relu %4 : tensor<3xf32>
  %6 = nn.sqrt %5 : tensor<3xf32>
  %7 = nn.pow %6, exponent = 3.0 : tensor<3xf32>
  %8 = nn.sum %7 dims = [0] : tensor<3xf32>
  return %8 : tensor<f32>
}

// -----

// A batched lhs times a shared weight: the weight gradient is one matmul
// of the flattened rows ([16, ?] x [?, 4]), not a batch of products to sum.
// The mean over a dynamic dim counts its elements with a sum of ones.
// CHECK-LABEL: func.func @matmul_batched_grad
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x16xf32>, %[[W:.*]]: tensor<16x4xf32>)
// CHECK: %[[Y:.*]] = nn.matmul %[[X]], %[[W]]
// CHECK: %[[ONES:.*]] = nn.broadcast_to %{{.*}} like %[[Y]] : tensor<f32>, tensor<?x8x4xf32>
// CHECK: %[[COUNT:.*]] = nn.sum %[[ONES]] dims = [0, 1, 2] keepdim
// CHECK: %[[SCALED:.*]] = nn.div %{{.*}}, %[[COUNT]] : tensor<1x1x1xf32>, tensor<1x1x1xf32>
// CHECK: %[[DY:.*]] = nn.broadcast_to %[[SCALED]] like %[[Y]] : tensor<1x1x1xf32>, tensor<?x8x4xf32>
// CHECK: %[[WT:.*]] = nn.transpose %[[W]], dim0 = 0, dim1 = 1 : tensor<16x4xf32>
// CHECK: %[[DX:.*]] = nn.matmul %[[DY]], %[[WT]] : tensor<?x8x4xf32>, tensor<4x16xf32>
// CHECK: %[[ROWS:.*]] = nn.reshape %[[X]] : tensor<?x8x16xf32> -> tensor<?x16xf32>
// CHECK: %[[DROWS:.*]] = nn.reshape %[[DY]] : tensor<?x8x4xf32> -> tensor<?x4xf32>
// CHECK: %[[ROWST:.*]] = nn.transpose %[[ROWS]], dim0 = 0, dim1 = 1 : tensor<?x16xf32>
// CHECK: %[[DW:.*]] = nn.matmul %[[ROWST]], %[[DROWS]] : tensor<16x?xf32>, tensor<?x4xf32>
// CHECK: return %{{.*}}, %[[DX]], %[[DW]] : tensor<f32>, tensor<?x8x16xf32>, tensor<16x4xf32>
func.func @matmul_batched(%x: tensor<?x8x16xf32> {nn.requires_grad}, %w: tensor<16x4xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.matmul %x, %w : tensor<?x8x16xf32>, tensor<16x4xf32>
  %1 = nn.mean %0 dims = [0, 1, 2] : tensor<?x8x4xf32>
  return %1 : tensor<f32>
}

// -----

// max shares the gradient among the elements equal to the maximum; reshape
// and transpose undo themselves.
// CHECK-LABEL: func.func @shape_ops_grad
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[T:.*]] = nn.transpose %[[X]], dim0 = 0, dim1 = 1
// CHECK: %[[FLAT:.*]] = nn.reshape %[[T]] : tensor<3x2xf32> -> tensor<6xf32>
// CHECK: %[[MAX:.*]] = nn.max %[[FLAT]] dims = [0]
// CHECK: %[[G:.*]] = nn.reshape %{{.*}} : tensor<f32> -> tensor<1xf32>
// CHECK: %[[MAX1:.*]] = nn.reshape %[[MAX]] : tensor<f32> -> tensor<1xf32>
// CHECK: %[[MASK:.*]] = nn.equal_mask %[[FLAT]], %[[MAX1]] : tensor<6xf32>, tensor<1xf32>
// CHECK: %[[TIES:.*]] = nn.sum %[[MASK]] dims = [0] keepdim
// CHECK: %[[SHARE:.*]] = nn.div %[[G]], %[[TIES]]
// CHECK: %[[DFLAT:.*]] = nn.mul %[[MASK]], %[[SHARE]] : tensor<6xf32>, tensor<1xf32>
// CHECK: %[[DT:.*]] = nn.reshape %[[DFLAT]] : tensor<6xf32> -> tensor<3x2xf32>
// CHECK: %[[DX:.*]] = nn.transpose %[[DT]], dim0 = 0, dim1 = 1 : tensor<3x2xf32>
// CHECK: return %[[MAX]], %[[DX]]
func.func @shape_ops(%x: tensor<2x3xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.transpose %x, dim0 = 0, dim1 = 1 : tensor<2x3xf32>
  %1 = nn.reshape %0 : tensor<3x2xf32> -> tensor<6xf32>
  %2 = nn.max %1 dims = [0] : tensor<6xf32>
  return %2 : tensor<f32>
}

// -----

// softmax: y * (g - sum(g * y)); log_softmax: g - exp(y) * sum(g);
// mse_loss: 2 * (input - target) * g; the two paths into %x add up.
// CHECK-LABEL: func.func @softmax_grad
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>, %[[T:.*]]: tensor<4x10xf32>)
// CHECK: %[[SM:.*]] = nn.softmax %[[X]] dim = 1
// CHECK: %[[LSM:.*]] = nn.log_softmax %[[X]] dim = 1
// CHECK: %[[SEED:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[N:.*]] = nn.constant dense<4.000000e+01> : tensor<f32>
// CHECK: %[[DMEAN:.*]] = nn.div %{{.*}}, %[[N]] : tensor<1x1xf32>, tensor<f32>
// CHECK: %[[DLSM:.*]] = nn.broadcast_to %[[DMEAN]] like %[[LSM]]
// CHECK: %[[TWO:.*]] = nn.constant dense<2.000000e+00> : tensor<f32>
// CHECK: %[[SCALE:.*]] = nn.mul %[[SEED]], %[[TWO]] : tensor<f32>, tensor<f32>
// CHECK: %[[DIFF:.*]] = nn.sub %[[SM]], %[[T]]
// CHECK: %[[DSM:.*]] = nn.mul %[[DIFF]], %[[SCALE]] : tensor<4x10xf32>, tensor<f32>
// CHECK: %[[TOTAL:.*]] = nn.sum %[[DLSM]] dims = [1] keepdim
// CHECK: %[[P:.*]] = nn.exp %[[LSM]]
// CHECK: %[[PT:.*]] = nn.mul %[[P]], %[[TOTAL]] : tensor<4x10xf32>, tensor<4x1xf32>
// CHECK: %[[DX1:.*]] = nn.sub %[[DLSM]], %[[PT]]
// CHECK: %[[GY:.*]] = nn.mul %[[DSM]], %[[SM]]
// CHECK: %[[DOT:.*]] = nn.sum %[[GY]] dims = [1] keepdim
// CHECK: %[[CENTERED:.*]] = nn.sub %[[DSM]], %[[DOT]] : tensor<4x10xf32>, tensor<4x1xf32>
// CHECK: %[[DX2:.*]] = nn.mul %[[SM]], %[[CENTERED]]
// CHECK: %[[DX:.*]] = nn.add %[[DX1]], %[[DX2]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @softmax(%x: tensor<4x10xf32> {nn.requires_grad}, %t: tensor<4x10xf32>) -> tensor<f32> {
  %0 = nn.softmax %x dim = 1 : tensor<4x10xf32>
  %1 = nn.log_softmax %x dim = 1 : tensor<4x10xf32>
  %2 = nn.mse_loss %0, %t reduction = sum : tensor<4x10xf32>, tensor<4x10xf32>
  %3 = nn.mean %1 dims = [0, 1] : tensor<4x10xf32>
  %4 = nn.add %2, %3 : tensor<f32>, tensor<f32>
  return %4 : tensor<f32>
}

// -----

// A value used twice gets the sum of both gradients; an argument the loss
// does not depend on gets zeros.
// CHECK-LABEL: func.func @twice_grad
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %{{.*}}: tensor<2xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<2xf32>)
// CHECK: %[[DY:.*]] = nn.broadcast_to
// CHECK: %[[D1:.*]] = nn.mul %[[DY]], %[[X]]
// CHECK: %[[D2:.*]] = nn.mul %[[DY]], %[[X]]
// CHECK: %[[DX:.*]] = nn.add %[[D1]], %[[D2]]
// CHECK: %[[ZEROS:.*]] = nn.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: return %{{.*}}, %[[DX]], %[[ZEROS]]
func.func @twice(%x: tensor<3xf32> {nn.requires_grad}, %unused: tensor<2xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.mul %x, %x : tensor<3xf32>, tensor<3xf32>
  %1 = nn.sum %0 dims = [0] : tensor<3xf32>
  return %1 : tensor<f32>
}

// -----

// A traced MLP classifier (x @ W^T + b, relu, cross-entropy) with every
// parameter marked: the logits' gradient is one nn.cross_entropy_grad; the
// other results (the logits) are returned too; gradients of the input %x,
// which is not marked, are never built (dead ops are removed).
// CHECK-LABEL: func.func @mlp_grad
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[TARGET:.*]]: tensor<8xi64>, %[[W1:.*]]: tensor<16x4xf32>, %[[B1:.*]]: tensor<16xf32>, %[[W2:.*]]: tensor<3x16xf32>, %[[B2:.*]]: tensor<3xf32>)
// CHECK-SAME: -> (tensor<f32>, tensor<8x3xf32>, tensor<16x4xf32>, tensor<16xf32>, tensor<3x16xf32>, tensor<3xf32>)
// CHECK: %[[W1T:.*]] = nn.transpose %[[W1]]
// CHECK: %[[H:.*]] = nn.matmul %[[X]], %[[W1T]]
// CHECK: %[[HB:.*]] = nn.add %[[H]], %[[B1]]
// CHECK: %[[A:.*]] = nn.relu %[[HB]]
// CHECK: %[[W2T:.*]] = nn.transpose %[[W2]]
// CHECK: %[[O:.*]] = nn.matmul %[[A]], %[[W2T]]
// CHECK: %[[LOGITS:.*]] = nn.add %[[O]], %[[B2]]
// CHECK: %[[LOSS:.*]] = nn.cross_entropy %[[LOGITS]], %[[TARGET]] reduction = mean
// CHECK: %[[SEED:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DLOGITS:.*]] = nn.cross_entropy_grad %[[SEED]], %[[LOGITS]], %[[TARGET]] reduction = mean : tensor<f32>, tensor<8x3xf32>, tensor<8xi64>
// CHECK: %[[DB2:.*]] = nn.sum %[[DLOGITS]] dims = [0] : tensor<8x3xf32>
// CHECK: %[[W2TT:.*]] = nn.transpose %[[W2T]]
// CHECK: %[[DA:.*]] = nn.matmul %[[DLOGITS]], %[[W2TT]] : tensor<8x3xf32>, tensor<3x16xf32>
// CHECK: %[[AT:.*]] = nn.transpose %[[A]]
// CHECK: %[[DW2T:.*]] = nn.matmul %[[AT]], %[[DLOGITS]] : tensor<16x8xf32>, tensor<8x3xf32>
// CHECK: %[[DW2:.*]] = nn.transpose %[[DW2T]], dim0 = 0, dim1 = 1 : tensor<16x3xf32>
// CHECK: %[[DHB:.*]] = nn.relu_grad %[[DA]], %[[HB]]
// CHECK: %[[DB1:.*]] = nn.sum %[[DHB]] dims = [0] : tensor<8x16xf32>
// CHECK: %[[XT:.*]] = nn.transpose %[[X]]
// CHECK: %[[DW1T:.*]] = nn.matmul %[[XT]], %[[DHB]] : tensor<4x8xf32>, tensor<8x16xf32>
// CHECK: %[[DW1:.*]] = nn.transpose %[[DW1T]], dim0 = 0, dim1 = 1 : tensor<4x16xf32>
// CHECK: return %[[LOSS]], %[[LOGITS]], %[[DW1]], %[[DB1]], %[[DW2]], %[[DB2]]
func.func @mlp(%x: tensor<8x4xf32>, %t: tensor<8xi64>,
               %w1: tensor<16x4xf32> {nn.requires_grad}, %b1: tensor<16xf32> {nn.requires_grad},
               %w2: tensor<3x16xf32> {nn.requires_grad}, %b2: tensor<3xf32> {nn.requires_grad})
    -> (tensor<f32>, tensor<8x3xf32>) {
  %w1t = nn.transpose %w1, dim0 = 0, dim1 = 1 : tensor<16x4xf32>
  %h = nn.matmul %x, %w1t : tensor<8x4xf32>, tensor<4x16xf32>
  %hb = nn.add %h, %b1 : tensor<8x16xf32>, tensor<16xf32>
  %a = nn.relu %hb : tensor<8x16xf32>
  %w2t = nn.transpose %w2, dim0 = 0, dim1 = 1 : tensor<3x16xf32>
  %o = nn.matmul %a, %w2t : tensor<8x16xf32>, tensor<16x3xf32>
  %ob = nn.add %o, %b2 : tensor<8x3xf32>, tensor<3xf32>
  %l = nn.cross_entropy %ob, %t reduction = mean : tensor<8x3xf32>, tensor<8xi64>
  return %l, %ob : tensor<f32>, tensor<8x3xf32>
}

// -----

// A function without marked arguments is left alone.
// CHECK-LABEL: func.func @inference
// CHECK-NOT: func.func @inference_grad
func.func @inference(%x: tensor<3xf32>) -> tensor<f32> {
  %0 = nn.sum %x dims = [0] : tensor<3xf32>
  return %0 : tensor<f32>
}
