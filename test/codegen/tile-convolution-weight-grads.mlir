// RUN: nnc-opt %s --split-input-file --pass-pipeline='builtin.module(nn-lower-to-linalg,canonicalize,linalg-generalize-named-ops,linalg-fuse-elementwise-ops,nnc-tile-convolution-weight-grads,canonicalize)' | FileCheck %s

// The SmallCNN's second convolution's weight gradient (32 x 16 x 3 x 3 from
// 64 images of 14 x 14, over wide rows of 16): one task per block of 8
// output channels, input channel and kernel row (4 x 16 x 3); 8 x 3 vectors
// of partial sums carried across the images and the 224 outputs, 16 at a
// time; per step 24 FMAs; each vector summed across lanes at the end.
// CHECK-LABEL: func.func @smallcnn_conv2_weight_grad(
// CHECK:         scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (4, 16, 3)
// CHECK:           scf.for %{{.*}} = %c0 to %c64 step %c1 {{.*}} -> (vector<16xf32>, {{.*}}, vector<16xf32>)
// CHECK:             scf.for %{{.*}} = %c0 to %c224 step %c16
// CHECK-COUNT-24:      vector.fma {{.*}} : vector<16xf32>
// CHECK-COUNT-24:  vector.reduction <add>
// CHECK:           tensor.parallel_insert_slice {{.*}} tensor<1x8x1x1x3xf32>
// CHECK-NOT:     linalg.generic {{.*}}"reduction"
func.func @smallcnn_conv2_weight_grad(%dy: tensor<64x32x14x14xf32>, %x: tensor<64x16x14x14xf32>) -> tensor<32x16x3x3xf32> {
  %0 = nn.conv2d_backward_weight %dy, %x kernel_size = [3, 3] stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<64x32x14x14xf32>, tensor<64x16x14x14xf32>
  return %0 : tensor<32x16x3x3xf32>
}

// -----

// Strided: not over wide rows, left to the plain loops.
// CHECK-LABEL: func.func @strided(
// CHECK-NOT:     scf.forall
// CHECK:         linalg.generic
func.func @strided(%dy: tensor<2x8x4x4xf32>, %x: tensor<2x4x9x9xf32>) -> tensor<8x4x3x3xf32> {
  %0 = nn.conv2d_backward_weight %dy, %x kernel_size = [3, 3] stride = [2, 2] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<2x8x4x4xf32>, tensor<2x4x9x9xf32>
  return %0 : tensor<8x4x3x3xf32>
}
