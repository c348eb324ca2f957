// How close a reconstruction y is to the original x, computed from the two
// signals alone (never from the optimizer's loss):
//   relative error per order m  ||S_m(y) - S_m(x)|| / ||S_m(x)||, with a
//                               double-precision transform (Scattering1D or
//                               TimeFrequencyScattering), and in total;
//   spectral convergence        || |STFT y| - |STFT x| ||_F / || |STFT x| ||_F,
//                               512-sample Hann frames, hop 128 (NaN for a
//                               signal shorter than one frame).
#pragma once

#include <wst/backend/fftw_plan.hpp>
#include <wst/wst.hpp>

#include <array>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

namespace tools {

struct reconstruction_quality {
    double relative_error = 0;
    std::array<double, 3> relative_error_by_order{};  // NaN for an order without coefficients
    int max_order = 0;                                // the highest order with coefficients
    double spectral_convergence = 0;
};

inline double spectral_convergence(const std::vector<double>& x, const std::vector<double>& y,
                                   std::size_t window = 512, std::size_t hop = 128) {
    using plan = wst::fftw::plan<double>;
    const plan fft(plan::kind::real_to_complex, window);
    wst::fftw::aligned_buffer<double> fx(window), fy(window);
    wst::fftw::aligned_buffer<std::complex<double>> X(window), Y(window);
    double difference = 0, norm = 0;
    for (std::size_t start = 0; start + window <= x.size(); start += hop) {
        for (std::size_t t = 0; t < window; ++t) {
            const double hann = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(t) / static_cast<double>(window));
            fx.data()[t] = hann * x[start + t];
            fy.data()[t] = hann * y[start + t];
        }
        fft.r2c(fx.data(), X.data());
        fft.r2c(fy.data(), Y.data());
        for (std::size_t k = 0; k <= window / 2; ++k) {
            const double a = std::abs(X.data()[k]), b = std::abs(Y.data()[k]);
            difference += (a - b) * (a - b);
            norm += a * a;
        }
    }
    if (x.size() < window) return std::nan("");
    return std::sqrt(difference / std::max(norm, 1e-300));
}

// The scattering order of each row of a transform's array output.
inline std::vector<int> row_orders(const wst::Scattering1D<wst::backend::fftw, double>& S) { return S.meta().order; }
inline std::vector<int> row_orders(const wst::TimeFrequencyScattering<wst::backend::fftw, double>& S) {
    return S.output_row_orders();
}

// x and y of the transform's shape; S in double precision.
template <class Transform>
reconstruction_quality quality(const Transform& S, const std::vector<double>& x, const std::vector<double>& y) {
    const auto n = static_cast<Eigen::Index>(x.size());
    const auto Sx = S.scattering(Eigen::Map<const Eigen::RowVectorXd>(x.data(), n));
    const auto Sy = S.scattering(Eigen::Map<const Eigen::RowVectorXd>(y.data(), n));
    const auto orders = row_orders(S);
    std::array<double, 3> error{0, 0, 0}, norm{0, 0, 0};
    std::array<bool, 3> exists{false, false, false};  // format joint has no order 0
    for (std::size_t c = 0; c < Sx.channels(); ++c) {
        const auto m = static_cast<std::size_t>(orders[c]);
        error[m] += (Sy.channel(0, c) - Sx.channel(0, c)).square().sum();
        norm[m] += Sx.channel(0, c).square().sum();
        exists[m] = true;
    }
    reconstruction_quality q;
    double e = 0, s = 0;
    for (std::size_t m = 0; m < 3; ++m) {
        q.relative_error_by_order[m] = exists[m] ? std::sqrt(error[m] / std::max(norm[m], 1e-300)) : std::nan("");
        if (exists[m]) e += error[m], s += norm[m], q.max_order = static_cast<int>(m);
    }
    q.relative_error = std::sqrt(e / std::max(s, 1e-300));
    q.spectral_convergence = spectral_convergence(x, y);
    return q;
}

// The same from the transform's parameters (precision aside).
inline reconstruction_quality quality(const wst::scattering1d_params& params, const std::vector<double>& x,
                                      const std::vector<double>& y, int threads = 1) {
    return quality(wst::Scattering1D<wst::backend::fftw, double>(params, {.threads = threads}), x, y);
}
inline reconstruction_quality quality(const wst::jtfs_params& params, const std::vector<double>& x,
                                      const std::vector<double>& y, int threads = 1) {
    return quality(wst::TimeFrequencyScattering<wst::backend::fftw, double>(params, {.threads = threads}), x, y);
}

}  // namespace tools
