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

    Values are ranked tensors of `f32`, `f64`, `f16`, `bf16`, `i64`, `i32`,
    `ui8` (PyTorch's uint8) or `i1` (bool). Ops do not promote: operands of
    one op have one element type, and the tracer inserts `nn.convert` where
    PyTorch's type promotion converts. The leading (batch) dimension may be
    dynamic (`?`). Elementwise binary ops broadcast their operands as
    PyTorch does; every op infers its result type, so builders need only
    operands and attributes. A shape or dtype error is a diagnostic at the
    op.
  }];
  let hasConstantMaterializer = 1;
}

//===----------------------------------------------------------------------===//
// Types accepted by nn ops
//===----------------------------------------------------------------------===//

def NN_FloatElement : AnyTypeOf<[F16, BF16, F32, F64]>;
def NN_Element : AnyTypeOf<[F16, BF16, F32, F64, I64, I32, UI8, I1]>;

// Floating-point math (exp, div, softmax, ...): f16 and bf16 compute in f32
// inside the lowered loop body and round once, as PyTorch's CPU kernels do.
def NN_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
// Arithmetic that PyTorch also defines on integers (add, sum, max, abs):
// floats and integers (u8 wraps modulo 256, as in PyTorch). Bools are
// converted first (nn.convert), as PyTorch's type promotion does.
def NN_NumericTensor : RankedTensorOf<[F16, BF16, F32, F64, I64, I32, UI8]>;
// Operands of comparisons: numbers and bool.
def NN_ComparableTensor
    : RankedTensorOf<[F16, BF16, F32, F64, I64, I32, UI8, I1]>;
// Data movement (reshape, slice, gather, where, ...), constants and
// conversions accept every dtype. u8 is `ui8`: arith has only signless
// integers, so the lowering computes u8 arithmetic in i32 and truncates.
def NN_Tensor : RankedTensorOf<[F16, BF16, F32, F64, I64, I32, UI8, I1]>;
// Indices of gathers and scatters, as PyTorch accepts them.
def NN_IndexTensor : RankedTensorOf<[I64, I32]>;
// Masks and the results of comparisons.
def NN_BoolTensor : RankedTensorOf<[I1]>;

//===----------------------------------------------------------------------===//
// Base op class
//===----------------------------------------------------------------------===//

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

#endif // NNC_IR_NNBASE_TD
