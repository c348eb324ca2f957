"""wst.Scattering1D(..., frontend='sklearn'): a scikit-learn transformer, as
Kymatio's: predict(x) and transform(x) give each sample's coefficients
flattened, (n_samples, -1); fit does nothing. It can be a step of a
sklearn Pipeline."""
from sklearn.base import BaseEstimator, TransformerMixin

from .scattering1d import ScatteringNumPy1D


class ScatteringTransformer1D(ScatteringNumPy1D, BaseEstimator, TransformerMixin):
    def __init__(self, J, shape, Q=1, T=None, stride=None, max_order=2, oversampling=0, out_type='array', threads=1):
        ScatteringNumPy1D.__init__(self, J, shape, Q, T, stride, max_order, oversampling, out_type, threads)
        self.frontend_name = 'sklearn'

    def fit(self, x=None, y=None):
        return self

    def predict(self, x):
        n_samples = x.shape[0]
        return self.scattering(x.reshape((-1,) + self.shape)).reshape(n_samples, -1)

    transform = predict
