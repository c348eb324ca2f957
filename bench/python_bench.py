#!/usr/bin/env python3
"""Speed through Python (issue 16), the speech configuration (J 8, Q 8, N
4096, 32 signals, float32):

- wst.Scattering1D (numpy frontend) forward against kymatio.numpy's;
- wst's torch frontend forward + backward against kymatio.torch's (CPU);
- the binding's own overhead: wst's Python forward against the C++ call
  (wst-bench forward/speech/float/t<threads>), both means over about a
  second of calls, taken in turn `rounds` times and the fastest of each
  kept (on a shared machine one such mean moves by 5-10% within a minute).

Both at `threads` threads (torch.set_num_threads, wst's threads=); the
ratios from the best of `repeat` calls (Kymatio's of a fifth as many). Needs Kymatio 0.4 importable (PYTHONPATH) for the ratios.

Usage: PYTHONPATH=build/python:/path/to/kymatio python3 bench/python_bench.py [build/bench/wst-bench] [--threads 2]
"""
import argparse
import json
import subprocess
import time

import numpy as np

J, Q, N, B = 8, 8, 4096, 32


def timed(f, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return times


def best(f, repeat):
    return 1000 * min(timed(f, repeat))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wst_bench", nargs="?")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    import torch
    import wst
    torch.set_num_threads(a.threads)
    x = np.random.default_rng(1).standard_normal((B, N)).astype(np.float32)
    S = wst.Scattering1D(J, N, Q, threads=a.threads)
    S(x)
    rows = {"wst numpy forward": best(lambda: S(x), a.repeat)}
    St = wst.Scattering1D(J, N, Q, frontend='torch', threads=a.threads)
    xt = torch.from_numpy(x)

    def torch_both(module):
        y = xt.clone().requires_grad_()
        module(y).sum().backward()

    torch_both(St)
    rows["wst torch forward+backward"] = best(lambda: torch_both(St), a.repeat)
    try:
        import kymatio.numpy
        import kymatio.torch
        K = kymatio.numpy.Scattering1D(J=J, shape=N, Q=Q)
        rows["kymatio.numpy forward"] = best(lambda: K(x), max(2, a.repeat // 5))
        Kt = kymatio.torch.Scattering1D(J=J, shape=N, Q=Q)
        rows["kymatio.torch forward+backward"] = best(lambda: torch_both(Kt), max(2, a.repeat // 5))
    except ImportError as e:
        print("Kymatio not importable (%s): no ratios" % e)
    if a.wst_bench:
        # The mean over about a second, as Google Benchmark's real_time, of
        # the Python call and of the C++ one, in turn.
        python_means, cpp_means = [], []
        for _ in range(a.rounds):
            calls = timed(lambda: S(x), max(a.repeat, int(1.0 / (rows["wst numpy forward"] / 1000)) + 1))
            python_means.append(1000 * sum(calls) / len(calls))
            out = subprocess.run([a.wst_bench, "--benchmark_filter=^forward/speech/float/t%d/" % a.threads,
                                  "--benchmark_format=json", "--benchmark_min_time=1"], capture_output=True, text=True).stdout
            b = json.loads(out)["benchmarks"][0]
            cpp_means.append(b["real_time"] * {"ms": 1, "us": 1e-3, "ns": 1e-6}[b["time_unit"]])
        rows["wst numpy forward, mean"] = min(python_means)
        rows["C++ forward (wst-bench)"] = min(cpp_means)
    for name, ms in rows.items():
        print("%-34s %9.2f ms" % (name, ms))
    if "kymatio.numpy forward" in rows:
        print("numpy forward vs kymatio.numpy: %.1fx (goal >= 10x)" % (rows["kymatio.numpy forward"] / rows["wst numpy forward"]))
        print("torch forward+backward vs kymatio.torch: %.1fx (goal >= 10x)" %
              (rows["kymatio.torch forward+backward"] / rows["wst torch forward+backward"]))
    if "C++ forward (wst-bench)" in rows:
        print("binding overhead: %+.1f%% of the C++ call (goal <= 5%%)" %
              (100 * (rows["wst numpy forward, mean"] / rows["C++ forward (wst-bench)"] - 1)))


if __name__ == "__main__":
    main()
