//===- runtime/Memory.cpp - Aligned host memory for tensors ---------------===//
//
// Every block carries a 64-byte header in front of it that records its
// rounded size, so freeAligned knows which cache bucket a block belongs
// to without a lookup table.
//
//===----------------------------------------------------------------------===//
#include "runtime/Memory.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace nnc::runtime {

namespace {

constexpr std::size_t kHeaderBytes = kBufferAlignment;

struct BlockCache {
  std::mutex mutex;
  std::unordered_map<std::size_t, std::vector<void *>> freeBlocks; // by size
  std::size_t bytes = 0;
};

BlockCache &blockCache() {
  // Never destroyed: tensors may be released by other static destructors.
  static BlockCache *cache = new BlockCache();
  return *cache;
}

std::size_t &headerOf(void *block) {
  return *static_cast<std::size_t *>(block);
}

void *userPointer(void *block) {
  return static_cast<char *>(block) + kHeaderBytes;
}

void *blockOf(void *ptr) { return static_cast<char *>(ptr) - kHeaderBytes; }

} // namespace

void *allocateAligned(std::size_t bytes) {
  // std::aligned_alloc wants a size that is a multiple of the alignment.
  std::size_t rounded =
      (bytes + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
  if (rounded < bytes || rounded + kHeaderBytes < rounded)
    throw std::bad_alloc(); // the rounding overflowed
  if (rounded >= kCachedBlockMinBytes) {
    BlockCache &cache = blockCache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    auto it = cache.freeBlocks.find(rounded);
    if (it != cache.freeBlocks.end() && !it->second.empty()) {
      void *block = it->second.back();
      it->second.pop_back();
      cache.bytes -= rounded;
      return userPointer(block);
    }
  }
  void *block = std::aligned_alloc(kBufferAlignment, rounded + kHeaderBytes);
  if (!block)
    throw std::bad_alloc();
  headerOf(block) = rounded;
  return userPointer(block);
}

void freeAligned(void *ptr) {
  if (!ptr)
    return;
  void *block = blockOf(ptr);
  std::size_t rounded = headerOf(block);
  if (rounded >= kCachedBlockMinBytes) {
    BlockCache &cache = blockCache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.bytes + rounded <= kCacheCapacityBytes) {
      cache.freeBlocks[rounded].push_back(block);
      cache.bytes += rounded;
      return;
    }
  }
  std::free(block);
}

void releaseCachedMemory() {
  BlockCache &cache = blockCache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  for (auto &bucket : cache.freeBlocks)
    for (void *block : bucket.second)
      std::free(block);
  cache.freeBlocks.clear();
  cache.bytes = 0;
}

std::size_t cachedBytes() {
  BlockCache &cache = blockCache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  return cache.bytes;
}

} // namespace nnc::runtime

extern "C" void *_mlir_memref_to_llvm_alloc(std::size_t bytes) {
  try {
    return nnc::runtime::allocateAligned(bytes);
  } catch (const std::bad_alloc &) {
    return nullptr;
  }
}

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(std::size_t alignment,
                                                    std::size_t bytes) {
  if (alignment > nnc::runtime::kBufferAlignment) {
    std::fprintf(stderr,
                 "nnc runtime: generated code asked for %zu-byte alignment; "
                 "buffers are %zu-byte aligned\n",
                 alignment, nnc::runtime::kBufferAlignment);
    std::abort();
  }
  return _mlir_memref_to_llvm_alloc(bytes);
}

extern "C" void _mlir_memref_to_llvm_free(void *ptr) {
  nnc::runtime::freeAligned(ptr);
}
