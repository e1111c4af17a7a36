//===- frontend/serialize/Serialize.h - nnc::save and nnc::load -*- C++ -*-===//
//
// As torch::save / torch::load, but to safetensors files that PyTorch and
// the Hugging Face tools read: a module's state_dict, or an optimizer's
// state_dict flattened as optim::OptimizerStateDict describes (the
// param_groups JSON under the "param_groups" metadata key), or an LR
// scheduler's state_dict (a file of no tensors, the JSON under the
// "lr_scheduler" metadata key), or a GradScaler's (likewise, under
// "grad_scaler").
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_SERIALIZE_SERIALIZE_H
#define NNC_FRONTEND_SERIALIZE_SERIALIZE_H

#include "frontend/nn/Module.h"
#include "frontend/optim/GradScaler.h"
#include "frontend/optim/Optimizer.h"
#include "frontend/optim/Scheduler.h"

#include <string>

namespace nnc {

/// Writes module.state_dict() to `path`, with metadata {"format": "pt"} as
/// the Hugging Face tools write PyTorch weights.
void save(const nn::Module &module, const std::string &path);
/// Reads `path` into the module with load_state_dict(strict).
nn::IncompatibleKeys load(nn::Module &module, const std::string &path,
                          bool strict = true);

template <class Contained>
void save(const nn::ModuleHolder<Contained> &module, const std::string &path) {
  save(*module.get(), path);
}
template <class Contained>
nn::IncompatibleKeys load(const nn::ModuleHolder<Contained> &module,
                          const std::string &path, bool strict = true) {
  return load(*module.get(), path, strict);
}

/// Writes optimizer.state_dict() to `path`.
void save(const optim::Optimizer &optimizer, const std::string &path);
/// Reads `path` into the optimizer with load_state_dict.
void load(optim::Optimizer &optimizer, const std::string &path);

/// Writes scheduler.state_dict() to `path`.
void save(const optim::LRScheduler &scheduler, const std::string &path);
/// Reads `path` into the scheduler with load_state_dict.
void load(optim::LRScheduler &scheduler, const std::string &path);

/// Writes scaler.state_dict() to `path` (a file of no tensors, the JSON
/// under the "grad_scaler" metadata key).
void save(const amp::GradScaler &scaler, const std::string &path);
/// Reads `path` into the scaler with load_state_dict.
void load(amp::GradScaler &scaler, const std::string &path);

} // namespace nnc

#endif // NNC_FRONTEND_SERIALIZE_SERIALIZE_H
