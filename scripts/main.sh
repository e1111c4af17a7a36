#!/usr/bin/env bash
# The main job. Until the seeds' CNN exists (issue 5) it runs the two-layer
# MLP example eagerly and compiled and prints results and times.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}

"$root/scripts/build.sh" mlp_example
"$build/bin/mlp_example" "$@"
