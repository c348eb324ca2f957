"""wst: the 1-D wavelet scattering transform of Kymatio 0.4, computed by a
C++ library (FFTW on the CPU).

    import numpy as np
    from wst import Scattering1D
    S = Scattering1D(J=6, shape=8192, Q=16)
    Sx = S(np.random.randn(4, 8192))        # (4, C, 128), as kymatio.numpy's
    gx = S.backward(x, np.ones_like(Sx))    # the gradient of sum(Sx * g)

wst.Scattering1D takes kymatio.Scattering1D's arguments (J, shape, Q, T,
stride, max_order, oversampling, out_type), and frontend ('numpy', 'torch'
or 'sklearn') and threads besides. torch and scikit-learn are optional:
they are imported only for their frontends.
"""
from .entry import Scattering1D, TimeFrequencyScattering

__all__ = ["Scattering1D", "TimeFrequencyScattering"]
__version__ = "0.1.0"
