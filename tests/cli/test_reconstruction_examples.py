"""The reconstruction examples run and reach their goals, the figures
recomputed here from the signals they write.

Usage: python3 test_reconstruction_examples.py RECONSTRUCT_COSINE RECONSTRUCT_HARMONIC RECONSTRUCT_SIDE_BY_SIDE WST_SCATTER
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

from checks import check, finish
from reconstruction_checks import errors_by_order, spectral_convergence

cosine, harmonic, side_by_side, scatter = (os.path.abspath(a) for a in sys.argv[1:5])

with tempfile.TemporaryDirectory() as tmp:
    # The cosine example runs and approaches its target.
    r = subprocess.run([cosine, os.path.join(tmp, "cosine")], capture_output=True, text=True)
    check(r.returncode == 0 and os.path.exists(os.path.join(tmp, "cosine", "loss.png")), "reconstruct_cosine runs")
    h = np.loadtxt(os.path.join(tmp, "cosine", "loss.csv"), delimiter=",", skiprows=1)
    check(h[-1, 2] < 0.2 * h[0, 2], "cosine: mse cut by 5x in 100 iterations (%g -> %g)" % (h[0, 2], h[-1, 2]))

    # The harmonic example reaches the quality goal of the bold driver: a
    # relative scattering error of at most 0.10 in 200 iterations.
    r = subprocess.run([harmonic, os.path.join(tmp, "harmonic")], capture_output=True, text=True)
    h = np.loadtxt(os.path.join(tmp, "harmonic", "loss.csv"), delimiter=",", skiprows=1)
    check(r.returncode == 0 and h[-1, 0] == 200, "reconstruct_harmonic runs 200 iterations")
    check(h[:, 3].min() <= 0.10, "harmonic: relative error %g <= 0.10" % h[:, 3].min())

    # Side by side: the default method reaches the goals on the
    # harmonic signal, figures recomputed here from the signals written.
    r = subprocess.run([side_by_side, os.path.join(tmp, "sbs")], capture_output=True, text=True)
    check(r.returncode == 0 and os.path.exists(os.path.join(tmp, "sbs", "comparison.png")), "reconstruct_side_by_side runs")
    for method, bounds in (("default", (0.005, 0.05, 0.05)), ("bold_driver", None)):
        d = os.path.join(tmp, "sbs", method)
        x, y = np.load(os.path.join(d, "original.npy")), np.load(os.path.join(d, "reconstruction.npy"))
        total, by_order = errors_by_order(scatter, x, y, tmp, ["--J", "6", "--Q", "16"])
        sc = spectral_convergence(x, y)
        check(("%.5f" % total) in r.stdout, method + ": printed total %.5f" % total)
        if bounds:
            check(total <= bounds[0] and by_order[2] <= bounds[1] and sc <= bounds[2],
                  "default: total %g <= 0.005, order 2 %g <= 0.05, spectral convergence %g <= 0.05" % (total, by_order[2], sc))

finish()
