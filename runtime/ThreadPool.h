//===- runtime/ThreadPool.h - The one CPU thread pool -----------*- C++ -*-===//
//
// Every parallel loop in a process that uses nnc runs here: the eager
// front end routes Halide's parallel loops into this pool, and compiled
// kernels call it through the C ABI below. One pool means that
// `setNumThreads(n)` governs everything and nothing oversubscribes the cores.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_THREADPOOL_H
#define NNC_RUNTIME_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace nnc::runtime {

/// A fixed set of worker threads that run the iterations of parallel loops.
/// The calling thread takes part in its own loop, so a pool of N threads has
/// N - 1 workers. A loop started from inside a loop body, or while another
/// thread's loop occupies the pool, runs serially on the calling thread
/// instead of waiting (no deadlock, no oversubscription).
class ThreadPool {
public:
  /// Starts `numThreads - 1` workers; throws std::invalid_argument if
  /// `numThreads < 1`.
  explicit ThreadPool(int numThreads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// Threads that execute a loop, counting the caller.
  int numThreads() const { return static_cast<int>(workers_.size()) + 1; }

  /// Calls `body(i)` for every i in [begin, end), spread over the pool, and
  /// returns when all calls have returned. If a call throws, the remaining
  /// iterations are skipped and the first exception is rethrown here.
  void parallelFor(int64_t begin, int64_t end,
                   const std::function<void(int64_t)> &body);

private:
  struct Loop;
  void workerMain();
  static void runIterations(Loop &loop);

  std::vector<std::thread> workers_;
  std::mutex submitMutex_; // held by the thread whose loop owns the pool
  std::mutex stateMutex_;  // guards everything below
  std::condition_variable workAvailable_;
  std::condition_variable workerFinished_;
  Loop *loop_ = nullptr;
  // Written under stateMutex_, and also read without it by threads that
  // spin before they sleep.
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> busyWorkers_{0};
  bool stopping_ = false;
};

/// The process-wide pool, created on first use with `defaultNumThreads()`.
ThreadPool &globalThreadPool();

/// Replaces the global pool by one of `n` threads. Throws
/// std::invalid_argument if n < 1. Must not race with running loops.
void setNumThreads(int n);
/// Threads of the global pool.
int numThreads();
/// The hardware's core count (at least 1): the global pool's initial size.
int defaultNumThreads();

/// `globalThreadPool().parallelFor(begin, end, body)`.
void parallelFor(int64_t begin, int64_t end,
                 const std::function<void(int64_t)> &body);

} // namespace nnc::runtime

extern "C" {
/// The C ABI through which generated code runs a parallel loop on the
/// global pool: calls `body(context, i)` for i in [begin, end). `body` must
/// not throw.
void nnc_runtime_parallel_for(int64_t begin, int64_t end,
                              void (*body)(void *context, int64_t index),
                              void *context);
/// Threads of the global pool.
int nnc_runtime_num_threads(void);
}

#endif // NNC_RUNTIME_THREADPOOL_H
