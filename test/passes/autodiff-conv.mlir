// RUN: nnc-opt %s -nn-autodiff -split-input-file | FileCheck %s

// Backward graphs of the convolution and pooling ops: each gradient is one
// backward op with the forward op's attributes.

// A convolution layer and max pooling, differentiated by the parameters
// only (as a training step does): max pooling routes the gradient to the
// argmax, the weight gradient correlates it with the input, the bias
// gradient sums it over (n, h, w). The input's gradient is not built.
// CHECK-LABEL: func.func @conv_pool_grad
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x8x8xf32>, %[[W:.*]]: tensor<4x1x3x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[Y:.*]] = nn.conv2d %[[X]], %[[W]], %[[B]]
// CHECK: %[[P:.*]] = nn.max_pool2d %[[Y]]
// CHECK: %[[DP:.*]] = nn.broadcast_to %{{.*}} like %[[P]]
// CHECK: %[[DY:.*]] = nn.max_pool2d_backward %[[DP]], %[[Y]] kernel = [2, 2] stride = [2, 2] padding = [0, 0] dilation = [1, 1] : tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>
// CHECK: %[[DW:.*]] = nn.conv2d_backward_weight %[[DY]], %[[X]] kernel_size = [3, 3] stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<?x4x8x8xf32>, tensor<?x1x8x8xf32>
// CHECK: %[[DB:.*]] = nn.sum %[[DY]] dims = [0, 2, 3] : tensor<?x4x8x8xf32>
// CHECK-NOT: nn.conv2d_backward_input
// CHECK: return %{{.*}}, %[[DW]], %[[DB]]
func.func @conv_pool(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32> {nn.requires_grad}, %b: tensor<4xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.conv2d %x, %w, %b stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>
  %1 = nn.max_pool2d %0 kernel = [2, 2] stride = [2, 2] padding = [0, 0] dilation = [1, 1] : tensor<?x4x8x8xf32>
  %2 = nn.sum %1 dims = [0, 1, 2, 3] : tensor<?x4x4x4xf32>
  return %2 : tensor<f32>
}

// -----

// The input's gradient of a strided, grouped convolution: the transposed
// convolution with the same weight and attributes, back to the input size.
// CHECK-LABEL: func.func @conv_input_grad
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x9x9xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>)
// CHECK: %[[DX:.*]] = nn.conv2d_backward_input %{{.*}}, %[[W]] input_size = [9, 9] stride = [2, 2] padding = [1, 1] dilation = [1, 1] groups = 2 : tensor<2x6x5x5xf32>, tensor<6x2x3x3xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @conv_input(%x: tensor<2x4x9x9xf32> {nn.requires_grad}, %w: tensor<6x2x3x3xf32>) -> tensor<f32> {
  %0 = nn.conv2d %x, %w stride = [2, 2] padding = [1, 1] dilation = [1, 1] groups = 2 : tensor<2x4x9x9xf32>, tensor<6x2x3x3xf32>
  %1 = nn.sum %0 dims = [0, 1, 2, 3] : tensor<2x6x5x5xf32>
  return %1 : tensor<f32>
}

// -----

// Average pooling's gradient: divided by each window's divisor (ceil_mode's
// last windows hold fewer elements), then spread back over the window by a
// depthwise transposed convolution with a kernel of ones.
// CHECK-LABEL: func.func @avg_pool_grad
// CHECK: %[[D:.*]] = nn.constant dense<{{\[}}[4.000000e+00, 4.000000e+00, 2.000000e+00], [4.000000e+00, 4.000000e+00, 2.000000e+00], [2.000000e+00, 2.000000e+00, 1.000000e+00]]> : tensor<3x3xf32>
// CHECK: %[[SCALED:.*]] = nn.div %{{.*}}, %[[D]] : tensor<2x3x3x3xf32>, tensor<3x3xf32>
// CHECK: %[[ONES:.*]] = nn.constant dense<1.000000e+00> : tensor<3x1x2x2xf32>
// CHECK: %[[DX:.*]] = nn.conv2d_backward_input %[[SCALED]], %[[ONES]] input_size = [5, 5] stride = [2, 2] padding = [0, 0] dilation = [1, 1] groups = 3 : tensor<2x3x3x3xf32>, tensor<3x1x2x2xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @avg_pool(%x: tensor<2x3x5x5xf32> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.avg_pool2d %x kernel = [2, 2] stride = [2, 2] padding = [0, 0] ceil_mode : tensor<2x3x5x5xf32>
  %1 = nn.sum %0 dims = [0, 1, 2, 3] : tensor<2x3x3x3xf32>
  return %1 : tensor<f32>
}

// -----

// A channels-last convolution (nn-layout's form, differentiated only when a
// graph is written that way): its gradients are the NCHW backward ops on
// the operands permuted to NCHW / OIHW, permuted back; the bias gradient
// sums over (n, h, w), the first three dims.
// CHECK-LABEL: func.func @conv2d_channels_last_grad
// CHECK-DAG: %[[GN:.*]] = nn.permute %{{.*}} dims = [0, 3, 1, 2] : tensor<2x4x4x8xf32>
// CHECK-DAG: %[[XN:.*]] = nn.permute %{{.*}} dims = [0, 3, 1, 2] : tensor<2x4x4x3xf32>
// CHECK-DAG: %[[WN:.*]] = nn.permute %{{.*}} dims = [3, 2, 0, 1] : tensor<3x3x3x8xf32>
// CHECK-DAG: %[[DX:.*]] = nn.conv2d_backward_input %[[GN]], %[[WN]] input_size = [4, 4]
// CHECK-DAG: %[[DW:.*]] = nn.conv2d_backward_weight %[[GN]], %[[XN]] kernel_size = [3, 3]
// CHECK-DAG: nn.permute %[[DX]] dims = [0, 2, 3, 1] : tensor<2x3x4x4xf32>
// CHECK-DAG: nn.permute %[[DW]] dims = [2, 3, 1, 0] : tensor<8x3x3x3xf32>
// CHECK-DAG: nn.sum %{{.*}} dims = [0, 1, 2] : tensor<2x4x4x8xf32>
func.func @conv2d_channels_last(%x: tensor<2x4x4x3xf32> {nn.requires_grad}, %w: tensor<3x3x3x8xf32> {nn.requires_grad}, %b: tensor<8xf32> {nn.requires_grad}) -> tensor<f32> {
  %y = nn.conv2d %x, %w, %b stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 channels_last : tensor<2x4x4x3xf32>, tensor<3x3x3x8xf32>, tensor<8xf32>
  %l = nn.sum %y dims = [0, 1, 2, 3] : tensor<2x4x4x8xf32>
  return %l : tensor<f32>
}
