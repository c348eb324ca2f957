"""FFTW planning by default, as a user meets it: wst-scatter without
WST_FFTW_PLANNING measures its plans and caches FFTW's wisdom at
WST_FFTW_WISDOM; a second process reads the cache and gives the same bits;
a corrupt cache is treated as absent and rewritten; no temporary file is
left; a bad WST_FFTW_PLANNING is refused with a clear line.

Usage: python3 test_wisdom_cache.py WST_SCATTER REFERENCE_DIR
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

from checks import check, finish

tool, ref = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])

with tempfile.TemporaryDirectory() as tmp:
    cache = os.path.join(tmp, "cache", "wisdom")
    env = {k: v for k, v in os.environ.items() if k != "WST_FFTW_PLANNING"}
    env["WST_FFTW_WISDOM"] = cache

    def scatter(out, extra_env=None):
        e = dict(env, **(extra_env or {}))
        return subprocess.run([tool, os.path.join(ref, "eeg", "x.npy"), out, "--J", "8"], capture_output=True,
                              text=True, env=e)

    first = os.path.join(tmp, "first.npy")
    r = scatter(first)
    check(r.returncode == 0, "default (measured) planning: exit 0 (" + r.stderr.strip() + ")")
    check(os.path.getsize(cache + ".f64") > 0, "the double-precision wisdom is cached")
    text = open(cache + ".f64").read()
    check(text.startswith("(fftw-3.3.") and "fftw_" in text, "the cache is FFTW's wisdom text")
    check(not [f for f in os.listdir(os.path.dirname(cache)) if ".tmp." in f], "no temporary file is left")

    second = os.path.join(tmp, "second.npy")
    r = scatter(second)
    check(r.returncode == 0, "a second process with the cache: exit 0")
    check(np.array_equal(np.load(first), np.load(second)), "the cached plans give the same bits")
    check(open(cache + ".f64").read() == text, "nothing new to add: the cache is left as it was")

    with open(cache + ".f64", "w") as f:
        f.write("(fftw-3.3.10 fftw_wisdom #x3d8f4f5f #xfa1b2c3d (not wisdom")
    third = os.path.join(tmp, "third.npy")
    r = scatter(third)
    check(r.returncode == 0, "a corrupt cache is ignored: exit 0 (" + r.stderr.strip() + ")")
    S, R = np.load(third), np.load(os.path.join(ref, "eeg", "S.npy"))
    check(np.abs(S - R).max() <= 1e-10 * np.abs(R).max(), "and the values are Kymatio's")
    rewritten = open(cache + ".f64").read()
    check(rewritten.startswith("(fftw-3.3.") and "not wisdom" not in rewritten,
          "the corrupt cache is rewritten with valid wisdom")
    r = scatter(os.path.join(tmp, "fourth.npy"))
    check(r.returncode == 0 and open(cache + ".f64").read() == rewritten,
          "it holds the plans the process measured: the next process has nothing to add")

    r = scatter(os.path.join(tmp, "bad.npy"), {"WST_FFTW_PLANNING": "fastest"})
    lines = r.stderr.strip().splitlines()
    check(r.returncode != 0 and len(lines) == 1 and "WST_FFTW_PLANNING" in lines[0] and "fastest" in lines[0]
          and "estimate, measure or patient" in lines[0], "a bad WST_FFTW_PLANNING: one clear line (" + r.stderr.strip() + ")")
    check(not os.path.exists(os.path.join(tmp, "bad.npy")), "and no output file")

    r = scatter(os.path.join(tmp, "estimated.npy"), {"WST_FFTW_PLANNING": "estimate", "WST_FFTW_WISDOM": "off"})
    check(r.returncode == 0, "WST_FFTW_PLANNING=estimate, no cache: exit 0")

finish()
