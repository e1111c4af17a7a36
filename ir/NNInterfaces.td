//===- ir/NNInterfaces.td - interfaces of nn ops ------------*- tablegen -*-===//
//
// Op interfaces that nnc's passes dispatch on. Result-type inference uses
// MLIR's InferTypeOpInterface (see NNOps.td). DifferentiableOpInterface is
// what nn-autodiff sweeps over (DESIGN.md section 4); LayoutInterface (for
// nn-layout) arrives with that pass.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNINTERFACES_TD
#define NNC_IR_NNINTERFACES_TD

include "mlir/IR/OpBase.td"

def NN_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::mlir::nn";
  let description = [{
    An op whose vector-Jacobian product (VJP) is expressible in `nn` ops.
    Given the gradient of a scalar loss with respect to each of the op's
    results, `buildVJP` emits `nn` ops computing the gradient with respect to
    each operand. nn-autodiff calls it in reverse program order and sums the
    gradients of values with several uses; the interface is the only thing
    it knows about any op, so a new op becomes differentiable by
    implementing it.
  }];
  let methods = [
    InterfaceMethod<[{
        Emits, at the builder's insertion point (after the op), the ops that
        compute the gradient of the loss with respect to each operand, given
        `outputGrads[i]`, the gradient with respect to result `i` (same type
        as the result; never null). Returns one value per operand, with the
        operand's exact type, or a null Value for an operand that has no
        gradient (an integer class index, say). Reads the op's operands and
        results as needed; does not modify the op.
      }],
      "::llvm::SmallVector<::mlir::Value>", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$outputGrads)>,
  ];
}

#endif // NNC_IR_NNINTERFACES_TD
