//===- frontend/data/DataInternal.h - Helpers of nnc::data ------*- C++ -*-===//
//
// Private to frontend/data: dtype-independent byte access (so that copies
// are one memcpy per sample, whatever the element type), allocation, and
// the seeded permutation behind shuffling and random_split.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_DATA_DATAINTERNAL_H
#define NNC_FRONTEND_DATA_DATAINTERNAL_H

#include "frontend/Tensor.h"

#include <cstdint>
#include <random>
#include <vector>

namespace nnc::data::detail {

/// The first element's bytes (storage offset applied), for any dtype.
char *bytesOf(const Tensor &t);

/// A uniformly random permutation of 0..n-1 (Fisher-Yates). Only
/// mt19937_64's output, which the standard fixes, is used, so a seed gives
/// the same permutation with every standard library.
// TODO(tensor-ops): use nnc::randperm once it exists.
std::vector<int64_t> randomPermutation(int64_t n, std::mt19937_64 &engine);

} // namespace nnc::data::detail

#endif // NNC_FRONTEND_DATA_DATAINTERNAL_H
