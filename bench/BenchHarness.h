//===- bench/BenchHarness.h - Timing, tables, JSON and charts ---*- C++ -*-===//
//
// What every nnc benchmark shares (DESIGN.md §10): repeated timing with a
// median and a minimum, one record per measurement, a table for people,
// JSON for scripts, and an SVG chart of speed-ups computed from records of
// the same run.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_BENCH_BENCHHARNESS_H
#define NNC_BENCH_BENCHHARNESS_H

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
  std::optional<double> gflops;
  std::optional<double> gbps;
};

/// Times `fn`: one warm-up call, then repeats until both `minRepeats` calls
/// and `minTotalMs` of work have been done.
Record measure(const std::string &caseName, const std::string &impl,
               const std::function<void()> &fn, int minRepeats = 10,
               double minTotalMs = 300);

/// Ratio median(baseline) / median(impl) for one case; nullopt if missing.
std::optional<double> speedup(const std::vector<Record> &records,
                              const std::string &caseName,
                              const std::string &impl,
                              const std::string &baseline);

/// The table: one row per case, a column per impl, and impl-vs-baseline.
std::string formatTable(const std::vector<Record> &records,
                        const std::string &impl, const std::string &baseline);

/// One JSON object per record, as a JSON array.
std::string toJson(const std::vector<Record> &records);

/// A horizontal bar chart of impl-vs-baseline speed-ups per case, with the
/// 1x line marked.
std::string speedupChartSvg(const std::vector<Record> &records,
                            const std::string &impl,
                            const std::string &baseline,
                            const std::string &title);

/// Writes `text` to `path`; throws std::runtime_error naming the path.
void writeFile(const std::string &path, const std::string &text);

} // namespace nnc::bench

#endif // NNC_BENCH_BENCHHARNESS_H
