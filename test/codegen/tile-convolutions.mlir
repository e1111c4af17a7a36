// RUN: nnc-opt %s --split-input-file --pass-pipeline='builtin.module(nn-lower-to-linalg,canonicalize,linalg-generalize-named-ops,linalg-fuse-elementwise-ops,nnc-tile-convolutions,canonicalize,loop-invariant-subset-hoisting)' | FileCheck %s

// The SmallCNN's second convolution (16 -> 32 channels, 3x3, padding 1, on
// 14x14 images) over wide rows of 16 (14 + 2 padding) = 224 outputs: one
// task per image, register tiles of 8 output channels by 32 outputs, whose
// 8 rows of accumulators stay in vector registers (loop-carried) across
// the 16 x 3 x 3 taps; each tap reads 32 inputs and adds 8 broadcast
// weights times them.
// CHECK-LABEL: func.func @smallcnn_conv2(
// CHECK:         scf.forall (%{{.*}}) in (%{{.*}})
// CHECK:           scf.for %{{.*}} = %c0 to %c32 step %c8
// CHECK:             scf.for %{{.*}} = %c0 to %c224 step %c32
// CHECK-COUNT-8:       vector.transfer_read {{.*}} vector<32xf32>
// CHECK:               scf.for %{{.*}} = %c0 to %c16 step %c1 {{.*}} -> (tensor<{{.*}}>, {{.*}}vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>)
// CHECK:                 scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:                   scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:                     vector.transfer_read {{.*}} : tensor<1x1x1x32xf32>, vector<32xf32>
// CHECK-COUNT-8:             vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT:     linalg.generic {{.*}}"reduction"
func.func @smallcnn_conv2(%x: tensor<?x16x14x14xf32>, %w: tensor<32x16x3x3xf32>, %b: tensor<32xf32>) -> tensor<?x32x14x14xf32> {
  %0 = nn.conv2d %x, %w, %b stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<?x16x14x14xf32>, tensor<32x16x3x3xf32>, tensor<32xf32>
  return %0 : tensor<?x32x14x14xf32>
}

// -----

// Strided convolutions are not over wide rows: left to the plain loops.
// CHECK-LABEL: func.func @strided(
// CHECK-NOT:     scf.forall
// CHECK:         linalg.generic
func.func @strided(%x: tensor<2x4x9x9xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<2x8x4x4xf32> {
  %0 = nn.conv2d %x, %w stride = [2, 2] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<2x4x9x9xf32>, tensor<8x4x3x3xf32>
  return %0 : tensor<2x8x4x4xf32>
}
