"""wst-scatter and wst-reconstruct driven through one table of bad inputs.

For every row: a non-zero exit, exactly one line on stderr that starts with
the tool's name and says what is wrong (a keyword of the row), no file or
folder created anywhere in the working folder, and every existing file
byte for byte unchanged (the inputs above all). The full disk is simulated
with RLIMIT_FSIZE (writes past the limit fail with EFBIG), so the tools must
notice a failed write and remove what they started.

Usage: python3 test_bad_inputs.py WST_SCATTER WST_RECONSTRUCT
"""
import hashlib
import io
import os
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import wave

import numpy as np

from checks import check, finish

scatter, reconstruct = (os.path.abspath(a) for a in sys.argv[1:3])


def npy_header(descr, shape, data=b""):
    """A hand-made .npy whose header may say anything."""
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    h += " " * (118 - len(h)) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + data


def wav_bytes(samples, rate=8000):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def snapshot(root):
    """Every path under root with the digest of its content (None for folders and pipes)."""
    seen = {}
    for folder, dirs, files in os.walk(root):
        for d in dirs:
            seen[os.path.join(folder, d)] = None
        for f in files:
            p = os.path.join(folder, f)
            seen[p] = hashlib.sha256(open(p, "rb").read()).hexdigest() if os.path.isfile(p) else None
    return seen


def small_file_limit():
    """In the child: writes beyond 1000 bytes fail (EFBIG) instead of killing it."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))


with tempfile.TemporaryDirectory() as tmp:
    os.chdir(tmp)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(512)
    np.save("good.npy", x)
    open("good.wav", "wb").write(wav_bytes(np.round(x / np.abs(x).max() * 20000)))
    good_npy = open("good.npy", "rb").read()
    open("empty.npy", "wb").close()
    open("empty.wav", "wb").close()
    open("truncated.npy", "wb").write(good_npy[:300])
    open("truncated_header.npy", "wb").write(good_npy[:40])
    open("truncated.wav", "wb").write(open("good.wav", "rb").read()[:200])
    open("random.npy", "wb").write(rng.bytes(700))
    open("random.wav", "wb").write(rng.bytes(700))
    open("absurd_shape.npy", "wb").write(npy_header("<f8", "(1000000000000, 1000000000000)", b"\0" * 64))
    open("huge_header.npy", "wb").write(b"\x93NUMPY\x02\x00" + struct.pack("<I", 2 ** 31) + b"{")
    np.save("ints.npy", np.arange(512))
    np.save("complex.npy", np.ones(512, complex))
    np.save("big_endian.npy", np.ones(512, ">f8"))
    np.save("three_d.npy", np.zeros((2, 2, 512)))
    np.save("zero_length.npy", np.zeros(0))
    np.save("zero_rows.npy", np.zeros((0, 512)))
    np.save("two_rows.npy", np.zeros((2, 512)))
    nan, inf = x.copy(), x.copy()
    nan[7], inf[9] = np.nan, -np.inf
    np.save("nan.npy", nan)
    np.save("inf.npy", inf)
    os.mkdir("a_folder.npy")
    os.mkfifo("a_pipe.npy")
    os.makedirs("inside")
    np.save("inside/original.npy", x)

    S, R = "wst-scatter", "wst-reconstruct"
    ok = ["--J", "6"]
    jtfs = ["--jtfs", "--J", "5", "--J-fr", "3", "--Q", "4"]  # 24 first-order frequencies, F = 8
    quick = ["--J", "6", "--evals", "2"]
    quick_jtfs = ["--jtfs", "--J", "5", "--J-fr", "3", "--Q", "4", "--evals", "2"]
    table = [
        # unreadable or unusable input files
        (S, ["missing.npy", "o.npy", *ok], "no such file"),
        (S, ["empty.npy", "o.npy", *ok], "preamble"),
        (S, ["empty.wav", "o.npy", *ok], "cannot read audio"),
        (S, ["truncated.npy", "o.npy", *ok], "truncated"),
        (S, ["truncated_header.npy", "o.npy", *ok], "truncated"),
        (S, ["truncated.wav", "o.npy", *ok], "truncated"),
        (S, ["random.npy", "o.npy", *ok], "not a .npy file"),
        (S, ["random.wav", "o.npy", *ok], "cannot read audio"),
        (S, ["absurd_shape.npy", "o.npy", *ok], "more data than can exist"),
        (S, ["huge_header.npy", "o.npy", *ok], "header length"),
        (S, ["ints.npy", "o.npy", *ok], "dtype"),
        (S, ["complex.npy", "o.npy", *ok], "dtype"),
        (S, ["big_endian.npy", "o.npy", *ok], "dtype"),
        (S, ["three_d.npy", "o.npy", *ok], "3-D"),
        (S, ["zero_length.npy", "o.npy", *ok], "no samples"),
        (S, ["zero_rows.npy", "o.npy", *ok], "no samples"),
        (S, ["nan.npy", "o.npy", *ok], "finite"),
        (S, ["inf.npy", "o.npy", *ok], "finite"),
        (S, ["good.txt", "o.npy", *ok], "no such file"),
        (R, ["missing.npy", "o", *quick], "no such file"),
        (R, ["empty.wav", "o", *quick], "cannot read audio"),
        (R, ["random.wav", "o", *quick], "cannot read audio"),
        (R, ["truncated.npy", "o", *quick], "truncated"),
        (R, ["absurd_shape.npy", "o", *quick], "more data than can exist"),
        (R, ["complex.npy", "o", *quick], "dtype"),
        (R, ["three_d.npy", "o", *quick], "3-D"),
        (R, ["two_rows.npy", "o", *quick], "one signal"),
        (R, ["zero_length.npy", "o", *quick], "no samples"),
        (R, ["nan.npy", "o", *quick], "finite"),
        # every invalid parameter, unknown options, non-numeric values
        (S, ["good.npy", "o.npy"], "--J is required"),
        (S, ["good.npy", "o.npy", "--J", "0"], "J = 0"),
        (S, ["good.npy", "o.npy", "--J", "-2"], "J = -2"),
        (S, ["good.npy", "o.npy", "--J", "12"], "J <= 9"),
        (S, ["good.npy", "o.npy", "--J", "eight"], "--J"),
        (S, ["good.npy", "o.npy", "--J", "99999999999999999999"], "--J"),
        (S, ["good.npy", "o.npy", *ok, "--Q", "0"], "Q = 0"),
        (S, ["good.npy", "o.npy", *ok, "--Q", "-4"], "Q = -4"),
        (S, ["good.npy", "o.npy", *ok, "--Q", "100000"], "from 1 to 256"),
        (S, ["good.npy", "o.npy", *ok, "--Q", "8,0"], "Q2 = 0"),
        (S, ["good.npy", "o.npy", *ok, "--Q", "8,x"], "not an integer"),
        (S, ["good.npy", "o.npy", *ok, "--Q", "1,2,3"], "Q1,Q2"),
        (S, ["good.npy", "o.npy", *ok, "--Q", ""], "not an integer"),
        (S, ["good.npy", "o.npy", *ok, "--T", "5000"], "T = 5000"),
        (S, ["good.npy", "o.npy", *ok, "--T", "-1"], "T = -1"),
        (S, ["good.npy", "o.npy", *ok, "--T", "local"], "not an integer"),
        (S, ["good.npy", "o.npy", *ok, "--stride", "3"], "power of two"),
        (S, ["good.npy", "o.npy", *ok, "--stride", "0"], "power of two"),
        (S, ["good.npy", "o.npy", *ok, "--stride", "128"], "must not exceed"),
        (S, ["good.npy", "o.npy", *ok, "--stride", "two"], "--stride"),
        (S, ["good.npy", "o.npy", *ok, "--max-order", "3"], "max_order = 3"),
        (S, ["good.npy", "o.npy", *ok, "--max-order", "0"], "max_order = 0"),
        (S, ["good.npy", "o.npy", *ok, "--max-order", "two"], "--max-order"),
        (S, ["good.npy", "o.npy", *ok, "--precision", "half"], "--precision"),
        (S, ["good.npy", "o.npy", *ok, "--frobnicate"], "--frobnicate"),
        (S, ["good.npy", "o.npy", *ok, "--grad", "g.npy"], "go together"),
        (S, ["good.npy", "o.npy", *ok, "--cotangent", "three_d.npy", "--grad", "g.npy"], "shape"),
        (S, ["good.npy", "o.npy", *ok, "--threads", "0"], "--threads 0"),
        # joint scattering: its options need --jtfs, and it has none of its own without --J-fr
        (S, ["good.npy", "o.npy", "--jtfs", "--J", "5"], "requires --J-fr"),
        (S, ["good.npy", "o.npy", *ok, "--J-fr", "3"], "--J-fr requires --jtfs"),
        (S, ["good.npy", "o.npy", *ok, "--F", "4"], "--F requires --jtfs"),
        (S, ["good.npy", "o.npy", *ok, "--Q-fr", "2"], "--Q-fr requires --jtfs"),
        (S, ["good.npy", "o.npy", *ok, "--stride-fr", "2"], "--stride-fr requires --jtfs"),
        (S, ["good.npy", "o.npy", *ok, "--format", "joint"], "--format requires --jtfs"),
        (S, ["good.npy", "o.npy", *jtfs, "--max-order", "1"], "--max-order"),
        (S, ["good.npy", "o.npy", *jtfs, "--grad", "g.npy"], "go together"),
        (S, ["good.npy", "o.npy", *jtfs, "--cotangent", "three_d.npy", "--grad", "g.npy"], "shape"),
        (S, ["good.npy", "o.npy", *jtfs, "--cotangent", "good.npy", "--grad", "good.npy"], "refusing to overwrite"),
        (S, ["good.npy", "o.npy", "--jtfs", "--J", "5", "--J-fr", "0"], "J_fr = 0"),
        (S, ["good.npy", "o.npy", "--jtfs", "--J", "5", "--J-fr", "6"], "J_fr = 6"),
        (S, ["good.npy", "o.npy", "--jtfs", "--J", "5", "--J-fr", "x"], "--J-fr"),
        (S, ["good.npy", "o.npy", "--jtfs", "--J", "0", "--J-fr", "1"], "J = 0"),
        (S, ["good.npy", "o.npy", "--jtfs", "--J", "5", "--J-fr", "3", "--Q", "4,0"], "Q2 = 0"),
        (S, ["good.npy", "o.npy", *jtfs, "--T", "0"], "T = 0"),
        (S, ["good.npy", "o.npy", *jtfs, "--T", "5000"], "T = 5000"),
        (S, ["good.npy", "o.npy", *jtfs, "--stride", "3"], "power of two"),
        (S, ["good.npy", "o.npy", *jtfs, "--Q-fr", "0"], "Q_fr = 0"),
        (S, ["good.npy", "o.npy", *jtfs, "--Q-fr", "two"], "--Q-fr"),
        (S, ["good.npy", "o.npy", *jtfs, "--F", "25"], "F = 25"),
        (S, ["good.npy", "o.npy", *jtfs, "--F", "-1"], "F = -1"),
        (S, ["good.npy", "o.npy", *jtfs, "--F", "local"], "--F"),
        (S, ["good.npy", "o.npy", *jtfs, "--stride-fr", "3"], "stride_fr = 3"),
        (S, ["good.npy", "o.npy", *jtfs, "--stride-fr", "0"], "stride_fr = 0"),
        (S, ["good.npy", "o.npy", *jtfs, "--stride-fr", "16"], "must not exceed F = 8"),
        (S, ["good.npy", "o.npy", *jtfs, "--F", "0", "--stride-fr", "2"], "stride_fr = 2"),
        (S, ["good.npy", "o.npy", *jtfs, "--format", "joint", "--F", "global"], "F = global"),
        (S, ["good.npy", "o.npy", *jtfs, "--format", "joint", "--F", "0"], "F = 0"),
        (S, ["good.npy", "o.npy", *jtfs, "--format", "joint", "--F", "16"], "stride_fr = 16"),
        (S, ["good.npy", "o.npy", *jtfs, "--format", "frequency"], "--format"),
        (S, ["good.npy", "o.npy", *jtfs, "--threads", "0"], "--threads 0"),
        (S, ["nan.npy", "o.npy", *jtfs], "finite"),
        (S, ["three_d.npy", "o.npy", *jtfs], "3-D"),
        (S, ["good.npy", "good.npy", *jtfs], "refusing to overwrite"),
        (S, ["good.npy", "o.npz", *jtfs, "--T", "0"], "must end in .npy"),
        (S, ["good.npy", "o.npy", *jtfs, "--meta", "good.npy"], "refusing to overwrite"),
        (S, ["good.npy", "o.npy", *jtfs, "--meta", "o.npy"], "same file"),
        (S, ["good.npy", "a_folder.npy", *jtfs], "not a regular file"),
        (R, ["good.npy", "o"], "--J is required"),
        (R, ["good.npy", "o", "--J", "0", "--evals", "2"], "J >= 1"),
        (R, ["good.npy", "o", "--J", "30", "--evals", "2"], "J <= 9"),
        (R, ["good.npy", "o", "--J", "x"], "--J"),
        (R, ["good.npy", "o", *quick, "--Q", "0"], "Q = 0"),
        (R, ["good.npy", "o", *quick, "--Q", "a,b"], "not an integer"),
        (R, ["good.npy", "o", *quick, "--T", "0"], "T = 0"),
        (R, ["good.npy", "o", *quick, "--T", "99999"], "T = 99999"),
        (R, ["good.npy", "o", *quick, "--max-order", "3"], "max_order = 3"),
        (R, ["good.npy", "o", *quick, "--optimizer", "newton"], "--optimizer"),
        (R, ["good.npy", "o", *quick, "--loss", "l3"], "--loss"),
        (R, ["good.npy", "o", *quick, "--init", "zeros"], "--init"),
        (R, ["good.npy", "o", *quick, "--lr", "-1"], "learning rate"),
        (R, ["good.npy", "o", *quick, "--lr", "nan"], "learning rate"),
        (R, ["good.npy", "o", *quick, "--lr", "fast"], "--lr"),
        (R, ["good.npy", "o", "--J", "6", "--evals", "0"], "stopping rule"),
        (R, ["good.npy", "o", "--J", "6", "--evals", "0", "--target-error", "nan"], "finite"),
        (R, ["good.npy", "o", *quick, "--threads", "0"], "--threads 0"),
        (R, ["good.npy", "o", *quick, "--sample-rate", "0"], "sample rate"),
        (R, ["good.npy", "o", *quick, "--seed", "-1"], "--seed"),
        (R, ["good.npy", "o", *quick, "--frobnicate"], "--frobnicate"),
        # wst-reconstruct --jtfs: the options of wst-scatter --jtfs, a start from noise, on the CPU
        (R, ["good.npy", "o", *quick, "--J-fr", "3"], "--J-fr requires --jtfs"),
        (R, ["good.npy", "o", *quick, "--format", "joint"], "--format requires --jtfs"),
        (R, ["good.npy", "o", "--jtfs", "--J", "5", "--evals", "2"], "requires --J-fr"),
        (R, ["good.npy", "o", *quick_jtfs, "--init", "phase-gradient"], "--init phase-gradient --jtfs"),
        (R, ["good.npy", "o", *quick_jtfs, "--init", "envelope"], "--init envelope --jtfs"),
        (R, ["good.npy", "o", *quick_jtfs, "--backend", "cuda"], "--backend cuda --jtfs"),
        (R, ["good.npy", "o", *quick_jtfs, "--max-order", "1"], "--max-order"),
        (R, ["good.npy", "o", "--jtfs", "--J", "0", "--J-fr", "1", "--evals", "2"], "J >= 1"),
        (R, ["good.npy", "o", "--jtfs", "--J", "5", "--J-fr", "6", "--evals", "2"], "J_fr = 6"),
        (R, ["good.npy", "o", *quick_jtfs, "--T", "0"], "T = 0"),
        (R, ["good.npy", "o", *quick_jtfs, "--F", "25"], "F = 25"),
        (R, ["good.npy", "o", *quick_jtfs, "--stride-fr", "3"], "stride_fr = 3"),
        (R, ["good.npy", "o", *quick_jtfs, "--format", "joint", "--F", "0"], "F = 0"),
        (R, ["nan.npy", "o", *quick_jtfs], "finite"),
        # where the output goes
        (S, ["good.npy", "good.npy", *ok], "refusing to overwrite"),
        (S, ["good.npy", "./inside/../good.npy", *ok], "refusing to overwrite"),
        (S, ["good.npy", "o.npz", *ok], "must end in .npy"),
        (S, ["good.npy", "no_such_folder/o.npy", *ok], "does not exist"),
        (S, ["good.npy", "/proc/o.npy", *ok], "cannot create a file in /proc"),
        (S, ["good.npy", "/dev/full", *ok], "must end in .npy"),
        (S, ["good.npy", "o.npy", *ok, "--meta", "/dev/full"], "not a regular file"),
        (S, ["good.npy", "a_folder.npy", *ok], "not a regular file"),
        (S, ["good.npy", "a_pipe.npy", *ok], "not a regular file"),
        (S, ["good.npy", "o.npy", *ok, "--meta", "good.npy"], "refusing to overwrite"),
        (S, ["good.npy", "o.npy", *ok, "--meta", "o.npy"], "same file"),
        (S, ["good.npy", "o.npy", *ok, "--cotangent", "good.npy", "--grad", "good.npy"], "refusing to overwrite"),
        (R, ["inside/original.npy", "inside", *quick], "refusing to overwrite"),
        (R, ["good.npy", "good.npy", *quick], "not a folder"),
        (R, ["good.npy", "/dev/full", *quick], "not a folder"),
        (R, ["good.npy", "/proc/wst-out", *quick], "cannot create the folder"),
    ]
    tools = {S: scatter, R: reconstruct}

    def expect_failure(name, args, keyword, full_disk=False):
        """Runs a tool that must fail: non-zero exit, a last stderr line naming the
        problem (the only line, except for wst-reconstruct's progress before a
        failed write), nothing created and every file unchanged."""
        what = "%s %s%s" % (name, " ".join(args), " with a full disk" if full_disk else "")
        before = snapshot(tmp)
        r = subprocess.run([tools[name], *args], capture_output=True, text=True, timeout=120,
                           preexec_fn=small_file_limit if full_disk else None)
        lines = r.stderr.strip().splitlines()
        check(r.returncode != 0, what + ": non-zero exit")
        check(len(lines) >= 1 and (full_disk or len(lines) == 1) and lines[-1].startswith(name + ": ")
              and keyword.lower() in lines[-1].lower(),
              what + ": one line naming the problem ('" + keyword + "'), got " + repr(r.stderr))
        check(snapshot(tmp) == before, what + ": nothing created, every file unchanged")

    for name, args, keyword in table:
        expect_failure(name, args, keyword)

    # A full disk: the output cannot be written. Nothing is left behind, not
    # even the temporary file or the folder the tool made.
    for name, args in [(S, ["good.npy", "o.npy", *ok]), (S, ["good.wav", "o.npy", *ok, "--meta", "m.json"]),
                       (S, ["good.npy", "o.npy", *jtfs, "--format", "joint", "--meta", "m.json"]),
                       (R, ["good.npy", "o", *quick]), (R, ["good.npy", "o", *quick_jtfs])]:
        expect_failure(name, args, "write", full_disk=True)

finish()
