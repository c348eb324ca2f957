#!/usr/bin/env bash
# Installs what is missing, builds wst, its tools and tests, and runs every test:
#   1. the release build's suite (unit tests, the tools from outside, the
#      installed package, the benchmarks' smoke runs);
#   2. the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the concurrency tests under ThreadSanitizer;
#   4. each libFuzzer target (clang) for WST_FUZZ_SECONDS (default 12) over
#      its seed corpus, tests/fuzz/corpus/<target>.
# ./scripts/test.sh --quick runs step 1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
wst_install_dependencies

mode=${1:-all}
jobs=$(nproc)
build=${WST_BUILD_DIR:-build}
step() { printf '\n=== %s (at %d s) ===\n' "$*" "$SECONDS"; }
trap 'printf "\n=== test.sh: %d s in all ===\n" "$SECONDS"' EXIT

step "1. release build, every test"
# The CUDA code for one architecture, sm_90 (machine code and PTX): what the
# GPU check's H200 runs, and a third less nvcc time than the default's two.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs"
[ "$mode" = --quick ] && exit 0

# The sanitized builds leave out what they cannot check (the package test
# builds another project with its own flags), the benchmark programs, whose
# smoke and memory runs the release build makes (under ASan the 2^22 sample
# run alone takes over a minute), and the example programs, short programs
# over the library that the unit tests and the two tools cover there (they
# were a third of the sanitizer build's compile time; the release build
# runs them). They compile at -Og, with line
# tables only (-g1): enough for the sanitizers' stack traces. (Against -O1:
# the sanitizer build 306 s instead of 508 s on two cores, its suite 127 s
# instead of 120 s; against -g, a third less compile time.)
step "2. AddressSanitizer + UndefinedBehaviorSanitizer, every test"
# (-fno-sanitize=vptr: the dynamic-type check of every member call costs a
# tenth of the build's compile time, and the library has no class hierarchy
# for it to check.)
sanitize="-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined"
# (-Wno-maybe-uninitialized: GCC's false alarms in libstdc++'s <regex>.)
cmake -S . -B "$build-asan" -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_CXX_FLAGS="-Og -g1 -fno-omit-frame-pointer -Wno-maybe-uninitialized $sanitize" \
    -DCMAKE_EXE_LINKER_FLAGS="$sanitize" -DWST_CUDA=OFF -DWST_BUILD_BENCHMARKS=OFF -DWST_BUILD_EXAMPLE_PROGRAMS=OFF
cmake --build "$build-asan" -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$build-asan" --output-on-failure -j "$jobs" -E package_consumer

step "3. ThreadSanitizer, the concurrency tests"
cmake -S . -B "$build-tsan" -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-Og -g1 -Wno-maybe-uninitialized -fsanitize=thread" \
    -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DWST_BUILD_EXAMPLES=OFF -DWST_BUILD_BENCHMARKS=OFF -DWST_CUDA=OFF
cmake --build "$build-tsan" -j "$jobs" --target wst_concurrency_tests
TSAN_OPTIONS=halt_on_error=1 "$build-tsan/tests/wst_concurrency_tests" "[threads]"

step "4. libFuzzer targets, ${WST_FUZZ_SECONDS:-12} s each"
cmake -S . -B "$build-fuzz" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g" \
    -DWST_BUILD_FUZZERS=ON -DWST_BUILD_TESTS=OFF -DWST_BUILD_EXAMPLES=OFF -DWST_BUILD_BENCHMARKS=OFF -DWST_CUDA=OFF
cmake --build "$build-fuzz" -j "$jobs"
# One target per core at a time, each for the full time; each one's log is
# printed when it ends.
fuzz_one() {
    local target=$1 found log status=0
    found=$(mktemp -d)  # new inputs go here, not into the seed corpus
    log="$build-fuzz/fuzz_$target.log"
    "$build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="${WST_FUZZ_SECONDS:-12}" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 "$found" "tests/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
    rm -rf "$found"
    printf -- '--- fuzz_%s (exit %d) ---\n' "$target" "$status"
    tail -n 25 "$log"
    return "$status"
}
export -f fuzz_one
export build
printf '%s\n' npy npz signal cli | xargs -P "$jobs" -I{} bash -c 'fuzz_one {}'
