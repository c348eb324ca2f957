"""wst-scatter --jtfs from outside: numpy reads its .npy output back and it
matches Kymatio 0.4's TimeFrequencyScattering in both formats, --meta matches
Kymatio's meta(), --cotangent/--grad Kymatio's autograd. Bad inputs:
test_bad_inputs.py.

Usage: python3 test_wst_scatter_jtfs.py WST_SCATTER JTFS_REFERENCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from checks import check, finish

tool, ref = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
cases = ["jtfs_small", "jtfs_chirp", "jtfs_F_T", "jtfs_Qfr2_stride"]


def run(*args):
    return subprocess.run([tool, *map(str, args)], capture_output=True, text=True)


def kymatio_args(case):
    p = json.load(open(os.path.join(ref, case, "params.json")))["kymatio"]
    args = ["--jtfs", "--J", p["J"], "--J-fr", p["J_fr"], "--Q", p["Q"]]
    for name, option in [("T", "--T"), ("F", "--F"), ("Q_fr", "--Q-fr"), ("stride", "--stride")]:
        if name in p:
            args += [option, p[name]]
    return args


def close(S, R, tolerance):
    return S.shape == R.shape and np.abs(S - R).max() <= tolerance * np.abs(R).max()


def kymatio_rows(meta):
    """Kymatio's meta.json as {key string: {field: row}}: its rows are sorted by key."""
    rows = {}
    for i, key in enumerate(meta["key"]):
        rows[key] = {}
        for field, f in meta.items():
            if field != "key":
                width = f["shape"][1] if len(f["shape"]) > 1 else 1
                row = f["values"][i * width:(i + 1) * width]
                rows[key][field] = row if len(f["shape"]) > 1 else row[0]
    return rows


def wst_rows(meta):
    """wst's meta (one row per channel, in the output's order) in the same form."""
    rows = {}
    for i, key in enumerate(meta["key"]):
        rows["(" + ", ".join(map(str, key)) + ")"] = {field: meta[field][i] for field in meta if field != "key"}
    return rows


with tempfile.TemporaryDirectory() as tmp:
    for case in cases:
        x = os.path.join(ref, case, "x.npy")
        out, meta = os.path.join(tmp, case + ".npy"), os.path.join(tmp, case + ".json")
        r = run(x, out, *kymatio_args(case), "--meta", meta, "--precision", "double")
        check(r.returncode == 0, case + ": exit 0 (" + r.stderr.strip() + ")")
        S, R = np.load(out), np.load(os.path.join(ref, case, "S.npy"))
        check(S.dtype == np.float64 and close(S, R, 1e-10), case + ": format time, " + str(R.shape) + " within 1e-10")
        m = json.load(open(meta))
        check(len(m["key"]) == S.shape[1], case + ": a meta row per channel")
        check(wst_rows(m) == kymatio_rows(json.load(open(os.path.join(ref, case, "meta.json")))), case + ": meta")

        joint, joint_meta = os.path.join(tmp, case + "_joint.npy"), os.path.join(tmp, case + "_joint.json")
        r = run(x, joint, *kymatio_args(case), "--format", "joint", "--meta", joint_meta)
        check(r.returncode == 0, case + ": joint exit 0 (" + r.stderr.strip() + ")")
        S, R = np.load(joint), np.load(os.path.join(ref, case, "S_joint.npy"))
        check(close(S, R, 1e-10), case + ": format joint, " + str(R.shape) + " within 1e-10")
        # Format joint's meta: a row per path, keyed (n_fr) or (n2, n_fr): the
        # paths of format time in their order, without n1.
        mj = json.load(open(joint_meta))
        paths = []
        for key in m["key"][1:]:
            if key[1:] not in paths:
                paths.append(key[1:])
        check(mj["key"] == paths and all(n[0] is None for n in mj["n"]), case + ": joint meta, a row per path")

    # --cotangent/--grad: the gradient of sum(S(x) * G), against Kymatio's
    # autograd; in format joint G is S_joint's shape. Not jtfs_chirp: most of
    # its first-order samples are at rounding level, where the modulus's
    # gradient z / |z| is a phase set by FFT rounding (README, JTFS).
    for case in [c for c in cases if c != "jtfs_chirp"]:
        x, g = os.path.join(ref, case, "x.npy"), os.path.join(ref, case, "g.npy")
        gx = os.path.join(tmp, case + "_gx.npy")
        r = run(x, os.path.join(tmp, case + "_S.npy"), *kymatio_args(case), "--cotangent", g, "--grad", gx)
        check(r.returncode == 0, case + ": gradient exit 0 (" + r.stderr.strip() + ")")
        R = np.load(os.path.join(ref, case, "gx.npy"))
        check(close(np.load(gx), R, 1e-9), case + ": gradient within 1e-9")
    # Format joint takes a cotangent of S_joint's shape (Kymatio's reference
    # gradients are for format time).
    x = os.path.join(ref, "jtfs_small", "x.npy")
    G = np.random.default_rng(0).standard_normal(np.load(os.path.join(ref, "jtfs_small", "S_joint.npy")).shape)
    np.save(os.path.join(tmp, "g_joint.npy"), G)
    gx = os.path.join(tmp, "gx_joint.npy")
    r = run(x, os.path.join(tmp, "s_joint.npy"), *kymatio_args("jtfs_small"), "--format", "joint",
            "--cotangent", os.path.join(tmp, "g_joint.npy"), "--grad", gx)
    check(r.returncode == 0 and np.load(gx).shape == np.load(x).shape and np.isfinite(np.load(gx)).all(),
          "format joint: a gradient shaped like x (" + r.stderr.strip() + ")")

    # A 1-D input drops the batch axis; float32 input gives float32 output.
    x = np.load(os.path.join(ref, "jtfs_small", "x.npy"))
    for dtype, tolerance in [(np.float64, 1e-10), (np.float32, 1e-5)]:
        name = np.dtype(dtype).name
        np.save(os.path.join(tmp, "x1.npy"), x[0].astype(dtype))
        for fmt, file in [("time", "S.npy"), ("joint", "S_joint.npy")]:
            out = os.path.join(tmp, "s1.npy")
            r = run(os.path.join(tmp, "x1.npy"), out, *kymatio_args("jtfs_small"), "--format", fmt)
            S, R = np.load(out), np.load(os.path.join(ref, "jtfs_small", file))[0]
            check(r.returncode == 0 and S.dtype == dtype and close(S, R, tolerance), "1-D %s input, format %s" % (name, fmt))

    # --precision float on float64 input; --threads changes nothing, bit for bit.
    x = os.path.join(ref, "jtfs_chirp", "x.npy")
    outputs = {}
    for extra in [["--precision", "float"], ["--threads", 1], ["--threads", 2]]:
        out = os.path.join(tmp, "_".join(map(str, extra)) + ".npy")
        r = run(x, out, *kymatio_args("jtfs_chirp"), *extra)
        check(r.returncode == 0, " ".join(map(str, extra)) + ": exit 0 (" + r.stderr.strip() + ")")
        outputs[extra[1]] = np.load(out)
    R = np.load(os.path.join(ref, "jtfs_chirp", "S.npy"))
    check(outputs["float"].dtype == np.float32 and close(outputs["float"], R, 1e-5), "--precision float within 1e-5")
    check(np.array_equal(outputs[1], outputs[2]), "--threads 1 and 2 give the same bits")

    # --stride-fr F is the default; F = 0 and global run in format time, a meta row per channel.
    base = os.path.join(tmp, "jtfs_small.npy")
    for extra in [["--stride-fr", 8], ["--F", 0], ["--F", "global"], ["--F", 4, "--stride-fr", 2]]:
        out, meta = os.path.join(tmp, "f.npy"), os.path.join(tmp, "f.json")
        r = run(os.path.join(ref, "jtfs_small", "x.npy"), out, *kymatio_args("jtfs_small"), *extra, "--meta", meta)
        what = " ".join(map(str, extra))
        check(r.returncode == 0, what + ": exit 0 (" + r.stderr.strip() + ")")
        S = np.load(out)
        check(len(json.load(open(meta))["key"]) == S.shape[1], what + ": a meta row per channel")
        if extra == ["--stride-fr", 8]:
            check(np.array_equal(S, np.load(base)), what + ": the default output")

finish()
