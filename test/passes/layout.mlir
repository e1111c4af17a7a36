// RUN: nnc-opt %s -split-input-file --nn-layout --canonicalize --cse | FileCheck %s
// RUN: nnc-opt %s -split-input-file --nn-layout=min-channels=128 | FileCheck %s --check-prefix=FEW

// A ResNet-style block: both convolutions run channels-last, and between
// them the relu, the per-channel scale, the residual add and the last relu
// stay channels-last too. What is left is one permute of the block's input
// (shared by the first convolution and the residual add), the weights' and
// the scale's permutes, and one permute of the result.
// CHECK-LABEL: func.func @resnet_block
// CHECK-SAME:    (%[[X:.*]]: tensor<4x64x8x8xf32>, %[[W1:.*]]: tensor<64x64x3x3xf32>, %[[B1:.*]]: tensor<64xf32>, %[[W2:.*]]: tensor<64x64x3x3xf32>, %[[S:.*]]: tensor<1x64x1x1xf32>)
// CHECK:         %[[XT:.*]] = nn.permute %[[X]] dims = [0, 2, 3, 1] : tensor<4x64x8x8xf32>
// CHECK:         %[[W1T:.*]] = nn.permute %[[W1]] dims = [2, 3, 1, 0] : tensor<64x64x3x3xf32>
// CHECK:         %[[C1:.*]] = nn.conv2d %[[XT]], %[[W1T]], %[[B1]] {{.*}} channels_last : tensor<4x8x8x64xf32>, tensor<3x3x64x64xf32>, tensor<64xf32>
// CHECK:         %[[R1:.*]] = nn.relu %[[C1]] : tensor<4x8x8x64xf32>
// CHECK:         %[[W2T:.*]] = nn.permute %[[W2]] dims = [2, 3, 1, 0]
// CHECK:         %[[C2:.*]] = nn.conv2d %[[R1]], %[[W2T]] {{.*}} channels_last
// CHECK:         %[[ST:.*]] = nn.permute %[[S]] dims = [0, 2, 3, 1] : tensor<1x64x1x1xf32>
// CHECK:         %[[M:.*]] = nn.mul %[[C2]], %[[ST]] : tensor<4x8x8x64xf32>, tensor<1x1x1x64xf32>
// CHECK:         %[[A:.*]] = nn.add %[[M]], %[[XT]] : tensor<4x8x8x64xf32>, tensor<4x8x8x64xf32>
// CHECK:         %[[R2:.*]] = nn.relu %[[A]] : tensor<4x8x8x64xf32>
// CHECK:         %[[OUT:.*]] = nn.permute %[[R2]] dims = [0, 3, 1, 2] : tensor<4x8x8x64xf32>
// CHECK:         return %[[OUT]]
// FEW-LABEL: func.func @resnet_block
// FEW-NOT:     channels_last
// FEW-NOT:     nn.permute
func.func @resnet_block(%x: tensor<4x64x8x8xf32>, %w1: tensor<64x64x3x3xf32>, %b1: tensor<64xf32>, %w2: tensor<64x64x3x3xf32>, %s: tensor<1x64x1x1xf32>) -> tensor<4x64x8x8xf32> {
  %c1 = nn.conv2d %x, %w1, %b1 stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<4x64x8x8xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>
  %r1 = nn.relu %c1 : tensor<4x64x8x8xf32>
  %c2 = nn.conv2d %r1, %w2 stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<4x64x8x8xf32>, tensor<64x64x3x3xf32>
  %m = nn.mul %c2, %s : tensor<4x64x8x8xf32>, tensor<1x64x1x1xf32>
  %a = nn.add %m, %x : tensor<4x64x8x8xf32>, tensor<4x64x8x8xf32>
  %r2 = nn.relu %a : tensor<4x64x8x8xf32>
  return %r2 : tensor<4x64x8x8xf32>
}

// -----

// Frozen weights (constants): their permutes fold, so the weights are
// packed [kH, kW, C, O] at compile time. A 1x1 convolution is chosen too.
// w[o, c] = 16 o + c, so the packed weight's first row, [0, 0, 0, :],
// holds w[0, 0], w[1, 0], ... = 0, 16, 32, ...
// CHECK-LABEL: func.func @frozen_weights
// (printed as raw little-endian f32: 0x00000000, 0x41800000, 0x42000000).
// CHECK:         %[[W:.*]] = nn.constant dense<"0x000000000000804100000042
// CHECK-SAME:      tensor<1x1x16x16xf32>
// CHECK-NOT:     nn.permute {{.*}} tensor<16x16x1x1xf32>
// CHECK:         nn.conv2d {{.*}}, %[[W]] {{.*}} channels_last
func.func @frozen_weights(%x: tensor<2x16x4x4xf32>) -> tensor<2x16x4x4xf32> {
  %w = nn.constant dense<[[[[0.0]], [[1.0]], [[2.0]], [[3.0]], [[4.0]], [[5.0]], [[6.0]], [[7.0]], [[8.0]], [[9.0]], [[10.0]], [[11.0]], [[12.0]], [[13.0]], [[14.0]], [[15.0]]], [[[16.0]], [[17.0]], [[18.0]], [[19.0]], [[20.0]], [[21.0]], [[22.0]], [[23.0]], [[24.0]], [[25.0]], [[26.0]], [[27.0]], [[28.0]], [[29.0]], [[30.0]], [[31.0]]], [[[32.0]], [[33.0]], [[34.0]], [[35.0]], [[36.0]], [[37.0]], [[38.0]], [[39.0]], [[40.0]], [[41.0]], [[42.0]], [[43.0]], [[44.0]], [[45.0]], [[46.0]], [[47.0]]], [[[48.0]], [[49.0]], [[50.0]], [[51.0]], [[52.0]], [[53.0]], [[54.0]], [[55.0]], [[56.0]], [[57.0]], [[58.0]], [[59.0]], [[60.0]], [[61.0]], [[62.0]], [[63.0]]], [[[64.0]], [[65.0]], [[66.0]], [[67.0]], [[68.0]], [[69.0]], [[70.0]], [[71.0]], [[72.0]], [[73.0]], [[74.0]], [[75.0]], [[76.0]], [[77.0]], [[78.0]], [[79.0]]], [[[80.0]], [[81.0]], [[82.0]], [[83.0]], [[84.0]], [[85.0]], [[86.0]], [[87.0]], [[88.0]], [[89.0]], [[90.0]], [[91.0]], [[92.0]], [[93.0]], [[94.0]], [[95.0]]], [[[96.0]], [[97.0]], [[98.0]], [[99.0]], [[100.0]], [[101.0]], [[102.0]], [[103.0]], [[104.0]], [[105.0]], [[106.0]], [[107.0]], [[108.0]], [[109.0]], [[110.0]], [[111.0]]], [[[112.0]], [[113.0]], [[114.0]], [[115.0]], [[116.0]], [[117.0]], [[118.0]], [[119.0]], [[120.0]], [[121.0]], [[122.0]], [[123.0]], [[124.0]], [[125.0]], [[126.0]], [[127.0]]], [[[128.0]], [[129.0]], [[130.0]], [[131.0]], [[132.0]], [[133.0]], [[134.0]], [[135.0]], [[136.0]], [[137.0]], [[138.0]], [[139.0]], [[140.0]], [[141.0]], [[142.0]], [[143.0]]], [[[144.0]], [[145.0]], [[146.0]], [[147.0]], [[148.0]], [[149.0]], [[150.0]], [[151.0]], [[152.0]], [[153.0]], [[154.0]], [[155.0]], [[156.0]], [[157.0]], [[158.0]], [[159.0]]], [[[160.0]], [[161.0]], [[162.0]], [[163.0]], [[164.0]], [[165.0]], [[166.0]], [[167.0]], [[168.0]], [[169.0]], [[170.0]], [[171.0]], [[172.0]], [[173.0]], [[174.0]], [[175.0]]], [[[176.0]], [[177.0]], [[178.0]], [[179.0]], [[180.0]], [[181.0]], [[182.0]], [[183.0]], [[184.0]], [[185.0]], [[186.0]], [[187.0]], [[188.0]], [[189.0]], [[190.0]], [[191.0]]], [[[192.0]], [[193.0]], [[194.0]], [[195.0]], [[196.0]], [[197.0]], [[198.0]], [[199.0]], [[200.0]], [[201.0]], [[202.0]], [[203.0]], [[204.0]], [[205.0]], [[206.0]], [[207.0]]], [[[208.0]], [[209.0]], [[210.0]], [[211.0]], [[212.0]], [[213.0]], [[214.0]], [[215.0]], [[216.0]], [[217.0]], [[218.0]], [[219.0]], [[220.0]], [[221.0]], [[222.0]], [[223.0]]], [[[224.0]], [[225.0]], [[226.0]], [[227.0]], [[228.0]], [[229.0]], [[230.0]], [[231.0]], [[232.0]], [[233.0]], [[234.0]], [[235.0]], [[236.0]], [[237.0]], [[238.0]], [[239.0]]], [[[240.0]], [[241.0]], [[242.0]], [[243.0]], [[244.0]], [[245.0]], [[246.0]], [[247.0]], [[248.0]], [[249.0]], [[250.0]], [[251.0]], [[252.0]], [[253.0]], [[254.0]], [[255.0]]]]> : tensor<16x16x1x1xf32>
  %c = nn.conv2d %x, %w stride = [1, 1] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<2x16x4x4xf32>, tensor<16x16x1x1xf32>
  return %c : tensor<2x16x4x4xf32>
}

// -----

// Convolutions that stay NCHW: one input channel (the SmallCNN's first),
// stride 2, groups, and a convolution whose input a backward op reads (a
// training step, whose gradients are NCHW ops).
// CHECK-LABEL: func.func @stays_nchw
// CHECK-NOT:     channels_last
// CHECK-NOT:     nn.permute
// CHECK:         return
func.func @stays_nchw(%x1: tensor<4x1x28x28xf32>, %w1: tensor<16x1x3x3xf32>,
                      %x: tensor<4x32x8x8xf32>, %w: tensor<32x32x3x3xf32>,
                      %wg: tensor<32x16x3x3xf32>, %dy: tensor<4x32x8x8xf32>)
    -> (tensor<4x16x28x28xf32>, tensor<4x32x4x4xf32>, tensor<4x32x8x8xf32>, tensor<4x32x8x8xf32>, tensor<32x32x3x3xf32>) {
  %a = nn.conv2d %x1, %w1 stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<4x1x28x28xf32>, tensor<16x1x3x3xf32>
  %b = nn.conv2d %x, %w stride = [2, 2] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<4x32x8x8xf32>, tensor<32x32x3x3xf32>
  %c = nn.conv2d %x, %wg stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 2 : tensor<4x32x8x8xf32>, tensor<32x16x3x3xf32>
  %d = nn.conv2d %x, %w stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<4x32x8x8xf32>, tensor<32x32x3x3xf32>
  %dw = nn.conv2d_backward_weight %dy, %x kernel_size = [3, 3] stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<4x32x8x8xf32>, tensor<4x32x8x8xf32>
  return %a, %b, %c, %d, %dw : tensor<4x16x28x28xf32>, tensor<4x32x4x4xf32>, tensor<4x32x8x8xf32>, tensor<4x32x8x8xf32>, tensor<32x32x3x3xf32>
}

// -----

// A dynamic batch stays NCHW (see the pass: the weight's permute would be
// fused into the convolution's loop nest).
// CHECK-LABEL: func.func @dynamic_batch
// CHECK-NOT:     channels_last
// CHECK:         return
func.func @dynamic_batch(%x: tensor<?x32x8x8xf32>, %w: tensor<32x32x3x3xf32>) -> tensor<?x32x8x8xf32> {
  %c = nn.conv2d %x, %w stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<?x32x8x8xf32>, tensor<32x32x3x3xf32>
  return %c : tensor<?x32x8x8xf32>
}

// -----

// A permute does not sink past an op whose other operand is large and not
// available in the permuted layout: that would only move the copy.
// CHECK-LABEL: func.func @large_other_operand
// CHECK:         nn.conv2d {{.*}} channels_last
// CHECK:         %[[BACK:.*]] = nn.permute {{.*}} dims = [0, 3, 1, 2]
// CHECK:         nn.add %[[BACK]], %{{.*}} : tensor<2x16x4x4xf32>, tensor<2x16x4x4xf32>
func.func @large_other_operand(%x: tensor<2x16x4x4xf32>, %w: tensor<16x16x3x3xf32>, %y: tensor<2x16x4x4xf32>) -> tensor<2x16x4x4xf32> {
  %c = nn.conv2d %x, %w stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<2x16x4x4xf32>, tensor<16x16x3x3xf32>
  %a = nn.add %c, %y : tensor<2x16x4x4xf32>, tensor<2x16x4x4xf32>
  return %a : tensor<2x16x4x4xf32>
}
