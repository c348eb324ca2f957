#!/usr/bin/env bash
# The CUDA backend's check, prepared here and run in one command on a GPU
# machine that has CUDA but none of Debian's -dev packages and no network.
#
#   scripts/gpu-check.sh [--build DIR] [BUNDLE]
#       Here: builds with nvcc, in DIR (default ${WST_BUILD_DIR:-build},
#       Release, WST_CUDA=ON), wst_cuda_tests, wst-bench (with its CUDA
#       benchmarks) and wst-reconstruct (--backend cuda), and gathers them
#       into BUNDLE (default build-gpu-bundle, an ignored folder) with the
#       shared libraries they need beyond CUDA's and glibc (found with ldd),
#       the reference data and an input signal. Prints BUNDLE's path last.
#   scripts/gpu-check.sh --gather BUILD BUNDLE
#       The gathering alone, from a build that has the three programs (the
#       CTest gpu_bundle does this, then --run, on a machine without a GPU).
#   scripts/gpu-check.sh --run BUNDLE
#       On the GPU machine: runs everything from BUNDLE with only its own
#       libraries (and CUDA's), writes BUNDLE/report.md (and $OUT/report.md
#       when $OUT is set) and exits non-zero if a check failed. On a machine
#       without a GPU the GPU tests report that they were skipped.
#
# The device tool, from the repository root:
#   run(command="scripts/gpu-check.sh --run build-gpu-bundle", carry=["build-gpu-bundle"])
set -euo pipefail
cd "$(dirname "$0")/.."

# CUDA's own libraries and glibc's are the machine's; everything else travels.
system_library() {
    case "$(basename "$1")" in
        linux-vdso* | ld-linux* | libc.so* | libm.so* | libpthread.so* | libdl.so* | librt.so* | libcuda.so* | \
            libcudart.so* | libcufft.so* | libcufftw.so* | libnvidia*) return 0 ;;
    esac
    return 1
}

build_and_gather() {
    local build=${WST_BUILD_DIR:-build} out=build-gpu-bundle
    while [ $# -gt 0 ]; do
        case "$1" in
            --build) build=$2; shift 2 ;;
            *) out=$1; shift ;;
        esac
    done
    source scripts/deps.sh
    wst_install_dependencies
    [ -x /usr/local/cuda/bin/nvcc ] || command -v nvcc >/dev/null || {
        echo "gpu-check.sh: no nvcc here (CUDA toolkit in /usr/local/cuda or on PATH): cannot build the GPU bundle" >&2
        exit 1
    }
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DWST_CUDA=ON >/dev/null
    cmake --build "$build" -j "$(nproc)" --target wst_cuda_tests wst-bench wst-reconstruct
    gather "$build" "$out"
}

# The bundle from a build that has the three programs.
gather() {
    local build=$1 out=$2
    rm -rf "$out"
    mkdir -p "$out/bin" "$out/lib" "$out/data"
    cp "$build/tests/wst_cuda_tests" "$build/bench/wst-bench" "$build/examples/wst-reconstruct" "$out/bin/"
    strip --strip-debug "$out"/bin/*
    for binary in "$out"/bin/*; do
        ldd "$binary" | awk '/=> \// { print $3 }' | while read -r lib; do
            system_library "$lib" || [ -e "$out/lib/$(basename "$lib")" ] || cp -L "$lib" "$out/lib/"
        done
    done
    cp -r tests/data/reference "$out/data/reference"
    # Row 0 of the seed case: the harmonic signal of the reconstruction example.
    /usr/bin/python3 -c 'import sys, numpy as np; np.save(sys.argv[2], np.load(sys.argv[1])[0])' \
        tests/data/reference/seed_harmonic/x.npy "$out/data/harmonic.npy"
    cp scripts/gpu_report.py bench/compare_kymatio.py bench/kymatio_times.json "$out/"
    git rev-parse HEAD >"$out/commit" 2>/dev/null || echo unknown >"$out/commit"
    local size
    size=$(du -sm "$out" | cut -f1)
    if [ "$size" -ge 64 ]; then
        echo "gpu-check.sh: the bundle is $size MiB, over the 64 MiB a device run may carry" >&2
        exit 1
    fi
    echo "GPU bundle: $size MiB, commit $(cat "$out/commit")"
    echo "$out"
}

run_bundle() {
    local b
    b=$(cd "$1" && pwd)
    local logs="$b/logs"
    rm -rf "$logs"
    mkdir -p "$logs"
    local cuda_lib=""
    for d in /usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda/targets/x86_64-linux/lib; do
        [ -d "$d" ] && cuda_lib="$cuda_lib:$d"
    done
    export LD_LIBRARY_PATH="$b/lib$cuda_lib"
    export WST_REFERENCE_DIR="$b/data/reference"
    local status=0

    # The device (or its absence).
    local gpu=no
    if command -v nvidia-smi >/dev/null && nvidia-smi -L >"$logs/device.txt" 2>&1 && grep -q '^GPU' "$logs/device.txt"; then
        gpu=yes
        nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv >>"$logs/device.txt" 2>&1 || true
        export WST_REQUIRE_GPU=1  # a GPU machine on which the tests skip has failed
    else
        echo "no GPU (nvidia-smi lists none)" >"$logs/device.txt"
    fi

    # Only the bundle's libraries, CUDA's and glibc's.
    : >"$logs/libraries.txt"
    for binary in "$b"/bin/*; do
        ldd "$binary" | awk -v bin="$(basename "$binary")" '/=>/ { print bin ": " $1 " => " $3 }' >>"$logs/libraries.txt"
    done
    while read -r _ name _ path; do
        case "$path" in
            "$b"/lib/*) ;;
            "not found") echo "missing: $name" >>"$logs/libraries_outside.txt" ;;
            *) system_library "$path" || echo "outside the bundle: $name => $path" >>"$logs/libraries_outside.txt" ;;
        esac
    done <"$logs/libraries.txt"
    [ -s "$logs/libraries_outside.txt" ] && status=1

    # Tests, double and float, every part; then memcheck on the parts that
    # touch every kernel and layout.
    timeout 600 "$b/bin/wst_cuda_tests" >"$logs/tests.txt" 2>&1 || status=1
    if [ "$gpu" = yes ]; then
        local sanitizer
        sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
        if [ -x "$sanitizer" ]; then
            timeout 300 "$sanitizer" --tool memcheck --error-exitcode 9 "$b/bin/wst_cuda_tests" reference configurations jtfs \
                >"$logs/memcheck.txt" 2>&1 || { echo "exit status $?" >>"$logs/memcheck.txt"; status=1; }
        else
            echo "compute-sanitizer not found" >"$logs/memcheck.txt"
        fi
        # Timings: the GPU (batch 32 and 256, the cuFFT floor, reconstructions,
        # transfers) and the CPU on the same machine (2 threads, as Kymatio's figures).
        timeout 420 "$b/bin/wst-bench" --benchmark_filter='cuda_b' --benchmark_min_time=0.2 \
            --benchmark_format=json --benchmark_out="$logs/bench_gpu.json" >"$logs/bench_gpu.txt" 2>&1 || status=1
        timeout 300 "$b/bin/wst-bench" --benchmark_filter='^(forward|backward)/(eeg|speech|music|seed)/float/t2$' \
            --benchmark_min_time=0.2 --benchmark_format=json --benchmark_out="$logs/bench_cpu.json" \
            >"$logs/bench_cpu.txt" 2>&1 || status=1
    fi
    # A reconstruction from the command line, 200 gradient evaluations.
    local backend=cpu
    [ "$gpu" = yes ] && backend=cuda
    timeout 300 "$b/bin/wst-reconstruct" "$b/data/harmonic.npy" "$logs/reconstruction" --J 6 --Q 16 \
        --backend "$backend" >"$logs/reconstruct.txt" 2>&1 || status=1

    python3 "$b/gpu_report.py" "$b" "$gpu" "$status" >"$b/report.md" || status=1
    if [ -n "${OUT:-}" ]; then
        cp "$b/report.md" "$OUT/report.md"
        cp -r "$logs" "$OUT/logs"
    fi
    cat "$b/report.md"
    return "$status"
}

case "${1:-}" in
    --run)
        [ $# -eq 2 ] || { echo "usage: scripts/gpu-check.sh --run BUNDLE" >&2; exit 2; }
        run_bundle "$2" ;;
    --gather)
        [ $# -eq 3 ] || { echo "usage: scripts/gpu-check.sh --gather BUILD BUNDLE" >&2; exit 2; }
        gather "$2" "$3" ;;
    *) build_and_gather "$@" ;;
esac
