//===- frontend/nn/Module.h - nn::Module and module holders -----*- C++ -*-===//
//
// libtorch's module system: a Module owns named parameters, buffers and
// child modules (registered in order, so parameter names and order are
// stable: "0.weight", "fc1.bias"); `XImpl : Module` holds a layer's code and
// NNC_MODULE(X) declares `X`, a shared-pointer holder with `->` access whose
// call operator forwards to `XImpl::forward`.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_MODULE_H
#define NNC_FRONTEND_NN_MODULE_H

#include "frontend/Error.h"
#include "frontend/Tensor.h"

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace nnc {

//===----------------------------------------------------------------------===//
// OrderedDict
//===----------------------------------------------------------------------===//

/// As torch::OrderedDict: items in insertion order, looked up by key, each
/// with key() and value(). Small (modules have few entries), so lookups
/// scan.
template <class Key, class Value> class OrderedDict {
public:
  class Item {
  public:
    Item(Key key, Value value)
        : key_(std::move(key)), value_(std::move(value)) {}
    const Key &key() const { return key_; }
    Value &value() { return value_; }
    const Value &value() const { return value_; }

  private:
    Key key_;
    Value value_;
  };

  /// Adds an item; throws if `key` is present.
  Value &insert(Key key, Value value) {
    if (find(key))
      throw Error("OrderedDict: key '" + key + "' already defined");
    items_.emplace_back(std::move(key), std::move(value));
    return items_.back().value();
  }
  /// The value of `key`, or nullptr.
  Value *find(const Key &key) {
    for (Item &item : items_)
      if (item.key() == key)
        return &item.value();
    return nullptr;
  }
  const Value *find(const Key &key) const {
    return const_cast<OrderedDict *>(this)->find(key);
  }
  bool contains(const Key &key) const { return find(key) != nullptr; }
  /// The value of `key`; throws if absent.
  const Value &operator[](const Key &key) const {
    if (const Value *value = find(key))
      return *value;
    throw Error("OrderedDict: key '" + key + "' not found");
  }
  std::vector<Key> keys() const {
    std::vector<Key> result;
    for (const Item &item : items_)
      result.push_back(item.key());
    return result;
  }
  std::vector<Value> values() const {
    std::vector<Value> result;
    for (const Item &item : items_)
      result.push_back(item.value());
    return result;
  }
  /// Copies of the (key, value) pairs, in order.
  std::vector<std::pair<Key, Value>> pairs() const {
    std::vector<std::pair<Key, Value>> result;
    for (const Item &item : items_)
      result.emplace_back(item.key(), item.value());
    return result;
  }
  size_t size() const { return items_.size(); }
  bool is_empty() const { return items_.empty(); }
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

private:
  std::vector<Item> items_;
};

namespace nn {

template <class Contained> class ModuleHolder;

/// What load_state_dict reports, as PyTorch's _IncompatibleKeys: module
/// entries the state_dict lacked, and state_dict entries the module lacks.
struct IncompatibleKeys {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};

/// Whether T is a ModuleHolder (a NNC_MODULE type).
template <class T, class = void> constexpr bool isModuleHolder = false;
template <class T>
constexpr bool isModuleHolder<T, std::void_t<typename T::ContainedType>> =
    std::is_base_of_v<ModuleHolder<typename T::ContainedType>, T>;

//===----------------------------------------------------------------------===//
// Module
//===----------------------------------------------------------------------===//

class Module : public std::enable_shared_from_this<Module> {
public:
  /// `name` is what printing shows ("Linear"); libtorch uses the class name.
  explicit Module(std::string name = "Module");
  virtual ~Module();

  const std::string &name() const { return name_; }

  /// Parameters (defined ones), this module's first, then each child's in
  /// registration order.
  std::vector<Tensor> parameters(bool recurse = true) const;
  /// The same with dotted names ("0.weight").
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const;
  /// Parameters and buffers (defined ones) by dotted name, in PyTorch's
  /// state_dict order: a module's parameters, then its buffers, then each
  /// child's entries. The tensors are detached and share storage with the
  /// module's.
  OrderedDict<std::string, Tensor> state_dict() const;
  /// Copies the tensors of `state_dict` into the parameters and buffers of
  /// the same names, in place (anything holding the module's tensors, a
  /// compiled module included, sees the new values). As PyTorch: with
  /// `strict`, missing or unexpected keys are an error; without, they are
  /// returned; a shape mismatch is always an error. The error lists every
  /// problem, and nothing is copied unless all entries fit.
  IncompatibleKeys
  load_state_dict(const OrderedDict<std::string, Tensor> &state_dict,
                  bool strict = true);
  IncompatibleKeys
  load_state_dict(const std::map<std::string, Tensor> &state_dict,
                  bool strict = true);

  /// Direct submodules in registration order.
  std::vector<std::shared_ptr<Module>> children() const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_children() const;

  /// Sets training mode here and in every descendant.
  virtual void train(bool on = true);
  /// train(false).
  void eval();
  virtual bool is_training() const noexcept { return isTraining_; }

  /// Resets every parameter's gradient: to undefined (set_to_none) or to
  /// zeros.
  virtual void zero_grad(bool set_to_none = true);

  /// Registers `tensor` as parameter `name` and makes it a leaf that
  /// requires grad (or not). An undefined tensor registers an absent
  /// parameter (Linear without bias). Returns the stored tensor.
  Tensor &register_parameter(std::string name, Tensor tensor,
                             bool requires_grad = true);
  /// Registers state that is not trained (running statistics).
  Tensor &register_buffer(std::string name, Tensor tensor);
  /// Registers a child; its parameters are named "<name>.<param>".
  template <class ModuleType>
  std::shared_ptr<ModuleType>
  register_module(std::string name, std::shared_ptr<ModuleType> module) {
    if (!module)
      throw Error("register_module: submodule '" + name + "' is null");
    checkName("register_module", name);
    children_.insert(std::move(name), module);
    return module;
  }
  template <class ModuleType>
  std::shared_ptr<ModuleType> register_module(std::string name,
                                              ModuleHolder<ModuleType> holder) {
    return register_module(std::move(name), holder.ptr());
  }

  /// This module as a ModuleType (an Impl, or the holder's Impl), or
  /// nullptr.
  template <class ModuleType> auto *as() noexcept {
    if constexpr (isModuleHolder<ModuleType>)
      return dynamic_cast<typename ModuleType::ContainedType *>(this);
    else
      return dynamic_cast<ModuleType *>(this);
  }

private:
  void checkName(const char *op, const std::string &name) const;
  void collectState(const std::string &prefix,
                    OrderedDict<std::string, Tensor> &state) const;
  IncompatibleKeys
  loadState(const std::vector<std::pair<std::string, Tensor>> &entries,
            bool strict);
  template <class Visit>
  void visitNamed(const std::string &prefix, bool recurse, bool buffers,
                  Visit &&visit) const;

  std::string name_;
  OrderedDict<std::string, Tensor> parameters_;
  OrderedDict<std::string, Tensor> buffers_;
  OrderedDict<std::string, std::shared_ptr<Module>> children_;
  bool isTraining_ = true;
};

//===----------------------------------------------------------------------===//
// ModuleHolder and NNC_MODULE
//===----------------------------------------------------------------------===//

/// A shared pointer to a module with libtorch's holder interface.
template <class Contained> class ModuleHolder {
public:
  using ContainedType = Contained;

  /// Default-constructs the module (only for modules that have a default
  /// constructor; use `nullptr` for an empty holder otherwise).
  template <class C = Contained,
            std::enable_if_t<std::is_default_constructible_v<C>, int> = 0>
  ModuleHolder() : impl_(std::make_shared<C>()) {}
  /// An empty holder, to assign later (`nn::Linear fc{nullptr};`).
  ModuleHolder(std::nullptr_t) {}
  /// Constructs the module from `args` (`nn::Linear(9, 16)`).
  template <
      class Head, class... Tail,
      std::enable_if_t<
          !std::is_base_of_v<ModuleHolder, std::decay_t<Head>> &&
              !std::is_same_v<std::decay_t<Head>, std::nullptr_t> &&
              !std::is_same_v<std::decay_t<Head>, std::shared_ptr<Contained>>,
          int> = 0>
  explicit ModuleHolder(Head &&head, Tail &&...tail)
      : impl_(std::make_shared<Contained>(std::forward<Head>(head),
                                          std::forward<Tail>(tail)...)) {}
  ModuleHolder(std::shared_ptr<Contained> module) : impl_(std::move(module)) {}

  Contained *operator->() { return get(); }
  const Contained *operator->() const { return get(); }
  Contained &operator*() { return *get(); }
  const Contained &operator*() const { return *get(); }
  const std::shared_ptr<Contained> &ptr() const { return impl_; }
  Contained *get() const {
    if (!impl_)
      throw Error("Accessing empty ModuleHolder");
    return impl_.get();
  }
  bool is_empty() const noexcept { return impl_ == nullptr; }

  /// Calls the module's forward. The return type is spelled out (not
  /// decltype(auto)) so that "is this callable with X" is answerable without
  /// a hard error, e.g. by std::function's converting constructor.
  template <class... Args>
  auto operator()(Args &&...args)
      -> decltype(std::declval<Contained &>().forward(
          std::forward<Args>(args)...)) {
    return get()->forward(std::forward<Args>(args)...);
  }
  /// Forwards indexing (Sequential's `seq[0]`).
  template <class Arg> decltype(auto) operator[](Arg &&arg) {
    return (*get())[std::forward<Arg>(arg)];
  }

private:
  std::shared_ptr<Contained> impl_;
};

} // namespace nn
} // namespace nnc

/// Declares `Name` as the holder of `NameImpl`, as TORCH_MODULE does.
#define NNC_MODULE(Name)                                                       \
  class Name : public ::nnc::nn::ModuleHolder<Name##Impl> {                    \
  public:                                                                      \
    using ::nnc::nn::ModuleHolder<Name##Impl>::ModuleHolder;                   \
  }

#endif // NNC_FRONTEND_NN_MODULE_H
