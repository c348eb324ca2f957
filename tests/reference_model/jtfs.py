"""Pure-numpy re-implementation of Kymatio 0.4 (0.4.0.dev0) joint time-frequency
scattering (kymatio.TimeFrequencyScattering, numpy frontend).

Faithful port of:
  kymatio/scattering1d/filter_bank.py            (section FILTER BANK)
  kymatio/scattering1d/utils.py                  (section UTILS)
  kymatio/scattering1d/frontend/base_frontend.py (class JTFS: build / create_filters
                                                  / scattering / meta)
  kymatio/scattering1d/core/timefrequency_scattering.py (section CORE)
  kymatio/scattering1d/backend/numpy_backend.py  (section BACKEND)

Array layout convention (same as Kymatio): signals are carried as
(batch, 1, time) after reshape_input; the "first-order frequency" axis n1 is
inserted as axis 2, so S1 / Y2 have shape (batch, 1, n1, time).

Only out_type='array' is implemented (format='time' and format='joint').
Everything is float64 / complex128.
"""
import math
import numpy as np

# =============================================================================
# BACKEND (kymatio/scattering1d/backend/numpy_backend.py, NumpyBackend1D)
# =============================================================================

def fft(x):
    """Full complex FFT over the last axis (Kymatio: scipy.fft.fft, for both
    'rfft' and 'cfft': no Hermitian half-spectrum is used anywhere)."""
    return np.fft.fft(x, axis=-1)


def ifft(x):
    return np.fft.ifft(x, axis=-1)


def irfft(x):
    """Kymatio's 'irfft' is real(ifft(x)) on the full spectrum."""
    return np.fft.ifft(x, axis=-1).real


def subsample_fourier(x, k):
    """Periodize the spectrum: x.reshape(..., k, N/k).mean(-2).
    Equivalent to subsampling by k in the signal domain."""
    N = x.shape[-1]
    return x.reshape(x.shape[:-1] + (k, N // k)).mean(axis=-2)


def pad_reflect(x, pad_left, pad_right):
    """np.pad(mode='reflect') on last axis (edge sample not repeated)."""
    if pad_left >= x.shape[-1] or pad_right >= x.shape[-1]:
        raise ValueError('Indefinite padding size (larger than tensor).')
    paddings = ((0, 0),) * (x.ndim - 1) + ((pad_left, pad_right),)
    return np.pad(x, paddings, mode='reflect')


def pad_frequency(x, padding):
    """Zero-pad ('constant') the LAST axis on the right only."""
    paddings = ((0, 0),) * (x.ndim - 1) + ((0, padding),)
    return np.pad(x, paddings, mode='constant')


def swap_time_frequency(x):
    return np.moveaxis(x, -1, -2)


def unpad_frequency(x, n1_max, n1_stride):
    n1_unpadded = 1 + (n1_max // n1_stride)
    return x[:, :, :n1_unpadded, :]


def average_global(x):
    """NB: a SUM over the last axis (not a mean), keepdims."""
    return np.sum(x, axis=-1, keepdims=True)


# =============================================================================
# FILTER BANK (kymatio/scattering1d/filter_bank.py, v0.4)
# =============================================================================

def adaptive_choice_P(sigma, eps=1e-7):
    val = math.sqrt(-2 * (sigma ** 2) * math.log(eps))
    P = int(math.ceil(val + 1))
    return P


def morlet_1d(N, xi, sigma):
    """Fourier transform (fftfreq(N) order) of a Morlet (xi given) or Gaussian
    (xi None/0) filter, periodized over P periods, normalized to unit l1 norm
    in the time domain."""
    P = min(adaptive_choice_P(sigma), 5)
    freqs = np.arange((1 - P) * N, P * N, dtype=float) / float(N)
    if P == 1:
        freqs_low = np.fft.fftfreq(N)
    else:
        freqs_low = freqs
    low_pass_f = np.exp(-(freqs_low ** 2) / (2 * sigma ** 2))
    low_pass_f = low_pass_f.reshape(2 * P - 1, -1).mean(axis=0)
    if xi:
        gabor_f = np.exp(-(freqs - xi) ** 2 / (2 * sigma ** 2))
        gabor_f = gabor_f.reshape(2 * P - 1, -1).mean(axis=0)
        kappa = gabor_f[0] / low_pass_f[0]
        filter_f = gabor_f - kappa * low_pass_f
    else:
        filter_f = low_pass_f
    filter_f /= np.abs(np.fft.ifft(filter_f)).sum()
    return filter_f


def gauss_1d(N, sigma):
    return morlet_1d(N, xi=None, sigma=sigma)


def compute_sigma_psi(xi, Q, r=math.sqrt(0.5)):
    factor = 1. / math.pow(2, 1. / Q)
    term1 = (1 - factor) / (1 + factor)
    term2 = 1. / math.sqrt(2 * math.log(1. / r))
    return xi * term1 * term2


def compute_temporal_support(h_f, criterion_amplitude=1e-3):
    h = np.fft.ifft(h_f, axis=1)
    half_support = h.shape[1] // 2
    l1_residual = np.fliplr(
        np.cumsum(np.fliplr(np.abs(h)[:, :half_support]), axis=1))
    if np.any(np.max(l1_residual, axis=0) <= criterion_amplitude):
        N = np.min(np.where(np.max(l1_residual, axis=0)
                            <= criterion_amplitude)[0]) + 1
    else:
        N = half_support  # Kymatio warns here
    return int(N)


def get_max_dyadic_subsampling(xi, sigma, alpha, **unused_kwargs):
    upper_bound = min(abs(xi) + alpha * sigma, 0.5)
    j = math.floor(-math.log2(upper_bound)) - 1
    return int(j)


def compute_xi_max(Q):
    return max(1. / (1. + math.pow(2., 3. / Q)), 0.35)


def anden_generator(J, Q, sigma0, r_psi, **unused_kwargs):
    """Yields (xi, sigma): geometric progression (ratio 2**(1/Q)) from xi_max
    while sigma > sigma_min*2**(1/Q), then Q-1 linearly spaced xi with
    sigma = sigma_min = sigma0 / 2**J."""
    xi = compute_xi_max(Q)
    sigma = compute_sigma_psi(xi, Q, r=r_psi)
    sigma_min = sigma0 / 2 ** J
    if sigma <= sigma_min:
        xi = sigma
    else:
        yield xi, sigma
        while sigma > (sigma_min * math.pow(2, 1 / Q)):
            xi /= math.pow(2, 1 / Q)
            sigma /= math.pow(2, 1 / Q)
            yield xi, sigma
    elbow_xi = xi
    for q in range(Q - 1):
        xi -= 1 / Q * elbow_xi
        yield xi, sigma_min


def spin(filterbank_fn, filterbank_kwargs):
    """Spinned filterbank: all (xi, sigma) of filterbank_fn, then all
    (-xi, sigma) in the same order."""
    def spinned_fn(J, Q, **kwargs):
        yield from filterbank_fn(J, Q, **kwargs)
        for xi, sigma in filterbank_fn(J, Q, **kwargs):
            yield -xi, sigma
    return spinned_fn, filterbank_kwargs


def scattering_filter_factory(N, J, Q, T, filterbank, _reduction=np.sum):
    """Returns (phi_f, psis_layer1, psis_layer2, ...) for each entry of the
    tuple Q. Each filter: dict(levels=[full res, /2, /4, ...], xi, sigma, j).
    Lower levels are made by SUMMING (_reduction=np.sum) the 2**level
    aliased copies: levels[l] = level0.reshape(2**l, -1).sum(0)."""
    filterbank_fn, filterbank_kwargs = filterbank
    max_j = 0
    previous_J = 0
    log2_T = math.floor(math.log2(T))
    psis_f = []
    for Q_layer in Q:
        psi_f = []
        for xi, sigma in filterbank_fn(J, Q_layer, **filterbank_kwargs):
            psi_levels = [morlet_1d(N, xi, sigma)]
            j = get_max_dyadic_subsampling(xi, sigma, **filterbank_kwargs)
            for level in range(1, min(previous_J, j, 1 + log2_T)):
                psi_level = _reduction(
                    psi_levels[0].reshape(2 ** level, -1), axis=0)
                psi_levels.append(psi_level)
            psi_f.append({'levels': psi_levels, 'xi': xi, 'sigma': sigma,
                          'j': j})
            max_j = max(j, max_j)
        previous_J = max_j
        psis_f.append(psi_f)
    sigma_low = filterbank_kwargs["sigma0"] / T
    phi_levels = [gauss_1d(N, sigma_low)]
    for level in range(1, max(previous_J, 1 + log2_T)):
        phi_level = _reduction(phi_levels[0].reshape(2 ** level, -1), axis=0)
        phi_levels.append(phi_level)
    phi_f = {'levels': phi_levels, 'xi': 0, 'sigma': sigma_low, 'j': log2_T,
             'N': N}
    return tuple([phi_f] + psis_f)


# =============================================================================
# UTILS (kymatio/scattering1d/utils.py)
# =============================================================================

def compute_border_indices(log2_T, J, i0, i1):
    ind_start = {0: i0}
    ind_end = {0: i1}
    for j in range(1, max(log2_T, J) + 1):
        ind_start[j] = (ind_start[j - 1] // 2) + (ind_start[j - 1] % 2)
        ind_end[j] = (ind_end[j - 1] // 2) + (ind_end[j - 1] % 2)
    return ind_start, ind_end


def compute_padding(N, N_input):
    if N < N_input:
        raise ValueError('Padding support should be larger than the original'
                         'signal size!')
    to_add = N - N_input
    pad_left = to_add // 2
    pad_right = to_add - pad_left
    if max(pad_left, pad_right) >= N_input:
        raise ValueError('Too large padding value, will lead to NaN errors')
    return pad_left, pad_right


def parse_T(T, J, N_input, T_alias='T'):
    """-> (T_parsed, average) with average in {'local', 'global', False}."""
    if T is None:
        return 2 ** J, 'local'
    elif T == 'global':
        return 2 ** J, 'global'
    elif T > N_input:
        raise ValueError("The support {} of the low-pass filter cannot exceed "
                         "input length (got {} > {}).".format(T_alias, T,
                                                              N_input))
    elif T == 0:
        return 2 ** J, False
    elif T < 1:
        raise ValueError("{} must be ==0 or >=1 (got {})".format(T_alias, T))
    else:
        return T, 'local'


def _check_filterbanks(psi1s, psi2s):
    """ScatteringBase._check_filterbanks (kymatio/frontend/base_frontend.py)"""
    assert all(p1['xi'] < 0.5 / (2 ** p1['j']) for p1 in psi1s)
    assert all(p1['xi'] > p2['xi'] for p1 in psi1s for p2 in psi2s
               if p1['j'] < p2['j'])


def _parse_stride(stride, log2_default, average, name):
    if stride is None:
        return log2_default
    if not isinstance(stride, (int, np.integer)):
        raise ValueError("{} must be integer.".format(name))
    l2 = math.log2(stride)
    if math.floor(l2) != math.ceil(l2):
        raise ValueError("{} must be a power of two.".format(name))
    if average in [False, 'global']:
        raise ValueError("{} is incompatible with T/F=0 or 'global'".format(
            name))
    return int(l2)


# =============================================================================
# FRONTEND: parameters and filters (base_frontend.py: ScatteringBase1D.build,
# ScatteringBase1D.create_filters, TimeFrequencyScatteringBase.build /
# create_filters and properties)
# =============================================================================

class JTFS:
    def __init__(self, J, J_fr, Q, shape, T=None, stride=None, Q_fr=1, F=None,
                 stride_fr=None, out_type='array', format='time'):
        self.J = J
        self.J_fr = J_fr
        self.N = int(shape[0] if isinstance(shape, (tuple, list)) else shape)
        # Q -> (Q1, Q2); int Q means (Q, 1)
        if isinstance(Q, int):
            self.Q = (Q, 1)
        elif len(Q) == 1:
            self.Q = (Q[0], 1)
        else:
            self.Q = tuple(Q)
        if isinstance(Q_fr, int):
            self.Q_fr = (Q_fr,)
        else:
            self.Q_fr = tuple(Q_fr)
            assert len(self.Q_fr) == 1
        self.out_type = out_type
        self.format = format
        self.oversampling_fr = 0
        # --- ScatteringBase1D.build
        self.r_psi = math.sqrt(0.5)
        self.sigma0 = 0.1
        self.alpha = 5.
        self.T, self.average = parse_T(T, J, self.N, 'T')
        self.log2_T = int(math.floor(math.log2(self.T)))
        self.log2_stride = _parse_stride(stride, self.log2_T, self.average,
                                         'stride')
        phi_f = gauss_1d(self.N, self.sigma0 / self.T)
        min_to_pad = 3 * compute_temporal_support(phi_f.reshape(1, -1), 1e-3)
        J_max_support = int(np.floor(np.log2(3 * self.N - 2)))
        J_pad = min(int(np.ceil(np.log2(self.N + 2 * min_to_pad))),
                    J_max_support)
        self.N_padded = 2 ** J_pad
        self.pad_left, self.pad_right = compute_padding(self.N_padded, self.N)
        self.ind_start, self.ind_end = compute_border_indices(
            self.log2_T, self.J, self.pad_left, self.pad_left + self.N)
        # --- ScatteringBase1D.create_filters
        fb = (anden_generator, {"alpha": self.alpha, "r_psi": self.r_psi,
                                "sigma0": self.sigma0})
        self.phi_f, self.psi1_f, self.psi2_f = scattering_filter_factory(
            self.N_padded, self.J, self.Q, self.T, fb, np.sum)
        _check_filterbanks(self.psi1_f, self.psi2_f)
        # --- TimeFrequencyScatteringBase.build
        N_input_fr = (self.J + 1) * self.Q[0]
        self.F, self.average_fr = parse_T(F, J_fr, N_input_fr, 'F')
        self.log2_F = int(math.floor(math.log2(self.F)))
        self.log2_stride_fr = _parse_stride(stride_fr, self.log2_F,
                                            self.average_fr, 'stride_fr')
        min_to_pad_fr = 8 * min(self.F, 2 ** self.J_fr)
        K_fr = max(self.J_fr - self.oversampling_fr, 0)
        self.N_padded_fr = ((N_input_fr + min_to_pad_fr) // (2 ** K_fr)) \
            * (2 ** K_fr)
        # --- TimeFrequencyScatteringBase.create_filters
        fb_fr = spin(anden_generator, {"alpha": self.alpha,
                                       "r_psi": self.r_psi,
                                       "sigma0": self.sigma0})
        phi0_fr_f, = scattering_filter_factory(self.N_padded_fr, self.J_fr,
                                               (), self.F, fb_fr, np.sum)
        phi1_fr_f, psis_fr_f = scattering_filter_factory(
            self.N_padded_fr, self.J_fr, self.Q_fr, 2 ** self.J_fr, fb_fr,
            np.sum)
        self.filters_fr = (phi0_fr_f, [phi1_fr_f] + psis_fr_f)
        assert all((abs(p["xi"]) < 0.5 / (2 ** p["j"])) for p in psis_fr_f)

    # -------------------------------------------------------------------------
    # CORE: joint_timefrequency_scattering + jtfs_average_and_format +
    # frontend scattering(), flattened into one function, same path order.
    # -------------------------------------------------------------------------
    def _frequency_scattering(self, X, n1_max, spinned):
        """core.frequency_scattering. X: (B,1,n1,t). Returns list of
        (n_fr, psi, Y_fr (B,1,n1_sub,t) complex)."""
        phi0, psis = self.filters_fr
        average_local_fr = (self.average_fr == 'local')
        X_T = swap_time_frequency(X)                       # (B,1,t,n1)
        X_pad = pad_frequency(X_T, phi0['N'] - n1_max)     # zero pad to N_fr
        X_hat = fft(X_pad)
        if not spinned:
            psis = [p for p in psis if p['xi'] >= 0]
        out = []
        for n_fr, psi in enumerate(psis):
            j_fr = psi['j']
            k_fr = min(j_fr, self.log2_stride_fr) if average_local_fr \
                else j_fr
            Y = ifft(subsample_fourier(X_hat * psi['levels'][0], 2 ** k_fr))
            out.append((n_fr, psi, swap_time_frequency(Y)))
        return out

    def _paths(self, x):
        """Yields dicts in Kymatio's generation order, BEFORE the frontend
        temporal unpadding: keys n, j2 (or None), n_fr, spin, j_fr, n1_max,
        n1_stride, coef."""
        ls = self.log2_stride
        ls_fr = self.log2_stride_fr
        average_local = (self.average == 'local')
        phi = self.phi_f
        U_0 = pad_reflect(x, self.pad_left, self.pad_right)  # (B,1,Npad)
        U_0_hat = fft(U_0)
        # ---------------- order 0
        if average_local:
            S_0 = irfft(subsample_fourier(U_0_hat * phi['levels'][0], 2 ** ls))
        else:
            S_0 = U_0
        if self.average == 'global':
            S_0 = average_global(S_0)
        yield {'n': (), 'coef': S_0, 'order': 0}
        # ---------------- order 1 in time: U1, S1
        U_1_hats = []
        S_1_list = []
        for n1, psi1 in enumerate(self.psi1_f):
            j1 = psi1['j']
            k1 = min(j1, ls) if average_local else j1
            U_1_c = ifft(subsample_fourier(U_0_hat * psi1['levels'][0],
                                           2 ** k1))
            U_1_hat = fft(np.abs(U_1_c))
            U_1_hats.append((j1, U_1_hat))
            k1_J = ls - k1
            S_1_list.append(irfft(subsample_fourier(
                U_1_hat * phi['levels'][k1], 2 ** k1_J)))
        S_1 = np.stack(S_1_list, 2)                         # (B,1,n1,t)
        # ---------------- frequency scattering of S1 (spin >= 0 only)
        Ys = [(None, len(S_1_list), fs) for fs in
              self._frequency_scattering(S_1, len(S_1_list), spinned=False)]
        yield from self._average_and_format(Ys, order=1)
        # ---------------- order 2: n2 outer
        for n2, psi2 in enumerate(self.psi2_f):
            j2 = psi2['j']
            Y_2_list = []
            for j1, U_1_hat in U_1_hats:
                k1 = min(j1, ls) if average_local else j1
                if j2 > j1:
                    k2 = min(j2 - k1, ls) if average_local else (j2 - k1)
                    Y_2_list.append(ifft(subsample_fourier(
                        U_1_hat * psi2['levels'][k1], 2 ** k2)))
            if len(Y_2_list) > 0:
                Y_2 = np.stack(Y_2_list, 2)                 # (B,1,n1,t)
                Ys = [((n2, j2), len(Y_2_list), fs) for fs in
                      self._frequency_scattering(Y_2, len(Y_2_list),
                                                 spinned=True)]
                yield from self._average_and_format(Ys, order=2)

    def _average_and_format(self, Ys, order):
        """core.jtfs_average_and_format (+ time_averaging,
        frequency_averaging, time_formatting) for one batch of
        frequency-scattered paths."""
        phi = self.phi_f
        phi0_fr = self.filters_fr[0]
        for n2j2, n1_max, (n_fr, psi_fr, Y) in Ys:
            j_fr = psi_fr['j']
            spin_ = np.sign(psi_fr['xi'])
            n1_stride = 2 ** j_fr
            coef = np.abs(Y)
            # temporal averaging
            if self.average == 'global':
                coef = average_global(coef)
            elif self.average == 'local' and order == 2:
                k_in = n2j2[1]                              # = j2
                k_J = self.log2_stride - k_in
                coef = irfft(subsample_fourier(
                    fft(coef) * phi['levels'][k_in], 2 ** k_J))
            # frequential averaging (only for spin != 0)
            if self.average_fr and spin_ != 0:
                U_T = swap_time_frequency(coef)
                if self.average_fr == 'global':
                    S_T = average_global(U_T)
                    n1_stride = n1_max
                else:
                    k_in = min(j_fr, self.log2_F)
                    k_J = self.log2_stride_fr - k_in
                    S_T = irfft(subsample_fourier(
                        fft(U_T) * phi0_fr['levels'][k_in], 2 ** k_J))
                    n1_stride = 2 ** self.log2_stride_fr
                coef = swap_time_frequency(S_T)
            # frequential unpadding
            if not (self.out_type == 'array' and self.format == 'joint'):
                coef = unpad_frequency(coef, n1_max, n1_stride)
            n = ((n2j2[0],) if order == 2 else ()) + (n_fr,)
            base = {'order': order, 'n_fr': n_fr, 'j_fr': j_fr,
                    'spin': spin_, 'n1_max': n1_max, 'n1_stride': n1_stride,
                    'j2': (n2j2[1] if order == 2 else None)}
            if self.format == 'joint':
                yield {**base, 'n': n, 'coef': coef}
            else:  # 'time': split along n1, one path per kept n1
                for i, n1 in enumerate(range(0, n1_max, n1_stride)):
                    yield {**base, 'n': (n1,) + n,
                           'coef': coef[:, :, i:i + 1, :]}

    def scattering(self, x):
        """x: (..., N) float64. Returns
        format='time' : (..., C, N_out)
        format='joint': (..., n_paths, n1_out, N_out)   (no zeroth order)."""
        # _check_runtime_args (ScatteringBase1D's first, then JTFS's)
        if self.out_type != 'array':
            raise NotImplementedError("only out_type='array' is ported")
        if not self.average and self.out_type == 'array':
            raise ValueError("Cannot convert to out_type='array' with T=0.")
        if self.format == 'joint' and (not self.average_fr) \
                and self.out_type == 'array':
            raise ValueError("Cannot convert to format='joint' with "
                             "out_type='array' and F=0.")
        if self.format not in ['time', 'joint']:
            raise ValueError("format must be 'time' or 'joint'.")
        x = np.asarray(x, dtype=np.float64)
        batch_shape = x.shape[:-1]
        x = x.reshape((-1, 1, x.shape[-1]))
        S = []
        for path in self._paths(x):
            coef = path['coef']
            if self.average != 'global':
                if path['order'] == 0:
                    res = self.log2_stride if self.average else 0
                elif (not self.average) and path['order'] == 2:
                    res = max(path['j2'], 0)
                else:
                    res = max(self.log2_stride, 0)
                coef = coef[..., self.ind_start[res]:self.ind_end[res]]
            if path['order'] == 0:
                kept = 1
            else:
                kept = 1 + (self.format == 'joint')
            coef = coef.reshape(batch_shape + coef.shape[-kept:])
            S.append(coef)
        if self.format == 'joint':
            return np.stack(S[1:], axis=-3)
        return np.stack(S, axis=-2)

    __call__ = scattering

    # -------------------------------------------------------------------------
    # meta() (TimeFrequencyScatteringBase.meta). NB: SORTED by (len(n), n),
    # which is NOT the order of the channels of scattering() for
    # format='time' (see SPEC.md).
    # -------------------------------------------------------------------------
    def path_list(self):
        """Paths in output (generation) order: list of dicts without coef."""
        paths = []
        for p in self._dry_paths():
            paths.append(p)
        return paths

    def _dry_paths(self):
        ls = self.log2_stride
        average_local = (self.average == 'local')
        yield {'n': (), 'order': 0}
        n1_max = len(self.psi1_f)
        psis = self.filters_fr[1]
        for n_fr, psi in enumerate([p for p in psis if p['xi'] >= 0]):
            yield from self._dry_format(None, n1_max, n_fr, psi, 1)
        for n2, psi2 in enumerate(self.psi2_f):
            j2 = psi2['j']
            n1_max = sum(1 for p1 in self.psi1_f if j2 > p1['j'])
            if n1_max > 0:
                for n_fr, psi in enumerate(psis):
                    yield from self._dry_format((n2, j2), n1_max, n_fr, psi, 2)

    def _dry_format(self, n2j2, n1_max, n_fr, psi_fr, order):
        spin_ = np.sign(psi_fr['xi'])
        n1_stride = 2 ** psi_fr['j']
        if self.average_fr and spin_ != 0:
            n1_stride = n1_max if self.average_fr == 'global' \
                else 2 ** self.log2_stride_fr
        n = ((n2j2[0],) if order == 2 else ()) + (n_fr,)
        base = {'order': order, 'n_fr': n_fr, 'n1_max': n1_max,
                'n1_stride': n1_stride}
        if self.format == 'joint':
            yield {**base, 'n': n}
        else:
            for n1 in range(0, n1_max, n1_stride):
                yield {**base, 'n': (n1,) + n}

    def meta(self):
        S = sorted(list(self._dry_paths()),
                   key=lambda path: (len(path['n']), path['n']))
        meta = dict(key=[path['n'] for path in S], n=[], n_fr=[], order=[])
        joint_array = (self.format == 'joint' and self.out_type == 'array')
        for path in S:
            if len(path['n']) == 0:
                if not joint_array:
                    meta['n'].append([np.nan, np.nan])
                    meta['n_fr'].append(np.nan)
                    meta['order'].append(0)
                continue
            L = len(path['n'])
            if L == 1:          # joint, order 1: n=(n_fr,)
                meta['n'].append([range(0, path['n1_max'], path['n1_stride']),
                                  np.nan])
            elif L == 2 and self.format == 'joint':   # (n2, n_fr)
                meta['n'].append([range(0, path['n1_max'], path['n1_stride']),
                                  path['n'][0]])
            elif L == 2 and self.format == 'time':    # (n1, n_fr)
                meta['n'].append([path['n'][0], np.nan])
            elif L == 3 and self.format == 'time':    # (n1, n2, n_fr)
                meta['n'].append(list(path['n'][:2]))
            meta['n_fr'].append(path['n'][-1])
            meta['order'].append(L - (self.format == 'time'))
        n_obj = np.empty((len(meta['n']), 2), dtype=object)
        for i, row in enumerate(meta['n']):
            n_obj[i, 0], n_obj[i, 1] = row[0], row[1]
        meta['n'] = n_obj
        meta['n_fr'] = np.array(meta['n_fr'], dtype=float)
        meta['order'] = np.array(meta['order'])
        for key in ['xi', 'sigma', 'j']:
            meta[key] = np.zeros((meta['n_fr'].shape[0], 2)) * np.nan
            for order, filterbank in enumerate([self.psi1_f, self.psi2_f]):
                for n, psi in enumerate(filterbank):
                    mask = np.array([(not isinstance(v, range)) and v == n
                                     for v in meta['n'][:, order]],
                                    dtype=bool)
                    meta[key][mask, order] = psi[key]
            meta[key + '_fr'] = meta['n_fr'] * np.nan
            for n_fr, psi_fr in enumerate(self.filters_fr[1]):
                meta[key + '_fr'][meta['n_fr'] == n_fr] = psi_fr[key]
        meta['spin'] = np.sign(meta['xi_fr'])
        return meta

    def output_size(self, detail=False):
        """Kymatio: ScatteringBase1D.output_size (inherited by JTFS):
        len(meta()['key']) -- which INCLUDES the zeroth-order key () even for
        format='joint' (so it is n_paths + 1 there); detail=True returns
        tuple(Counter(meta()['order']).values()) (counts per order 0,1,2; for
        format='joint' no order-0 entry)."""
        m = self.meta()
        if detail:
            from collections import Counter
            return tuple(Counter(m['order']).values())
        return len(m['key'])

    def n_channels(self):
        """Actual channel count of scattering(): C (format='time') or n_paths
        (format='joint')."""
        n = len(list(self._dry_paths()))
        return n - 1 if self.format == 'joint' else n
