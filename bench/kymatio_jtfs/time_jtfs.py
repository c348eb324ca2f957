#!/usr/bin/python3
"""Time the vendored Kymatio 0.4 TimeFrequencyScattering (JTFS) on CPU.

numpy frontend forward, torch frontend forward, torch forward+backward
(sum(S * g) with a fixed random cotangent g, then .backward()), 2 threads.
Median of N_RUNS runs after one warm-up. Before each measurement, waits
(up to WAIT_MAX s) for the 1-minute load average to drop below LOAD_MAX, and
records the load average before/after each measurement.

Usage: /usr/bin/python3 time_jtfs.py [--dtypes float32,float64] [--runs 5]
"""
import os
for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[v] = "2"
import sys, json, time, argparse, platform, statistics
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np
import scipy
import torch
torch.set_num_threads(2)
from kymatio.numpy import TimeFrequencyScattering as JTFSNumPy
from jtfs_helpers import make_torch_jtfs

CONFIGS = {
    "jtfs/small":  (dict(J=6, J_fr=3, Q=8, shape=1024), 8),
    "jtfs/chirp":  (dict(J=8, J_fr=4, Q=12, shape=4096), 4),
    "jtfs/speech": (dict(J=8, J_fr=4, Q=12, shape=2 ** 15), 1),
}
LIMITS = {"load_max": 0.5, "wait_max": 240.0}


def wait_quiet():
    t0 = time.time()
    while (os.getloadavg()[0] >= LIMITS["load_max"]
           and time.time() - t0 < LIMITS["wait_max"]):
        time.sleep(5)
    return round(time.time() - t0, 1), os.getloadavg()[0]


def measure(fn, runs):
    waited, load_before = wait_quiet()
    fn()  # warm-up
    ts, cs, ls = [], [], []
    for _ in range(runs):
        ls.append(os.getloadavg()[0])
        c = time.process_time()
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
        cs.append(time.process_time() - c)
    return dict(median_s=statistics.median(ts), min_s=min(ts), runs_s=ts,
                cpu_s=cs, median_cpu_s=statistics.median(cs), load_avg_per_run=ls,
                load_avg_before=load_before, load_avg_after=os.getloadavg()[0],
                waited_s=waited)


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %d logical CPUs (shared), %s, Python %s" % (
        cpu, os.cpu_count(), platform.platform(), platform.python_version())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--out", default=os.path.join(HERE, "kymatio_jtfs_times.json"))
    ap.add_argument("--load-max", type=float, default=LIMITS["load_max"])
    ap.add_argument("--wait-max", type=float, default=LIMITS["wait_max"])
    a = ap.parse_args()
    LIMITS["load_max"], LIMITS["wait_max"] = a.load_max, a.wait_max
    out = {
        "machine": machine(),
        "kymatio_commit": "kymatio/kymatio 0.4 line (TimeFrequencyScatteringBase(J, J_fr, Q, shape, T, stride, Q_fr, F, stride_fr, out_type, format)); "
                          "files vendored per-file from the stored index, see bench/kymatio_jtfs/VENDORED.md",
        "torch": torch.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
        "threads": 2,
        "notes": [
            "median of %d runs after 1 warm-up; seconds per call (one call = the whole batch)" % a.runs,
            "filters built once outside the timed region; format='time', out_type='array'",
            "numpy frontend: scipy.fft (pocketfft, workers=1 i.e. single-threaded FFTs); float32 input gives complex64 FFTs but "
            "Kymatio's float64 filters promote the products to complex128 (that is Kymatio's own behaviour)",
            "torch frontend: Debian torch (no MKL; FFT via pocketfft), torch.set_num_threads(2); float32 = stock module "
            "(filters cast with .float()), float64 = filters rebuilt in float64 (jtfs_helpers.make_torch_jtfs)",
            "min_s: fastest of the runs; median_process_cpu_s: process CPU time (all threads) per call",
            "torch_forward_backward_s: S = jtfs(x); (S * g).sum().backward(), g fixed random cotangent",
            "load_avg = 1-min load average just before the measurement (waited up to %ds for < %.1f); the machine's 2 cores "
            "are shared with other builds, see load_avg_after/waited_s in raw" % (LIMITS["wait_max"], LIMITS["load_max"]),
        ],
    }
    for dt in a.dtypes.split(","):
        npdt = np.dtype(dt)
        tdt = torch.float32 if dt == "float32" else torch.float64
        key = "results" if dt == "float32" else "results_" + dt
        res = out.setdefault(key, {})
        raw = out.setdefault("raw_" + dt, {})
        for name in a.configs.split(","):
            params, batch = CONFIGS[name]
            rng = np.random.default_rng(0)
            x = rng.standard_normal((batch, params["shape"])).astype(npdt)
            Sn = JTFSNumPy(**params)
            St = make_torch_jtfs(tdt, **params)
            xt = torch.from_numpy(x)
            with torch.no_grad():
                shape = tuple(St(xt).shape)
            g = torch.from_numpy(rng.standard_normal(shape)).to(tdt)
            print("%s %s batch=%d out=%s" % (name, dt, batch, shape), flush=True)

            def f_np():
                return Sn(x)

            def f_t():
                with torch.no_grad():
                    return St(xt)

            def f_tb():
                xg = xt.clone().requires_grad_(True)
                (St(xg) * g).sum().backward()
                return xg.grad

            r = {}
            for label, fn in (("numpy_forward", f_np), ("torch_forward", f_t),
                              ("torch_forward_backward", f_tb)):
                m = measure(fn, a.runs)
                r[label] = m
                print("  %-24s %.4f s  (load %.2f -> %.2f, waited %.0fs) runs=%s" % (
                    label, m["median_s"], m["load_avg_before"], m["load_avg_after"],
                    m["waited_s"], ["%.4f" % t for t in m["runs_s"]]), flush=True)
            raw[name] = r
            res[name] = {
                "numpy_forward_s": r["numpy_forward"]["median_s"],
                "torch_forward_s": r["torch_forward"]["median_s"],
                "torch_forward_backward_s": r["torch_forward_backward"]["median_s"],
                "load_avg": {k: r[k]["load_avg_before"] for k in r},
                "min_s": {k: r[k]["min_s"] for k in r},
                "median_process_cpu_s": {k: r[k]["median_cpu_s"] for k in r},
                "batch": batch, "output_shape": list(shape),
            }
            json.dump(out, open(a.out, "w"), indent=1)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
