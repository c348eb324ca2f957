#!/usr/bin/env python3
"""Times wst (wst-bench) and, when it is importable, Kymatio's torch frontend
on the same configurations (float32, 2 threads) and prints the ratios.

Usage: python3 bench/compare_kymatio.py [path/to/wst-bench]
       python3 bench/compare_kymatio.py --write FILE

Without Kymatio, the Kymatio figures measured on this project's kind of
machine (2-core AMD EPYC, torch CPU, 2 threads, float32) are used.

--write FILE times Kymatio here (it must be importable) and writes its times
as JSON for wst-bench --kymatio=FILE, which prints the ratios itself. The
file adds the JTFS torch figures of bench/kymatio_jtfs/kymatio_jtfs_times.json
(time_jtfs.py's medians; timing JTFS takes minutes).
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
# Kymatio 0.4, torch frontend, CPU, 2 threads, float32 (ms): forward, forward + backward.
KYMATIO_MEASURED = {"eeg": (12.9, 33.5), "speech": (162.0, 427.0), "music": (6995.0, 21811.0), "seed": (None, 138.0)}


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


def time_wst(bench):
    ops = "forward|forward_vjp"
    out = subprocess.run([bench, "--benchmark_filter=^(%s)/(eeg|speech|music|seed)/float/t2/" % ops,
                          "--benchmark_min_time=0.2", "--benchmark_format=json"],
                         capture_output=True, text=True, check=True)
    figures = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        op, config = b["name"].split("/")[:2]
        ms = b["real_time"] if b["time_unit"] == "ms" else b["real_time"] / 1e6
        figures.setdefault(config, {})[op] = ms
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
    bench = args.bench
    try:
        kymatio = time_kymatio()
        source = "measured now"
    except ImportError as e:
        kymatio = KYMATIO_MEASURED
        source = "the reference figures (Kymatio is not importable here: %s)" % e
    wst = time_wst(bench)
    print("Kymatio: %s. wst: %s, float, 2 threads." % (source, bench))
    print("%-8s %14s %14s %8s %18s %18s %8s" % ("config", "kymatio fwd", "wst fwd", "ratio",
                                              "kymatio fwd+bwd", "wst fwd+bwd", "ratio"))
    for name in CONFIGS:
        kf, kb = kymatio[name]
        wf, wb = wst[name].get("forward"), wst[name].get("forward_vjp")
        cell = lambda v: "%.2f ms" % v if v is not None else "-"
        ratio = lambda k, w: "%.1fx" % (k / w) if k is not None and w else "-"
        print("%-8s %14s %14s %8s %18s %18s %8s" % (name, cell(kf), cell(wf), ratio(kf, wf), cell(kb), cell(wb),
                                                  ratio(kb, wb)))


if __name__ == "__main__":
    main()
