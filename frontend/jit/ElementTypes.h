//===- frontend/jit/ElementTypes.h - dtype <-> MLIR/runtime types -*- C++ -*-//
//
// One table between the eager dtypes (nnc::ScalarType), the element types of
// the `nn` dialect's tensors and the runtime's element types, for everything
// in frontend/jit that crosses between them.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_JIT_ELEMENTTYPES_H
#define NNC_FRONTEND_JIT_ELEMENTTYPES_H

#include "frontend/Tensor.h"
#include "runtime/Executable.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace nnc::jit {

/// The `nn` dialect's element type for `dtype`.
mlir::Type elementTypeOf(ScalarType dtype, mlir::MLIRContext *context);
/// The dtype of tensors with element type `type`, if nnc has one.
std::optional<ScalarType> scalarTypeOf(mlir::Type type);
/// The runtime's element type for `dtype`; throws nnc::Error for a dtype
/// compiled code does not take.
runtime::ElementType runtimeTypeOf(ScalarType dtype);
/// The dtype of a runtime element type (the inverse of runtimeTypeOf).
ScalarType scalarTypeOf(runtime::ElementType type);
/// The ranked tensor type of `t` (its sizes and dtype).
mlir::RankedTensorType tensorTypeOf(const Tensor &t,
                                    mlir::MLIRContext *context);
/// The values of `t` as a constant of type tensorTypeOf(t).
mlir::DenseElementsAttr denseAttrOf(const Tensor &t,
                                    mlir::MLIRContext *context);

} // namespace nnc::jit

#endif // NNC_FRONTEND_JIT_ELEMENTTYPES_H
