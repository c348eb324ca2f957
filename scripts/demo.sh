#!/usr/bin/env bash
# Installs what is missing, builds wst, and runs the main example: the
# harmonic test signal reconstructed from its scattering coefficients
# (bold driver, 200 iterations), with plots, audio and the loss history.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
wst_install_dependencies

build=${WST_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$(nproc)" --target reconstruct_harmonic
out=${1:-demo-output}
"$build/examples/reconstruct_harmonic" "$out"
dir=$(cd "$out" && pwd)
echo
echo "Plots: $dir/original.png, reconstruction.png, loss.png,"
echo "       spectrogram_original.png, spectrogram_reconstruction.png"
echo "Audio: $dir/original.wav, reconstruction.wav   Loss history: $dir/loss.csv"
