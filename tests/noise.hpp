// Gaussian test signals: B x N samples of N(0, amplitude^2) from
// mt19937(seed), drawn in double and rounded to Real (float signals are the
// double ones rounded).
#pragma once

#include <wst/scattering1d.hpp>

#include <random>

namespace test_signals {

template <class Real = double>
wst::signal_array<Real> noise(Eigen::Index B, Eigen::Index N, unsigned seed, double amplitude = 1) {
    std::mt19937 gen(seed);
    std::normal_distribution<double> d;
    wst::signal_array<Real> x(B, N);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<Real>(amplitude * d(gen));
    return x;
}

}  // namespace test_signals
