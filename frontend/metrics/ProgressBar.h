//===- frontend/metrics/ProgressBar.h - Training progress -------*- C++ -*-===//
//
// A tqdm-like line for training loops:
//
//   nnc::ProgressBar bar(loader.size(), "epoch 1/3");
//   for (auto &[x, y] : loader) {
//     ...
//     bar.update(++step, loss.item<float>(), x.size(0));
//   }
//   bar.close();  // or let it go out of scope
//
// On a terminal it redraws one line with '\r' ("epoch 1/3 [=====>    ]
// 94/188 loss 0.4123 3750 items/s"), at most every 0.1 s and at the last
// step. When the output is not a terminal (a log file, CI) it prints one
// summary line when closed and nothing before: a log then has one line per
// epoch, with the final loss and speed, instead of hundreds of redraws or
// none at all.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_METRICS_PROGRESSBAR_H
#define NNC_FRONTEND_METRICS_PROGRESSBAR_H

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace nnc {

class ProgressBar {
public:
  /// Draws on stderr, interactively if stderr is a terminal (isatty).
  ProgressBar(int64_t total_steps, std::string description);
  /// Draws on `out`; `interactive` chooses the redrawn line or the summary.
  /// `min_redraw_seconds` spaces redraws (0 redraws at every update).
  ProgressBar(int64_t total_steps, std::string description, std::ostream &out,
              bool interactive, double min_redraw_seconds = 0.1);
  ~ProgressBar();
  ProgressBar(const ProgressBar &) = delete;
  ProgressBar &operator=(const ProgressBar &) = delete;

  /// `step` steps of total_steps are done, the latest loss is `loss`, and
  /// that step processed `items` items (its batch size), which items/s
  /// counts.
  void update(int64_t step, double loss, int64_t items = 0);
  /// Ends the line (terminal) or prints the summary (otherwise). Later calls
  /// do nothing; the destructor calls it.
  void close();

private:
  /// "epoch 1/3 [=====>    ] 94/188 loss 0.4123 3750 items/s", the bar
  /// only if `withBar`.
  std::string line(bool withBar) const;
  /// Redraws the line in place.
  void draw();
  double elapsedSeconds() const;

  int64_t total_;
  std::string description_;
  std::ostream &out_;
  bool interactive_;
  double minRedrawSeconds_;
  std::chrono::steady_clock::time_point start_;
  double lastDrawSeconds_ = -1;
  size_t lastWidth_ = 0;
  int64_t step_ = 0;
  double loss_ = 0;
  bool hasLoss_ = false;
  int64_t items_ = 0;
  bool closed_ = false;
};

} // namespace nnc

#endif // NNC_FRONTEND_METRICS_PROGRESSBAR_H
