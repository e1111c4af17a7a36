//===- bench/BenchHarness.cpp - Timing, tables, JSON and charts -----------===//
#include "bench/BenchHarness.h"
#include "runtime/ThreadPool.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace nnc::bench {

/// Milliseconds one call of `fn` took.
static double timeOneCall(const std::function<void()> &fn) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  fn();
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

/// The record of `times` (at least one).
static Record summarize(const std::string &caseName, const std::string &impl,
                        std::vector<double> times) {
  std::sort(times.begin(), times.end());
  Record r;
  r.caseName = caseName;
  r.impl = impl;
  r.medianMs = times[times.size() / 2];
  r.minMs = times.front();
  r.repeats = static_cast<int>(times.size());
  return r;
}

Record measure(const std::string &caseName, const std::string &impl,
               const std::function<void()> &fn, int minRepeats,
               double minTotalMs) {
  fn();
  std::vector<double> times;
  double total = 0;
  while (static_cast<int>(times.size()) < minRepeats || total < minTotalMs) {
    times.push_back(timeOneCall(fn));
    total += times.back();
  }
  return summarize(caseName, impl, times);
}

std::vector<Record> measureInterleaved(const std::string &caseName,
                                       const std::vector<Impl> &impls,
                                       int minRepeats, double minTotalMs,
                                       int rounds) {
  std::vector<int> callsPerRound;
  for (const Impl &impl : impls) {
    double warmUpMs = timeOneCall(impl.run);
    double perRoundMs = minTotalMs / rounds;
    int calls =
        static_cast<int>(std::ceil(perRoundMs / std::max(warmUpMs, 1e-3)));
    int atLeast = (minRepeats + rounds - 1) / rounds;
    callsPerRound.push_back(std::clamp(calls, std::max(atLeast, 1), 100000));
  }
  std::vector<std::vector<double>> times(impls.size());
  for (int round = 0; round < rounds; ++round)
    for (size_t i = 0; i < impls.size(); ++i) {
      impls[i].run();
      for (int call = 0; call < callsPerRound[i]; ++call)
        times[i].push_back(timeOneCall(impls[i].run));
    }
  std::vector<Record> records;
  for (size_t i = 0; i < impls.size(); ++i)
    records.push_back(summarize(caseName, impls[i].name, times[i]));
  return records;
}

static const Record *find(const std::vector<Record> &records,
                          const std::string &caseName,
                          const std::string &impl) {
  for (const Record &r : records)
    if (r.caseName == caseName && r.impl == impl)
      return &r;
  return nullptr;
}

std::optional<double> speedup(const std::vector<Record> &records,
                              const std::string &caseName,
                              const std::string &impl,
                              const std::string &baseline) {
  const Record *a = find(records, caseName, impl);
  const Record *b = find(records, caseName, baseline);
  if (!a || !b || a->medianMs <= 0)
    return std::nullopt;
  return b->medianMs / a->medianMs;
}

/// Cases in first-seen order.
static std::vector<std::string> caseNames(const std::vector<Record> &records) {
  std::vector<std::string> names;
  for (const Record &r : records)
    if (std::find(names.begin(), names.end(), r.caseName) == names.end())
      names.push_back(r.caseName);
  return names;
}

std::string formatTable(const std::vector<Record> &records,
                        const std::vector<Comparison> &comparisons) {
  std::vector<std::string> impls;
  for (const Record &r : records)
    if (std::find(impls.begin(), impls.end(), r.impl) == impls.end())
      impls.push_back(r.impl);
  // Columns as wide as their longest entry (case names, impl names such as
  // "fused_frozen"), at least the classic 26 and 11.
  int caseWidth = 26;
  for (const std::string &name : caseNames(records))
    caseWidth = std::max(caseWidth, static_cast<int>(name.size()) + 1);
  std::vector<int> widths;
  for (const std::string &i : impls)
    widths.push_back(std::max(11, static_cast<int>(i.size()) + 1));
  std::ostringstream os;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%-*s", caseWidth, "case (median ms)");
  os << buf;
  for (size_t i = 0; i < impls.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%*s", widths[i], impls[i].c_str());
    os << buf;
  }
  for (const Comparison &c : comparisons) {
    std::snprintf(buf, sizeof buf, "%17s", (c.impl + "/" + c.baseline).c_str());
    os << buf;
  }
  os << "\n";
  for (const std::string &name : caseNames(records)) {
    std::snprintf(buf, sizeof buf, "%-*s", caseWidth, name.c_str());
    os << buf;
    for (size_t i = 0; i < impls.size(); ++i) {
      if (const Record *r = find(records, name, impls[i]))
        std::snprintf(buf, sizeof buf, "%*.3f", widths[i], r->medianMs);
      else
        std::snprintf(buf, sizeof buf, "%*s", widths[i], "-");
      os << buf;
    }
    for (const Comparison &c : comparisons) {
      if (auto s = speedup(records, name, c.impl, c.baseline))
        std::snprintf(buf, sizeof buf, "%16.2fx", *s);
      else
        std::snprintf(buf, sizeof buf, "%17s", "-");
      os << buf;
    }
    os << "\n";
  }
  return os.str();
}

static std::string jsonEscape(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

std::string toJson(const std::vector<Record> &records) {
  std::ostringstream os;
  os << "[\n";
  for (size_t i = 0; i < records.size(); ++i) {
    const Record &r = records[i];
    os << "  {\"case\": \"" << jsonEscape(r.caseName) << "\", \"impl\": \""
       << jsonEscape(r.impl) << "\", \"median_ms\": " << r.medianMs
       << ", \"min_ms\": " << r.minMs;
    if (r.repeats)
      os << ", \"repeats\": " << r.repeats;
    if (r.gflops)
      os << ", \"gflops\": " << *r.gflops;
    if (r.gbps)
      os << ", \"gbps\": " << *r.gbps;
    os << "}" << (i + 1 < records.size() ? "," : "") << "\n";
  }
  os << "]\n";
  return os.str();
}

std::string speedupChartSvg(const std::vector<Record> &records,
                            const std::vector<Comparison> &comparisons,
                            const std::string &title) {
  static const char *const colors[] = {"#3a7dc9", "#e08a2c", "#4a9a5b",
                                       "#8a5bb8", "#c94a3a"};
  struct Bar {
    size_t comparison;
    double ratio;
  };
  std::vector<std::pair<std::string, std::vector<Bar>>> groups;
  // The axis spans at least 0.5x..2x, in whole powers of two.
  double lowLog2 = -1, highLog2 = 1;
  for (const std::string &name : caseNames(records)) {
    std::vector<Bar> bars;
    for (size_t c = 0; c < comparisons.size(); ++c)
      if (auto s = speedup(records, name, comparisons[c].impl,
                           comparisons[c].baseline)) {
        bars.push_back({c, *s});
        lowLog2 = std::min(lowLog2, std::floor(std::log2(*s)));
        highLog2 = std::max(highLog2, std::ceil(std::log2(*s)));
      }
    if (!bars.empty())
      groups.emplace_back(name, bars);
  }
  // A margin on both sides of the plot leaves room for the ratios written
  // beyond the ends of the longest bars.
  const int labelWidth = 210, margin = 45, plotWidth = 520, barHeight = 14,
            groupGap = 12;
  const int legendTop = 34, top = legendTop + 18 * int(comparisons.size()) + 16;
  int plotHeight = 0;
  for (const auto &group : groups)
    plotHeight += int(group.second.size()) * barHeight + groupGap;
  const int height = top + plotHeight + 40;
  auto xOf = [&](double log2Ratio) {
    return labelWidth + margin +
           (log2Ratio - lowLog2) / (highLog2 - lowLog2) * plotWidth;
  };
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
     << labelWidth + plotWidth + 2 * margin << "\" height=\"" << height
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << "<text x=\"10\" y=\"22\" font-size=\"15\">" << title << "</text>\n";
  for (size_t c = 0; c < comparisons.size(); ++c) {
    int y = legendTop + 18 * int(c);
    os << "<rect x=\"" << labelWidth << "\" y=\"" << y
       << "\" width=\"12\" height=\"12\" fill=\"" << colors[c % 5]
       << "\"/>\n<text x=\"" << labelWidth + 18 << "\" y=\"" << y + 10 << "\">"
       << comparisons[c].impl << " vs " << comparisons[c].baseline
       << " (times faster)</text>\n";
  }
  // Grid lines and labels at each power of two.
  for (double p = lowLog2; p <= highLog2; ++p) {
    double x = xOf(p);
    char label[32];
    std::snprintf(label, sizeof label, "%gx", std::exp2(p));
    os << "<line x1=\"" << x << "\" y1=\"" << top - 4 << "\" x2=\"" << x
       << "\" y2=\"" << top + plotHeight << "\" stroke=\""
       << (p == 0 ? "black\" stroke-dasharray=\"4 3" : "#dddddd")
       << "\"/>\n<text x=\"" << x << "\" y=\"" << top + plotHeight + 16
       << "\" text-anchor=\"middle\">" << label << "</text>\n";
  }
  int y = top;
  for (const auto &[name, bars] : groups) {
    os << "<text x=\"" << labelWidth - 6 << "\" y=\""
       << y + int(bars.size()) * barHeight / 2 + 4 << "\" text-anchor=\"end\">"
       << name << "</text>\n";
    for (const Bar &bar : bars) {
      double one = xOf(0), end = xOf(std::log2(bar.ratio));
      char label[32];
      std::snprintf(label, sizeof label, "%.2fx", bar.ratio);
      os << "<rect x=\"" << std::min(one, end) << "\" y=\"" << y
         << "\" width=\"" << std::abs(end - one) << "\" height=\""
         << barHeight - 2 << "\" fill=\"" << colors[bar.comparison % 5]
         << "\"/>\n<text x=\"" << (end >= one ? end + 4 : end - 4) << "\" y=\""
         << y + barHeight - 4 << "\" font-size=\"10\" text-anchor=\""
         << (end >= one ? "start" : "end") << "\">" << label << "</text>\n";
      y += barHeight;
    }
    y += groupGap;
  }
  os << "<text x=\"" << xOf(0) << "\" y=\"" << height - 6
     << "\" text-anchor=\"middle\">speed-up (log scale; right of 1x is "
        "faster)</text>\n";
  os << "</svg>\n";
  return os.str();
}

std::vector<Record> measureStream(int64_t elements, int minRepeats,
                                  double minTotalMs) {
  // Each loop iteration moves one chunk, so the pool's threads share the
  // arrays in slices that stay large against the cost of handing them out:
  // 64 KiB (4 KiB chunks measured half the bandwidth of 64 KiB ones).
  constexpr int64_t chunk = 16384;
  const int64_t chunks = (elements + chunk - 1) / chunk;
  std::vector<float> a(elements), b(elements), c(elements);
  for (int64_t i = 0; i < elements; ++i) {
    b[i] = std::fmod(0.37f * static_cast<float>(i), 4.0f) - 2.0f;
    c[i] = -b[i];
  }
  auto copy = [&] {
    nnc::runtime::parallelFor(0, chunks, [&](int64_t k) {
      int64_t begin = k * chunk, size = std::min(chunk, elements - begin);
      std::memcpy(a.data() + begin, b.data() + begin, size * sizeof(float));
    });
  };
  auto triad = [&] {
    nnc::runtime::parallelFor(0, chunks, [&](int64_t k) {
      int64_t begin = k * chunk, end = std::min(begin + chunk, elements);
      for (int64_t i = begin; i < end; ++i)
        a[i] = b[i] + 3.0f * c[i];
    });
  };
  const double arrayBytes = 4.0 * static_cast<double>(elements);
  std::vector<Record> records{
      measure("stream_copy", "stream", copy, minRepeats, minTotalMs),
      measure("stream_triad", "stream", triad, minRepeats, minTotalMs)};
  records[0].gbps = 2 * arrayBytes / (records[0].medianMs * 1e-3) / 1e9;
  records[1].gbps = 3 * arrayBytes / (records[1].medianMs * 1e-3) / 1e9;
  return records;
}

std::string rooflineChartSvg(const std::vector<RooflinePoint> &points,
                             const std::vector<Roof> &roofs,
                             double bandwidthGbps, const std::string &labelImpl,
                             const std::string &title,
                             const std::string &bandwidthName) {
  static const char *const colors[] = {"#3a7dc9", "#e08a2c", "#4a9a5b",
                                       "#8a5bb8", "#c94a3a"};
  std::vector<std::string> impls;
  for (const RooflinePoint &p : points)
    if (std::find(impls.begin(), impls.end(), p.impl) == impls.end())
      impls.push_back(p.impl);
  // Whole decades on both axes, wide enough for every point, the ridges
  // (where the roofs turn flat) and the peaks.
  double xLow = INFINITY, xHigh = -INFINITY, yLow = INFINITY, yHigh = -INFINITY;
  for (const Roof &roof : roofs) {
    double ridge = roof.gflops / bandwidthGbps;
    xLow = std::min(xLow, std::log10(ridge) - 1);
    xHigh = std::max(xHigh, std::log10(ridge) + 1);
    yLow = std::min(yLow, std::log10(roof.gflops) - 1.5);
    yHigh = std::max(yHigh, std::log10(roof.gflops));
  }
  for (const RooflinePoint &p : points) {
    xLow = std::min(xLow, std::log10(p.intensity));
    xHigh = std::max(xHigh, std::log10(p.intensity));
    yLow = std::min(yLow, std::log10(p.gflops));
    yHigh = std::max(yHigh, std::log10(p.gflops));
  }
  if (roofs.empty()) {
    // The bandwidth line over the points' intensities.
    for (const RooflinePoint &p : points)
      yHigh = std::max(yHigh, std::log10(bandwidthGbps * p.intensity));
  }
  xLow = std::floor(xLow), xHigh = std::ceil(xHigh);
  yLow = std::floor(yLow), yHigh = std::ceil(yHigh + 0.05);
  // One legend line per roof, or one for the bandwidth line alone.
  const size_t roofLines = std::max<size_t>(roofs.size(), 1);
  // Room on the right for the labels of the points furthest right.
  const int left = 70, top = 40 + 18 * int(impls.size() + roofLines),
            plotWidth = 640, plotHeight = 420, right = 130;
  auto xOf = [&](double intensity) {
    return left + (std::log10(intensity) - xLow) / (xHigh - xLow) * plotWidth;
  };
  auto yOf = [&](double gflops) {
    return top + plotHeight -
           (std::log10(gflops) - yLow) / (yHigh - yLow) * plotHeight;
  };
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
     << left + plotWidth + right << "\" height=\"" << top + plotHeight + 50
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << "<text x=\"10\" y=\"22\" font-size=\"15\">" << title << "</text>\n";
  char text[160];
  for (size_t i = 0; i < impls.size(); ++i) {
    int y = 34 + 18 * int(i);
    os << "<circle cx=\"" << left + 6 << "\" cy=\"" << y + 6
       << "\" r=\"4\" fill=\"" << colors[i % 5] << "\"/>\n<text x=\""
       << left + 18 << "\" y=\"" << y + 10 << "\">" << impls[i] << "</text>\n";
  }
  // The first roof solid, the others dashed.
  auto dash = [](size_t roof) {
    return roof == 0 ? "" : " stroke-dasharray=\"6 4\"";
  };
  for (size_t r = 0; r < roofs.size(); ++r) {
    int y = 34 + 18 * int(impls.size() + r);
    std::snprintf(text, sizeof text, "roof: %s %.0f GFLOP/s, %.1f GB/s %s",
                  roofs[r].name.c_str(), roofs[r].gflops, bandwidthGbps,
                  bandwidthName.c_str());
    os << "<line x1=\"" << left << "\" y1=\"" << y + 6 << "\" x2=\""
       << left + 12 << "\" y2=\"" << y + 6 << "\" stroke=\"black\" "
       << "stroke-width=\"2\"" << dash(r) << "/>\n<text x=\"" << left + 18
       << "\" y=\"" << y + 10 << "\">" << text << "</text>\n";
  }
  for (double d = xLow; d <= xHigh; ++d) {
    double x = xOf(std::pow(10, d));
    std::snprintf(text, sizeof text, "%g", std::pow(10, d));
    os << "<line x1=\"" << x << "\" y1=\"" << top << "\" x2=\"" << x
       << "\" y2=\"" << top + plotHeight
       << "\" stroke=\"#dddddd\"/>\n<text x=\"" << x << "\" y=\""
       << top + plotHeight + 16 << "\" text-anchor=\"middle\">" << text
       << "</text>\n";
  }
  for (double d = yLow; d <= yHigh; ++d) {
    double y = yOf(std::pow(10, d));
    std::snprintf(text, sizeof text, "%g", std::pow(10, d));
    os << "<line x1=\"" << left << "\" y1=\"" << y << "\" x2=\""
       << left + plotWidth << "\" y2=\"" << y
       << "\" stroke=\"#dddddd\"/>\n<text x=\"" << left - 6 << "\" y=\""
       << y + 4 << "\" text-anchor=\"end\">" << text << "</text>\n";
  }
  // Each roof: bandwidth-bound left of its ridge, compute-bound right of it.
  double xStart = std::pow(10, xLow), xEnd = std::pow(10, xHigh);
  double yStart = std::max(bandwidthGbps * xStart, std::pow(10, yLow));
  if (roofs.empty()) {
    int y = 34 + 18 * int(impls.size());
    std::snprintf(text, sizeof text, "roof: %.1f GB/s %s", bandwidthGbps,
                  bandwidthName.c_str());
    os << "<line x1=\"" << left << "\" y1=\"" << y + 6 << "\" x2=\""
       << left + 12 << "\" y2=\"" << y + 6
       << "\" stroke=\"black\" stroke-width=\"2\"/>\n<text x=\"" << left + 18
       << "\" y=\"" << y + 10 << "\">" << text << "</text>\n";
    double yEnd = std::min(bandwidthGbps * xEnd, std::pow(10, yHigh));
    os << "<polyline fill=\"none\" stroke=\"black\" stroke-width=\"2\" "
       << "points=\"" << xOf(yStart / bandwidthGbps) << "," << yOf(yStart)
       << " " << xOf(yEnd / bandwidthGbps) << "," << yOf(yEnd) << "\"/>\n";
  }
  for (size_t r = 0; r < roofs.size(); ++r) {
    double peak = roofs[r].gflops;
    os << "<polyline fill=\"none\" stroke=\"black\" stroke-width=\"2\""
       << dash(r) << " points=\"" << xOf(yStart / bandwidthGbps) << ","
       << yOf(yStart) << " " << xOf(peak / bandwidthGbps) << "," << yOf(peak)
       << " " << xOf(xEnd) << "," << yOf(peak) << "\"/>\n";
  }
  for (const RooflinePoint &p : points) {
    size_t color =
        std::find(impls.begin(), impls.end(), p.impl) - impls.begin();
    double x = xOf(p.intensity), y = yOf(p.gflops);
    os << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"4\" fill=\""
       << colors[color % 5] << "\" fill-opacity=\"0.8\"/>\n";
    if (p.impl == labelImpl)
      os << "<text x=\"" << x + 6 << "\" y=\"" << y + 3 << "\" font-size=\"9\">"
         << p.label << "</text>\n";
  }
  os << "<text x=\"" << left + plotWidth / 2 << "\" y=\""
     << top + plotHeight + 36
     << "\" text-anchor=\"middle\">arithmetic intensity (FLOP per byte of "
        "compulsory traffic, log)</text>\n";
  os << "<text transform=\"translate(16," << top + plotHeight / 2
     << ") rotate(-90)\" text-anchor=\"middle\">GFLOP/s (log)</text>\n";
  os << "</svg>\n";
  return os.str();
}

Options parseOptions(const std::string &program, int argc, char **argv,
                     bool acceptsCase) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        throw std::invalid_argument(program + ": " + a + " needs a value");
      return argv[++i];
    };
    if (a == "--json")
      o.jsonPath = value();
    else if (a == "--svg")
      o.svgPath = value();
    else if (a == "--threads")
      o.threads = std::atoi(value().c_str());
    else if (a == "--quick")
      o.quick = true;
    else if (acceptsCase && a == "--case")
      o.caseFilter = value();
    else
      throw std::invalid_argument(
          program + ": unknown argument '" + a +
          "' (use --json FILE, --svg FILE, --threads N, --quick" +
          (acceptsCase ? ", --case SUBSTRING)" : ")"));
  }
  if (o.threads < 1)
    throw std::invalid_argument(program + ": --threads must be >= 1");
  return o;
}

void writeFile(const std::string &path, const std::string &text) {
  std::ofstream out(path);
  if (!out)
    throw std::runtime_error("cannot write '" + path + "'");
  out << text;
  if (!out)
    throw std::runtime_error("error writing '" + path + "'");
}

} // namespace nnc::bench
