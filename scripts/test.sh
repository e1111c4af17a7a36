#!/usr/bin/env bash
# The whole test suite: set-up, configure, build, then every lit and
# GoogleTest test through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}

"$root/scripts/build.sh"
ctest --test-dir "$build" --output-on-failure -j2
