#!/usr/bin/env python3
"""CTest bench_ratios_fastest: with --benchmark_repetitions=3, the time that
wst-bench's ratio table prints is the fastest of the three runs it reports.

Usage: check_fastest.py WST_BENCH KYMATIO_TIMES_JSON"""
import json
import re
import subprocess
import sys
import tempfile

bench, kymatio = sys.argv[1:3]
with tempfile.NamedTemporaryFile(suffix=".json") as out:
    run = subprocess.run([bench, "--kymatio=" + kymatio, "--benchmark_filter=^forward/eeg/float/t2",
                          "--benchmark_min_time=0.01", "--benchmark_repetitions=3", "--benchmark_out=" + out.name,
                          "--benchmark_out_format=json"], capture_output=True, text=True, check=True)
    report = json.load(open(out.name))
times = sorted(b["real_time"] for b in report["benchmarks"] if b["run_type"] == "iteration")
assert len(times) == 3, "expected 3 runs, found {}".format(len(times))
line = re.search(r"forward/eeg/float/t2 +([0-9.]+) ms", run.stderr)
assert line, "no ratio line for forward/eeg/float/t2 in:\n" + run.stderr
printed, fastest = line.group(1), "{:.2f}".format(times[0])
assert printed == fastest, "printed {} ms; the fastest of the runs {} took {} ms".format(printed, times, fastest)
print("printed {} ms: the fastest of {}".format(printed, times))
