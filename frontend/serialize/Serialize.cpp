//===- frontend/serialize/Serialize.cpp - nnc::save and nnc::load ---------===//
#include "frontend/serialize/Serialize.h"

#include "frontend/serialize/Safetensors.h"

namespace nnc {

namespace {

/// The metadata key of an optimizer's param_groups JSON.
constexpr const char *kParamGroupsKey = "param_groups";
/// The metadata key of an LR scheduler's state_dict JSON.
constexpr const char *kLRSchedulerKey = "lr_scheduler";
/// The metadata key of a GradScaler's state_dict JSON.
constexpr const char *kGradScalerKey = "grad_scaler";

} // namespace

void save(const nn::Module &module, const std::string &path) {
  safetensors::save_file(module.state_dict(), path, {{"format", "pt"}});
}

nn::IncompatibleKeys load(nn::Module &module, const std::string &path,
                          bool strict) {
  return module.load_state_dict(safetensors::load_file(path), strict);
}

void save(const optim::Optimizer &optimizer, const std::string &path) {
  optim::OptimizerStateDict state = optimizer.state_dict();
  safetensors::save_file(state.state, path,
                         {{kParamGroupsKey, state.param_groups}});
}

void load(optim::Optimizer &optimizer, const std::string &path) {
  safetensors::Contents contents = safetensors::load_file_with_metadata(path);
  auto paramGroups = contents.metadata.find(kParamGroupsKey);
  if (paramGroups == contents.metadata.end())
    throw Error(path + ": no '" + kParamGroupsKey +
                "' in the metadata; not an optimizer's state_dict");
  optim::OptimizerStateDict state;
  for (auto &[name, tensor] : contents.tensors)
    state.state.insert(name, tensor);
  state.param_groups = paramGroups->second;
  optimizer.load_state_dict(state);
}

void save(const optim::LRScheduler &scheduler, const std::string &path) {
  safetensors::save_file(std::map<std::string, Tensor>(), path,
                         {{kLRSchedulerKey, scheduler.state_dict().state}});
}

void load(optim::LRScheduler &scheduler, const std::string &path) {
  safetensors::Metadata metadata =
      safetensors::load_file_with_metadata(path).metadata;
  auto state = metadata.find(kLRSchedulerKey);
  if (state == metadata.end())
    throw Error(path + ": no '" + kLRSchedulerKey +
                "' in the metadata; not an LR scheduler's state_dict");
  scheduler.load_state_dict({state->second});
}

void save(const amp::GradScaler &scaler, const std::string &path) {
  safetensors::save_file(std::map<std::string, Tensor>(), path,
                         {{kGradScalerKey, scaler.state_dict().state}});
}

void load(amp::GradScaler &scaler, const std::string &path) {
  safetensors::Metadata metadata =
      safetensors::load_file_with_metadata(path).metadata;
  auto state = metadata.find(kGradScalerKey);
  if (state == metadata.end())
    throw Error(path + ": no '" + kGradScalerKey +
                "' in the metadata; not a GradScaler's state_dict");
  scaler.load_state_dict({state->second});
}

} // namespace nnc
