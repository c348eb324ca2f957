#!/usr/bin/env python3
"""Makes tests/data/reference/jtfs_model/<case>: JTFS cases beyond Kymatio's
four (other formats and averagings), computed with the numpy model of
Kymatio 0.4's TimeFrequencyScattering in this folder (jtfs.py: the forward,
a line-by-line port of Kymatio's code that reproduces its four reference
cases to 5e-16; vjp.py: its reverse mode on a tape, which reproduces their
gradients to 1e-15). Independent of wst's C++ code: the tests compare wst's
forward and gradient against these.

Usage: /usr/bin/python3 tests/reference_model/make_jtfs_cases.py
"""
import json
import os

import numpy as np

from jtfs import JTFS
from vjp import vjp

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "reference", "jtfs_model")

# name: constructor arguments (Kymatio's names), batch
CASES = {
    "joint_format": (dict(J=6, J_fr=3, Q=8, shape=1024, format="joint"), 2),
    "T_global": (dict(J=5, J_fr=2, Q=4, shape=500, T="global"), 1),
    "F_global": (dict(J=6, J_fr=3, Q=8, shape=800, F="global"), 1),
    "F_zero_Q_pair": (dict(J=6, J_fr=3, Q=(8, 2), shape=1000, F=0), 1),
    "Qfr2_odd_length": (dict(J=7, J_fr=4, Q=6, shape=1500, Q_fr=2, T=32), 1),
}


def main():
    rng = np.random.RandomState(2026)
    for name, (kw, B) in CASES.items():
        jt = JTFS(**kw)
        x = rng.randn(B, kw["shape"])
        S = jt.scattering(x)
        g = rng.randn(*S.shape)
        S_tape, gx = vjp(jt, x, g)
        assert np.max(np.abs(S_tape - S)) <= 1e-14 * np.max(np.abs(S))
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        for f, a in (("x", x), ("S", S), ("g", g), ("gx", gx)):
            np.save(os.path.join(d, f + ".npy"), a)
        params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}
        with open(os.path.join(d, "params.json"), "w") as f:
            json.dump({"model": params, "shapes": {"x": list(x.shape), "S": list(S.shape)}}, f, indent=1)
        print(name, S.shape)


if __name__ == "__main__":
    main()
