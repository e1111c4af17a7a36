//===- bench/kernel_bench.cpp - compiled kernels vs STREAM bandwidth ------===//
//
// nnc-kernel-bench [--json FILE] [--threads N] [--quick]
//
// Memory-bound fused kernels, compiled by nnc (nn-fuse, one kernel per
// region, thread pool), against STREAM-style copy and triad loops measured
// in the same process on the same threads (DESIGN.md section 10). Each
// kernel's effective bandwidth (the bytes it must read and write at least
// once, over its median time) is reported as a fraction of STREAM copy: 1.0
// means the kernel runs at memory speed, and fusion has nothing left to
// save.
//
//===----------------------------------------------------------------------===//
#include "bench/BenchHarness.h"
#include "codegen/JIT.h"
#include "ir/NNDialect.h"
#include "runtime/ThreadPool.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

using nnc::bench::Record;

namespace {

constexpr int64_t kRows = 4096;
constexpr int64_t kCols = 1024; // 16 MiB per f32 matrix: far beyond cache

/// A dense f32 matrix and its view for runtime::Executable.
struct Matrix {
  std::vector<int64_t> shape;
  std::vector<float> data;

  explicit Matrix(std::vector<int64_t> dims) : shape(std::move(dims)) {
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    data.resize(count);
    for (int64_t i = 0; i < count; ++i)
      data[i] = std::fmod(0.37f * static_cast<float>(i), 4.0f) - 2.0f;
  }

  nnc::runtime::BufferView view() {
    nnc::runtime::BufferView view;
    view.data = data.data();
    view.shape = shape;
    view.strides.assign(shape.size(), 1);
    for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d)
      view.strides[d] = view.strides[d + 1] * shape[d + 1];
    return view;
  }
  double bytes() const { return 4.0 * static_cast<double>(data.size()); }
};

nnc::runtime::Executable compile(mlir::MLIRContext &context,
                                 const std::string &source) {
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module)
    throw std::runtime_error("benchmark module does not parse");
  auto executable = nnc::jitCompile(*module, "f");
  if (!executable)
    throw std::runtime_error(llvm::toString(executable.takeError()));
  return std::move(*executable);
}

/// One fused kernel: its nn source (`@f`, shapes substituted for R and C)
/// and how many full matrices it must at least read plus write.
struct KernelCase {
  std::string name;
  std::string source;
  int inputMatrices;
};

std::string substituteShape(std::string text) {
  std::string shape = llvm::formatv("{0}x{1}", kRows, kCols).str();
  for (size_t at; (at = text.find("RxC")) != std::string::npos;)
    text.replace(at, 3, shape);
  return text;
}

std::vector<KernelCase> kernelCases() {
  return {
      {"bias_tanh", R"(
func.func @f(%x: tensor<RxCxf32>, %b: tensor<1024xf32>) -> tensor<RxCxf32> {
  %0 = nn.add %x, %b : tensor<RxCxf32>, tensor<1024xf32>
  %1 = nn.tanh %0 : tensor<RxCxf32>
  return %1 : tensor<RxCxf32>
})",
       1},
      {"scaled_add", R"(
func.func @f(%x: tensor<RxCxf32>, %y: tensor<RxCxf32>) -> tensor<RxCxf32> {
  %s = nn.constant dense<3.0> : tensor<f32>
  %0 = nn.mul %y, %s : tensor<RxCxf32>, tensor<f32>
  %1 = nn.add %x, %0 : tensor<RxCxf32>, tensor<RxCxf32>
  return %1 : tensor<RxCxf32>
})",
       2},
      {"softmax", R"(
func.func @f(%x: tensor<RxCxf32>, %unused: tensor<1024xf32>) -> tensor<RxCxf32> {
  %0 = nn.softmax %x dim = 1 : tensor<RxCxf32>
  return %0 : tensor<RxCxf32>
})",
       1},
  };
}

Record withBandwidth(Record record, double bytes) {
  record.gbps = bytes / (record.medianMs * 1e-3) / 1e9;
  return record;
}

void printTable(const std::vector<Record> &records, double copyGbps) {
  std::printf("%-28s %10s %10s %12s\n", "case", "median ms", "GB/s", "vs copy");
  for (const Record &r : records)
    std::printf("%-28s %10.3f %10.2f %11.2fx\n",
                (r.caseName + " (" + r.impl + ")").c_str(), r.medianMs, *r.gbps,
                *r.gbps / copyGbps);
}

} // namespace

int main(int argc, char **argv) {
  std::string jsonPath;
  int threads = nnc::runtime::defaultNumThreads();
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--json" && i + 1 < argc)
      jsonPath = argv[++i];
    else if (arg == "--threads" && i + 1 < argc)
      threads = std::stoi(argv[++i]);
    else if (arg == "--quick")
      quick = true;
    else {
      std::cerr << "nnc-kernel-bench: unknown argument '" << arg
                << "' (use --json FILE, --threads N, --quick)\n";
      return 2;
    }
  }
  try {
    nnc::runtime::setNumThreads(threads);
    int repeats = quick ? 5 : 20;
    double minMs = quick ? 100 : 500;

    Matrix a({kRows, kCols}), b({kRows, kCols}), c({kRows, kCols});
    std::vector<Record> records =
        nnc::bench::measureStream(kRows * kCols, repeats, minMs);
    const Record copy = records.front();

    mlir::MLIRContext context;
    context.loadDialect<mlir::nn::NNDialect, mlir::func::FuncDialect>();
    Matrix bias({kCols});
    for (const KernelCase &kernel : kernelCases()) {
      nnc::runtime::Executable f =
          compile(context, substituteShape(kernel.source));
      std::vector<nnc::runtime::BufferView> in = {b.view()};
      in.push_back(kernel.inputMatrices == 2 ? c.view() : bias.view());
      std::vector<nnc::runtime::BufferView> out = {a.view()};
      Record record = nnc::bench::measure(
          kernel.name, "fused", [&] { f.run(in, out); }, repeats, minMs);
      records.push_back(
          withBandwidth(record, (kernel.inputMatrices + 1) * a.bytes()));
    }

    std::printf("nnc-kernel-bench: %lldx%lld f32, %d threads\n",
                static_cast<long long>(kRows), static_cast<long long>(kCols),
                threads);
    printTable(records, *copy.gbps);
    if (!jsonPath.empty())
      nnc::bench::writeFile(jsonPath, nnc::bench::toJson(records));
  } catch (const std::exception &error) {
    std::cerr << "nnc-kernel-bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
