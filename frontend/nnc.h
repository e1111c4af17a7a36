//===- frontend/nnc.h - The one header an nnc user includes -----*- C++ -*-===//
//
// As <torch/torch.h>: tensors, their creation and math, autograd, nn
// modules and functional, optimizers, datasets and data loaders, metrics and
// a progress bar, saving and loading (safetensors), errors, threads, and the
// jit (trace, compile, compile_step, saved graphs; no MLIR headers reach the
// user).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NNC_H
#define NNC_FRONTEND_NNC_H

#include "frontend/Autocast.h"
#include "frontend/Autograd.h"
#include "frontend/Error.h"
#include "frontend/Tensor.h"
#include "frontend/Threads.h"
#include "frontend/data/Data.h"
#include "frontend/jit/Compile.h"
#include "frontend/jit/CompileStep.h"
#include "frontend/jit/SavedGraph.h"
#include "frontend/metrics/Metrics.h"
#include "frontend/metrics/ProgressBar.h"
#include "frontend/nn/Activation.h"
#include "frontend/nn/Conv.h"
#include "frontend/nn/Dropout.h"
#include "frontend/nn/Embedding.h"
#include "frontend/nn/Functional.h"
#include "frontend/nn/Init.h"
#include "frontend/nn/Linear.h"
#include "frontend/nn/Loss.h"
#include "frontend/nn/Module.h"
#include "frontend/nn/Normalization.h"
#include "frontend/nn/OneHot.h"
#include "frontend/nn/Pooling.h"
#include "frontend/nn/RNN.h"
#include "frontend/nn/Sequential.h"
#include "frontend/optim/GradScaler.h"
#include "frontend/optim/Optimizer.h"
#include "frontend/optim/Scheduler.h"
#include "frontend/serialize/Safetensors.h"
#include "frontend/serialize/Serialize.h"

#endif // NNC_FRONTEND_NNC_H
