#!/usr/bin/env bash
# Installs what is missing, builds wst, its tools and tests, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
wst_install_dependencies

build=${WST_BUILD_DIR:-build}
jobs=$(nproc)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs"
