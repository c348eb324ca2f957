"""Reverse-mode gradient (VJP) of jtfs.JTFS.scattering, format='time' or
'joint', with a minimal tape: grad_x = d/dx sum(S(x) * g).

Gradient convention for complex intermediates z = a + ib (same as torch):
    grad_z = dL/da + i dL/db.
With it, the adjoint of every C-linear op A is A^H:
    fft  (unnormalised DFT)  -> grad_in = N * ifft(grad_out)
    ifft (1/N normalised)    -> grad_in = fft(grad_out) / N
    real-input fft           -> grad_in = Re(N * ifft(grad_out))
    Re(z)                    -> grad_z  = grad_out (as complex)
    |z|                      -> grad_z  = grad_out * z / |z|   (0 where z == 0)
    z * h (h real filter)    -> grad_z  = grad_out * h
    subsample_fourier(k)     -> grad_in = tile(grad_out / k, k)
    reflect pad              -> fold the padded samples back onto their sources
    zero pad / slice / stack / moveaxis / sum -> the obvious adjoints.
The forward walk below is a line-by-line mirror of JTFS._paths /
JTFS._average_and_format / JTFS.scattering.
"""
import numpy as np
from jtfs import JTFS


class Var:
    __slots__ = ('v', 'parents', 'grad')

    def __init__(self, v, parents=()):
        self.v = v
        self.parents = parents  # tuple of (Var, backward_fn)
        self.grad = None


class Tape:
    def __init__(self):
        self.nodes = []

    def var(self, v, parents=()):
        n = Var(v, parents)
        self.nodes.append(n)
        return n

    # ---- ops -------------------------------------------------------------
    def pad_reflect(self, x, pl, pr):
        N = x.v.shape[-1]
        y = np.pad(x.v, ((0, 0),) * (x.v.ndim - 1) + ((pl, pr),),
                   mode='reflect')
        # source index of every padded sample (numpy 'reflect')
        idx = np.pad(np.arange(N), (pl, pr), mode='reflect')

        def bw(g):
            out = np.zeros(g.shape[:-1] + (N,), dtype=g.dtype)
            np.add.at(out, (Ellipsis, idx), g)
            return out
        return self.var(y, ((x, bw),))

    def fft(self, x):
        N = x.v.shape[-1]
        real_in = not np.iscomplexobj(x.v)

        def bw(g):
            r = N * np.fft.ifft(g, axis=-1)
            return r.real if real_in else r
        return self.var(np.fft.fft(x.v, axis=-1), ((x, bw),))

    def ifft(self, x):
        N = x.v.shape[-1]
        return self.var(np.fft.ifft(x.v, axis=-1),
                        ((x, lambda g: np.fft.fft(g, axis=-1) / N),))

    def real(self, x):
        return self.var(x.v.real, ((x, lambda g: g.astype(complex)),))

    def irfft(self, x):
        return self.real(self.ifft(x))

    def mul(self, x, h):
        return self.var(x.v * h, ((x, lambda g: g * h),))

    def subsample(self, x, k):
        N = x.v.shape[-1]
        y = x.v.reshape(x.v.shape[:-1] + (k, N // k)).mean(axis=-2)
        return self.var(y, ((x, lambda g: np.concatenate([g / k] * k,
                                                          axis=-1)),))

    def abs(self, x):
        a = np.abs(x.v)

        def bw(g):
            with np.errstate(invalid='ignore', divide='ignore'):
                ph = np.where(a > 0, x.v / np.where(a > 0, a, 1), 0)
            r = g * ph
            return r if np.iscomplexobj(x.v) else r.real
        return self.var(a, ((x, bw),))

    def stack(self, xs, axis):
        y = np.stack([x.v for x in xs], axis=axis)

        def mk(i):
            return lambda g: np.take(g, i, axis=axis)
        return self.var(y, tuple((x, mk(i)) for i, x in enumerate(xs)))

    def swap(self, x):
        return self.var(np.moveaxis(x.v, -1, -2),
                        ((x, lambda g: np.moveaxis(g, -1, -2)),))

    def pad_zero_right(self, x, p):
        n = x.v.shape[-1]
        y = np.pad(x.v, ((0, 0),) * (x.v.ndim - 1) + ((0, p),))
        return self.var(y, ((x, lambda g: g[..., :n]),))

    def slice(self, x, sl):
        shape = x.v.shape

        def bw(g):
            out = np.zeros(shape, dtype=g.dtype)
            out[sl] = g
            return out
        return self.var(x.v[sl], ((x, bw),))

    def sum_last(self, x):
        n = x.v.shape[-1]
        return self.var(np.sum(x.v, axis=-1, keepdims=True),
                        ((x, lambda g: np.repeat(g, n, axis=-1)),))

    def reshape(self, x, shape):
        s0 = x.v.shape
        return self.var(x.v.reshape(shape), ((x, lambda g: g.reshape(s0)),))

    # ---- backward ----------------------------------------------------------
    def backward(self, out, g):
        out.grad = g
        for node in reversed(self.nodes):
            if node.grad is None:
                continue
            for parent, bw in node.parents:
                gp = bw(node.grad)
                parent.grad = gp if parent.grad is None else parent.grad + gp


def forward(jt, tp, x):
    """Mirror of JTFS.scattering on the tape. x: Var (B, N)."""
    ls, ls_fr = jt.log2_stride, jt.log2_stride_fr
    avg_local = jt.average == 'local'
    avg_local_fr = jt.average_fr == 'local'
    phi, (phi0_fr, psis_fr) = jt.phi_f, jt.filters_fr
    B = x.v.shape[:-1]
    x3 = tp.reshape(x, (-1, 1, x.v.shape[-1]))
    U0 = tp.pad_reflect(x3, jt.pad_left, jt.pad_right)
    U0h = tp.fft(U0)
    out = []

    def unpad_t(c, res):
        return tp.slice(c, (Ellipsis, slice(jt.ind_start[res],
                                            jt.ind_end[res])))

    if avg_local:
        S0 = tp.irfft(tp.subsample(tp.mul(U0h, phi['levels'][0]), 2 ** ls))
    else:
        S0 = U0
    if jt.average == 'global':
        S0 = tp.sum_last(S0)
    else:
        S0 = unpad_t(S0, ls if jt.average else 0)
    out.append(tp.reshape(S0, B + S0.v.shape[-1:]))

    def freq_scat(X, n1_max, spinned):
        Xp = tp.pad_zero_right(tp.swap(X), phi0_fr['N'] - n1_max)
        Xh = tp.fft(Xp)
        ps = psis_fr if spinned else [p for p in psis_fr if p['xi'] >= 0]
        res = []
        for n_fr, psi in enumerate(ps):
            k = min(psi['j'], ls_fr) if avg_local_fr else psi['j']
            Y = tp.ifft(tp.subsample(tp.mul(Xh, psi['levels'][0]), 2 ** k))
            res.append((psi, tp.swap(Y)))
        return res

    def avg_format(items, n1_max, j2):
        for psi, Y in items:
            sp = np.sign(psi['xi'])
            n1_stride = 2 ** psi['j']
            c = tp.abs(Y)
            if jt.average == 'global':
                c = tp.sum_last(c)
            elif jt.average == 'local' and j2 is not None:
                c = tp.irfft(tp.subsample(tp.mul(tp.fft(c),
                                                 phi['levels'][j2]),
                                          2 ** (ls - j2)))
            if jt.average_fr and sp != 0:
                cT = tp.swap(c)
                if jt.average_fr == 'global':
                    sT = tp.sum_last(cT)
                    n1_stride = n1_max
                else:
                    kin = min(psi['j'], jt.log2_F)
                    sT = tp.irfft(tp.subsample(
                        tp.mul(tp.fft(cT), phi0_fr['levels'][kin]),
                        2 ** (ls_fr - kin)))
                    n1_stride = 2 ** ls_fr
                c = tp.swap(sT)
            if jt.format != 'joint':
                c = tp.slice(c, (slice(None), slice(None),
                                 slice(0, 1 + n1_max // n1_stride)))
            if jt.average != 'global':
                res = j2 if ((not jt.average) and j2 is not None) else ls
                c = unpad_t(c, res)
            if jt.format == 'joint':
                out.append(tp.reshape(c, B + c.v.shape[-2:]))
            else:
                for i, n1 in enumerate(range(0, n1_max, n1_stride)):
                    ci = tp.slice(c, (slice(None), slice(None),
                                      slice(i, i + 1)))
                    out.append(tp.reshape(ci, B + ci.v.shape[-1:]))

    U1h = []
    S1 = []
    for psi1 in jt.psi1_f:
        j1 = psi1['j']
        k1 = min(j1, ls) if avg_local else j1
        U1 = tp.abs(tp.ifft(tp.subsample(tp.mul(U0h, psi1['levels'][0]),
                                         2 ** k1)))
        u1h = tp.fft(U1)
        U1h.append((j1, u1h))
        S1.append(tp.irfft(tp.subsample(tp.mul(u1h, phi['levels'][k1]),
                                        2 ** (ls - k1))))
    avg_format(freq_scat(tp.stack(S1, 2), len(S1), False), len(S1), None)
    for psi2 in jt.psi2_f:
        j2 = psi2['j']
        Y2 = []
        for j1, u1h in U1h:
            k1 = min(j1, ls) if avg_local else j1
            if j2 > j1:
                k2 = min(j2 - k1, ls) if avg_local else j2 - k1
                Y2.append(tp.ifft(tp.subsample(
                    tp.mul(u1h, psi2['levels'][k1]), 2 ** k2)))
        if Y2:
            avg_format(freq_scat(tp.stack(Y2, 2), len(Y2), True), len(Y2), j2)
    if jt.format == 'joint':
        return tp.stack(out[1:], -3)
    return tp.stack(out, -2)


def vjp(jt, x, g):
    """Returns (S, grad_x) with grad_x = d sum(S * g) / dx."""
    tp = Tape()
    xv = tp.var(np.asarray(x, dtype=float))
    S = forward(jt, tp, xv)
    tp.backward(S, np.asarray(g, dtype=float))
    return S.v, xv.grad


if __name__ == '__main__':
    import json, os, sys
    REF = '/work/shared/reference/jtfs'
    ok = True
    for case in sys.argv[1:] or sorted(c for c in os.listdir(REF) if os.path.isdir(os.path.join(REF, c))):
        d = os.path.join(REF, case)
        kw = json.load(open(os.path.join(d, 'params.json')))['kymatio']
        x = np.load(os.path.join(d, 'x.npy'))
        g = np.load(os.path.join(d, 'g.npy'))
        gx = np.load(os.path.join(d, 'gx.npy'))
        jt = JTFS(format='time', **kw)
        S, gr = vjp(jt, x, g)
        eS = np.max(np.abs(S - np.load(os.path.join(d, 'S.npy')))) / \
            np.max(np.abs(S))
        e = np.max(np.abs(gr - gx)) / np.max(np.abs(gx))
        note = ''
        if case == 'jtfs_chirp':
            # ill-conditioned: the gradient depends on FFT round-off (SPEC.md 9)
            note = '  (expected: ill-conditioned, not counted)'
        else:
            ok &= e < 1e-10
        print('%-18s forward rel err %.2e   grad rel err %.3e%s' % (
            case, eS, e, note))
    print('ALL OK' if ok else 'SOME FAILURES')
