#!/usr/bin/env bash
# Issue 6's measurement (DESIGN.md §10): nnc-gemm-bench times nnc's generated
# GEMM (f32, bf16) and convolutions (forward, backward data, backward weight)
# against OpenBLAS and oneDNN (Debian's libopenblas-dev and libdnnl-dev,
# peers installed by `setup.sh --with-peers`), a measured FMA peak and a
# STREAM triad, in one process with the same threads, prints the table, and
# writes the JSON records and the roofline chart to
# bench/results/nnc-gemm-bench-<date>.{json,svg}.
# Arguments go to nnc-gemm-bench: --threads N (default 2), --quick.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}
results=$root/bench/results/nnc-gemm-bench-$(date -u +%F)

"$root/scripts/setup.sh" --with-peers
# A build configured before the peers were installed looks for them again.
if [[ -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" >/dev/null
fi
"$root/scripts/build.sh" nnc-gemm-bench
"$build/bin/nnc-gemm-bench" --json "$results.json" --svg "$results.svg" "$@"
