"""wst.TimeFrequencyScattering: kymatio.TimeFrequencyScattering's numpy
frontend (kymatio 0.4) over wst's C++ joint time-frequency scattering. The
time-axis arguments are checked as Scattering1D's (scattering1d.py); Q_fr
and format here as Kymatio checks them; the rest (F, stride_fr and their
combinations) by the C++ transform, whose errors name the parameter."""
import numbers

import numpy as np

from . import _wst
from .scattering1d import ScatteringNumPy1D


class TimeFrequencyScatteringNumPy(ScatteringNumPy1D):
    _engine_types = {np.dtype(np.float32): _wst.TimeFrequencyScattering_f32,
                     np.dtype(np.float64): _wst.TimeFrequencyScattering_f64}
    _cuda_engine_names = {np.dtype(np.float32): 'TimeFrequencyScattering_cuda_f32',
                          np.dtype(np.float64): 'TimeFrequencyScattering_cuda_f64'}
    _cuda_on_device = False  # host arrays, staged by the C++ frontend

    def __init__(self, J, J_fr, Q, shape, T=None, stride=None, Q_fr=1, F=None, stride_fr=None, out_type='array',
                 format='time', threads=1):
        self.J_fr = J_fr
        self.Q_fr = Q_fr
        self._F = F
        self._stride_fr = stride_fr
        self.oversampling_fr = 0
        self.format = format
        ScatteringNumPy1D.__init__(self, J, shape, Q, T, stride, 2, None, out_type, threads)

    def _check_more(self):
        if np.any(np.array(self.Q_fr) < 1):
            raise ValueError('Q_fr must be >= 1, got {}'.format(self.Q_fr))
        if isinstance(self.Q_fr, int):
            self.Q_fr = (self.Q_fr,)
        elif isinstance(self.Q_fr, tuple):
            if len(self.Q_fr) != 1:
                raise NotImplementedError("Q_fr must be an integer or 1-tuple. Time-frequency scattering "
                                          "beyond order 2 is not implemented.")
        else:
            raise ValueError("Q_fr must be an integer or 1-tuple.")
        if self.format not in ['time', 'joint']:
            raise ValueError("format must be 'time' or 'joint'. Got: {}".format(self.format))

    def _engine_arguments(self):
        q1, q2 = self.Q
        layout = 'array' if self.out_type == 'array' else 'list'
        return (self.J, self.J_fr, q1, q2, self.shape[0], self._T, self._stride, self.Q_fr[0], self._F, self._stride_fr,
                layout, self.format, self.threads)

    @property
    def F(self):
        return self._engine(np.float64).F

    @property
    def log2_stride_fr(self):
        return self._engine(np.float64).log2_stride_fr

    @property
    def _N_padded_fr(self):
        return self._engine(np.float64).N_padded_fr

    def _check_runtime_args(self):
        ScatteringNumPy1D._check_runtime_args(self)

    # --- the transform ----------------------------------------------------
    def scattering(self, x):
        """Kymatio's output of x (..., N): format time (..., C, N_out), format
        joint (..., n_paths, n_fr, N_out); with out_type='list' a list of
        dicts ('coef', 'n', 'j', 'n_fr', 'j_fr', 'spin', 'order', and in
        format joint 'n1_max', 'n1_stride')."""
        self._check_runtime_args()
        rows, batch_shape = self._rows(x)
        engine = self._engine(rows.dtype)
        if self.out_type == 'array':
            out = engine.scattering(rows)
            return out.reshape(batch_shape + tuple(engine.output_shape))
        entries = engine.scattering_list(rows)
        for e in entries:
            coef = e['coef']
            one_row = self.format == 'time' or e['order'] == 0
            e['coef'] = coef.reshape(batch_shape + (coef.shape[2:] if one_row else coef.shape[1:]))
            for key in ('n', 'j'):
                e[key] = tuple(e[key])
            e['n_fr'], e['j_fr'] = (e['n_fr'],), (e['j_fr'],)
            if self.format == 'time':
                del e['n1_max'], e['n1_stride']
        return {e['n']: e['coef'] for e in entries} if self.out_type == 'dict' else entries

    def backward(self, x, g):
        """The gradient with respect to x of sum(S(x) * g), g shaped like the
        array output of x; shaped like x."""
        rows, batch_shape = self._rows(x)
        engine = self._engine(rows.dtype)
        if isinstance(g, (list, tuple, dict)):
            return engine.backward_list(rows, self._list_cotangent(g, rows, engine)).reshape(batch_shape + (rows.shape[1],))
        shape = tuple(engine.output_shape)
        g = np.ascontiguousarray(g, dtype=rows.dtype).reshape((rows.shape[0], -1, shape[-1]))
        return engine.backward(rows, g).reshape(batch_shape + (rows.shape[1],))

    def _list_cotangent(self, g, rows, engine):
        """One (B, rows, N_out) array per list entry, in the list output's order."""
        if isinstance(g, dict):
            g = [g[k] for k in engine.list_keys]
        return [np.ascontiguousarray(e['coef'] if isinstance(e, dict) else e, dtype=rows.dtype)
                .reshape(rows.shape[0], -1, engine.output_length) for e in g]

    def loss_gradient(self, y, target, loss='norm', weights=(1, 1, 1)):
        shape = tuple(self._engine(np.float64).output_shape)
        target = np.asarray(target)
        target = target.reshape((-1, int(np.prod(shape[:-1])), shape[-1]))
        return ScatteringNumPy1D.loss_gradient(self, y, target, loss, weights)

    def reconstruct(self, target, init='noise', **kwargs):
        """As Scattering1D's reconstruct; a JTFS target starts from noise (or initial)."""
        shape = tuple(self._engine(np.float64).output_shape)
        target = np.asarray(target)
        target = target.reshape((-1, int(np.prod(shape[:-1])), shape[-1]))
        return ScatteringNumPy1D.reconstruct(self, target, init=init, **kwargs)

    def meta(self):
        """Kymatio's meta(): 'order', 'key', 'n', 'xi', 'sigma', 'j' (per
        row, (rows, 2)), 'n_fr', 'xi_fr', 'sigma_fr', 'j_fr', 'spin'."""
        m = self._engine(np.float64).meta()
        m['order'] = np.array(m['order'])
        m['key'] = [tuple(k) for k in m['key']]
        return m

    def output_size(self, detail=False):
        if detail:
            raise NotImplementedError("output_size(detail=True) is Scattering1D's")
        return len(self.meta()['key'])
