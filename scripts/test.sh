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
# (On exit, a build still running in the background is stopped.)
trap 'jobs -p | xargs -r kill 2>/dev/null; printf "\n=== test.sh: %d s in all ===\n" "$SECONDS"' EXIT

# Each step's build starts while the step before runs its tests, which
# leave the cores idle part of the time (a long test running alone at the
# end). It runs in the background, its output in a log, printed in full if
# the build fails.
background() {  # background LOG COMMAND...: starts it; its pid in $!
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
}
finish_background() {  # finish_background PID LOG WHAT
    local status=0
    wait "$1" || status=$?
    if [ "$status" -ne 0 ]; then
        cat "$2"
        printf '\n%s failed (exit %d; log %s)\n' "$3" "$status" "$2"
        exit "$status"
    fi
    printf '%s: done (log %s)\n' "$3" "$2"
}

step "1. release build, every test"
# The CUDA code for one architecture, sm_90 (machine code and PTX): what the
# GPU check's H200 runs, and a third less nvcc time than the default's two.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90
cmake --build "$build" -j "$jobs"
if [ "$mode" = --quick ]; then
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    exit 0
fi

# The sanitized builds leave out what they cannot check (the package test
# builds another project with its own flags; an instrumented Python module
# cannot load into Debian's uninstrumented python3), the benchmark programs, whose
# smoke and memory runs the release build makes (under ASan the 2^22 sample
# run alone takes over a minute), and the example programs, short programs
# over the library that the unit tests and the two tools cover there (they
# were a third of the sanitizer build's compile time; the release build
# runs them). They compile at -Og, with line tables only (-g1): enough for
# the sanitizers' stack traces. (Against -O1: the sanitizer build 306 s
# instead of 508 s on two cores, its suite 127 s instead of 120 s; against
# -g, a third less compile time.)
# (-fno-sanitize=vptr: the dynamic-type check of every member call costs a
# tenth of the build's compile time, and the library has no class hierarchy
# for it to check.)
sanitize="-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined"
# (-Wno-maybe-uninitialized: GCC's false alarms in libstdc++'s <regex>.)
cmake -S . -B "$build-asan" -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_CXX_FLAGS="-Og -g1 -fno-omit-frame-pointer -Wno-maybe-uninitialized $sanitize" \
    -DCMAKE_EXE_LINKER_FLAGS="$sanitize" -DWST_CUDA=OFF -DWST_PYTHON=OFF -DWST_BUILD_BENCHMARKS=OFF -DWST_BUILD_EXAMPLE_PROGRAMS=OFF
background "$build-asan/build.log" cmake --build "$build-asan" -j "$jobs"
asan_build=$!
ctest --test-dir "$build" --output-on-failure -j "$jobs"

step "2. AddressSanitizer + UndefinedBehaviorSanitizer, every test"
finish_background "$asan_build" "$build-asan/build.log" "the sanitizer build"
# Meanwhile the ThreadSanitizer build and the libFuzzer targets (clang).
build_others() {
    cmake -S . -B "$build-tsan" -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-Og -g1 -Wno-maybe-uninitialized -fsanitize=thread" \
        -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DWST_BUILD_EXAMPLES=OFF -DWST_BUILD_BENCHMARKS=OFF -DWST_CUDA=OFF -DWST_PYTHON=OFF &&
        cmake --build "$build-tsan" -j "$jobs" --target wst_concurrency_tests &&
        cmake -S . -B "$build-fuzz" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g" \
            -DWST_BUILD_FUZZERS=ON -DWST_BUILD_TESTS=OFF -DWST_BUILD_EXAMPLES=OFF -DWST_BUILD_BENCHMARKS=OFF -DWST_CUDA=OFF -DWST_PYTHON=OFF &&
        cmake --build "$build-fuzz" -j "$jobs"
}
mkdir -p "$build-tsan"
background "$build-tsan/build-tsan-and-fuzz.log" build_others
others_build=$!
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$build-asan" --output-on-failure -j "$jobs" -E package_consumer

step "3. ThreadSanitizer, the concurrency tests"
finish_background "$others_build" "$build-tsan/build-tsan-and-fuzz.log" "the ThreadSanitizer and libFuzzer builds"
TSAN_OPTIONS=halt_on_error=1 "$build-tsan/tests/wst_concurrency_tests" "[threads]"

step "4. libFuzzer targets, ${WST_FUZZ_SECONDS:-12} s each"
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
