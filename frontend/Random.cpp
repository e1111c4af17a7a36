//===- frontend/Random.cpp - The counter-based generator ------------------===//
#include "frontend/Random.h"

#include "frontend/Autograd.h"
#include "frontend/TensorInternal.h"

#include <mutex>

namespace nnc::detail {

float counterUniformSample(uint64_t seed, uint64_t counter) {
  // splitmix64's finalizer over a Weyl sequence (nn.random_uniform's
  // lowering in passes/LowerToLinalg.cpp computes the same).
  uint64_t z = seed + counter * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
}

Tensor counterUniform(int64_t seed, int64_t offset, const IntList &shape,
                      ScalarType dtype) {
  Tensor samples = allocate(shape, kFloat32);
  float *out = samples.data_ptr<float>();
  for (int64_t i = 0; i < samples.numel(); ++i)
    out[i] = counterUniformSample(static_cast<uint64_t>(seed),
                                  static_cast<uint64_t>(offset + i));
  return dtype == kFloat32 ? samples : samples.to(dtype);
}

const Tensor &counterGeneratorState() {
  static const Tensor state = int64Tensor({67280421310721, 0}, {2});
  return state;
}

void seedCounterGenerator(uint64_t seed) {
  int64_t *state = counterGeneratorState().data_ptr<int64_t>();
  state[0] = static_cast<int64_t>(seed);
  state[1] = 0;
}

Tensor drawUniform(const IntList &shape, ScalarType dtype) {
  checkShape("random_uniform", shape);
  const Tensor &state = counterGeneratorState();
  OpAttrs attrs;
  attrs.shape = shape;
  attrs.dtype = dtype;
  Tensor samples = traced(OpKind::RandomUniform, {state}, attrs, [&] {
    const int64_t *s = state.data_ptr<int64_t>();
    return counterUniform(s[0], s[1], shape, dtype);
  });
  NoGradGuard noGrad;
  state.add_(int64Tensor({0, numelOf(shape)}, {2}));
  return samples;
}

} // namespace nnc::detail
