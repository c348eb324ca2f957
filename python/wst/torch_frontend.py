"""wst.Scattering1D(..., frontend='torch'): a torch.nn.Module whose forward
is a torch.autograd.Function over wst's C++ transform, its backward wst's
hand-written reverse mode (ScatteringNumPy1D.backward), not autograd's
tape. CPU tensors only: this package has no CUDA backend, and a CUDA
tensor is refused with an error that says so."""
import numpy as np
import torch

from .jtfs import TimeFrequencyScatteringNumPy
from .scattering1d import ScatteringNumPy1D


def _cpu_array(t, name):
    if t.device.type != 'cpu':
        raise RuntimeError("{} is on {}: this build of the wst package computes on the CPU only (it has no CUDA "
                           "backend); move it with .cpu()".format(name, t.device))
    if t.is_complex():
        raise TypeError("{} must be real-valued. Got dtype {}".format(name, t.dtype))
    return t.detach().contiguous().numpy()


class _Scattering(torch.autograd.Function):
    """S(x) with the gradient of <S(x), g> from wst's backward."""

    @staticmethod
    def forward(ctx, x, transform):
        ctx.transform = transform
        ctx.save_for_backward(x)
        return torch.from_numpy(transform.scattering(_cpu_array(x, 'x')))

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        gx = ctx.transform.backward(_cpu_array(x, 'x'), _cpu_array(g, 'the gradient of S(x)'))
        return torch.from_numpy(gx).to(x.dtype), None


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

    def backward(self, x, g):
        """wst's gradient of sum(S(x) * g) with respect to x, as a tensor."""
        return torch.from_numpy(self._numpy.backward(_cpu_array(x, 'x'), _cpu_array(g, 'g')))

    def meta(self):
        return self._numpy.meta()

    def output_size(self, detail=False):
        return self._numpy.output_size(detail)


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
