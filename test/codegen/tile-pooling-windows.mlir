// RUN: nnc-opt %s -split-input-file --nnc-tile-pooling-windows --canonicalize | FileCheck %s

// A 2x2 max pool of relu(x) over the windows view (what nn.max_pool2d
// lowers to when its windows tile the input): tasks take images; each
// step reads the two input rows of one output row whole (28 = 14 * 2
// elements), applies the ReLU to them, takes the even and odd lanes apart
// and folds them into the 14 results in the loops' (kh, kw) order.
// CHECK-LABEL: func.func @relu_max_pool(
// CHECK:         scf.forall (%[[N:.*]]) in (64)
// CHECK:           scf.for %[[C:.*]] = %c0 to %c16 step %c1
// CHECK:             scf.for %[[OH:.*]] = %c0 to %c14 step %c1
// CHECK:               %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<14xf32>, vector<14xf32>
// CHECK:               %[[ROW0:.*]] = vector.transfer_read {{.*}} : tensor<28xf32>, vector<28xf32>
// CHECK:               %[[RELU0:.*]] = arith.maximumf %[[ROW0]], %{{.*}} : vector<28xf32>
// CHECK:               %[[EVEN0:.*]] = vector.shuffle %[[RELU0]], %[[RELU0]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26]
// CHECK:               %[[M0:.*]] = arith.maximumf %[[ACC]], %[[EVEN0]] fastmath<reassoc> : vector<14xf32>
// CHECK:               %[[ODD0:.*]] = vector.shuffle %[[RELU0]], %[[RELU0]] [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27]
// CHECK:               %[[M1:.*]] = arith.maximumf %[[M0]], %[[ODD0]] fastmath<reassoc> : vector<14xf32>
// CHECK:               vector.transfer_read {{.*}} : tensor<28xf32>, vector<28xf32>
// CHECK-COUNT-2:       vector.shuffle
// CHECK:               vector.transfer_write %{{.*}} : vector<14xf32>, tensor<14xf32>
// CHECK-NOT:   linalg.generic
#id6 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4)>
func.func @relu_max_pool(%x: tensor<64x16x28x28xf32>, %init: tensor<64x16x14x14xf32>) -> tensor<64x16x14x14xf32> {
  %zero = arith.constant 0.0 : f32
  %view = tensor.expand_shape %x [[0], [1], [2, 3], [4, 5]] output_shape [64, 16, 14, 2, 14, 2] : tensor<64x16x28x28xf32> into tensor<64x16x14x2x14x2xf32>
  %0 = linalg.generic {indexing_maps = [#id6, #pooled], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel", "reduction"]} ins(%view : tensor<64x16x14x2x14x2xf32>) outs(%init : tensor<64x16x14x14xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    %m = arith.maximumf %out, %r fastmath<reassoc> : f32
    linalg.yield %m : f32
  } -> tensor<64x16x14x14xf32>
  return %0 : tensor<64x16x14x14xf32>
}

// -----

// A dynamic batch stays a task per image; rows of 56 outputs go in two
// steps of 28 (the largest divisor up to 32); 3-wide windows take three
// shuffles per input row.
// CHECK-LABEL: func.func @dynamic_batch_wide_rows(
// CHECK:         scf.forall (%{{.*}}) in (%{{.*}})
// CHECK:           scf.for %{{.*}} = %c0 to %c56 step %c28
// CHECK:             vector.transfer_read {{.*}} : tensor<84xf32>, vector<84xf32>
// CHECK:             vector.shuffle {{.*}} [0, 3, 6,
// CHECK:             vector.shuffle {{.*}} [1, 4, 7,
// CHECK:             vector.shuffle {{.*}} [2, 5, 8,
#id6 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4)>
func.func @dynamic_batch_wide_rows(%view: tensor<?x8x4x2x56x3xf32>, %init: tensor<?x8x4x56xf32>) -> tensor<?x8x4x56xf32> {
  %0 = linalg.generic {indexing_maps = [#id6, #pooled], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel", "reduction"]} ins(%view : tensor<?x8x4x2x56x3xf32>) outs(%init : tensor<?x8x4x56xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %out, %in : f32
    linalg.yield %m : f32
  } -> tensor<?x8x4x56xf32>
  return %0 : tensor<?x8x4x56xf32>
}

// -----

// Not a window reduction: the result read through another map (a strided
// pool as linalg.pooling_nchw_max generalizes to), or a body that reads the
// result twice, is left alone.
// CHECK-LABEL: func.func @not_windows(
// CHECK-NOT:     scf.forall
// CHECK-COUNT-2: linalg.generic
#id6 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4)>
#wrong = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d2)>
func.func @not_windows(%view: tensor<4x8x4x2x4x2xf32>, %init: tensor<4x8x4x4xf32>) -> (tensor<4x8x4x4xf32>, tensor<4x8x4x4xf32>) {
  %0 = linalg.generic {indexing_maps = [#id6, #wrong], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel", "reduction"]} ins(%view : tensor<4x8x4x2x4x2xf32>) outs(%init : tensor<4x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %out, %in : f32
    linalg.yield %m : f32
  } -> tensor<4x8x4x4xf32>
  %1 = linalg.generic {indexing_maps = [#id6, #pooled], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel", "reduction"]} ins(%view : tensor<4x8x4x2x4x2xf32>) outs(%init : tensor<4x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    %m = arith.maximumf %s, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8x4x4xf32>
  return %0, %1 : tensor<4x8x4x4xf32>, tensor<4x8x4x4xf32>
}
