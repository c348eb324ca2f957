"""wst.Scattering1D through Python against Kymatio's reference outputs
(tests/data/reference, float64), in both precisions, with the gradient and
Kymatio's errors for bad arguments."""
import json
import os
import threading
import warnings

import numpy as np
import pytest

import wst

REFERENCE = os.environ.get("WST_REFERENCE_DIR",
                           os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference"))
CASES = ["kymatio_test_1d", "eeg", "speech", "q_tuple_T64_n3000", "T256_J5_n1000", "order1", "global_n777", "stride16"]


def load(case):
    folder = os.path.join(REFERENCE, case)
    params = json.load(open(os.path.join(folder, "params.json")))
    arrays = {name: np.load(os.path.join(folder, name + ".npy")) for name in ("x", "S", "g", "gx")}
    return params, arrays


def build(params, **extra):
    Q = tuple(params["Q"])
    return wst.Scattering1D(J=params["J"], shape=params["shape"], Q=Q, T=params.get("T"), stride=params.get("stride"),
                            max_order=params.get("max_order", 2), **extra)


@pytest.mark.parametrize("case", CASES)
def test_forward_and_gradient_equal_kymatio(case):
    params, a = load(case)
    S = build(params)
    Sx = S(a["x"])
    assert Sx.shape == a["S"].shape and Sx.dtype == np.float64
    assert np.max(np.abs(Sx - a["S"])) <= 1e-10 * np.max(np.abs(a["S"]))
    gx = S.backward(a["x"], a["g"])
    assert gx.shape == a["x"].shape
    assert np.max(np.abs(gx - a["gx"])) <= 1e-9 * np.max(np.abs(a["gx"]))
    # What Kymatio derives from the parameters.
    assert S._N_padded == params["N_padded"] and S.pad_left == params["pad_left"] and S.pad_right == params["pad_right"]
    assert S.T == params["T_resolved"] and S.average == params["average"]
    if params["average"] == "local":
        assert S.log2_stride == params["log2_stride"]
    assert S.output_size() == params["output_size"]


@pytest.mark.parametrize("case", ["eeg", "T256_J5_n1000"])
def test_float32_follows_the_input(case):
    params, a = load(case)
    S = build(params)
    x = a["x"].astype(np.float32)
    Sx = S(x)
    assert Sx.dtype == np.float32
    assert np.max(np.abs(Sx - a["S"])) <= 1e-5 * np.max(np.abs(a["S"]))
    gx = S.backward(x, a["g"].astype(np.float32))
    assert gx.dtype == np.float32
    assert np.max(np.abs(gx - a["gx"])) <= 1e-4 * np.max(np.abs(a["gx"]))


def test_meta_equals_kymatio():
    params, _ = load("eeg")
    expected = json.load(open(os.path.join(REFERENCE, "eeg", "meta.json")))
    m = build(params).meta()
    assert list(m["order"]) == expected["order"]
    assert [list(k) for k in m["key"]] == expected["key"]
    for field in ("xi", "sigma", "j"):
        want = np.array([[np.nan if v is None else v for v in row] for row in expected[field]])
        np.testing.assert_array_equal(m[field], want)
    assert build(params).output_size(detail=True) == (1, 9, 33)


def test_any_batch_shape():
    params, a = load("eeg")
    S = build(params)
    x = np.stack([a["x"], a["x"][::-1]])  # (2, 3, N)
    Sx = S(x)
    assert Sx.shape == (2, 3) + a["S"].shape[1:]
    np.testing.assert_array_equal(Sx[0], S(a["x"]))
    assert S(a["x"][0]).shape == a["S"].shape[1:]  # one signal (N,)
    g = np.stack([a["g"], a["g"]])
    assert S.backward(x, g).shape == x.shape


def test_list_output_is_kymatio_s_order_with_keys():
    params, a = load("eeg")
    S = build(params, out_type='list')
    paths = S(a["x"])
    meta = build(params).meta()
    assert [p["n"] for p in paths] == meta["key"]
    assert [p["order"] for p in paths] == list(meta["order"])
    stacked = np.stack([p["coef"] for p in paths], axis=-2)
    np.testing.assert_array_equal(stacked, build(params)(a["x"]))


def test_no_copy_and_threads():
    params, a = load("speech")
    S = build(params, threads=2)
    x = np.ascontiguousarray(a["x"])
    rows, _ = S._rows(x)
    assert np.shares_memory(rows, x)  # a C-contiguous float64 array goes in as it is
    # The GIL is released: calls from several Python threads give the same bits.
    results = [None] * 4

    def run(i):
        results[i] = S(x)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, results[0])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(J=6, shape=(512, 2)), ValueError, "If shape is specified as a tuple, it must have exactly one element"),
    (dict(J=6, shape="512"), ValueError, "shape must be an integer or a 1-tuple"),
    (dict(J=6, shape=512, Q=0), ValueError, "Q must always be >= 1"),
    (dict(J=6, shape=512, Q=(8, 2, 1)), NotImplementedError, "Q must be an integer, 1-tuple or 2-tuple"),
    (dict(J=6, shape=512, Q=[8]), ValueError, "Q must be an integer or a tuple"),
    (dict(J=6, shape=512, T=1024), ValueError, "cannot exceed input length"),
    (dict(J=6, shape=512, T=-1), ValueError, "T must be ==0 or >=1"),
    (dict(J=6, shape=512, stride=3), ValueError, "stride must be a power of two"),
    (dict(J=6, shape=512, stride=2.0), ValueError, "stride must be integer"),
    (dict(J=6, shape=512, T=0, stride=4), ValueError, "is incompatible with T=0"),
    (dict(J=6, shape=512, oversampling=-1), ValueError, "oversampling must be nonnegative"),
    (dict(J=6, shape=512, oversampling=0.5), ValueError, "oversampling must be integer"),
    (dict(J=6, shape=512, frontend="jax"), RuntimeError, "The frontend .jax. is not valid"),
])
def test_bad_arguments_give_kymatio_s_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        wst.Scattering1D(**kwargs)


def test_runtime_errors():
    with pytest.raises(ValueError, match="Cannot convert to out_type='array' with T=0"):
        wst.Scattering1D(J=5, shape=512, T=0)(np.zeros(512))
    with pytest.raises(ValueError, match="out_type must be one of 'array', 'dict', or 'list'"):
        wst.Scattering1D(J=5, shape=512, out_type='table')(np.zeros(512))
    with pytest.raises(ValueError, match="x"):  # wrong length: the C++ check, naming x
        wst.Scattering1D(J=5, shape=512)(np.zeros(500))
    with pytest.raises(ValueError, match="finite"):
        wst.Scattering1D(J=5, shape=512)(np.full(512, np.nan))


def test_oversampling_is_kymatio_s_stride():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        a = wst.Scattering1D(J=6, shape=1024, oversampling=1)
    b = wst.Scattering1D(J=6, shape=1024, stride=32)
    x = np.random.default_rng(0).standard_normal(1024)
    np.testing.assert_array_equal(a(x), b(x))


def test_loss_gradient_is_the_loss_of_the_outputs_and_the_backward_of_its_cotangent():
    params, a = load("eeg")
    S = build(params)
    y, target = a["x"], S(0.5 * a["x"] + 0.25 * a["x"][::-1])
    r = S.loss_gradient(y, target, loss='norm')
    d = S(y) - target
    norms = np.sqrt((d ** 2).sum(axis=(1, 2)))
    np.testing.assert_allclose(r['loss'], norms, rtol=1e-12)
    expected = S.backward(y, d / norms[:, None, None])
    assert np.max(np.abs(r['gradient'] - expected)) <= 1e-12 * np.max(np.abs(expected))
    assert r['squared_error_by_order'].shape == (3, 3)
    np.testing.assert_allclose(r['squared_error_by_order'].sum(axis=1), norms ** 2, rtol=1e-12)
    with pytest.raises(ValueError, match="loss must be one of"):
        S.loss_gradient(y, target, loss='huber')


def test_reconstruct_fits_the_target_measured_from_the_signal():
    params, a = load("seed_harmonic")
    S = build(params)
    x = a["x"][:1]
    target = S(x)
    seen = []
    r = S.reconstruct(target, max_evaluations=60, callback=lambda p: seen.append(p["iteration"]))
    assert len(r) == 1 and r[0]["signal"].shape == (params["shape"],)
    # The error from the output signal, not the optimizer's loss.
    error = np.linalg.norm(S(r[0]["signal"]) - target[0]) / np.linalg.norm(target[0])
    start = np.linalg.norm(S(np.random.default_rng(0).standard_normal(params["shape"])) - target[0]) / np.linalg.norm(target[0])
    assert error < 0.05 and error < start / 10
    assert seen == list(range(len(seen))) and len(seen) == len(r[0]["history"])
    # The callback stops a problem by returning False, and its errors reach the caller.
    stopped = S.reconstruct(target, max_evaluations=60, callback=lambda p: p["iteration"] < 3)
    assert stopped[0]["stop_reason"] == "callback" and stopped[0]["history"][-1]["iteration"] == 3

    def fail(p):
        raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback"):
        S.reconstruct(target, max_evaluations=10, callback=fail)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        S.reconstruct(target, optimizer='newton')


def test_settings_changed_after_construction_take_effect():
    params, a = load("eeg")
    S = build(params)
    S.max_order = 1
    assert S(a["x"]).shape[1] == 10 and S.output_size() == 10
    S.out_type = 'dict'
    d = S(a["x"])
    assert list(d) == [(), (0,), (1,), (2,), (3,), (4,), (5,), (6,), (7,), (8,)]
    np.testing.assert_allclose(d[(3,)], a["S"][:, 4], rtol=1e-12, atol=1e-15)


def test_filter_bank_attributes_are_kymatio_s():
    params, _ = load("eeg")
    expected = json.load(open(os.path.join(REFERENCE, "eeg", "filters.json")))
    S = build(params)
    assert S.r_psi == np.sqrt(0.5) and S.sigma0 == 0.1 and S.alpha == 5.
    for mine, theirs in ((S.psi1_f, expected["psi1"]), (S.psi2_f, expected["psi2"]), ([S.phi_f], [expected["phi"]])):
        assert len(mine) == len(theirs)
        for f, g in zip(mine, theirs):
            assert f["xi"] == g["xi"] and f["sigma"] == g["sigma"] and f["j"] == g["j"]
            assert len(f["levels"]) == g["levels"] and f["levels"][0].shape == (params["N_padded"],)
