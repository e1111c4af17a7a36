//===- frontend/metrics/ProgressBar.cpp - A training-loop progress line ---===//
#include "frontend/metrics/ProgressBar.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace nnc {

ProgressBar::ProgressBar(int64_t total_steps, std::string description)
    : ProgressBar(total_steps, std::move(description), std::cerr,
                  isatty(fileno(stderr)) != 0) {}

ProgressBar::ProgressBar(int64_t total_steps, std::string description,
                         std::ostream &out, bool interactive,
                         double min_redraw_seconds)
    : total_(total_steps), description_(std::move(description)), out_(out),
      interactive_(interactive), minRedrawSeconds_(min_redraw_seconds),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { close(); }

double ProgressBar::elapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start_)
      .count();
}

void ProgressBar::update(int64_t step, double loss, int64_t items) {
  step_ = step;
  loss_ = loss;
  hasLoss_ = true;
  items_ += items;
  if (!interactive_ || closed_)
    return;
  double now = elapsedSeconds();
  if (step < total_ && lastDrawSeconds_ >= 0 &&
      now - lastDrawSeconds_ < minRedrawSeconds_)
    return;
  lastDrawSeconds_ = now;
  draw();
}

void ProgressBar::draw() {
  std::string text = line(/*withBar=*/true);
  // Blanks cover the rest of a longer previous line.
  size_t width = text.size();
  text.append(lastWidth_ > width ? lastWidth_ - width : 0, ' ');
  lastWidth_ = width;
  out_ << '\r' << text << std::flush;
}

std::string ProgressBar::line(bool withBar) const {
  std::ostringstream os;
  if (!description_.empty())
    os << description_ << ' ';
  if (withBar && total_ > 0) {
    constexpr int64_t kBarWidth = 20;
    int64_t filled =
        std::clamp<int64_t>(step_ * kBarWidth / total_, 0, kBarWidth);
    std::string bar(kBarWidth, ' ');
    std::fill_n(bar.begin(), filled, '=');
    if (filled < kBarWidth)
      bar[filled] = '>';
    os << '[' << bar << "] ";
  }
  os << step_ << '/' << total_;
  if (hasLoss_)
    os << " loss " << std::fixed << std::setprecision(4) << loss_;
  double seconds = elapsedSeconds();
  if (items_ > 0 && seconds > 0)
    os << ' ' << std::fixed << std::setprecision(0) << items_ / seconds
       << " items/s";
  return os.str();
}

void ProgressBar::close() {
  if (closed_)
    return;
  closed_ = true;
  if (interactive_) {
    // The final state stays on screen, and later output starts below it.
    if (lastDrawSeconds_ >= 0) {
      draw();
      out_ << '\n' << std::flush;
    }
    return;
  }
  std::ostringstream os;
  os << line(/*withBar=*/false) << " in " << std::fixed << std::setprecision(1)
     << elapsedSeconds() << " s\n";
  out_ << os.str() << std::flush;
}

} // namespace nnc
