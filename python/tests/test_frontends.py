"""The torch and sklearn frontends of wst.Scattering1D: the torch module's
forward against Kymatio's reference output, its gradient (wst's own
backward, not autograd's tape) against Kymatio torch's gradient and
torch.autograd.gradcheck's finite differences, and the sklearn transformer
in a Pipeline."""
import os

import numpy as np
import pytest

import wst
from test_scattering1d import build, load

torch = pytest.importorskip("torch")


def test_torch_forward_and_gradient_equal_kymatio():
    params, a = load("eeg")
    S = build(params, frontend='torch')
    assert isinstance(S, torch.nn.Module) and S.frontend_name == 'torch'
    assert S.pad_left == params["pad_left"] and S.J == params["J"]  # Kymatio's attributes
    x = torch.from_numpy(a["x"]).requires_grad_()
    Sx = S(x)
    assert Sx.dtype == torch.float64 and tuple(Sx.shape) == a["S"].shape
    assert np.max(np.abs(Sx.detach().numpy() - a["S"])) <= 1e-10 * np.max(np.abs(a["S"]))
    (Sx * torch.from_numpy(a["g"])).sum().backward()
    assert np.max(np.abs(x.grad.numpy() - a["gx"])) <= 1e-9 * np.max(np.abs(a["gx"]))


def test_torch_gradient_is_the_cpp_backward():
    params, a = load("T256_J5_n1000")
    S = build(params, frontend='torch')
    x = torch.from_numpy(a["x"]).float().requires_grad_()
    Sx = S(x)
    assert Sx.dtype == torch.float32
    g = torch.from_numpy(a["g"]).float()
    (Sx * g).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), build(params).backward(a["x"].astype(np.float32), a["g"].astype(np.float32)))


def test_torch_gradcheck():
    S = wst.Scattering1D(J=3, shape=64, Q=2, frontend='torch')
    x = torch.randn(2, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(0), requires_grad=True)
    assert torch.autograd.gradcheck(S, (x,), eps=1e-6, atol=1e-6, rtol=1e-4)


def test_torch_batch_shapes_and_device():
    S = wst.Scattering1D(J=4, shape=256, frontend='torch')
    x = torch.randn(2, 3, 256)
    assert S(x).shape[:2] == (2, 3)
    assert S.to('cpu') is S  # a module: .to(device) on the CPU
    with pytest.raises(TypeError, match="The input should be a PyTorch Tensor"):
        S(np.zeros(256))


def test_a_tensor_off_the_cpu_and_cuda_is_refused_clearly():
    # (torch's 'meta' device: neither the CPU nor CUDA; test_cuda.py has the CUDA tensors.)
    S = wst.Scattering1D(J=4, shape=256, frontend='torch')
    with pytest.raises(RuntimeError, match="x is on meta: wst computes on the CPU and, in a build with its CUDA "
                                           "backend, on CUDA devices"):
        S(torch.zeros(256, device='meta'))


def test_import_wst_without_torch_or_sklearn():
    import subprocess
    import sys
    code = ("import sys; sys.modules['torch'] = None; sys.modules['sklearn'] = None\n"
            "import numpy, wst\n"
            "print(wst.Scattering1D(J=4, shape=256)(numpy.ones(256)).shape)\n"
            "try:\n    wst.Scattering1D(J=4, shape=256, frontend='torch')\nexcept ImportError:\n    print('no torch')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    assert r.returncode == 0 and r.stdout.split() == ["(13,", "16)", "no", "torch"], r.stdout + r.stderr


def test_sklearn_transformer_in_a_pipeline():
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    params, a = load("eeg")
    T = build(params, frontend='sklearn')
    features = T.fit(a["x"]).transform(a["x"])
    np.testing.assert_array_equal(features, build(params)(a["x"]).reshape(a["x"].shape[0], -1))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, params["shape"]))
    y = np.arange(20) % 2
    x[y == 1] += np.sin(np.arange(params["shape"]) * 0.3)  # a tone in class 1
    model = make_pipeline(build(params, frontend='sklearn'), LogisticRegression(max_iter=1000)).fit(x, y)
    assert model.score(x, y) == 1.0


def test_torch_list_and_dict_outputs_are_differentiable():
    params, a = load("eeg")
    x = torch.from_numpy(a["x"]).requires_grad_()
    entries = build(params, out_type='list', frontend='torch')(x)
    g = torch.from_numpy(a["g"])
    sum(((e["coef"] * g[:, c]).sum() for c, e in enumerate(entries)), torch.zeros((), dtype=torch.float64)).backward()
    assert np.max(np.abs(x.grad.numpy() - a["gx"])) <= 1e-9 * np.max(np.abs(a["gx"]))
    y = torch.from_numpy(a["x"]).requires_grad_()
    d = build(params, out_type='dict', frontend='torch')(y)
    d[(3,)].sum().backward()  # one path alone: the others' gradients are zero
    expected = build(params).backward(a["x"], np.eye(len(entries))[4][None, :, None] * np.ones_like(a["S"]))
    np.testing.assert_allclose(y.grad.numpy(), expected, rtol=1e-12, atol=1e-14)


def test_jtfs_list_backward_is_the_array_s():
    import test_jtfs
    params, a, _ = test_jtfs.load("jtfs_small")
    L = wst.TimeFrequencyScattering(**params, out_type='list')
    entries = L(a["x"])
    g = [e["coef"] * 0 + np.cos(np.arange(e["coef"].size)).reshape(e["coef"].shape) for e in entries]
    S = wst.TimeFrequencyScattering(**params)
    flat = np.stack(g, axis=-2)
    np.testing.assert_allclose(L.backward(a["x"], g), S.backward(a["x"], flat), rtol=1e-12, atol=1e-15)
    keyed = {e["n"]: gi for e, gi in zip(entries, g)}
    np.testing.assert_array_equal(L.backward(a["x"], keyed), L.backward(a["x"], g))
