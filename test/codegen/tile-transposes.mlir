// RUN: nnc-opt %s -split-input-file --nnc-tile-transposes --canonicalize | FileCheck %s

// NHWC -> NCHW of one 56 x 56 x 64 image (a permute after a channels-last
// convolution): h and w, adjacent in both layouts, merge into 3136, so the
// copy is [64, 3136] <- [3136, 64]. Tasks take strips of 16 channels (the
// input's innermost dim); each step moves a 16 x 16 block: one read
// through the transposing map (a vector.transpose once nnc-lower-vector-ops
// lowers the map), one write.
// CHECK-LABEL: func.func @nhwc_to_nchw
// CHECK:         tensor.collapse_shape {{.*}} into tensor<1x3136x64xf32>
// CHECK:         scf.forall (%[[C:.*]]) = (0) to (64) step (16)
// CHECK:           scf.for %[[P:.*]] = %c0 to %c3136 step %c16
// CHECK:             %[[BLOCK:.*]] = vector.transfer_read {{.*}} permutation_map = #{{.*}} : tensor<1x16x16xf32>, vector<1x16x16xf32>
// CHECK:             vector.transfer_write %[[BLOCK]], {{.*}} : vector<1x16x16xf32>, tensor<1x16x16xf32>
// CHECK:         tensor.expand_shape {{.*}} into tensor<1x64x56x56xf32>
func.func @nhwc_to_nchw(%x: tensor<1x56x56x64xf32>) -> tensor<1x64x56x56xf32> {
  %e = tensor.empty() : tensor<1x64x56x56xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, h, w, c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x56x56x64xf32>) outs(%e : tensor<1x64x56x56xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x64x56x56xf32>
  return %t : tensor<1x64x56x56xf32>
}

// -----

// Sizes that are not multiples of 16 (the SmallCNN's 14 x 14 = 196) and
// copies that keep the innermost dim are left alone.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     scf.forall
// CHECK-NOT:     vector.transpose
func.func @left_alone(%x: tensor<2x14x14x32xf32>, %y: tensor<4x8x16xf32>) -> (tensor<2x32x14x14xf32>, tensor<8x4x16xf32>) {
  %e = tensor.empty() : tensor<2x32x14x14xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, h, w, c)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x14x14x32xf32>) outs(%e : tensor<2x32x14x14xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x32x14x14xf32>
  %e2 = tensor.empty() : tensor<8x4x16xf32>
  %u = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (b, a, c)>, affine_map<(a, b, c) -> (a, b, c)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y : tensor<4x8x16xf32>) outs(%e2 : tensor<8x4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<8x4x16xf32>
  return %t, %u : tensor<2x32x14x14xf32>, tensor<8x4x16xf32>
}
