//===- bench/BenchHarness.h - Timing, tables, JSON and charts ---*- C++ -*-===//
//
// What every nnc benchmark shares (DESIGN.md §10): repeated timing with a
// median and a minimum, one record per measurement, a table for people,
// JSON for scripts, an SVG chart of speed-ups computed from records of the
// same run, the STREAM bandwidth baseline, and a roofline chart.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_BENCH_BENCHHARNESS_H
#define NNC_BENCH_BENCHHARNESS_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nnc::bench {

/// One measurement: DESIGN.md §10's record.
struct Record {
  std::string caseName;
  std::string impl; // fused | eager | libtorch | openblas | ...
  double medianMs = 0;
  double minMs = 0;
  /// Timed calls the median and minimum are taken over.
  int repeats = 0;
  std::optional<double> gflops;
  std::optional<double> gbps;
};

/// Times `fn`: one warm-up call, then repeats until both `minRepeats` calls
/// and `minTotalMs` of work have been done.
Record measure(const std::string &caseName, const std::string &impl,
               const std::function<void()> &fn, int minRepeats = 10,
               double minTotalMs = 300);

/// One implementation of a case: its name (an impl of Record) and one call.
struct Impl {
  std::string name;
  std::function<void()> run;
};

/// Times several implementations of one case in alternation, so that a
/// change in the machine's load (other processes) falls on all of them alike
/// and their ratios hold: after one warm-up call each, `rounds` rounds each
/// run every impl once untimed (its caches and threads warm again after the
/// others ran) and then timed for about minTotalMs / rounds, at least
/// ceil(minRepeats / rounds) calls. One Record per impl, in order.
std::vector<Record> measureInterleaved(const std::string &caseName,
                                       const std::vector<Impl> &impls,
                                       int minRepeats = 20,
                                       double minTotalMs = 1000,
                                       int rounds = 10);

/// Ratio median(baseline) / median(impl) for one case; nullopt if missing.
std::optional<double> speedup(const std::vector<Record> &records,
                              const std::string &caseName,
                              const std::string &impl,
                              const std::string &baseline);

/// "impl/baseline": how many times faster impl ran than baseline.
struct Comparison {
  std::string impl, baseline;
};

/// The table: one row per case, a column of medians per impl, and a column
/// of speed-ups per comparison ("-" where either record is missing).
std::string formatTable(const std::vector<Record> &records,
                        const std::vector<Comparison> &comparisons);

/// One JSON object per record, as a JSON array.
std::string toJson(const std::vector<Record> &records);

/// A horizontal bar chart of speed-ups: per case, one bar per comparison
/// that has both records, on a logarithmic axis (ratios from 0.1x to 50x
/// share one chart) with bars growing from the 1x line: right is faster,
/// left slower. A legend names the comparisons.
std::string speedupChartSvg(const std::vector<Record> &records,
                            const std::vector<Comparison> &comparisons,
                            const std::string &title);

/// STREAM-style bandwidth on the runtime's thread pool (the threads compiled
/// kernels use), over three f32 arrays of `elements` each: "stream_copy"
/// (a = b, 2 arrays of traffic) and "stream_triad" (a = b + 3 c, 3 arrays),
/// impl "stream", with gbps set. Arrays far larger than the caches measure
/// memory bandwidth.
std::vector<Record> measureStream(int64_t elements, int minRepeats,
                                  double minTotalMs);

/// One kernel on a roofline chart: `flops` per byte of the memory traffic it
/// must at least do (arithmetic intensity), and the GFLOP/s it reached.
struct RooflinePoint {
  std::string label;
  std::string impl;
  double intensity;
  double gflops;
};

/// A compute roof: a measured peak and its name ("f32 FMA peak").
struct Roof {
  std::string name;
  double gflops;
};

/// A roofline chart on log-log axes: per roof, attainable GFLOP/s =
/// min(roof, bandwidthGbps * intensity) (the first roof solid, others
/// dashed), or without roofs the bandwidth line alone (memory-bound
/// kernels); `bandwidthName` says which loop measured it. Each point is
/// coloured by impl (a legend names them); points with `labelImpl` as impl
/// are labelled.
std::string rooflineChartSvg(const std::vector<RooflinePoint> &points,
                             const std::vector<Roof> &roofs,
                             double bandwidthGbps, const std::string &labelImpl,
                             const std::string &title,
                             const std::string &bandwidthName = "STREAM triad");

/// The command line the benchmarks share: --json FILE, --svg FILE,
/// --threads N (default 2), --quick and, where `acceptsCase`, --case
/// SUBSTRING (only the cases whose name contains it).
struct Options {
  std::string jsonPath, svgPath;
  int threads = 2;
  bool quick = false;
  std::string caseFilter;
};

/// Parses `argv`; throws std::invalid_argument naming `program` for an
/// unknown argument, a missing value or fewer than 1 thread.
Options parseOptions(const std::string &program, int argc, char **argv,
                     bool acceptsCase = false);

/// Writes `text` to `path`; throws std::runtime_error naming the path.
void writeFile(const std::string &path, const std::string &text);

} // namespace nnc::bench

#endif // NNC_BENCH_BENCHHARNESS_H
