//===- ir/NNOps.td - operations of the nn dialect -----------*- tablegen -*-===//
//
// One op per eager nnc::Tensor operation of the first slice: constants,
// broadcasting elementwise arithmetic, activations, matmul, transpose,
// reshape and reductions. Every op except nn.reshape infers its result type,
// so C++ builders take only operands and attributes.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNOPS_TD
#define NNC_IR_NNOPS_TD

include "ir/NNBase.td"
include "ir/NNInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def NN_ConstantOp : NN_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor]> {
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

class NN_BroadcastingBinaryOp<string mnemonic, string operation>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "elementwise " # operation # " with PyTorch broadcasting";
  let description = [{
    Computes `lhs }] # operation # [{ rhs` elementwise. The operands may have
    different ranks and shapes; they broadcast as in PyTorch: shapes are
    aligned at their trailing dims, a dim of size 1 stretches to the other
    operand's size, and missing leading dims count as 1. The result shape is
    the broadcast shape and is not printed. Operand element types must match.

    A dynamic dim (`?`) broadcasts against 1, against an equal dynamic dim,
    or against a static size it must then equal at run time; it is never
    assumed to be a size-1 dim that stretches.

    Example:

    ```mlir
    // tensor<4x3xf32> and tensor<3xf32> broadcast to tensor<4x3xf32>.
    %r = nn.}] # mnemonic # [{ %a, %b : tensor<4x3xf32>, tensor<3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
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

def NN_AddOp : NN_BroadcastingBinaryOp<"add", "+">;
def NN_SubOp : NN_BroadcastingBinaryOp<"sub", "-">;
def NN_MulOp : NN_BroadcastingBinaryOp<"mul", "*">;
def NN_DivOp : NN_BroadcastingBinaryOp<"div", "/">;

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class NN_UnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor])> {
  let summary = "elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element; the result has the type
    of the operand.

    Example:

    ```mlir
    %r = nn.}] # mnemonic # [{ %x : tensor<?x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
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

def NN_NegOp : NN_UnaryOp<"neg", "-x"> { let hasFolder = 1; }
def NN_ExpOp : NN_UnaryOp<"exp", "exp(x)">;
def NN_LogOp : NN_UnaryOp<"log", "log(x) (natural logarithm)">;
def NN_TanhOp : NN_UnaryOp<"tanh", "tanh(x)">;
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0) (NaN propagates)">;

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

def NN_MatMulOp : NN_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "matrix product with torch.matmul semantics (rank >= 2)";
  let description = [{
    Multiplies `lhs` of shape `[..., M, K]` by `rhs` of shape `[..., K, N]`
    into `[..., M, N]`. Leading (batch) dims broadcast as in `nn.add`, so a
    rank-2 weight multiplies every matrix of a batched `lhs`. Both operands
    must have rank >= 2 (1-D operands are not supported yet) and the same
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

def NN_TransposeOp : NN_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
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
}

def NN_ReshapeOp : NN_Op<"reshape", [Pure]> {
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

class NN_ReductionOp<string mnemonic, string what>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
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
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$dims,
                       UnitAttr:$keepdim);
  let results = (outs NN_FloatTensor:$result);
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

def NN_SumOp : NN_ReductionOp<"sum", "sum">;
def NN_MeanOp : NN_ReductionOp<"mean", "arithmetic mean">;
def NN_MaxOp : NN_ReductionOp<"max", "maximum (torch.amax; NaN propagates)">;

#endif // NNC_IR_NNOPS_TD
