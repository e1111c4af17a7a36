//===- frontend/nn/Module.cpp - Parameters, buffers, children, modes ------===//
#include "frontend/nn/Module.h"

#include "frontend/Autograd.h"
#include "frontend/TraceHook.h"

namespace nnc::nn {

Module::Module(std::string name) : name_(std::move(name)) {}
Module::~Module() = default;

void Module::checkName(const char *op, const std::string &name) const {
  if (name.empty())
    throw Error(std::string(op) + ": name must not be empty");
  if (name.find('.') != std::string::npos)
    throw Error(std::string(op) + ": name '" + name +
                "' must not contain a dot ('.')");
  if (parameters_.contains(name) || buffers_.contains(name) ||
      children_.contains(name))
    throw Error(std::string(op) + ": '" + name + "' is already defined in " +
                name_);
}

template <class Visit>
void Module::visitNamed(const std::string &prefix, bool recurse, bool buffers,
                        Visit &&visit) const {
  for (const auto &item : buffers ? buffers_ : parameters_)
    if (item.value().defined())
      visit(prefix + item.key(), item.value());
  if (!recurse)
    return;
  for (const auto &child : children_)
    child.value()->visitNamed(prefix + child.key() + ".", true, buffers, visit);
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  return named_parameters(recurse).values();
}

OrderedDict<std::string, Tensor> Module::named_parameters(bool recurse) const {
  OrderedDict<std::string, Tensor> result;
  visitNamed("", recurse, /*buffers=*/false,
             [&](const std::string &name, const Tensor &t) {
               result.insert(name, t);
             });
  return result;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  return named_buffers(recurse).values();
}

OrderedDict<std::string, Tensor> Module::named_buffers(bool recurse) const {
  OrderedDict<std::string, Tensor> result;
  visitNamed("", recurse, /*buffers=*/true,
             [&](const std::string &name, const Tensor &t) {
               result.insert(name, t);
             });
  return result;
}

void Module::collectState(const std::string &prefix,
                          OrderedDict<std::string, Tensor> &state) const {
  for (const auto *entries : {&parameters_, &buffers_})
    for (const auto &item : *entries)
      if (item.value().defined())
        state.insert(prefix + item.key(), item.value().detach());
  for (const auto &child : children_)
    child.value()->collectState(prefix + child.key() + ".", state);
}

OrderedDict<std::string, Tensor> Module::state_dict() const {
  OrderedDict<std::string, Tensor> state;
  collectState("", state);
  return state;
}

namespace {

/// `"a", "b"`: how PyTorch lists keys in load_state_dict errors.
std::string quotedList(const std::vector<std::string> &keys) {
  std::string text;
  for (const std::string &key : keys)
    text += (text.empty() ? "\"" : ", \"") + key + "\"";
  return text;
}

} // namespace

IncompatibleKeys
Module::loadState(const std::vector<std::pair<std::string, Tensor>> &entries,
                  bool strict) {
  OrderedDict<std::string, Tensor> own = state_dict();
  std::map<std::string, Tensor> given;
  for (const auto &[key, value] : entries) {
    if (!value.defined())
      throw Error("load_state_dict: '" + key + "' is an undefined tensor");
    given.emplace(key, value);
  }

  // PyTorch's checks and messages (torch/nn/modules/module.py).
  IncompatibleKeys result;
  std::vector<std::string> errors;
  std::vector<std::pair<Tensor, Tensor>> copies;
  for (const auto &item : own) {
    auto it = given.find(item.key());
    if (it == given.end()) {
      result.missing_keys.push_back(item.key());
      continue;
    }
    const Tensor &source = it->second, &target = item.value();
    if (source.sizes() != target.sizes())
      errors.push_back("size mismatch for " + item.key() +
                       ": copying a param with shape " +
                       shapeToString(source.sizes()) +
                       " from checkpoint, the shape in current model is " +
                       shapeToString(target.sizes()) + ".");
    else
      copies.emplace_back(target, source);
  }
  for (const auto &[key, value] : entries)
    if (!own.contains(key))
      result.unexpected_keys.push_back(key);
  if (strict && !result.unexpected_keys.empty())
    errors.insert(errors.begin(), "Unexpected key(s) in state_dict: " +
                                      quotedList(result.unexpected_keys) + ".");
  if (strict && !result.missing_keys.empty())
    errors.insert(errors.begin(), "Missing key(s) in state_dict: " +
                                      quotedList(result.missing_keys) + ".");
  if (!errors.empty()) {
    std::string message = "Error(s) in loading state_dict for " + name_ + ":";
    for (const std::string &error : errors)
      message += "\n\t" + error;
    throw Error(message);
  }

  // copy_ converts dtypes, as PyTorch's load_state_dict does. Loading is
  // not part of any traced program or autograd graph.
  NoGradGuard noGrad;
  TraceHookGuard noTrace(nullptr);
  for (const auto &[target, source] : copies)
    target.copy_(source);
  return result;
}

IncompatibleKeys
Module::load_state_dict(const OrderedDict<std::string, Tensor> &state_dict,
                        bool strict) {
  return loadState(state_dict.pairs(), strict);
}

IncompatibleKeys
Module::load_state_dict(const std::map<std::string, Tensor> &state_dict,
                        bool strict) {
  return loadState({state_dict.begin(), state_dict.end()}, strict);
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  return children_.values();
}

OrderedDict<std::string, std::shared_ptr<Module>>
Module::named_children() const {
  return children_;
}

void Module::train(bool on) {
  isTraining_ = on;
  for (auto &child : children_)
    child.value()->train(on);
}

void Module::eval() { train(false); }

void Module::zero_grad(bool set_to_none) {
  autograd::zeroGrads(parameters(), set_to_none);
}

Tensor &Module::register_parameter(std::string name, Tensor tensor,
                                   bool requires_grad) {
  checkName("register_parameter", name);
  if (tensor.defined())
    tensor.requires_grad_(requires_grad);
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor &Module::register_buffer(std::string name, Tensor tensor) {
  checkName("register_buffer", name);
  return buffers_.insert(std::move(name), std::move(tensor));
}

} // namespace nnc::nn
