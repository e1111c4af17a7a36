//===- frontend/nnc.h - The one header an nnc user includes -----*- C++ -*-===//
//
// As <torch/torch.h>: tensors, their creation and math, errors, threads, and
// the jit (trace and compile; no MLIR headers reach the user).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NNC_H
#define NNC_FRONTEND_NNC_H

#include "frontend/Error.h"
#include "frontend/Tensor.h"
#include "frontend/Threads.h"
#include "frontend/jit/Compile.h"

#endif // NNC_FRONTEND_NNC_H
