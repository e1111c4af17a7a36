//===- tools/nnc/RunCommand.cpp - `nnc run`: execute a saved graph --------===//
//
// nnc run model.mlir --weights w.safetensors --input x=x.safetensors
//         [--mode=eager|compiled] [--output out.safetensors] [--entry fn]
//
// Loads a graph saved by nnc::jit::save (or any nn module whose inputs are
// given), runs it op by op on the eager kernels or compiled, writes the
// outputs to a safetensors file ("output0", ...) and prints a summary of
// each.
//
//===----------------------------------------------------------------------===//
#include "tools/nnc/RunCommand.h"

#include "frontend/Error.h"
#include "frontend/jit/SavedGraph.h"
#include "frontend/serialize/Safetensors.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <iostream>
#include <map>
#include <sstream>

namespace {

llvm::cl::SubCommand runCommand("run",
                                "Run a saved graph (.mlir + .safetensors) on "
                                "inputs, eagerly or compiled");

llvm::cl::opt<std::string> modelFile(llvm::cl::Positional,
                                     llvm::cl::desc("<model .mlir file>"),
                                     llvm::cl::Required,
                                     llvm::cl::sub(runCommand));

llvm::cl::opt<std::string>
    weightsFile("weights",
                llvm::cl::desc("safetensors file with the graph's weights, "
                               "keyed by the arguments' nn.name"),
                llvm::cl::value_desc("file"), llvm::cl::init(""),
                llvm::cl::sub(runCommand));

llvm::cl::list<std::string>
    inputSpecs("input",
               llvm::cl::desc("An input: name=file.safetensors (the tensor "
                              "called `name` in the file, or its only one)"),
               llvm::cl::value_desc("name=file"), llvm::cl::sub(runCommand));

enum class RunMode { Eager, Compiled };
llvm::cl::opt<RunMode> runMode(
    "mode", llvm::cl::desc("How to run the graph"),
    llvm::cl::init(RunMode::Compiled),
    llvm::cl::values(
        clEnumValN(RunMode::Eager, "eager",
                   "op by op on the eager kernels (reference interpreter)"),
        clEnumValN(RunMode::Compiled, "compiled",
                   "fused and compiled for this CPU")),
    llvm::cl::sub(runCommand));

llvm::cl::opt<std::string>
    outputFile("output",
               llvm::cl::desc("Write the outputs to this safetensors file"),
               llvm::cl::value_desc("file"), llvm::cl::init(""),
               llvm::cl::sub(runCommand));

llvm::cl::opt<std::string>
    entryName("entry",
              llvm::cl::desc("The function to run (default: the only "
                             "public one)"),
              llvm::cl::value_desc("name"), llvm::cl::init(""),
              llvm::cl::sub(runCommand));

/// The tensor named by one --input spec `name=file`.
std::pair<std::string, nnc::Tensor> readInput(const std::string &spec) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    throw nnc::Error("--input '" + spec + "': expected name=file");
  std::string name = spec.substr(0, eq), path = spec.substr(eq + 1);
  std::map<std::string, nnc::Tensor> tensors =
      nnc::safetensors::load_file(path);
  if (auto it = tensors.find(name); it != tensors.end())
    return {name, it->second};
  if (tensors.size() == 1)
    return {name, tensors.begin()->second};
  throw nnc::Error("--input " + spec + ": " + path + " holds " +
                   std::to_string(tensors.size()) +
                   " tensors and none is named '" + name + "'");
}

/// "output0: Float [2, 10]  min -1.2  max 3.4  mean 0.5", then the values
/// when there are few of them.
void printSummary(const std::string &name, const nnc::Tensor &t) {
  std::cout << name << ": " << t.dtype() << " "
            << nnc::shapeToString(t.sizes());
  if (t.numel() > 0 && nnc::isFloatingType(t.dtype())) {
    nnc::Tensor f = t.to(nnc::kFloat64);
    std::cout << "  min " << f.min().item<double>() << "  max "
              << f.max().item<double>() << "  mean " << f.mean().item<double>();
  }
  std::cout << "\n";
  if (t.numel() <= 64)
    std::cout << t << "\n";
}

int runSavedGraph() {
  nnc::jit::SavedGraph graph =
      nnc::jit::SavedGraph::load(modelFile, weightsFile, entryName);
  std::map<std::string, nnc::Tensor> given;
  for (const std::string &spec : inputSpecs) {
    auto [name, t] = readInput(spec);
    if (!given.emplace(name, t).second)
      throw nnc::Error("--input " + name + " is given twice");
  }
  std::vector<nnc::Tensor> inputs;
  for (const std::string &name : graph.input_names()) {
    auto it = given.find(name);
    if (it == given.end())
      throw nnc::Error(modelFile + " needs the input '" + name + "' (--input " +
                       name + "=file.safetensors)");
    inputs.push_back(it->second);
    given.erase(it);
  }
  if (!given.empty())
    throw nnc::Error("--input " + given.begin()->first + ": " + modelFile +
                     " has no input of that name");

  auto start = std::chrono::steady_clock::now();
  std::vector<nnc::Tensor> outputs = graph.run(
      inputs, runMode == RunMode::Eager ? nnc::jit::ExecutionMode::Eager
                                        : nnc::jit::ExecutionMode::Compiled);
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  std::cout << "ran " << modelFile << " ("
            << (runMode == RunMode::Eager ? "eager" : "compiled") << ") in "
            << ms << " ms\n";
  std::map<std::string, nnc::Tensor> named;
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string name = "output" + std::to_string(i);
    printSummary(name, outputs[i]);
    named.emplace(name, outputs[i]);
  }
  if (!outputFile.empty())
    nnc::safetensors::save_file(named, outputFile);
  return 0;
}

} // namespace

namespace nnc::tools {

bool runCommandSelected() { return static_cast<bool>(runCommand); }

int runCommandMain() {
  try {
    return runSavedGraph();
  } catch (const std::exception &e) {
    llvm::WithColor::error(llvm::errs(), "nnc run") << e.what() << "\n";
    return 1;
  }
}

} // namespace nnc::tools
