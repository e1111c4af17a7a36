//===- ir/NNOps.td - operations of the nn dialect -----------*- tablegen -*-===//
//
// One op per eager nnc::Tensor operation: constants, broadcasting
// elementwise arithmetic, activations, matmul, transpose, reshape,
// reductions, softmax and losses; then the backward ops that nn-autodiff
// needs where no cheaper expression in forward ops exists. Every op except
// nn.reshape infers its result type, so C++ builders take only operands and
// attributes. Every differentiable op implements DifferentiableOpInterface
// (its VJP, in ir/NNGradients.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNOPS_TD
#define NNC_IR_NNOPS_TD

include "ir/NNBase.td"
include "ir/NNInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def NN_ConstantOp : NN_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor,
     DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "a tensor whose value is known at compile time";
  let description = [{
    Produces the tensor held by `value`; the result type is the type of
    `value`. The dialect materializes folded constants as `nn.constant`.

    Example:

    ```mlir
    %c = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops (PyTorch broadcasting)
//===----------------------------------------------------------------------===//

class NN_BroadcastingBinaryOp<string mnemonic, string operation,
                              Type operandType = NN_FloatTensor>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                       DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "elementwise " # operation # " with PyTorch broadcasting";
  let description = [{
    Computes `lhs }] # operation # [{ rhs` elementwise. The operands may have
    different ranks and shapes; they broadcast as in PyTorch: shapes are
    aligned at their trailing dims, a dim of size 1 stretches to the other
    operand's size, and missing leading dims count as 1. The result shape is
    the broadcast shape and is not printed. Operand element types must match
    and are the result's.

    A dynamic dim (`?`) broadcasts against 1, against an equal dynamic dim,
    or against a static size it must then equal at run time; it is never
    assumed to be a size-1 dim that stretches.

    Example:

    ```mlir
    // tensor<4x3xf32> and tensor<3xf32> broadcast to tensor<4x3xf32>.
    %r = nn.}] # mnemonic # [{ %a, %b : tensor<4x3xf32>, tensor<3xf32>
    ```
  }];
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs operandType:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  // The default inferring builders abort on a shape error; ours report it.
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>];
  let hasFolder = 1;
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value lhs,
                          ::mlir::Value rhs) {
      state.addOperands({lhs, rhs});
      addInferredResultType<$cppClass>(builder, state);
    }

    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferBroadcastResultType(location, getOperationName(),
                                      adaptor.getLhs().getType(),
                                      adaptor.getRhs().getType(), inferred);
    }
  }];
}

def NN_AddOp : NN_BroadcastingBinaryOp<"add", "+", NN_NumericTensor>;
def NN_SubOp : NN_BroadcastingBinaryOp<"sub", "-", NN_NumericTensor>;
def NN_MulOp : NN_BroadcastingBinaryOp<"mul", "*", NN_NumericTensor>;
// True division (torch.div without rounding_mode): integers are converted to
// a float type first, as PyTorch promotes them.
def NN_DivOp : NN_BroadcastingBinaryOp<"div", "/">;
def NN_PowTensorOp : NN_BroadcastingBinaryOp<"pow_tensor", "**"> {
  let summary = "elementwise lhs ** rhs with a tensor exponent (broadcasting)";
  let hasFolder = 0;
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class NN_UnaryOp<string mnemonic, string formula, list<Trait> traits = [],
                 Type operandType = NN_FloatTensor>
    : NN_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor,
        DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>])> {
  let summary = "elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element; the result has the type
    of the operand.

    Example:

    ```mlir
    %r = nn.}] # mnemonic # [{ %x : tensor<?x3xf32>
    ```
  }];
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let extraClassDefinition = [{
    // Elementwise: the result has the operand's type. Never fails; a
    // non-tensor operand is the type constraint's to report.
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location>,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      inferred.push_back(adaptor.getInput().getType());
      return ::mlir::success();
    }
  }];
}

def NN_NegOp : NN_UnaryOp<"neg", "-x", [], NN_NumericTensor> {
  let hasFolder = 1;
}
def NN_ExpOp : NN_UnaryOp<"exp", "exp(x)">;
def NN_LogOp : NN_UnaryOp<"log", "log(x) (natural logarithm)">;
def NN_TanhOp : NN_UnaryOp<"tanh", "tanh(x)">;
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0) (NaN propagates)">;
def NN_SqrtOp : NN_UnaryOp<"sqrt", "sqrt(x)">;
def NN_ErfOp : NN_UnaryOp<"erf", "erf(x) (the Gauss error function)">;
def NN_AbsOp : NN_UnaryOp<"abs", "|x|", [], NN_NumericTensor>;
def NN_SignOp : NN_UnaryOp<"sign", "sign(x): -1, 0 or 1 (NaN stays NaN)", [],
                           NN_NumericTensor>;

def NN_PowOp : NN_Op<"pow", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "elementwise x ** exponent for a scalar exponent";
  let description = [{
    Raises every element to the constant power `exponent` (torch.pow with a
    Python-number exponent); the result has the type of the operand. As in
    C's `pow`, a negative base gives NaN unless the exponent is an integer.

    Example:

    ```mlir
    %r = nn.pow %x, exponent = 2.000000e+00 : tensor<?x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$exponent);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` `exponent` `=` $exponent attr-dict `:` type($input)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "double":$exponent)>];
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

def NN_MatMulOp : NN_Op<"matmul", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "matrix product with torch.matmul semantics";
  let description = [{
    Multiplies `lhs` of shape `[..., M, K]` by `rhs` of shape `[..., K, N]`
    into `[..., M, N]`. Leading (batch) dims broadcast as in `nn.add`, so a
    rank-2 weight multiplies every matrix of a batched `lhs` (and two rank-3
    operands are `torch.bmm`). As in torch.matmul, a 1-D `lhs` `[K]` is a
    row `[1, K]` and a 1-D `rhs` `[K]` a column `[K, 1]` whose added dim is
    dropped from the result: 1-D by 1-D is a dot product (rank 0), matrix by
    vector `[..., M]`, vector by matrix `[..., N]`. The operands have one
    element type; the inner dims `K` must agree.

    Example:

    ```mlir
    // A batch of [8x16] activations times one 16x4 weight: tensor<?x8x4xf32>.
    %y = nn.matmul %x, %w : tensor<?x8x16xf32>, tensor<16x4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>];
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

def NN_TransposeOp : NN_Op<"transpose", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "swaps two dims (torch.transpose)";
  let description = [{
    Returns `input` with dims `dim0` and `dim1` exchanged. Both must lie in
    `[0, rank)`; `dim0 == dim1` is the identity.

    Example:

    ```mlir
    %t = nn.transpose %x, dim0 = 0, dim1 = 1 : tensor<4x3xf32>
    // %t : tensor<3x4xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64Attr:$dim0, I64Attr:$dim1);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input `,` `dim0` `=` $dim0 `,` `dim1` `=` $dim1 attr-dict `:`
    type($input)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input, "int64_t":$dim0,
                                 "int64_t":$dim1)>];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def NN_ReshapeOp : NN_Op<"reshape", [Pure,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "the same elements in row-major order under a new shape";
  let description = [{
    Reinterprets `input` with the shape of the result type, which is written
    explicitly. Both shapes must hold the same number of elements and the
    same element type. A dynamic dim (at most one on each side) may be
    carried through, e.g. a flattened batch; a static shape cannot become
    dynamic or the reverse.

    Example:

    ```mlir
    %r = nn.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
    %f = nn.reshape %y : tensor<?x4x4xf32> -> tensor<?x16xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class NN_ReductionOp<string mnemonic, string what,
                     Type operandType = NN_FloatTensor>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                       DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = what # " over `dims`";
  let description = [{
    Reduces `input` over `dims` to its }] # what # [{. `dims` must be sorted,
    unique and in `[0, rank)`; every listed dim is reduced (an empty list
    reduces nothing, unlike PyTorch's `dim=[]`: list every dim to reduce all
    of them). With `keepdim`, reduced dims stay as size 1; without it, they
    are dropped.

    Example:

    ```mlir
    %r = nn.}] # mnemonic # [{ %x dims = [1] keepdim : tensor<4x3xf32>
    // %r : tensor<4x1xf32>
    %s = nn.}] # mnemonic # [{ %x dims = [0, 1] : tensor<4x3xf32>
    // %s : tensor<f32>
    ```
  }];
  let arguments = (ins operandType:$input, DenseI64ArrayAttr:$dims,
                       UnitAttr:$keepdim);
  let results = (outs operandType:$result);
  let assemblyFormat = [{
    $input `dims` `=` $dims (`keepdim` $keepdim^)? attr-dict `:` type($input)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::llvm::ArrayRef<int64_t>":$dims,
                                 CArg<"bool", "false">:$keepdim)>];
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value input,
                          ::llvm::ArrayRef<int64_t> dims, bool keepdim) {
      state.addOperands(input);
      Properties &properties = state.getOrAddProperties<Properties>();
      properties.dims = builder.getDenseI64ArrayAttr(dims);
      if (keepdim)
        properties.keepdim = builder.getUnitAttr();
      addInferredResultType<$cppClass>(builder, state);
    }

    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferReductionResultType(location, getOperationName(),
                                      adaptor.getInput().getType(),
                                      adaptor.getDims(), adaptor.getKeepdim(),
                                      inferred);
    }
  }];
}

def NN_SumOp : NN_ReductionOp<"sum", "sum", NN_NumericTensor>;
def NN_MeanOp : NN_ReductionOp<"mean", "arithmetic mean">;
def NN_MaxOp : NN_ReductionOp<"max", "maximum (torch.amax; NaN propagates)",
                              NN_NumericTensor>;
def NN_MinOp : NN_ReductionOp<"min", "minimum (torch.amin; NaN propagates)",
                              NN_NumericTensor>;
def NN_ProdOp : NN_ReductionOp<"prod", "product", NN_NumericTensor>;
def NN_LogSumExpOp : NN_ReductionOp<"logsumexp",
    "log(sum(exp(x))), computed stably (torch.logsumexp)">;

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

class NN_SoftmaxLikeOp<string mnemonic, string formula>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                       DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = formula # " along `dim`";
  let description = [{
    Computes `}] # formula # [{` over the slices along `dim`, which must lie
    in `[0, rank)` (the tracer normalizes negative dims). The result has the
    type of the operand. The lowering is numerically stable: it subtracts
    each slice's maximum before exponentiating.

    Example:

    ```mlir
    %p = nn.}] # mnemonic # [{ %logits dim = 1 : tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$dim);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input `dim` `=` $dim attr-dict `:` type($input)";
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input, "int64_t":$dim)>];
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value input,
                          int64_t dim) {
      state.addOperands(input);
      state.getOrAddProperties<Properties>().dim =
          builder.getI64IntegerAttr(dim);
      addInferredResultType<$cppClass>(builder, state);
    }

    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferSoftmaxResultType(location, getOperationName(),
                                    adaptor.getInput().getType(),
                                    adaptor.getDim(), inferred);
    }
  }];
}

def NN_SoftmaxOp : NN_SoftmaxLikeOp<"softmax", "exp(x) / sum(exp(x))">;
def NN_LogSoftmaxOp
    : NN_SoftmaxLikeOp<"log_softmax", "x - log(sum(exp(x)))">;

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def NN_Reduction : I32EnumAttr<"Reduction",
    "how a loss combines its per-element values", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Mean", 1, "mean">,
      I32EnumAttrCase<"Sum", 2, "sum">,
    ]> {
  let cppNamespace = "::mlir::nn";
}

def NN_CrossEntropyOp : NN_Op<"cross_entropy", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "cross-entropy of logits against class indices";
  let description = [{
    torch.nn.functional.cross_entropy with class-index targets: for each row
    `n` of `logits` (`[N, C]`, float), the loss is
    `logsumexp(logits[n, :]) - logits[n, target[n]]`, where `target` (`[N]`,
    i64) holds class indices in `[0, C)`. `reduction` is `none` (the `[N]`
    losses), `sum` or `mean` (a rank-0 tensor; mean divides by N). A target
    outside `[0, C)` makes its loss NaN (no ignore_index, no class weights,
    no label smoothing yet).

    Example:

    ```mlir
    %loss = nn.cross_entropy %logits, %target reduction = mean
        : tensor<?x10xf32>, tensor<?xi64>
    // %loss : tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$logits, RankedTensorOf<[I64]>:$target,
                       NN_Reduction:$reduction);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $target `reduction` `=` $reduction attr-dict `:`
    type($logits) `,` type($target)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$logits,
                                 "::mlir::Value":$target,
                                 "::mlir::nn::Reduction":$reduction)>];
}

def NN_MSELossOp : NN_Op<"mse_loss", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "squared error between two tensors of one shape";
  let description = [{
    torch.nn.functional.mse_loss: `(input - target)^2` per element, then
    `reduction`: `none` (a tensor of the operands' shape), `sum` or `mean`
    (a rank-0 tensor). The operands must have the same type; unlike PyTorch,
    they do not broadcast (PyTorch warns that broadcasting here is almost
    always a bug).

    Example:

    ```mlir
    %loss = nn.mse_loss %prediction, %target reduction = mean
        : tensor<?x1xf32>, tensor<?x1xf32>
    // %loss : tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target,
                       NN_Reduction:$reduction);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target `reduction` `=` $reduction attr-dict `:`
    type($input) `,` type($target)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::mlir::Value":$target,
                                 "::mlir::nn::Reduction":$reduction)>];
}

//===----------------------------------------------------------------------===//
// Backward ops (emitted by VJPs; no cheaper expression in forward ops)
//===----------------------------------------------------------------------===//

def NN_BroadcastToOp : NN_Op<"broadcast_to", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "broadcasts a tensor to the shape of another (expand_as)";
  let description = [{
    Copies `input` to the shape of `like` (torch.Tensor.expand_as): dims
    align at the end, a size-1 or missing leading dim of `input` stretches.
    Only `like`'s shape is read, so dynamic sizes (the batch dim) come from
    it at run time. The result has `like`'s shape and `input`'s element
    type. A dynamic dim of `input` must face a dynamic dim of `like`. This is
    the VJP of reductions.

    Example:

    ```mlir
    %g = nn.broadcast_to %row like %x : tensor<1x3xf32>, tensor<?x3xf32>
    // %g : tensor<?x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_Tensor:$like);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input `like` $like attr-dict `:` type($input) `,` type($like)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::mlir::Value":$like)>];
}

def NN_EqualMaskOp : NN_BroadcastingBinaryOp<"equal_mask", "=="> {
  let summary = "1 where the operands are equal, 0 elsewhere (broadcasting)";
  let description = [{
    Computes `lhs == rhs ? 1 : 0` elementwise, as a float tensor of the
    operands' element type; broadcasting as in `nn.add`. NaN equals nothing.
    The VJP of `nn.max` uses it to find which elements attained the maximum.

    Example:

    ```mlir
    %m = nn.equal_mask %x, %max : tensor<4x3xf32>, tensor<4x1xf32>
    ```
  }];
  let hasFolder = 0;
}

def NN_ReluGradOp : NN_Op<"relu_grad", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "the VJP of relu: grad where input > 0, else 0";
  let description = [{
    Computes `input > 0 ? grad : 0` elementwise (torch's
    threshold_backward at 0): `grad` is the gradient of relu's result and
    `input` its operand. Both have the same type, which is the result type.

    Example:

    ```mlir
    %dx = nn.relu_grad %dy, %x : tensor<?x128xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $input attr-dict `:` type($input)";
}

def NN_CrossEntropyGradOp : NN_Op<"cross_entropy_grad",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "the VJP of nn.cross_entropy with respect to the logits";
  let description = [{
    Given `grad`, the gradient of an `nn.cross_entropy` result (of its type:
    `[N]` for reduction `none`, rank 0 otherwise), computes
    `(softmax(logits, 1) - onehot(target)) * g` per row, where `g` is
    `grad[n]` (none), `grad` (sum) or `grad / N` (mean). The result has the
    type of `logits`. A row whose target lies outside `[0, C)` is NaN, as its
    loss is.

    Example:

    ```mlir
    %dlogits = nn.cross_entropy_grad %g, %logits, %target reduction = mean
        : tensor<f32>, tensor<?x10xf32>, tensor<?xi64>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$logits,
                       RankedTensorOf<[I64]>:$target,
                       NN_Reduction:$reduction);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $logits `,` $target `reduction` `=` $reduction attr-dict `:`
    type($grad) `,` type($logits) `,` type($target)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$grad,
                                 "::mlir::Value":$logits,
                                 "::mlir::Value":$target,
                                 "::mlir::nn::Reduction":$reduction)>];
}

include "ir/NNTensorOps.td"
include "ir/NNConvOps.td"
include "ir/NNFusionOps.td"

#endif // NNC_IR_NNOPS_TD
