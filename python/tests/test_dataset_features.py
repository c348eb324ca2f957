"""examples/python/dataset_features.py on a handful of generated WAV files
with a 2-worker LocalCluster: every file's .npy equals wst.Scattering1D of
it, no temporary file is left, a second run skips what is done, a file
that cannot be read is reported without stopping the others, and an
OUTPUT_DIR inside INPUT_DIR is refused."""
import os
import subprocess
import sys

import numpy as np
import pytest

import wst

soundfile = pytest.importorskip("soundfile")
pytest.importorskip("dask.distributed")
pytest.importorskip("tqdm")

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python", "dataset_features.py")


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *map(str, args)], capture_output=True, text=True, timeout=300)


def test_a_folder_on_a_local_cluster(tmp_path):
    audio, out = tmp_path / "audio", tmp_path / "features"
    (audio / "sub").mkdir(parents=True)
    rng = np.random.default_rng(0)
    signals = {}
    for i, (name, length, channels) in enumerate([("a.wav", 2048, 1), ("b.wav", 2048, 2), ("sub/c.wav", 3000, 1),
                                                   ("d.flac", 1024, 1), ("e.wav", 2048, 1)]):
        x = (0.3 * rng.standard_normal((length, channels))).astype(np.float32)
        soundfile.write(str(audio / name), x, 16000, subtype="FLOAT" if name.endswith(".wav") else "PCM_24")
        signals[name] = soundfile.read(str(audio / name), dtype="float32", always_2d=True)[0]
    (audio / "broken.wav").write_bytes(b"RIFF not a wave file")
    r = run(audio, out, "--J", 6, "--Q", 4, "--workers", 2)
    assert r.returncode == 1, r.stdout + r.stderr  # the broken file
    assert "failed: " in r.stderr and "broken.wav" in r.stderr and "5 written, 1 failed" in r.stdout
    for name, x in signals.items():
        S = np.load(out / (name + ".npy"))
        expected = wst.Scattering1D(J=6, shape=x.shape[0], Q=4)(np.ascontiguousarray(x.T))
        np.testing.assert_array_equal(S, expected)
    assert not [f for _, _, files in os.walk(out) for f in files if f.endswith(".tmp")]
    (audio / "broken.wav").unlink()
    before = os.path.getmtime(out / "a.wav.npy")
    again = run(audio, out, "--J", 6, "--Q", 4)
    assert again.returncode == 0 and "0 files to do, 5 already done" in again.stdout
    assert os.path.getmtime(out / "a.wav.npy") == before


def test_output_inside_the_input_is_refused(tmp_path):
    r = run(tmp_path, tmp_path / "features")
    assert r.returncode != 0 and "lies inside INPUT_DIR" in r.stderr
