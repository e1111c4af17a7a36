//===- bench/gemm_bench.cpp - Generated GEMM and conv vs BLAS peers -------===//
//
// `nnc-gemm-bench [--json FILE] [--svg FILE] [--threads N] [--quick]
// [--case SUBSTRING]`
//
// nnc's generated f32 and bf16 GEMM (nn.matmul) and convolutions
// (nn.conv2d and its two backward ops), compiled by the CPU pipeline and
// JIT as every compiled graph is, against OpenBLAS's cblas_sgemm and
// oneDNN's matmul and convolution primitives (Debian's libopenblas-dev and
// libdnnl-dev, where the bench was built with them), and against an FMA
// peak and a STREAM triad measured in this process on the same threads
// (DESIGN.md section 10). Every implementation's result is checked against
// a reference (OpenBLAS for GEMM, oneDNN for convolutions, a plain loop
// where the peer is missing) before it is timed: a wrong result gets no
// number. The implementations of a case are
// timed in alternation (measureInterleaved), with the FMA peak loop as one
// more implementation, so load from other processes falls on all of them,
// and on the case's "% of peak", alike. Prints a table (GFLOP/s, % of the peak,
// speed-ups over OpenBLAS and oneDNN), writes DESIGN.md section 10 records
// and a roofline chart.
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

#ifdef NNC_BENCH_WITH_OPENBLAS
#include <cblas.h>
#endif
#ifdef NNC_BENCH_WITH_ONEDNN
#include <dnnl.hpp>
#endif

#include <immintrin.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

using nnc::bench::Impl;
using nnc::bench::Record;
using nnc::runtime::BufferView;
using nnc::runtime::ElementType;

namespace {

/// Timed work per case: ms of timed calls per implementation and the most
/// calls asked of each (fewer where one call is slow).
struct Budget {
  double minMs;
  int minRepeats;
};

/// What the run could not measure (a peer missing, a kernel that does not
/// compile, a wrong result), printed under the table.
std::vector<std::string> notes;

//===----------------------------------------------------------------------===//
// Peak: independent FMA chains on every thread
//===----------------------------------------------------------------------===//

/// Independent accumulator chains: more than FMA latency x FMA ports (4 x 2
/// on current x86 cores), so the loop is bound by FMA throughput alone.
constexpr int kChains = 16;
/// Loop trips per call: about 5 ms on a 3 GHz core, short enough to time in
/// alternation with a case's implementations.
constexpr int64_t kPeakIterations = int64_t(1) << 20;

/// Sinks the accumulators so the compiler keeps the loop.
volatile float peakSink;

__attribute__((target("avx512f"))) void fmaLoopAvx512(int64_t iterations) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm512_set1_ps(1e-3f * float(i));
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kChains; ++i)
      acc[i] = _mm512_fmadd_ps(acc[i], x, y);
  }
  for (int i = 1; i < kChains; ++i)
    acc[0] = _mm512_add_ps(acc[0], acc[i]);
  float lanes[16];
  _mm512_storeu_ps(lanes, acc[0]);
  peakSink = lanes[0] + lanes[15];
}

__attribute__((target("avx2,fma"))) void fmaLoopAvx2(int64_t iterations) {
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm256_set1_ps(1e-3f * float(i));
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kChains; ++i)
      acc[i] = _mm256_fmadd_ps(acc[i], x, y);
  }
  float lanes[8];
  for (int i = 1; i < kChains; ++i)
    acc[0] = _mm256_add_ps(acc[0], acc[i]);
  _mm256_storeu_ps(lanes, acc[0]);
  peakSink = lanes[0] + lanes[7];
}

/// vdpbf16ps: per f32 lane, two bf16 products added to the accumulator
/// (4 FLOP per lane, as oneDNN counts them).
__attribute__((target("avx512f,avx512bf16"))) void
dotLoopAvx512Bf16(int64_t iterations) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm512_set1_ps(1e-3f * float(i));
  const __m512 half = _mm512_set1_ps(0.5f), tiny = _mm512_set1_ps(1e-7f);
  const __m512bh x = _mm512_cvtne2ps_pbh(half, half);
  const __m512bh y = _mm512_cvtne2ps_pbh(tiny, tiny);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kChains; ++i)
      acc[i] = _mm512_dpbf16_ps(acc[i], x, y);
  }
  for (int i = 1; i < kChains; ++i)
    acc[0] = _mm512_add_ps(acc[0], acc[i]);
  float lanes[16];
  _mm512_storeu_ps(lanes, acc[0]);
  peakSink = lanes[0] + lanes[15];
}

/// A peak loop: its name in the records, the loop, and FLOP per trip.
struct PeakLoop {
  std::string name;
  void (*loop)(int64_t);
  double flopsPerIteration;
  /// What the loop measures, for the roofline's legend.
  std::string roofName;

  /// One call: the loop on each of `threads` threads of the runtime's pool
  /// at once.
  void run(int threads) const {
    nnc::runtime::parallelFor(0, threads,
                              [&](int64_t) { loop(kPeakIterations); });
  }
  /// GFLOP/s of `threads` loops at once taking `ms`.
  double gflops(int threads, double ms) const {
    return threads * flopsPerIteration * double(kPeakIterations) / (ms * 1e-3) /
           1e9;
  }
};

/// The f32 FMA loop for this CPU (AVX-512, else AVX2), and the bf16 one
/// where it has AVX512-BF16.
std::vector<PeakLoop> peakLoops() {
  std::vector<PeakLoop> loops;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    loops.push_back({"fma_peak_f32", fmaLoopAvx512, kChains * 16 * 2.0,
                     "f32 AVX-512 FMA peak"});
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    loops.push_back(
        {"fma_peak_f32", fmaLoopAvx2, kChains * 8 * 2.0, "f32 AVX2 FMA peak"});
  else
    notes.push_back("no AVX2/FMA: no FMA peak, no % of peak");
  if (__builtin_cpu_supports("avx512bf16"))
    loops.push_back({"fma_peak_bf16", dotLoopAvx512Bf16, kChains * 16 * 4.0,
                     "bf16 vdpbf16ps peak"});
  return loops;
}

/// Runs each peak loop on 1 and on `threads` threads of the runtime's pool
/// (one loop per thread at once). Records "<loop>_<t>t", impl "peak", whose
/// gflops are those of the fastest call.
std::vector<Record> measurePeaks(const std::vector<PeakLoop> &loops,
                                 int threads, const Budget &budget) {
  std::vector<Record> records;
  std::vector<int> counts{1};
  if (threads > 1)
    counts.push_back(threads);
  for (const PeakLoop &peak : loops)
    for (int count : counts) {
      Record r = nnc::bench::measure(
          peak.name + "_" + std::to_string(count) + "t", "peak",
          [&] { peak.run(count); }, 10, budget.minMs);
      // The fastest call: a peak is what the cores reach when nothing else
      // runs on them, and other processes only ever slow a call down.
      r.gflops = peak.gflops(count, r.minMs);
      records.push_back(r);
    }
  return records;
}

//===----------------------------------------------------------------------===//
// Data, checks, nnc compilation
//===----------------------------------------------------------------------===//

std::vector<float> randomValues(int64_t count, uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float &v : values)
    v = uniform(generator);
  return values;
}

/// bf16 as its 16 bits: f32 rounded to nearest even (finite values only).
uint16_t toBF16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

float fromBF16(uint16_t value) {
  uint32_t bits = uint32_t(value) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

std::vector<uint16_t> toBF16(const std::vector<float> &values) {
  std::vector<uint16_t> out(values.size());
  std::transform(values.begin(), values.end(), out.begin(),
                 [](float v) { return toBF16(v); });
  return out;
}

std::vector<float> fromBF16(const std::vector<uint16_t> &values) {
  std::vector<float> out(values.size());
  std::transform(values.begin(), values.end(), out.begin(),
                 [](uint16_t v) { return fromBF16(v); });
  return out;
}

/// A dense row-major view of `data` for runtime::Executable.
BufferView view(void *data, std::vector<int64_t> shape,
                ElementType type = ElementType::F32) {
  BufferView v;
  v.data = data;
  v.type = type;
  v.strides.assign(shape.size(), 1);
  for (int d = int(shape.size()) - 2; d >= 0; --d)
    v.strides[d] = v.strides[d + 1] * shape[d + 1];
  v.shape = std::move(shape);
  return v;
}

/// Largest |actual - expected| relative to the largest |expected| (at least
/// 1): a sum of K products is only as exact as its largest terms.
double relativeError(const std::vector<float> &expected,
                     const std::vector<float> &actual) {
  double diff = 0, scale = 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    diff = std::max(diff, std::abs(double(actual[i]) - double(expected[i])));
    scale = std::max(scale, std::abs(double(expected[i])));
  }
  return diff / scale;
}

/// One implementation of a case, before timing: its one call and a function
/// that returns its result as f32 (after one call).
struct Candidate {
  std::string impl;
  std::function<void()> run;
  std::function<std::vector<float>()> result;
};

/// The candidates whose result matches `expected` within `tolerance` (each
/// run once, timed, as the warm-up); the others are noted and left out. The
/// slowest of those calls is returned through `slowestMs`.
std::vector<Impl> checkedImpls(const std::string &caseName,
                               const std::vector<Candidate> &candidates,
                               const std::vector<float> &expected,
                               double tolerance, double &slowestMs) {
  std::vector<Impl> impls;
  slowestMs = 0;
  for (const Candidate &c : candidates) {
    auto start = std::chrono::steady_clock::now();
    c.run();
    slowestMs =
        std::max(slowestMs, std::chrono::duration<double, std::milli>(
                                std::chrono::steady_clock::now() - start)
                                .count());
    double error = relativeError(expected, c.result());
    if (error > tolerance || std::isnan(error)) {
      notes.push_back(llvm::formatv("{0}: {1} refused: wrong result (relative "
                                    "error {2:e} > {3:e})",
                                    caseName, c.impl, error, tolerance)
                          .str());
      continue;
    }
    impls.push_back({c.impl, c.run});
  }
  return impls;
}

/// Cases' FLOP and compulsory bytes (each operand read once, the result
/// written once), for GFLOP/s and the roofline.
std::map<std::string, std::pair<double, double>> caseWork;

/// The peak loops for the cases' element types (none where the CPU has no
/// FMA; bf16 cases use the f32 one where it has no AVX512-BF16), and the
/// threads they run on.
std::optional<PeakLoop> f32Peak, bf16Peak;
int peakThreads = 1;

/// Times `impls` of one case in alternation, with the peak loop for its
/// element type as one more impl ("peak"): machine load that slows the
/// case slows its peak alike, so "% of peak" holds on a shared machine.
/// Sets every record's GFLOP/s. Fewer rounds and calls where one call is
/// slow, so the largest cases fit the budget too.
void timeCase(std::vector<Record> &records, const std::string &caseName,
              std::vector<Impl> impls, double flops, double bytes,
              double slowestMs, const Budget &budget, bool bf16) {
  caseWork[caseName] = {flops, bytes};
  if (impls.empty())
    return;
  const std::optional<PeakLoop> &peak = bf16 && bf16Peak ? bf16Peak : f32Peak;
  if (peak)
    impls.push_back({"peak", [&] { peak->run(peakThreads); }});
  int repeats = std::clamp(int(budget.minMs / std::max(slowestMs, 1e-3)), 3,
                           budget.minRepeats);
  int rounds =
      std::clamp(int(budget.minMs / (2 * std::max(slowestMs, 1e-3))), 1, 10);
  for (Record r : nnc::bench::measureInterleaved(caseName, impls, repeats,
                                                 budget.minMs, rounds)) {
    r.gflops = r.impl == "peak" ? peak->gflops(peakThreads, r.medianMs)
                                : flops / (r.medianMs * 1e-3) / 1e9;
    records.push_back(r);
  }
}

/// Seconds spent parsing and compiling nnc's kernels (not in any median).
double compileSeconds = 0;
int compiledKernels = 0;
/// --case SUBSTRING: only the GEMM and conv cases whose name contains it.
std::string caseFilter;

/// nn source of `@f`, parsed and JIT-compiled by the nnc-cpu pipeline; on
/// failure a note names the case and nothing is returned.
std::optional<nnc::runtime::Executable> compileNN(mlir::MLIRContext &context,
                                                  const std::string &caseName,
                                                  const std::string &source) {
  auto start = std::chrono::steady_clock::now();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module) {
    notes.push_back(caseName + ": fused: the nn source does not parse");
    return std::nullopt;
  }
  auto executable = nnc::jitCompile(*module, "f");
  compileSeconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ++compiledKernels;
  if (!executable) {
    std::string message = llvm::toString(executable.takeError());
    notes.push_back(caseName + ": fused does not compile: " +
                    message.substr(0, message.find('\n')));
    return std::nullopt;
  }
  return std::move(*executable);
}

std::string tensorType(const std::vector<int64_t> &shape,
                       const std::string &element) {
  std::string text = "tensor<";
  for (int64_t d : shape)
    text += std::to_string(d) + "x";
  return text + element + ">";
}

//===----------------------------------------------------------------------===//
// oneDNN: a primitive bound to buffers in the layouts it chose
//===----------------------------------------------------------------------===//

#ifdef NNC_BENCH_WITH_ONEDNN
/// One primitive and its arguments. Inputs are reordered once from the
/// caller's plain layout into the layout the primitive chose (as a network
/// keeps its tensors in that layout from layer to layer, the reorder is not
/// timed); outputs are written in the chosen layout and reordered back to
/// the caller's buffer by `toPlain()`.
class DnnlCall {
public:
  DnnlCall(dnnl::engine &engine, dnnl::stream &stream)
      : engine_(engine), stream_(stream) {}

  void setPrimitive(dnnl::primitive primitive) {
    primitive_ = std::move(primitive);
  }

  void input(int key, const dnnl::memory::desc &chosen, dnnl::memory plain) {
    if (chosen == plain.get_desc()) {
      args_[key] = plain;
      return;
    }
    dnnl::memory inChosen(chosen, engine_);
    dnnl::reorder(plain, inChosen).execute(stream_, plain, inChosen);
    stream_.wait();
    args_[key] = inChosen;
  }

  void output(int key, const dnnl::memory::desc &chosen, dnnl::memory plain) {
    plain_ = plain;
    args_[key] =
        chosen == plain.get_desc() ? plain : dnnl::memory(chosen, engine_);
    chosen_ = args_[key];
  }

  void run() {
    primitive_.execute(stream_, args_);
    stream_.wait();
  }

  /// The output in the caller's plain buffer.
  void toPlain() {
    if (chosen_ != plain_) {
      dnnl::reorder(chosen_, plain_).execute(stream_, chosen_, plain_);
      stream_.wait();
    }
  }

private:
  dnnl::engine &engine_;
  dnnl::stream &stream_;
  dnnl::primitive primitive_;
  std::unordered_map<int, dnnl::memory> args_;
  dnnl::memory chosen_, plain_;
};

dnnl::engine &dnnlEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream &dnnlStream() {
  static dnnl::stream stream(dnnlEngine());
  return stream;
}
#endif

//===----------------------------------------------------------------------===//
// GEMM
//===----------------------------------------------------------------------===//

struct GemmShape {
  std::string name;
  int64_t m, k, n;
};

/// `A B` in f32 by OpenBLAS, or by a plain loop where it was not built.
std::vector<float> referenceGemm(const std::vector<float> &a,
                                 const std::vector<float> &b,
                                 const GemmShape &s) {
  std::vector<float> c(s.m * s.n);
#ifdef NNC_BENCH_WITH_OPENBLAS
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.m, s.n, s.k, 1.0f,
              a.data(), s.k, b.data(), s.n, 0.0f, c.data(), s.n);
#else
  for (int64_t i = 0; i < s.m; ++i)
    for (int64_t p = 0; p < s.k; ++p)
      for (int64_t j = 0; j < s.n; ++j)
        c[i * s.n + j] += a[i * s.k + p] * b[p * s.n + j];
#endif
  return c;
}

void gemmCase(std::vector<Record> &records, mlir::MLIRContext &context,
              const GemmShape &s, bool bf16, const Budget &budget) {
  const std::string caseName = s.name;
  if (caseName.find(caseFilter) == std::string::npos)
    return;
  std::vector<float> a = randomValues(s.m * s.k, 1),
                     b = randomValues(s.k * s.n, 2);
  // bf16 operands are the f32 values rounded; the reference multiplies the
  // rounded values exactly (in f32), so only the result's rounding and the
  // order of the sums may differ.
  std::vector<uint16_t> a16, b16;
  if (bf16) {
    a16 = toBF16(a), b16 = toBF16(b);
    a = fromBF16(a16), b = fromBF16(b16);
  }
  std::vector<float> expected = referenceGemm(a, b, s);
  std::vector<Candidate> candidates;

  const std::string element = bf16 ? "bf16" : "f32";
  const ElementType type = bf16 ? ElementType::BF16 : ElementType::F32;
  std::vector<float> fusedOut(s.m * s.n);
  std::vector<uint16_t> fusedOut16(bf16 ? s.m * s.n : 0);
  std::string aType = tensorType({s.m, s.k}, element),
              bType = tensorType({s.k, s.n}, element),
              cType = tensorType({s.m, s.n}, element);
  std::optional<nnc::runtime::Executable> fused =
      compileNN(context, caseName,
                llvm::formatv("func.func @f(%a: {0}, %b: {1}) -> {2} {{\n"
                              "  %c = nn.matmul %a, %b : {0}, {1}\n"
                              "  return %c : {2}\n}",
                              aType, bType, cType)
                    .str());
  std::vector<BufferView> fusedIn, fusedOutView;
  if (fused) {
    fusedIn = {view(bf16 ? (void *)a16.data() : a.data(), {s.m, s.k}, type),
               view(bf16 ? (void *)b16.data() : b.data(), {s.k, s.n}, type)};
    fusedOutView = {view(bf16 ? (void *)fusedOut16.data() : fusedOut.data(),
                         {s.m, s.n}, type)};
    candidates.push_back(
        {"fused", [&] { fused->run(fusedIn, fusedOutView); },
         [&] { return bf16 ? fromBF16(fusedOut16) : fusedOut; }});
  }

#ifdef NNC_BENCH_WITH_OPENBLAS
  std::vector<float> blasOut(s.m * s.n);
  if (!bf16)
    candidates.push_back({"openblas",
                          [&] {
                            cblas_sgemm(CblasRowMajor, CblasNoTrans,
                                        CblasNoTrans, s.m, s.n, s.k, 1.0f,
                                        a.data(), s.k, b.data(), s.n, 0.0f,
                                        blasOut.data(), s.n);
                          },
                          [&] { return blasOut; }});
#endif

#ifdef NNC_BENCH_WITH_ONEDNN
  using dnnl::memory;
  std::vector<float> dnnlOut(s.m * s.n);
  std::vector<uint16_t> dnnlOut16(bf16 ? s.m * s.n : 0);
  DnnlCall dnnlCall(dnnlEngine(), dnnlStream());
  try {
    memory::data_type dt =
        bf16 ? memory::data_type::bf16 : memory::data_type::f32;
    memory::desc aDesc({s.m, s.k}, dt, memory::format_tag::ab),
        bDesc({s.k, s.n}, dt, memory::format_tag::ab),
        cDesc({s.m, s.n}, dt, memory::format_tag::ab);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aDesc, bDesc, cDesc),
                                    dnnlEngine());
    dnnlCall.setPrimitive(dnnl::matmul(pd));
    auto &engine = dnnlEngine();
    dnnlCall.input(DNNL_ARG_SRC, pd.src_desc(),
                   memory(aDesc, engine, bf16 ? (void *)a16.data() : a.data()));
    dnnlCall.input(DNNL_ARG_WEIGHTS, pd.weights_desc(),
                   memory(bDesc, engine, bf16 ? (void *)b16.data() : b.data()));
    dnnlCall.output(DNNL_ARG_DST, pd.dst_desc(),
                    memory(cDesc, engine,
                           bf16 ? (void *)dnnlOut16.data() : dnnlOut.data()));
    candidates.push_back({"onednn", [&] { dnnlCall.run(); },
                          [&] {
                            dnnlCall.toPlain();
                            return bf16 ? fromBF16(dnnlOut16) : dnnlOut;
                          }});
  } catch (const dnnl::error &error) {
    notes.push_back(caseName + ": onednn: " + error.what());
  }
#endif

  // An f32 result differs from the reference only by the order of its sums;
  // a bf16 result also by its rounding to 8 significant bits.
  double slowestMs;
  std::vector<Impl> impls = checkedImpls(caseName, candidates, expected,
                                         bf16 ? 1e-2 : 1e-4, slowestMs);
  double elementBytes = bf16 ? 2 : 4;
  timeCase(records, caseName, impls, 2.0 * s.m * s.n * s.k,
           elementBytes * (s.m * s.k + s.k * s.n + s.m * s.n), slowestMs,
           budget, bf16);
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

/// A stride-1 convolution, weight `[o, c, kernel, kernel]` over `[n, c, h, w]`.
struct ConvShape {
  std::string name;
  int64_t n, c, o, h, w, kernel, pad;
  int64_t outH() const { return h + 2 * pad - kernel + 1; }
  int64_t outW() const { return w + 2 * pad - kernel + 1; }
  std::vector<int64_t> xShape() const { return {n, c, h, w}; }
  std::vector<int64_t> wShape() const { return {o, c, kernel, kernel}; }
  std::vector<int64_t> yShape() const { return {n, o, outH(), outW()}; }
};

enum class ConvPass { Forward, BackwardData, BackwardWeight };

int64_t product(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

/// Visits every (input element, weight element, output element) triple of
/// the convolution `s` by flat indices (the reference where no peer was
/// built: each pass is one multiply-add per triple).
template <class Visit> void forEachTap(const ConvShape &s, Visit visit) {
  const int64_t oh = s.outH(), ow = s.outW(), k = s.kernel;
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t o = 0; o < s.o; ++o)
      for (int64_t c = 0; c < s.c; ++c)
        for (int64_t kh = 0; kh < k; ++kh)
          for (int64_t kw = 0; kw < k; ++kw)
            for (int64_t y = 0; y < oh; ++y) {
              int64_t iy = y + kh - s.pad;
              if (iy < 0 || iy >= s.h)
                continue;
              for (int64_t x = 0; x < ow; ++x) {
                int64_t ix = x + kw - s.pad;
                if (ix < 0 || ix >= s.w)
                  continue;
                visit(((n * s.c + c) * s.h + iy) * s.w + ix,
                      ((o * s.c + c) * k + kh) * k + kw,
                      ((n * s.o + o) * oh + y) * ow + x);
              }
            }
}

#ifdef NNC_BENCH_WITH_ONEDNN
/// oneDNN's convolution of `s` for `pass`, in the layouts it prefers, on
/// the caller's plain (NCHW / OIHW) buffers.
void bindDnnlConv(DnnlCall &call, const ConvShape &s, ConvPass pass,
                  std::vector<float> &x, std::vector<float> &w,
                  std::vector<float> &y) {
  using dnnl::memory;
  using tag = memory::format_tag;
  auto f32 = memory::data_type::f32;
  memory::dims xDims = s.xShape(), wDims = s.wShape(), yDims = s.yShape();
  memory::dims strides{1, 1}, padding{s.pad, s.pad};
  memory::desc xAny(xDims, f32, tag::any), wAny(wDims, f32, tag::any),
      yAny(yDims, f32, tag::any);
  memory::desc xPlain(xDims, f32, tag::nchw), wPlain(wDims, f32, tag::oihw),
      yPlain(yDims, f32, tag::nchw);
  auto &engine = dnnlEngine();
  dnnl::convolution_forward::primitive_desc forward(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                      dnnl::algorithm::convolution_direct, xAny,
                                      wAny, memory::desc(), yAny, strides,
                                      padding, padding),
      engine);
  memory xMem(xPlain, engine, x.data()), wMem(wPlain, engine, w.data()),
      yMem(yPlain, engine, y.data());
  switch (pass) {
  case ConvPass::Forward:
    call.setPrimitive(dnnl::convolution_forward(forward));
    call.input(DNNL_ARG_SRC, forward.src_desc(), xMem);
    call.input(DNNL_ARG_WEIGHTS, forward.weights_desc(), wMem);
    call.output(DNNL_ARG_DST, forward.dst_desc(), yMem);
    break;
  case ConvPass::BackwardData: {
    dnnl::convolution_backward_data::primitive_desc pd(
        dnnl::convolution_backward_data::desc(
            dnnl::algorithm::convolution_direct, xAny, wAny, yAny, strides,
            padding, padding),
        engine, forward);
    call.setPrimitive(dnnl::convolution_backward_data(pd));
    call.input(DNNL_ARG_DIFF_DST, pd.diff_dst_desc(), yMem);
    call.input(DNNL_ARG_WEIGHTS, pd.weights_desc(), wMem);
    call.output(DNNL_ARG_DIFF_SRC, pd.diff_src_desc(), xMem);
    break;
  }
  case ConvPass::BackwardWeight: {
    dnnl::convolution_backward_weights::primitive_desc pd(
        dnnl::convolution_backward_weights::desc(
            dnnl::algorithm::convolution_direct, xAny, wAny, yAny, strides,
            padding, padding),
        engine, forward);
    call.setPrimitive(dnnl::convolution_backward_weights(pd));
    call.input(DNNL_ARG_DIFF_DST, pd.diff_dst_desc(), yMem);
    call.input(DNNL_ARG_SRC, pd.src_desc(), xMem);
    call.output(DNNL_ARG_DIFF_WEIGHTS, pd.diff_weights_desc(), wMem);
    break;
  }
  }
}
#endif

void convCase(std::vector<Record> &records, mlir::MLIRContext &context,
              const ConvShape &s, ConvPass pass, const Budget &budget) {
  static const char *const passNames[] = {"fwd", "bwd_data", "bwd_weight"};
  const std::string caseName = s.name + "_" + passNames[int(pass)];
  if (caseName.find(caseFilter) == std::string::npos)
    return;
  // The pass's two inputs and its output, all plain NCHW / OIHW f32: x, w
  // and y of the forward convolution, one of which the pass computes.
  std::vector<float> x = randomValues(product(s.xShape()), 3),
                     w = randomValues(product(s.wShape()), 4),
                     y = randomValues(product(s.yShape()), 5);
  std::vector<float> *output = pass == ConvPass::Forward        ? &y
                               : pass == ConvPass::BackwardData ? &x
                                                                : &w;
  const std::vector<int64_t> outputShape =
      pass == ConvPass::Forward        ? s.yShape()
      : pass == ConvPass::BackwardData ? s.xShape()
                                       : s.wShape();
  std::vector<Candidate> candidates;

  const std::string xType = tensorType(s.xShape(), "f32"),
                    wType = tensorType(s.wShape(), "f32"),
                    yType = tensorType(s.yShape(), "f32");
  const std::string window = llvm::formatv(
      "stride = [1, 1] padding = [{0}, {0}] dilation = [1, 1] groups = 1",
      s.pad);
  std::string source;
  std::vector<BufferView> fusedIn;
  switch (pass) {
  case ConvPass::Forward:
    source = llvm::formatv("func.func @f(%x: {0}, %w: {1}) -> {2} {{\n"
                           "  %y = nn.conv2d %x, %w {3} : {0}, {1}\n"
                           "  return %y : {2}\n}",
                           xType, wType, yType, window);
    fusedIn = {view(x.data(), s.xShape()), view(w.data(), s.wShape())};
    break;
  case ConvPass::BackwardData:
    source = llvm::formatv(
        "func.func @f(%dy: {2}, %w: {1}) -> {0} {{\n"
        "  %dx = nn.conv2d_backward_input %dy, %w input_size = [{4}, {5}] "
        "{3} : {2}, {1}\n"
        "  return %dx : {0}\n}",
        xType, wType, yType, window, s.h, s.w);
    fusedIn = {view(y.data(), s.yShape()), view(w.data(), s.wShape())};
    break;
  case ConvPass::BackwardWeight:
    source = llvm::formatv(
        "func.func @f(%dy: {2}, %x: {0}) -> {1} {{\n"
        "  %dw = nn.conv2d_backward_weight %dy, %x kernel_size = [{4}, {4}] "
        "{3} : {2}, {0}\n"
        "  return %dw : {1}\n}",
        xType, wType, yType, window, s.kernel);
    fusedIn = {view(y.data(), s.yShape()), view(x.data(), s.xShape())};
    break;
  }
  std::vector<float> fusedOut(output->size());
  std::vector<BufferView> fusedOutView{view(fusedOut.data(), outputShape)};
  std::optional<nnc::runtime::Executable> fused =
      compileNN(context, caseName, source);
  if (fused)
    candidates.push_back({"fused", [&] { fused->run(fusedIn, fusedOutView); },
                          [&] { return fusedOut; }});

  std::vector<float> expected;
#ifdef NNC_BENCH_WITH_ONEDNN
  DnnlCall dnnlCall(dnnlEngine(), dnnlStream());
  try {
    bindDnnlConv(dnnlCall, s, pass, x, w, y);
    // oneDNN writes the pass's output into the caller's plain buffer, which
    // is also one of the other passes' inputs: keep it, and give the
    // reference from oneDNN's first run back as `expected`.
    std::vector<float> kept = *output;
    dnnlCall.run();
    dnnlCall.toPlain();
    expected = *output;
    *output = kept;
    candidates.push_back({"onednn", [&] { dnnlCall.run(); },
                          [&] {
                            std::vector<float> saved = *output;
                            dnnlCall.toPlain();
                            std::swap(saved, *output);
                            return saved;
                          }});
  } catch (const dnnl::error &error) {
    notes.push_back(caseName + ": onednn: " + error.what());
  }
#endif
  if (expected.empty()) {
    expected.assign(output->size(), 0.0f);
    switch (pass) {
    case ConvPass::Forward:
      forEachTap(s, [&](int64_t xi, int64_t wi, int64_t yi) {
        expected[yi] += x[xi] * w[wi];
      });
      break;
    case ConvPass::BackwardData:
      forEachTap(s, [&](int64_t xi, int64_t wi, int64_t yi) {
        expected[xi] += y[yi] * w[wi];
      });
      break;
    case ConvPass::BackwardWeight:
      forEachTap(s, [&](int64_t xi, int64_t wi, int64_t yi) {
        expected[wi] += y[yi] * x[xi];
      });
      break;
    }
  }

  double slowestMs;
  std::vector<Impl> impls =
      checkedImpls(caseName, candidates, expected, 1e-4, slowestMs);
  double flops =
      2.0 * s.n * s.o * s.outH() * s.outW() * s.c * s.kernel * s.kernel;
  double bytes =
      4.0 * (product(s.xShape()) + product(s.wShape()) + product(s.yShape()));
  timeCase(records, caseName, impls, flops, bytes, slowestMs, budget, false);
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

/// A copy of the record of `caseName` by `impl` (records grow after it is
/// taken).
std::optional<Record> findRecord(const std::vector<Record> &records,
                                 const std::string &caseName,
                                 const std::string &impl) {
  for (const Record &r : records)
    if (r.caseName == caseName && r.impl == impl)
      return r;
  return std::nullopt;
}

/// One row per measurement of a case: GFLOP/s, % of the peak measured with
/// the case, and speed-ups over OpenBLAS and oneDNN (how many times faster;
/// >= 0.9 is issue 6's goal for fused).
void printTable(const std::vector<Record> &records) {
  std::printf("%-32s %-9s %10s %10s %7s %10s %10s\n", "case", "impl",
              "median ms", "GFLOP/s", "% peak", "/openblas", "/onednn");
  for (const Record &r : records) {
    if (r.impl == "peak" || r.impl == "stream")
      continue;
    char percent[16] = "-";
    if (auto peak = findRecord(records, r.caseName, "peak"))
      std::snprintf(percent, sizeof percent, "%.1f%%",
                    100 * *r.gflops / *peak->gflops);
    auto ratio = [&](const char *baseline) {
      char text[16] = "-";
      if (r.impl != baseline)
        if (auto s = nnc::bench::speedup(records, r.caseName, r.impl, baseline))
          std::snprintf(text, sizeof text, "%.2fx", *s);
      return std::string(text);
    };
    std::printf("%-32s %-9s %10.3f %10.1f %7s %10s %10s\n", r.caseName.c_str(),
                r.impl.c_str(), r.medianMs, *r.gflops, percent,
                ratio("openblas").c_str(), ratio("onednn").c_str());
  }
}

#if defined(NNC_BENCH_WITH_OPENBLAS) || defined(NNC_BENCH_WITH_ONEDNN)
/// libgomp (oneDNN's threads) reads OMP_NUM_THREADS and OMP_WAIT_POLICY,
/// and OpenBLAS its OPENBLAS_THREAD_TIMEOUT, once, when they load, before
/// main. Both spin while idle by default: where other processes (or the
/// other implementations, timed in alternation) need the cores, a spinning
/// thread steals them (see nnc-bench's ensurePassiveOpenMP). nnc's pool
/// sleeps on a condition variable, so the peers' threads sleep too
/// (OMP_WAIT_POLICY=passive, the shortest OpenBLAS timeout, 2^4 cycles)
/// unless the caller chose otherwise, and OpenMP gets the bench's thread
/// count: the bench runs itself again with them set.
void ensurePeerThreading(int threads, char **argv) {
  bool changed = false;
  auto want = [&](const char *name, const std::string &value, bool force) {
    const char *now = std::getenv(name);
    if (!now || (force && value != now)) {
      setenv(name, value.c_str(), 1);
      changed = true;
    }
  };
  want("OMP_WAIT_POLICY", "passive", false);
  want("OMP_NUM_THREADS", std::to_string(threads), true);
  want("OPENBLAS_THREAD_TIMEOUT", "4", false);
  if (!changed)
    return;
  execv("/proc/self/exe", argv);
  std::fprintf(stderr, "nnc-gemm-bench: could not restart with the peers' "
                       "thread settings; their threads may spin\n");
}
#endif

} // namespace

int main(int argc, char **argv) {
  try {
    nnc::bench::Options options =
        nnc::bench::parseOptions("nnc-gemm-bench", argc, argv,
                                 /*acceptsCase=*/true);
    caseFilter = options.caseFilter;
#if defined(NNC_BENCH_WITH_OPENBLAS) || defined(NNC_BENCH_WITH_ONEDNN)
    ensurePeerThreading(options.threads, argv);
#endif
    nnc::runtime::setNumThreads(options.threads);
#ifdef NNC_BENCH_WITH_OPENBLAS
    openblas_set_num_threads(options.threads);
#else
    notes.push_back("built without OpenBLAS (scripts/setup.sh --with-peers "
                    "installs libopenblas-dev)");
#endif
#ifndef NNC_BENCH_WITH_ONEDNN
    notes.push_back("built without oneDNN (scripts/setup.sh --with-peers "
                    "installs libdnnl-dev)");
#endif
    Budget budget = options.quick ? Budget{150, 5} : Budget{1000, 20};

    std::vector<PeakLoop> loops = peakLoops();
    for (const PeakLoop &loop : loops)
      (loop.name == "fma_peak_f32" ? f32Peak : bf16Peak) = loop;
    peakThreads = options.threads;
    std::vector<Record> records = measurePeaks(loops, options.threads, budget);
    for (const Record &r : nnc::bench::measureStream(
             int64_t(1) << 23, options.quick ? 5 : 10, budget.minMs / 2))
      records.push_back(r);
    const std::string threadsTag = "_" + std::to_string(options.threads) + "t";
    std::vector<nnc::bench::Roof> roofs;
    for (const PeakLoop &loop : loops)
      if (auto peak = findRecord(records, loop.name + threadsTag, "peak"))
        roofs.push_back({loop.roofName, *peak->gflops});
    std::optional<Record> triad = findRecord(records, "stream_triad", "stream");

    mlir::MLIRContext context;
    context.loadDialect<mlir::nn::NNDialect, mlir::func::FuncDialect>();
    const std::vector<int64_t> squares =
        options.quick ? std::vector<int64_t>{256, 512}
                      : std::vector<int64_t>{256, 512, 1024, 2048};
    const std::vector<int64_t> bf16Squares =
        options.quick ? std::vector<int64_t>{256} : squares;
    for (int64_t size : squares)
      gemmCase(records, context,
               {"gemm_f32_" + std::to_string(size), size, size, size}, false,
               budget);
    // The seeds' MLP (784-128-10, batch 64): both layers forward, and the
    // first layer's weight and input gradients.
    for (const GemmShape &shape :
         std::vector<GemmShape>{{"mlp_fc1_64x784x128", 64, 784, 128},
                                {"mlp_fc2_64x128x10", 64, 128, 10},
                                {"mlp_fc1_dw_784x64x128", 784, 64, 128},
                                {"mlp_fc1_dx_64x128x784", 64, 128, 784}})
      gemmCase(records, context, shape, false, budget);
    for (int64_t size : bf16Squares)
      gemmCase(records, context,
               {"gemm_bf16_" + std::to_string(size), size, size, size}, true,
               budget);

    std::vector<ConvShape> convs = {
        {"smallcnn_conv1_n64", 64, 1, 16, 28, 28, 3, 1},
        {"smallcnn_conv2_n64", 64, 16, 32, 14, 14, 3, 1},
        {"resnet_3x3_64_n1", 1, 64, 64, 56, 56, 3, 1},
        {"resnet_1x1_64_256_n1", 1, 64, 256, 56, 56, 1, 0}};
    if (!options.quick) {
      convs.push_back({"resnet_3x3_64_n32", 32, 64, 64, 56, 56, 3, 1});
      convs.push_back({"resnet_1x1_64_256_n32", 32, 64, 256, 56, 56, 1, 0});
    }
    for (const ConvShape &shape : convs)
      for (ConvPass pass : {ConvPass::Forward, ConvPass::BackwardData,
                            ConvPass::BackwardWeight})
        convCase(records, context, shape, pass, budget);

    std::printf("nnc-gemm-bench: fused (nnc) vs OpenBLAS vs oneDNN, %d "
                "threads; a/b = median(b) / median(a)\n",
                options.threads);
    for (const Record &r : records) {
      if (r.impl == "peak" && r.caseName.rfind("fma_peak", 0) == 0)
        std::printf("  %-22s %8.1f GFLOP/s\n", r.caseName.c_str(), *r.gflops);
      if (r.impl == "stream")
        std::printf("  %-22s %8.1f GB/s\n", r.caseName.c_str(), *r.gbps);
    }
#ifdef NNC_BENCH_WITH_OPENBLAS
    std::printf("peers:%s(pthreads)", OPENBLAS_VERSION);
#else
    std::printf("peers:");
#endif
#ifdef NNC_BENCH_WITH_ONEDNN
    const dnnl_version_t *version = dnnl_version();
    std::printf("; oneDNN %d.%d.%d (OpenMP, %s threads, OMP_WAIT_POLICY=%s)",
                version->major, version->minor, version->patch,
                std::getenv("OMP_NUM_THREADS"), std::getenv("OMP_WAIT_POLICY"));
#endif
    std::printf("\n");
    if (roofs.empty())
      throw std::runtime_error("nnc-gemm-bench: no FMA peak was measured");
    printTable(records);
    for (int64_t size : bf16Squares) {
      std::string tag = std::to_string(size);
      const Record *f32 = nullptr, *bf16 = nullptr;
      for (const Record &r : records)
        if (r.impl == "fused" && r.caseName == "gemm_f32_" + tag)
          f32 = &r;
        else if (r.impl == "fused" && r.caseName == "gemm_bf16_" + tag)
          bf16 = &r;
      if (f32 && bf16)
        std::printf("fused bf16 / fused f32 GEMM %s: %.2fx\n", tag.c_str(),
                    f32->medianMs / bf16->medianMs);
    }
    std::printf("nnc compile (parse + JIT, not timed): %.1f s for %d "
                "kernels\n",
                compileSeconds, compiledKernels);
    for (const std::string &note : notes)
      std::printf("note: %s\n", note.c_str());

    if (!options.jsonPath.empty())
      nnc::bench::writeFile(options.jsonPath, nnc::bench::toJson(records));
    if (!options.svgPath.empty()) {
      std::vector<nnc::bench::RooflinePoint> points;
      for (const Record &r : records) {
        auto work = caseWork.find(r.caseName);
        if (work != caseWork.end() && r.impl != "peak")
          points.push_back({r.caseName, r.impl,
                            work->second.first / work->second.second,
                            *r.gflops});
      }
      nnc::bench::writeFile(
          options.svgPath,
          nnc::bench::rooflineChartSvg(
              points, roofs, triad ? *triad->gbps : 1.0, "fused",
              "nnc GEMM and conv vs OpenBLAS and oneDNN, roofline (" +
                  std::to_string(options.threads) + " threads)"));
    }
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
