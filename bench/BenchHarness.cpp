//===- bench/BenchHarness.cpp - Timing, tables, JSON and charts -----------===//
#include "bench/BenchHarness.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace nnc::bench {

Record measure(const std::string &caseName, const std::string &impl,
               const std::function<void()> &fn, int minRepeats,
               double minTotalMs) {
  using Clock = std::chrono::steady_clock;
  fn();
  std::vector<double> times;
  double total = 0;
  while (static_cast<int>(times.size()) < minRepeats || total < minTotalMs) {
    auto start = Clock::now();
    fn();
    double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    times.push_back(ms);
    total += ms;
  }
  std::sort(times.begin(), times.end());
  Record r;
  r.caseName = caseName;
  r.impl = impl;
  r.medianMs = times[times.size() / 2];
  r.minMs = times.front();
  return r;
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
                        const std::string &impl, const std::string &baseline) {
  std::vector<std::string> impls;
  for (const Record &r : records)
    if (std::find(impls.begin(), impls.end(), r.impl) == impls.end())
      impls.push_back(r.impl);
  std::ostringstream os;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%-24s", "case (median ms)");
  os << buf;
  for (const std::string &i : impls) {
    std::snprintf(buf, sizeof buf, "%12s", i.c_str());
    os << buf;
  }
  std::snprintf(buf, sizeof buf, "%16s\n", (impl + "/" + baseline).c_str());
  os << buf;
  for (const std::string &c : caseNames(records)) {
    std::snprintf(buf, sizeof buf, "%-24s", c.c_str());
    os << buf;
    for (const std::string &i : impls) {
      const Record *r = find(records, c, i);
      if (r)
        std::snprintf(buf, sizeof buf, "%12.3f", r->medianMs);
      else
        std::snprintf(buf, sizeof buf, "%12s", "-");
      os << buf;
    }
    if (auto s = speedup(records, c, impl, baseline))
      std::snprintf(buf, sizeof buf, "%15.2fx\n", *s);
    else
      std::snprintf(buf, sizeof buf, "%16s\n", "-");
    os << buf;
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
                            const std::string &impl,
                            const std::string &baseline,
                            const std::string &title) {
  std::vector<std::pair<std::string, double>> bars;
  double maxRatio = 1.0;
  for (const std::string &c : caseNames(records))
    if (auto s = speedup(records, c, impl, baseline)) {
      bars.emplace_back(c, *s);
      maxRatio = std::max(maxRatio, *s);
    }
  const int labelWidth = 200, plotWidth = 440, barHeight = 22, top = 40;
  int height = top + static_cast<int>(bars.size()) * (barHeight + 8) + 40;
  double scale = plotWidth / (maxRatio * 1.1);
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
     << labelWidth + plotWidth + 80 << "\" height=\"" << height
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << "<text x=\"10\" y=\"22\" font-size=\"15\">" << title << "</text>\n";
  for (size_t i = 0; i < bars.size(); ++i) {
    int y = top + static_cast<int>(i) * (barHeight + 8);
    double w = bars[i].second * scale;
    const char *color = bars[i].second >= 1.0 ? "#3a7dc9" : "#c94a3a";
    os << "<text x=\"" << labelWidth - 6 << "\" y=\"" << y + 15
       << "\" text-anchor=\"end\">" << bars[i].first << "</text>\n";
    os << "<rect x=\"" << labelWidth << "\" y=\"" << y << "\" width=\"" << w
       << "\" height=\"" << barHeight << "\" fill=\"" << color << "\"/>\n";
    char label[32];
    std::snprintf(label, sizeof label, "%.2fx", bars[i].second);
    os << "<text x=\"" << labelWidth + w + 4 << "\" y=\"" << y + 15 << "\">"
       << label << "</text>\n";
  }
  double one = labelWidth + scale;
  os << "<line x1=\"" << one << "\" y1=\"" << top - 6 << "\" x2=\"" << one
     << "\" y2=\"" << height - 30
     << "\" stroke=\"black\" stroke-dasharray=\"4 3\"/>\n";
  os << "<text x=\"" << one << "\" y=\"" << height - 14
     << "\" text-anchor=\"middle\">1x (" << baseline << ")</text>\n";
  os << "</svg>\n";
  return os.str();
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
