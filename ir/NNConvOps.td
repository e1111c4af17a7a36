//===- ir/NNConvOps.td - convolution and pooling ops -------*- tablegen -*-===//
//
// The convolution family of nn ops, in NCHW layout as PyTorch's: conv2d
// (stride, padding, dilation, groups, optional bias), max_pool2d and
// avg_pool2d (adaptive average pooling traces as avg_pool2d when each
// output size divides the input size, else as two nn.matmul with constant
// window matrices), and the backward ops their VJPs emit
// (ir/NNConvGradients.cpp). Included from ir/NNOps.td, so the ops belong to
// the dialect's one generated op list. Every window attribute is a pair
// [along H, along W]; only the batch dim may be dynamic. Result-type
// inference (ir/NNConvOps.cpp) holds every shape rule.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNCONVOPS_TD
#define NNC_IR_NNCONVOPS_TD

include "ir/NNBase.td"
include "ir/NNInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

def NN_Conv2dOp : NN_Op<"conv2d", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "2-D convolution (torch.nn.functional.conv2d)";
  let description = [{
    Cross-correlates `input` `[N, C, H, W]` with `weight`
    `[O, C / groups, kH, kW]` and adds `bias` `[O]` if present, as
    torch.nn.functional.conv2d: the input is zero-padded by `padding` on
    both sides, the kernel taps are `dilation` apart and the windows
    `stride` apart. With `groups = G`, input channels and output channels
    are split into G groups and group g of the output reads only group g of
    the input (`G = C = O` is a depthwise convolution). The result is
    `[N, O, OH, OW]` with
    `OH = (H + 2 padding - dilation (kH - 1) - 1) / stride + 1` (rounded
    down), likewise OW. Only N may be dynamic.

    With `channels_last` (chosen by nn-layout, never traced), the same
    convolution on channels-innermost tensors: input `[N, H, W, C]`, weight
    `[kH, kW, C, O]`, result `[N, OH, OW, O]`; groups must be 1. Output
    channels then run along vector lanes and each tap is a matrix product
    over input channels.

    Example:

    ```mlir
    %y = nn.conv2d %x, %w, %b stride = [1, 1] padding = [1, 1]
        dilation = [1, 1] groups = 1
        : tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>
    // %y : tensor<?x16x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation, I64Attr:$groups,
                       UnitAttr:$channels_last);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `stride` `=` $stride `padding` `=`
    $padding `dilation` `=` $dilation `groups` `=` $groups
    (`channels_last` $channels_last^)? attr-dict `:`
    type($input) `,` type($weight) (`,` type($bias)^)?
  }];
  let skipDefaultBuilders = 1;
  // `bias` may be a null Value (no bias).
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::mlir::Value":$weight, "::mlir::Value":$bias,
                                 "::llvm::ArrayRef<int64_t>":$stride,
                                 "::llvm::ArrayRef<int64_t>":$padding,
                                 "::llvm::ArrayRef<int64_t>":$dilation,
                                 "int64_t":$groups,
                                 CArg<"bool", "false">:$channelsLast)>];
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value input,
                          ::mlir::Value weight, ::mlir::Value bias,
                          ::llvm::ArrayRef<int64_t> stride,
                          ::llvm::ArrayRef<int64_t> padding,
                          ::llvm::ArrayRef<int64_t> dilation, int64_t groups,
                          bool channelsLast) {
      state.addOperands({input, weight});
      if (bias)
        state.addOperands(bias);
      Properties &properties = state.getOrAddProperties<Properties>();
      properties.stride = builder.getDenseI64ArrayAttr(stride);
      properties.padding = builder.getDenseI64ArrayAttr(padding);
      properties.dilation = builder.getDenseI64ArrayAttr(dilation);
      properties.groups = builder.getI64IntegerAttr(groups);
      if (channelsLast)
        properties.channels_last = builder.getUnitAttr();
      addInferredResultType<$cppClass>(builder, state);
    }
  }];
}

def NN_Conv2dBackwardInputOp : NN_Op<"conv2d_backward_input",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "the VJP of nn.conv2d with respect to its input";
  let description = [{
    Given `grad`, the gradient of an `nn.conv2d` result `[N, O, OH, OW]`,
    and the convolution's `weight` and attributes, computes the gradient
    with respect to its input `[N, C, H, W]`, where `[H, W]` is
    `input_size` (the input size is not recoverable from OH when stride > 1).
    This is a transposed convolution: `grad` is dilated by `stride`, padded,
    and convolved with the weight flipped in space and transposed per
    group. `grad` may have one more row or column than the convolution's
    output as long as its window still starts inside the padded input (a
    ceil_mode pooling's windows; nn.avg_pool2d's VJP uses this op with a
    kernel of ones).

    Example:

    ```mlir
    %dx = nn.conv2d_backward_input %dy, %w input_size = [28, 28]
        stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1
        : tensor<?x16x28x28xf32>, tensor<16x1x3x3xf32>
    // %dx : tensor<?x1x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$weight,
                       DenseI64ArrayAttr:$input_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $weight `input_size` `=` $input_size `stride` `=` $stride
    `padding` `=` $padding `dilation` `=` $dilation `groups` `=` $groups
    attr-dict `:` type($grad) `,` type($weight)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$grad,
                                 "::mlir::Value":$weight,
                                 "::llvm::ArrayRef<int64_t>":$inputSize,
                                 "::llvm::ArrayRef<int64_t>":$stride,
                                 "::llvm::ArrayRef<int64_t>":$padding,
                                 "::llvm::ArrayRef<int64_t>":$dilation,
                                 "int64_t":$groups)>];
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value grad,
                          ::mlir::Value weight,
                          ::llvm::ArrayRef<int64_t> inputSize,
                          ::llvm::ArrayRef<int64_t> stride,
                          ::llvm::ArrayRef<int64_t> padding,
                          ::llvm::ArrayRef<int64_t> dilation, int64_t groups) {
      state.addOperands({grad, weight});
      Properties &properties = state.getOrAddProperties<Properties>();
      properties.input_size = builder.getDenseI64ArrayAttr(inputSize);
      properties.stride = builder.getDenseI64ArrayAttr(stride);
      properties.padding = builder.getDenseI64ArrayAttr(padding);
      properties.dilation = builder.getDenseI64ArrayAttr(dilation);
      properties.groups = builder.getI64IntegerAttr(groups);
      addInferredResultType<$cppClass>(builder, state);
    }
  }];
}

def NN_Conv2dBackwardWeightOp : NN_Op<"conv2d_backward_weight",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "the VJP of nn.conv2d with respect to its weight";
  let description = [{
    Given `grad`, the gradient of an `nn.conv2d` result `[N, O, OH, OW]`,
    and the convolution's `input` `[N, C, H, W]` and attributes, computes
    the gradient with respect to its weight `[O, C / groups, kH, kW]`
    (`[kH, kW]` is `kernel_size`): for each tap, the sum over the batch and
    the output positions of `grad` times the input element the tap read.

    Example:

    ```mlir
    %dw = nn.conv2d_backward_weight %dy, %x kernel_size = [3, 3]
        stride = [1, 1] padding = [1, 1] dilation = [1, 1] groups = 1
        : tensor<?x16x28x28xf32>, tensor<?x1x28x28xf32>
    // %dw : tensor<16x1x3x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $input `kernel_size` `=` $kernel_size `stride` `=` $stride
    `padding` `=` $padding `dilation` `=` $dilation `groups` `=` $groups
    attr-dict `:` type($grad) `,` type($input)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$grad,
                                 "::mlir::Value":$input,
                                 "::llvm::ArrayRef<int64_t>":$kernelSize,
                                 "::llvm::ArrayRef<int64_t>":$stride,
                                 "::llvm::ArrayRef<int64_t>":$padding,
                                 "::llvm::ArrayRef<int64_t>":$dilation,
                                 "int64_t":$groups)>];
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value grad,
                          ::mlir::Value input,
                          ::llvm::ArrayRef<int64_t> kernelSize,
                          ::llvm::ArrayRef<int64_t> stride,
                          ::llvm::ArrayRef<int64_t> padding,
                          ::llvm::ArrayRef<int64_t> dilation, int64_t groups) {
      state.addOperands({grad, input});
      Properties &properties = state.getOrAddProperties<Properties>();
      properties.kernel_size = builder.getDenseI64ArrayAttr(kernelSize);
      properties.stride = builder.getDenseI64ArrayAttr(stride);
      properties.padding = builder.getDenseI64ArrayAttr(padding);
      properties.dilation = builder.getDenseI64ArrayAttr(dilation);
      properties.groups = builder.getI64IntegerAttr(groups);
      addInferredResultType<$cppClass>(builder, state);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def NN_MaxPool2dOp : NN_Op<"max_pool2d", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "2-D max pooling (torch.nn.functional.max_pool2d)";
  let description = [{
    The maximum of each `kernel` window of `input` `[N, C, H, W]`; windows
    are `stride` apart, their taps `dilation` apart, and the input is padded
    by `padding` with -inf on both sides (at most half the kernel). The
    output size is as for `nn.conv2d`, rounded up instead of down with
    `ceil_mode` (a last window that would start in the right or bottom
    padding is dropped, as in PyTorch). NaN propagates.

    Example:

    ```mlir
    %p = nn.max_pool2d %x kernel = [2, 2] stride = [2, 2] padding = [0, 0]
        dilation = [1, 1] : tensor<?x16x28x28xf32>
    // %p : tensor<?x16x14x14xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation, UnitAttr:$ceil_mode);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `kernel` `=` $kernel `stride` `=` $stride `padding` `=` $padding
    `dilation` `=` $dilation (`ceil_mode` $ceil_mode^)? attr-dict `:`
    type($input)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::llvm::ArrayRef<int64_t>":$kernel,
                                 "::llvm::ArrayRef<int64_t>":$stride,
                                 "::llvm::ArrayRef<int64_t>":$padding,
                                 "::llvm::ArrayRef<int64_t>":$dilation,
                                 CArg<"bool", "false">:$ceilMode)>];
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value input,
                          ::llvm::ArrayRef<int64_t> kernel,
                          ::llvm::ArrayRef<int64_t> stride,
                          ::llvm::ArrayRef<int64_t> padding,
                          ::llvm::ArrayRef<int64_t> dilation, bool ceilMode) {
      state.addOperands(input);
      Properties &properties = state.getOrAddProperties<Properties>();
      properties.kernel = builder.getDenseI64ArrayAttr(kernel);
      properties.stride = builder.getDenseI64ArrayAttr(stride);
      properties.padding = builder.getDenseI64ArrayAttr(padding);
      properties.dilation = builder.getDenseI64ArrayAttr(dilation);
      if (ceilMode)
        properties.ceil_mode = builder.getUnitAttr();
      addInferredResultType<$cppClass>(builder, state);
    }
  }];
}

def NN_MaxPool2dBackwardOp : NN_Op<"max_pool2d_backward",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "the VJP of nn.max_pool2d: grad routed to each argmax";
  let description = [{
    Given `grad`, the gradient of an `nn.max_pool2d` result, and the
    pooling's `input` and attributes, returns a tensor of `input`'s type
    that holds, at each input element, the sum of the gradients of the
    windows whose maximum it is (torch's max_pool2d_with_indices_backward).
    A window's maximum is its first largest element in row-major order, or
    its last NaN, as PyTorch's CPU kernel picks it; padding is never
    picked.

    Example:

    ```mlir
    %dx = nn.max_pool2d_backward %dy, %x kernel = [2, 2] stride = [2, 2]
        padding = [0, 0] dilation = [1, 1]
        : tensor<?x16x14x14xf32>, tensor<?x16x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilation,
                       UnitAttr:$ceil_mode);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $input `kernel` `=` $kernel `stride` `=` $stride `padding` `=`
    $padding `dilation` `=` $dilation (`ceil_mode` $ceil_mode^)? attr-dict
    `:` type($grad) `,` type($input)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$grad, "::mlir::Value":$input,
                                 "::llvm::ArrayRef<int64_t>":$kernel,
                                 "::llvm::ArrayRef<int64_t>":$stride,
                                 "::llvm::ArrayRef<int64_t>":$padding,
                                 "::llvm::ArrayRef<int64_t>":$dilation,
                                 "bool":$ceilMode)>];
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value grad,
                          ::mlir::Value input,
                          ::llvm::ArrayRef<int64_t> kernel,
                          ::llvm::ArrayRef<int64_t> stride,
                          ::llvm::ArrayRef<int64_t> padding,
                          ::llvm::ArrayRef<int64_t> dilation, bool ceilMode) {
      state.addOperands({grad, input});
      Properties &properties = state.getOrAddProperties<Properties>();
      properties.kernel = builder.getDenseI64ArrayAttr(kernel);
      properties.stride = builder.getDenseI64ArrayAttr(stride);
      properties.padding = builder.getDenseI64ArrayAttr(padding);
      properties.dilation = builder.getDenseI64ArrayAttr(dilation);
      if (ceilMode)
        properties.ceil_mode = builder.getUnitAttr();
      addInferredResultType<$cppClass>(builder, state);
    }
  }];
}

def NN_AvgPool2dOp : NN_Op<"avg_pool2d", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "2-D average pooling (torch.nn.functional.avg_pool2d)";
  let description = [{
    The mean of each `kernel` window of `input` `[N, C, H, W]`; windows are
    `stride` apart and the input is zero-padded by `padding` (at most half
    the kernel). The output size is as for `nn.max_pool2d` (no dilation).
    Each window's sum is divided, as in PyTorch, by the number of its
    elements inside the padded input with `count_include_pad`, or inside
    the input without it; the part of a `ceil_mode` window beyond the
    padding never counts. `adaptive_avg_pool2d` to an output size that
    divides the input size is this op with `kernel = stride = input /
    output`; other sizes give windows of different lengths that may
    overlap, which the tracer emits as `P_h x P_w^T` per plane: two
    `nn.matmul` with `nn.constant` matrices holding `1 / length` in each
    window's columns.

    Example:

    ```mlir
    %p = nn.avg_pool2d %x kernel = [3, 3] stride = [2, 2] padding = [1, 1]
        ceil_mode count_include_pad : tensor<?x8x7x7xf32>
    // %p : tensor<?x8x4x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       UnitAttr:$ceil_mode, UnitAttr:$count_include_pad);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `kernel` `=` $kernel `stride` `=` $stride `padding` `=` $padding
    (`ceil_mode` $ceil_mode^)? (`count_include_pad` $count_include_pad^)?
    attr-dict `:` type($input)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::llvm::ArrayRef<int64_t>":$kernel,
                                 "::llvm::ArrayRef<int64_t>":$stride,
                                 "::llvm::ArrayRef<int64_t>":$padding,
                                 "bool":$ceilMode, "bool":$countIncludePad)>];
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value input,
                          ::llvm::ArrayRef<int64_t> kernel,
                          ::llvm::ArrayRef<int64_t> stride,
                          ::llvm::ArrayRef<int64_t> padding, bool ceilMode,
                          bool countIncludePad) {
      state.addOperands(input);
      Properties &properties = state.getOrAddProperties<Properties>();
      properties.kernel = builder.getDenseI64ArrayAttr(kernel);
      properties.stride = builder.getDenseI64ArrayAttr(stride);
      properties.padding = builder.getDenseI64ArrayAttr(padding);
      if (ceilMode)
        properties.ceil_mode = builder.getUnitAttr();
      if (countIncludePad)
        properties.count_include_pad = builder.getUnitAttr();
      addInferredResultType<$cppClass>(builder, state);
    }
  }];
}

#endif // NNC_IR_NNCONVOPS_TD
