//===- frontend/Threads.cpp - How many threads nnc uses -------------------===//
#include "frontend/Threads.h"

#include "frontend/Error.h"
#include "runtime/ThreadPool.h"

#include <string>

namespace nnc {

void set_num_threads(int n) {
  if (n < 1)
    throw Error("set_num_threads: the number of threads must be at least 1, "
                "got " +
                std::to_string(n));
  runtime::setNumThreads(n);
}

int get_num_threads() { return runtime::numThreads(); }

} // namespace nnc
