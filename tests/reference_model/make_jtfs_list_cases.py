#!/usr/bin/env python3
"""Makes tests/data/reference/jtfs_list/<case>: Kymatio 0.4's own list output
(out_type='list') of TimeFrequencyScattering, in both formats, float64, from
Kymatio's numpy frontend (not from this folder's model).

Usage (Kymatio 0.4 importable, e.g. the vendored copy):
    PYTHONPATH=/path/to/kymatio /usr/bin/python3 tests/reference_model/make_jtfs_list_cases.py

Per case folder (README.md beside the cases describes the files):
  params.json   the constructor's arguments (Kymatio's names), the batch, the shapes
  x.npy         (B, N) the input
  S_time.npy    (B, n_entries, N_out): the coef of every entry of the format
                'time' list, stacked in list order (each coef is (B, N_out))
  S_joint.npy   (B, total_rows, N_out): the coef of every entry of the format
                'joint' list, (B, rows, N_out) each (order 0: (B, N_out), one
                row), concatenated along rows in list order
  entries.json  {"time": [...], "joint": [...]}: every entry's fields but coef,
                as Kymatio's dict holds them (tuples as lists, spin a number),
                with "keys" (the dict's key names) and, in joint, "rows"
"""
import json
import os

import numpy as np

from kymatio.numpy import TimeFrequencyScattering

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "reference", "jtfs_list")

# name: constructor arguments (Kymatio's names), batch
CASES = {
    # Kymatio's defaults (T = 2^J, F = stride_fr = 2^J_fr).
    "small": (dict(J=6, J_fr=3, Q=8, shape=1024), 2),
    # T, F and stride_fr set: stride_fr = 8 < F = 16 (the spin != 0 paths
    # every 8 n1).
    "T_F_stride_fr": (dict(J=7, J_fr=3, Q=8, shape=2000, T=64, F=16, stride_fr=8), 1),
    # Q_fr = 2, odd length, F = stride_fr = 16 > 2^J_fr: the joint list's
    # paths have different numbers of rows (no joint array).
    "Qfr2_F16": (dict(J=7, J_fr=3, Q=6, shape=1500, Q_fr=2, T=32, F=16), 1),
    # No averaging along n1: n1_stride 2^j_fr, and where it divides n1_max
    # the joint list keeps one row of the zero padding (1 + n1_max // n1_stride).
    "F_zero": (dict(J=5, J_fr=2, Q=4, shape=500, F=0), 1),
    # Global averaging in time and along n1 (the spin != 0 paths: one row).
    "F_T_global": (dict(J=5, J_fr=2, Q=4, shape=500, F="global", T="global"), 2),
}


def plain(v):
    """A dict field as JSON: tuples as lists, numpy numbers as Python's."""
    if isinstance(v, tuple):
        return [plain(e) for e in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


def fields(path, with_rows):
    f = {k: plain(v) for k, v in path.items() if k != "coef"}
    f["keys"] = list(path.keys())
    if with_rows:
        f["rows"] = 1 if path["coef"].ndim == 2 else path["coef"].shape[1]
    return f


def main():
    rng = np.random.RandomState(2027)
    for name, (kw, B) in CASES.items():
        x = rng.randn(B, kw["shape"])
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        entries, shapes = {}, {"x": list(x.shape)}
        for fmt in ("time", "joint"):
            S = TimeFrequencyScattering(**kw, out_type="list", format=fmt)
            out = S(x)
            if fmt == "time":
                coef = np.stack([p["coef"] for p in out], axis=1)
            else:
                coef = np.concatenate([p["coef"][:, None, :] if p["coef"].ndim == 2 else p["coef"] for p in out],
                                      axis=1)
            assert coef.dtype == np.float64
            np.save(os.path.join(d, "S_" + fmt + ".npy"), np.ascontiguousarray(coef))
            entries[fmt] = [fields(p, fmt == "joint") for p in out]
            shapes["S_" + fmt] = list(coef.shape)
            shapes["entries_" + fmt] = len(out)
        np.save(os.path.join(d, "x.npy"), x)
        with open(os.path.join(d, "entries.json"), "w") as f:
            # one entry a line: compact, and a diff shows which entry changed
            f.write("{\n")
            for i, fmt in enumerate(("time", "joint")):
                f.write(' "%s": [\n' % fmt)
                f.write(",\n".join("  " + json.dumps(e, separators=(",", ":")) for e in entries[fmt]))
                f.write("\n ]" + ("," if i == 0 else "") + "\n")
            f.write("}\n")
        params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}
        with open(os.path.join(d, "params.json"), "w") as f:
            json.dump({"kymatio": params, "batch": B, "shapes": shapes}, f, indent=1)
        print(name, shapes)


if __name__ == "__main__":
    main()
