#!/usr/bin/env python3
"""Times Kymatio's torch frontend on wst-bench's configurations (float32,
2 threads) and has wst-bench print the ratios.

Usage: python3 bench/compare_kymatio.py --write FILE
       python3 bench/compare_kymatio.py [path/to/wst-bench]

--write FILE times Kymatio here (it must be importable) and writes its times
as JSON for wst-bench --kymatio=FILE, which prints the ratios itself
(bench/ratios.hpp). The file adds the JTFS torch figures of
bench/kymatio_jtfs/kymatio_jtfs_times.json (time_jtfs.py's medians; timing
JTFS takes minutes).

With a wst-bench path, it writes those times to a temporary file and runs
wst-bench's forward and forward_vjp benchmarks (2 threads, float) with it.
Where Kymatio is not importable, bench/kymatio_times.json (this project's
machine) stands in for it.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

CONFIGS = {  # name: (J, Q, N, B)
    "eeg": (8, 1, 1024, 32),
    "speech": (8, 8, 4096, 32),
    "music": (13, 12, 65536, 32),
    "seed": (6, 16, 8192, 1),
}
STORED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kymatio_times.json")


def time_kymatio(repeat=3):
    import torch
    from kymatio.torch import Scattering1D

    torch.set_num_threads(2)
    figures = {}
    for name, (J, Q, N, B) in CONFIGS.items():
        S = Scattering1D(J=J, shape=N, Q=Q)
        x = torch.randn(B, N, dtype=torch.float32, requires_grad=True)
        forward, both = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            Sx = S(x)
            t1 = time.perf_counter()
            Sx.sum().backward()
            t2 = time.perf_counter()
            forward.append(1000 * (t1 - t0))
            both.append(1000 * (t2 - t0))
        figures[name] = (min(forward), min(both))
    return figures


def write_times(path):
    """Kymatio's times measured now, and the stored JTFS ones, to path (atomically)."""
    import kymatio
    import torch
    times = {name: {"forward": f, "forward_backward": b} for name, (f, b) in time_kymatio().items()}
    jtfs_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kymatio_jtfs", "kymatio_jtfs_times.json")
    jtfs = json.load(open(jtfs_file))
    for name, r in jtfs["results"].items():
        times[name] = {"forward": 1000 * r["torch_forward_s"], "forward_backward": 1000 * r["torch_forward_backward_s"]}
    description = ("Scattering1D measured %s on %s, kymatio %s, torch %s, 2 threads, float32, fastest of 3; "
                   "JTFS from kymatio_jtfs_times.json, median of 5" %
                   (datetime.date.today().isoformat(), platform.processor() or platform.machine(),
                    getattr(kymatio, "__version__", "?"), torch.__version__))
    out = {"description": description, "times_ms": times}
    folder = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
        json.dump(out, f, indent=1)
    os.replace(f.name, path)
    print("wrote", path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench", nargs="?", default="build/bench/wst-bench")
    parser.add_argument("--write", metavar="FILE", help="time Kymatio and write its times for wst-bench --kymatio=FILE")
    args = parser.parse_args()
    if args.write:
        try:
            write_times(args.write)
        except ImportError as e:
            sys.exit("compare_kymatio.py --write: Kymatio and torch must be importable to time them (%s)" % e)
        return
    with tempfile.TemporaryDirectory() as tmp:
        times = os.path.join(tmp, "kymatio_times.json")
        try:
            write_times(times)
        except ImportError as e:
            print("Kymatio is not importable here (%s): its times from %s" % (e, STORED))
            times = STORED
        subprocess.run([args.bench, "--kymatio=" + times, "--benchmark_min_time=0.5",
                        "--benchmark_filter=^(forward|forward_vjp)/(eeg|speech|music|seed|jtfs/.*)/float/t2/"], check=True)


if __name__ == "__main__":
    main()
