"""The numpy frontend of wst.Scattering1D: kymatio.Scattering1D's
(kymatio 0.4, scattering1d/frontend/base_frontend.py) over wst's C++
transform. The other frontends (torch_frontend.py, sklearn_frontend.py)
build on it.

The arguments are checked here as Kymatio checks them, with its exception
types and messages; what Kymatio derives from them (T, log2_stride,
padding, border indices) comes from the C++ transform, which derives the
same. Signals of any batch shape (..., N) are reshaped to (B, N) and the
outputs back to (..., C, N_out); float32 input is transformed in float32,
any other real input in float64 (as kymatio.numpy's float64 filters do).
"""
import math
import numbers
import warnings
from collections import Counter

import numpy as np

from . import _wst


class ScatteringNumPy1D:
    def __init__(self, J, shape, Q=1, T=None, stride=None, max_order=2, oversampling=0, out_type='array', threads=1):
        self.frontend_name = 'numpy'
        self.J = J
        self.max_order = max_order
        self.out_type = out_type
        self.threads = threads
        self._Q = Q
        self._T = T
        self._stride = stride
        self._oversampling = oversampling
        # Kymatio's checks, in its order (ScatteringBase1D.build and its properties).
        if isinstance(shape, numbers.Integral):
            self.shape = (shape,)
        elif isinstance(shape, tuple):
            if len(shape) > 1:
                raise ValueError("If shape is specified as a tuple, it must have exactly one element. Got: {}".format(shape))
            self.shape = shape
        else:
            raise ValueError("shape must be an integer or a 1-tuple. Got: {}".format(shape))
        if oversampling is None:
            pass
        elif oversampling < 0:
            raise ValueError("oversampling must be nonnegative. Got: {}".format(oversampling))
        elif not isinstance(oversampling, numbers.Integral):
            raise ValueError("oversampling must be integer. Got: {}".format(oversampling))
        elif oversampling > 0:
            warnings.warn("oversampling is deprecated in and will be removed in v0.5."
                          "Pass stride = 2**(J-oversampling) or stride = 2**(log2(T)-oversampling) "
                          "to retain current behavior.", DeprecationWarning)
            if stride not in [None, 2 ** (self.log2_T - oversampling - 1)]:
                raise ValueError("oversampling={} and stride={}are incompatible".format(oversampling, stride))
            self._stride = 2 ** (self.log2_T - oversampling)
        # T, Q and stride as Kymatio's properties check them (their errors).
        self._parse_T()
        self.Q
        self._check_stride()
        self._check_more()
        self._engines = {}
        self._engine(np.float64)  # builds the filters now, so that bad parameters fail here

    # Kymatio's filter-bank constants (Anden's generator).
    r_psi = math.sqrt(0.5)
    sigma0 = 0.1
    alpha = 5.

    # --- Kymatio's attributes ---------------------------------------------
    @property
    def phi_f(self):
        return self._filters()[0]

    @property
    def psi1_f(self):
        return self._filters()[1]

    @property
    def psi2_f(self):
        return self._filters()[2]

    def _filters(self):
        key = ('filters',) + self._engine_arguments()
        if key not in self._engines:
            self._engines[key] = self._engine(np.float64).filters()
        return self._engines[key]

    @property
    def Q(self):
        if np.any(np.array(self._Q) < 1):
            raise ValueError('Q must always be >= 1, got {}'.format(self._Q))
        if isinstance(self._Q, int):
            return (self._Q, 1)
        elif isinstance(self._Q, tuple):
            if len(self._Q) == 1:
                return self._Q + (1,)
            elif len(self._Q) == 2:
                return self._Q
            raise NotImplementedError("Q must be an integer, 1-tuple or 2-tuple. Scattering transforms beyond "
                                      "order 2 are not implemented. Got: {}".format(self._Q))
        else:
            raise ValueError("Q must be an integer or a tuple")

    @property
    def T(self):
        return self._parse_T()[0]

    @property
    def average(self):
        return self._parse_T()[1]

    @property
    def oversampling(self):
        warnings.warn("The attribute oversampling is deprecated and will be removed in v0.5. "
                      "Pass stride = 2**(J-oversampling) or stride = 2**(log2(T)-oversampling) "
                      "to retain current behavior.", DeprecationWarning)
        return self._oversampling

    @property
    def log2_T(self):
        return int(math.floor(math.log2(self.T)))

    @property
    def log2_stride(self):
        return self._check_stride()

    @property
    def stride(self):
        return 2 ** self.log2_stride

    @property
    def _N_padded(self):
        return self._engine(np.float64).N_padded

    @property
    def pad_left(self):
        return self._engine(np.float64).pad_left

    @property
    def pad_right(self):
        return self._engine(np.float64).pad_right

    @property
    def ind_start(self):
        return list(self._engine(np.float64).ind_start)

    @property
    def ind_end(self):
        return list(self._engine(np.float64).ind_end)

    # --- the transform ----------------------------------------------------
    def __call__(self, x):
        return self.scattering(x)

    def scattering(self, x):
        """Kymatio's output of x (..., N): an array (..., C, N_out), or with
        out_type='list' a list of dicts with 'coef' (..., N_path), 'j', 'n'
        and 'order', in Kymatio's order, or with out_type='dict' the
        coefficients keyed by 'n'."""
        self._check_runtime_args()
        rows, batch_shape = self._rows(x)
        engine = self._engine(rows.dtype)
        if self.out_type == 'array':
            out = engine.scattering(rows)
            return out.reshape(batch_shape + out.shape[1:])
        paths = [{'coef': coef.reshape(batch_shape + coef.shape[1:]), 'j': tuple(j), 'n': tuple(key), 'order': order}
                 for key, order, j, coef in engine.scattering_list(rows)]
        return {p['n']: p['coef'] for p in paths} if self.out_type == 'dict' else paths

    def backward(self, x, g):
        """The gradient with respect to x of sum(S(x) * g), g shaped like the
        output of x (an array, or with out_type 'list' or 'dict' one
        cotangent per path: arrays, or dicts with 'coef'); shaped like x."""
        rows, batch_shape = self._rows(x)
        engine = self._engine(rows.dtype)
        if isinstance(g, (list, tuple, dict)):
            return engine.backward_list(rows, self._list_cotangent(g, rows, engine)).reshape(batch_shape + (rows.shape[1],))
        g = np.ascontiguousarray(g, dtype=rows.dtype)
        g = g.reshape((rows.shape[0],) + g.shape[len(batch_shape):]) if g.ndim >= 2 else g
        return engine.backward(rows, g).reshape(batch_shape + (rows.shape[1],))

    def _list_cotangent(self, g, rows, engine):
        """A list or dict cotangent as the C++ list backward takes it, in the
        list output's order: one (B, length) array per path."""
        if isinstance(g, dict):
            g = [g[tuple(k)] for k in self.meta()['key']]
        return [np.ascontiguousarray(e['coef'] if isinstance(e, dict) else e, dtype=rows.dtype).reshape(rows.shape[0], -1)
                for e in g]

    def loss_gradient(self, y, target, loss='norm', weights=(1, 1, 1)):
        """The fused loss of S(y) against target (shaped like S(y), or one
        signal's for all) and its gradient, in one pass: a dict with 'loss'
        (batch shape), 'gradient' (shaped like y) and
        'squared_error_by_order' (batch shape + (3,)). loss: 'norm' (||S(y) -
        S*||), 'mse', 'sum_squares' or 'l1'; weights: per order 0, 1, 2."""
        rows, batch_shape = self._rows(y)
        target = np.ascontiguousarray(target, dtype=rows.dtype)
        target = target.reshape((-1,) + target.shape[-2:])
        losses, gradient, by_order = self._engine(rows.dtype).loss_gradient(rows, target, loss, tuple(weights))
        return {'loss': np.array(losses).reshape(batch_shape), 'gradient': gradient.reshape(batch_shape + (rows.shape[1],)),
                'squared_error_by_order': np.array(by_order).reshape(batch_shape + (3,))}

    def reconstruct(self, target, optimizer='lbfgs', init='phase_gradient', loss='norm', weights=(1, 1, 1),
                    max_evaluations=200, max_iterations=0, target_error=0.0, max_seconds=0.0, learning_rate=None,
                    seed=0, initial=None, callback=None):
        """Signals whose scattering matches target (..., C, N_out), one per
        target signal: a list of dicts with 'signal' (N,), 'stop_reason',
        'final' and 'history' (progress dicts: 'iteration', 'evaluations',
        'loss', 'relative_error', 'relative_error_by_order', ...). The
        defaults converge (L-BFGS from the phase-gradient start, 200
        gradient evaluations). initial: a start (N,) or one per target
        signal. callback(progress) after every iteration; returning False
        stops that signal's problem."""
        target = np.asarray(target)
        dtype = np.float32 if target.dtype == np.float32 else np.float64
        target = np.ascontiguousarray(target, dtype=dtype).reshape((-1,) + target.shape[-2:])
        if initial is not None:
            initial = np.ascontiguousarray(initial, dtype=dtype).reshape(-1, self.shape[0])
        return self._engine(dtype).reconstruct(target, optimizer, init, loss, tuple(weights), max_evaluations,
                                               max_iterations, target_error, max_seconds, learning_rate, seed,
                                               initial, callback)

    def meta(self):
        """Kymatio's meta(): 'order', 'key', and 'xi', 'sigma', 'j', 'n' of
        shape (C, max_order), NaN where a path has no filter of that order."""
        m = self._engine(np.float64).meta()
        return {'order': np.array(m['order']), 'key': [tuple(k) for k in m['key']], 'n': m['n'],
                'xi': m['xi'], 'sigma': m['sigma'], 'j': m['j']}

    def output_size(self, detail=False):
        """Number of scattering coefficients (per order, with detail)."""
        if detail:
            return tuple(Counter(self.meta()['order']).values())
        return len(self.meta()['key'])

    # --- Kymatio's checks -------------------------------------------------
    def _parse_T(self):
        T, J, N = self._T, self.J, self.shape[0]
        if T is None:
            return 2 ** J, 'local'
        elif T == 'global':
            return 2 ** J, 'global'
        elif T > N:
            raise ValueError("The support {} of the low-pass filter cannot exceed input length (got {} > {}). "
                             "For large averaging size, consider passing {}='global'.".format('T', T, N, 'T'))
        elif T == 0:
            return 2 ** J, False
        elif T < 1:
            raise ValueError("{} must be ==0 or >=1 (got {})".format('T', T))
        return T, 'local'

    def _check_stride(self):
        if self._stride is None:
            return self.log2_T
        if not isinstance(self._stride, numbers.Integral):
            raise ValueError("stride must be integer. Got: {}".format(self._stride))
        log2_stride = math.log2(self._stride)
        if math.floor(log2_stride) != math.ceil(log2_stride):
            raise ValueError("stride must be a power of two. Got: {}".format(self._stride))
        if self.average in [False, "global"]:
            raise ValueError("stride={} is incompatible with T={}.".format(self._stride, self._T))
        return int(log2_stride)

    def _check_runtime_args(self):
        if self.out_type not in ('array', 'dict', 'list'):
            raise ValueError("out_type must be one of 'array', 'dict', or 'list'. Got: {}".format(self.out_type))
        if not self.average and self.out_type == 'array':
            raise ValueError("Cannot convert to out_type='array' with T=0. Please set out_type to 'dict' or 'list'.")

    # --- arrays and engines -----------------------------------------------
    def _rows(self, x):
        """x as C-contiguous (B, N) rows of float32 or float64 (no copy when it
        already is one), and its batch shape."""
        x = np.asarray(x)
        if x.ndim < 1:
            raise ValueError('Input tensor x should have at least one axis, got {}'.format(x.ndim))
        if np.iscomplexobj(x):
            raise TypeError("x must be real-valued. Got dtype {}".format(x.dtype))
        dtype = np.float32 if x.dtype == np.float32 else np.float64
        rows = np.ascontiguousarray(x, dtype=dtype).reshape(-1, x.shape[-1])
        return rows, x.shape[:-1]

    # The C++ transforms by precision, and their arguments.
    _engine_types = {np.dtype(np.float32): _wst.Scattering1D_f32, np.dtype(np.float64): _wst.Scattering1D_f64}

    def _engine_arguments(self):
        # (Without averaging the paths differ in length: the C++ transform
        # then makes the list output alone, and an array is refused when
        # asked for, at the call, as Kymatio refuses it.)
        layout = 'array' if self.out_type == 'array' and self.average is not False else 'list'
        q1, q2 = self.Q
        return (self.J, self.shape[0], q1, q2, self._T, self._stride, self.max_order, layout, self.threads)

    def _check_more(self):
        """Further checks of a frontend built on this one, before the transform."""

    # The same on the CUDA backend (builds with it alone), and whether they
    # take device pointers.
    _cuda_engine_names = {np.dtype(np.float32): 'Scattering1D_cuda_f32', np.dtype(np.float64): 'Scattering1D_cuda_f64'}
    _cuda_on_device = True

    def _cuda_engine(self, dtype, device):
        """The C++ transform on CUDA device `device` (a torch.device), made on
        first use; a RuntimeError that says why where no CUDA device can be
        used."""
        return self._engine(dtype, device.index or 0)

    def _engine(self, dtype, cuda_device=None):
        # Keyed by the arguments too: Kymatio's max_order and out_type may be
        # set after construction, and the next call follows them. On the CPU
        # backend, or on CUDA device cuda_device.
        arguments = self._engine_arguments()
        key = (np.dtype(dtype), cuda_device) + arguments
        if key not in self._engines:
            if cuda_device is None:
                self._engines[key] = self._engine_types[np.dtype(dtype)](*arguments)
            else:
                why = _wst.cuda_unavailable()
                if why:
                    raise RuntimeError("x is on cuda:{}, but wst's CUDA backend cannot run here: {}".format(cuda_device, why))
                self._engines[key] = getattr(_wst, self._cuda_engine_names[np.dtype(dtype)])(*arguments, cuda_device)
        return self._engines[key]
