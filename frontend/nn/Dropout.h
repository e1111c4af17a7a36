//===- frontend/nn/Dropout.h - nn::Dropout ----------------------*- C++ -*-===//
//
// Dropout draws its masks from the counter-based generator
// (frontend/Random.h), so a compiled function or training step draws
// exactly the masks eager code would, and new ones on every call.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_DROPOUT_H
#define NNC_FRONTEND_NN_DROPOUT_H

#include "frontend/nn/Module.h"

namespace nnc::nn {

namespace functional {

/// As torch.nn.functional.dropout: while `training`, each element is zeroed
/// with probability `p` and the others are scaled by 1 / (1 - p); the
/// identity otherwise.
Tensor dropout(const Tensor &input, double p = 0.5, bool training = true);

} // namespace functional

/// As torch::nn::DropoutOptions: `DropoutOptions(0.2)`.
class DropoutOptions {
public:
  DropoutOptions(double p = 0.5) : p_(p) {}
  DropoutOptions &p(double value) {
    p_ = value;
    return *this;
  }
  double p() const { return p_; }

private:
  double p_;
};

/// Dropout in train mode, the identity in eval mode.
class DropoutImpl : public Module {
public:
  explicit DropoutImpl(const DropoutOptions &options = {});
  Tensor forward(const Tensor &input);
  DropoutOptions options;
};
NNC_MODULE(Dropout);

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_DROPOUT_H
