//===- runtime/ThreadPool.cpp - The one CPU thread pool -------------------===//
//
// One loop at a time owns the pool. Iterations are handed out one by one
// through an atomic counter, so uneven iterations (Halide's tiles at a tail)
// still balance. A loop's state lives on the submitting thread's stack; the
// pool clears its pointer to it, under the state mutex, before the submitter
// returns, so a worker that wakes late never touches a finished loop.
//
// Threads spin for a short while before they sleep on a condition variable:
// a worker for the next loop, the submitter for the workers to finish. A
// compiled training step launches a loop per kernel, tens of them a few
// microseconds apart, and waking a sleeping thread through the kernel costs
// about as much as a small kernel.
//
//===----------------------------------------------------------------------===//
#include "runtime/ThreadPool.h"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

namespace nnc::runtime {

namespace {
/// Pause instructions a thread spins before it sleeps: about 50-100 us.
constexpr int kSpinPauses = 4096;

/// Spins until `done()` or for kSpinPauses pauses; returns `done()`.
template <class Done> bool spinUntil(Done done) {
  for (int i = 0; i < kSpinPauses; ++i) {
    if (done())
      return true;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
  }
  return done();
}

/// True on a thread while it runs iterations of a loop: a loop started
/// there runs serially rather than waiting for the pool it occupies.
thread_local bool insideParallelLoop = false;

struct InsideLoopScope {
  bool previous = insideParallelLoop;
  InsideLoopScope() { insideParallelLoop = true; }
  ~InsideLoopScope() { insideParallelLoop = previous; }
};
} // namespace

struct ThreadPool::Loop {
  const std::function<void(int64_t)> *body;
  int64_t end;
  std::atomic<int64_t> next;
  std::atomic<bool> failed{false};
  std::mutex errorMutex;
  std::exception_ptr error;
};

ThreadPool::ThreadPool(int numThreads) {
  if (numThreads < 1)
    throw std::invalid_argument("ThreadPool: the number of threads must be "
                                "at least 1, got " +
                                std::to_string(numThreads));
  workers_.reserve(numThreads - 1);
  for (int i = 1; i < numThreads; ++i)
    workers_.emplace_back([this] { workerMain(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(stateMutex_);
    stopping_ = true;
  }
  workAvailable_.notify_all();
  for (std::thread &worker : workers_)
    worker.join();
}

void ThreadPool::runIterations(Loop &loop) {
  InsideLoopScope scope;
  while (!loop.failed.load(std::memory_order_relaxed)) {
    int64_t i = loop.next.fetch_add(1, std::memory_order_relaxed);
    if (i >= loop.end)
      return;
    try {
      (*loop.body)(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(loop.errorMutex);
      if (!loop.error)
        loop.error = std::current_exception();
      loop.failed = true;
    }
  }
}

void ThreadPool::workerMain() {
  uint64_t seenGeneration = 0;
  std::unique_lock<std::mutex> lock(stateMutex_);
  while (true) {
    lock.unlock();
    spinUntil([&] { return generation_.load() != seenGeneration; });
    lock.lock();
    workAvailable_.wait(
        lock, [&] { return stopping_ || generation_ != seenGeneration; });
    if (stopping_)
      return;
    seenGeneration = generation_;
    Loop *loop = loop_;
    if (!loop)
      continue; // woke after that loop already finished
    ++busyWorkers_;
    lock.unlock();
    runIterations(*loop);
    lock.lock();
    if (--busyWorkers_ == 0)
      workerFinished_.notify_all();
  }
}

void ThreadPool::parallelFor(int64_t begin, int64_t end,
                             const std::function<void(int64_t)> &body) {
  if (begin >= end)
    return;
  std::unique_lock<std::mutex> submit(submitMutex_, std::defer_lock);
  bool serial = workers_.empty() || end - begin == 1 || insideParallelLoop ||
                !submit.try_lock();
  Loop loop;
  loop.body = &body;
  loop.end = end;
  loop.next = begin;
  if (serial) {
    runIterations(loop);
  } else {
    {
      std::lock_guard<std::mutex> lock(stateMutex_);
      loop_ = &loop;
      ++generation_;
    }
    workAvailable_.notify_all();
    runIterations(loop);
    // Workers still in the loop usually finish within microseconds; the
    // count is checked again under the lock below.
    spinUntil([&] { return busyWorkers_.load() == 0; });
    std::unique_lock<std::mutex> lock(stateMutex_);
    loop_ = nullptr; // late wakers must not join this loop
    workerFinished_.wait(lock, [&] { return busyWorkers_ == 0; });
  }
  if (loop.error)
    std::rethrow_exception(loop.error);
}

//===----------------------------------------------------------------------===//
// The global pool
//===----------------------------------------------------------------------===//

namespace {
std::mutex globalPoolMutex;
std::unique_ptr<ThreadPool> &globalPoolSlot() {
  static std::unique_ptr<ThreadPool> pool;
  return pool;
}
} // namespace

int defaultNumThreads() {
  unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

ThreadPool &globalThreadPool() {
  std::lock_guard<std::mutex> lock(globalPoolMutex);
  std::unique_ptr<ThreadPool> &pool = globalPoolSlot();
  if (!pool)
    pool = std::make_unique<ThreadPool>(defaultNumThreads());
  return *pool;
}

void setNumThreads(int n) {
  if (n < 1)
    throw std::invalid_argument(
        "setNumThreads: the number of threads must be at least 1, got " +
        std::to_string(n));
  std::lock_guard<std::mutex> lock(globalPoolMutex);
  std::unique_ptr<ThreadPool> &pool = globalPoolSlot();
  if (pool && pool->numThreads() == n)
    return;
  pool.reset(); // joins the old workers before the new ones start
  pool = std::make_unique<ThreadPool>(n);
}

int numThreads() { return globalThreadPool().numThreads(); }

void parallelFor(int64_t begin, int64_t end,
                 const std::function<void(int64_t)> &body) {
  globalThreadPool().parallelFor(begin, end, body);
}

} // namespace nnc::runtime

extern "C" void nnc_runtime_parallel_for(int64_t begin, int64_t end,
                                         void (*body)(void *, int64_t),
                                         void *context) {
  nnc::runtime::parallelFor(begin, end, [&](int64_t i) { body(context, i); });
}

extern "C" int nnc_runtime_num_threads(void) {
  return nnc::runtime::numThreads();
}
