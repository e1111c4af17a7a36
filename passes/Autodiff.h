//===- passes/Autodiff.h - reverse-mode autodiff of nn funcs ---*- C++ -*-===//
//
// The C++ entry point behind the nn-autodiff pass, for callers that build a
// training step themselves (nnc::jit::compile_step): give it a forward
// function and the arguments to differentiate, get back the function that
// also returns their gradients.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_PASSES_AUTODIFF_H
#define NNC_PASSES_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace nnc {

/// The unit argument attribute that marks the arguments nn-autodiff
/// differentiates: `func.func @f(%w: tensor<4x3xf32> {nn.requires_grad})`.
inline constexpr llvm::StringLiteral kRequiresGradAttrName = "nn.requires_grad";

/// Builds the gradient function of `forward`, whose first result must be a
/// rank-0 float tensor (the loss), with respect to the arguments numbered
/// `wrtArgs` (float tensors, no repeats).
///
/// The new function is inserted right after `forward` in its symbol table,
/// named `<name>_grad` (uniqued with a suffix if that name is taken: read it
/// from the result). It takes `forward`'s arguments (without their
/// nn.requires_grad markers) and returns `forward`'s results followed by the
/// gradient of the loss with respect to each of `wrtArgs`, in that order,
/// each of its argument's type. The forward ops are kept (the backward ops
/// reuse their values); a value with several uses gets the sum of its
/// gradients; an argument the loss does not depend on gets zeros. Dead ops
/// are removed. `forward` is not modified.
///
/// Every op on a path from a `wrtArgs` argument to the loss must implement
/// nn::DifferentiableOpInterface; otherwise, and for any other bad input,
/// this reports an error at the culprit (the op, or `forward`) and returns
/// failure, leaving the module as it was.
mlir::FailureOr<mlir::func::FuncOp>
buildGradientFunction(mlir::func::FuncOp forward,
                      llvm::ArrayRef<unsigned> wrtArgs);

} // namespace nnc

#endif // NNC_PASSES_AUTODIFF_H
