//===- frontend/TraceHook.cpp - The per-thread active trace hook ----------===//
//
// A thread_local pointer: tracing one function on one thread does not see
// eager work on another. Ops suspend tracing around their internals by
// installing a null hook (TraceHookGuard(nullptr)), so only public ops are
// recorded.
//
//===----------------------------------------------------------------------===//
#include "frontend/TraceHook.h"

namespace nnc {

namespace {
thread_local TraceHook *currentHook = nullptr;
} // namespace

const char *toString(OpKind kind) {
  switch (kind) {
  case OpKind::Add:
    return "add";
  case OpKind::Sub:
    return "sub";
  case OpKind::Mul:
    return "mul";
  case OpKind::Div:
    return "div";
  case OpKind::Neg:
    return "neg";
  case OpKind::Exp:
    return "exp";
  case OpKind::Log:
    return "log";
  case OpKind::Tanh:
    return "tanh";
  case OpKind::Sigmoid:
    return "sigmoid";
  case OpKind::Relu:
    return "relu";
  case OpKind::MatMul:
    return "matmul";
  case OpKind::Transpose:
    return "transpose";
  case OpKind::Permute:
    return "permute";
  case OpKind::Expand:
    return "expand";
  case OpKind::Reshape:
    return "reshape";
  case OpKind::Sum:
    return "sum";
  case OpKind::Mean:
    return "mean";
  case OpKind::Max:
    return "max";
  case OpKind::Alias:
    return "alias";
  case OpKind::Constant:
    return "constant";
  case OpKind::Pow:
    return "pow";
  case OpKind::Sqrt:
    return "sqrt";
  case OpKind::Softmax:
    return "softmax";
  case OpKind::LogSoftmax:
    return "log_softmax";
  case OpKind::CrossEntropy:
    return "cross_entropy";
  case OpKind::MSELoss:
    return "mse_loss";
  case OpKind::Cast:
    return "to";
  case OpKind::Abs:
    return "abs";
  case OpKind::Sign:
    return "sign";
  case OpKind::Eq:
    return "eq";
  case OpKind::Ne:
    return "ne";
  case OpKind::Lt:
    return "lt";
  case OpKind::Le:
    return "le";
  case OpKind::Gt:
    return "gt";
  case OpKind::Ge:
    return "ge";
  case OpKind::Where:
    return "where";
  case OpKind::Clamp:
    return "clamp";
  case OpKind::PowTensor:
    return "pow";
  case OpKind::Slice:
    return "slice";
  case OpKind::Select:
    return "select";
  case OpKind::IndexSelect:
    return "index_select";
  case OpKind::Gather:
    return "gather";
  case OpKind::ScatterAdd:
    return "scatter_add";
  case OpKind::MaskedSelect:
    return "masked_select";
  case OpKind::Cat:
    return "cat";
  case OpKind::Prod:
    return "prod";
  case OpKind::Min:
    return "min";
  case OpKind::Any:
    return "any";
  case OpKind::All:
    return "all";
  case OpKind::ArgMax:
    return "argmax";
  case OpKind::ArgMin:
    return "argmin";
  case OpKind::Conv2d:
    return "conv2d";
  case OpKind::MaxPool2d:
    return "max_pool2d";
  case OpKind::AvgPool2d:
    return "avg_pool2d";
  case OpKind::AdaptiveAvgPool2d:
    return "adaptive_avg_pool2d";
  case OpKind::Erf:
    return "erf";
  case OpKind::RandomUniform:
    return "random_uniform";
  case OpKind::Var:
    return "var";
  }
  return "?";
}

TraceHook::~TraceHook() = default;

void TraceHook::willWrite(const Tensor &) {}

TraceHook *activeTraceHook() { return currentHook; }

TraceHookGuard::TraceHookGuard(TraceHook *hook) : previous_(currentHook) {
  currentHook = hook;
}

TraceHookGuard::~TraceHookGuard() { currentHook = previous_; }

} // namespace nnc
