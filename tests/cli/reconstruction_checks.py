"""What the reconstruction tests share: the files wst-reconstruct writes, and
the figures of a reconstruction computed independently of the program that
made it (spectral convergence by numpy, scattering errors by order from
wst-scatter)."""
import json
import os
import subprocess

import numpy as np

OUTPUTS = ["original.npy", "original.wav", "reconstruction.npy", "reconstruction.wav", "loss.csv", "summary.json",
           "original.png", "reconstruction.png", "loss.png", "spectrogram_original.png",
           "spectrogram_reconstruction.png"]


def spectral_convergence(x, y, window=512, hop=128):
    """|| |STFT y| - |STFT x| ||_F / || |STFT x| ||_F with Hann frames, by numpy."""
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(window) / window)
    starts = range(0, len(x) - window + 1, hop)
    X = np.abs(np.array([np.fft.rfft(hann * x[s:s + window]) for s in starts]))
    Y = np.abs(np.array([np.fft.rfft(hann * y[s:s + window]) for s in starts]))
    return np.linalg.norm(X - Y) / np.linalg.norm(X)


def errors_by_order(scatter, x, y, tmp, options):
    """Total and per-order relative scattering error (None for an order without coefficients), from
    the wst-scatter program SCATTER with OPTIONS in double (checked against Kymatio by test_wst_scatter.py and test_wst_scatter_jtfs.py)."""
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
