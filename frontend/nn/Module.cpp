//===- frontend/nn/Module.cpp - Parameters, buffers, children, modes ------===//
#include "frontend/nn/Module.h"

#include "frontend/Autograd.h"

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
