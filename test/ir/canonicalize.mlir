// RUN: nnc-opt %s -canonicalize -split-input-file | FileCheck %s

// Folds of nn ops under -canonicalize, and look-alikes that must stay.

// A reshape to the operand's own type is the operand.
// CHECK-LABEL: func.func @reshape_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: nn.reshape
// CHECK: return %[[X]]
func.func @reshape_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.reshape %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// reshape(reshape(x)) reads x directly.
// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = nn.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = nn.reshape %0 : tensor<24xf32> -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// A chain that comes back to the input type disappears; dynamic batch too.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x4xf32>)
// CHECK-NOT: nn.reshape
// CHECK: return %[[X]]
func.func @reshape_round_trip(%x: tensor<?x4x4xf32>) -> tensor<?x4x4xf32> {
  %0 = nn.reshape %x : tensor<?x4x4xf32> -> tensor<?x16xf32>
  %1 = nn.reshape %0 : tensor<?x16xf32> -> tensor<?x4x4xf32>
  return %1 : tensor<?x4x4xf32>
}

// -----

// The intermediate reshape keeps its other user.
// CHECK-LABEL: func.func @reshape_of_reshape_shared
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-DAG: %[[FLAT:.*]] = nn.reshape %[[X]] : tensor<2x3xf32> -> tensor<6xf32>
// CHECK-DAG: %[[T:.*]] = nn.reshape %[[X]] : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK: return %[[FLAT]], %[[T]]
func.func @reshape_of_reshape_shared(%x: tensor<2x3xf32>) -> (tensor<6xf32>, tensor<3x2xf32>) {
  %0 = nn.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %1 = nn.reshape %0 : tensor<6xf32> -> tensor<3x2xf32>
  return %0, %1 : tensor<6xf32>, tensor<3x2xf32>
}

// -----

// A reshape that changes the shape stays.
// CHECK-LABEL: func.func @reshape_kept
// CHECK: nn.reshape %{{.*}} : tensor<2x3xf32> -> tensor<3x2xf32>
func.func @reshape_kept(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = nn.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A reshaped constant is a constant of the new shape.
// CHECK-LABEL: func.func @reshape_constant
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-NEXT: return %[[C]]
func.func @reshape_constant() -> tensor<2x3xf32> {
  %c = nn.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]> : tensor<6xf32>
  %0 = nn.reshape %c : tensor<6xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Swapping a dim with itself is the identity.
// CHECK-LABEL: func.func @transpose_same_dim
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>)
// CHECK-NOT: nn.transpose
// CHECK: return %[[X]]
func.func @transpose_same_dim(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = nn.transpose %x, dim0 = 1, dim1 = 1 : tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Swapping the same pair twice, in either order, is the identity.
// CHECK-LABEL: func.func @transpose_of_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NOT: nn.transpose
// CHECK: return %[[X]], %[[X]]
func.func @transpose_of_transpose(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %0 = nn.transpose %x, dim0 = 0, dim1 = 2 : tensor<2x3x4xf32>
  %1 = nn.transpose %0, dim0 = 0, dim1 = 2 : tensor<4x3x2xf32>
  %2 = nn.transpose %0, dim0 = 2, dim1 = 0 : tensor<4x3x2xf32>
  return %1, %2 : tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// -----

// Two transposes of different pairs compose to a rotation: both stay.
// CHECK-LABEL: func.func @transpose_different_pairs
// CHECK: %[[T0:.*]] = nn.transpose %{{.*}}, dim0 = 0, dim1 = 1 : tensor<2x3x4xf32>
// CHECK: nn.transpose %[[T0]], dim0 = 1, dim1 = 2 : tensor<3x2x4xf32>
func.func @transpose_different_pairs(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = nn.transpose %x, dim0 = 0, dim1 = 1 : tensor<2x3x4xf32>
  %1 = nn.transpose %0, dim0 = 1, dim1 = 2 : tensor<3x2x4xf32>
  return %1 : tensor<3x4x2xf32>
}

// -----

// The weight gradient of x . W^T: transpose(transpose(x) . dy) becomes
// transpose(dy) . x, computed in W's layout.
// CHECK-LABEL: func.func @transposed_product_of_transpose(
// CHECK-SAME:      %[[X:.*]]: tensor<64x784xf32>, %[[DY:.*]]: tensor<64x128xf32>)
// CHECK:         %[[DYT:.*]] = nn.transpose %[[DY]], dim0 = 0, dim1 = 1 : tensor<64x128xf32>
// CHECK:         %[[GRAD:.*]] = nn.matmul %[[DYT]], %[[X]] : tensor<128x64xf32>, tensor<64x784xf32>
// CHECK:         return %[[GRAD]] : tensor<128x784xf32>
func.func @transposed_product_of_transpose(%x: tensor<64x784xf32>, %dy: tensor<64x128xf32>) -> tensor<128x784xf32> {
  %0 = nn.transpose %x, dim0 = 0, dim1 = 1 : tensor<64x784xf32>
  %1 = nn.matmul %0, %dy : tensor<784x64xf32>, tensor<64x128xf32>
  %2 = nn.transpose %1, dim0 = 1, dim1 = 0 : tensor<784x128xf32>
  return %2 : tensor<128x784xf32>
}

// -----

// The product has another user, or its left operand is no transpose: a
// rewrite would add a transpose, so they stay.
// CHECK-LABEL: func.func @transposed_product_kept(
// CHECK:         %[[P:.*]] = nn.matmul
// CHECK:         nn.transpose %[[P]], dim0 = 0, dim1 = 1 : tensor<784x128xf32>
// CHECK:         %[[Q:.*]] = nn.matmul %{{.*}}, %{{.*}} : tensor<4x5xf32>, tensor<5x6xf32>
// CHECK:         nn.transpose %[[Q]], dim0 = 0, dim1 = 1 : tensor<4x6xf32>
func.func @transposed_product_kept(%x: tensor<64x784xf32>, %dy: tensor<64x128xf32>, %a: tensor<4x5xf32>, %b: tensor<5x6xf32>) -> (tensor<128x784xf32>, tensor<784x128xf32>, tensor<6x4xf32>) {
  %0 = nn.transpose %x, dim0 = 0, dim1 = 1 : tensor<64x784xf32>
  %1 = nn.matmul %0, %dy : tensor<784x64xf32>, tensor<64x128xf32>
  %2 = nn.transpose %1, dim0 = 0, dim1 = 1 : tensor<784x128xf32>
  %3 = nn.matmul %a, %b : tensor<4x5xf32>, tensor<5x6xf32>
  %4 = nn.transpose %3, dim0 = 0, dim1 = 1 : tensor<4x6xf32>
  return %2, %1, %4 : tensor<128x784xf32>, tensor<784x128xf32>, tensor<6x4xf32>
}

// -----

// A square transpose keeps its type but is not the identity.
// CHECK-LABEL: func.func @transpose_square_kept
// CHECK: nn.transpose %{{.*}}, dim0 = 0, dim1 = 1 : tensor<3x3xf32>
func.func @transpose_square_kept(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = nn.transpose %x, dim0 = 0, dim1 = 1 : tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Arithmetic on same-shape constants folds (IEEE rounding, 1/0 = inf).
// CHECK-LABEL: func.func @constant_arithmetic
// CHECK-DAG: nn.constant dense<[4.000000e+00, 6.000000e+00]> : tensor<2xf32>
// CHECK-DAG: nn.constant dense<-2.000000e+00> : tensor<2xf32>
// CHECK-DAG: nn.constant dense<[3.000000e+00, 8.000000e+00]> : tensor<2xf32>
// CHECK-DAG: nn.constant dense<[3.000000e+00, 0x7F800000]> : tensor<2xf32>
// CHECK-DAG: nn.constant dense<[-1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK-NOT: nn.add
// CHECK-NOT: nn.sub
// CHECK-NOT: nn.mul
// CHECK-NOT: nn.div
// CHECK-NOT: nn.neg
func.func @constant_arithmetic() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = nn.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %z = nn.constant dense<[0.333333343, 0.0]> : tensor<2xf32>
  %0 = nn.add %a, %b : tensor<2xf32>, tensor<2xf32>
  %1 = nn.sub %a, %b : tensor<2xf32>, tensor<2xf32>
  %2 = nn.mul %a, %b : tensor<2xf32>, tensor<2xf32>
  %3 = nn.div %a, %z : tensor<2xf32>, tensor<2xf32>
  %4 = nn.neg %a : tensor<2xf32>
  return %0, %1, %2, %3, %4 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Broadcasting constants are not folded (left to the lowering).
// CHECK-LABEL: func.func @constant_broadcast_kept
// CHECK: nn.add %{{.*}}, %{{.*}} : tensor<2x2xf32>, tensor<2xf32>
func.func @constant_broadcast_kept() -> tensor<2x2xf32> {
  %a = nn.constant dense<1.0> : tensor<2x2xf32>
  %b = nn.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %0 = nn.add %a, %b : tensor<2x2xf32>, tensor<2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Arithmetic with a non-constant operand stays; x * 0 is not 0 (NaN, inf).
// CHECK-LABEL: func.func @non_constant_kept
// CHECK: nn.mul %{{.*}}, %{{.*}} : tensor<2xf32>, tensor<2xf32>
func.func @non_constant_kept(%x: tensor<2xf32>) -> tensor<2xf32> {
  %z = nn.constant dense<0.0> : tensor<2xf32>
  %0 = nn.mul %x, %z : tensor<2xf32>, tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// -(-x) is x bit for bit; a single negation stays.
// CHECK-LABEL: func.func @neg_of_neg
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK-NEXT: %[[N:.*]] = nn.neg %[[X]]
// CHECK-NEXT: return %[[X]], %[[N]]
func.func @neg_of_neg(%x: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %0 = nn.neg %x : tensor<?x3xf32>
  %1 = nn.neg %0 : tensor<?x3xf32>
  return %1, %0 : tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

// Unused pure ops are erased.
// CHECK-LABEL: func.func @dead_ops
// CHECK-NOT: nn.
// CHECK: return
func.func @dead_ops(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>) {
  %0 = nn.exp %x : tensor<4x3xf32>
  %1 = nn.matmul %x, %w : tensor<4x3xf32>, tensor<3x2xf32>
  return
}

// -----

// The identity permutation and a conversion to the same type fold away;
// a real permutation and a narrowing conversion stay.
// CHECK-LABEL: func.func @permute_and_convert
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[P:.*]] = nn.permute %[[X]] dims = [1, 0] : tensor<2x3xf32>
// CHECK-NEXT: %[[H:.*]] = nn.convert %[[X]] : tensor<2x3xf32> -> tensor<2x3xf16>
// CHECK-NEXT: return %[[X]], %[[X]], %[[P]], %[[H]]
func.func @permute_and_convert(%x: tensor<2x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3x2xf32>, tensor<2x3xf16>) {
  %0 = nn.permute %x dims = [0, 1] : tensor<2x3xf32>
  %1 = nn.convert %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = nn.permute %x dims = [1, 0] : tensor<2x3xf32>
  %3 = nn.convert %x : tensor<2x3xf32> -> tensor<2x3xf16>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<3x2xf32>, tensor<2x3xf16>
}

// -----

// Integer arithmetic on constants folds too (splats and element lists),
// wrapping as the hardware does: u8 200 + 100 is 44.
// CHECK-LABEL: func.func @integer_constants
// CHECK-DAG: %[[A:.*]] = nn.constant dense<[2, 4]> : tensor<2xi64>
// CHECK-DAG: %[[B:.*]] = nn.constant dense<-9> : tensor<3xi32>
// CHECK-DAG: %[[C:.*]] = nn.constant dense<44> : tensor<2xui8>
// CHECK-NOT: nn.add
// CHECK-NOT: nn.neg
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @integer_constants() -> (tensor<2xi64>, tensor<3xi32>, tensor<2xui8>) {
  %a = nn.constant dense<[1, 2]> : tensor<2xi64>
  %0 = nn.add %a, %a : tensor<2xi64>, tensor<2xi64>
  %b = nn.constant dense<3> : tensor<3xi32>
  %1 = nn.mul %b, %b : tensor<3xi32>, tensor<3xi32>
  %2 = nn.neg %1 : tensor<3xi32>
  %c = nn.constant dense<200> : tensor<2xui8>
  %d = nn.constant dense<100> : tensor<2xui8>
  %3 = nn.add %c, %d : tensor<2xui8>, tensor<2xui8>
  return %0, %2, %3 : tensor<2xi64>, tensor<3xi32>, tensor<2xui8>
}
