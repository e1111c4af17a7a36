//===- ir/NNOps.h - operations of the nn dialect ----------------*- C++ -*-===//
//
// The nn ops (mlir::nn::AddOp, MatMulOp, ...). Builders infer result types:
// a shape or dtype error is reported as a diagnostic at the builder's
// location and yields an op (typed like its first operand) that fails
// verification, never an abort; run mlir::verify after building a graph.
// Differentiable ops implement DifferentiableOpInterface (ir/NNGradients.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNOPS_H
#define NNC_IR_NNOPS_H

#include "ir/NNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

// mlir::nn::Reduction (none, mean, sum) and its attribute ReductionAttr.
#include "ir/NNEnums.h.inc"
// mlir::nn::DifferentiableOpInterface (buildVJP), see ir/NNInterfaces.td.
#include "ir/NNInterfaces.h.inc"

#define GET_OP_CLASSES
#include "ir/NNOps.h.inc"

#endif // NNC_IR_NNOPS_H
