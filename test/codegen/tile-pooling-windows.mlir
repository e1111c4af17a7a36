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

// -----

// The pieces of max pooling's gradient: a reduction reading the window's
// maximum (one per window, spread over its taps) and the tap numbers (one
// per tap, repeated per window), and an expansion writing each kernel row
// of the windows view whole, with a ReLU gradient fused in.
// CHECK-LABEL: func.func @gradient_pieces(
// CHECK:         scf.forall
// CHECK:           %[[MAX:.*]] = vector.transfer_read {{.*}} : tensor<4xf32>, vector<4xf32>
// CHECK:           vector.shuffle %[[MAX]], %[[MAX]] [0, 0, 1, 1, 2, 2, 3, 3]
// CHECK:           %[[TAPS:.*]] = vector.transfer_read {{.*}} : tensor<2xi32>, vector<2xi32>
// CHECK:           vector.shuffle %[[TAPS]], %[[TAPS]] [0, 1, 0, 1, 0, 1, 0, 1]
// CHECK:           arith.minsi {{.*}} : vector<4xi32>
// CHECK:         scf.forall
// CHECK:           %[[WINNER:.*]] = vector.transfer_read {{.*}} : tensor<4xi32>, vector<4xi32>
// CHECK:           vector.shuffle %[[WINNER]], %[[WINNER]] [0, 0, 1, 1, 2, 2, 3, 3]
// CHECK:           arith.select {{.*}} : vector<8xi1>, vector<8xf32>
// CHECK:           vector.transfer_write {{.*}} : vector<8xf32>, tensor<8xf32>
// CHECK:           vector.transfer_write {{.*}} : vector<8xf32>, tensor<8xf32>
// CHECK-NOT:   linalg.generic
#id6 = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#windows = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4)>
#taps = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d5)>
func.func @gradient_pieces(%view: tensor<2x3x4x2x4x2xf32>, %max: tensor<2x3x4x4xf32>, %grad: tensor<2x3x4x4xf32>, %none: tensor<2x3x4x4xi32>, %out: tensor<2x3x4x2x4x2xf32>) -> (tensor<2x3x4x4xi32>, tensor<2x3x4x2x4x2xf32>) {
  %taps = arith.constant dense<[[0, 1], [2, 3]]> : tensor<2x2xi32>
  %zero = arith.constant 0.0 : f32
  %far = arith.constant 4 : i32
  %0 = linalg.generic {indexing_maps = [#id6, #windows, #taps, #windows], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel", "reduction"]} ins(%view, %max, %taps : tensor<2x3x4x2x4x2xf32>, tensor<2x3x4x4xf32>, tensor<2x2xi32>) outs(%none : tensor<2x3x4x4xi32>) {
  ^bb0(%x: f32, %m: f32, %t: i32, %best: i32):
    %eq = arith.cmpf oeq, %x, %m : f32
    %score = arith.select %eq, %t, %far : i32
    %min = arith.minsi %best, %score : i32
    linalg.yield %min : i32
  } -> tensor<2x3x4x4xi32>
  %1 = linalg.generic {indexing_maps = [#windows, #windows, #taps, #id6, #id6], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%0, %grad, %taps, %view : tensor<2x3x4x4xi32>, tensor<2x3x4x4xf32>, tensor<2x2xi32>, tensor<2x3x4x2x4x2xf32>) outs(%out : tensor<2x3x4x2x4x2xf32>) {
  ^bb0(%w: i32, %g: f32, %t: i32, %x: f32, %o: f32):
    %won = arith.cmpi eq, %w, %t : i32
    %d = arith.select %won, %g, %zero : f32
    %neg = arith.cmpf ole, %x, %zero : f32
    %r = arith.select %neg, %zero, %d : f32
    linalg.yield %r : f32
  } -> tensor<2x3x4x2x4x2xf32>
  return %0, %1 : tensor<2x3x4x4xi32>, tensor<2x3x4x2x4x2xf32>
}
