#!/usr/bin/env bash
# Benchmarks (DESIGN.md §10): nnc-bench times every case eagerly, compiled and,
# for the seeds' MLP and SmallCNN, in libtorch (Debian's libtorch-dev, a peer
# installed by `setup.sh --with-peers`), in one process with the same threads,
# prints the table of ratios, and writes the JSON records and the SVG chart to
# bench/results/nnc-bench-<date>.{json,svg}.
# Arguments go to nnc-bench: --threads N (default 2), --quick.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}
results=$root/bench/results/nnc-bench-$(date -u +%F)

"$root/scripts/setup.sh" --with-peers
# A build configured before libtorch was installed looks for it again.
if [[ -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" >/dev/null
fi
"$root/scripts/build.sh" nnc-bench
"$build/bin/nnc-bench" --json "$results.json" --svg "$results.svg" "$@"
