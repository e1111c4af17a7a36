//===- ir/NNDialect.h - the nn dialect --------------------------*- C++ -*-===//
//
// Declares mlir::nn::NNDialect; register it with
// `registry.insert<mlir::nn::NNDialect>()` or
// `context.loadDialect<mlir::nn::NNDialect>()`.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNDIALECT_H
#define NNC_IR_NNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "ir/NNOpsDialect.h.inc"

#endif // NNC_IR_NNDIALECT_H
