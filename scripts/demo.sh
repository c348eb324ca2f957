#!/usr/bin/env bash
# Installs what is missing, builds wst, and computes and plots the scattering
# transform of the harmonic test signal.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
wst_install_dependencies

build=${WST_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$(nproc)" --target scatter_harmonic
out=${1:-demo-output}
"$build/examples/scatter_harmonic" "$out"
echo "Plots: $(cd "$out" && pwd)/signal.png, order1.png, order2.png"
