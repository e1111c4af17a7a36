//===- frontend/Random.h - The counter-based generator ----------*- C++ -*-===//
//
// Random numbers that compiled code can draw exactly as eager code does:
// sample i of a draw is a pure function (splitmix64) of the generator state
// [seed, offset] and offset + i, the same function nn.random_uniform lowers
// to. The state is a tensor, advanced in place after each draw, so a traced
// graph reads it as a captured tensor and updates it (donated), and every
// call of a compiled function draws new numbers. manual_seed resets it.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_RANDOM_H
#define NNC_FRONTEND_RANDOM_H

#include "frontend/Tensor.h"

#include <cstdint>

namespace nnc::detail {

/// Sample `counter` of the stream `seed`, uniform in [0, 1) (24 bits).
float counterUniformSample(uint64_t seed, uint64_t counter);

/// A tensor of `shape` whose element i is counterUniformSample(seed,
/// offset + i): what nn.random_uniform computes. Records nothing.
Tensor counterUniform(int64_t seed, int64_t offset, const IntList &shape,
                      ScalarType dtype);

/// The generator state [seed, offset] (int64 [2]), one per process.
const Tensor &counterGeneratorState();

/// Sets the state to [seed, 0] (manual_seed does).
void seedCounterGenerator(uint64_t seed);

/// Uniform samples of `shape` from the state, then the state's offset
/// advanced by their number; both are traced (nn.random_uniform and an
/// in-place add).
Tensor drawUniform(const IntList &shape, ScalarType dtype = kFloat32);

} // namespace nnc::detail

#endif // NNC_FRONTEND_RANDOM_H
