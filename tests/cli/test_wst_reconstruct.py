"""wst-reconstruct from outside, Scattering1D: outputs, summary.json, every
optimizer (--jtfs: test_wst_reconstruct_jtfs.py; bad inputs: test_bad_inputs.py).

Usage: python3 test_wst_reconstruct.py WST_RECONSTRUCT WST_SCATTER
"""
import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

from checks import check, finish
from reconstruction_checks import OUTPUTS, errors_by_order, same_errors, spectral_convergence

tool, scatter = (os.path.abspath(a) for a in sys.argv[1:3])


def float_wav_info(path):
    """Sample rate and frame count of a mono 32-bit float WAV (the stdlib wave module reads PCM only)."""
    data = open(path, "rb").read()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    pos, rate, frames = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if cid == b"fmt ":
            assert int.from_bytes(data[pos + 8:pos + 10], "little") == 3  # IEEE float
            rate = int.from_bytes(data[pos + 12:pos + 16], "little")
        if cid == b"data":
            frames = size // 4
        pos += 8 + size + (size & 1)
    return rate, frames


with tempfile.TemporaryDirectory() as tmp:
    # A stereo WAV of two tones, mixed to mono, L-BFGS for 30 evaluations.
    t = np.arange(2048)
    stereo = np.stack([np.sin(0.07 * t), np.sin(0.21 * t)], axis=1) * np.hanning(2048)[:, None] * 0.5
    with wave.open(os.path.join(tmp, "in.wav"), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(11025)
        w.writeframes(np.round(stereo * 32767).astype("<i2").tobytes())
    out = os.path.join(tmp, "out")
    r = subprocess.run([tool, os.path.join(tmp, "in.wav"), out, "--J", "6", "--Q", "4", "--evals", "30"],
                       capture_output=True, text=True)
    check(r.returncode == 0, "wav run exits 0 (" + r.stderr.strip()[-200:] + ")")
    check(all(os.path.exists(os.path.join(out, f)) for f in OUTPUTS), "every output file exists")
    s = json.load(open(os.path.join(out, "summary.json")))
    for key in ["relative_error", "relative_error_by_order", "spectral_convergence", "iterations",
                "gradient_evaluations", "wall_seconds", "optimizer", "init", "transform"]:
        check(key in s, "summary.json has " + key)
    check(s["optimizer"] == "lbfgs" and s["init"] == "phase-gradient" and s["gradient_evaluations"] <= 30,
          "default optimizer, start and budget")
    # The figures are those of the signals written, computed here independently.
    x, y = np.load(os.path.join(out, "original.npy")), np.load(os.path.join(out, "reconstruction.npy"))
    sc = spectral_convergence(x, y)
    check(abs(s["spectral_convergence"] - sc) <= 1e-9 * sc, "spectral convergence %g = numpy's %g" % (s["spectral_convergence"], sc))
    total, by_order = errors_by_order(scatter, x, y, tmp, ["--J", "6", "--Q", "4"])
    check(abs(s["relative_error"] - total) <= 1e-9 * total, "relative error %g = wst-scatter's %g" % (s["relative_error"], total))
    check(same_errors(s["relative_error_by_order"], by_order),
          "errors by order %s = wst-scatter's %s" % (s["relative_error_by_order"], by_order))
    check(s["transform"]["name"] == "scattering1d" and s["transform"]["J"] == 6 and s["transform"]["Q"] == [4, 1],
          "transform parameters")
    check(s["relative_error"] < 0.5, "the error decreased from the start (%g)" % s["relative_error"])
    y = np.load(os.path.join(out, "reconstruction.npy"))
    check(y.shape == (2048,) and np.isfinite(y).all(), "reconstruction.npy is (N,)")
    rate, frames = float_wav_info(os.path.join(out, "reconstruction.wav"))
    check(rate == 11025 and frames == 2048, "wav at the input's sample rate")
    history = np.loadtxt(os.path.join(out, "loss.csv"), delimiter=",", skiprows=1)
    check(history.shape[1] == 9 and history[-1, 1] <= 30, "loss.csv columns")
    check(not r.stdout.count("\r"), "no progress bar when not on a terminal")

    # Every optimizer runs from .npy input.
    np.save(os.path.join(tmp, "x.npy"), stereo[:, 0])
    for opt in ["bold-driver", "momentum", "sgd", "adam", "lbfgs"]:
        r = subprocess.run([tool, os.path.join(tmp, "x.npy"), os.path.join(tmp, opt), "--J", "5", "--Q", "2",
                            "--optimizer", opt, "--iterations", "5", "--evals", "0", "--precision", "double",
                            "--init", "envelope", "--seed", "3"], capture_output=True, text=True)
        check(r.returncode == 0, opt + ": exit 0 (" + r.stderr.strip()[-200:] + ")")
        check(json.load(open(os.path.join(tmp, opt, "summary.json")))["iterations"] == 5, opt + ": 5 iterations")

finish()
