// RUN: nnc-opt %s --split-input-file --pass-pipeline='builtin.module(nn-lower-to-linalg,canonicalize,linalg-generalize-named-ops,linalg-fuse-elementwise-ops,nnc-tile-convolutions,canonicalize,loop-invariant-subset-hoisting)' | FileCheck %s

// The SmallCNN's second convolution (16 -> 32 channels, 3x3, padding 1, on
// 14x14 images) over wide rows of 16 (14 + 2 padding) = 224 outputs: one
// task per image, register tiles of 8 output channels by 32 outputs, whose
// 8 rows of accumulators stay in vector registers (loop-carried) across
// the 16 x 3 x 3 taps; each tap reads 32 inputs and adds 8 broadcast
// weights times them. The rows start from their output channel's bias,
// broadcast in registers (not written to the output and read back), and
// are written once after the last tap.
// CHECK-LABEL: func.func @smallcnn_conv2(
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall (%{{.*}}) in (%{{.*}})
// CHECK:           scf.for %{{.*}} = %c0 to %c32 step %c8
// CHECK:             scf.for %{{.*}} = %c0 to %c224 step %c32
// CHECK-NOT:           vector.transfer_read
// CHECK-COUNT-8:       vector.broadcast {{.*}} : f32 to vector<32xf32>
// CHECK:               scf.for %{{.*}} = %c0 to %c16 step %c1 {{.*}} -> (vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>)
// CHECK:                 scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:                   scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:                     vector.transfer_read {{.*}} : tensor<1x1x16x66xf32>, vector<32xf32>
// CHECK-COUNT-8:             vector.fma {{.*}} : vector<32xf32>
// CHECK-COUNT-8:       vector.transfer_write {{.*}} : vector<32xf32>, tensor<1x1x8x32xf32>
// CHECK-NOT:     linalg.generic
func.func @smallcnn_conv2(%x: tensor<?x16x14x14xf32>, %w: tensor<32x16x3x3xf32>, %b: tensor<32xf32>) -> tensor<?x32x14x14xf32> {
  %0 = nn.conv2d %x, %w, %b stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<?x16x14x14xf32>, tensor<32x16x3x3xf32>, tensor<32xf32>
  return %0 : tensor<?x32x14x14xf32>
}

// -----

// ResNet's 1x1 convolution 64 -> 256 on 56 x 56, 32 images: each task's
// 3136 outputs in blocks of 448, whose inputs (64 channels, 112 KB) stay
// in L2 while all 256 output channels go by in tiles of 8 by 32; each
// tile's accumulators start as zeros in registers and are written once.
// CHECK-LABEL: func.func @resnet_1x1(
// CHECK:         %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : vector<32xf32>
// CHECK:         scf.forall (%{{.*}}) in (32)
// CHECK:           scf.for %{{.*}} = %c0 to %c3136 step %c448
// CHECK:             scf.for %{{.*}} = %c0 to %c256 step %c8
// CHECK:               scf.for %{{.*}} = %c0 to %c448 step %c32
// CHECK-NOT:             vector.transfer_read {{.*}} : tensor<1x1x8x32xf32>
// CHECK:                 scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args(%{{.*}} = %[[ZEROS]],
// CHECK:                   vector.transfer_read {{.*}} : tensor<1x1x64x32xf32>, vector<32xf32>
// CHECK-COUNT-8:           vector.fma {{.*}} : vector<32xf32>
// CHECK-COUNT-8:         vector.transfer_write {{.*}} : vector<32xf32>, tensor<1x1x8x32xf32>
func.func @resnet_1x1(%x: tensor<32x64x56x56xf32>, %w: tensor<256x64x1x1xf32>) -> tensor<32x256x56x56xf32> {
  %0 = nn.conv2d %x, %w stride = [1, 1] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<32x64x56x56xf32>, tensor<256x64x1x1xf32>
  return %0 : tensor<32x256x56x56xf32>
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

// -----

// Channels last: the SmallCNN's second convolution as the NHWC lowering
// emits it (input rows of 16 joined, 16 * 16 + 2 rows of 16 channels;
// weights [kh, kw, c, f]; 224 wide-row outputs of 32 channels). One task
// per image, register tiles of 8 consecutive outputs by 32 channels, kept
// in registers across the 3 x 3 x 16 taps (c innermost: consecutive input
// scalars); each tap reads 32 weights and adds 8 broadcast inputs times
// them.
// CHECK-LABEL: func.func @nhwc_smallcnn_conv2(
// CHECK-SAME:      %[[INIT:[a-z0-9]+]]: tensor<?x224x32xf32>)
// CHECK:         scf.forall (%{{.*}}) in (%{{.*}}) shared_outs(%{{.*}} = %[[INIT]])
// CHECK:           scf.for %{{.*}} = %c0 to %c224 step %c8
// CHECK-COUNT-8:     vector.transfer_read {{.*}} : tensor<1x8x32xf32>, vector<32xf32>
// CHECK:             scf.for %{{.*}} = %c0 to %c3 step %c1 {{.*}} -> (vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>)
// CHECK:               scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:                 scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK:                   vector.transfer_read {{.*}} : tensor<3x3x16x32xf32>, vector<32xf32>
// CHECK-COUNT-8:           vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT:     linalg.generic
#nhwc_in = affine_map<(n, p, f, kh, kw, c) -> (n, p + kh * 16 + kw, c)>
#nhwc_w = affine_map<(n, p, f, kh, kw, c) -> (kh, kw, c, f)>
#nhwc_out = affine_map<(n, p, f, kh, kw, c) -> (n, p, f)>
func.func @nhwc_smallcnn_conv2(%x: tensor<?x258x16xf32>, %w: tensor<3x3x16x32xf32>, %init: tensor<?x224x32xf32>) -> tensor<?x224x32xf32> {
  %0 = linalg.generic {indexing_maps = [#nhwc_in, #nhwc_w, #nhwc_out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<?x258x16xf32>, tensor<3x3x16x32xf32>) outs(%init : tensor<?x224x32xf32>) {
  ^bb0(%in: f32, %wt: f32, %out: f32):
    %m = arith.mulf %in, %wt : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x224x32xf32>
  return %0 : tensor<?x224x32xf32>
}

// -----

// Channels last, 1x1 (ResNet's 64 -> 256 on 56 x 56, one image): a matrix
// product [3136, 64] x [64, 256]. 256 channels, four vectors divide them:
// register tiles of 6 outputs by 64 channels (24 accumulators). One image
// is split among 4 tasks of 131 tiles (the last one shorter); a task walks
// tiles of 6 outputs, and for each all 256 channels in tiles of 64 (the 6 x
// 64 inputs stay in L1 while the 64 KB of weights stream from L2); each
// tap reads 64 weights and adds 6 broadcast inputs times them. What 6 does
// not divide of a task's share (4 outputs of the last one) is left to
// plain loops.
// CHECK-LABEL: func.func @nhwc_resnet_1x1(
// CHECK:         scf.forall (%{{.*}}) = (0) to (3136) step (786)
// CHECK:           scf.for %{{.*}} = %c0 to %{{.*}} step %c6
// CHECK:             scf.for %{{.*}} = %c0 to %c256 step %c64
// CHECK-COUNT-6:       vector.transfer_read {{.*}} : tensor<1x6x64xf32>, vector<64xf32>
// CHECK:               scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK:                 vector.transfer_read {{.*}} : tensor<1x1x64x64xf32>, vector<64xf32>
// CHECK-COUNT-6:         vector.fma {{.*}} : vector<64xf32>
// CHECK-NOT:             vector.fma
// CHECK:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c6
// CHECK:             linalg.generic {{.*}}"reduction"
#nhwc_in = affine_map<(n, p, f, kh, kw, c) -> (n, p + kh * 56 + kw, c)>
#nhwc_w = affine_map<(n, p, f, kh, kw, c) -> (kh, kw, c, f)>
#nhwc_out = affine_map<(n, p, f, kh, kw, c) -> (n, p, f)>
func.func @nhwc_resnet_1x1(%x: tensor<1x3136x64xf32>, %w: tensor<1x1x64x256xf32>, %init: tensor<1x3136x256xf32>) -> tensor<1x3136x256xf32> {
  %0 = linalg.generic {indexing_maps = [#nhwc_in, #nhwc_w, #nhwc_out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x3136x64xf32>, tensor<1x1x64x256xf32>) outs(%init : tensor<1x3136x256xf32>) {
  ^bb0(%in: f32, %wt: f32, %out: f32):
    %m = arith.mulf %in, %wt : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x3136x256xf32>
  return %0 : tensor<1x3136x256xf32>
}

// -----

// Channels last, 7 x 7 images (rows of 9 with the padding: 63 outputs)
// that 8 does not divide: 7 tiles of 8 outputs, then one of 7 with 7 FMAs
// per tap. 16 channels: one vector. The zeros the outputs start from are
// the accumulators' first values in registers: neither the whole output
// nor a tile of it is filled in memory.
// CHECK-LABEL: func.func @nhwc_remainder(
// CHECK:         %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK:         %[[EMPTY:.*]] = tensor.empty(%{{.*}}) : tensor<?x63x16xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall (%{{.*}}) in (%{{.*}}) shared_outs(%{{.*}} = %[[EMPTY]])
// CHECK:           scf.for %{{.*}} = %c0 to %c56 step %c8
// CHECK-NOT:         vector.transfer_read {{.*}} : tensor<1x8x16xf32>
// CHECK:             scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%{{.*}} = %[[ZEROS]],
// CHECK-COUNT-8:       vector.fma {{.*}} : vector<16xf32>
// CHECK-COUNT-8:     vector.transfer_write {{.*}} : vector<16xf32>, tensor<1x8x16xf32>
// CHECK:           tensor.extract_slice %{{.*}}[0, 56, 0] [1, 7, 16]
// CHECK-NOT:       vector.transfer_read {{.*}} : tensor<1x7x16xf32>
// CHECK:           scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%{{.*}} = %[[ZEROS]],
// CHECK:             scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:               scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK-COUNT-7:         vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT:             vector.fma
// CHECK-NOT:     linalg.generic {{.*}}"reduction"
#nhwc_in = affine_map<(n, p, f, kh, kw, c) -> (n, p + kh * 9 + kw, c)>
#nhwc_w = affine_map<(n, p, f, kh, kw, c) -> (kh, kw, c, f)>
#nhwc_out = affine_map<(n, p, f, kh, kw, c) -> (n, p, f)>
func.func @nhwc_remainder(%x: tensor<?x83x8xf32>, %w: tensor<3x3x8x16xf32>) -> tensor<?x63x16xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x83x8xf32>
  %empty = tensor.empty(%n) : tensor<?x63x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<?x63x16xf32>) -> tensor<?x63x16xf32>
  %0 = linalg.generic {indexing_maps = [#nhwc_in, #nhwc_w, #nhwc_out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<?x83x8xf32>, tensor<3x3x8x16xf32>) outs(%init : tensor<?x63x16xf32>) {
  ^bb0(%in: f32, %wt: f32, %out: f32):
    %m = arith.mulf %in, %wt : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x63x16xf32>
  return %0 : tensor<?x63x16xf32>
}

// -----

// Channels last with the weights read at [kh, kw, f, c] (not f along
// memory): no row of weights to read as a vector, left to the plain loops.
// CHECK-LABEL: func.func @nhwc_channels_not_contiguous(
// CHECK-NOT:     scf.forall
// CHECK:         linalg.generic
#nhwc_in = affine_map<(n, p, f, kh, kw, c) -> (n, p + kh * 9 + kw, c)>
#nhwc_w_fc = affine_map<(n, p, f, kh, kw, c) -> (kh, kw, f, c)>
#nhwc_out = affine_map<(n, p, f, kh, kw, c) -> (n, p, f)>
func.func @nhwc_channels_not_contiguous(%x: tensor<2x83x8xf32>, %w: tensor<3x3x16x8xf32>, %init: tensor<2x63x16xf32>) -> tensor<2x63x16xf32> {
  %0 = linalg.generic {indexing_maps = [#nhwc_in, #nhwc_w_fc, #nhwc_out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<2x83x8xf32>, tensor<3x3x16x8xf32>) outs(%init : tensor<2x63x16xf32>) {
  ^bb0(%in: f32, %wt: f32, %out: f32):
    %m = arith.mulf %in, %wt : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x63x16xf32>
  return %0 : tensor<2x63x16xf32>
}
