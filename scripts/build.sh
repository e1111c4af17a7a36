#!/usr/bin/env bash
# Installs what nnc needs (scripts/setup.sh), configures with CMake + Ninja
# against LLVM/MLIR 22 and builds the given targets (all when none given).
# Usage: scripts/build.sh [target...]     Build dir: $NNC_BUILD_DIR or ./build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
if (($#)); then
  cmake --build "$build" --target "$@"
else
  cmake --build "$build"
fi
