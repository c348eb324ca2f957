"""wst-reconstruct and the reconstruction examples from outside: outputs,
summary.json (bad inputs: test_bad_inputs.py).

Usage: python3 test_wst_reconstruct.py WST_RECONSTRUCT RECONSTRUCT_COSINE RECONSTRUCT_HARMONIC
                                      RECONSTRUCT_SIDE_BY_SIDE WST_SCATTER
"""
import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

from checks import check, finish

tool, cosine, harmonic, side_by_side, scatter = (os.path.abspath(a) for a in sys.argv[1:6])
outputs = ["original.npy", "original.wav", "reconstruction.npy", "reconstruction.wav", "loss.csv", "summary.json",
           "original.png", "reconstruction.png", "loss.png", "spectrogram_original.png",
           "spectrogram_reconstruction.png"]


def spectral_convergence(x, y, window=512, hop=128):
    """|| |STFT y| - |STFT x| ||_F / || |STFT x| ||_F with Hann frames, by numpy."""
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(window) / window)
    starts = range(0, len(x) - window + 1, hop)
    X = np.abs(np.array([np.fft.rfft(hann * x[s:s + window]) for s in starts]))
    Y = np.abs(np.array([np.fft.rfft(hann * y[s:s + window]) for s in starts]))
    return np.linalg.norm(X - Y) / np.linalg.norm(X)


def errors_by_order(x, y, tmp, options):
    """Total and per-order relative scattering error (None for an order without coefficients), from
    wst-scatter OPTIONS in double (checked against Kymatio by test_wst_scatter.py and test_wst_scatter_jtfs.py)."""
    S = {}
    for name, signal in (("x", x), ("y", y)):
        np.save(os.path.join(tmp, name + "_q.npy"), signal.astype(np.float64))
        r = subprocess.run([scatter, os.path.join(tmp, name + "_q.npy"), os.path.join(tmp, name + "_S.npy"), *options,
                            "--precision", "double", "--meta", os.path.join(tmp, "meta.json")], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        S[name] = np.load(os.path.join(tmp, name + "_S.npy"))
    order = np.array(json.load(open(os.path.join(tmp, "meta.json")))["order"])  # per channel, or per path (--format joint)
    Sx, Sy = (S[name].reshape(len(order), -1) for name in ("x", "y"))
    by_order = [np.linalg.norm(Sy[order == m] - Sx[order == m]) / np.linalg.norm(Sx[order == m]) if (order == m).any()
                else None for m in (0, 1, 2)]
    return np.linalg.norm(Sy - Sx) / np.linalg.norm(Sx), by_order


def same_errors(a, b):
    """Errors by order equal to 1e-9, None (no such order) on both sides alike."""
    return len(a) == len(b) and all((u is None and v is None) or (None not in (u, v) and abs(u - v) <= 1e-9 * v)
                                    for u, v in zip(a, b))


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
    check(all(os.path.exists(os.path.join(out, f)) for f in outputs), "every output file exists")
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
    total, by_order = errors_by_order(x, y, tmp, ["--J", "6", "--Q", "4"])
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
        check(all(os.path.exists(os.path.join(out, f)) for f in outputs), "--jtfs: every output file exists")
        s = json.load(open(os.path.join(out, "summary.json")))
        p = s["transform"]
        check(s["init"] == "noise" and s["gradient_evaluations"] <= 40, "--jtfs: starts from noise, the budget kept")
        check(p["name"] == "jtfs" and (p["J"], p["J_fr"], p["Q"], p["Q_fr"], p["F"], p["format"]) == (6, 3, [8, 1], 1, 8, layout),
              "--jtfs: the transform's parameters (%s)" % p)
        x, y = np.load(os.path.join(out, "original.npy")), np.load(os.path.join(out, "reconstruction.npy"))
        total, by_order = errors_by_order(x, y, tmp, jtfs)
        check(abs(s["relative_error"] - total) <= 1e-9 * total,
              "--jtfs: relative error %g = wst-scatter's %g" % (s["relative_error"], total))
        check(same_errors(s["relative_error_by_order"], by_order),
              "--jtfs: errors by order %s = wst-scatter's %s" % (s["relative_error_by_order"], by_order))
        check((by_order[0] is None) == (layout == "joint"), "--jtfs: order 0 in format time only")
        sc = spectral_convergence(x, y)
        check(abs(s["spectral_convergence"] - sc) <= 1e-9 * sc, "--jtfs: spectral convergence = numpy's")
        start = np.loadtxt(os.path.join(out, "loss.csv"), delimiter=",", skiprows=1)[0, 3]
        check(total < 0.5 * start, "--jtfs: the error %g, under half the noise's %g" % (total, start))

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
        total, by_order = errors_by_order(x, y, tmp, ["--J", "6", "--Q", "16"])
        sc = spectral_convergence(x, y)
        check(("%.5f" % total) in r.stdout, method + ": printed total %.5f" % total)
        if bounds:
            check(total <= bounds[0] and by_order[2] <= bounds[1] and sc <= bounds[2],
                  "default: total %g <= 0.005, order 2 %g <= 0.05, spectral convergence %g <= 0.05" % (total, by_order[2], sc))

finish()
