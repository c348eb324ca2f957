"""wst.Scattering1D(..., frontend='sklearn'): a scikit-learn transformer, as
Kymatio's: predict(x) and transform(x) give each sample's coefficients
flattened, (n_samples, -1); fit does nothing. It can be a step of a
sklearn Pipeline."""
from sklearn.base import BaseEstimator, TransformerMixin

from .jtfs import TimeFrequencyScatteringNumPy
from .scattering1d import ScatteringNumPy1D


class _Transformer(BaseEstimator, TransformerMixin):
    def fit(self, x=None, y=None):
        return self

    def predict(self, x):
        n_samples = x.shape[0]
        return self.scattering(x.reshape((-1,) + self.shape)).reshape(n_samples, -1)

    transform = predict


class ScatteringTransformer1D(ScatteringNumPy1D, _Transformer):
    def __init__(self, J, shape, Q=1, T=None, stride=None, max_order=2, oversampling=0, out_type='array', threads=1):
        ScatteringNumPy1D.__init__(self, J, shape, Q, T, stride, max_order, oversampling, out_type, threads)
        self.frontend_name = 'sklearn'


class TimeFrequencyScatteringTransformer(TimeFrequencyScatteringNumPy, _Transformer):
    def __init__(self, J, J_fr, Q, shape, T=None, stride=None, Q_fr=1, F=None, stride_fr=None, out_type='array',
                 format='time', threads=1):
        TimeFrequencyScatteringNumPy.__init__(self, J, J_fr, Q, shape, T, stride, Q_fr, F, stride_fr, out_type, format,
                                              threads)
        self.frontend_name = 'sklearn'
