// RUN: nnc-opt %s | nnc-opt | FileCheck %s
// RUN: nnc-opt %s --mlir-print-op-generic | nnc-opt | FileCheck %s

// Round trip of the convolution and pooling ops (ir/NNConvOps.td), with
// their inferred result types: a dynamic batch stays dynamic.

// CHECK-LABEL: func.func @conv2d
func.func @conv2d(%x: tensor<?x4x9x8xf32>, %w: tensor<6x2x3x2xf32>, %b: tensor<6xf32>, %d: tensor<4x1x3x3xf32>) -> (tensor<?x6x4x7xf32>, tensor<?x4x5x4xf32>) {
  // CHECK: nn.conv2d %{{.*}}, %{{.*}}, %{{.*}} stride = [2, 1] padding = [1, 0] dilation = [2, 1] groups = 2 : tensor<?x4x9x8xf32>, tensor<6x2x3x2xf32>, tensor<6xf32>
  %0 = nn.conv2d %x, %w, %b stride = [2, 1] padding = [1, 0] dilation = [2, 1] groups = 2 : tensor<?x4x9x8xf32>, tensor<6x2x3x2xf32>, tensor<6xf32>
  // A depthwise convolution without bias.
  // CHECK: nn.conv2d %{{.*}}, %{{.*}} stride = [2, 2] padding = [1, 1] dilation = [1, 1] groups = 4 : tensor<?x4x9x8xf32>, tensor<4x1x3x3xf32>
  %1 = nn.conv2d %x, %d stride = [2, 2] padding = [1, 1] dilation = [1, 1] groups = 4 : tensor<?x4x9x8xf32>, tensor<4x1x3x3xf32>
  return %0, %1 : tensor<?x6x4x7xf32>, tensor<?x4x5x4xf32>
}

// CHECK-LABEL: func.func @conv2d_backward
func.func @conv2d_backward(%dy: tensor<?x6x4x7xf32>, %w: tensor<6x2x3x2xf32>, %x: tensor<?x4x9x8xf32>) -> (tensor<?x4x9x8xf32>, tensor<6x2x3x2xf32>) {
  // CHECK: nn.conv2d_backward_input %{{.*}}, %{{.*}} input_size = [9, 8] stride = [2, 1] padding = [1, 0] dilation = [2, 1] groups = 2 : tensor<?x6x4x7xf32>, tensor<6x2x3x2xf32>
  %0 = nn.conv2d_backward_input %dy, %w input_size = [9, 8] stride = [2, 1] padding = [1, 0] dilation = [2, 1] groups = 2 : tensor<?x6x4x7xf32>, tensor<6x2x3x2xf32>
  // CHECK: nn.conv2d_backward_weight %{{.*}}, %{{.*}} kernel_size = [3, 2] stride = [2, 1] padding = [1, 0] dilation = [2, 1] groups = 2 : tensor<?x6x4x7xf32>, tensor<?x4x9x8xf32>
  %1 = nn.conv2d_backward_weight %dy, %x kernel_size = [3, 2] stride = [2, 1] padding = [1, 0] dilation = [2, 1] groups = 2 : tensor<?x6x4x7xf32>, tensor<?x4x9x8xf32>
  return %0, %1 : tensor<?x4x9x8xf32>, tensor<6x2x3x2xf32>
}

// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<?x3x9x7xf64>) -> (tensor<?x3x5x4xf64>, tensor<?x3x4x3xf64>, tensor<?x3x5x4xf64>, tensor<?x3x9x7xf64>) {
  // ceil_mode adds a window that starts inside the input: 5x4, not 4x3.
  // CHECK: nn.max_pool2d %{{.*}} kernel = [3, 3] stride = [2, 2] padding = [1, 1] dilation = [1, 1] ceil_mode : tensor<?x3x9x7xf64>
  %0 = nn.max_pool2d %x kernel = [3, 3] stride = [2, 2] padding = [1, 1] dilation = [1, 1] ceil_mode : tensor<?x3x9x7xf64>
  // CHECK: nn.max_pool2d %{{.*}} kernel = [2, 2] stride = [2, 2] padding = [0, 0] dilation = [1, 1] : tensor<?x3x9x7xf64>
  %1 = nn.max_pool2d %x kernel = [2, 2] stride = [2, 2] padding = [0, 0] dilation = [1, 1] : tensor<?x3x9x7xf64>
  // CHECK: nn.avg_pool2d %{{.*}} kernel = [3, 3] stride = [2, 2] padding = [1, 1] ceil_mode count_include_pad : tensor<?x3x9x7xf64>
  %2 = nn.avg_pool2d %x kernel = [3, 3] stride = [2, 2] padding = [1, 1] ceil_mode count_include_pad : tensor<?x3x9x7xf64>
  // CHECK: nn.max_pool2d_backward %{{.*}}, %{{.*}} kernel = [3, 3] stride = [2, 2] padding = [1, 1] dilation = [1, 1] ceil_mode : tensor<?x3x5x4xf64>, tensor<?x3x9x7xf64>
  %3 = nn.max_pool2d_backward %0, %x kernel = [3, 3] stride = [2, 2] padding = [1, 1] dilation = [1, 1] ceil_mode : tensor<?x3x5x4xf64>, tensor<?x3x9x7xf64>
  return %0, %1, %2, %3 : tensor<?x3x5x4xf64>, tensor<?x3x4x3xf64>, tensor<?x3x5x4xf64>, tensor<?x3x9x7xf64>
}

// The channels-last form that nn-layout chooses: [N, H, W, C] input,
// [kH, kW, C, O] weight, [N, OH, OW, O] result.
// CHECK-LABEL: func.func @conv2d_channels_last
// CHECK: nn.conv2d %{{.*}}, %{{.*}}, %{{.*}} stride = [2, 1] padding = [1, 0] dilation = [1, 1] groups = 1 channels_last : tensor<?x9x8x4xf32>, tensor<3x2x4x6xf32>, tensor<6xf32>
func.func @conv2d_channels_last(%x: tensor<?x9x8x4xf32>, %w: tensor<3x2x4x6xf32>, %b: tensor<6xf32>) -> tensor<?x5x7x6xf32> {
  %0 = nn.conv2d %x, %w, %b stride = [2, 1] padding = [1, 0] dilation = [1, 1] groups = 1 channels_last : tensor<?x9x8x4xf32>, tensor<3x2x4x6xf32>, tensor<6xf32>
  return %0 : tensor<?x5x7x6xf32>
}
