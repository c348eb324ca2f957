"""wst-reconstruct --jtfs from outside: outputs, summary.json and its figures.

Usage: python3 test_wst_reconstruct_jtfs.py WST_RECONSTRUCT WST_SCATTER
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from checks import check, finish
from reconstruction_checks import OUTPUTS, errors_by_order, same_errors, spectral_convergence

tool, scatter = (os.path.abspath(a) for a in sys.argv[1:3])


with tempfile.TemporaryDirectory() as tmp:
    # --jtfs: a rising chirp reconstructed from its joint scattering, from
    # noise (the default start there), in both formats (format joint has no
    # order 0); the figures recomputed with wst-scatter --jtfs.
    t = np.arange(1024)
    np.save(os.path.join(tmp, "chirp.npy"), np.sin(2 * np.pi * (0.01 + 0.1 * t / 1024) * t) * np.hanning(1024))
    for layout in ("time", "joint"):
        jtfs = ["--jtfs", "--J", "6", "--J-fr", "3", "--Q", "8", "--format", layout]
        out = os.path.join(tmp, "jtfs_" + layout)
        r = subprocess.run([tool, os.path.join(tmp, "chirp.npy"), out, *jtfs, "--evals", "40"], capture_output=True, text=True)
        check(r.returncode == 0, "--jtfs --format %s: exit 0 (%s)" % (layout, r.stderr.strip()[-200:]))
        check(all(os.path.exists(os.path.join(out, f)) for f in OUTPUTS), "--jtfs: every output file exists")
        s = json.load(open(os.path.join(out, "summary.json")))
        p = s["transform"]
        check(s["init"] == "noise" and s["gradient_evaluations"] <= 40, "--jtfs: starts from noise, the budget kept")
        check(p["name"] == "jtfs" and (p["J"], p["J_fr"], p["Q"], p["Q_fr"], p["F"], p["format"]) == (6, 3, [8, 1], 1, 8, layout),
              "--jtfs: the transform's parameters (%s)" % p)
        x, y = np.load(os.path.join(out, "original.npy")), np.load(os.path.join(out, "reconstruction.npy"))
        total, by_order = errors_by_order(scatter, x, y, tmp, jtfs)
        check(abs(s["relative_error"] - total) <= 1e-9 * total,
              "--jtfs: relative error %g = wst-scatter's %g" % (s["relative_error"], total))
        check(same_errors(s["relative_error_by_order"], by_order),
              "--jtfs: errors by order %s = wst-scatter's %s" % (s["relative_error_by_order"], by_order))
        check((by_order[0] is None) == (layout == "joint"), "--jtfs: order 0 in format time only")
        sc = spectral_convergence(x, y)
        check(abs(s["spectral_convergence"] - sc) <= 1e-9 * sc, "--jtfs: spectral convergence = numpy's")
        start = np.loadtxt(os.path.join(out, "loss.csv"), delimiter=",", skiprows=1)[0, 3]
        check(total < 0.5 * start, "--jtfs: the error %g, under half the noise's %g" % (total, start))

finish()
