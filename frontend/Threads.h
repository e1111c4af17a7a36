//===- frontend/Threads.h - How many threads nnc uses -----------*- C++ -*-===//
//
// As torch::set_num_threads: one pool (the runtime's) runs the parallel
// loops of eager Halide kernels and of compiled code alike.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_THREADS_H
#define NNC_FRONTEND_THREADS_H

namespace nnc {

/// Resizes the thread pool; throws nnc::Error if n < 1. Do not call it while
/// another thread runs tensor ops.
void set_num_threads(int n);
/// Threads in the pool (initially the machine's core count).
int get_num_threads();

} // namespace nnc

#endif // NNC_FRONTEND_THREADS_H
