"""wst: the 1-D wavelet scattering transform of Kymatio 0.4, computed by a
C++ library (FFTW on the CPU; CUDA's cuFFT for torch's CUDA tensors in a
build with the CUDA backend, wst.has_cuda).

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
from . import _wst
from .entry import Scattering1D, TimeFrequencyScattering

# Whether this build has the CUDA backend (python/CMakeLists.txt,
# WST_PYTHON_CUDA), and why no CUDA device can be used ('' when one can).
has_cuda = _wst.has_cuda
cuda_unavailable = _wst.cuda_unavailable if has_cuda else (lambda: "this build of the package has no CUDA backend")

__all__ = ["Scattering1D", "TimeFrequencyScattering", "has_cuda", "cuda_unavailable"]
__version__ = "0.1.0"
