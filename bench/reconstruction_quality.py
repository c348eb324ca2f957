#!/usr/bin/env python3
"""The README's reconstruction table: wst-reconstruct before (the previous
default: L-BFGS from Gaussian noise, `--init noise`) and after (no flags) on
test signals and recordings, 200 gradient evaluations, 2 threads, float.

Every figure is recomputed here from the signals the tool wrote
(original.npy, reconstruction.npy), not taken from the optimizer:
  - relative error per order m, ||S_m(y) - S_m(x)|| / ||S_m(x)||, and in
    total, from `wst-scatter --precision double` (checked against Kymatio by
    the test suite);
  - spectral convergence, || |STFT y| - |STFT x| ||_F / || |STFT x| ||_F,
    512-sample Hann frames, hop 128, with numpy.

Usage: python3 bench/reconstruction_quality.py [BUILD_DIR] [OUTDIR] [--only NAME,...]

The recordings come from Debian packages (alsa-utils, sound-theme-freedesktop,
asterisk-core-sounds-en-wav); the script names the apt-get line when one is
missing. The harmonic signals, the chirp and the plucked-string melody are
made here.
"""
import json
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ALSA = "/usr/share/sounds/alsa/"
FREEDESKTOP = "/usr/share/sounds/freedesktop/stereo/"
ALLISON = "/usr/share/asterisk/sounds/en_US_f_Allison/"
PACKAGES = {ALSA: "alsa-utils", FREEDESKTOP: "sound-theme-freedesktop", ALLISON: "asterisk-core-sounds-en-wav"}

# name, kind, source, J, Q, whether the method was developed on it
SIGNALS = [
    ("harmonic", "harmonic", "harmonic:42", 6, 16, True),
    ("Front_Center", "speech", ALSA + "Front_Center.wav", 8, 12, True),
    ("phone-incoming-call", "music", FREEDESKTOP + "phone-incoming-call.oga", 8, 12, True),
    ("complete", "music", FREEDESKTOP + "complete.oga", 8, 12, True),
    ("harmonic, random state 11", "harmonic", "harmonic:11", 6, 16, False),
    ("Rear_Center", "speech", ALSA + "Rear_Center.wav", 8, 12, False),
    ("conf-onlyperson (8 kHz)", "speech", ALLISON + "conf-onlyperson.wav", 8, 12, False),
    ("message-new-instant", "music", FREEDESKTOP + "message-new-instant.oga", 8, 12, False),
    ("plucked-string melody", "music", "plucked", 8, 12, False),
    ("chirp", "other", "chirp", 8, 8, False),
]


def harmonic(random_state, T=8192, num_intervals=4, gamma=0.9):
    """Kymatio's examples/1d/reconstruct_torch.py generate_harmonic_signal (float32)."""
    rng = np.random.RandomState(random_state)
    num_notes = 2 * (num_intervals - 1) + 1
    support = T // num_intervals
    half_support = support // 2
    base_freq = 0.1 * rng.rand(num_notes) + 0.05
    phase = 2 * np.pi * rng.rand(num_notes)
    window = np.hanning(support)
    x = np.zeros(T, dtype="float32")
    t = np.arange(0, support)
    u = 2 * np.pi * t
    for i in range(num_notes):
        ind_start = i * half_support
        note = np.zeros(support)
        for k in range(1):
            note += (np.power(gamma, k) * np.cos(u * (k + 1) * base_freq[i] + phase[i]))
        x[ind_start:ind_start + support] += note * window
    return x


def plucked(rate=22050, seconds=2.0):
    """A Karplus-Strong plucked string playing eight notes of a C major arpeggio."""
    rng = np.random.RandomState(3)
    notes = [261.63, 329.63, 392.00, 523.25, 392.00, 329.63, 293.66, 261.63]
    step = int(rate * seconds / len(notes))
    out = np.zeros(step * len(notes))
    for i, f in enumerate(notes):
        period = int(round(rate / f))
        buf = rng.uniform(-1, 1, period)
        note = np.zeros(2 * step)
        for n in range(2 * step):
            note[n] = buf[n % period]
            buf[n % period] = 0.996 * 0.5 * (buf[n % period] + buf[(n + 1) % period])
        end = min(len(out), i * step + 2 * step)
        out[i * step:end] += note[:end - i * step] * np.exp(-np.arange(end - i * step) / (0.4 * rate))
    return 0.3 * out / np.abs(out).max()


def chirp(n=16384):
    t = np.arange(n)
    return np.sin(2 * np.pi * (0.01 * t + 0.2 * t * t / n)) * np.hanning(n)


def spectral_convergence(x, y, window=512, hop=128):
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(window) / window)
    starts = range(0, len(x) - window + 1, hop)
    X = np.abs(np.array([np.fft.rfft(hann * x[s:s + window]) for s in starts]))
    Y = np.abs(np.array([np.fft.rfft(hann * y[s:s + window]) for s in starts]))
    return np.linalg.norm(X - Y) / np.linalg.norm(X)


def errors(scatter, d, J, Q):
    S = {}
    for name in ("original", "reconstruction"):
        r = subprocess.run([scatter, os.path.join(d, name + ".npy"), os.path.join(d, name + "_S.npy"), "--J", str(J),
                            "--Q", str(Q), "--precision", "double", "--meta", os.path.join(d, "meta.json")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("wst-scatter failed: " + r.stderr)
        S[name] = np.load(os.path.join(d, name + "_S.npy"))
    order = np.array(json.load(open(os.path.join(d, "meta.json")))["order"])
    x, y = S["original"], S["reconstruction"]
    by_order = [np.linalg.norm(y[order == m] - x[order == m]) / np.linalg.norm(x[order == m]) for m in (1, 2)]
    return np.linalg.norm(y - x) / np.linalg.norm(x), by_order


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--only")]
    only = [a.split("=", 1)[1].split(",") for a in sys.argv[1:] if a.startswith("--only=")]
    build = os.path.abspath(args[0] if args else "build")
    out = os.path.abspath(args[1] if len(args) > 1 else "reconstruction-quality")
    tool, scatter = os.path.join(build, "examples", "wst-reconstruct"), os.path.join(build, "examples", "wst-scatter")
    missing = sorted({PACKAGES[d] for d in PACKAGES if not os.path.isdir(d)})
    if missing:
        sys.exit("missing recordings: apt-get install " + " ".join(missing))
    os.makedirs(os.path.join(out, "inputs"), exist_ok=True)
    print("| signal | J, Q | samples | before: total / order 1 / order 2 / spectral conv. | "
          "after: total / order 1 / order 2 / spectral conv. | after: seconds | developed on |")
    print("|---|---|---|---|---|---|---|")
    for name, kind, source, J, Q, developed in SIGNALS:
        if only and name not in only[0]:
            continue
        path = source
        if source.startswith("harmonic:") or source in ("plucked", "chirp"):
            path = os.path.join(out, "inputs", source.replace(":", "_") + ".npy")
            signal = (harmonic(int(source.split(":")[1])) if source.startswith("harmonic:")
                      else plucked() if source == "plucked" else chirp())
            np.save(path, signal.astype(np.float64))
        cells = []
        for label, flags in (("before", ["--init", "noise"]), ("after", [])):
            d = os.path.join(out, re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") + "_" + label)
            r = subprocess.run([tool, path, d, "--J", str(J), "--Q", str(Q), "--threads", "2", *flags],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(name + ": wst-reconstruct failed: " + r.stderr)
            x, y = np.load(os.path.join(d, "original.npy")), np.load(os.path.join(d, "reconstruction.npy"))
            total, (o1, o2) = errors(scatter, d, J, Q)
            sc = spectral_convergence(x, y)
            summary = json.load(open(os.path.join(d, "summary.json")))
            assert summary["gradient_evaluations"] == 200, summary["gradient_evaluations"]
            cells.append("%.4f / %.4f / %.3f / %.3f" % (total, o1, o2, sc))
            wall = summary["wall_seconds"]
        print("| %s (%s) | %d, %d | %d | %s | %s | %.1f | %s |" % (name, kind, J, Q, len(x), cells[0], cells[1], wall,
                                                                 "yes" if developed else "no"))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
