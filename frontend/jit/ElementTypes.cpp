//===- frontend/jit/ElementTypes.cpp - dtype <-> MLIR/runtime types -------===//
#include "frontend/jit/ElementTypes.h"

#include "frontend/Error.h"

namespace nnc::jit {

mlir::Type elementTypeOf(ScalarType dtype, mlir::MLIRContext *context) {
  switch (dtype) {
  case ScalarType::Float32:
    return mlir::Float32Type::get(context);
  case ScalarType::Float64:
    return mlir::Float64Type::get(context);
  case ScalarType::Float16:
    return mlir::Float16Type::get(context);
  case ScalarType::BFloat16:
    return mlir::BFloat16Type::get(context);
  case ScalarType::Int64:
    return mlir::IntegerType::get(context, 64);
  case ScalarType::Int32:
    return mlir::IntegerType::get(context, 32);
  case ScalarType::UInt8:
    // The dialect spells PyTorch's uint8 `ui8` (ir/NNBase.td).
    return mlir::IntegerType::get(context, 8, mlir::IntegerType::Unsigned);
  case ScalarType::Bool:
    return mlir::IntegerType::get(context, 1);
  }
  throw Error("jit: unknown dtype");
}

std::optional<ScalarType> scalarTypeOf(mlir::Type type) {
  if (type.isF32())
    return kFloat32;
  if (type.isF64())
    return kFloat64;
  if (type.isF16())
    return kFloat16;
  if (type.isBF16())
    return kBFloat16;
  if (type.isSignlessInteger(64))
    return kInt64;
  if (type.isSignlessInteger(32))
    return kInt32;
  if (type.isUnsignedInteger(8))
    return kUInt8;
  if (type.isSignlessInteger(1))
    return kBool;
  return std::nullopt;
}

runtime::ElementType runtimeTypeOf(ScalarType dtype) {
  switch (dtype) {
  case ScalarType::Float32:
    return runtime::ElementType::F32;
  case ScalarType::Float64:
    return runtime::ElementType::F64;
  case ScalarType::Float16:
    return runtime::ElementType::F16;
  case ScalarType::BFloat16:
    return runtime::ElementType::BF16;
  case ScalarType::Int64:
    return runtime::ElementType::I64;
  case ScalarType::Int32:
    return runtime::ElementType::I32;
  case ScalarType::UInt8:
    return runtime::ElementType::U8;
  case ScalarType::Bool:
    return runtime::ElementType::I1;
  }
  throw Error("jit: unknown dtype");
}

ScalarType scalarTypeOf(runtime::ElementType type) {
  switch (type) {
  case runtime::ElementType::F32:
    return kFloat32;
  case runtime::ElementType::F64:
    return kFloat64;
  case runtime::ElementType::F16:
    return kFloat16;
  case runtime::ElementType::BF16:
    return kBFloat16;
  case runtime::ElementType::I64:
    return kInt64;
  case runtime::ElementType::I32:
    return kInt32;
  case runtime::ElementType::U8:
    return kUInt8;
  case runtime::ElementType::I1:
    return kBool;
  }
  throw Error("jit: unknown runtime element type");
}

mlir::RankedTensorType tensorTypeOf(const Tensor &t,
                                    mlir::MLIRContext *context) {
  return mlir::RankedTensorType::get(t.sizes(),
                                     elementTypeOf(t.dtype(), context));
}

mlir::DenseElementsAttr denseAttrOf(const Tensor &t,
                                    mlir::MLIRContext *context) {
  Tensor dense = t.contiguous();
  mlir::RankedTensorType type = tensorTypeOf(t, context);
  size_t n = static_cast<size_t>(dense.numel());
  // Bools are one byte each in eager storage but bit-packed in a raw
  // MLIR buffer: they go element by element.
  if (dense.dtype() == kBool) {
    const auto *bytes = static_cast<const uint8_t *>(dense.data_ptr());
    llvm::SmallVector<bool> values(bytes, bytes + n);
    return mlir::DenseElementsAttr::get(type, llvm::ArrayRef<bool>(values));
  }
  return mlir::DenseElementsAttr::getFromRawBuffer(
      type, llvm::ArrayRef<char>(static_cast<const char *>(dense.data_ptr()),
                                 n * elementSize(dense.dtype())));
}

} // namespace nnc::jit
