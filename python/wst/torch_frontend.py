"""wst.Scattering1D(..., frontend='torch'): a torch.nn.Module whose forward
is a torch.autograd.Function over wst's C++ transform, its backward wst's
hand-written reverse mode (ScatteringNumPy1D.backward), not autograd's
tape. CPU tensors run on the CPU backend; CUDA tensors on the CUDA backend
when the package was built with it (wst.has_cuda), and are refused with an
error that says so otherwise. Scattering1D's array output stays on the
device (device pointers, nothing copied); TimeFrequencyScattering's goes
through the host (its C++ frontend stages the arrays)."""
import numpy as np
import torch

from . import _wst
from .jtfs import TimeFrequencyScatteringNumPy
from .scattering1d import ScatteringNumPy1D


def _check_tensor(t, name):
    """t on a device this build computes on, real-valued."""
    if t.device.type == 'cuda' and not _wst.has_cuda:
        raise RuntimeError("{} is on {}: this build of the wst package has no CUDA backend (it was built without "
                           "WST_PYTHON_CUDA, or where no CUDA toolkit was found); move it with .cpu()".format(name, t.device))
    if t.device.type not in ('cpu', 'cuda'):
        raise RuntimeError("{} is on {}: wst computes on the CPU and, in a build with its CUDA backend, on CUDA "
                           "devices; move it with .cpu()".format(name, t.device))
    if t.is_complex():
        raise TypeError("{} must be real-valued. Got dtype {}".format(name, t.dtype))


def _cpu_array(t, name):
    _check_tensor(t, name)
    return t.detach().contiguous().cpu().numpy()


def _device_rows(t, name):
    """A CUDA tensor as C-contiguous rows, checked finite as the C++ frontend
    checks host arrays (the device-pointer calls do not)."""
    _check_tensor(t, name)
    t = t.detach().contiguous()
    finite = torch.isfinite(t)
    if not bool(finite.all()):  # one reduction; the first bad sample found only then
        i = int((~finite).reshape(-1).nonzero()[0])
        raise ValueError("{} = {} at signal {}, sample {} is invalid: values must be finite (no NaN or infinity)"
                         .format(name, float(t.reshape(-1)[i]), i // t.shape[-1], i % t.shape[-1]))
    return t


def _dtype(t):
    return np.float32 if t.dtype == torch.float32 else np.float64


def _forward(S, x):
    """S(x) for rows x (B, N): on x's device."""
    if x.device.type != 'cuda':
        return torch.from_numpy(S.scattering(_cpu_array(x, 'x')))
    engine = S._cuda_engine(_dtype(x), x.device)
    if not S._cuda_on_device:
        return torch.from_numpy(engine.scattering(_cpu_array(x, 'x'))).to(x.device)
    x = _device_rows(x, 'x')
    B, N = x.shape
    out = torch.empty((B, engine.output_size, engine.output_length), dtype=x.dtype, device=x.device)
    if B > 0:
        with torch.cuda.device(x.device):
            torch.cuda.current_stream().synchronize()  # x complete on the device
            engine.scattering_on_device(x.data_ptr(), B, N, out.data_ptr())
    return out


def _backward(S, x, g):
    """The gradient of <S(x), g> for rows x (B, N), g (B, C, N_out): on x's device."""
    if x.device.type != 'cuda':
        return torch.from_numpy(S.backward(_cpu_array(x, 'x'), _cpu_array(g, 'the gradient of S(x)'))).to(x.dtype)
    engine = S._cuda_engine(_dtype(x), x.device)
    if not S._cuda_on_device:
        gx = engine.backward(_cpu_array(x, 'x'), _cpu_array(g.to(x.dtype), 'the gradient of S(x)'))
        return torch.from_numpy(gx).to(x.device)
    x = _device_rows(x, 'x')
    g = _device_rows(g.to(device=x.device, dtype=x.dtype), 'the gradient of S(x)')
    grad = torch.empty_like(x)
    B, N = x.shape
    if B > 0:
        with torch.cuda.device(x.device):
            torch.cuda.current_stream().synchronize()
            engine.backward_on_device(x.data_ptr(), B, N, g.data_ptr(), grad.data_ptr())
    return grad


class _Scattering(torch.autograd.Function):
    """S(x) with the gradient of <S(x), g> from wst's backward."""

    @staticmethod
    def forward(ctx, x, transform):
        ctx.transform = transform
        ctx.save_for_backward(x)
        return _forward(transform, x)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _backward(ctx.transform, x, g), None


class _TorchFrontend(torch.nn.Module):
    """A numpy frontend (self._numpy) as a torch.nn.Module."""

    def __init__(self, numpy_frontend):
        super().__init__()
        self._numpy = numpy_frontend
        self.frontend_name = 'torch'

    # Kymatio's settable attributes: set on the numpy frontend, whose next call follows them.
    _forwarded = frozenset(('J', 'max_order', 'out_type', 'J_fr', 'Q_fr', 'format', 'threads'))

    def __setattr__(self, name, value):
        if name in self._forwarded and '_numpy' in self.__dict__:
            setattr(self.__dict__['_numpy'], name, value)
        else:
            super().__setattr__(name, value)

    def __getattr__(self, name):
        # Kymatio's attributes (J, shape, Q, T, average, pad_left, ...) are the numpy frontend's.
        try:
            return super().__getattr__(name)
        except AttributeError:
            if '_numpy' not in self.__dict__:
                raise
            return getattr(self.__dict__['_numpy'], name)

    def forward(self, x):
        return self.scattering(x)

    def scattering(self, x):
        """Kymatio's torch output of x (..., N), differentiable: an array
        (..., C, N_out), or with out_type='list' a list of dicts whose 'coef'
        are tensors (without a gradient)."""
        if not isinstance(x, torch.Tensor):
            raise TypeError('The input should be a PyTorch Tensor.')
        if x.dim() < 1:
            raise ValueError('Input tensor x should have at least one axis, got {}'.format(x.dim()))
        S = self._numpy
        S._check_runtime_args()
        batch_shape, N = x.shape[:-1], x.shape[-1]
        if x.dtype not in (torch.float32, torch.float64):
            x = x.to(torch.float64)
        if S.out_type in ('list', 'dict') and x.device.type == 'cuda':
            return self._list_on_device(x)
        if S.out_type in ('list', 'dict'):
            # The list's entries, differentiable; a dict is the list keyed by 'n'.
            out_type = S.out_type
            S.out_type = 'list'
            entries = []
            try:
                coefs = _ScatteringList.apply(x.reshape(-1, N), S, entries)
            finally:
                S.out_type = out_type
            coefs = [c.reshape(batch_shape + c.shape[1:]) for c in coefs]
            if out_type == 'dict':
                return {e['n']: c for e, c in zip(entries, coefs)}
            return [dict(e, coef=c) for e, c in zip(entries, coefs)]
        out = _Scattering.apply(x.reshape(-1, N), S)
        return out.reshape(batch_shape + out.shape[1:])

    def _list_on_device(self, x):
        """Scattering1D's list or dict output of a CUDA tensor: the rows of
        its array output (with averaging every path has the array's length),
        differentiable through it."""
        S = self._numpy
        if isinstance(S, TimeFrequencyScatteringNumPy) or S.average is False:
            raise RuntimeError("out_type='{}' on a CUDA tensor: on the CUDA backend, the list and dict outputs are "
                               "Scattering1D's with averaging (T != 0); use out_type='array', or a CPU tensor"
                               .format(S.out_type))
        out_type = S.out_type
        S.out_type = 'array'
        try:
            out = self.scattering(x)
        finally:
            S.out_type = out_type
        return _entries_of_array(S.meta(), out, out_type)

    def backward(self, x, g):
        """wst's gradient of sum(S(x) * g) with respect to x, as a tensor on x's device."""
        if isinstance(x, torch.Tensor) and x.device.type == 'cuda' and isinstance(g, torch.Tensor):
            rows = x.reshape(-1, x.shape[-1])
            return _backward(self._numpy, rows, g.reshape((rows.shape[0],) + g.shape[-2:])).reshape(x.shape)
        return torch.from_numpy(self._numpy.backward(_cpu_array(x, 'x'), _cpu_array(g, 'g')))

    def meta(self):
        return self._numpy.meta()

    def output_size(self, detail=False):
        return self._numpy.output_size(detail)


def _entries_of_array(meta, out, out_type):
    """Kymatio's list (dicts with 'coef', 'j', 'n', 'order') or dict (keyed
    by 'n') of Scattering1D's paths, from its array output out (..., C, N_out)."""
    entries = []
    for c, (key, order) in enumerate(zip(meta['key'], meta['order'])):
        j = tuple(int(v) for v in meta['j'][c] if not np.isnan(v))
        entries.append({'coef': out[..., c, :], 'j': j, 'n': tuple(key), 'order': int(order)})
    if out_type == 'dict':
        return {e['n']: e['coef'] for e in entries}
    return entries


class _ScatteringList(torch.autograd.Function):
    """The list output's coefficients, one tensor per path, with the
    gradient of sum_e <S_e(x), g_e> from wst's list backward."""

    @staticmethod
    def forward(ctx, x, transform, fields):
        # fields receives each entry's dict without its coefficients.
        ctx.transform = transform
        ctx.save_for_backward(x)
        ctx.entries = transform.scattering(_cpu_array(x, 'x'))
        fields.extend({k: v for k, v in e.items() if k != 'coef'} for e in ctx.entries)
        return tuple(torch.from_numpy(e['coef']) for e in ctx.entries)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, *g):
        (x,) = ctx.saved_tensors
        cotangents = [np.zeros_like(e['coef']) if gi is None else _cpu_array(gi, 'the gradient of S(x)')
                      for e, gi in zip(ctx.entries, g)]
        return torch.from_numpy(ctx.transform.backward(_cpu_array(x, 'x'), cotangents)).to(x.dtype), None, None


class ScatteringTorch1D(_TorchFrontend):
    def __init__(self, J, shape, Q=1, T=None, stride=None, max_order=2, oversampling=0, out_type='array', threads=1):
        super().__init__(ScatteringNumPy1D(J, shape, Q, T, stride, max_order, oversampling, out_type, threads))


class TimeFrequencyScatteringTorch(_TorchFrontend):
    def __init__(self, J, J_fr, Q, shape, T=None, stride=None, Q_fr=1, F=None, stride_fr=None, out_type='array',
                 format='time', threads=1):
        super().__init__(TimeFrequencyScatteringNumPy(J, J_fr, Q, shape, T, stride, Q_fr, F, stride_fr, out_type, format,
                                                      threads))
