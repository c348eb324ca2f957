"""wst-scatter from outside: numpy reads its .npy/.npz output back and it
matches Kymatio's reference outputs; audio input; gradients. Bad inputs:
test_bad_inputs.py.

Usage: python3 test_wst_scatter.py WST_SCATTER REFERENCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

from checks import check, finish

tool, ref = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])


def run(*args):
    return subprocess.run([tool, *map(str, args)], capture_output=True, text=True)


def kymatio_args(case):
    p = json.load(open(os.path.join(ref, case, "params.json")))
    args = ["--J", p["J"], "--Q", "%d,%d" % tuple(p["Q"])]
    if p.get("T") is not None:
        args += ["--T", p["T"]]
    if p.get("stride") is not None:
        args += ["--stride", p["stride"]]
    if p.get("max_order") is not None:
        args += ["--max-order", p["max_order"]]
    return args


with tempfile.TemporaryDirectory() as tmp:
    for case in ["kymatio_test_1d", "q_tuple_T64_n3000", "global_n777", "stride16", "order1", "tiny"]:
        out, meta = os.path.join(tmp, case + ".npy"), os.path.join(tmp, case + ".json")
        r = run(os.path.join(ref, case, "x.npy"), out, *kymatio_args(case), "--meta", meta)
        check(r.returncode == 0, case + ": exit 0 (" + r.stderr.strip() + ")")
        S, R = np.load(out), np.load(os.path.join(ref, case, "S.npy"))
        check(S.dtype == np.float64 and S.shape == R.shape, case + ": float64 of shape " + str(R.shape))
        check(np.abs(S - R).max() <= 1e-10 * np.abs(R).max(), case + ": values within 1e-10")
        check(json.load(open(meta)) == json.load(open(os.path.join(ref, case, "meta.json"))), case + ": meta")

    # float32 input gives float32 output; a 1-D input drops the batch axis.
    x = np.load(os.path.join(ref, "eeg", "x.npy"))
    np.save(os.path.join(tmp, "x32.npy"), x[0].astype(np.float32))
    r = run(os.path.join(tmp, "x32.npy"), os.path.join(tmp, "s32.npy"), "--J", 8)
    S = np.load(os.path.join(tmp, "s32.npy"))
    R = np.load(os.path.join(ref, "eeg", "S.npy"))[0]
    check(r.returncode == 0 and S.dtype == np.float32 and S.shape == R.shape, "1-D float32 input")
    check(np.abs(S - R).max() <= 1e-5 * np.abs(R).max(), "float32 values within 1e-5")

    # T = 0: an .npz with Kymatio's path names, each (B, len).
    out = os.path.join(tmp, "paths.npz")
    r = run(os.path.join(ref, "no_averaging", "x.npy"), out, *kymatio_args("no_averaging"))
    check(r.returncode == 0, "npz: exit 0 (" + r.stderr.strip() + ")")
    S, R = np.load(out), np.load(os.path.join(ref, "no_averaging", "S.npz"))
    check(sorted(S.files) == sorted(R.files), "npz: path names")
    check(all(S[k].shape == R[k].shape and np.abs(S[k] - R[k]).max() < 1e-10 for k in R.files), "npz: values")

    # Audio: a stereo 16-bit WAV gives one row per channel, read as float.
    t = np.arange(4096)
    stereo = np.stack([np.sin(0.05 * t), np.cos(0.2 * t)], axis=1) * 0.5
    pcm = np.round(stereo * 32767).astype("<i2")
    with wave.open(os.path.join(tmp, "a.wav"), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(pcm.tobytes())
    r = run(os.path.join(tmp, "a.wav"), os.path.join(tmp, "a.npy"), "--J", 6, "--Q", 8, "--precision", "double")
    check(r.returncode == 0, "wav: exit 0 (" + r.stderr.strip() + ")")
    np.save(os.path.join(tmp, "a_in.npy"), (pcm / 32768.0).T.copy())
    r2 = run(os.path.join(tmp, "a_in.npy"), os.path.join(tmp, "a_ref.npy"), "--J", 6, "--Q", 8)
    A, B = np.load(os.path.join(tmp, "a.npy")), np.load(os.path.join(tmp, "a_ref.npy"))
    check(r2.returncode == 0 and A.shape == B.shape == (2, 126, 64), "wav: two rows")
    check(np.abs(A - B).max() < 1e-12, "wav: samples scaled to [-1, 1) as libsndfile reads them")

    # --cotangent/--grad: the gradient of sum(S(x) * G), against Kymatio's autograd.
    for case, g_file in [("eeg", "g.npy"), ("q_tuple_T64_n3000", "g.npy"), ("no_averaging", "g.npz")]:
        out = os.path.join(tmp, case + ("_S.npz" if g_file.endswith("npz") else "_S.npy"))
        gx = os.path.join(tmp, case + "_gx.npy")
        r = run(os.path.join(ref, case, "x.npy"), out, *kymatio_args(case),
                "--cotangent", os.path.join(ref, case, g_file), "--grad", gx)
        check(r.returncode == 0, case + ": gradient exit 0 (" + r.stderr.strip() + ")")
        G, R = np.load(gx), np.load(os.path.join(ref, case, "gx.npy"))
        check(G.shape == R.shape and np.abs(G - R).max() <= 1e-9 * np.abs(R).max(), case + ": gradient within 1e-9")

finish()
