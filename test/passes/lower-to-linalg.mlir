// RUN: nnc-opt %s -nn-lower-to-linalg -split-input-file | FileCheck %s

// Each nn op's lowering to linalg/tensor/arith/math on tensors.

// Same-shape binary op: identity maps, arith body.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @add_same_shape
// CHECK-SAME: (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<4x3xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<4x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x3xf32>, tensor<4x3xf32>) outs(%[[INIT]] : tensor<4x3xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK:   linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @add_same_shape(%a: tensor<4x3xf32>, %b: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = nn.add %a, %b : tensor<4x3xf32>, tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Broadcasting: the missing leading dim is dropped from the rhs map, a
// size-1 dim reads index 0.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[STRETCH:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-LABEL: func.func @sub_broadcast
// CHECK: tensor.empty() : tensor<2x4x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[STRETCH]], #[[ROW]], #[[ID]]]
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<2x1x3xf32>, tensor<4x3xf32>)
// CHECK: arith.subf
func.func @sub_broadcast(%a: tensor<2x1x3xf32>, %b: tensor<4x3xf32>) -> tensor<2x4x3xf32> {
  %0 = nn.sub %a, %b : tensor<2x1x3xf32>, tensor<4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// A rank-0 operand broadcasts through an empty map.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @div_by_scalar
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[ID]]]
// CHECK: arith.divf
func.func @div_by_scalar(%a: tensor<5xf32>, %s: tensor<f32>) -> tensor<5xf32> {
  %0 = nn.div %a, %s : tensor<5xf32>, tensor<f32>
  return %0 : tensor<5xf32>
}

// -----

// A dynamic batch dim sizes the result through tensor.dim; the bias row and
// the per-row scale (?x1) broadcast against it.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @mul_dynamic_batch
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>, %[[BIAS_ARG:.*]]: tensor<3xf32>, %[[SCALE:.*]]: tensor<?x1xf32>)
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x3xf32>
// CHECK: %[[INIT:.*]] = tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: %[[ADD:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[BIAS]], #[[ID]]]
// CHECK-SAME: outs(%[[INIT]] : tensor<?x3xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]]
// CHECK-SAME: ins(%[[ADD]], %[[SCALE]] : tensor<?x3xf32>, tensor<?x1xf32>)
// CHECK: arith.mulf
func.func @mul_dynamic_batch(%x: tensor<?x3xf32>, %bias: tensor<3xf32>, %scale: tensor<?x1xf32>) -> tensor<?x3xf32> {
  %0 = nn.add %x, %bias : tensor<?x3xf32>, tensor<3xf32>
  %1 = nn.mul %0, %scale : tensor<?x3xf32>, tensor<?x1xf32>
  return %1 : tensor<?x3xf32>
}

// -----

// Unary ops: one linalg.generic each, body in arith/math.
// CHECK-LABEL: func.func @unary
// CHECK: linalg.generic
// CHECK:   arith.negf
// CHECK: linalg.generic
// CHECK:   math.exp
// CHECK: linalg.generic
// CHECK:   math.log
// CHECK: linalg.generic
// CHECK:   math.tanh
func.func @unary(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.neg %x : tensor<?x3xf32>
  %1 = nn.exp %0 : tensor<?x3xf32>
  %2 = nn.log %1 : tensor<?x3xf32>
  %3 = nn.tanh %2 : tensor<?x3xf32>
  return %3 : tensor<?x3xf32>
}

// -----

// sigmoid(x) = 1 / (1 + exp(-x)).
// CHECK-LABEL: func.func @sigmoid
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f64, %{{.*}}: f64):
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG: %[[NEG:.*]] = arith.negf %[[X]] : f64
// CHECK: %[[EXP:.*]] = math.exp %[[NEG]] : f64
// CHECK: %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f64
// CHECK: %[[R:.*]] = arith.divf %[[ONE]], %[[DEN]] : f64
// CHECK: linalg.yield %[[R]] : f64
func.func @sigmoid(%x: tensor<8xf64>) -> tensor<8xf64> {
  %0 = nn.sigmoid %x : tensor<8xf64>
  return %0 : tensor<8xf64>
}

// -----

// relu(x) = maximumf(x, 0), which propagates NaN like torch.relu. An f16
// element is computed in f32 and rounded once, as PyTorch's CPU kernels do.
// CHECK-LABEL: func.func @relu
// CHECK: ^bb0(%[[X:.*]]: f16, %{{.*}}: f16):
// CHECK: %[[X32:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[R:.*]] = arith.maximumf %[[X32]], %[[ZERO]] : f32
// CHECK: %[[R16:.*]] = arith.truncf %[[R]] : f32 to f16
// CHECK: linalg.yield %[[R16]] : f16
func.func @relu(%x: tensor<2x2xf16>) -> tensor<2x2xf16> {
  %0 = nn.relu %x : tensor<2x2xf16>
  return %0 : tensor<2x2xf16>
}

// -----

// 2-D matmul: linalg.matmul into a zero-filled init; the dynamic batch sizes
// the rows.
// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: (%[[X:.*]]: tensor<?x16xf32>, %[[W:.*]]: tensor<16x4xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x16xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<?x4xf32>)
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<?x16xf32>, tensor<16x4xf32>) outs(%[[FILL]] : tensor<?x4xf32>)
// CHECK: return %[[R]]
func.func @matmul_2d(%x: tensor<?x16xf32>, %w: tensor<16x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.matmul %x, %w : tensor<?x16xf32>, tensor<16x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// 16-bit operands sum in an f32 accumulator and round once to bf16.
// CHECK-LABEL: func.func @matmul_bf16_accumulates_in_f32
// CHECK-SAME: (%[[X:.*]]: tensor<?x16xbf16>, %[[W:.*]]: tensor<16x4xbf16>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<?x4xf32>)
// CHECK: %[[SUM:.*]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<?x16xbf16>, tensor<16x4xbf16>) outs(%[[FILL]] : tensor<?x4xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[SUM]], %{{.*}} : tensor<?x4xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[N]]) : tensor<?x4xbf16>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<?x4xf32>) outs(%[[EMPTY]] : tensor<?x4xbf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: return %[[R]]
func.func @matmul_bf16_accumulates_in_f32(%x: tensor<?x16xbf16>, %w: tensor<16x4xbf16>) -> tensor<?x4xbf16> {
  %0 = nn.matmul %x, %w : tensor<?x16xbf16>, tensor<16x4xbf16>
  return %0 : tensor<?x4xbf16>
}

// -----

// A batched f16 matmul accumulates in f32 as well.
// CHECK-LABEL: func.func @batch_matmul_f16_accumulates_in_f32
// CHECK: %[[SUM:.*]] = linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<2x4x8xf16>, tensor<2x8x5xf16>) outs(%{{.*}} : tensor<2x4x5xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<2x4x5xf32>) outs(%{{.*}} : tensor<2x4x5xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @batch_matmul_f16_accumulates_in_f32(%a: tensor<2x4x8xf16>, %b: tensor<2x8x5xf16>) -> tensor<2x4x5xf16> {
  %0 = nn.matmul %a, %b : tensor<2x4x8xf16>, tensor<2x8x5xf16>
  return %0 : tensor<2x4x5xf16>
}

// -----

// Batched lhs times a matrix: the batch folds into the rows of one
// linalg.matmul; the weight is not copied per batch.
// CHECK-LABEL: func.func @matmul_batched_lhs
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x16xf32>, %[[W:.*]]: tensor<16x4xf32>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<?x8x16xf32> into tensor<?x16xf32>
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[ROWS]], %[[W]] : tensor<?x16xf32>, tensor<16x4xf32>)
// CHECK: %[[B:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x8x16xf32>
// CHECK: %[[R:.*]] = tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2]] output_shape [%[[B]], 8, 4] : tensor<?x4xf32> into tensor<?x8x4xf32>
// CHECK: return %[[R]]
func.func @matmul_batched_lhs(%x: tensor<?x8x16xf32>, %w: tensor<16x4xf32>) -> tensor<?x8x4xf32> {
  %0 = nn.matmul %x, %w : tensor<?x8x16xf32>, tensor<16x4xf32>
  return %0 : tensor<?x8x4xf32>
}

// -----

// Equal batch dims: linalg.batch_matmul directly.
// CHECK-LABEL: func.func @matmul_batched
// CHECK-SAME: (%[[A:.*]]: tensor<?x4x8xf32>, %[[B:.*]]: tensor<?x8x5xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x4x8xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[N]]) : tensor<?x4x5xf32>
// CHECK: %[[FILL:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[EMPTY]] : tensor<?x4x5xf32>)
// CHECK: %[[R:.*]] = linalg.batch_matmul ins(%[[A]], %[[B]] : tensor<?x4x8xf32>, tensor<?x8x5xf32>) outs(%[[FILL]] : tensor<?x4x5xf32>)
// CHECK: return %[[R]]
func.func @matmul_batched(%a: tensor<?x4x8xf32>, %b: tensor<?x8x5xf32>) -> tensor<?x4x5xf32> {
  %0 = nn.matmul %a, %b : tensor<?x4x8xf32>, tensor<?x8x5xf32>
  return %0 : tensor<?x4x5xf32>
}

// -----

// Broadcast batch dims are materialized (the size-1 dim of lhs, the missing
// leading dim of rhs), the two batch dims collapse into one for
// linalg.batch_matmul, and the result expands back.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_broadcast_batch
// CHECK: %[[BL:.*]] = linalg.generic {indexing_maps = [#[[LHS]], #[[ID]]]
// CHECK-SAME: outs(%{{.*}} : tensor<2x3x4x8xf32>)
// CHECK: %[[BR:.*]] = linalg.generic {indexing_maps = [#[[RHS]], #[[ID]]]
// CHECK-SAME: outs(%{{.*}} : tensor<2x3x8x5xf32>)
// CHECK: %[[L3:.*]] = tensor.collapse_shape %[[BL]] {{\[}}[0, 1], [2], [3]] : tensor<2x3x4x8xf32> into tensor<6x4x8xf32>
// CHECK: %[[R3:.*]] = tensor.collapse_shape %[[BR]] {{\[}}[0, 1], [2], [3]] : tensor<2x3x8x5xf32> into tensor<6x8x5xf32>
// CHECK: %[[MM:.*]] = linalg.batch_matmul ins(%[[L3]], %[[R3]] : tensor<6x4x8xf32>, tensor<6x8x5xf32>)
// CHECK: %[[R:.*]] = tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2], [3]] output_shape [2, 3, 4, 5] : tensor<6x4x5xf32> into tensor<2x3x4x5xf32>
// CHECK: return %[[R]]
func.func @matmul_broadcast_batch(%a: tensor<2x1x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = nn.matmul %a, %b : tensor<2x1x4x8xf32>, tensor<3x8x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// transpose: linalg.transpose with the swapped permutation; the dynamic dim
// moves to its new place.
// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x5xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4x5xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[N]]) : tensor<5x4x?xf32>
// CHECK: %[[R:.*]] = linalg.transpose ins(%[[X]] : tensor<?x4x5xf32>) outs(%[[EMPTY]] : tensor<5x4x?xf32>) permutation = [2, 1, 0]
// CHECK: return %[[R]]
func.func @transpose(%x: tensor<?x4x5xf32>) -> tensor<5x4x?xf32> {
  %0 = nn.transpose %x, dim0 = 0, dim1 = 2 : tensor<?x4x5xf32>
  return %0 : tensor<5x4x?xf32>
}

// -----

// reshape that merges dims: one collapse_shape.
// CHECK-LABEL: func.func @reshape_collapse
// CHECK: %[[R:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : tensor<?x4x4xf32> into tensor<?x16xf32>
// CHECK: return %[[R]]
func.func @reshape_collapse(%x: tensor<?x4x4xf32>) -> tensor<?x16xf32> {
  %0 = nn.reshape %x : tensor<?x4x4xf32> -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

// reshape that splits a dim: one expand_shape.
// CHECK-LABEL: func.func @reshape_expand
// CHECK: %[[R:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [2, 3] : tensor<6xi32> into tensor<2x3xi32>
// CHECK: return %[[R]]
func.func @reshape_expand(%x: tensor<6xi32>) -> tensor<2x3xi32> {
  %0 = nn.reshape %x : tensor<6xi32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// No single grouping maps 2x3 to 3x2: through the flat tensor.
// CHECK-LABEL: func.func @reshape_through_flat
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: %[[R:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
// CHECK: return %[[R]]
func.func @reshape_through_flat(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = nn.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A dynamic regrouping goes through the flat tensor too; the new dynamic
// size is the element count divided by the static part.
// CHECK-LABEL: func.func @reshape_dynamic_through_flat
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<?x2xf32> into tensor<?xf32>
// CHECK: %[[TOTAL:.*]] = tensor.dim %[[FLAT]], %{{.*}} : tensor<?xf32>
// CHECK: %[[ROWS:.*]] = arith.divsi %[[TOTAL]], %{{.*}} : index
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [%[[ROWS]], 3] : tensor<?xf32> into tensor<?x3xf32>
func.func @reshape_dynamic_through_flat(%x: tensor<?x2xf32>) -> tensor<?x3xf32> {
  %0 = nn.reshape %x : tensor<?x2xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// To and from rank 0: an empty reassociation.
// CHECK-LABEL: func.func @reshape_rank0
// CHECK-SAME: (%[[X:.*]]: tensor<1x1xf32>, %[[S:.*]]: tensor<f32>)
// CHECK: %[[TO:.*]] = tensor.collapse_shape %[[X]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK: %[[FROM:.*]] = tensor.expand_shape %[[S]] [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK: return %[[TO]], %[[FROM]]
func.func @reshape_rank0(%x: tensor<1x1xf32>, %s: tensor<f32>) -> (tensor<f32>, tensor<1xf32>) {
  %0 = nn.reshape %x : tensor<1x1xf32> -> tensor<f32>
  %1 = nn.reshape %s : tensor<f32> -> tensor<1xf32>
  return %0, %1 : tensor<f32>, tensor<1xf32>
}

// -----

// sum without keepdim: linalg.reduce into a zero-filled init of the kept
// dims, sized from the dynamic batch.
// CHECK-LABEL: func.func @sum
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x5xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x3x5xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[N]]) : tensor<?x5xf32>
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<?x5xf32>)
// CHECK: %[[R:.*]] = linalg.reduce ins(%[[X]] : tensor<?x3x5xf32>) outs(%[[FILL]] : tensor<?x5xf32>) dimensions = [1]
// CHECK: arith.addf
// CHECK: return %[[R]]
func.func @sum(%x: tensor<?x3x5xf32>) -> tensor<?x5xf32> {
  %0 = nn.sum %x dims = [1] : tensor<?x3x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// keepdim: the reduced result expands back with size-1 dims grouped beside
// a kept dim (the leading one joins the first group).
// CHECK-LABEL: func.func @sum_keepdim
// CHECK: %[[R:.*]] = linalg.reduce ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<3xf32>) dimensions = [0, 2]
// CHECK: tensor.expand_shape %[[R]] {{\[}}[0, 1, 2]] output_shape [1, 3, 1] : tensor<3xf32> into tensor<1x3x1xf32>
func.func @sum_keepdim(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = nn.sum %x dims = [0, 2] keepdim : tensor<2x3x4xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

// max: the init is -inf and the combiner maximumf (NaN propagates).
// CHECK-LABEL: func.func @max
// CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[NEG_INF]] : f32)
// CHECK: linalg.reduce ins(%{{.*}} : tensor<4x3xf32>) outs(%[[FILL]] : tensor<4xf32>) dimensions = [1]
// CHECK: arith.maximumf
func.func @max(%x: tensor<4x3xf32>) -> tensor<4xf32> {
  %0 = nn.max %x dims = [1] : tensor<4x3xf32>
  return %0 : tensor<4xf32>
}

// -----

// mean: sum, then divide by the static element count.
// CHECK-LABEL: func.func @mean_static
// CHECK: %[[SUM:.*]] = linalg.reduce ins(%{{.*}} : tensor<4x3xf32>) outs(%{{.*}} : tensor<f32>) dimensions = [0, 1]
// CHECK: %[[COUNT:.*]] = arith.constant 1.200000e+01 : f32
// CHECK: %[[MEAN:.*]] = linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<f32>)
// CHECK: arith.divf %{{.*}}, %[[COUNT]] : f32
// CHECK: tensor.expand_shape %[[MEAN]] [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
func.func @mean_static(%x: tensor<4x3xf32>) -> tensor<1x1xf32> {
  %0 = nn.mean %x dims = [0, 1] keepdim : tensor<4x3xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// mean over a dynamic dim counts its run-time size.
// CHECK-LABEL: func.func @mean_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK: %[[SUM:.*]] = linalg.reduce
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x3xf32>
// CHECK: %[[STATIC:.*]] = arith.constant 3.000000e+00 : f32
// CHECK: %[[NI:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[NF:.*]] = arith.uitofp %[[NI]] : i64 to f32
// CHECK: %[[COUNT:.*]] = arith.mulf %[[NF]], %[[STATIC]] : f32
// CHECK: linalg.generic
// CHECK: arith.divf %{{.*}}, %[[COUNT]] : f32
func.func @mean_dynamic(%x: tensor<?x3xf32>) -> tensor<f32> {
  %0 = nn.mean %x dims = [0, 1] : tensor<?x3xf32>
  return %0 : tensor<f32>
}

// -----

// Reducing over no dims is the identity.
// CHECK-LABEL: func.func @sum_no_dims
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>)
// CHECK-NOT: linalg.reduce
// CHECK: return %[[X]]
func.func @sum_no_dims(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = nn.sum %x dims = [] : tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// nn.constant becomes arith.constant with the same value.
// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// The MLP: matmul + bias add + relu + matmul, with a dynamic batch.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<?x784xf32>, %[[W1:.*]]: tensor<784x128xf32>, %[[B1:.*]]: tensor<128xf32>, %[[W2:.*]]: tensor<128x10xf32>)
// CHECK-NOT: nn.
// CHECK: %[[H:.*]] = linalg.matmul ins(%[[X]], %[[W1]] : tensor<?x784xf32>, tensor<784x128xf32>)
// CHECK: %[[HB:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK-SAME: ins(%[[H]], %[[B1]] : tensor<?x128xf32>, tensor<128xf32>)
// CHECK: arith.addf
// CHECK: %[[A:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]]
// CHECK-SAME: ins(%[[HB]] : tensor<?x128xf32>)
// CHECK: arith.maximumf
// CHECK: %[[Y:.*]] = linalg.matmul ins(%[[A]], %[[W2]] : tensor<?x128xf32>, tensor<128x10xf32>)
// CHECK: return %[[Y]] : tensor<?x10xf32>
func.func @mlp(%x: tensor<?x784xf32>, %w1: tensor<784x128xf32>, %b1: tensor<128xf32>, %w2: tensor<128x10xf32>) -> tensor<?x10xf32> {
  %0 = nn.matmul %x, %w1 : tensor<?x784xf32>, tensor<784x128xf32>
  %1 = nn.add %0, %b1 : tensor<?x128xf32>, tensor<128xf32>
  %2 = nn.relu %1 : tensor<?x128xf32>
  %3 = nn.matmul %2, %w2 : tensor<?x128xf32>, tensor<128x10xf32>
  return %3 : tensor<?x10xf32>
}

// -----

// Ops of other dialects are left alone.
// CHECK-LABEL: func.func @other_dialects_kept
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
func.func @other_dialects_kept(%a: f32) -> f32 {
  %0 = arith.addf %a, %a : f32
  return %0 : f32
}

// -----

// Softmax is numerically stable: a max reduction (maxnumf: a NaN in the
// row still makes its sum and so every result NaN), e = exp(x - max) once,
// its sum, then e / sum. Row values are read through a map that drops the
// softmax dim.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<?x10xf32>)
// CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAX_INIT:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<?xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<?x10xf32>) outs(%[[MAX_INIT]] : tensor<?xf32>)
// CHECK:   arith.maxnumf
// CHECK: %[[EXP:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]] : tensor<?x10xf32>, tensor<?xf32>)
// CHECK:   %[[D:.*]] = arith.subf
// CHECK:   math.exp %[[D]]
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[EXP]] : tensor<?x10xf32>)
// CHECK:   arith.addf
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[EXP]], %[[SUM]] : tensor<?x10xf32>, tensor<?xf32>)
// CHECK:   arith.divf
// CHECK: return %[[Y]]
func.func @softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = nn.softmax %x dim = 1 : tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// log_softmax along dim 0: x - (max + log(sum(exp(x - max)))), the
// log-sum-exp computed once per column.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @log_softmax
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[COL]]], iterator_types = ["reduction", "parallel"]}
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[COL]]], iterator_types = ["reduction", "parallel"]}
// CHECK: %[[LSE:.*]] = linalg.generic {{.*}} ins(%[[MAX]], %[[SUM]] : tensor<10xf32>, tensor<10xf32>)
// CHECK:   %[[LOG:.*]] = math.log
// CHECK:   arith.addf %{{.*}}, %[[LOG]]
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %[[LSE]] : tensor<4x10xf32>, tensor<10xf32>)
// CHECK:   arith.subf
func.func @log_softmax(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %0 = nn.log_softmax %x dim = 0 : tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// cross_entropy: log-sum-exp per row, then per row lse - logits[n, t[n]]
// with a clamped tensor.extract and NaN for a class outside [0, C); mean
// sums the rows and divides by N (read at run time here).
// CHECK-LABEL: func.func @cross_entropy_mean
// CHECK-SAME: (%[[LOGITS:.*]]: tensor<?x10xf32>, %[[TARGET:.*]]: tensor<?xi64>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: %[[LSE:.*]] = linalg.generic
// CHECK:   math.log
// CHECK: %[[C:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: %[[LOSSES:.*]] = linalg.generic {{.*}} ins(%[[LSE]], %[[TARGET]] : tensor<?xf32>, tensor<?xi64>)
// CHECK: ^bb0(%[[L:.*]]: f32, %[[T:.*]]: i64, %{{.*}}: f32):
// CHECK:   %[[GE:.*]] = arith.cmpi sge, %[[T]], %{{.*}} : i64
// CHECK:   %[[LT:.*]] = arith.cmpi slt, %[[T]], %[[C]] : i64
// CHECK:   %[[VALID:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK:   %[[CLAMPED:.*]] = arith.select %[[VALID]], %[[T]], %{{.*}} : i64
// CHECK:   %[[COL:.*]] = arith.index_cast %[[CLAMPED]] : i64 to index
// CHECK:   %[[ROW:.*]] = linalg.index 0 : index
// CHECK:   %[[PICKED:.*]] = tensor.extract %[[LOGITS]][%[[ROW]], %[[COL]]] : tensor<?x10xf32>
// CHECK:   %[[LOSS:.*]] = arith.subf %[[L]], %[[PICKED]] : f32
// CHECK:   %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK:   arith.select %[[VALID]], %[[LOSS]], %[[NAN]] : f32
// CHECK: %[[SUM:.*]] = linalg.reduce ins(%[[LOSSES]] : tensor<?xf32>) outs(%{{.*}} : tensor<f32>) dimensions = [0]
// CHECK: %[[N:.*]] = arith.uitofp
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<f32>)
// CHECK:   arith.divf %{{.*}}, %{{.*}} : f32
func.func @cross_entropy_mean(%logits: tensor<?x10xf32>, %target: tensor<?xi64>) -> tensor<f32> {
  %0 = nn.cross_entropy %logits, %target reduction = mean : tensor<?x10xf32>, tensor<?xi64>
  return %0 : tensor<f32>
}

// -----

// reduction = none stops at the per-row losses.
// CHECK-LABEL: func.func @cross_entropy_none
// CHECK: %[[LOSSES:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xi64>)
// CHECK-NOT: linalg.reduce
// CHECK: return %[[LOSSES]]
func.func @cross_entropy_none(%logits: tensor<4x10xf32>, %target: tensor<4xi64>) -> tensor<4xf32> {
  %0 = nn.cross_entropy %logits, %target reduction = none : tensor<4x10xf32>, tensor<4xi64>
  return %0 : tensor<4xf32>
}

// -----

// cross_entropy_grad: one generic over [N, C] computing
// (exp(x - max) / sum - onehot) * g / N from the row statistics.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @cross_entropy_grad_mean
// CHECK-SAME: (%[[G:.*]]: tensor<f32>, %[[LOGITS:.*]]: tensor<4x10xf32>, %[[TARGET:.*]]: tensor<4xi64>)
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: %[[N:.*]] = arith.constant 4.000000e+00 : f32
// CHECK: %[[SCALE:.*]] = linalg.generic {{.*}} ins(%[[G]] : tensor<f32>)
// CHECK:   arith.divf %{{.*}}, %[[N]] : f32
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[ROW]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[LOGITS]], %[[MAX]], %[[SUM]], %[[TARGET]], %[[SCALE]] : tensor<4x10xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi64>, tensor<4xf32>)
// CHECK:   %[[P:.*]] = arith.divf
// CHECK:   %[[J:.*]] = linalg.index 1 : index
// CHECK:   %[[J64:.*]] = arith.index_cast %[[J]] : index to i64
// CHECK:   %[[IS_TARGET:.*]] = arith.cmpi eq, %[[J64]], %{{.*}} : i64
// CHECK:   %[[ONEHOT:.*]] = arith.select %[[IS_TARGET]]
// CHECK:   %[[DIFF:.*]] = arith.subf %[[P]], %[[ONEHOT]] : f32
// CHECK:   arith.mulf %[[DIFF]], %{{.*}} : f32
func.func @cross_entropy_grad_mean(%g: tensor<f32>, %logits: tensor<4x10xf32>, %target: tensor<4xi64>) -> tensor<4x10xf32> {
  %0 = nn.cross_entropy_grad %g, %logits, %target reduction = mean : tensor<f32>, tensor<4x10xf32>, tensor<4xi64>
  return %0 : tensor<4x10xf32>
}

// -----

// mse_loss with a reduction is one generic reducing (a - b)^2 over every
// dim into a rank-0 tensor; mean then divides by the element count.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @mse_loss_mean
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[SCALAR]]], iterator_types = ["reduction", "reduction"]}
// CHECK:   %[[D:.*]] = arith.subf
// CHECK:   %[[SQ:.*]] = arith.mulf %[[D]], %[[D]]
// CHECK:   arith.addf %{{.*}}, %[[SQ]]
// CHECK: %[[COUNT:.*]] = arith.constant 1.200000e+01 : f32
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<f32>)
// CHECK:   arith.divf %{{.*}}, %[[COUNT]]
func.func @mse_loss_mean(%a: tensor<4x3xf32>, %b: tensor<4x3xf32>) -> tensor<f32> {
  %0 = nn.mse_loss %a, %b reduction = mean : tensor<4x3xf32>, tensor<4x3xf32>
  return %0 : tensor<f32>
}

// -----

// mse_loss without a reduction is elementwise.
// CHECK-LABEL: func.func @mse_loss_none
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK:   %[[D:.*]] = arith.subf
// CHECK:   arith.mulf %[[D]], %[[D]]
// CHECK-NOT: linalg.reduce
func.func @mse_loss_none(%a: tensor<?x3xf32>, %b: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.mse_loss %a, %b reduction = none : tensor<?x3xf32>, tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// pow: exponent 2 is a multiply, 0.5 a square root, anything else powf.
// CHECK-LABEL: func.func @pow
// CHECK: linalg.generic
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK:   arith.mulf %[[A]], %[[A]] : f32
// CHECK: linalg.generic
// CHECK:   math.sqrt
// CHECK: linalg.generic
// CHECK:   %[[E:.*]] = arith.constant 3.000000e+00 : f32
// CHECK:   math.powf %{{.*}}, %[[E]] : f32
// CHECK: linalg.generic
// CHECK:   math.sqrt
func.func @pow(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %0 = nn.pow %x, exponent = 2.0 : tensor<3xf32>
  %1 = nn.pow %x, exponent = 0.5 : tensor<3xf32>
  %2 = nn.pow %x, exponent = 3.0 : tensor<3xf32>
  %3 = nn.sqrt %x : tensor<3xf32>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// broadcast_to copies through a stretching map; the dynamic size comes from
// the `like` operand.
// CHECK-DAG: #[[STRETCH:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @broadcast_to
// CHECK-SAME: (%[[A:.*]]: tensor<1x3xf32>, %[[LIKE:.*]]: tensor<?x3xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[LIKE]], %{{.*}} : tensor<?x3xf32>
// CHECK: %[[INIT:.*]] = tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[STRETCH]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[A]] : tensor<1x3xf32>) outs(%[[INIT]] : tensor<?x3xf32>)
// CHECK:   ^bb0(%[[V:.*]]: f32, %{{.*}}: f32):
// CHECK:   linalg.yield %[[V]] : f32
func.func @broadcast_to(%a: tensor<1x3xf32>, %like: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.broadcast_to %a like %like : tensor<1x3xf32>, tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// relu_grad passes the gradient where input > 0 (a NaN input passes it too,
// as in PyTorch); equal_mask is 1.0 where the operands are equal.
// CHECK-LABEL: func.func @masks
// CHECK: ^bb0(%[[G:.*]]: f32, %[[X:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:   %[[BLOCKED:.*]] = arith.cmpf ole, %[[X]], %[[ZERO]] : f32
// CHECK:   arith.select %[[BLOCKED]], %[[ZERO]], %[[G]] : f32
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[EQ:.*]] = arith.cmpf oeq, %[[A]], %[[B]] : f32
// CHECK:   arith.select %[[EQ]], %{{.*}}, %{{.*}} : f32
func.func @masks(%g: tensor<4x3xf32>, %x: tensor<4x3xf32>, %m: tensor<4x1xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %0 = nn.relu_grad %g, %x : tensor<4x3xf32>
  %1 = nn.equal_mask %x, %m : tensor<4x3xf32>, tensor<4x1xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Ops inside an nn.fusion body lower in place; the region itself stays.
// CHECK-LABEL: func.func @inside_fusion
// CHECK:         nn.fusion -> tensor<4x16xf32> {
// CHECK:           linalg.generic
// CHECK:           math.tanh
// CHECK:           nn.yield %{{.*}} : tensor<4x16xf32>
// CHECK-NOT:     nn.tanh
func.func @inside_fusion(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %y = nn.fusion -> tensor<4x16xf32> {
    %0 = nn.tanh %x : tensor<4x16xf32>
    nn.yield %0 : tensor<4x16xf32>
  }
  return %y : tensor<4x16xf32>
}
