// RUN: nnc-opt %s -nn-lower-to-linalg -split-input-file | FileCheck %s

// Lowering of the convolution and pooling ops (ir/NNConvOps.td) and their
// backward ops: tensor.pad for padding, linalg's named NCHW convolution and
// pooling ops for the windows.

// The SmallCNN's first layer, stride 1: zero padding, then the convolution
// over wide rows. Each padded plane's rows are joined with one more zero
// row below (31 x 30 = 930), which holds the last window's reach past the
// plane (2), the padding and that row in one tensor.pad (the first pad,
// which only gives the batch size, goes at the next canonicalization); the
// result is computed 30 wide, so that output p = oh * 30 + ow reads input p + kh * 30 + kw: one
// long contiguous loop over p, innermost, which LLVM vectorizes. The result
// starts as the bias broadcast over (n, p); the 2 extra columns of each row
// are cut off. The dynamic batch size comes from the input.
// CHECK: #[[ROWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d3, d6 + d4 * 30 + d5)>
// CHECK-LABEL: func.func @conv2d_bias
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x28x28xf32>, %[[W:.*]]: tensor<16x1x3x3xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<?x1x28x28xf32> to tensor<?x1x30x30xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[P]]
// CHECK: %[[GB:.*]] = tensor.expand_shape %[[B]] {{\[}}[0, 1]] output_shape [1, 16] : tensor<16xf32> into tensor<1x16xf32>
// CHECK: %[[PR:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 2, 1]
// CHECK: } : tensor<?x1x28x28xf32> to tensor<?x1x31x30xf32>
// CHECK: %[[J:.*]] = tensor.collapse_shape %[[PR]] {{\[}}[0], [1], [2, 3]] : tensor<?x1x31x30xf32> into tensor<?x1x930xf32>
// CHECK: %[[ROWS_IN:.*]] = tensor.expand_shape %[[J]] {{.*}} into tensor<?x1x1x930xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x1x16x840xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[GB]] : tensor<1x16xf32>) outs(%[[E]] : tensor<?x1x16x840xf32>)
// CHECK: %[[GW:.*]] = tensor.expand_shape %[[W]] {{.*}} into tensor<1x16x1x3x3xf32>
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ROWS]], #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]} ins(%[[ROWS_IN]], %[[GW]] : tensor<?x1x1x930xf32>, tensor<1x16x1x3x3xf32>) outs(%[[INIT]] : tensor<?x1x16x840xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[YC:.*]] = tensor.collapse_shape %[[Y]] {{.*}} into tensor<?x16x840xf32>
// CHECK: %[[YR:.*]] = tensor.expand_shape %[[YC]] {{.*}} into tensor<?x16x28x30xf32>
// CHECK: %[[R:.*]] = tensor.extract_slice %[[YR]][0, 0, 0, 0] [%{{.*}}, 16, 28, 28] [1, 1, 1, 1]
// CHECK: return %[[R]]
func.func @conv2d_bias(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x3xf32>, %b: tensor<16xf32>) -> tensor<?x16x28x28xf32> {
  %0 = nn.conv2d %x, %w, %b stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>
  return %0 : tensor<?x16x28x28xf32>
}

// -----

// Groups split the channel dims: input [N, G, C/G, H, W], weight
// [G, O/G, C/G, kH, kW], linalg.conv_2d_ngchw_gfchw, and the result's
// groups merged again. No bias: the result starts as zeros.
// CHECK-LABEL: func.func @conv2d_groups_stride_dilation
// CHECK: %[[INIT:.*]] = linalg.fill {{.*}} -> tensor<2x2x3x3x9xf32>
// CHECK: %[[IN:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] {{.*}} : tensor<2x4x9x10xf32> into tensor<2x2x2x9x10xf32>
// CHECK: %[[W:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] {{.*}} : tensor<6x2x3x2xf32> into tensor<2x3x2x3x2xf32>
// CHECK: %[[Y:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<[2, 1]> : vector<2xi64>, strides = dense<[2, 1]> : vector<2xi64>} ins(%[[IN]], %[[W]] : tensor<2x2x2x9x10xf32>, tensor<2x3x2x3x2xf32>) outs(%[[INIT]] : tensor<2x2x3x3x9xf32>)
// CHECK: tensor.collapse_shape %[[Y]] {{\[}}[0], [1, 2], [3], [4]] : tensor<2x2x3x3x9xf32> into tensor<2x6x3x9xf32>
func.func @conv2d_groups_stride_dilation(%x: tensor<2x4x9x8xf32>, %w: tensor<6x2x3x2xf32>) -> tensor<2x6x3x9xf32> {
  %0 = nn.conv2d %x, %w stride = [2, 1] padding = [0, 1] dilation = [2, 1] groups = 2 : tensor<2x4x9x8xf32>, tensor<6x2x3x2xf32>
  return %0 : tensor<2x6x3x9xf32>
}

// -----

// Max pooling pads with -inf; ceil_mode's last window reaches one element
// past the padding (8 + 2 * 1 = 10 rows; windows at 0, 2, 4, 6, 8 of size
// 3 read 11), so one more -inf goes at the high end.
// CHECK-LABEL: func.func @max_pool2d_ceil_mode
// CHECK: %[[LOWEST:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: tensor.yield %[[LOWEST]]
// CHECK: } : tensor<?x3x8x6xf32> to tensor<?x3x11x9xf32>
// CHECK: %[[WINDOW:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[LOWEST]] : f32)
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%[[P]], %[[WINDOW]] : tensor<?x3x11x9xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<?x3x5x4xf32>)
func.func @max_pool2d_ceil_mode(%x: tensor<?x3x8x6xf32>) -> tensor<?x3x5x4xf32> {
  %0 = nn.max_pool2d %x kernel = [3, 3] stride = [2, 2] padding = [1, 1] dilation = [1, 1] ceil_mode : tensor<?x3x8x6xf32>
  return %0 : tensor<?x3x5x4xf32>
}

// -----

// Windows that tile the input (stride = kernel, no padding, 14 = 7 * 2):
// a reduction over the windows view [N, C, OH, kH, OW, kW], loops (n, c,
// oh, kh, ow, kw) in memory order, for nnc-tile-pooling-windows.
// CHECK-DAG: #[[ID6:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-DAG: #[[POOLED:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4)>
// CHECK-LABEL: func.func @max_pool2d_windows_tile_input
// CHECK: %[[LOWEST:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[LOWEST]] : f32)
// CHECK: %[[VIEW:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2, 3], [4, 5]] output_shape [%{{.*}}, 3, 7, 2, 7, 2] : tensor<?x3x14x14xf32> into tensor<?x3x7x2x7x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID6]], #[[POOLED]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel", "reduction"]} ins(%[[VIEW]] : tensor<?x3x7x2x7x2xf32>) outs(%[[INIT]] : tensor<?x3x7x7xf32>)
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
func.func @max_pool2d_windows_tile_input(%x: tensor<?x3x14x14xf32>) -> tensor<?x3x7x7xf32> {
  %0 = nn.max_pool2d %x kernel = [2, 2] stride = [2, 2] padding = [0, 0] dilation = [1, 1] : tensor<?x3x14x14xf32>
  return %0 : tensor<?x3x7x7xf32>
}

// -----

// Average pooling: window sums of the zero-padded input divided by each
// window's divisor, a constant. With ceil_mode, the last row and column of
// windows hold one input element each of two.
// CHECK-LABEL: func.func @avg_pool2d_ceil_mode
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: %[[SUMS:.*]] = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%[[P]], %{{.*}} : tensor<1x2x6x6xf32>, tensor<2x2xf32>)
// CHECK: %[[D:.*]] = arith.constant dense<{{\[}}[4.000000e+00, 4.000000e+00, 2.000000e+00], [4.000000e+00, 4.000000e+00, 2.000000e+00], [2.000000e+00, 2.000000e+00, 1.000000e+00]]> : tensor<3x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[SUMS]], %[[D]] : tensor<1x2x3x3xf32>, tensor<3x3xf32>)
// CHECK: arith.divf
func.func @avg_pool2d_ceil_mode(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = nn.avg_pool2d %x kernel = [2, 2] stride = [2, 2] padding = [0, 0] ceil_mode : tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Padding counts in the divisor with count_include_pad (every 3x3 window
// at padding 1 divides by 9), not without it (the corner window holds 2x2
// input elements, the opposite one 3x3).
// CHECK-LABEL: func.func @avg_pool2d_count_include_pad
// CHECK: arith.constant dense<9.000000e+00> : tensor<2x2xf32>
// CHECK-LABEL: func.func @avg_pool2d_exclude_pad
// CHECK: arith.constant dense<{{\[}}[4.000000e+00, 6.000000e+00], [6.000000e+00, 9.000000e+00]]> : tensor<2x2xf32>
func.func @avg_pool2d_count_include_pad(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = nn.avg_pool2d %x kernel = [3, 3] stride = [2, 2] padding = [1, 1] count_include_pad : tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x2x2xf32>
}
func.func @avg_pool2d_exclude_pad(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = nn.avg_pool2d %x kernel = [3, 3] stride = [2, 2] padding = [1, 1] : tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// The input gradient: dy spread `stride` apart into zeros with a border of
// d (k - 1) = 2, the kernel flipped and transposed per group (O and C
// exchanged), a stride-1 convolution (over wide rows) giving the gradient
// of the padded input, and the padding cut off. The spread has a 14th row
// of zeros, for the last window's reach past the plane once its rows are
// joined (the 13-row spread first built goes at the next canonicalization).
// CHECK: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, -d3 + 2, -d4 + 2)>
// CHECK-LABEL: func.func @conv2d_backward_input
// CHECK-SAME: (%[[DY:.*]]: tensor<?x6x5x5xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>)
// CHECK: %[[WG:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] {{.*}} into tensor<2x3x2x3x3xf32>
// CHECK: %[[FLIPPED:.*]] = linalg.generic {indexing_maps = [#[[FLIP]], #{{.*}}]{{.*}} ins(%[[WG]] : tensor<2x3x2x3x3xf32>) outs(%{{.*}} : tensor<2x2x3x3x3xf32>)
// CHECK: tensor.collapse_shape %[[FLIPPED]] {{\[}}[0, 1], [2], [3], [4]] : tensor<2x2x3x3x3xf32> into tensor<4x3x3x3xf32>
// CHECK: %[[ZEROS:.*]] = linalg.fill {{.*}} -> tensor<?x6x14x13xf32>
// CHECK: %[[SPREAD:.*]] = tensor.insert_slice %[[DY]] into %[[ZEROS]][0, 0, 2, 2] [%{{.*}}, 6, 5, 5] [1, 1, 2, 2]
// CHECK: tensor.collapse_shape %[[SPREAD]] {{.*}} into tensor<?x6x182xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x2x2x143xf32>)
// CHECK: tensor.expand_shape {{.*}} into tensor<?x4x11x13xf32>
// CHECK: %[[DXP:.*]] = tensor.extract_slice {{.*}} to tensor<?x4x11x11xf32>
// CHECK: tensor.extract_slice %[[DXP]][0, 0, 1, 1] [%{{.*}}, 4, 9, 9] [1, 1, 1, 1] : tensor<?x4x11x11xf32> to tensor<?x4x9x9xf32>
func.func @conv2d_backward_input(%dy: tensor<?x6x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<?x4x9x9xf32> {
  %0 = nn.conv2d_backward_input %dy, %w input_size = [9, 9] stride = [2, 2] padding = [1, 1] dilation = [1, 1] groups = 2 : tensor<?x6x5x5xf32>, tensor<6x2x3x3xf32>
  return %0 : tensor<?x4x9x9xf32>
}

// -----

// The weight gradient: one generic, (g, o, c, kh, kw) parallel and
// (n, oh, ow) reduced, reading the padded input at oh s + kh d.
// CHECK: #[[XMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d2, d6 * 2 + d3 * 2, d4 + d7)>
// CHECK: #[[DYMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d0, d1, d6, d7)>
// CHECK-LABEL: func.func @conv2d_backward_weight
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#[[XMAP]], #[[DYMAP]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: outs(%{{.*}} : tensor<1x6x2x3x3xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] : tensor<1x6x2x3x3xf32> into tensor<6x2x3x3xf32>
func.func @conv2d_backward_weight(%dy: tensor<?x6x4x9xf32>, %x: tensor<?x2x9x9xf32>) -> tensor<6x2x3x3xf32> {
  %0 = nn.conv2d_backward_weight %dy, %x kernel_size = [3, 3] stride = [2, 1] padding = [1, 1] dilation = [2, 1] groups = 1 : tensor<?x6x4x9xf32>, tensor<?x2x9x9xf32>
  return %0 : tensor<6x2x3x3xf32>
}

// -----

// With stride 1, the weight gradient reads dy as wide rows (zero past OW,
// so the extra columns add nothing). Loops (g, o, n, c, kh, kw, p): the
// reduction over p is innermost and contiguous, and one image's rows of dy
// and x stay in cache while every (c, kh, kw) reads them.
// CHECK: #[[XROWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d0, d3, d6 + d4 * 10 + d5)>
// CHECK: #[[DYROWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d0, d1, d6)>
// CHECK: #[[DW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d3, d4, d5)>
// CHECK-LABEL: func.func @conv2d_backward_weight_stride_1
// CHECK: tensor.pad %{{.*}} high[0, 0, 0, 2]
// CHECK: } : tensor<?x6x8x8xf32> to tensor<?x6x8x10xf32>
// CHECK: linalg.generic {indexing_maps = [#[[XROWS]], #[[DYROWS]], #[[DW]]], iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<?x1x2x110xf32>, tensor<?x1x6x80xf32>)
func.func @conv2d_backward_weight_stride_1(%dy: tensor<?x6x8x8xf32>, %x: tensor<?x2x8x8xf32>) -> tensor<6x2x3x3xf32> {
  %0 = nn.conv2d_backward_weight %dy, %x kernel_size = [3, 3] stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 : tensor<?x6x8x8xf32>, tensor<?x2x8x8xf32>
  return %0 : tensor<6x2x3x3xf32>
}

// -----

// A 1x1 weight gradient (no stride, padding or groups) of a static batch of
// several images is one matrix product over k = n P + p: dy copied to
// [O, N P], x transposed to [N P, C] (both indexing k as n P + p, so that
// elementwise fusion does not fold them back), dw [O, C] reshaped to
// [O, C, 1, 1] by tensor.reshape.
// CHECK: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK: #[[DYK:.*]] = affine_map<(d0, d1, d2) -> (d1, d0 * 15 + d2)>
// CHECK: #[[XK:.*]] = affine_map<(d0, d1, d2) -> (d0 * 15 + d2, d1)>
// CHECK: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @conv2d_backward_weight_1x1
// CHECK: %[[DY:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[DYK]]]{{.*}} ins(%{{.*}} : tensor<2x6x15xf32>) outs(%{{.*}} : tensor<6x30xf32>)
// CHECK: %[[X:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[XK]]]{{.*}} ins(%{{.*}} : tensor<2x4x15xf32>) outs(%{{.*}} : tensor<30x4xf32>)
// CHECK: %[[DW:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[DY]], %[[X]] : tensor<6x30xf32>, tensor<30x4xf32>)
// CHECK: tensor.reshape %[[DW]](%{{.*}}) : (tensor<6x4xf32>, tensor<4xindex>) -> tensor<6x4x1x1xf32>
func.func @conv2d_backward_weight_1x1(%dy: tensor<2x6x3x5xf32>, %x: tensor<2x4x3x5xf32>) -> tensor<6x4x1x1xf32> {
  %0 = nn.conv2d_backward_weight %dy, %x kernel_size = [1, 1] stride = [1, 1] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<2x6x3x5xf32>, tensor<2x4x3x5xf32>
  return %0 : tensor<6x4x1x1xf32>
}

// -----

// With one image (read from cache), or a dynamic batch, the 1x1 weight
// gradient keeps the wide-row form.
// CHECK-LABEL: func.func @conv2d_backward_weight_1x1_one_image
// CHECK-NOT: tensor.reshape
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "parallel", "reduction"]
func.func @conv2d_backward_weight_1x1_one_image(%dy: tensor<1x6x3x5xf32>, %x: tensor<1x4x3x5xf32>) -> tensor<6x4x1x1xf32> {
  %0 = nn.conv2d_backward_weight %dy, %x kernel_size = [1, 1] stride = [1, 1] padding = [0, 0] dilation = [1, 1] groups = 1 : tensor<1x6x3x5xf32>, tensor<1x4x3x5xf32>
  return %0 : tensor<6x4x1x1xf32>
}

// -----

// Max pooling's gradient: first each window's argmax as a flat index into
// its input plane (the first in-bounds element, then any larger one or
// NaN; the taps loop outside the output positions, so the innermost loop
// runs along a row of outputs), then for each input element the gradients of the windows that
// chose it, read with tensor.extract: with overlapping windows, every
// window (oh, ow) = ((h + p - kh d) / s, ...) that divides.
// CHECK-LABEL: func.func @max_pool2d_backward_overlapping
// CHECK: %[[NONE:.*]] = arith.constant -1 : i64
// CHECK: %[[ARGMAX:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel", "parallel"]{{.*}} outs(%{{.*}}, %{{.*}} : tensor<?x16x14x14xf32>, tensor<?x16x14x14xi64>)
// CHECK: arith.cmpi eq, %{{.*}}, %[[NONE]] : i64
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf uno
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<?x16x28x28xf32>)
// CHECK: arith.remsi
// CHECK: tensor.extract %[[ARGMAX]]#1
// CHECK: tensor.extract %{{.*}}[
// CHECK: arith.select
// CHECK: arith.addf
func.func @max_pool2d_backward_overlapping(%dy: tensor<?x16x14x14xf32>, %x: tensor<?x16x28x28xf32>) -> tensor<?x16x28x28xf32> {
  %0 = nn.max_pool2d_backward %dy, %x kernel = [3, 3] stride = [2, 2] padding = [1, 1] dilation = [1, 1] : tensor<?x16x14x14xf32>, tensor<?x16x28x28xf32>
  return %0 : tensor<?x16x28x28xf32>
}

// -----

// Windows that tile the input (the SmallCNN's 2x2 pooling): three ops over
// the windows view, for nnc-tile-pooling-windows. Each window's maximum;
// the tap that won it, a min over scores (tap t if equal to the maximum,
// -1 - t if NaN when the maximum is: the last NaN wins, as PyTorch); the
// gradient written to the winning tap, zeros to the others.
// CHECK-DAG: #[[ELEMENTS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-DAG: #[[WINDOWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[TAPS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d5)>
// CHECK-LABEL: func.func @max_pool2d_backward_tiles
// CHECK-SAME: (%[[DY:.*]]: tensor<?x16x14x14xf32>, %{{.*}}: tensor<?x16x28x28xf32>)
// CHECK-DAG: %[[TAPNUMBERS:.*]] = arith.constant dense<{{\[\[}}0, 1], [2, 3]]> : tensor<2x2xi32>
// CHECK: %[[MAXIMA:.*]] = linalg.generic {indexing_maps = [#[[ELEMENTS]], #[[WINDOWS]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel", "reduction"]}
// CHECK: arith.maximumf
// CHECK: %[[NONE:.*]] = linalg.fill ins(%{{.*}} : i32) outs(%{{.*}} : tensor<?x16x14x14xi32>)
// CHECK: %[[WINNERS:.*]] = linalg.generic {indexing_maps = [#[[ELEMENTS]], #[[WINDOWS]], #[[TAPS]], #[[WINDOWS]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel", "reduction"]} ins(%{{.*}}, %[[MAXIMA]], %[[TAPNUMBERS]] : tensor<?x16x14x2x14x2xf32>, tensor<?x16x14x14xf32>, tensor<2x2xi32>) outs(%[[NONE]] : tensor<?x16x14x14xi32>)
// CHECK: arith.minsi
// CHECK: %[[SPREAD:.*]] = linalg.generic {indexing_maps = [#[[WINDOWS]], #[[WINDOWS]], #[[TAPS]], #[[ELEMENTS]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[WINNERS]], %[[DY]], %[[TAPNUMBERS]] : tensor<?x16x14x14xi32>, tensor<?x16x14x14xf32>, tensor<2x2xi32>)
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: tensor.collapse_shape %[[SPREAD]] {{\[\[}}0], [1], [2, 3], [4, 5]] : tensor<?x16x14x2x14x2xf32> into tensor<?x16x28x28xf32>
func.func @max_pool2d_backward_tiles(%dy: tensor<?x16x14x14xf32>, %x: tensor<?x16x28x28xf32>) -> tensor<?x16x28x28xf32> {
  %0 = nn.max_pool2d_backward %dy, %x kernel = [2, 2] stride = [2, 2] padding = [0, 0] dilation = [1, 1] : tensor<?x16x14x14xf32>, tensor<?x16x28x28xf32>
  return %0 : tensor<?x16x28x28xf32>
}

// -----

// The channels-last form (chosen by nn-layout), stride 1: the input
// [N, H, W, C] padded along H and W, its rows joined ([N, 8 * 8 + 2, C]),
// and one generic over (n, p, f, kh, kw, c): out[n, p, f] +=
// in[n, p + kh * 8 + kw, c] * w[kh, kw, c, f], output channels innermost,
// starting from the bias broadcast along the last dim. The 2 extra columns
// of each 8-wide row are cut off.
// CHECK-DAG: #[[NHWC_IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3 * 8 + d4, d5)>
// CHECK-DAG: #[[NHWC_W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4, d5, d2)>
// CHECK-DAG: #[[NHWC_OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// CHECK-DAG: #[[LAST:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @conv2d_channels_last
// CHECK-SAME: (%[[X:.*]]: tensor<?x6x6x16xf32>, %[[W:.*]]: tensor<3x3x16x32xf32>, %[[B:.*]]: tensor<32xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: } : tensor<?x6x6x16xf32> to tensor<?x8x8x16xf32>
// CHECK: %[[J:.*]] = tensor.collapse_shape %[[P]] {{\[}}[0], [1, 2], [3]] : tensor<?x8x8x16xf32> into tensor<?x64x16xf32>
// CHECK: %[[JP:.*]] = tensor.pad %[[J]] low[0, 0, 0] high[0, 2, 0]
// CHECK: } : tensor<?x64x16xf32> to tensor<?x66x16xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[LAST]], {{.*}}} ins(%[[B]] : tensor<32xf32>) outs({{.*}} : tensor<?x48x32xf32>)
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[NHWC_IN]], #[[NHWC_W]], #[[NHWC_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[JP]], %[[W]] : tensor<?x66x16xf32>, tensor<3x3x16x32xf32>) outs(%[[INIT]] : tensor<?x48x32xf32>)
// CHECK: %[[ROWS:.*]] = tensor.expand_shape %[[Y]] {{\[}}[0], [1, 2], [3]] output_shape {{.*}} : tensor<?x48x32xf32> into tensor<?x6x8x32xf32>
// CHECK: %[[R:.*]] = tensor.extract_slice %[[ROWS]][0, 0, 0, 0] [%{{.*}}, 6, 6, 32] [1, 1, 1, 1] : tensor<?x6x8x32xf32> to tensor<?x6x6x32xf32>
// CHECK: return %[[R]]
func.func @conv2d_channels_last(%x: tensor<?x6x6x16xf32>, %w: tensor<3x3x16x32xf32>, %b: tensor<32xf32>) -> tensor<?x6x6x32xf32> {
  %0 = nn.conv2d %x, %w, %b stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1 channels_last : tensor<?x6x6x16xf32>, tensor<3x3x16x32xf32>, tensor<32xf32>
  return %0 : tensor<?x6x6x32xf32>
}

// -----

// With stride 2, linalg's named channels-last convolution on the padded
// input, from the bias broadcast along the channels (the last dim).
// CHECK-LABEL: func.func @conv2d_channels_last_strided
// CHECK: tensor.pad {{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins({{.*}} : tensor<2x8x8x16xf32>, tensor<3x3x16x32xf32>) outs({{.*}} : tensor<2x3x3x32xf32>)
func.func @conv2d_channels_last_strided(%x: tensor<2x6x6x16xf32>, %w: tensor<3x3x16x32xf32>, %b: tensor<32xf32>) -> tensor<2x3x3x32xf32> {
  %0 = nn.conv2d %x, %w, %b stride = [2, 2] padding = [1, 1] dilation = [1, 1] groups = 1 channels_last : tensor<2x6x6x16xf32>, tensor<3x3x16x32xf32>, tensor<32xf32>
  return %0 : tensor<2x3x3x32xf32>
}
