//===- passes/Passes.td - graph-level passes on nn ops ------*- tablegen -*-===//
//
// Every graph-level pass, grouped under banners, alphabetical within a group.
// Flags are nn-<verb>[-<noun>]; each pass lives in its own file named after
// it without the `Pass` suffix.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_PASSES_PASSES_TD
#define NNC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

def NNLowerToLinalg : Pass<"nn-lower-to-linalg"> {
  let summary = "Lower nn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every `nn` op under the anchor op (any op: a module, a
    `func.func`, later an `nn.fusion` region) into ops on tensors:

    - elementwise ops become `linalg.generic` with explicit broadcasting
      indexing maps (a size-1 dim reads index 0; a missing leading dim is
      dropped from the map), bodies in `arith`/`math`; sigmoid is
      `1 / (1 + exp(-x))`, relu is `arith.maximumf(x, 0)`;
    - `nn.matmul` with a matrix rhs becomes one `linalg.matmul` (lhs batch
      dims collapsed into its rows); with a batched rhs it becomes
      `linalg.batch_matmul` after broadcast batch dims are materialized and
      several batch dims are collapsed into one;
    - `nn.transpose` becomes `linalg.transpose`; `nn.reshape` becomes
      `tensor.collapse_shape`/`tensor.expand_shape` (through a 1-D tensor
      when no single reassociation exists);
    - reductions become `linalg.reduce` into a `linalg.fill`ed init (0 for
      sum and mean, -inf for max); mean divides by the element count;
      `keepdim` is a `tensor.expand_shape`;
    - `nn.constant` becomes `arith.constant`.

    Dynamic dims are read with `tensor.dim`. A dynamic dim is assumed to
    equal the size it broadcasts against (it is never a stretching 1).
    An op that cannot be lowered is reported and fails the pass.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // NNC_PASSES_PASSES_TD
