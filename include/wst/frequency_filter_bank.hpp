// The frequential filter bank of joint time-frequency scattering, as Kymatio
// 0.4 builds it (TimeFrequencyScatteringBase.create_filters): Morlet
// wavelets and Gaussians over the first-order index n1, of length
// N_padded_fr (a multiple of 2^J_fr, not a power of two in general). Every
// function is pure and computes in double precision, in numpy's fftfreq order.
#pragma once

#include "wst/filter_bank.hpp"

#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

namespace wst {

// One frequential filter: phi (spin 0) or a wavelet of spin +1 (xi > 0,
// rising in frequency along n1) or -1 (xi < 0).
struct frequency_filter {
    double xi = 0.0;
    double sigma = 0.0;
    int j = 0;     // largest dyadic subsampling along n1 after it
    int spin = 0;  // sign(xi)
    std::vector<double> values;  // level 0 only: N_padded_fr bins
};

// The frequential bank:
//   phi_F: the averaging Gaussian of width F, gauss_1d(N_fr, sigma0 / F),
//          with its levels 0 .. levels - 1 (periodized like phi in time);
//   filters[n_fr]: n_fr = 0 the Gaussian of width 2^J_fr (gauss_1d(N_fr,
//          sigma0 / 2^J_fr), j = J_fr), then the K wavelets of
//          anden_generator(J_fr, Q_fr) (spin +1), then the same K with -xi
//          (spin -1): Kymatio's [phi1_fr] + psis_fr, from spin(anden_generator).
struct frequency_filter_bank {
    filter phi_F;
    std::vector<frequency_filter> filters;
    std::size_t wavelets_per_spin = 0;  // K
};

// Kymatio's spin(anden_generator): the bands of anden_generator(J, Q), each
// once with xi and once with -xi (all the positive ones first). The spin-down
// wavelets are Morlets centred at -xi, not the spin-up ones reversed: the
// periodization grid [1 - P, P) is not symmetric, and the mirror image
// differs from morlet_1d(N, -xi, sigma) by up to 1e-5 for the widest wavelet.
inline frequency_filter_bank frequency_filter_factory(std::size_t N_padded_fr, int J_fr, int Q_fr, long long F,
                                                      int phi_F_levels) {
    frequency_filter_bank bank;
    bank.phi_F.xi = 0.0;
    bank.phi_F.sigma = filter_constants::sigma0 / static_cast<double>(F);
    bank.phi_F.j = floor_log2(F);
    bank.phi_F.levels.push_back(gauss_1d(N_padded_fr, bank.phi_F.sigma));
    for (int level = 1; level < phi_F_levels; ++level)
        bank.phi_F.levels.push_back(periodize_filter_fourier(bank.phi_F.levels[0], level));

    const double sigma_phi = filter_constants::sigma0 / std::pow(2.0, J_fr);
    bank.filters.push_back({0.0, sigma_phi, J_fr, 0, gauss_1d(N_padded_fr, sigma_phi)});
    const std::vector<band> bands = anden_generator(J_fr, Q_fr);
    bank.wavelets_per_spin = bands.size();
    for (const int spin : {1, -1})
        for (const band& b : bands)
            bank.filters.push_back({spin * b.xi, b.sigma, get_max_dyadic_subsampling(b.xi, b.sigma), spin,
                                    morlet_1d(N_padded_fr, spin * b.xi, b.sigma)});
    return bank;
}

// The averaging along n1 that the walk's lowpass_rows does with a level of
// phi_F (spectrum `level`, n bins; Fourier subsampling by 2^s), as a matrix
// on the real rows u it averages: lowpass_rows(rfft(u)) = A u, with A of
// n / 2^s rows and n columns,
//   A[r][i] = phi((r 2^s - i) mod n),   phi = Re ifft(level),
// because periodizing a spectrum 2^s times keeps every 2^s-th sample of the
// circular convolution with phi (the time-domain filter, real: the level is
// a real Gaussian). Direct sums over n1's few hundred values cost less than
// the two FFTs per row (rfft of n, irfft of n / 2^s) when only the few rows
// a path keeps are wanted, and fold the transpose to time-last in. phi is
// computed in double from the compact level the FFT route multiplies by.
inline dense_matrix averaging_matrix(const compact_level& level, int log2_subsampling) {
    const std::size_t n = level.n, step = std::size_t{1} << log2_subsampling;
    std::vector<double> phi(n, 0.0);
    for (std::size_t t = 0; t < n; ++t) {
        double sum = 0.0;
        for (std::size_t i = 0; i < level.values.size(); ++i) {
            const std::size_t k = ((level.start + i) % n) * t % n;  // the phase k t mod n, exact in integers
            sum += level.values[i] * std::cos(2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n));
        }
        phi[t] = sum / static_cast<double>(n);
    }
    dense_matrix A{n / step, n, std::vector<double>((n / step) * n)};
    for (std::size_t r = 0; r < A.rows; ++r)
        for (std::size_t i = 0; i < n; ++i) A.values[r * n + i] = phi[(r * step + n - i) % n];
    return A;
}

// The other reductions along n1 of a path's rows (n values each), as
// matrices for the same product: the rows as they are (spin 0, or F = 0:
// the identity, an exact copy) and their sum (F global: one row of ones).
inline dense_matrix selection_matrix(std::size_t n) {
    dense_matrix A{n, n, std::vector<double>(n * n, 0.0)};
    for (std::size_t i = 0; i < n; ++i) A.values[i * n + i] = 1.0;
    return A;
}
inline dense_matrix summation_matrix(std::size_t n) { return {1, n, std::vector<double>(n, 1.0)}; }

}  // namespace wst
