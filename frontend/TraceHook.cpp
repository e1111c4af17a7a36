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

TraceHook::~TraceHook() = default;

void TraceHook::willWrite(const Tensor &) {}

TraceHook *activeTraceHook() { return currentHook; }

TraceHookGuard::TraceHookGuard(TraceHook *hook) : previous_(currentHook) {
  currentHook = hook;
}

TraceHookGuard::~TraceHookGuard() { currentHook = previous_; }

} // namespace nnc
