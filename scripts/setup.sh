#!/usr/bin/env bash
# Installs every Debian package nnc needs to build and test (DESIGN.md §8).
# Idempotent: packages already present are skipped, so running it again is cheap.
# Usage: scripts/setup.sh [--with-data] [--with-peers]
#   --with-data   adds the Fashion-MNIST dataset (the main job, examples/)
#   --with-peers  adds the benchmark peers (libtorch, OpenBLAS, oneDNN) and the data
set -euo pipefail

packages=(
  # build
  cmake ninja-build ccache g++ pkg-config
  # MLIR / LLVM 22 (shared libMLIR.so / libLLVM.so), lit, FileCheck
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22
  # eager kernels
  libhalide14-0-dev
  # JSON headers of safetensors files (frontend/serialize/): header-only and
  # well kept, so nnc writes no JSON parser of its own
  nlohmann-json3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # lit runs on python3
  python3 zlib1g-dev libzstd-dev
)
for option in "$@"; do
  case "$option" in
    --with-data) packages+=(dataset-fashion-mnist) ;;
    --with-peers)
      packages+=(libtorch-dev python3-torch libopenblas-dev libdnnl-dev dataset-fashion-mnist) ;;
    *) echo "setup: unknown option '$option' (--with-data, --with-peers)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
