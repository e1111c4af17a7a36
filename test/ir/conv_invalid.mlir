// RUN: nnc-opt %s -split-input-file -verify-diagnostics

// Shape errors of the convolution and pooling ops, in PyTorch's words where
// PyTorch has a message for the same mistake.

func.func @conv2d_channels_do_not_match_weight(%x: tensor<8x2x28x28xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'nn.conv2d' op given groups=1, weight of size [16, 1, 3, 3], expected input to have 1 channels, but got 2 channels instead}}
  %0 = nn.conv2d %x, %w stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<8x2x28x28xf32>, tensor<16x1x3x3xf32>
  return
}

// -----

func.func @conv2d_groups_do_not_divide_out_channels(%x: tensor<8x4x28x28xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'nn.conv2d' op given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size [3, 2, 3, 3] instead}}
  %0 = nn.conv2d %x, %w stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 2 : tensor<8x4x28x28xf32>, tensor<3x2x3x3xf32>
  return
}

// -----

func.func @conv2d_kernel_larger_than_padded_input(%x: tensor<1x1x2x2xf32>, %w: tensor<1x1x3x3xf32>) {
  // expected-error @+1 {{'nn.conv2d' op calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size}}
  %0 = nn.conv2d %x, %w stride = [1, 1] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<1x1x2x2xf32>, tensor<1x1x3x3xf32>
  return
}

// -----

func.func @conv2d_bias_size(%x: tensor<1x1x5x5xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'nn.conv2d' op given weight of size [4, 1, 3, 3], expected bias to be 1-dimensional with 4 elements, but got bias 'tensor<3xf32>' instead}}
  %0 = nn.conv2d %x, %w, %b stride = [1, 1] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<1x1x5x5xf32>, tensor<4x1x3x3xf32>, tensor<3xf32>
  return
}

// -----

func.func @conv2d_zero_stride(%x: tensor<1x1x5x5xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{'nn.conv2d' op stride must be 2 values (along H and W) >= 1, got [1, 0]}}
  %0 = nn.conv2d %x, %w stride = [1, 0] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<1x1x5x5xf32>, tensor<4x1x3x3xf32>
  return
}

// -----

// Only the batch dim may be dynamic: the lowering needs static windows.
func.func @conv2d_dynamic_spatial_size(%x: tensor<1x1x?x5xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{'nn.conv2d' op expects an input of shape [N, C, H, W] with static C, H and W, got 'tensor<1x1x?x5xf32>'}}
  %0 = nn.conv2d %x, %w stride = [1, 1] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<1x1x?x5xf32>, tensor<4x1x3x3xf32>
  return
}

// -----

func.func @conv2d_mixed_element_types(%x: tensor<1x1x5x5xf32>, %w: tensor<4x1x3x3xf64>) {
  // expected-error @+1 {{'nn.conv2d' op operand element types must match, got 'f32' and 'f64'}}
  %0 = nn.conv2d %x, %w stride = [1, 1] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<1x1x5x5xf32>, tensor<4x1x3x3xf64>
  return
}

// -----

func.func @conv2d_backward_input_wrong_grad(%dy: tensor<8x16x27x28xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'nn.conv2d_backward_input' op grad 'tensor<8x16x27x28xf32>' does not have the shape of the convolution's result [N, 16, 28, 28]}}
  %0 = nn.conv2d_backward_input %dy, %w input_size = [28, 28] stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<8x16x27x28xf32>, tensor<16x1x3x3xf32>
  return
}

// -----

func.func @conv2d_backward_weight_wrong_grad(%dy: tensor<8x16x28x28xf32>, %x: tensor<8x1x28x28xf32>) {
  // expected-error @+1 {{'nn.conv2d_backward_weight' op grad 'tensor<8x16x28x28xf32>' does not have the shape of the convolution's result [8, 16, 26, 26]}}
  %0 = nn.conv2d_backward_weight %dy, %x kernel_size = [3, 3] stride = [1, 1] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<8x16x28x28xf32>, tensor<8x1x28x28xf32>
  return
}

// -----

func.func @max_pool2d_padding_over_half_the_kernel(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+1 {{'nn.max_pool2d' op pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1}}
  %0 = nn.max_pool2d %x kernel = [2, 2] stride = [2, 2] padding = [2, 2] dilation = [1, 1] : tensor<1x1x8x8xf32>
  return
}

// -----

func.func @max_pool2d_output_too_small(%x: tensor<1x3x1x1xf32>) {
  // expected-error @+1 {{'nn.max_pool2d' op given input size: (3x1x1). Calculated output size: (3x0x0). Output size is too small}}
  %0 = nn.max_pool2d %x kernel = [2, 2] stride = [2, 2] padding = [0, 0] dilation = [1, 1] : tensor<1x3x1x1xf32>
  return
}

// -----

func.func @max_pool2d_rank_3(%x: tensor<3x8x8xf32>) {
  // expected-error @+1 {{'nn.max_pool2d' op expects an input of shape [N, C, H, W] with static C, H and W, got 'tensor<3x8x8xf32>'}}
  %0 = nn.max_pool2d %x kernel = [2, 2] stride = [2, 2] padding = [0, 0] dilation = [1, 1] : tensor<3x8x8xf32>
  return
}

// -----

func.func @avg_pool2d_kernel_pair(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+1 {{'nn.avg_pool2d' op kernel must be 2 values (along H and W) >= 1, got [2]}}
  %0 = nn.avg_pool2d %x kernel = [2] stride = [2, 2] padding = [0, 0] : tensor<1x1x8x8xf32>
  return
}

// -----

func.func @max_pool2d_backward_wrong_grad(%dy: tensor<1x1x3x4xf32>, %x: tensor<1x1x8x8xf32>) {
  // expected-error @+1 {{'nn.max_pool2d_backward' op grad 'tensor<1x1x3x4xf32>' does not have the type of the pooled result 'tensor<1x1x4x4xf32>'}}
  %0 = nn.max_pool2d_backward %dy, %x kernel = [2, 2] stride = [2, 2] padding = [0, 0] dilation = [1, 1] : tensor<1x1x3x4xf32>, tensor<1x1x8x8xf32>
  return
}

// -----

func.func @conv2d_channels_last_groups(%x: tensor<8x5x5x4xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @+1 {{'nn.conv2d' op channels_last needs groups = 1, got 2}}
  %0 = nn.conv2d %x, %w stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 2 channels_last : tensor<8x5x5x4xf32>, tensor<3x3x2x4xf32>
  return
}

// -----

func.func @conv2d_channels_last_weight_channels(%x: tensor<8x5x5x4xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @+1 {{'nn.conv2d' op given channels_last weight of size [3, 3, 2, 4], expected input to have 2 channels, but got 4 channels instead}}
  %0 = nn.conv2d %x, %w stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 channels_last : tensor<8x5x5x4xf32>, tensor<3x3x2x4xf32>
  return
}
