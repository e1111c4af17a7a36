#!/usr/bin/env bash
# The main job: the seeds' appendix on Fashion-MNIST (examples/fashion_mnist.cpp).
# Logistic regression on raw pixels and the seeds' SmallCNN, each trained
# eagerly and with compile_step (Adam 1e-3, batch 64, 3 epochs, 12000 training
# images, 2000 test images); prints both accuracies, the gap between the
# models, the fused-vs-eager speed-ups and one JSON line.
# Arguments go to the example: --epochs N --train N --test N --threads N --data DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh" --with-data
"$root/scripts/build.sh" fashion_mnist
"$build/bin/fashion_mnist" "$@"
