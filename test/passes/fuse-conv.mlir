// RUN: nnc-opt %s -split-input-file --nn-fuse | FileCheck %s
// RUN: nnc-opt %s -split-input-file --nn-fuse=report=true 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT

// Fusion classes of the convolution and pooling ops: nn.conv2d is a
// contraction like nn.matmul (one per region, never duplicated, takes
// elementwise epilogues), pooling is a reduction.

// A convolution with its bias add and activation: one region, one kernel.
// CHECK-LABEL: func.func @conv_bias_relu
// CHECK:         %[[R:.*]] = nn.fusion -> tensor<?x32x14x14xf32> {
// CHECK-NEXT:      nn.conv2d
// CHECK-NEXT:      nn.add
// CHECK-NEXT:      nn.relu
// CHECK-NEXT:      nn.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]
// REPORT: nn-fuse: @conv_bias_relu: nn.add#1 -> nn.relu#2: fused: saves 50176 bytes
// REPORT-NEXT: nn-fuse: @conv_bias_relu: nn.conv2d#0 -> nn.add#1: fused: saves 50176 bytes
// REPORT-NEXT: nn-fuse: @conv_bias_relu: 1 regions of 3 ops, 100352 bytes of traffic saved
func.func @conv_bias_relu(%x: tensor<?x16x14x14xf32>, %w: tensor<32x16x3x3xf32>, %b: tensor<32x1x1xf32>) -> tensor<?x32x14x14xf32> {
  %0 = nn.conv2d %x, %w stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<?x16x14x14xf32>, tensor<32x16x3x3xf32>
  %1 = nn.add %0, %b : tensor<?x32x14x14xf32>, tensor<32x1x1xf32>
  %2 = nn.relu %1 : tensor<?x32x14x14xf32>
  return %2 : tensor<?x32x14x14xf32>
}

// -----

// The SmallCNN's layer: the activation stays with its convolution; the
// pooling after it is a reduction, which a convolution's region does not
// take, so it is a kernel of its own.
// CHECK-LABEL: func.func @conv_relu_pool
// CHECK:         %[[C:.*]] = nn.fusion -> tensor<?x16x28x28xf32> {
// CHECK-NEXT:      nn.conv2d
// CHECK-NEXT:      nn.relu
// CHECK-NEXT:      nn.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[P:.*]] = nn.fusion -> tensor<?x16x14x14xf32> {
// CHECK-NEXT:      nn.max_pool2d %[[C]]
// CHECK-NEXT:      nn.yield
// CHECK-NEXT:    }
// REPORT: nn-fuse: @conv_relu_pool: nn.relu#1 -> nn.max_pool2d#2: not fused: kept with its nn.conv2d#0 as an epilogue
// REPORT-NEXT: nn-fuse: @conv_relu_pool: nn.conv2d#0 -> nn.relu#1: fused: saves 100352 bytes
func.func @conv_relu_pool(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x3xf32>, %b: tensor<16xf32>) -> tensor<?x16x14x14xf32> {
  %0 = nn.conv2d %x, %w, %b stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>
  %1 = nn.relu %0 : tensor<?x16x28x28xf32>
  %2 = nn.max_pool2d %1 kernel = [2, 2] stride = [2, 2] padding = [0, 0] dilation = [1, 1] : tensor<?x16x28x28xf32>
  return %2 : tensor<?x16x14x14xf32>
}

// -----

// A convolution read by two activations is computed once: each edge alone
// would duplicate it, so the activations first form regions of their own,
// which then merge with the convolution's into one region with two results.
// CHECK-LABEL: func.func @conv_two_users
// CHECK:         %[[R:.*]]:2 = nn.fusion -> tensor<8x16x28x28xf32>, tensor<8x16x28x28xf32> {
// CHECK-NEXT:      nn.conv2d
// CHECK-NEXT:      nn.relu
// CHECK-NEXT:      nn.sigmoid
// CHECK-NEXT:      nn.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]#0, %[[R]]#1
// REPORT: nn-fuse: @conv_two_users: merged the region of nn.conv2d#0 with 2 region(s) reading it: saves 802816 bytes
// REPORT-NEXT: nn-fuse: @conv_two_users: 1 regions of 3 ops, 802816 bytes of traffic saved
func.func @conv_two_users(%x: tensor<8x1x28x28xf32>, %w: tensor<16x1x3x3xf32>) -> (tensor<8x16x28x28xf32>, tensor<8x16x28x28xf32>) {
  %0 = nn.conv2d %x, %w stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<8x1x28x28xf32>, tensor<16x1x3x3xf32>
  %1 = nn.relu %0 : tensor<8x16x28x28xf32>
  %2 = nn.sigmoid %0 : tensor<8x16x28x28xf32>
  return %1, %2 : tensor<8x16x28x28xf32>, tensor<8x16x28x28xf32>
}
