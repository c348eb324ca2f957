"""The package's CUDA backend (a build with WST_PYTHON_CUDA): CUDA tensors
computed there, against the CPU backend. Without a usable GPU, or with a
torch that has no CUDA, the GPU tests skip and say why; what can be checked
without one is checked here too."""
import numpy as np
import pytest

import wst
from wst import _wst
from test_scattering1d import CASES, build, load

torch = pytest.importorskip("torch")

needs_cuda_build = pytest.mark.skipif(not _wst.has_cuda, reason="this build of the package has no CUDA backend "
                                      "(WST_PYTHON_CUDA off, or no CUDA toolkit where it was built)")


def _gpu_reason():
    if not _wst.has_cuda:
        return "this build of the package has no CUDA backend"
    if _wst.cuda_unavailable():
        return "no usable CUDA device here: " + _wst.cuda_unavailable()
    if not torch.cuda.is_available():
        return "a CUDA device, but this torch has no CUDA (torch.cuda.is_available() is False)"
    return None


needs_gpu = pytest.mark.skipif(_gpu_reason() is not None, reason=str(_gpu_reason()))
needs_device = pytest.mark.skipif(not _wst.has_cuda or bool(_wst.cuda_unavailable()),
                                  reason="no usable CUDA device (or no CUDA backend in this build)")


def test_the_list_of_a_cuda_tensor_is_cut_from_the_array_as_the_cpu_list():
    # The list and dict outputs of CUDA tensors are the array output's rows
    # (torch_frontend._entries_of_array): the same entries as the CPU list.
    from wst.torch_frontend import _entries_of_array
    x = torch.randn(2, 3, 1024, dtype=torch.float64)
    for T in (None, 'global'):
        make = lambda out_type: wst.Scattering1D(J=6, shape=1024, Q=(8, 2), T=T, frontend='torch', out_type=out_type)
        S = make('array')
        cut, listed = _entries_of_array(S.meta(), S(x), 'list'), make('list')(x)
        assert [(e['n'], e['j'], e['order']) for e in cut] == [(e['n'], e['j'], e['order']) for e in listed]
        assert all(torch.equal(a['coef'], b['coef']) for a, b in zip(cut, listed))
        assert list(_entries_of_array(S.meta(), S(x), 'dict').keys()) == list(make('dict')(x).keys())


@needs_cuda_build
def test_without_a_usable_device_the_cuda_engine_says_why():
    if not _wst.cuda_unavailable():
        pytest.skip("a CUDA device is usable here")
    S = wst.Scattering1D(J=4, shape=256)
    with pytest.raises(RuntimeError, match="x is on cuda:0, but wst's CUDA backend cannot run here: "):
        S._cuda_engine(np.float32, torch.device('cuda', 0))


@needs_device
@pytest.mark.parametrize("dtype,tolerance", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_cuda_engine_on_host_arrays_equals_kymatio(dtype, tolerance):
    # The reference cases through the CUDA engine's host-array calls (no torch needed).
    for case in CASES:
        params, a = load(case)
        S = build(params)
        if S.average is False:
            continue  # the list output alone, which the CUDA engine does not give
        engine = S._cuda_engine(dtype, torch.device('cuda', 0))
        rows = np.ascontiguousarray(a["x"], dtype=dtype).reshape(-1, a["x"].shape[-1])
        out = engine.scattering(rows).reshape(a["S"].shape)
        assert np.max(np.abs(out - a["S"])) <= tolerance * np.max(np.abs(a["S"]))


@needs_gpu
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_cuda_tensors_equal_the_cpu_forward_and_gradient(dtype):
    tolerance = 1e-10 if dtype == torch.float64 else 1e-4
    S = wst.Scattering1D(J=6, shape=1024, Q=(8, 1), frontend='torch')
    x = torch.randn(2, 3, 1024, dtype=dtype)
    xc = x.cuda().requires_grad_()
    out = S(xc)
    assert out.device == xc.device and out.dtype == dtype
    expected = S(x)
    assert torch.max(torch.abs(out.cpu() - expected)) <= tolerance * torch.max(torch.abs(expected))
    g = torch.randn_like(expected)
    (out * g.cuda()).sum().backward()
    grad_cpu = S.backward(x, g)
    assert xc.grad.device == xc.device
    assert torch.max(torch.abs(xc.grad.cpu() - grad_cpu)) <= tolerance * torch.max(torch.abs(grad_cpu))
    assert torch.equal(S.backward(x.cuda(), g.cuda()).cpu(), xc.grad.cpu())


@needs_gpu
def test_cuda_gradcheck_in_double():
    S = wst.Scattering1D(J=3, shape=64, Q=(2, 1), frontend='torch')
    x = torch.randn(1, 64, dtype=torch.float64, device='cuda', requires_grad=True)
    assert torch.autograd.gradcheck(S, (x,), eps=1e-6, atol=1e-6, rtol=1e-4)


@needs_gpu
def test_cuda_list_dict_and_jtfs_and_bad_input():
    x = torch.randn(2, 1024, dtype=torch.float64)
    S = wst.Scattering1D(J=6, shape=1024, Q=(8, 1), frontend='torch', out_type='list')
    for a, b in zip(S(x.cuda()), S(x)):
        assert a['n'] == b['n'] and a['coef'].is_cuda
        assert torch.allclose(a['coef'].cpu(), b['coef'], rtol=1e-9, atol=1e-12)
    J = wst.TimeFrequencyScattering(J=6, J_fr=3, Q=8, shape=1024, frontend='torch')
    out = J(x.cuda())
    assert out.is_cuda and torch.allclose(out.cpu(), J(x), rtol=1e-9, atol=1e-12)
    bad = x.clone()
    bad[1, 7] = float('nan')
    with pytest.raises(ValueError, match="x = nan at signal 1, sample 7 is invalid"):
        wst.Scattering1D(J=6, shape=1024, frontend='torch')(bad.cuda())
    with pytest.raises(RuntimeError, match="on the CUDA backend, the list and dict outputs are Scattering1D's with "
                                           "averaging"):
        wst.Scattering1D(J=6, shape=1024, T=0, frontend='torch', out_type='list')(x.cuda())


def test_a_cuda_tensor_without_the_backend_is_refused_by_name(monkeypatch):
    # A stand-in for a CUDA tensor, which this torch may be unable to make.
    from wst import torch_frontend

    class stand_in:
        device = torch.device('cuda', 0)

    monkeypatch.setattr(torch_frontend._wst, 'has_cuda', False)
    with pytest.raises(RuntimeError, match="x is on cuda:0: this build of the wst package has no CUDA backend"):
        torch_frontend._check_tensor(stand_in(), 'x')


def test_device_rows_checks_finiteness_as_the_cpp_frontend():
    # The device-pointer calls do not check their input: _device_rows does, with
    # the C++ frontend's message (run here on a CPU tensor, device-independent).
    from wst.torch_frontend import _device_rows
    x = torch.zeros(3, 16, dtype=torch.float64)
    assert torch.equal(_device_rows(x, 'x'), x)
    x[2, 5] = float('inf')
    with pytest.raises(ValueError, match="x = inf at signal 2, sample 5 is invalid: values must be finite"):
        _device_rows(x, 'x')
    S = wst.Scattering1D(J=3, shape=16)
    with pytest.raises(ValueError, match="x = inf at signal 2, sample 5 is invalid: values must be finite"):
        S(x.numpy())  # the C++ frontend's own message, the same
