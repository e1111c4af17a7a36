//===- ir/NNBase.td - the nn dialect and its base op class -*- tablegen -*-===//
//
// The `nn` dialect: one op per eager nnc::Tensor operation, on ranked tensors.
// Graph-level passes (passes/) work on it; nn-lower-to-linalg takes it to
// linalg/tensor/arith/math.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNBASE_TD
#define NNC_IR_NNBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

//===----------------------------------------------------------------------===//
// Dialect
//===----------------------------------------------------------------------===//

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::mlir::nn";
  let summary = "Graph-level deep-learning tensor ops of nnc";
  let description = [{
    The `nn` dialect mirrors nnc's eager tensor API one op per eager operation,
    so tracing an eager program is a table lookup rather than a translation.

    Values are ranked tensors of `f32`, `f64`, `f16`, `bf16`, `i64`, `i32` or
    `i1`. The leading (batch) dimension may be dynamic (`?`). Elementwise
    binary ops broadcast their operands as PyTorch does; every op infers its
    result type, so builders need only operands and attributes. A shape or
    dtype error is a diagnostic at the op.
  }];
  let hasConstantMaterializer = 1;
}

//===----------------------------------------------------------------------===//
// Types accepted by nn ops
//===----------------------------------------------------------------------===//

def NN_FloatElement : AnyTypeOf<[F16, BF16, F32, F64]>;
def NN_Element : AnyTypeOf<[F16, BF16, F32, F64, I64, I32, I1]>;

// Compute ops of this slice are defined on floating-point tensors.
def NN_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
// Data-movement ops (reshape, transpose) and constants accept every dtype.
def NN_Tensor : RankedTensorOf<[F16, BF16, F32, F64, I64, I32, I1]>;

//===----------------------------------------------------------------------===//
// Base op class
//===----------------------------------------------------------------------===//

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

#endif // NNC_IR_NNBASE_TD
