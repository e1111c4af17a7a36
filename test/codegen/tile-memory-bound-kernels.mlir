// RUN: nnc-opt %s --split-input-file --nn-lower-to-linalg \
// RUN:   --linalg-generalize-named-ops --linalg-fuse-elementwise-ops \
// RUN:   --nnc-tile-memory-bound-kernels | FileCheck %s

// Softmax: one scf.forall over blocks of 16 rows (16 x 1024 = the minimum
// tile of 16384 elements); the row maxima, exponentials, their sums and the
// division are all computed per block, the maxima once though two ops read
// them. The division by the row sum may become a multiplication by its
// reciprocal (arcp).
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<64x1024xf32>)
// CHECK: %[[Y:.*]] = scf.forall (%[[I:.*]]) = (0) to (64) step (16) shared_outs(%[[OUT:.*]] = %{{.*}})
// CHECK:   %[[ROWS:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [16, 1024] [1, 1]
// CHECK:   %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[ROWS]] : tensor<16x1024xf32>) outs(%{{.*}} : tensor<16xf32>)
// CHECK:     arith.maxnumf
// CHECK:   %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[ROWS]], %[[MAX]] : tensor<16x1024xf32>, tensor<16xf32>)
// CHECK:     math.exp
// CHECK:   %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[EXP]] : tensor<16x1024xf32>)
// CHECK:   %[[TILE:.*]] = tensor.extract_slice %[[OUT]][%[[I]], 0] [16, 1024] [1, 1]
// CHECK:   %[[RESULT:.*]] = linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] : tensor<16x1024xf32>, tensor<16xf32>) outs(%[[TILE]] : tensor<16x1024xf32>)
// CHECK:     arith.divf %{{.*}}, %{{.*}} fastmath<arcp> : f32
// CHECK:   tensor.parallel_insert_slice %[[RESULT]] into %[[OUT]][%[[I]], 0] [16, 1024] [1, 1]
// CHECK-NOT: maxnumf
// CHECK: return %[[Y]]
func.func @softmax(%x: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %0 = nn.softmax %x dim = 1 : tensor<64x1024xf32>
  return %0 : tensor<64x1024xf32>
}

// -----

// Layer norm over the last dim: its keepdim means read the input through
// reshapes to 64x1x1024; their unit dims are dropped, so the whole chain is
// one loop. The division by the standard deviation, the same along a row,
// gets arcp; no division by an element would. The centered rows (x - mean,
// one subtraction) are recomputed in the two ops that read them rather than
// written to a temporary: the loop makes three passes over the input rows
// (sum, sum of squares, result) and writes only the result.
// CHECK-LABEL: func.func @layer_norm
// CHECK-NOT: tensor.expand_shape
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (16)
// CHECK:   %[[ROWS:.*]] = tensor.extract_slice %arg0
// CHECK:   %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[ROWS]] : tensor<16x1024xf32>)
// CHECK:   %[[SQUARES:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[ROWS]], %[[SUM]] : tensor<16x1024xf32>, tensor<16xf32>)
// CHECK:     arith.subf
// CHECK:     arith.mulf
// CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[ROWS]], %[[SUM]], %[[SQUARES]] : tensor<16x1024xf32>, tensor<16xf32>, tensor<16xf32>)
// CHECK:     arith.subf
// CHECK:     math.sqrt
// CHECK:     arith.divf %{{.*}}, %{{.*}} fastmath<arcp> : f32
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @layer_norm(%x: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %mean = nn.mean %x dims = [1] keepdim : tensor<64x1024xf32>
  %centered = nn.sub %x, %mean : tensor<64x1024xf32>, tensor<64x1xf32>
  %squares = nn.mul %centered, %centered : tensor<64x1024xf32>, tensor<64x1024xf32>
  %var = nn.mean %squares dims = [1] keepdim : tensor<64x1024xf32>
  %std = nn.sqrt %var : tensor<64x1xf32>
  %y = nn.div %centered, %std : tensor<64x1024xf32>, tensor<64x1xf32>
  return %y : tensor<64x1024xf32>
}

// -----

// A result written into an argument (a donated parameter): the loop's
// shared output starts as that argument, and each block reads its rows of
// the argument through it, so bufferization updates the rows in place.
// CHECK-LABEL: func.func @update_in_place
// CHECK-SAME: (%[[P:.*]]: tensor<64x1024xf32>, %[[G:.*]]: tensor<64x1024xf32>)
// CHECK: %[[NEW:.*]] = scf.forall (%[[I:.*]]) = (0) to (64) step (16) shared_outs(%[[OUT:.*]] = %[[P]])
// CHECK:   %[[ROWS:.*]] = tensor.extract_slice %[[OUT]][%[[I]], 0] [16, 1024] [1, 1]
// CHECK:   %[[GRAD:.*]] = tensor.extract_slice %[[G]][%[[I]], 0] [16, 1024] [1, 1]
// CHECK:   linalg.generic {{.*}} ins(%[[ROWS]], %[[GRAD]] : {{.*}}) outs(%[[ROWS]] : tensor<16x1024xf32>)
// CHECK: bufferization.materialize_in_destination %[[NEW]] in %[[P]]
func.func @update_in_place(%p: tensor<64x1024xf32>, %g: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %0 = nn.sub %p, %g : tensor<64x1024xf32>, tensor<64x1024xf32>
  %1 = bufferization.materialize_in_destination %0 in %p : (tensor<64x1024xf32>, tensor<64x1024xf32>) -> tensor<64x1024xf32>
  return %1 : tensor<64x1024xf32>
}

// -----

// An optimizer-like update: the moment m1 is returned (written into m) and
// read by the parameter's update. Both are one generic yielding two
// results, so each block loads p, g and m once and writes p and m in place.
// CHECK-LABEL: func.func @moment_and_parameter
// CHECK-SAME: (%[[P:.*]]: tensor<64x1024xf32>, %[[G:.*]]: tensor<64x1024xf32>, %[[M:.*]]: tensor<64x1024xf32>)
// CHECK: scf.forall (%[[I:.*]]) = (0) to (64) step (16) shared_outs(%[[PS:.*]] = %[[P]], %[[MS:.*]] = %[[M]])
// CHECK:   %[[PROWS:.*]] = tensor.extract_slice %[[PS]][%[[I]], 0]
// CHECK:   %[[MROWS:.*]] = tensor.extract_slice %[[MS]][%[[I]], 0]
// CHECK:   %[[UPDATED:.*]]:2 = linalg.generic
// CHECK-SAME: outs(%[[MROWS]], %[[PROWS]] : tensor<16x1024xf32>, tensor<16x1024xf32>)
// CHECK:     %[[MOMENT:.*]] = arith.addf
// CHECK:     math.sqrt %[[MOMENT]]
// CHECK:     linalg.yield %[[MOMENT]], %{{.*}} : f32, f32
// CHECK-NOT: linalg.generic
// CHECK:   tensor.parallel_insert_slice %[[UPDATED]]#1 into %[[PS]]
// CHECK:   tensor.parallel_insert_slice %[[UPDATED]]#0 into %[[MS]]
func.func @moment_and_parameter(%p: tensor<64x1024xf32>, %g: tensor<64x1024xf32>, %m: tensor<64x1024xf32>)
    -> (tensor<64x1024xf32>, tensor<64x1024xf32>) {
  %beta = nn.constant dense<0.9> : tensor<f32>
  %m0 = nn.mul %m, %beta : tensor<64x1024xf32>, tensor<f32>
  %m1 = nn.add %m0, %g : tensor<64x1024xf32>, tensor<64x1024xf32>
  %sq = nn.sqrt %m1 : tensor<64x1024xf32>
  %p1 = nn.sub %p, %sq : tensor<64x1024xf32>, tensor<64x1024xf32>
  %m2 = bufferization.materialize_in_destination %m1 in %m : (tensor<64x1024xf32>, tensor<64x1024xf32>) -> tensor<64x1024xf32>
  %p2 = bufferization.materialize_in_destination %p1 in %p : (tensor<64x1024xf32>, tensor<64x1024xf32>) -> tensor<64x1024xf32>
  return %m2, %p2 : tensor<64x1024xf32>, tensor<64x1024xf32>
}

// -----

// A mean over the rows (the tiled dim) is needed whole by every block: it
// stays outside the loop rather than being recomputed per block.
// CHECK-LABEL: func.func @column_mean
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]}
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (16)
// CHECK-NOT: "reduction"
// CHECK:   linalg.generic {{.*}} ins(%{{.*}}, %[[MEAN]] : tensor<16x1024xf32>, tensor<1024xf32>)
func.func @column_mean(%x: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %m = nn.mean %x dims = [0] keepdim : tensor<64x1024xf32>
  %0 = nn.sub %x, %m : tensor<64x1024xf32>, tensor<1x1024xf32>
  return %0 : tensor<64x1024xf32>
}

// -----

// Fewer elements than one tile: no loop.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.forall
// CHECK: return
func.func @small(%x: tensor<8x10xf32>) -> tensor<8x10xf32> {
  %0 = nn.softmax %x dim = 1 : tensor<8x10xf32>
  return %0 : tensor<8x10xf32>
}

// -----

// A kernel with a matrix product is left to nnc-tile-contractions.
// CHECK-LABEL: func.func @matmul_bias
// CHECK-NOT: scf.forall
// CHECK: return
func.func @matmul_bias(%x: tensor<64x64xf32>, %w: tensor<64x1024xf32>, %b: tensor<1024xf32>) -> tensor<64x1024xf32> {
  %0 = nn.matmul %x, %w : tensor<64x64xf32>, tensor<64x1024xf32>
  %1 = nn.add %0, %b : tensor<64x1024xf32>, tensor<1024xf32>
  return %1 : tensor<64x1024xf32>
}

// -----

// An elementwise result that is returned and summed: the sum is a
// reduction, so it does not yield the exponentials too (that would write a
// tensor indexed by its reduction dim); the two stay apart.
// CHECK-LABEL: func.func @returned_and_summed
// CHECK: scf.forall
// CHECK:   %[[EXP:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]}
// CHECK:     math.exp
// CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[EXP]] : tensor<16x1024xf32>)
// CHECK-NOT: math.exp
// CHECK: return
func.func @returned_and_summed(%x: tensor<64x1024xf32>) -> (tensor<64x1024xf32>, tensor<64x1xf32>) {
  %e = nn.exp %x : tensor<64x1024xf32>
  %s = nn.sum %e dims = [1] keepdim : tensor<64x1024xf32>
  return %e, %s : tensor<64x1024xf32>, tensor<64x1xf32>
}

// -----

// An elementwise kernel over rows of 28 (a ReLU gradient after a 28x28
// convolution) runs over its elements as one dim, in blocks of 16384 (the
// last one shorter); rows of 1024 keep their dims.
// CHECK-LABEL: func.func @short_rows(
// CHECK-DAG:     tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2, 3]] : tensor<8x16x28x28xf32> into tensor<100352xf32>
// CHECK:         scf.forall (%{{.*}}) = (0) to (100352) step (16384)
// CHECK:           linalg.generic {{.*}} iterator_types = ["parallel"]}
// CHECK:         tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2, 3]] output_shape [8, 16, 28, 28]
// CHECK-LABEL: func.func @long_rows(
// CHECK-NOT:     tensor.collapse_shape
// CHECK:         scf.forall (%{{.*}}) = (0) to (64) step (16)
func.func @short_rows(%g: tensor<8x16x28x28xf32>, %x: tensor<8x16x28x28xf32>) -> tensor<8x16x28x28xf32> {
  %0 = nn.relu_grad %g, %x : tensor<8x16x28x28xf32>
  return %0 : tensor<8x16x28x28xf32>
}
func.func @long_rows(%g: tensor<64x1024xf32>, %x: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %0 = nn.relu_grad %g, %x : tensor<64x1024xf32>
  return %0 : tensor<64x1024xf32>
}
