//===- frontend/nn/Sequential.h - nn::Sequential ----------------*- C++ -*-===//
//
// A chain of modules, each taking and returning one tensor, registered as
// children "0", "1", ... (or given names), so parameters are named
// "0.weight" as in PyTorch.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_NN_SEQUENTIAL_H
#define NNC_FRONTEND_NN_SEQUENTIAL_H

#include "frontend/nn/Module.h"

#include <functional>

namespace nnc::nn {

class SequentialImpl : public Module {
public:
  SequentialImpl() : Module("Sequential") {}
  /// `Sequential(nn::Linear(9, 16), nn::ReLU(), nn::Linear(16, 1))`.
  template <class... Modules>
  explicit SequentialImpl(Modules &&...modules) : Module("Sequential") {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  /// Appends a module (a holder, a shared_ptr to one, or a module value)
  /// named by its position.
  template <class ModuleType> void push_back(ModuleType &&module) {
    push_back(std::to_string(size()), std::forward<ModuleType>(module));
  }
  template <class ModuleType>
  void push_back(std::string name, ModuleType &&module) {
    append(std::move(name), sharedModule(std::forward<ModuleType>(module)));
  }

  /// Runs the modules in order.
  Tensor forward(const Tensor &input);

  size_t size() const { return modules_.size(); }
  bool is_empty() const { return modules_.empty(); }
  /// The module at `index`.
  std::shared_ptr<Module> ptr(size_t index) const;
  template <class ModuleType> std::shared_ptr<ModuleType> ptr(size_t index) {
    return std::dynamic_pointer_cast<ModuleType>(ptr(index));
  }
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  /// The module at `index` as a ModuleType; throws if it is not one.
  template <class ModuleType> ModuleType &at(size_t index) {
    auto *module = ptr(index)->as<ModuleType>();
    if (!module)
      throw Error("Sequential::at: module " + std::to_string(index) +
                  " is not of the requested type");
    return *module;
  }

private:
  struct Entry {
    std::shared_ptr<Module> module;
    std::function<Tensor(const Tensor &)> forward;
  };

  template <class M>
  static std::shared_ptr<M> sharedModule(std::shared_ptr<M> m) {
    return m;
  }
  template <class Holder,
            std::enable_if_t<isModuleHolder<std::decay_t<Holder>>, int> = 0>
  static auto sharedModule(Holder &&holder) {
    return holder.ptr();
  }
  template <class M, std::enable_if_t<
                         std::is_base_of_v<Module, std::decay_t<M>>, int> = 0>
  static auto sharedModule(M &&module) {
    return std::make_shared<std::decay_t<M>>(std::forward<M>(module));
  }

  template <class M> void append(std::string name, std::shared_ptr<M> module) {
    register_module(name, module);
    modules_.push_back({module, [raw = module.get()](const Tensor &x) {
                          return raw->forward(x);
                        }});
  }

  std::vector<Entry> modules_;
};
NNC_MODULE(Sequential);

} // namespace nnc::nn

#endif // NNC_FRONTEND_NN_SEQUENTIAL_H
