// Magnitude spectrogram (short-time Fourier transform, Hann window) in dB,
// for the examples' plots.
#pragma once

#include <wst/backend/fftw_plan.hpp>

#include <Eigen/Core>

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

namespace tools {

// Rows: frequency bins 0 .. window/2 (low to high), columns: frames every
// `hop` samples; 20 log10(|STFT| + 1e-6).
inline Eigen::ArrayXXd spectrogram_db(const std::vector<double>& x, std::size_t window = 256, std::size_t hop = 32) {
    const std::size_t frames = x.size() >= window ? 1 + (x.size() - window) / hop : 0;
    const std::size_t bins = window / 2 + 1;
    Eigen::ArrayXXd db(static_cast<Eigen::Index>(bins), static_cast<Eigen::Index>(frames));
    wst::fftw::plan<double> fft(wst::fftw::plan<double>::kind::real_to_complex, window);
    wst::fftw::aligned_buffer<double> frame(window);
    wst::fftw::aligned_buffer<std::complex<double>> spectrum(window);
    for (std::size_t f = 0; f < frames; ++f) {
        for (std::size_t t = 0; t < window; ++t) {
            const double hann = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(t) / static_cast<double>(window));
            frame.data()[t] = hann * x[f * hop + t];
        }
        fft.r2c(frame.data(), spectrum.data());
        for (std::size_t k = 0; k < bins; ++k)
            db(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(f)) = 20 * std::log10(std::abs(spectrum.data()[k]) + 1e-6);
    }
    return db;
}

}  // namespace tools
