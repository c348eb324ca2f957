// A signal from the magnitudes of its first-order wavelet coefficients: the
// starting point of the reconstruction (reconstruct.hpp).
//
// The first-order coefficients S1 are |x * psi_lambda| averaged by phi: a
// scalogram. Phase retrieval by gradient descent from noise must condense
// noise into tones at the right frequencies, and it settles where a tone sits
// between two wavelets at a wrong frequency (a local minimum: L-BFGS stalls
// there with order 2 far off). Here the phase is built instead, by
// phase-gradient heap integration (PGHI; Prusa, Balazs & Sondergaard, "A
// noniterative method for reconstruction of phase from STFT magnitude",
// IEEE/ACM TASLP 25(5), 2017), adapted to the Morlet filter bank. For a filter
// whose response is the Gaussian exp(-(w - xi)^2 / (2 sigma^2)) (w, xi in
// cycles per sample), the coefficient c(xi, t) = (x * psi_xi)(t) of any signal
// satisfies
//   d arg c / dt  = 2 pi (xi + sigma^2 d log|c| / dxi)   (instantaneous frequency)
//   d arg c / dxi = -(d log|c| / dt) / (2 pi sigma^2)     (group delay)
// so the gradient of the phase follows from the magnitude alone. The phase is
// integrated over the (channel, frame) grid from the largest magnitude down,
// each coefficient from an already-set neighbour (a heap), then the
// coefficients m e^{i theta} are mapped back to a signal by the canonical dual
// frame of {phi, psi_lambda}: y_hat = (phi_hat C0 + sum_lambda psi_hat_lambda
// C_lambda) / (phi_hat^2 + sum_lambda psi_hat_lambda^2) on the positive
// frequencies. Silence (S1 = 0) stays silent and bands no filter covers (near
// Nyquist) get no energy.
#pragma once

#include "wst/backend/fftw_plan.hpp"
#include "wst/filter_bank.hpp"
#include "wst/scattering1d.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>
#include <numeric>
#include <queue>
#include <random>
#include <tuple>
#include <vector>

namespace wst::phase_gradient {

// The two relations above: the phase's derivative in time (radians per
// sample) from the derivative of log|c| across frequency, and its derivative
// across frequency (radians per cycle per sample) from that of log|c| in time.
inline double phase_derivative_in_time(double xi, double sigma, double dlog_magnitude_dxi) {
    return 2 * std::numbers::pi * (xi + sigma * sigma * dlog_magnitude_dxi);
}
inline double phase_derivative_in_frequency(double sigma, double dlog_magnitude_dt) {
    return -dlog_magnitude_dt / (2 * std::numbers::pi * sigma * sigma);
}

// A Gaussian response: log height at its centre, centre xi and width sigma.
struct gaussian_response {
    double log_height;
    double xi;
    double sigma;
};

// The frequency f of a pure tone that gives filter a the magnitude m_a and
// filter b the magnitude m_b: the root near a's centre of
//   log m_a - log m_b = log h_a - (f - xi_a)^2 / (2 sigma_a^2) - log h_b + (f - xi_b)^2 / (2 sigma_b^2),
// kept within 4 sigma_a of xi_a (for equal widths this is
// xi_a + sigma^2 d log|c| / dxi, the instantaneous frequency above).
inline double instantaneous_frequency(double m_a, double m_b, const gaussian_response& a, const gaussian_response& b) {
    if (!(m_a > 0) || !(m_b > 0)) return a.xi;
    const double D = std::log(m_a) - std::log(m_b) - (a.log_height - b.log_height);
    const double ia = 1 / (2 * a.sigma * a.sigma), ib = 1 / (2 * b.sigma * b.sigma);
    // c2 f^2 + c1 f + c0 = 0
    const double c2 = ib - ia, c1 = 2 * (a.xi * ia - b.xi * ib), c0 = b.xi * b.xi * ib - a.xi * a.xi * ia - D;
    double f = a.xi;
    if (std::abs(c2) <= 1e-12 * std::abs(c1)) {
        // Equal widths: the derivative of log|c| across frequency is the
        // difference quotient, taken at the midpoint.
        f = phase_derivative_in_time((a.xi + b.xi) / 2, a.sigma, D / (a.xi - b.xi)) / (2 * std::numbers::pi);
    } else {
        const double disc = c1 * c1 - 4 * c2 * c0;
        if (disc >= 0) {
            const double r1 = (-c1 + std::sqrt(disc)) / (2 * c2), r2 = (-c1 - std::sqrt(disc)) / (2 * c2);
            f = std::abs(r1 - a.xi) < std::abs(r2 - a.xi) ? r1 : r2;
        }
    }
    return std::isfinite(f) ? std::clamp(f, a.xi - 4 * a.sigma, a.xi + 4 * a.sigma) : a.xi;
}

// Magnitudes and phase gradients on a grid of channels x frames (row-major,
// frames `hop` samples apart); channels are ordered by their centres xi.
struct grid {
    std::size_t channels = 0, frames = 0;
    double hop = 1;
    std::vector<double> xi;         // per channel
    std::vector<double> magnitude;  // channels x frames
    std::vector<double> frequency;  // d arg c / dt / (2 pi): cycles per sample
    std::vector<double> delay;      // d arg c / dxi: radians per (cycle per sample)
    std::size_t at(std::size_t channel, std::size_t frame) const { return channel * frames + frame; }
};

// The phase on the grid: from the largest magnitude down, every coefficient
// above `tolerance` x the largest takes its phase from the neighbour (in time
// or in frequency) whose phase was set first, by the trapezoidal rule on the
// gradients; an island of coefficients unreachable from set ones starts at 0.
// Coefficients below the tolerance get a uniform random phase from `seed`.
inline std::vector<double> integrate(const grid& g, double tolerance, unsigned seed) {
    const std::size_t n = g.channels * g.frames;
    std::vector<double> phase(n, 0.0);
    std::vector<char> done(n, 0);
    const double largest = n > 0 ? *std::max_element(g.magnitude.begin(), g.magnitude.end()) : 0.0;
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> uniform(0, 2 * std::numbers::pi);
    for (std::size_t i = 0; i < n; ++i)
        if (!(g.magnitude[i] > tolerance * largest)) {
            done[i] = 1;
            phase[i] = uniform(gen);
        }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return g.magnitude[a] > g.magnitude[b]; });
    using entry = std::pair<double, std::size_t>;  // (magnitude, cell)
    std::priority_queue<entry> heap;
    auto set = [&](std::size_t cell, double value) {
        done[cell] = 1;
        phase[cell] = value;
        heap.push({g.magnitude[cell], cell});
    };
    for (const std::size_t start : order) {
        if (done[start]) continue;
        set(start, 0.0);
        while (!heap.empty()) {
            const std::size_t cell = heap.top().second;
            heap.pop();
            const std::size_t ch = cell / g.frames, fr = cell % g.frames;
            const double p = phase[cell];
            const double two_pi_hop = 2 * std::numbers::pi * g.hop;
            if (fr + 1 < g.frames && !done[cell + 1])
                set(cell + 1, p + two_pi_hop * (g.frequency[cell] + g.frequency[cell + 1]) / 2);
            if (fr > 0 && !done[cell - 1]) set(cell - 1, p - two_pi_hop * (g.frequency[cell] + g.frequency[cell - 1]) / 2);
            for (const std::size_t other : {ch + 1, ch - 1}) {
                if (other >= g.channels) continue;  // also catches ch - 1 wrapping below 0
                const std::size_t next = g.at(other, fr);
                if (!done[next]) set(next, p + (g.delay[cell] + g.delay[next]) / 2 * (g.xi[other] - g.xi[ch]));
            }
        }
    }
    return phase;
}

// The phase at time t (samples from frame 0) of a channel whose frames have
// phases `phase` and instantaneous frequencies `frequency`: the frequency
// interpolated linearly between frames and integrated, plus the constant
// drift that lands on the next frame's phase (modulo 2 pi).
inline double phase_between_frames(const double* phase, const double* frequency, std::size_t frames, double hop, double t) {
    const double u = t / hop;
    const auto i = std::min(static_cast<std::size_t>(std::max(u, 0.0)), frames - 1);
    const std::size_t next = std::min(i + 1, frames - 1);
    const double w = u - static_cast<double>(i);
    const double fa = frequency[i], fb = frequency[next];
    const double two_pi = 2 * std::numbers::pi;
    double drift = 0;
    if (next != i) {
        double miss = phase[next] - phase[i] - two_pi * hop * (fa + fb) / 2;
        miss -= two_pi * std::round(miss / two_pi);
        drift = miss * w;
    }
    return phase[i] + two_pi * hop * (fa * w + (fb - fa) * w * w / 2) + drift;
}

// A row of frame values (frames `hop` samples apart) at time t, linearly
// interpolated, held constant past the last frame.
inline double between_frames(const double* values, std::size_t frames, double hop, double t) {
    const double u = t / hop;
    const auto i = std::min(static_cast<std::size_t>(std::max(u, 0.0)), frames - 1);
    const std::size_t next = std::min(i + 1, frames - 1);
    return values[i] + (values[next] - values[i]) * (u - static_cast<double>(i));
}

// The canonical dual frame of real filter responses h (n-point grids) on the
// positive frequencies: y_hat = (sum_h h C_h) / (sum_h h^2 + regularization),
// C_h the spectrum of filter h's coefficients. Coefficients sampled every 2^k
// samples (their band fits there, as in the transform) have, at bin w of the
// n-point grid, 2^k times bin (w mod n / 2^k) of their own DFT.
class dual_frame {
public:
    explicit dual_frame(std::size_t n) : n_(n), accumulated_(n / 2 + 1), bound_(n / 2 + 1, 0.0) {}

    void add(const std::vector<double>& response, int k, const std::vector<std::complex<double>>& coefficients) {
        const std::size_t m = n_ >> k;
        const fftw::plan<double> forward(fftw::transform::complex_forward, m);
        fftw::aligned_buffer<std::complex<double>> time(m), spectrum(m);
        std::copy(coefficients.begin(), coefficients.end(), time.data());
        forward.c2c(time.data(), spectrum.data());
        const double scale = static_cast<double>(std::size_t{1} << k);
        for (std::size_t w = 0; w <= n_ / 2; ++w) {
            const double h = response[w];
            if (h == 0) continue;
            accumulated_[w] += h * scale * spectrum.data()[w & (m - 1)];
            bound_[w] += h * h;
        }
    }

    // The n samples; where no filter reaches, the frame bound is regularized
    // (1e-3 of its largest value) rather than divided by (nearly) zero.
    std::vector<double> signal() const {
        const double regularization = 1e-3 * *std::max_element(bound_.begin(), bound_.end());
        const fftw::plan<double> inverse(fftw::transform::complex_to_real, n_);
        fftw::aligned_buffer<std::complex<double>> half(n_ / 2 + 1);
        fftw::aligned_buffer<double> out(n_);
        for (std::size_t w = 0; w <= n_ / 2; ++w) half.data()[w] = accumulated_[w] / (bound_[w] + regularization);
        inverse.c2r(half.data(), out.data());
        std::vector<double> y(out.data(), out.data() + n_);
        for (double& v : y) v /= static_cast<double>(n_);
        return y;
    }

private:
    std::size_t n_;
    std::vector<std::complex<double>> accumulated_;
    std::vector<double> bound_;
};

// The first-order magnitudes of target(b) (an array output of S) on frames
// over the padded signal at the output's sampling (the padding by
// reflection, as the padding reflects x), with their phase gradients; and
// the order-0 coefficients on the same frames.
template <class Backend, class Real>
std::pair<grid, std::vector<double>> first_order_grid(const Scattering1D<Backend, Real>& S,
                                                      const scattering_array<Real>& target, std::size_t b) {
    const filter_bank& bank = S.filters();
    const auto Np = static_cast<std::size_t>(S.N_padded());
    const std::size_t C1 = bank.psi1.size(), L = target.length();
    const bool global = S.average() == averaging::mode::global;
    const int level = global ? 0 : S.log2_stride();
    grid g;
    g.channels = C1;
    g.frames = global ? 1 : Np >> level;
    g.hop = global ? static_cast<double>(Np) : static_cast<double>(std::size_t{1} << level);
    const long long first = global ? 0 : S.ind_start()[static_cast<std::size_t>(level)];
    auto coefficient = [&](std::size_t channel, std::size_t frame) {
        long long i = static_cast<long long>(frame) - first;
        const auto last = static_cast<long long>(L) - 1;
        if (i < 0) i = -i;
        if (i > last) i = std::max(2 * last - i, 0LL);
        const double v = target(b, channel, static_cast<std::size_t>(std::clamp(i, 0LL, last)));
        if (!global) return v;
        // A global output is a sum over the padded signal at level k.
        const int k = channel == 0 ? 0 : bank.psi1[channel - 1].j;
        return v / static_cast<double>(Np >> k);
    };
    std::vector<double> order0(g.frames);
    for (std::size_t p = 0; p < g.frames; ++p) order0[p] = coefficient(0, p);

    std::vector<gaussian_response> response(C1);
    for (std::size_t c = 0; c < C1; ++c) {
        const auto& f = bank.psi1[c];
        const auto peak = std::min(static_cast<std::size_t>(std::llround(f.xi * static_cast<double>(Np))), Np - 1);
        response[c] = {std::log(std::max(f.levels[0][peak], 1e-300)), f.xi, f.sigma};
        g.xi.push_back(f.xi);
        for (std::size_t p = 0; p < g.frames; ++p) g.magnitude.push_back(std::max(coefficient(1 + c, p), 0.0));
    }
    g.frequency.resize(C1 * g.frames);
    g.delay.resize(C1 * g.frames);
    auto log_magnitude = [&](std::size_t c, std::size_t p) { return std::log(std::max(g.magnitude[g.at(c, p)], 1e-300)); };
    for (std::size_t c = 0; c < C1; ++c)
        for (std::size_t p = 0; p < g.frames; ++p) {
            // Instantaneous frequency with the larger neighbour in frequency.
            std::size_t other = c;
            for (const std::size_t n : {c - 1, c + 1})
                if (n < C1 && (other == c || g.magnitude[g.at(n, p)] > g.magnitude[g.at(other, p)])) other = n;
            const std::size_t cell = g.at(c, p);
            g.frequency[cell] = other == c ? g.xi[c]
                                           : instantaneous_frequency(g.magnitude[cell], g.magnitude[g.at(other, p)],
                                                                     response[c], response[other]);
            // Group delay from the time derivative of log|c| (central differences).
            const std::size_t before = p > 0 ? p - 1 : p, after = p + 1 < g.frames ? p + 1 : p;
            const double dt = after > before ? (log_magnitude(c, after) - log_magnitude(c, before)) /
                                                   (static_cast<double>(after - before) * g.hop)
                                             : 0.0;
            g.delay[cell] = phase_derivative_in_frequency(bank.psi1[c].sigma, dt);
        }
    return {std::move(g), std::move(order0)};
}

// The signal whose first-order coefficients best have the magnitudes of
// target(b) (an array output of S) and the phase integrated above, and whose
// order-0 coefficients are target(b)'s. `tolerance`: coefficients below it
// (relative to the largest) take random phases from `seed`.
template <class Backend, class Real>
Eigen::VectorXd signal(const Scattering1D<Backend, Real>& S, const scattering_array<Real>& target, std::size_t b,
                       unsigned seed, double tolerance = 1e-4) {
    const filter_bank& bank = S.filters();
    const auto Np = static_cast<std::size_t>(S.N_padded());
    const bool global = S.average() == averaging::mode::global;
    // Named, not a structured binding: Clang before 16 cannot capture a
    // binding in the lambdas below.
    const std::pair<grid, std::vector<double>> first_order = first_order_grid(S, target, b);
    const grid& g = first_order.first;
    const std::vector<double>& order0 = first_order.second;
    const std::vector<double> phase = integrate(g, tolerance, seed);

    dual_frame synthesis(Np);
    auto sampled = [&](int k, auto&& value_at) {
        std::vector<std::complex<double>> v(Np >> k);
        for (std::size_t s = 0; s < v.size(); ++s) v[s] = value_at(static_cast<double>(s << k));
        return v;
    };
    const int level = global ? 0 : S.log2_stride();
    synthesis.add(bank.phi.levels[0], level,
                  sampled(level, [&](double t) { return between_frames(order0.data(), g.frames, g.hop, t); }));
    for (std::size_t c = 0; c < g.channels; ++c) {
        const int k = global ? bank.psi1[c].j : std::min(bank.psi1[c].j, level);
        const double* magnitude = g.magnitude.data() + g.at(c, 0);
        const double* frequency = g.frequency.data() + g.at(c, 0);
        const double* ph = phase.data() + g.at(c, 0);
        synthesis.add(bank.psi1[c].levels[0], k, sampled(k, [&](double t) {
                          return std::polar(between_frames(magnitude, g.frames, g.hop, t),
                                            phase_between_frames(ph, frequency, g.frames, g.hop, t));
                      }));
    }
    const std::vector<double> padded = synthesis.signal();
    return Eigen::Map<const Eigen::VectorXd>(padded.data() + S.pad_left(), static_cast<Eigen::Index>(S.shape()));
}

}  // namespace wst::phase_gradient
