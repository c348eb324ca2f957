"""Helpers around the vendored Kymatio 0.4 JTFS.

make_torch_jtfs(dtype=torch.float64) rebuilds the torch module's filter
buffers directly from Kymatio's float64 NumPy filters (the stock torch
frontend casts filters with .float(), so .double() alone only gives float32
precision filters stored as float64). The buffer order is the one used by
TimeFrequencyScatteringTorch.register_filters: phi, psi1, psi2, phi_fr, psis_fr.
"""
import numpy as np
import torch
from kymatio.torch import TimeFrequencyScattering as _JT
from kymatio.numpy import TimeFrequencyScattering as _JN


def make_torch_jtfs(dtype=torch.float32, **params):
    S = _JT(**params)
    if dtype == torch.float32:
        return S
    ref = _JN(**params)
    arrays = []
    arrays += list(ref.phi_f['levels'])
    for bank in (ref.psi1_f, ref.psi2_f):
        for psi in bank:
            arrays += list(psi['levels'])
    arrays += list(ref.filters_fr[0]['levels'])
    for psi in ref.filters_fr[1]:
        arrays += list(psi['levels'])
    names = [n for n, _ in S.named_buffers()]
    assert len(names) == len(arrays), (len(names), len(arrays))
    for n, a in enumerate(arrays):
        name = 'tensor' + str(n)
        old = getattr(S, name)
        new = torch.from_numpy(np.ascontiguousarray(a)).to(dtype).view(-1, 1)
        assert old.shape == new.shape
        assert torch.allclose(old.double(), new.double(), rtol=1e-6, atol=1e-7 * float(new.abs().max()))
        S.register_buffer(name, new)
    return S
