//===- runtime/Memory.h - Aligned host memory for tensors -------*- C++ -*-===//
//
// Tensor storage is 64-byte aligned: one AVX-512 vector or one cache line,
// so kernels (Halide's and generated ones) may use aligned loads on the
// first element of a fresh buffer.
//
// Large blocks are cached after release and handed out again for a request
// of the same size: a training or inference loop allocates the same shapes
// every step, and fresh pages from the OS cost a page fault each (for a
// 64 MB tensor that is more than the op itself).
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_MEMORY_H
#define NNC_RUNTIME_MEMORY_H

#include <cstddef>

namespace nnc::runtime {

/// Alignment in bytes of every buffer from allocateAligned.
constexpr std::size_t kBufferAlignment = 64;
/// Blocks at least this large are cached on release.
constexpr std::size_t kCachedBlockMinBytes = std::size_t(1) << 20;
/// The most bytes the cache keeps; beyond it released blocks go to the OS.
constexpr std::size_t kCacheCapacityBytes = std::size_t(1) << 30;

/// Allocates `bytes` (0 allowed) aligned to kBufferAlignment; throws
/// std::bad_alloc when out of memory. Release with freeAligned.
void *allocateAligned(std::size_t bytes);
/// Releases memory from allocateAligned; nullptr is ignored.
void freeAligned(void *ptr);
/// Returns every cached block to the OS.
void releaseCachedMemory();
/// Bytes currently held in the cache.
std::size_t cachedBytes();

} // namespace nnc::runtime

extern "C" {
/// The C ABI through which generated code allocates and frees its heap
/// buffers (the generic allocation functions of MLIR's
/// finalize-memref-to-llvm): allocateAligned and freeAligned. Through the
/// cache of large blocks, a compiled step reuses its arena from call to
/// call instead of faulting in fresh pages each time (glibc's malloc maps
/// blocks of 32 MB and more anew on every call). Alignments above
/// kBufferAlignment, which nnc's code never asks for, abort with a
/// message; out of memory returns null, as malloc does.
void *_mlir_memref_to_llvm_alloc(std::size_t bytes);
void *_mlir_memref_to_llvm_aligned_alloc(std::size_t alignment,
                                         std::size_t bytes);
void _mlir_memref_to_llvm_free(void *ptr);
}

#endif // NNC_RUNTIME_MEMORY_H
