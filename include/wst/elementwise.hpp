// Element-wise operations of the scattering transform, written once for every
// backend: plain functions of indices and interleaved (re, im) arrays, marked
// host and device so that the CUDA kernels and the CPU loops run the same code.
#pragma once

#include <cmath>
#include <cstddef>

#if defined(__CUDACC__)
#define WST_HOST_DEVICE __host__ __device__
#else
#define WST_HOST_DEVICE
#endif

namespace wst {

// Losses between the scattering of y and a target S*, per signal:
//   norm        ||S(y) - S*||_2
//   mse         mean of (S(y) - S*)^2 over the signal's coefficients
//   sum_squares 0.5 ||S(y) - S*||_2^2
//   l1          sum |S(y) - S*|  (subgradient 0 where equal)
enum class loss { norm, mse, sum_squares, l1 };

}  // namespace wst

namespace wst::elementwise {

// Index into x (length N) of sample t of its reflection-padded copy that
// starts pad_left samples before x: numpy.pad(mode='reflect'), which does not
// repeat the edge sample. Valid for pad_left, pad_right <= N - 1.
WST_HOST_DEVICE inline std::ptrdiff_t reflect_index(std::ptrdiff_t t, std::ptrdiff_t pad_left,
                                                    std::ptrdiff_t N) {
    std::ptrdiff_t i = t - pad_left;
    if (i < 0) i = -i;
    if (i >= N) i = 2 * (N - 1) - i;
    return i;
}

// A filter level in backend memory, kept on a circular window: values[i] is
// the level at bin (start + i) mod n (n a power of two), zero elsewhere.
template <class Real>
struct filter_window {
    const Real* values;
    std::size_t start;
    std::size_t length;
    std::size_t n;
};

// A row-major matrix in backend memory: rows x cols values.
template <class Real>
struct matrix_view {
    const Real* values;
    std::size_t rows;
    std::size_t cols;
};

// i mod n: a mask for the power-of-two lengths of the time axis, a division
// for the frequency axis of joint scattering (N_padded_fr, a multiple of
// 2^J_fr). The host loops call it once per run of bins, not per bin.
WST_HOST_DEVICE inline std::size_t wrap(std::size_t i, std::size_t n) {
    return (n & (n - 1)) == 0 ? (i & (n - 1)) : i % n;
}

// Fourier-domain product with a real filter fused with Kymatio's
// subsample_fourier: subsampling a signal by k in time averages the k
// periods of its spectrum,
//   out[i] = (1/k) sum_{m<k} in[i + m n_out] * filter[i + m n_out],  n_out = n / k.
// `in` is the spectrum of a real signal as the backends' rfft leaves it:
// bins 0..n/2, and the bins above n/2 that some filter reads (its mirrored
// bins), filled from in[j] = conj(in[n - j]) (Hermitian symmetry; see
// mirrored_bins), so that every read goes forward through memory and
// vectorizes.
// Only the filter's window contributes: run() adds `count` consecutive
// window entries from i whose bins j = (start + i) mod n and o = j mod n_out
// do not wrap (see unwrapped_run) into out (zeroed before; a loop the
// compiler vectorizes), each term times factor = scale / k, where `scale` is
// a further power of two the caller folds in (the 1/n of the inverse FFT
// that follows). Products by powers of two are exact: scaling every term is
// scaling the sum, bit for bit, and commutes with the FFT's arithmetic
// (barring underflow to subnormals). `in` and `out` are interleaved complex
// arrays.
template <class Real>
struct filter_and_subsample {
    // `in` and `out` never overlap (restrict: so that the loop vectorizes).
    // With first, for output bins not written yet: out = 0 + term, the bits
    // of adding the term to a zeroed bin (the sign of a zero term included),
    // without zeroing and reading them first.
    template <bool first = false>
    WST_HOST_DEVICE void run(const Real* __restrict in, const filter_window<Real>& f, std::size_t n_out, Real factor,
                             std::size_t i, std::size_t count, Real* __restrict out) const {
        const std::size_t j = wrap(f.start + i, f.n), o = wrap(j, n_out);
        const Real* __restrict v = f.values + i;
        const Real* __restrict x = in + 2 * j;
        Real* __restrict y = out + 2 * o;
        for (std::size_t t = 0; t < count; ++t) {
            const Real w = v[t] * factor;
            y[2 * t] = (first ? Real(0) : y[2 * t]) + x[2 * t] * w;
            y[2 * t + 1] = (first ? Real(0) : y[2 * t + 1]) + x[2 * t + 1] * w;
        }
    }
};

// How many bins above n/2 a filter window reads: n - j for the smallest bin
// j > n/2 of the window, 0 when it has none. A spectrum that the window
// multiplies needs bins n - mirrored_bins .. n - 1 filled in.
template <class Real>
WST_HOST_DEVICE inline std::size_t mirrored_bins(const filter_window<Real>& f) {
    const std::size_t n = f.n, first_above = n / 2 + 1;
    if (f.length == 0 || n < 3) return 0;
    const std::size_t end = f.start + f.length;  // the window is [start, end) mod n, start < n
    // Its smallest bin above n/2: n/2 + 1 when the window passes it, from
    // below or after wrapping around n; else start, when that is above n/2.
    const std::size_t smallest = f.start < first_above ? (end > first_above ? first_above : n)
                                                       : (end > n + first_above ? first_above : f.start);
    return smallest < n ? n - smallest : 0;
}

// filter_and_subsample for one output bin o, for a device thread per bin:
// the sum over the periods m < k = n / n_out of the window entries at bins
// o + m n_out, each times factor, added in window order (as run() adds them).
template <class Real>
WST_HOST_DEVICE void filter_and_subsample_at(const Real* in, const filter_window<Real>& f, std::size_t n_out,
                                             Real factor, std::size_t o, Real* out) {
    const std::size_t k = f.n / n_out;
    // Window entry of bin o + m n_out: i_m = (o + m n_out - start) mod n,
    // increasing with m until it wraps; the smallest, after the wrap, first.
    const std::size_t i0 = wrap(o + f.n - f.start, f.n);
    std::size_t m = ((f.n - i0 + n_out - 1) / n_out) % k;
    Real re = 0, im = 0;
    for (std::size_t step = 0; step < k; ++step, m = m + 1 == k ? 0 : m + 1) {
        const std::size_t i = wrap(i0 + m * n_out, f.n);
        if (i >= f.length) continue;
        const std::size_t j = wrap(f.start + i, f.n);
        const Real w = f.values[i] * factor;
        re += in[2 * j] * w;
        im += in[2 * j + 1] * w;
    }
    out[2 * o] = re;
    out[2 * o + 1] = im;
}

// Adjoint of filter_and_subsample: bin j = (start + i) mod n of the input
// receives factor * filter[j] times bin (j mod n_out) of the output's
// cotangent (factor = scale / k as in run), added to what grad_in already
// holds (bins outside the window receive 0).
template <class Real>
struct filter_and_subsample_adjoint {
    // `count` consecutive window entries from i that do not wrap.
    WST_HOST_DEVICE void run(const Real* grad_out, const filter_window<Real>& f, std::size_t n_out, Real factor,
                             std::size_t i, std::size_t count, Real* grad_in) const {
        const std::size_t j = wrap(f.start + i, f.n), o = wrap(j, n_out);
        const Real* g = grad_out + 2 * o;
        const Real* v = f.values + i;
        Real* y = grad_in + 2 * j;
        for (std::size_t t = 0; t < count; ++t) {
            const Real w = v[t] * factor;
            y[2 * t] += w * g[2 * t];
            y[2 * t + 1] += w * g[2 * t + 1];
        }
    }
};

// The same for window entry i alone (a device thread per entry; the
// entries' bins differ, so threads never write the same bin).
template <class Real>
WST_HOST_DEVICE void filter_and_subsample_adjoint_at(const Real* grad_out, const filter_window<Real>& f,
                                                     std::size_t n_out, Real factor, std::size_t i, Real* grad_in) {
    const std::size_t j = wrap(f.start + i, f.n), o = wrap(j, n_out);
    const Real w = f.values[i] * factor;
    grad_in[2 * j] += w * grad_out[2 * o];
    grad_in[2 * j + 1] += w * grad_out[2 * o + 1];
}

// Adjoint of reflection padding at sample i of x: the sum of the padded
// samples that copy x[i] (at most three: itself and its two mirror images),
// in increasing t, for a device thread per sample.
template <class Real>
WST_HOST_DEVICE Real pad_adjoint_at(const Real* g_pad, std::ptrdiff_t N, std::ptrdiff_t pad_left,
                                    std::ptrdiff_t n_padded, std::ptrdiff_t i) {
    Real sum = 0;
    const std::ptrdiff_t left = pad_left - i, direct = pad_left + i, right = pad_left + 2 * (N - 1) - i;
    if (i > 0 && left >= 0) sum += g_pad[left];
    sum += g_pad[direct];
    if (i < N - 1 && right < n_padded) sum += g_pad[right];
    return sum;
}

// Length of the run of window entries from i whose bin j = (start + i) mod n
// and output bin j mod n_out both advance without wrapping.
template <class Real>
WST_HOST_DEVICE inline std::size_t unwrapped_run(const filter_window<Real>& f, std::size_t n_out, std::size_t i) {
    const std::size_t j = wrap(f.start + i, f.n);
    const std::size_t to_window_end = f.length - i, to_n = f.n - j, to_period = n_out - wrap(j, n_out);
    const std::size_t a = to_window_end < to_n ? to_window_end : to_n;
    return a < to_period ? a : to_period;
}

// |z| as numpy.abs computes it (hypot: no overflow or underflow in the
// squares), without hypot's cost: the plain formula, and hypot (float
// squares summed in double) only where the squares overflow or underflow.
WST_HOST_DEVICE inline float magnitude(float re, float im) {
    using std::sqrt;
    const float s = re * re + im * im;
    if (s < 1e37f && s > 1e-37f) return sqrt(s);
    return static_cast<float>(sqrt(static_cast<double>(re) * re + static_cast<double>(im) * im));
}
WST_HOST_DEVICE inline double magnitude(double re, double im) {
    using std::hypot;
    using std::sqrt;
    const double s = re * re + im * im;
    return (s < 1e300 && s > 1e-300) ? sqrt(s) : hypot(re, im);
}

// The plain |z| = sqrt(re^2 + im^2), and whether it is exact enough for a
// given re^2 + im^2 (no overflow or underflow in the squares); a loop can
// take the plain one everywhere (vectorized) and redo the few others.
template <class Real>
WST_HOST_DEVICE inline bool plain_magnitude_ok(Real squares) {
    // & rather than &&: no branch, so that loops over it vectorize.
    return (squares < (sizeof(Real) == 4 ? Real(1e37) : Real(1e300))) &
           (squares > (sizeof(Real) == 4 ? Real(1e-37) : Real(1e-300)));
}

// Complex modulus |z|.
template <class Real>
struct modulus {
    WST_HOST_DEVICE Real operator()(const Real* z, std::size_t i) const { return magnitude(z[2 * i], z[2 * i + 1]); }
};

// Adjoint of the modulus: d|z| = Re(conj(z / |z|) dz), so the cotangent g of
// |z| gives g z / |z| for z; 0 where z = 0 exactly (Kymatio's convention,
// which keeps the gradient of an all-zero input finite). r is |z[i]|.
template <class Real>
struct modulus_adjoint {
    WST_HOST_DEVICE void operator()(const Real* z, const Real* g, Real r, std::size_t i, Real* grad_z) const {
        const Real w = r > Real(0) ? g[i] / r : Real(0);
        grad_z[2 * i] = w * z[2 * i];
        grad_z[2 * i + 1] = w * z[2 * i + 1];
    }
};

// Tangent of the modulus: d|z| = Re(conj(z) dz) / |z| (0 where z = 0).
template <class Real>
struct modulus_tangent {
    WST_HOST_DEVICE Real operator()(const Real* z, const Real* dz, std::size_t i) const {
        const Real r = magnitude(z[2 * i], z[2 * i + 1]);
        return r > Real(0) ? (z[2 * i] * dz[2 * i] + z[2 * i + 1] * dz[2 * i + 1]) / r : Real(0);
    }
};

// One coefficient's share of a loss between S and its target S*: with
// d = S - S*, adds d^2 (and |d| for l1) to the sums, in double, that make the
// loss of a channel, and returns the cotangent dL/dS of the coefficient for
// the channel's weight (norm: that of sum_squares, scaled by the frontend once
// the norm is known; mse: over `count` coefficients; l1: 0 where d = 0).
template <class Real>
struct loss_term {
    wst::loss kind;
    Real weight;
    Real count;
    WST_HOST_DEVICE Real operator()(Real s, Real target, double& abs_sum, double& square_sum) const {
        const Real d = s - target;
        square_sum += static_cast<double>(d) * d;
        switch (kind) {
            case wst::loss::mse:
                return Real(2) * weight * d / count;
            case wst::loss::l1:
                abs_sum += d < 0 ? -static_cast<double>(d) : static_cast<double>(d);
                return weight * static_cast<Real>((d > 0) - (d < 0));
            default:  // norm, sum_squares
                return weight * d;
        }
    }
};

// The Hermitian part of a spectrum X of n bins at bin k <= n/2, times scale:
// h[k] = scale (X[k] + conj(X[n - k])) / 2. Its complex-to-real transform is
// scale times the real part of the inverse DFT of X (the imaginary parts of
// the other half cancel), at half the cost of a complex transform.
template <class Real>
WST_HOST_DEVICE void hermitian_part_at(const Real* X, std::size_t n, std::size_t k, Real scale, Real* h) {
    const std::size_t m = wrap(n - k, n);
    h[2 * k] = (X[2 * k] + X[2 * m]) * (Real(0.5) * scale);
    h[2 * k + 1] = (X[2 * k + 1] - X[2 * m + 1]) * (Real(0.5) * scale);
}

// The spectrum of a real signal is Hermitian: X[n - k] = conj(X[k]). Fills
// bin k (n/2 < k < n) of a spectrum from the half that a real-to-complex FFT
// returns.
template <class Real>
struct hermitian_extend {
    WST_HOST_DEVICE void operator()(Real* X, std::size_t n, std::size_t k) const {
        X[2 * k] = X[2 * (n - k)];
        X[2 * k + 1] = -X[2 * (n - k) + 1];
    }
};

}  // namespace wst::elementwise
