"""wst.TimeFrequencyScattering through Python against Kymatio 0.4's JTFS
reference cases (tests/data/reference/jtfs, float64): both formats, the
gradient, meta, float32, and Kymatio's errors."""
import json
import os

import numpy as np
import pytest

import wst
from test_scattering1d import REFERENCE

CASES = ["jtfs_small", "jtfs_F_T", "jtfs_Qfr2_stride"]


def load(case):
    folder = os.path.join(REFERENCE, "jtfs", case)
    params = json.load(open(os.path.join(folder, "params.json")))["kymatio"]
    if isinstance(params.get("Q"), list):
        params["Q"] = tuple(params["Q"])
    arrays = {f[:-4]: np.load(os.path.join(folder, f)) for f in os.listdir(folder) if f.endswith(".npy")}
    return params, arrays, json.load(open(os.path.join(folder, "meta.json")))


@pytest.mark.parametrize("case", CASES)
def test_both_formats_and_the_gradient_equal_kymatio(case):
    params, a, _ = load(case)
    S = wst.TimeFrequencyScattering(**params)
    Sx = S(a["x"])
    assert Sx.shape == a["S"].shape
    assert np.max(np.abs(Sx - a["S"])) <= 1e-10 * np.max(np.abs(a["S"]))
    gx = S.backward(a["x"], a["g"])
    assert np.max(np.abs(gx - a["gx"])) <= 1e-9 * np.max(np.abs(a["gx"]))
    if "S_joint" in a:
        J = wst.TimeFrequencyScattering(**params, format='joint')
        Sj = J(a["x"])
        assert Sj.shape == a["S_joint"].shape
        assert np.max(np.abs(Sj - a["S_joint"])) <= 1e-10 * np.max(np.abs(a["S_joint"]))


def test_meta_and_float32():
    params, a, expected = load("jtfs_small")
    S = wst.TimeFrequencyScattering(**params)
    m = S.meta()
    # wst's meta follows the output, row c for channel c; Kymatio's is sorted by key (README): the same rows.
    names = ["(" + ", ".join(map(str, k)) + ("," if len(k) == 1 else "") + ")" for k in m["key"]]
    assert sorted(names) == sorted(expected["key"])
    rows = {name: i for i, name in enumerate(expected["key"])}
    for field in ("order", "xi", "sigma", "j", "n_fr", "j_fr", "spin"):
        flat = [np.nan if v is None else v for v in np.ravel(np.array(expected[field]["values"], dtype=object))]
        want = np.array(flat, dtype=float).reshape(expected[field]["shape"])[[rows[n] for n in names]]
        np.testing.assert_array_equal(np.asarray(m[field], dtype=float), want)
    Sx = S(a["x"].astype(np.float32))
    assert Sx.dtype == np.float32 and np.max(np.abs(Sx - a["S"])) <= 1e-5 * np.max(np.abs(a["S"]))


def test_list_output_and_loss():
    params, a, _ = load("jtfs_small")
    entries = wst.TimeFrequencyScattering(**params, out_type='list')(a["x"])
    S = wst.TimeFrequencyScattering(**params)
    np.testing.assert_array_equal(np.stack([e["coef"] for e in entries], axis=-2), S(a["x"]))
    assert entries[0]["n"] == () and entries[0]["order"] == 0
    target = S(a["x"][::-1].copy())
    r = S.loss_gradient(a["x"], target, loss='sum_squares')
    np.testing.assert_allclose(r["loss"], 0.5 * ((S(a["x"]) - target) ** 2).sum(axis=(1, 2)), rtol=1e-12)
    np.testing.assert_allclose(r["gradient"], S.backward(a["x"], S(a["x"]) - target), rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(Q_fr=0), ValueError, "Q_fr must be >= 1"),
    (dict(Q_fr=(1, 2)), NotImplementedError, "Q_fr must be an integer or 1-tuple"),
    (dict(Q_fr=[1]), ValueError, "Q_fr must be an integer or 1-tuple"),
    (dict(format='frequency'), ValueError, "format must be 'time' or 'joint'"),
    (dict(F=-3), ValueError, "F"),
    (dict(frontend='jax'), RuntimeError, "is not valid"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        wst.TimeFrequencyScattering(J=6, J_fr=3, Q=8, shape=1024, **kwargs)


def test_torch_frontend_gradient_equals_kymatio():
    torch = pytest.importorskip("torch")
    params, a, _ = load("jtfs_small")
    S = wst.TimeFrequencyScattering(**params, frontend='torch')
    x = torch.from_numpy(a["x"]).requires_grad_()
    Sx = S(x)
    assert np.max(np.abs(Sx.detach().numpy() - a["S"])) <= 1e-10 * np.max(np.abs(a["S"]))
    (Sx * torch.from_numpy(a["g"])).sum().backward()
    assert np.max(np.abs(x.grad.numpy() - a["gx"])) <= 1e-9 * np.max(np.abs(a["gx"]))
    joint = wst.TimeFrequencyScattering(**params, format='joint', frontend='torch')
    assert tuple(joint(x).shape) == a["S_joint"].shape
