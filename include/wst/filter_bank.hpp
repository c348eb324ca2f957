// Morlet filter bank of the 1-D scattering transform, as Kymatio 0.4 builds it
// (kymatio/scattering1d/filter_bank.py). Every function is pure and computes
// in double precision; filters are real-valued Fourier transforms sampled at
// numpy's fftfreq(N) order.
#pragma once

#include "wst/backend/fftw_plan.hpp"
#include "wst/exact_sqrt.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace wst {

// Constants of Kymatio 0.4's Scattering1D (frontend/base_frontend.py).
struct filter_constants {
    static constexpr double sigma0 = 0.1;               // width of phi at J = 0
    static constexpr double alpha = 5.0;                // aliasing tolerance
    static constexpr double r_psi = 0.70710678118654752440;  // sqrt(1/2)
    static constexpr int P_max = 5;                     // most periods summed
    static constexpr double eps = 1e-7;                 // periodization precision
    static constexpr double criterion_amplitude = 1e-3; // temporal support
};

// Number of periods P such that a Gaussian of width sigma is below eps
// outside [1 - P, P]: P = ceil(sqrt(-2 sigma^2 log eps) + 1).
inline int adaptive_choice_P(double sigma, double eps = filter_constants::eps) {
    const double val = std::sqrt(-2.0 * (sigma * sigma) * std::log(eps));
    return static_cast<int>(std::ceil(val + 1.0));
}

namespace detail {

// A real-to-complex plan of length N, made once per length and process.
inline const fftw::plan<double>& cached_r2c_plan(std::size_t N) {
    // The planner's lock is made first so that it outlives the cached plans,
    // which take it when they are destroyed at exit.
    [[maybe_unused]] static std::mutex& planner = fftw::planner_mutex();
    static std::mutex m;
    static std::map<std::size_t, std::unique_ptr<fftw::plan<double>>> plans;
    std::lock_guard<std::mutex> lock(m);
    auto& p = plans[N];
    if (!p) p = std::make_unique<fftw::plan<double>>(fftw::plan<double>::kind::real_to_complex, N);
    return *p;
}

// sum_t |ifft(h_f)[t]| with ifft normalized by 1/N, the l1 norm in time of a
// filter given in Fourier. For real h_f, ifft(h_f)[t] = conj(fft(h_f)[t]) / N
// and |fft(h_f)| is even in t, so half a real-to-complex FFT gives it. h_f
// (N values) is an aligned buffer (fftw_plan.hpp), which FFTW reads in place.
inline double inverse_fft_l1_norm(const fftw::aligned_buffer<double>& h_f, std::size_t N) {
    fftw::aligned_buffer<std::complex<double>> out(N / 2 + 1);
    cached_r2c_plan(N).r2c(h_f.data(), out.data());
    // |X[t] / N| for t = 0 .. N/2 (squares in a loop the compiler vectorizes,
    // correctly rounded SIMD square roots); bins 0 and N/2 count once, the
    // others twice.
    // The array is aligned like every buffer (fftw_plan.hpp): Eigen's
    // vectorized sum starts where the data is aligned, so that the order of
    // the sum, and its last bit, depends on the alignment.
    const std::size_t half = N / 2 + 1;
    const double inv_n = 1.0 / static_cast<double>(N);
    fftw::aligned_buffer<double> magnitude(half);
    for (std::size_t t = 0; t < half; ++t) magnitude.data()[t] = std::norm(out.data()[t] * inv_n);
    exact_sqrt_in_place(magnitude.data(), half);
    Eigen::Map<Eigen::ArrayXd> a(magnitude.data(), static_cast<Eigen::Index>(half));
    double l1 = 2.0 * a.sum() - a[0];
    if (N % 2 == 0 && N > 1) l1 -= a[static_cast<Eigen::Index>(half - 1)];
    return l1;
}

// A circular window [start, start + length) (mod n) of an array.
struct circular_window {
    std::size_t start = 0;
    std::size_t length = 0;
};

// The shortest circular window holding every value of magnitude above
// `floor`: the complement of the longest circular run of the others, i.e. of
// the longest gap between consecutive values above it (the first such gap on
// a tie, the one wrapping around n last). Length 0 when there is none.
inline circular_window window_above(std::span<const double> level, double floor) {
    const std::size_t n = level.size();
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t first = none, previous = none, best_gap = 0, best_gap_end = 0;
    // Blocks of small values (most of a narrow filter) are passed over whole,
    // with a test the compiler vectorizes.
    constexpr std::size_t block = 16;
    for (std::size_t i = 0; i < n; ++i) {
        if (i % block == 0 && i + block <= n) {
            bool any = false;
            for (std::size_t t = 0; t < block; ++t) any |= std::abs(level[i + t]) > floor;
            if (!any) {
                i += block - 1;
                continue;
            }
        }
        if (!(std::abs(level[i]) > floor)) continue;
        if (previous == none) {
            first = i;
        } else if (i - previous - 1 > best_gap) {
            best_gap = i - previous - 1;
            best_gap_end = i;
        }
        previous = i;
    }
    if (first == none) return {0, 0};
    if (n - 1 - previous + first > best_gap) {
        best_gap = n - 1 - previous + first;
        best_gap_end = first;
    }
    return {best_gap_end, n - best_gap};
}

// inverse_fft_l1_norm on a coarser grid: h_f (N bins) folded onto M bins,
// bin k going to k mod M, for a filter that is 0 outside a window of at most
// M bins (no two of its bins meet). The inverse FFT of the folded filter is
// that of h_f at every (N/M)-th sample, times N/M, so this is the rectangle
// rule on M of the N samples of |h| that the full norm adds up.
inline double folded_l1_norm(const fftw::aligned_buffer<double>& h_f, std::size_t N, circular_window w, std::size_t M) {
    fftw::aligned_buffer<double> folded(M);
    std::fill(folded.data(), folded.data() + M, 0.0);
    for (std::size_t i = 0; i < w.length; ++i) {
        const std::size_t k = (w.start + i) % N;
        folded.data()[k % M] = h_f.data()[k];
    }
    return inverse_fft_l1_norm(folded, M);
}

// The l1 norm in time of a filter given in Fourier that is exactly 0 outside
// a window of L bins (morlet_1d's, before normalization), as
// inverse_fft_l1_norm computes it, at a fraction of its cost for narrow
// filters. The rectangle rule over M of the N samples (folded_l1_norm) errs
// by the spectrum of |h| aliased from M bins away: for a Gabor or Gaussian
// filter |h| is a Gaussian envelope whose spectrum lies within the window, so
// M >= L already sums it to rounding; a Morlet's low-pass term (kappa > 0)
// adds harmonics of xi beyond the window, which decay geometrically. So the
// rule is taken on M >= L and 2M samples, and the finer one is returned when
// the two agree to 1e-13; else, whenever 2M would not be below N/2 (no
// saving), and when 2M does not divide N, the norm is computed on all N
// samples.
inline double l1_norm_in_time(const fftw::aligned_buffer<double>& h_f, std::size_t N) {
    const circular_window w = window_above({h_f.data(), N}, 0.0);
    std::size_t M = 1;
    while (M < w.length) M *= 2;
    if (4 * M <= N && N % (2 * M) == 0) {  // (a power of two N: the transform's)
        const double coarse = folded_l1_norm(h_f, N, w, M), fine = folded_l1_norm(h_f, N, w, 2 * M);
        if (std::abs(coarse - fine) <= 1e-13 * fine) return fine;
    }
    return inverse_fft_l1_norm(h_f, N);
}

}  // namespace detail

// Fourier transform of a Morlet wavelet psi(t) = g_sigma(t) (e^{i xi t} - kappa)
// of length N, or of the Gaussian low-pass g_sigma when xi = 0:
//   hat g(omega) = exp(-omega^2 / (2 sigma^2)), periodized by summing
//   2P - 1 periods over [1 - P, P) (P = min(adaptive_choice_P(sigma), P_max)),
//   kappa chosen so that hat psi(0) = 0, and the result divided by the l1
//   norm of its inverse FFT.
// adaptive_choice_P is at least 2 for sigma > 0, so Kymatio's fftfreq branch
// for P == 1 never runs: frequencies are arange((1 - P) N, P N) / N, which
// grow with the index.
inline std::vector<double> morlet_1d(std::size_t N, double xi, double sigma) {
    const int P = std::min(adaptive_choice_P(sigma), filter_constants::P_max);
    const auto periods = static_cast<long long>(2 * P - 1);
    const double n = static_cast<double>(N);
    const double two_sigma2 = 2.0 * (sigma * sigma);
    const long long first_m = (1 - P) * static_cast<long long>(N);  // frequency m: (m + first_m) / N

    // Terms exp(-a) with a > 60 (below 1e-26 of the peak of a Gaussian that
    // is at most 1) are left out: they lie far under compact()'s floor and
    // under the rounding of the l1 norm, and leaving them out visits only the
    // frequencies within sqrt(60 * 2 sigma^2) of the center (plus a bin of
    // margin), a few per cent of the 2P - 1 periods for most wavelets. They
    // are added period by period in increasing frequency, the order of
    // Kymatio's sum over periods.
    constexpr double cutoff = 60.0;
    const double reach = std::sqrt(cutoff * two_sigma2) + 2.0 / n;
    auto add_gaussian = [&](double* acc, double center) {
        const long long total = periods * static_cast<long long>(N);
        const long long lo = std::clamp<long long>(static_cast<long long>(std::floor((center - reach) * n)) - first_m - 1, 0, total);
        const long long hi = std::clamp<long long>(static_cast<long long>(std::ceil((center + reach) * n)) - first_m + 2, lo, total);
        for (long long m = lo; m < hi;) {  // runs of m that do not wrap around N
            const auto k = static_cast<std::size_t>(m % static_cast<long long>(N));
            const long long run = std::min<long long>(hi - m, static_cast<long long>(N - k));
            for (long long t = 0; t < run; ++t) {
                const double d = static_cast<double>(m + t + first_m) / n - center;
                const double a = (d * d) / two_sigma2;
                if (a <= cutoff) acc[k + static_cast<std::size_t>(t)] += std::exp(-a);
            }
            m += run;
        }
    };
    // The periods are summed and not averaged: a constant factor, which
    // neither kappa nor the l1 normalization sees (up to rounding). Where the
    // Gabor term is 0 at frequency 0 (xi > 11 sigma), kappa is 0 and the
    // low-pass term drops out exactly.
    fftw::aligned_buffer<double> unnormalized(N);
    double* h = unnormalized.data();
    std::fill(h, h + N, 0.0);
    add_gaussian(h, xi);
    if (xi != 0.0 && h[0] != 0.0) {
        std::vector<double> low(N, 0.0);
        add_gaussian(low.data(), 0.0);
        const double kappa = h[0] / low[0];
        for (std::size_t k = 0; k < N; ++k) h[k] -= kappa * low[k];
    }
    const double factor = 1.0 / detail::l1_norm_in_time(unnormalized, N);  // Kymatio's get_normalizing_factor
    std::vector<double> filter(N);
    for (std::size_t k = 0; k < N; ++k) filter[k] = h[k] * factor;
    return filter;
}

// The Gaussian low-pass filter phi of width sigma (morlet_1d with xi = 0).
inline std::vector<double> gauss_1d(std::size_t N, double sigma) { return morlet_1d(N, 0.0, sigma); }

// Width of a wavelet of center frequency xi in a family with Q wavelets per
// octave, such that neighbours meet at r times their peak (Lostanlen 2017):
//   sigma = xi (1 - 2^{-1/Q}) / (1 + 2^{-1/Q}) / sqrt(2 log(1/r)).
inline double compute_sigma_psi(double xi, int Q, double r = filter_constants::r_psi) {
    const double factor = 1.0 / std::pow(2.0, 1.0 / Q);
    const double term1 = (1.0 - factor) / (1.0 + factor);
    const double term2 = 1.0 / std::sqrt(2.0 * std::log(1.0 / r));
    return xi * term1 * term2;
}

// Largest center frequency of the family: max(1 / (1 + 2^{3/Q}), 0.35).
inline double compute_xi_max(int Q) { return std::max(1.0 / (1.0 + std::pow(2.0, 3.0 / Q)), 0.35); }

// Center frequency and width of one wavelet.
struct band {
    double xi;
    double sigma;
};

// Andén's filter bank generator (ScatNet's): xi decreases geometrically by
// 2^{1/Q} from xi_max, with sigma proportional to xi, while sigma stays above
// sigma_min * 2^{1/Q} (sigma_min = sigma0 / 2^J); then Q - 1 more wavelets of
// width sigma_min whose xi decreases arithmetically by xi_elbow / Q.
inline std::vector<band> anden_generator(int J, int Q, double sigma0 = filter_constants::sigma0,
                                         double r_psi = filter_constants::r_psi) {
    std::vector<band> bands;
    double xi = compute_xi_max(Q);
    double sigma = compute_sigma_psi(xi, Q, r_psi);
    const double sigma_min = sigma0 / std::pow(2.0, J);
    if (sigma <= sigma_min) {
        xi = sigma;
    } else {
        bands.push_back({xi, sigma});
        const double step = std::pow(2.0, 1.0 / Q);
        while (sigma > sigma_min * step) {
            xi /= step;
            sigma /= step;
            bands.push_back({xi, sigma});
        }
    }
    const double elbow_xi = xi;
    for (int q = 0; q < Q - 1; ++q) {
        xi -= 1.0 / Q * elbow_xi;
        bands.push_back({xi, sigma_min});
    }
    return bands;
}

// Largest j such that a filter reaching up to |xi| + alpha sigma can be
// subsampled by 2^j without aliasing: j = floor(-log2(min(|xi| + alpha sigma, 1/2))) - 1.
inline int get_max_dyadic_subsampling(double xi, double sigma, double alpha = filter_constants::alpha) {
    const double upper_bound = std::min(std::abs(xi) + alpha * sigma, 0.5);
    return static_cast<int>(std::floor(-std::log2(upper_bound))) - 1;
}

// Result of compute_temporal_support.
struct temporal_support {
    std::size_t half_support;  // N such that h restricted to [-N, N] errs by <= criterion
    bool too_small;            // no such N: the signal is too short to avoid border effects
};

// Half temporal support of a centered symmetric filter given in Fourier: the
// smallest N with sum_{t >= N} |h(t)| <= criterion (over the first half of
// the support); half the length, and too_small, when there is none.
inline temporal_support compute_temporal_support(
    std::span<const double> h_f, double criterion_amplitude = filter_constants::criterion_amplitude) {
    const std::size_t N = h_f.size();
    fftw::plan<double> backward(fftw::plan<double>::kind::complex_backward, N);
    fftw::aligned_buffer<std::complex<double>> in(N), out(N);
    for (std::size_t k = 0; k < N; ++k) in.data()[k] = h_f[k];
    backward.c2c(in.data(), out.data());
    const std::size_t half = N / 2;
    const double inv_n = 1.0 / static_cast<double>(N);
    // l1 residual r[k] = sum_{t=k}^{half-1} |h(t)|, accumulated from the end.
    std::vector<double> residual(half);
    double acc = 0.0;
    for (std::size_t t = half; t-- > 0;) {
        acc += std::abs(out.data()[t] * inv_n);
        residual[t] = acc;
    }
    for (std::size_t k = 0; k < half; ++k)
        if (residual[k] <= criterion_amplitude) return {k + 1, false};
    return {half, true};
}

// Level `level` of a filter: its Fourier transform after subsampling the
// signal by 2^level, v[k] = sum_{i < 2^level} h_f[i N / 2^level + k]
// (Kymatio 0.4 sums the periods rather than averaging them, issue #984).
inline std::vector<double> periodize_filter_fourier(std::span<const double> h_f, int level) {
    const std::size_t periods = std::size_t{1} << level;
    const std::size_t n = h_f.size() / periods;
    std::vector<double> v(h_f.begin(), h_f.begin() + static_cast<std::ptrdiff_t>(n));
    for (std::size_t i = 1; i < periods; ++i)
        for (std::size_t k = 0; k < n; ++k) v[k] += h_f[i * n + k];
    return v;
}

// One filter with its parameters and its levels (levels[l] has N / 2^l values).
struct filter {
    double xi = 0.0;
    double sigma = 0.0;
    int j = 0;  // largest dyadic subsampling after this filter (log2 T for phi)
    std::vector<std::vector<double>> levels;
};

// The low-pass phi and the wavelets of the first and second orders.
struct filter_bank {
    filter phi;
    std::vector<filter> psi1;
    std::vector<filter> psi2;
};

// floor(log2(n)) for n >= 1.
inline int floor_log2(long long n) {
    int p = 0;
    while ((n >> 1) >= 1) {
        n >>= 1;
        ++p;
    }
    return p;
}

enum class filter_kind { phi, psi1, psi2 };

// One filter of Kymatio's bank before it is computed: the arguments of
// morlet_1d (xi = 0: gauss_1d) and how many levels the bank gives it.
struct filter_spec {
    filter_kind kind;
    double xi, sigma;
    int j;       // largest dyadic subsampling after this filter (log2 T for phi)
    int levels;  // levels 0 .. levels - 1
};

// Kymatio 0.4's scattering_filter_factory(N, J, (Q1, Q2), T, anden_generator),
// described without computing a filter: psi1 (in order), then psi2, then
// phi. Second-order wavelets get the levels 0 .. min(max j1, j2, 1 + log2 T) - 1
// they can receive; phi gets levels up to max(max j, 1 + log2 T) - 1.
inline std::vector<filter_spec> scattering_filter_specs(int J, int Q1, int Q2, long long T) {
    const int log2_T = floor_log2(T);
    std::vector<filter_spec> specs;
    int max_j = 0;
    int previous_J = 0;
    for (int layer = 0; layer < 2; ++layer) {
        for (const band& b : anden_generator(J, layer == 0 ? Q1 : Q2)) {
            const int j = get_max_dyadic_subsampling(b.xi, b.sigma);
            specs.push_back({layer == 0 ? filter_kind::psi1 : filter_kind::psi2, b.xi, b.sigma, j,
                             std::max(1, std::min({previous_J, j, 1 + log2_T}))});
            max_j = std::max(max_j, j);
        }
        previous_J = max_j;
    }
    specs.push_back({filter_kind::phi, 0.0, filter_constants::sigma0 / static_cast<double>(T), log2_T,
                     std::max(previous_J, 1 + log2_T)});
    return specs;
}

// The filter a spec describes, with its levels (length N = the padded length).
inline filter make_filter(const filter_spec& s, std::size_t N) {
    filter f{s.xi, s.sigma, s.j, {}};
    f.levels.push_back(s.kind == filter_kind::phi ? gauss_1d(N, s.sigma) : morlet_1d(N, s.xi, s.sigma));
    for (int level = 1; level < s.levels; ++level) f.levels.push_back(periodize_filter_fourier(f.levels[0], level));
    return f;
}

// The whole bank at once (all levels of every filter in memory).
inline filter_bank scattering_filter_factory(std::size_t N, int J, int Q1, int Q2, long long T) {
    filter_bank bank;
    for (const filter_spec& s : scattering_filter_specs(J, Q1, Q2, T)) {
        filter f = make_filter(s, N);
        if (s.kind == filter_kind::phi)
            bank.phi = std::move(f);
        else
            (s.kind == filter_kind::psi1 ? bank.psi1 : bank.psi2).push_back(std::move(f));
    }
    return bank;
}

// A filter level kept only where it matters: the shortest circular window
// [start, start + length) (mod n) holding every value above relative_floor
// times the level's largest magnitude. Dropping the rest changes a product
// with a signal by less than relative_floor of its largest term.
struct compact_level {
    std::size_t n = 0;
    std::size_t start = 0;
    std::vector<double> values;  // values[i] is the level at (start + i) mod n
};

inline compact_level compact(const std::vector<double>& level, double relative_floor = 1e-20) {
    const std::size_t n = level.size();
    const double floor =
        relative_floor * (n > 0 ? Eigen::Map<const Eigen::ArrayXd>(level.data(), static_cast<Eigen::Index>(n)).abs().maxCoeff() : 0.0);
    const detail::circular_window w = detail::window_above(level, floor);
    compact_level c{n, w.start, {}};
    c.values.reserve(w.length);
    for (std::size_t i = 0; i < w.length; ++i) c.values.push_back(level[(c.start + i) % n]);
    return c;
}

// A dense matrix of rows x cols values, row-major.
struct dense_matrix {
    std::size_t rows = 0, cols = 0;
    std::vector<double> values;
};

// What a backend's context holds beside the time filters for joint
// time-frequency scattering: the frequential filters, compact, the lengths
// of the n1 axis it transforms (N_padded_fr >> l for l < levels), and the
// reductions along n1 as matrices, by level: phi_F's average to the stride
// along n1 (averaging_matrix, levels 0 .. log2_stride_fr), the rows as they
// are and their sum (selection_matrix, summation_matrix, levels 0 ..
// levels - 1). Empty (N_padded_fr = 0) for Scattering1D.
struct frequency_axis {
    std::size_t N_padded_fr = 0;
    int levels = 0;
    std::vector<compact_level> filters;  // [phi1_fr] + psis_fr, level 0
    std::vector<dense_matrix> phi_F_averaging, selection, summation;
};

// Values per signal of each of a workspace's buffers (real ones, complex
// ones); an empty list gives every buffer N_padded values (Scattering1D's
// walk). Joint scattering's walk holds whole (time, n1) planes.
struct buffer_layout {
    std::vector<std::size_t> real, complex;
};

}  // namespace wst
