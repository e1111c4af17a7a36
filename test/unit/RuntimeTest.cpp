//===- test/unit/RuntimeTest.cpp - Thread pool, memory, Executable --------===//
#include "runtime/Executable.h"
#include "runtime/Memory.h"
#include "runtime/ThreadPool.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

using namespace nnc::runtime;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

//===----------------------------------------------------------------------===//
// ThreadPool
//===----------------------------------------------------------------------===//

TEST(ThreadPool, VisitsEveryIndexOnce) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.numThreads(), 3);
  std::vector<std::atomic<int>> visits(1000);
  pool.parallelFor(0, 1000, [&](int64_t i) { visits[i]++; });
  for (size_t i = 0; i < visits.size(); ++i)
    ASSERT_EQ(visits[i].load(), 1) << "index " << i;
  // Offset and empty ranges.
  std::atomic<int64_t> sum{0};
  pool.parallelFor(10, 15, [&](int64_t i) { sum += i; });
  EXPECT_EQ(sum.load(), 10 + 11 + 12 + 13 + 14);
  pool.parallelFor(5, 5, [&](int64_t) { FAIL() << "empty range ran"; });
}

TEST(ThreadPool, RunsIterationsConcurrently) {
  ThreadPool pool(2);
  // Each of two iterations waits (bounded) for the other to start: only
  // two threads running at once let both see the count reach 2.
  std::atomic<int> started{0};
  std::atomic<int> sawBoth{0};
  pool.parallelFor(0, 2, [&](int64_t) {
    started++;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (started.load() < 2 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    if (started.load() == 2)
      sawBoth++;
  });
  EXPECT_EQ(sawBoth.load(), 2);
}

TEST(ThreadPool, NestedLoopsRunSeriallyWithoutDeadlock) {
  ThreadPool pool(2);
  std::atomic<int> total{0};
  pool.parallelFor(0, 4, [&](int64_t) {
    pool.parallelFor(0, 8, [&](int64_t) { total++; });
  });
  EXPECT_EQ(total.load(), 32);
}

TEST(ThreadPool, RethrowsTheFirstException) {
  ThreadPool pool(2);
  EXPECT_THAT(
      [&] {
        pool.parallelFor(0, 100, [](int64_t i) {
          if (i == 37)
            throw std::runtime_error("iteration 37 failed");
        });
      },
      ThrowsMessage<std::runtime_error>("iteration 37 failed"));
  // The pool still works afterwards.
  std::atomic<int> count{0};
  pool.parallelFor(0, 10, [&](int64_t) { count++; });
  EXPECT_EQ(count.load(), 10);
}

TEST(ThreadPool, RejectsZeroThreads) {
  EXPECT_THROW(ThreadPool(0), std::invalid_argument);
  EXPECT_THAT([] { setNumThreads(0); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("at least 1")));
}

TEST(ThreadPool, GlobalPoolResizes) {
  int original = numThreads();
  EXPECT_EQ(original, defaultNumThreads());
  setNumThreads(4);
  EXPECT_EQ(numThreads(), 4);
  EXPECT_EQ(nnc_runtime_num_threads(), 4);
  std::atomic<int> count{0};
  parallelFor(0, 100, [&](int64_t) { count++; });
  EXPECT_EQ(count.load(), 100);
  setNumThreads(original);
  EXPECT_EQ(numThreads(), original);
}

TEST(ThreadPool, CInterface) {
  std::vector<int64_t> squares(50, -1);
  nnc_runtime_parallel_for(
      0, 50,
      [](void *context, int64_t i) {
        (*static_cast<std::vector<int64_t> *>(context))[i] = i * i;
      },
      &squares);
  for (int64_t i = 0; i < 50; ++i)
    ASSERT_EQ(squares[i], i * i);
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

TEST(Memory, AllocationsAre64ByteAligned) {
  for (std::size_t bytes : {0u, 1u, 4u, 63u, 64u, 65u, 1000u, 1u << 20}) {
    void *p = allocateAligned(bytes);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kBufferAlignment, 0u)
        << bytes << " bytes";
    freeAligned(p);
  }
  freeAligned(nullptr);
}

TEST(Memory, LargeBlocksAreReusedAfterRelease) {
  releaseCachedMemory();
  EXPECT_EQ(cachedBytes(), 0u);
  std::size_t bytes = 3 * kCachedBlockMinBytes + 5;
  void *first = allocateAligned(bytes);
  static_cast<char *>(first)[bytes - 1] = 1; // the whole size is usable
  freeAligned(first);
  EXPECT_GE(cachedBytes(), bytes);
  void *second = allocateAligned(bytes);
  EXPECT_EQ(second, first);
  EXPECT_EQ(cachedBytes(), 0u);
  void *other = allocateAligned(2 * kCachedBlockMinBytes); // another size
  EXPECT_NE(other, first);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(other) % kBufferAlignment, 0u);
  freeAligned(second);
  freeAligned(other);
  releaseCachedMemory();
  EXPECT_EQ(cachedBytes(), 0u);
  // Small blocks are not cached.
  freeAligned(allocateAligned(100));
  EXPECT_EQ(cachedBytes(), 0u);
}

//===----------------------------------------------------------------------===//
// Executable
//===----------------------------------------------------------------------===//

/// A packed entry point for `out[i] = 2 * in[i]` on rank-1 memrefs: reads
/// the descriptors exactly as MLIR's C interface lays them out.
void doubleEntry(void **args) {
  auto *in = *static_cast<int64_t **>(args[0]);
  auto *out = *static_cast<int64_t **>(args[1]);
  // {allocated, aligned, offset, size, stride}
  const float *src = reinterpret_cast<const float *>(in[1]) + in[2];
  float *dst = reinterpret_cast<float *>(out[1]) + out[2];
  for (int64_t i = 0; i < in[3]; ++i)
    dst[i * out[4]] = 2 * src[i * in[4]];
}

Executable makeDoubler() {
  Signature sig;
  sig.inputs.push_back({{-1}, ElementType::F32});
  sig.outputs.push_back({{-1}, ElementType::F32});
  return Executable("double", doubleEntry, sig, nullptr);
}

TEST(Executable, PassesMemrefDescriptors) {
  Executable exe = makeDoubler();
  EXPECT_EQ(exe.name(), "double");
  float in[3] = {1, 2, 3}, out[3] = {0, 0, 0};
  exe.run({{in, {3}, {1}, ElementType::F32}},
          {{out, {3}, {1}, ElementType::F32}});
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[1], 4);
  EXPECT_EQ(out[2], 6);
}

TEST(Executable, ChecksArguments) {
  Executable exe = makeDoubler();
  float in[3] = {1, 2, 3}, out[3];
  BufferView good{in, {3}, {1}, ElementType::F32};
  BufferView goodOut{out, {3}, {1}, ElementType::F32};
  EXPECT_THAT([&] { exe.run({}, {goodOut}); },
              ThrowsMessage<std::invalid_argument>(
                  "double: expected 1 inputs and 1 outputs, got 0 and 1"));
  EXPECT_THAT(
      [&] {
        exe.run({{in, {3}, {1}, ElementType::F64}}, {goodOut});
      },
      ThrowsMessage<std::invalid_argument>(
          "double: input 0: expected element type f32, got f64"));
  EXPECT_THAT(
      [&] {
        exe.run({{in, {3, 1}, {1, 1}, ElementType::F32}}, {goodOut});
      },
      ThrowsMessage<std::invalid_argument>(
          "double: input 0: expected shape [?], got [3, 1]"));
  EXPECT_THAT(
      [&] {
        exe.run({good}, {{nullptr, {3}, {1}, ElementType::F32}});
      },
      ThrowsMessage<std::invalid_argument>(
          "double: output 0: buffer has no data"));

  EXPECT_THAT(
      [&] {
        exe.run({good}, {{out, {2}, {1}, ElementType::F32}});
      },
      ThrowsMessage<std::invalid_argument>(
          "double: dynamic dimensions disagree: input 0 dim 0 is 3 "
          "but output 0 dim 0 is 2"));

  Signature fixed;
  fixed.inputs.push_back({{2, 3}, ElementType::F32});
  Executable exact("fixed", doubleEntry, fixed, nullptr);
  EXPECT_THAT(
      [&] {
        exact.run({{in, {3, 2}, {2, 1}, ElementType::F32}}, {});
      },
      ThrowsMessage<std::invalid_argument>(
          "fixed: input 0: expected shape [2, 3], got [3, 2]"));
}

TEST(Executable, ElementTypes) {
  EXPECT_EQ(elementSize(ElementType::F32), 4u);
  EXPECT_EQ(elementSize(ElementType::BF16), 2u);
  EXPECT_EQ(elementSize(ElementType::I64), 8u);
  EXPECT_STREQ(elementTypeName(ElementType::I1), "i1");
}

TEST(Executable, KeepAliveLivesAsLongAsTheLastCopy) {
  auto token = std::make_shared<int>(7);
  std::weak_ptr<int> watch = token;
  {
    Executable exe("k", doubleEntry, Signature(), token);
    token.reset();
    Executable copy = exe;
    EXPECT_FALSE(watch.expired());
  }
  EXPECT_TRUE(watch.expired());
}

} // namespace
