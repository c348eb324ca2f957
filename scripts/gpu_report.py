#!/usr/bin/env python3
"""The GPU check's report (scripts/gpu-check.sh --run): reads the logs of a
bundle's run and prints one Markdown report, in the order to read it: the
device, the libraries, the tests (double first), memcheck, the timings
against the cuFFT floor, the CPU and Kymatio, and the reconstructions.

Usage: gpu_report.py BUNDLE GPU(yes|no) STATUS
"""
import json
import os
import re
import sys

from compare_kymatio import CONFIGS


def kymatio_times():
    """{config: (forward ms, forward+backward ms)} of Kymatio torch on the CPU, from the
    kymatio_times.json that gpu-check.sh copies beside this script (bench/compare_kymatio.py --write)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kymatio_times.json")
    with open(path) as f:
        times = json.load(f)["times_ms"]
    return {name: (t["forward"], t["forward_backward"]) for name, t in times.items()}


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def benchmarks(path):
    """{name: (real time in ms, counters)} of a Google Benchmark JSON file."""
    text = read(path)
    if not text:
        return {}
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
    out = {}
    for b in json.loads(text).get("benchmarks", []):
        out[b["name"]] = (b["real_time"] * scale[b["time_unit"]], b)
    return out


def reconstruction_summary(logs):
    s = read(os.path.join(logs, "reconstruction", "summary.json"))
    if not s:
        print("wst-reconstruct wrote no summary:\n\n```\n%s\n```" % (read(os.path.join(logs, "reconstruct.txt")) or "")[-2000:])
        return
    s = json.loads(s)
    print("wst-reconstruct --backend %s on the harmonic signal (J = 6, Q = 16, defaults): relative error %.5f, "
          "by order %s, spectral convergence %.4f, %d gradient evaluations in %.2f s." % (
              s.get("backend"), s["relative_error"], s["relative_error_by_order"], s["spectral_convergence"] or 0,
              s["gradient_evaluations"], s["wall_seconds"]))


def main():
    bundle, gpu, status = sys.argv[1], sys.argv[2] == "yes", int(sys.argv[3])
    logs = os.path.join(bundle, "logs")
    print("# wst GPU check")
    print()
    print("Commit %s. Overall: **%s**." % ((read(os.path.join(bundle, "commit")) or "?").strip(),
                                          "passed" if status == 0 else "FAILED"))
    print()
    print("## Device")
    print()
    print("```")
    print((read(os.path.join(logs, "device.txt")) or "").strip())
    print("```")
    print()
    outside = read(os.path.join(logs, "libraries_outside.txt"))
    print("## Libraries")
    print()
    print("Every library from the bundle, CUDA or glibc." if not outside else "```\n%s```" % outside)
    print()

    print("## Tests (wst_cuda_tests)")
    print()
    tests = read(os.path.join(logs, "tests.txt")) or ""
    counts = re.findall(r"^(\d+) passed, (\d+) failed", tests, re.M)
    if "skipped" in tests:
        print("No GPU here: the GPU tests were skipped.")
    elif counts:
        print("%s passed, %s failed." % counts[-1])
    else:
        print("No count: the run stopped early (see below).")
    interesting = [l for l in tests.splitlines() if l.startswith(("FAILED", "wst_cuda_tests", "peak device memory"))
                   or "cuFFT" in l or "CUDA error" in l]
    if interesting:
        print()
        print("```")
        print("\n".join(interesting[:60]))
        print("```")
    print()
    if not gpu:
        reconstruction_summary(logs)
        return

    memcheck = read(os.path.join(logs, "memcheck.txt")) or ""
    summary = re.findall(r"ERROR SUMMARY: (\d+) error", memcheck)
    print("## compute-sanitizer memcheck (reference cases, device configurations, JTFS cases)")
    print()
    print("%s errors." % summary[-1] if summary else "```\n%s\n```" % memcheck[-3000:])
    print()

    g = benchmarks(os.path.join(logs, "bench_gpu.json"))
    c = benchmarks(os.path.join(logs, "bench_cpu.json"))
    print("## Timings (ms per call, host arrays in and out)")
    print()
    print("Against the cuFFT floor (the FFTs of one forward pass alone, float), the CPU of this machine (2 threads, "
          "per signal) and Kymatio torch on the CPU (2 threads, float32, per signal, bench/compare_kymatio.py).")
    print()
    print("| config | precision | batch | forward | / floor | backward | / floor | forward vs CPU | forward vs Kymatio | "
          "backward vs CPU | backward vs Kymatio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    kymatio = kymatio_times()
    for name, (_, _, _, B_cpu) in CONFIGS.items():
        k_forward, k_both = kymatio.get(name, (None, None))
        for precision in ("double", "float"):
            for B in (32, 256):
                f = g.get("forward/%s/%s/cuda_b%d" % (name, precision, B))
                bw = g.get("backward/%s/%s/cuda_b%d" % (name, precision, B))
                floor = g.get("fft_floor/%s/float/cuda_b%d" % (name, B))
                cf = c.get("forward/%s/%s/t2" % (name, precision))
                cb = c.get("backward/%s/%s/t2" % (name, precision))

                def cell(v):
                    return "%.3f" % v[0] if v else "-"

                def ratio(a, b):
                    return "%.2f" % (a[0] / b[0]) if a and b else "-"

                def speedup(reference_ms, reference_B, v):
                    if reference_ms is None or not v:
                        return "-"
                    return "%.0fx" % ((reference_ms / reference_B) / (v[0] / B))

                print("| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    name, precision, B, cell(f), ratio(f, floor), cell(bw), ratio(bw, floor),
                    speedup(cf[0] if cf else None, B_cpu, f), speedup(k_forward, B_cpu, f) if precision == "float" else "-",
                    speedup(cb[0] if cb else None, B_cpu, bw), speedup(k_both, B_cpu, bw) if precision == "float" else "-"))
    peaks = [v[1].get("peak_device_MiB", 0) for v in g.values()]
    if peaks:
        print()
        print("Peak device memory over the benchmarks: %.0f MiB." % max(peaks))
    print()
    print("## Reconstruction")
    print()
    print("| run | problems | s per problem | ms per evaluation | worst relative error |")
    print("|---|---|---|---|---|")
    for name, (ms, b) in sorted(g.items()):
        if name.startswith("reconstruct/"):
            print("| %s | %d | %.3f | %.3f | %.5f |" % (name, b.get("problems", 0), b.get("s_per_problem", 0),
                                                      b.get("ms_per_evaluation", 0), b.get("worst_relative_error", 0)))
    for name, (ms, b) in sorted(g.items()):
        if name.startswith("transfers/"):
            print()
            print("%s: %.1f us for %d bytes (one round's copies)." % (name, ms * 1e3, b.get("bytes", 0)))
    print()
    reconstruction_summary(logs)


if __name__ == "__main__":
    main()
