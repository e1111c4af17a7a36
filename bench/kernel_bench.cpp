//===- bench/kernel_bench.cpp - compiled kernels vs STREAM bandwidth ------===//
//
// nnc-kernel-bench [--json FILE] [--svg FILE] [--threads N] [--quick]
//                  [--rows N] [--case SUBSTR]
//
// --rows N sets the matrices' rows (default 4096 x 1024 f32: 16 MiB each);
// a few rows keep everything in cache and show what the kernels' code
// costs when memory is not the limit. --case SUBSTR runs only the cases
// whose name contains SUBSTR (one kernel under perf).
//
// Memory-bound fused kernels, compiled by nnc (nn-fuse, one kernel per
// region, thread pool), against STREAM-style loops measured in the same
// process on the same threads and the same buffers (DESIGN.md section 10).
//
// Each kernel is compared with the STREAM loop of its read/write mix, timed
// in alternation with it (measureInterleaved: load from other processes
// falls on both alike):
//   - copy   (a = b: 1 read, 1 write) for bias_tanh, softmax, layer_norm;
//   - triad  (a = b + 3 c: 2 reads, 1 write) for scaled_add;
//   - update (4 reads, 3 writes in place: m = .9 m + g, v = .99 v + g g,
//     p -= m v) for adam, which updates a parameter and its two moments in
//     place from a gradient, as compile_step's donated arguments do.
// A different mix would not be fair: a written array costs more than a read
// one (its lines are read first, then written back), so copy's bandwidth
// per byte is lower than a read-mostly kernel's could be.
//
// Bandwidth is the minimum traffic over the median time: every input read
// once and every output (or donated input) written once, from the entry's
// signature, small vectors and scalars included. "vs stream" is the
// kernel's bandwidth over its STREAM loop's: 1.0 means the kernel runs at
// memory speed. --svg FILE draws each kernel on a roofline whose roof is
// the fastest STREAM loop's bandwidth (GFLOP/s from the arithmetic each
// case counts per element).
//
// The STREAM loops hand the pool's threads 64 KiB chunks (the compiled
// kernels' tasks are blocks of rows of about that size): tasks of one 4 KiB
// page measured at about half the bandwidth, as the hardware prefetchers
// restart at every task.
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

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

using nnc::bench::Record;

namespace {

constexpr int64_t kCols = 1024;

/// A dense f32 tensor and its view for runtime::Executable.
struct Buffer {
  std::vector<int64_t> shape;
  std::vector<float> data;

  explicit Buffer(std::vector<int64_t> dims) : shape(std::move(dims)) {
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    data.resize(count);
    for (int64_t i = 0; i < count; ++i)
      data[i] = 0.25f * static_cast<float>(i % 17) - 2.0f;
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

//===----------------------------------------------------------------------===//
// STREAM loops
//===----------------------------------------------------------------------===//

/// Elements per task of the STREAM loops: 64 KiB of each array.
constexpr int64_t kStreamChunk = 16384;

/// Runs `body(begin, end)` over [0, elements) in kStreamChunk tasks.
void streamLoop(int64_t elements,
                const std::function<void(int64_t, int64_t)> &body) {
  int64_t chunks = (elements + kStreamChunk - 1) / kStreamChunk;
  nnc::runtime::parallelFor(0, chunks, [&](int64_t k) {
    body(k * kStreamChunk, std::min((k + 1) * kStreamChunk, elements));
  });
}

/// The STREAM loop of one read/write mix over `arrays` (each `elements`
/// long; how many it uses depends on the mix).
enum class StreamMix { Copy, Triad, Update };

const char *streamName(StreamMix mix) {
  switch (mix) {
  case StreamMix::Copy:
    return "copy";
  case StreamMix::Triad:
    return "triad";
  case StreamMix::Update:
    return "update";
  }
  return "?";
}

/// Arrays read plus arrays written once by `mix`.
int streamArraysMoved(StreamMix mix) {
  switch (mix) {
  case StreamMix::Copy:
    return 2;
  case StreamMix::Triad:
    return 3;
  case StreamMix::Update:
    return 7;
  }
  return 0;
}

std::function<void()> streamKernel(StreamMix mix, std::vector<Buffer> &arrays) {
  int64_t n = static_cast<int64_t>(arrays[0].data.size());
  float *a = arrays[0].data.data(), *b = arrays[1].data.data(),
        *c = arrays[2].data.data(), *d = arrays[3].data.data();
  switch (mix) {
  case StreamMix::Copy:
    return [=] {
      streamLoop(n, [=](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
          a[i] = b[i];
      });
    };
  case StreamMix::Triad:
    return [=] {
      streamLoop(n, [=](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
          a[i] = b[i] + 3.0f * c[i];
      });
    };
  case StreamMix::Update:
    // a: parameter, b: gradient, c and d: moments; values stay bounded.
    return [=] {
      streamLoop(n, [=](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          float m = 0.9f * c[i] + b[i], v = 0.99f * d[i] + b[i] * b[i];
          c[i] = m;
          d[i] = v;
          a[i] -= 1e-6f * m * v;
        }
      });
    };
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Fused kernels
//===----------------------------------------------------------------------===//

/// One fused kernel: its nn source (`@f`, with RxC for the matrix shape),
/// the STREAM loop of the same read/write mix, and its arithmetic per
/// matrix element for the roofline: each of the source's elementwise ops
/// and reductions over the matrix counts 1 (tanh and exp included, though
/// their polynomials take more instructions; softmax as its max, subtract,
/// exp, sum and scale).
struct KernelCase {
  std::string name;
  std::string source;
  StreamMix mix;
  double flopsPerElement;
};

/// `text` with RxC (the matrix) and Rx1 (a column) given `rows` rows.
std::string substituteShape(std::string text, int64_t rows) {
  for (auto [pattern, shape] :
       {std::pair{"RxC", llvm::formatv("{0}x{1}", rows, kCols).str()},
        std::pair{"Rx1", llvm::formatv("{0}x1", rows).str()}})
    for (size_t at; (at = text.find(pattern)) != std::string::npos;)
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
       StreamMix::Copy, 2},
      {"scaled_add", R"(
func.func @f(%x: tensor<RxCxf32>, %y: tensor<RxCxf32>) -> tensor<RxCxf32> {
  %s = nn.constant dense<3.0> : tensor<f32>
  %0 = nn.mul %y, %s : tensor<RxCxf32>, tensor<f32>
  %1 = nn.add %x, %0 : tensor<RxCxf32>, tensor<RxCxf32>
  return %1 : tensor<RxCxf32>
})",
       StreamMix::Triad, 2},
      {"softmax", R"(
func.func @f(%x: tensor<RxCxf32>) -> tensor<RxCxf32> {
  %0 = nn.softmax %x dim = 1 : tensor<RxCxf32>
  return %0 : tensor<RxCxf32>
})",
       StreamMix::Copy, 5},
      // nn::LayerNorm(1024) as the front end traces it
      // (frontend/nn/Normalization.cpp): mean, centered, mean of squares,
      // divided by sqrt(var + eps), times weight plus bias.
      {"layer_norm", R"(
func.func @f(%x: tensor<RxCxf32>, %w: tensor<1024xf32>, %b: tensor<1024xf32>)
    -> tensor<RxCxf32> {
  %mean = nn.mean %x dims = [1] keepdim : tensor<RxCxf32>
  %centered = nn.sub %x, %mean : tensor<RxCxf32>, tensor<Rx1xf32>
  %squares = nn.mul %centered, %centered : tensor<RxCxf32>, tensor<RxCxf32>
  %var = nn.mean %squares dims = [1] keepdim : tensor<RxCxf32>
  %eps = nn.constant dense<1.0e-05> : tensor<f32>
  %shifted = nn.add %var, %eps : tensor<Rx1xf32>, tensor<f32>
  %std = nn.sqrt %shifted : tensor<Rx1xf32>
  %normalized = nn.div %centered, %std : tensor<RxCxf32>, tensor<Rx1xf32>
  %scaled = nn.mul %normalized, %w : tensor<RxCxf32>, tensor<1024xf32>
  %y = nn.add %scaled, %b : tensor<RxCxf32>, tensor<1024xf32>
  return %y : tensor<RxCxf32>
})",
       StreamMix::Copy, 7},
      // optim::Adam's update of one parameter as compile_step traces it
      // (frontend/optim/Optimizer.cpp adamUpdate, lr 1e-3, betas (0.9,
      // 0.999), eps 1e-8): the step count and bias corrections are 0-d
      // (in f64, as PyTorch), the moments and the parameter are donated
      // and updated in place.
      {"adam", R"(
func.func @f(%p: tensor<RxCxf32>, %g: tensor<RxCxf32>, %m: tensor<RxCxf32>,
             %v: tensor<RxCxf32>, %step: tensor<f32>, %lr: tensor<f32>)
    -> (tensor<f32> {nn.donated_argument = 4 : i64},
        tensor<RxCxf32> {nn.donated_argument = 2 : i64},
        tensor<RxCxf32> {nn.donated_argument = 3 : i64},
        tensor<RxCxf32> {nn.donated_argument = 0 : i64}) {
  %one = nn.constant dense<1.0> : tensor<f32>
  %step1 = nn.add %step, %one : tensor<f32>, tensor<f32>
  %beta1 = nn.constant dense<0.9> : tensor<f32>
  %rest1 = nn.constant dense<0.1> : tensor<f32>
  %m0 = nn.mul %m, %beta1 : tensor<RxCxf32>, tensor<f32>
  %gm = nn.mul %g, %rest1 : tensor<RxCxf32>, tensor<f32>
  %m1 = nn.add %m0, %gm : tensor<RxCxf32>, tensor<RxCxf32>
  %beta2 = nn.constant dense<0.999> : tensor<f32>
  %rest2 = nn.constant dense<0.001> : tensor<f32>
  %v0 = nn.mul %v, %beta2 : tensor<RxCxf32>, tensor<f32>
  %gv = nn.mul %g, %rest2 : tensor<RxCxf32>, tensor<f32>
  %gg = nn.mul %gv, %g : tensor<RxCxf32>, tensor<RxCxf32>
  %v1 = nn.add %v0, %gg : tensor<RxCxf32>, tensor<RxCxf32>
  %s64 = nn.convert %step1 : tensor<f32> -> tensor<f64>
  %logBeta1 = nn.constant dense<-0.10536051565782628> : tensor<f64>
  %logBeta2 = nn.constant dense<-0.0010005003335835335> : tensor<f64>
  %one64 = nn.constant dense<1.0> : tensor<f64>
  %e1 = nn.mul %s64, %logBeta1 : tensor<f64>, tensor<f64>
  %pow1 = nn.exp %e1 : tensor<f64>
  %correction1 = nn.sub %one64, %pow1 : tensor<f64>, tensor<f64>
  %e2 = nn.mul %s64, %logBeta2 : tensor<f64>, tensor<f64>
  %pow2 = nn.exp %e2 : tensor<f64>
  %correction2 = nn.sub %one64, %pow2 : tensor<f64>, tensor<f64>
  %lr64 = nn.convert %lr : tensor<f32> -> tensor<f64>
  %size64 = nn.div %lr64, %correction1 : tensor<f64>, tensor<f64>
  %stepSize = nn.convert %size64 : tensor<f64> -> tensor<f32>
  %root64 = nn.sqrt %correction2 : tensor<f64>
  %root = nn.convert %root64 : tensor<f64> -> tensor<f32>
  %sq = nn.sqrt %v1 : tensor<RxCxf32>
  %d0 = nn.div %sq, %root : tensor<RxCxf32>, tensor<f32>
  %eps = nn.constant dense<1.0e-08> : tensor<f32>
  %denom = nn.add %d0, %eps : tensor<RxCxf32>, tensor<f32>
  %ratio = nn.div %m1, %denom : tensor<RxCxf32>, tensor<RxCxf32>
  %update = nn.mul %ratio, %stepSize : tensor<RxCxf32>, tensor<f32>
  %p1 = nn.sub %p, %update : tensor<RxCxf32>, tensor<RxCxf32>
  return %step1, %m1, %v1, %p1
      : tensor<f32>, tensor<RxCxf32>, tensor<RxCxf32>, tensor<RxCxf32>
})",
       StreamMix::Update, 13},
  };
}

/// Buffers for every argument and output of `f`'s signature.
struct Arguments {
  std::vector<Buffer> inputs, outputs;
  std::vector<nnc::runtime::BufferView> inputViews, outputViews;
  /// The least traffic of one call: every input read once, every output
  /// and donated input written once.
  double bytes = 0;
};

Arguments argumentsFor(const nnc::runtime::Signature &signature) {
  Arguments args;
  for (const nnc::runtime::ArgSpec &spec : signature.inputs) {
    args.inputs.emplace_back(spec.shape);
    args.bytes += (spec.donated ? 2 : 1) * args.inputs.back().bytes();
  }
  for (const nnc::runtime::ArgSpec &spec : signature.outputs) {
    args.outputs.emplace_back(spec.shape);
    args.bytes += args.outputs.back().bytes();
  }
  // A small positive learning rate for the optimizer's 0-d inputs (the
  // pattern's values, up to +-2, would take the same time).
  for (Buffer &b : args.inputs) {
    if (b.shape.empty())
      b.data[0] = 1e-3f;
    args.inputViews.push_back(b.view());
  }
  for (Buffer &b : args.outputs)
    args.outputViews.push_back(b.view());
  return args;
}

Record withBandwidth(Record record, double bytes) {
  record.gbps = bytes / (record.medianMs * 1e-3) / 1e9;
  return record;
}

} // namespace

int main(int argc, char **argv) {
  std::string jsonPath, svgPath;
  int threads = nnc::runtime::defaultNumThreads();
  bool quick = false;
  int64_t rows = 4096;
  std::string caseFilter;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--json" && i + 1 < argc)
      jsonPath = argv[++i];
    else if (arg == "--svg" && i + 1 < argc)
      svgPath = argv[++i];
    else if (arg == "--threads" && i + 1 < argc)
      threads = std::stoi(argv[++i]);
    else if (arg == "--quick")
      quick = true;
    else if (arg == "--rows" && i + 1 < argc)
      rows = std::stoll(argv[++i]);
    else if (arg == "--case" && i + 1 < argc)
      caseFilter = argv[++i];
    else {
      std::cerr << "nnc-kernel-bench: unknown argument '" << arg
                << "' (use --json FILE, --svg FILE, --threads N, --quick, "
                   "--rows N, --case SUBSTR)\n";
      return 2;
    }
  }
  if (rows < 1) {
    std::cerr << "nnc-kernel-bench: --rows must be at least 1, got " << rows
              << "\n";
    return 2;
  }
  try {
    nnc::runtime::setNumThreads(threads);
    int repeats = quick ? 5 : 20;
    double minMs = quick ? 100 : 500;
    int rounds = quick ? 2 : 5;

    std::vector<Buffer> streamArrays;
    for (int i = 0; i < 4; ++i)
      streamArrays.emplace_back(std::vector<int64_t>{rows, kCols});
    const double arrayBytes = streamArrays[0].bytes();

    mlir::MLIRContext context;
    context.loadDialect<mlir::nn::NNDialect, mlir::func::FuncDialect>();
    std::vector<Record> records;
    std::vector<nnc::bench::RooflinePoint> points;
    double fastestStream = 0;
    std::printf("nnc-kernel-bench: %lldx%lld f32, %d threads\n",
                static_cast<long long>(rows), static_cast<long long>(kCols),
                threads);
    std::printf("%-12s %-8s %11s %8s %11s %8s %10s\n", "case", "stream",
                "stream ms", "GB/s", "fused ms", "GB/s", "vs stream");
    for (const KernelCase &kernel : kernelCases()) {
      if (kernel.name.find(caseFilter) == std::string::npos)
        continue;
      nnc::runtime::Executable f =
          compile(context, substituteShape(kernel.source, rows));
      Arguments args = argumentsFor(f.signature());
      std::vector<nnc::bench::Impl> impls = {
          {"stream", streamKernel(kernel.mix, streamArrays)},
          {"fused", [&] { f.run(args.inputViews, args.outputViews); }}};
      std::vector<Record> pair = nnc::bench::measureInterleaved(
          kernel.name, impls, repeats, 2 * minMs, rounds);
      Record stream =
          withBandwidth(pair[0], streamArraysMoved(kernel.mix) * arrayBytes);
      Record fused = withBandwidth(pair[1], args.bytes);
      std::printf("%-12s %-8s %11.3f %8.2f %11.3f %8.2f %9.2fx\n",
                  kernel.name.c_str(), streamName(kernel.mix), stream.medianMs,
                  *stream.gbps, fused.medianMs, *fused.gbps,
                  *fused.gbps / *stream.gbps);
      records.push_back(stream);
      records.push_back(fused);
      double flops = kernel.flopsPerElement * double(rows * kCols);
      points.push_back({kernel.name, "fused", flops / args.bytes,
                        flops / (fused.medianMs * 1e-3) / 1e9});
      fastestStream = std::max(fastestStream, *stream.gbps);
    }
    if (!jsonPath.empty())
      nnc::bench::writeFile(jsonPath, nnc::bench::toJson(records));
    if (!svgPath.empty() && !points.empty())
      nnc::bench::writeFile(
          svgPath,
          nnc::bench::rooflineChartSvg(
              points, {}, fastestStream, "fused",
              llvm::formatv("nnc memory-bound kernels, {0}x{1} f32, roofline "
                            "({2} threads)",
                            rows, kCols, threads)
                  .str(),
              "fastest STREAM loop"));
  } catch (const std::exception &error) {
    std::cerr << "nnc-kernel-bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
