//===- ir/NNTensorOps.td - dtype, indexing and reduction ops -*- tablegen -*-===//
//
// The second family of nn ops, for PyTorch's tensor API beyond a training
// step: dtype conversion, comparisons and selection, clamping, slicing and
// concatenation, permutation, gathers and scatters, statistics (var, std),
// arg-reductions and logical reductions. Included from ir/NNOps.td, so the
// ops belong to the dialect's one generated op list.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNTENSOROPS_TD
#define NNC_IR_NNTENSOROPS_TD

include "ir/NNBase.td"
include "ir/NNInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Conversion
//===----------------------------------------------------------------------===//

def NN_ConvertOp : NN_Op<"convert", [Pure,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "converts every element to another dtype (Tensor.to(dtype))";
  let description = [{
    Converts each element of `input` to the element type of the result, as
    PyTorch's `to(dtype)` does: floats round to nearest; a float becomes an
    integer by truncation toward zero; any nonzero value (NaN included)
    becomes `true`; `true` becomes 1. The shapes must be equal. The tracer
    also emits it where PyTorch's type promotion converts an operand.

    Example:

    ```mlir
    %h = nn.convert %x : tensor<?x3xf32> -> tensor<?x3xf16>
    %l = nn.convert %mask : tensor<4xi1> -> tensor<4xi64>
    ```
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::mlir::Type":$elementType)>];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

def NN_RandomUniformOp : NN_Op<"random_uniform", [Pure]> {
  let summary = "uniform samples in [0, 1) from a counter-based generator";
  let description = [{
    Element `i` (row-major) is a function of `state = [seed, offset]` and
    `offset + i` only: splitmix64 of `seed + (offset + i) * 0x9E3779B97F4A7C15`,
    whose top 24 bits scaled by 2^-24 give the sample. The eager generator
    (nnc::detail::counterUniform) computes the same function, so a compiled
    graph draws exactly the samples eager code would (Dropout's masks), and
    a generator whose offset is advanced after each draw (an in-place update
    of `state` the tracer records) draws new ones every call. The result
    shape is the result type's, static; its element type is a float.

    Example:

    ```mlir
    %u = nn.random_uniform %state : tensor<2xi64> -> tensor<64x128xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I64]>:$state);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$state attr-dict `:` type($state) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Comparisons and selection
//===----------------------------------------------------------------------===//

class NN_CompareOp<string mnemonic, string operation>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "elementwise `lhs " # operation # " rhs` as a bool tensor";
  let description = [{
    Compares `lhs }] # operation # [{ rhs` elementwise, broadcasting as
    `nn.add`; the result is `i1` in the broadcast shape. The operands have
    one element type. Comparisons with NaN are false, except `ne`, which is
    true (IEEE, as PyTorch). No gradient flows through the bool result, so
    the op has no VJP (nn-autodiff differentiates through floats only).

    Example:

    ```mlir
    %m = nn.}] # mnemonic # [{ %x, %t : tensor<4x3xf32>, tensor<f32>
    // %m : tensor<4x3xi1>
    ```
  }];
  let arguments = (ins NN_ComparableTensor:$lhs, NN_ComparableTensor:$rhs);
  let results = (outs NN_BoolTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>];
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value lhs,
                          ::mlir::Value rhs) {
      state.addOperands({lhs, rhs});
      addInferredResultType<$cppClass>(builder, state);
    }

    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferCompareResultType(context, location, getOperationName(),
                                    adaptor.getLhs().getType(),
                                    adaptor.getRhs().getType(), inferred);
    }
  }];
}

def NN_EqOp : NN_CompareOp<"eq", "==">;
def NN_NeOp : NN_CompareOp<"ne", "!=">;
def NN_LtOp : NN_CompareOp<"lt", "<">;
def NN_LeOp : NN_CompareOp<"le", "<=">;
def NN_GtOp : NN_CompareOp<"gt", ">">;
def NN_GeOp : NN_CompareOp<"ge", ">=">;

def NN_WhereOp : NN_Op<"where", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "elementwise `condition ? lhs : rhs` (torch.where)";
  let description = [{
    Takes each element from `lhs` where `condition` is true and from `rhs`
    elsewhere. The three operands broadcast together as in `nn.add`; `lhs`
    and `rhs` have one element type, the result's. `masked_fill(x, mask, v)`
    is `where(mask, v, x)` with `v` a rank-0 constant.

    Example:

    ```mlir
    %r = nn.where %mask, %zero, %x
        : tensor<4x3xi1>, tensor<f32>, tensor<4x3xf32>
    ```
  }];
  let arguments = (ins NN_BoolTensor:$condition, NN_Tensor:$lhs,
                       NN_Tensor:$rhs);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:` type($condition) `,`
    type($lhs) `,` type($rhs)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$condition,
                                 "::mlir::Value":$lhs, "::mlir::Value":$rhs)>];
}

def NN_ClampOp : NN_Op<"clamp", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "elementwise min(max(x, min), max) (torch.clamp)";
  let description = [{
    Clamps every element to `[min, max]`; either bound may be absent, not
    both. As in PyTorch, `min > max` gives `max` everywhere and NaN stays
    NaN. On an integer tensor the bounds must be integers. The result has
    the type of the operand.

    Example:

    ```mlir
    %r = nn.clamp %x min = 0.000000e+00 max = 6.000000e+00 : tensor<?x8xf32>
    %s = nn.clamp %x max = 1.000000e+00 : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, OptionalAttr<F64Attr>:$min,
                       OptionalAttr<F64Attr>:$max);
  let results = (outs NN_NumericTensor:$result);
  let assemblyFormat = [{
    $input (`min` `=` $min^)? (`max` `=` $max^)? attr-dict `:` type($input)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "std::optional<double>":$min,
                                 "std::optional<double>":$max)>];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Slicing, concatenation, permutation
//===----------------------------------------------------------------------===//

def NN_SliceOp : NN_Op<"slice", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "every step-th index in [start, end) of one dim (narrow)";
  let description = [{
    `x[..., start:end:step, ...]` along `dim`: `0 <= start <= end <= size`
    (the tracer clamps and normalizes Python's negative indices) and
    `step >= 1`; the result has `ceil((end - start) / step)` entries along
    `dim`, and the operand's other dims. `select(dim, i)` is a slice of one
    entry and an `nn.reshape` dropping the dim.

    Example:

    ```mlir
    %s = nn.slice %x dim = 1 start = 1 end = 5 step = 2 : tensor<?x8xf32>
    // %s : tensor<?x2xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, I64Attr:$dim, I64Attr:$start,
                       I64Attr:$end, I64Attr:$step);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input `dim` `=` $dim `start` `=` $start `end` `=` $end `step` `=` $step
    attr-dict `:` type($input)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input, "int64_t":$dim,
                                 "int64_t":$start, "int64_t":$end,
                                 CArg<"int64_t", "1">:$step)>];
}

def NN_SliceGradOp : NN_Op<"slice_grad", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "the VJP of nn.slice: grad placed into zeros shaped like x";
  let description = [{
    Returns a tensor of `like`'s shape and `grad`'s element type that is
    zero except at the entries an `nn.slice` with the same attributes reads
    from `like`, which hold `grad` (torch's slice_backward). Only `like`'s
    shape is read.

    Example:

    ```mlir
    %dx = nn.slice_grad %g like %x dim = 1 start = 1 end = 5 step = 2
        : tensor<?x2xf32>, tensor<?x8xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$grad, NN_Tensor:$like, I64Attr:$dim,
                       I64Attr:$start, I64Attr:$end, I64Attr:$step);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $grad `like` $like `dim` `=` $dim `start` `=` $start `end` `=` $end
    `step` `=` $step attr-dict `:` type($grad) `,` type($like)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$grad, "::mlir::Value":$like,
                                 "int64_t":$dim, "int64_t":$start,
                                 "int64_t":$end, "int64_t":$step)>];
}

def NN_ConcatOp : NN_Op<"concat", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "joins tensors along one dim (torch.cat)";
  let description = [{
    Concatenates `inputs` (at least one) along `dim`. They have one rank and
    element type and agree on every other dim; their sizes along `dim` must
    be static (the VJP slices the gradient at static offsets).
    `torch.stack` is a concat of operands reshaped with a new size-1 dim.

    Example:

    ```mlir
    %c = nn.concat %a, %b dim = 1 : tensor<?x2xf32>, tensor<?x3xf32>
    // %c : tensor<?x5xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_Tensor>:$inputs, I64Attr:$dim);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = "$inputs `dim` `=` $dim attr-dict `:` type($inputs)";
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::ValueRange":$inputs,
                                 "int64_t":$dim)>];
}

def NN_PermuteOp : NN_Op<"permute", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "reorders the dims (torch.permute)";
  let description = [{
    Result dim `i` is operand dim `dims[i]`; `dims` is a permutation of
    `[0, rank)`.

    Example:

    ```mlir
    %p = nn.permute %x dims = [2, 0, 1] : tensor<2x3x4xf32>
    // %p : tensor<4x2x3xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$dims);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = "$input `dims` `=` $dims attr-dict `:` type($input)";
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::llvm::ArrayRef<int64_t>":$dims)>];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Gathers and scatters
//===----------------------------------------------------------------------===//

def NN_IndexSelectOp : NN_Op<"index_select", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "the entries at a 1-D list of indices along one dim";
  let description = [{
    torch.index_select: the result is `input` with dim `dim` replaced by the
    entries `index[0], index[1], ...` (so its size along `dim` is the length
    of `index`, a 1-D integer tensor). `x[idx]` with an integer tensor `idx`
    is `index_select` along dim 0. An index outside `[0, size)` is undefined
    behavior in compiled code (eager raises); the read is clamped to stay in
    bounds.

    Example:

    ```mlir
    %rows = nn.index_select %table, %ids dim = 0
        : tensor<100x16xf32>, tensor<?xi64>
    // %rows : tensor<?x16xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexTensor:$index, I64Attr:$dim);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $index `dim` `=` $dim attr-dict `:` type($input) `,`
    type($index)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::mlir::Value":$index, "int64_t":$dim)>];
}

def NN_GatherOp : NN_Op<"gather", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "picks entries along one dim by an index tensor (gather)";
  let description = [{
    torch.gather: `result[i][j] = input[index[i][j]][j]` for `dim = 0` (and
    so on for other dims). `index` has the rank of `input` and no larger
    size in any dim but `dim`; the result has `index`'s shape and `input`'s
    element type. Out-of-range indices are clamped as in `nn.index_select`.

    Example:

    ```mlir
    %g = nn.gather %x, %idx dim = 1 : tensor<4x10xf32>, tensor<4x1xi64>
    // %g : tensor<4x1xf32>
    ```
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexTensor:$index, I64Attr:$dim);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $index `dim` `=` $dim attr-dict `:` type($input) `,`
    type($index)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::mlir::Value":$index, "int64_t":$dim)>];
}

def NN_ScatterAddOp : NN_Op<"scatter_add", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "adds src into a copy of input at indexed entries";
  let description = [{
    torch.scatter_add: a copy of `input` where, for `dim = 0`,
    `result[index[i][j]][j] += src[i][j]` (and so on for other dims).
    `index` and `src` have one shape, which equals `input`'s in every dim
    but `dim` (PyTorch also allows a smaller index there; nn does not yet).
    The result has `input`'s type. This is the VJP of `nn.gather` and of
    `nn.index_select`. Indices outside `[0, size)` add nothing.

    Example:

    ```mlir
    %s = nn.scatter_add %zeros, %idx, %g dim = 1
        : tensor<4x10xf32>, tensor<4x1xi64>, tensor<4x1xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_IndexTensor:$index,
                       NN_NumericTensor:$src, I64Attr:$dim);
  let results = (outs NN_NumericTensor:$result);
  let assemblyFormat = [{
    $input `,` $index `,` $src `dim` `=` $dim attr-dict `:` type($input) `,`
    type($index) `,` type($src)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::mlir::Value":$index, "::mlir::Value":$src,
                                 "int64_t":$dim)>];
}

//===----------------------------------------------------------------------===//
// Statistics, arg-reductions and logical reductions
//===----------------------------------------------------------------------===//

class NN_VarianceOp<string mnemonic, string what>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                       DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = what # " over `dims` with Bessel's `correction`";
  let description = [{
    torch.}] # mnemonic # [{(x, dims, correction, keepdim): the }] # what #
    [{ of the elements reduced over `dims` (as in `nn.sum`), dividing the sum
    of squared deviations from the mean by `N - correction`, where `N` is
    the number of elements reduced (PyTorch's default correction is 1).

    Example:

    ```mlir
    %v = nn.}] # mnemonic # [{ %x dims = [1] correction = 1 keepdim
        : tensor<?x8xf32>
    // %v : tensor<?x1xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$dims,
                       I64Attr:$correction, UnitAttr:$keepdim);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `dims` `=` $dims `correction` `=` $correction
    (`keepdim` $keepdim^)? attr-dict `:` type($input)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::llvm::ArrayRef<int64_t>":$dims,
                                 "int64_t":$correction,
                                 CArg<"bool", "false">:$keepdim)>];
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value input,
                          ::llvm::ArrayRef<int64_t> dims, int64_t correction,
                          bool keepdim) {
      state.addOperands(input);
      Properties &properties = state.getOrAddProperties<Properties>();
      properties.dims = builder.getDenseI64ArrayAttr(dims);
      properties.correction = builder.getI64IntegerAttr(correction);
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

def NN_VarOp : NN_VarianceOp<"var", "variance">;
def NN_StdOp : NN_VarianceOp<"std", "standard deviation">;

class NN_ArgReductionOp<string mnemonic, string what>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "the index of the " # what # " along `dim` (i64)";
  let description = [{
    torch.}] # mnemonic # [{(x, dim, keepdim): the position along `dim` of
    the }] # what # [{ of each slice, as `i64`; the first one on ties, and
    the first NaN if there is one (NaN compares as the extreme, as in
    PyTorch). `dim` is dropped, or kept as size 1 with `keepdim`. The
    values with indices (`torch.max(x, dim)`) are `nn.max`/`nn.min` beside
    it. Integer results carry no gradient: no VJP.

    Example:

    ```mlir
    %i = nn.}] # mnemonic # [{ %logits dim = 1 : tensor<?x10xf32>
    // %i : tensor<?xi64>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, I64Attr:$dim,
                       UnitAttr:$keepdim);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $input `dim` `=` $dim (`keepdim` $keepdim^)? attr-dict `:` type($input)
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input, "int64_t":$dim,
                                 CArg<"bool", "false">:$keepdim)>];
  let extraClassDefinition = [{
    void $cppClass::build(::mlir::OpBuilder &builder,
                          ::mlir::OperationState &state, ::mlir::Value input,
                          int64_t dim, bool keepdim) {
      state.addOperands(input);
      Properties &properties = state.getOrAddProperties<Properties>();
      properties.dim = builder.getI64IntegerAttr(dim);
      if (keepdim)
        properties.keepdim = builder.getUnitAttr();
      addInferredResultType<$cppClass>(builder, state);
    }

    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      int64_t dim = adaptor.getDim();
      return inferReductionResultType(
          location, getOperationName(), adaptor.getInput().getType(),
          ::llvm::ArrayRef<int64_t>(dim), adaptor.getKeepdim(), inferred,
          ::mlir::IntegerType::get(context, 64));
    }
  }];
}

def NN_ArgMaxOp : NN_ArgReductionOp<"argmax", "maximum">;
def NN_ArgMinOp : NN_ArgReductionOp<"argmin", "minimum">;

class NN_LogicalReductionOp<string mnemonic, string what>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "whether " # what # " element over `dims` is nonzero";
  let description = [{
    torch.}] # mnemonic # [{: true where }] # what # [{ reduced element is
    nonzero (NaN counts as nonzero); the result is `i1` (no VJP). `dims`
    and `keepdim` as for `nn.sum`.

    Example:

    ```mlir
    %r = nn.}] # mnemonic # [{ %mask dims = [0, 1] : tensor<4x3xi1>
    // %r : tensor<i1>
    ```
  }];
  let arguments = (ins NN_ComparableTensor:$input, DenseI64ArrayAttr:$dims,
                       UnitAttr:$keepdim);
  let results = (outs NN_BoolTensor:$result);
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
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferReductionResultType(location, getOperationName(),
                                      adaptor.getInput().getType(),
                                      adaptor.getDims(), adaptor.getKeepdim(),
                                      inferred,
                                      ::mlir::IntegerType::get(context, 1));
    }
  }];
}

def NN_AnyOp : NN_LogicalReductionOp<"any", "any">;
def NN_AllOp : NN_LogicalReductionOp<"all", "every">;

#endif // NNC_IR_NNTENSOROPS_TD
